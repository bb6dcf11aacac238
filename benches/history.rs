//! History in the app (issue 6 targets), through the real history service thread and a
//! 90-day SQLite store as retention leaves it (1-minute polls of both platforms for the last
//! two days, hourly before that):
//! - opening the store and drawing the first frame from the last stored lists (≤ 50 ms);
//! - one time-travel step: key → store read on the service thread → board rebuilt → frame
//!   drawn (≤ 16 ms).
//!
//! It also prints the store's size per day of 1-minute polling of both platforms.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Duration as Span;
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use resou::app::App;
use resou::app::msg::{AppMsg, Effect};
use resou::config::keymap::{Key, Keymap};
use resou::domain::snapshot_file::read_lines;
use resou::domain::{Platform, Snapshot};
use resou::history::{HistoryEvent, HistoryHandle, HistoryOptions};
use resou::store::{HistoryStore, Store};
use tokio::sync::mpsc;

fn lists() -> (Vec<Snapshot>, Vec<Snapshot>) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store/");
    let all: Vec<Snapshot> = ["weibo_hours.jsonl", "lists.jsonl"]
        .iter()
        .flat_map(|name| {
            let path = format!("{dir}{name}");
            let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            read_lines(std::io::BufReader::new(file), &path)
                .unwrap_or_else(|e| panic!("{e}"))
                .into_iter()
                .map(|l| l.to_snapshot())
        })
        .collect();
    all.into_iter().partition(|s| s.platform == Platform::Weibo)
}

/// The real lists again at `at`.
fn at(lists: &[Snapshot], i: usize, at: chrono::DateTime<chrono::FixedOffset>) -> Snapshot {
    let mut s = lists[i % lists.len()].clone();
    s.captured_at = at;
    s
}

/// Poll times of `days` days ending at `end`: hourly, then every minute for the last 2 days.
fn times(
    end: chrono::DateTime<chrono::FixedOffset>,
    days: i64,
) -> Vec<chrono::DateTime<chrono::FixedOffset>> {
    let minute_from = end - Span::days(2);
    let mut t = end - Span::days(days);
    let mut out = Vec::new();
    while t <= end {
        out.push(t);
        t += if t < minute_from {
            Span::hours(1)
        } else {
            Span::minutes(1)
        };
    }
    out
}

fn fill(path: &Path, days: i64) -> usize {
    let (weibo, tieba) = lists();
    let end = weibo[0].captured_at;
    let mut store = Store::open(path).unwrap_or_else(|e| panic!("{e}"));
    let ts = times(end, days);
    for (i, t) in ts.iter().enumerate() {
        for l in [&weibo, &tieba] {
            store
                .insert_poll(&at(l, i, *t), "bench")
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    ts.len() * 2
}

fn file_mb(path: &Path) -> f64 {
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
    let _: (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::metadata(path)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(0.0)
}

struct Svc {
    handle: HistoryHandle,
    rx: mpsc::Receiver<HistoryEvent>,
}

fn start(path: &Path) -> Svc {
    let path = path.to_path_buf();
    let (tx, rx) = mpsc::channel(64);
    let opts = HistoryOptions {
        platforms: vec![Platform::Weibo, Platform::Tieba],
        keep_days: 0,
        skip_duplicates: false,
        announce: true,
        follow: None,
        team_user: None,
    };
    let open: resou::history::Opener =
        Box::new(move || Ok(Box::new(Store::open(&path)?) as Box<dyn HistoryStore>));
    let handle = resou::history::spawn(open, opts, tx).unwrap_or_else(|e| panic!("{e}"));
    Svc { handle, rx }
}

fn app() -> App {
    let mut app = App::new(Keymap::default_map());
    app.handle(AppMsg::Resize {
        page_rows: 34,
        keyword_rows: 30,
        size: (120, 40),
    });
    app
}

fn bench_history(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let day = dir.path().join("day.sqlite3");
    // One day of 1-minute polls of both platforms (no compaction yet).
    let (weibo, tieba) = lists();
    {
        let mut store = Store::open(&day).unwrap_or_else(|e| panic!("{e}"));
        let t0 = weibo[0].captured_at;
        for i in 0..1440 {
            let t = t0 + Span::minutes(i as i64);
            store
                .insert_poll(&at(&weibo, i, t), "bench")
                .unwrap_or_else(|e| panic!("{e}"));
            store
                .insert_poll(&at(&tieba, i, t), "bench")
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    eprintln!(
        "store size: one day of 1-minute polls of both platforms (2,880 polls, 51 + 30 rows): {:.1} MB",
        file_mb(&day)
    );
    let path = dir.path().join("ninety.sqlite3");
    let started = Instant::now();
    let polls = fill(&path, 90);
    eprintln!(
        "90-day store as retention leaves it: {polls} polls, {:.1} MB (built in {:.0?})",
        file_mb(&path),
        started.elapsed()
    );

    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap_or_else(|e| panic!("{e}"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let next = |rt: &tokio::runtime::Runtime, rx: &mut mpsc::Receiver<HistoryEvent>| {
        rt.block_on(async { tokio::time::timeout(Duration::from_secs(30), rx.recv()).await })
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("history closed"))
    };

    c.bench_function("history: open 90-day store + first frame", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let t = Instant::now();
                let mut svc = start(&path);
                let mut a = app();
                let ev = next(&rt, &mut svc.rx);
                assert!(matches!(&ev, HistoryEvent::Opened { latest, .. } if latest.len() == 2));
                a.handle(AppMsg::History(ev));
                terminal
                    .draw(|f| resou::ui::render(f, &a.state))
                    .unwrap_or_else(|e| panic!("{e}"));
                total += t.elapsed();
                drop(svc.handle); // waits for the poll-time list; not part of the first frame
            }
            total
        })
    });

    // A loaded app: the last stored boards and every poll time.
    let mut svc = start(&path);
    let mut a = app();
    for _ in 0..2 {
        let ev = next(&rt, &mut svc.rx);
        a.handle(AppMsg::History(ev));
    }
    let mut back = true;
    let mut steps = 0usize;
    c.bench_function("history: time-travel step (key → store → frame)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                // Walk back 30 polls, then forward again, so both directions are measured.
                if steps.is_multiple_of(30) {
                    back = !back;
                }
                steps += 1;
                let t = Instant::now();
                let key =
                    Key::parse(if back { "[" } else { "]" }).unwrap_or_else(|e| panic!("{e}"));
                let (fx, _) = a.handle(AppMsg::Key(key));
                let mut later = Vec::new();
                for e in fx {
                    if let Effect::History(cmd) = e {
                        svc.handle.send(cmd);
                        let ev = next(&rt, &mut svc.rx);
                        assert!(matches!(ev, HistoryEvent::Boards { .. }), "{ev:?}");
                        later.extend(a.handle(AppMsg::History(ev)).0);
                    }
                }
                terminal
                    .draw(|f| resou::ui::render(f, &a.state))
                    .unwrap_or_else(|e| panic!("{e}"));
                total += t.elapsed();
                // Sparkline series of topics first met on this board arrive after the frame
                // (the app draws again then); answered here outside the measured step.
                for m in later {
                    if let Effect::History(cmd) = m {
                        svc.handle.send(cmd);
                        let ev = next(&rt, &mut svc.rx);
                        a.handle(AppMsg::History(ev));
                    }
                }
            }
            total
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(10));
    targets = bench_history
}
criterion_main!(benches);
