//! Analysis throughput (run with `cargo bench --bench analysis`).
//!
//! 1. The criterion: analysis throughput ≥ 0.8 × raw `jieba.cut` throughput on the
//!    same titles in the same run. Both sides work through the same real day (23 Weibo polls,
//!    1,173 title rows, 385 distinct titles), in the same process, interleaved:
//!    - `raw_jieba_cut`: `jieba.cut(title, hmm = true)` on every title row of every poll —
//!      what a pipeline without a cache does each poll (segmentation only: no normalising,
//!      filtering, scoring or KOL matching);
//!    - `full_analysis/*`: `Analyzer::process` on every poll of the day, from a reset detector:
//!      per poll, item weights, every title's terms and KOL mentions (looked up in the
//!      per-title cache, which is warm after the first pass — titles repeat across polls,
//!      that is the design), per-term signal over both platforms, the EWMA/Kleinberg step of
//!      every present and every flagged term, evictions, the keyword rows, KOL mentions and
//!      trends; the `AnalysisUpdate` is dropped inside the timed loop.
//!      `panel_rows` caps keyword rows at 50 (`max_rows`, what a keyword panel shows: the
//!      app's setting); `all_rows` uses the default cap of 300 (≈160 rows per poll here,
//!      each with its 48-point history); `cold_cache` also drops the title cache before the
//!      day, so the 385 distinct titles are normalised, segmented and KOL-matched again.
//!
//!    The printed ratios come from interleaved rounds (a warm-up run, then a timed block of
//!    10 runs of raw, then of each variant, repeated 40 times) and medians, so that load on a
//!    shared machine hits both sides alike while each side runs warm, as in a steady loop.
//! 2. A synthetic year of hourly snapshots (8,760 × (50 Weibo + 30 Tieba) items) through
//!    `analyze_snapshots` — target ≤ 5 s in release.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::TimeZone;
use criterion::Criterion;
use resou::analysis::{AnalysisConfig, Analyzer, analyze_snapshots};
use resou::domain::snapshot_file::{SnapshotItem, SnapshotLine};
use resou::domain::{Platform, cst};

#[path = "../tests/analysis_support/mod.rs"]
mod analysis_support;

fn day() -> Vec<SnapshotLine> {
    analysis_support::fixture("weibo_nateafish_2026-08-15.jsonl")
}

fn cfg() -> AnalysisConfig {
    analysis_support::kol_cfg()
}

/// Per-run median of each closure over interleaved rounds. In a round every closure runs
/// once untimed (so its data is back in cache, as in a steady loop), then `BLOCK` times
/// timed; load on a shared machine drifts slowly and hits all sides alike.
fn interleaved(fs: &mut [&mut dyn FnMut()], rounds: usize) -> Vec<Duration> {
    const BLOCK: u32 = 10;
    let mut samples = vec![Vec::with_capacity(rounds); fs.len()];
    for _ in 0..rounds {
        for (f, s) in fs.iter_mut().zip(&mut samples) {
            f();
            let t = Instant::now();
            for _ in 0..BLOCK {
                f();
            }
            s.push(t.elapsed() / BLOCK);
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort();
            s[s.len() / 2]
        })
        .collect()
}

fn replay_day(a: &mut Analyzer, cfg: &AnalysisConfig, snaps: &[resou::domain::Snapshot]) {
    a.reset(cfg.detector.clone());
    for s in snaps {
        black_box(a.process(black_box(s)));
    }
}

fn throughput(c: &mut Criterion) {
    let lines = day();
    let snaps: Vec<_> = lines.iter().map(|l| l.to_snapshot()).collect();
    let titles: Vec<String> = lines
        .iter()
        .flat_map(|l| l.items.iter().map(|i| i.title.clone()))
        .collect();
    let all_cfg = cfg();
    let panel_cfg = AnalysisConfig {
        max_rows: Some(PANEL_ROWS),
        ..cfg()
    };
    let mut all = Analyzer::new(&all_cfg);
    let mut panel = Analyzer::new(&panel_cfg);
    let mut cold = Analyzer::new(&panel_cfg);
    let jieba = resou::analysis::tokenize::base_segmenter();
    let mut raw = || {
        for t in &titles {
            black_box(jieba.cut(black_box(t), true));
        }
    };

    let mut g = c.benchmark_group("day_1173_titles");
    g.bench_function("raw_jieba_cut", |b| b.iter(&mut raw));
    g.bench_function("full_analysis/panel_rows", |b| {
        b.iter(|| replay_day(&mut panel, &panel_cfg, &snaps))
    });
    g.bench_function("full_analysis/all_rows", |b| {
        b.iter(|| replay_day(&mut all, &all_cfg, &snaps))
    });
    g.bench_function("full_analysis/cold_cache", |b| {
        b.iter(|| {
            cold.clear_cache();
            replay_day(&mut cold, &panel_cfg, &snaps)
        })
    });
    g.finish();

    let m = interleaved(
        &mut [
            &mut raw,
            &mut || replay_day(&mut panel, &panel_cfg, &snaps),
            &mut || replay_day(&mut all, &all_cfg, &snaps),
            &mut || {
                cold.clear_cache();
                replay_day(&mut cold, &panel_cfg, &snaps)
            },
        ],
        40,
    );
    let ratio = |i: usize| m[0].as_secs_f64() / m[i].as_secs_f64();
    println!(
        "day (medians of 40 interleaved rounds): raw jieba.cut {:?}; full analysis, panel rows {:?} \
         → ratio raw/full = {:.2} (target ≥ 0.8); all rows {:?} → {:.2}; cold cache {:?} → {:.2}",
        m[0],
        m[1],
        ratio(1),
        m[2],
        ratio(2),
        m[3],
        ratio(3)
    );
}

/// Keyword rows a panel shows (the app's `max_rows`).
const PANEL_ROWS: usize = 50;

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
                        id: None,
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

/// Memory bounds: replay 30 days of the synthetic year poll by poll and report the largest
/// sizes the analyser's bounded structures reach.
fn month_memory(lines: &[SnapshotLine]) {
    let mut a = Analyzer::new(&cfg());
    let mut max = a.stats();
    for l in lines.iter().take(30 * 24 * 2) {
        black_box(a.process(&l.to_snapshot()));
        let s = a.stats();
        max.tracked_terms = max.tracked_terms.max(s.tracked_terms);
        max.interned_terms = max.interned_terms.max(s.interned_terms);
        max.cached_titles = max.cached_titles.max(s.cached_titles);
    }
    println!("30 days: end {:?}; max {max:?}", a.stats());
}

fn year() {
    let lines = synthetic_year();
    month_memory(&lines);
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

/// `RESOU_BENCH_PROFILE=N`: only N warm replays of the day, for a profiler
/// (`valgrind --tool=callgrind`), without criterion's timing loop.
fn profile(n: u32) {
    let snaps: Vec<_> = day().iter().map(|l| l.to_snapshot()).collect();
    let cfg = AnalysisConfig {
        max_rows: Some(PANEL_ROWS),
        ..cfg()
    };
    let mut analyzer = Analyzer::new(&cfg);
    let cold = std::env::var_os("RESOU_BENCH_PROFILE_COLD").is_some();
    for _ in 0..=n {
        if cold {
            analyzer.clear_cache();
        }
        replay_day(&mut analyzer, &cfg, &snaps);
    }
}

fn main() {
    if let Some(n) = std::env::var("RESOU_BENCH_PROFILE")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        profile(n);
        return;
    }
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    throughput(&mut c);
    year();
    c.final_summary();
}
