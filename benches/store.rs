//! History store costs (issue 6 targets): inserting one 51-row Weibo poll into a store that
//! already holds 1,000 polls (≤ 2 ms), and rebuilding a past board with `snapshot_at`
//! (one time-travel step, ≤ 16 ms including the draw).

use chrono::Duration;
use criterion::{Criterion, criterion_group, criterion_main};
use resou::domain::Snapshot;
use resou::domain::snapshot_file::read_lines;
use resou::store::{HistoryStore, Store};

fn weibo_polls() -> Vec<Snapshot> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store/");
    ["weibo_hours.jsonl", "lists.jsonl"]
        .iter()
        .flat_map(|name| {
            let path = format!("{dir}{name}");
            let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            read_lines(std::io::BufReader::new(file), &path)
                .unwrap_or_else(|e| panic!("{e}"))
                .into_iter()
                .map(|l| l.to_snapshot())
        })
        .filter(|s| s.pinned.len() + s.ranked.len() == 51)
        .collect()
}

/// The real lists again, one minute apart from the first list's time.
fn minute_poll(polls: &[Snapshot], i: usize) -> Snapshot {
    let mut s = polls[i % polls.len()].clone();
    s.captured_at = polls[0].captured_at + Duration::minutes(i as i64);
    s
}

fn bench_store(c: &mut Criterion) {
    let polls = weibo_polls();
    assert!(polls.len() >= 4, "fixtures changed");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut store = Store::open(dir.path().join("bench.sqlite3")).unwrap_or_else(|e| panic!("{e}"));
    const HELD: usize = 1_000;
    for i in 0..HELD {
        store
            .insert_poll(&minute_poll(&polls, i), "bench")
            .unwrap_or_else(|e| panic!("{e}"));
    }

    let mid = minute_poll(&polls, HELD / 2).captured_at;
    c.bench_function("store snapshot_at (1,000 polls held)", |b| {
        b.iter(|| {
            store
                .snapshot_at(polls[0].platform, std::hint::black_box(mid))
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });

    let mut next = HELD;
    c.bench_function("store insert 51-row poll (1,000+ polls held)", |b| {
        b.iter_batched(
            || {
                next += 1;
                minute_poll(&polls, next)
            },
            |snap| {
                store
                    .insert_poll(&snap, "bench")
                    .unwrap_or_else(|e| panic!("{e}"))
            },
            criterion::BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, bench_store);
criterion_main!(benches);
