//! Analysis throughput (run with `cargo bench --bench analysis`):
//! 1. full analysis (tokenise + score + KOL match) of a real day vs raw `jieba.cut` of the
//!    same titles, in the same run — target: raw/full ≥ 0.8 (the per-title cache pays);
//! 2. a synthetic year of hourly snapshots (8,760 × 80 items) through `analyze_snapshots`
//!    — target ≤ 5 s in release.

use std::hint::black_box;
use std::io::BufReader;
use std::time::{Duration, Instant};

use chrono::TimeZone;
use criterion::Criterion;
use resou::analysis::{AnalysisConfig, Analyzer, Kol, analyze_snapshots};
use resou::domain::snapshot_file::{SnapshotItem, SnapshotLine, read_lines};
use resou::domain::{Platform, cst};

fn day() -> Vec<SnapshotLine> {
    let path = format!(
        "{}/tests/fixtures/analysis/weibo_nateafish_2026-08-15.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    let f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    read_lines(BufReader::new(f), &path).unwrap_or_else(|e| panic!("{e}"))
}

fn cfg() -> AnalysisConfig {
    AnalysisConfig {
        kols: ["新华社", "人民日报", "央视新闻", "石平", "汪苏泷", "胖东来"]
            .into_iter()
            .map(Kol::new)
            .collect(),
        ..AnalysisConfig::default()
    }
}

fn time<F: FnMut()>(mut f: F, reps: u32) -> Duration {
    let t = Instant::now();
    for _ in 0..reps {
        f();
    }
    t.elapsed() / reps
}

fn throughput(c: &mut Criterion) {
    let lines = day();
    let snaps: Vec<_> = lines.iter().map(|l| l.to_snapshot()).collect();
    let titles: Vec<String> = lines
        .iter()
        .flat_map(|l| l.items.iter().map(|i| i.title.clone()))
        .collect();
    let cfg = cfg();
    let mut analyzer = Analyzer::new(&cfg);
    let jieba = jieba_rs::Jieba::new();

    let mut g = c.benchmark_group("day_1173_titles");
    g.bench_function("raw_jieba_cut", |b| {
        b.iter(|| {
            for t in &titles {
                black_box(jieba.cut(black_box(t), true));
            }
        })
    });
    g.bench_function("full_analysis", |b| {
        b.iter(|| {
            analyzer.reset(cfg.detector.clone());
            for s in &snaps {
                black_box(analyzer.process(s));
            }
        })
    });
    g.finish();

    // The same comparison as one printed ratio (criterion reports the two separately).
    let raw = time(
        || {
            for t in &titles {
                black_box(jieba.cut(t, true));
            }
        },
        20,
    );
    let full = time(
        || {
            analyzer.reset(cfg.detector.clone());
            for s in &snaps {
                black_box(analyzer.process(s));
            }
        },
        20,
    );
    println!(
        "day: raw jieba.cut {raw:?}, full analysis {full:?}, ratio raw/full = {:.2} (target ≥ 0.8)",
        raw.as_secs_f64() / full.as_secs_f64()
    );
}

/// A year of hourly Weibo (50) + Tieba (30) lists drawn from the real day's titles, with
/// ~10 % new titles every hour (cache misses), heat falling with rank.
fn synthetic_year() -> Vec<SnapshotLine> {
    let pool: Vec<String> = day()
        .iter()
        .flat_map(|l| l.items.iter().map(|i| i.title.clone()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut rng = fastrand::Rng::with_seed(2026);
    let start = cst()
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_else(|| unreachable!());
    let mut out = Vec::with_capacity(8760 * 2);
    let mut fresh = 0u64;
    for h in 0..8760i64 {
        let at = start + chrono::Duration::hours(h);
        for (platform, n) in [(Platform::Weibo, 50u32), (Platform::Tieba, 30)] {
            let items = (1..=n)
                .map(|rank| {
                    let base =
                        &pool[(h as usize * 3 + rank as usize * 7 + rng.usize(0..5)) % pool.len()];
                    let title = if rng.u8(0..10) == 0 {
                        fresh += 1;
                        format!("{base}{fresh}后续")
                    } else {
                        base.clone()
                    };
                    SnapshotItem {
                        rank: Some(rank),
                        title,
                        query: None,
                        heat: (platform == Platform::Weibo)
                            .then(|| 2_000_000 / u64::from(rank) + rng.u64(0..10_000)),
                        label: None,
                        url: None,
                        pinned: false,
                    }
                })
                .collect();
            out.push(SnapshotLine {
                captured_at: at,
                platform,
                items,
            });
        }
    }
    out
}

fn year() {
    let lines = synthetic_year();
    let items: usize = lines.iter().map(|l| l.items.len()).sum();
    let cfg = cfg();
    let t = Instant::now();
    let polls = analyze_snapshots(&lines, &cfg);
    let el = t.elapsed();
    let rising: usize = polls.iter().map(|p| p.onsets.len()).sum();
    println!(
        "year: {} snapshots, {items} items through analyze_snapshots in {el:.2?} (target ≤ 5 s); {rising} onsets",
        lines.len()
    );
}

fn main() {
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    throughput(&mut c);
    year();
    c.final_summary();
}
