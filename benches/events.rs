//! Event grouping cost (run with `cargo bench --bench events`). Target: one poll of every
//! list → events updated and the view built, ≤ 5 ms.
//!
//! Data: the 2025-10-15 archive (`tests/fixtures/events/`), 11 lists a poll (255 titles).
//! - `round/steady`: a grouper that has taken in the day up to 12:05 takes the 12:36 round
//!   (all 11 lists, most titles already known, the new ones tokenised and matched), then
//!   builds the `Events` view — what a polling round costs in a running app;
//! - `round/cold`: the 12:36 round into a fresh grouper (every title new: tokenised, weighed,
//!   matched against the events made so far) and the view;
//! - `list/weibo`: the 12:36 Weibo list alone, its new titles tokenised;
//! - `list/weibo_engine`: the same with the words at hand (`observe_with`), as the analysis
//!   engine calls it with its per-title cache: what the hook adds to each `AnalysisUpdate`;
//! - `view`: taking the view after the whole day (a reference count: views are built as
//!   polls come in, only for the events that changed);
//! - `tokenize_round`: the jieba tokeniser alone on the round's 255 titles, a yardstick for
//!   runs on a loaded machine.
//!
//! Each iteration starts from a clone of the prepared grouper; cloning and dropping it are
//! not timed.

use std::hint::black_box;
use std::sync::Arc;

use chrono::DateTime;
use criterion::{BatchSize, Criterion};
use resou::analysis::events::EventGrouper;
use resou::analysis::{AnalysisConfig, Analyzer, TitleInfo, Tokenizer};
use resou::domain::{Platform, Snapshot};

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/events/2025-10-15.jsonl.gz"
    );
    let mut lines = resou::import::read_jsonl(std::path::Path::new(path)).expect("fixture");
    lines.sort_by_key(|l| l.captured_at);
    let at = |s: &str| DateTime::parse_from_rfc3339(s).expect("time");
    let (before, round_at) = (
        at("2025-10-15T12:05:00+08:00"),
        at("2025-10-15T12:36:00+08:00"),
    );
    let mut analyzer = Analyzer::new(&AnalysisConfig::default());
    let tok = Tokenizer::new(&[], &[]);

    let mut warm = EventGrouper::default();
    for l in lines.iter().filter(|l| l.captured_at <= before) {
        warm.observe(&l.to_snapshot(), &tok);
    }
    let round: Vec<Snapshot> = lines
        .iter()
        .filter(|l| l.captured_at == round_at)
        .map(|l| l.to_snapshot())
        .collect();
    let titles: usize = round.iter().map(|s| s.ranked.len()).sum();
    let weibo: Vec<Snapshot> = round
        .iter()
        .filter(|s| s.platform == Platform::Weibo)
        .cloned()
        .collect();
    let weibo_words: Vec<Arc<TitleInfo>> = weibo[0]
        .ranked
        .iter()
        .map(|t| analyzer.title_info(t.title.as_str(), t.query.as_ref().map(|q| q.as_str())))
        .collect();
    let mut day = EventGrouper::default();
    for l in &lines {
        day.observe(&l.to_snapshot(), &tok);
    }
    println!(
        "12:36 round: {} lists, {titles} titles; live events at 12:05: {}, after the day: {}",
        round.len(),
        warm.len(),
        day.len()
    );

    // Each routine returns the grouper: criterion drops it after the timed section.
    let take = |mut g: EventGrouper, snaps: &[Snapshot]| {
        for s in snaps {
            g.observe(black_box(s), &tok);
        }
        black_box(g.events());
        g
    };
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("events");
    group.bench_function("round/steady", |b| {
        b.iter_batched(|| warm.clone(), |g| take(g, &round), BatchSize::LargeInput)
    });
    group.bench_function("round/cold", |b| {
        b.iter_batched(
            EventGrouper::default,
            |g| take(g, &round),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("list/weibo", |b| {
        b.iter_batched(|| warm.clone(), |g| take(g, &weibo), BatchSize::LargeInput)
    });
    group.bench_function("list/weibo_engine", |b| {
        b.iter_batched(
            || warm.clone(),
            |mut g| {
                g.observe_with(black_box(&weibo[0]), &weibo_words);
                black_box(g.events());
                g
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("view", |b| b.iter(|| black_box(day.events())));
    // Reference for a loaded machine: the shared tokeniser on the round's 255 titles.
    group.bench_function("tokenize_round", |b| {
        b.iter(|| {
            for s in &round {
                for t in &s.ranked {
                    black_box(tok.tokenize(black_box(t.title.as_str())));
                }
            }
        })
    });
    group.finish();
    c.final_summary();
}
