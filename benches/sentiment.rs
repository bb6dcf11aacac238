//! Sentiment scoring throughput (issue 20): the lexicon scorer over the 663 texts of the gold
//! set (`tests/fixtures/sentiment/labels.jsonl`: real Weibo posts, Tieba floors and replies),
//! one thread. Posts per second = 663 / the time of one iteration. Building the scorer (the
//! embedded lexicons, once per process) is measured separately.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use resou::sentiment::{Scorer, eval};

const GOLD: &str = include_str!("../tests/fixtures/sentiment/labels.jsonl");

fn bench_sentiment(c: &mut Criterion) {
    let gold = match eval::parse_gold(GOLD) {
        Ok(g) => g,
        Err(e) => panic!("gold set: {e}"),
    };
    let texts: Vec<_> = gold.into_iter().map(|g| g.text).collect();
    let scorer = Scorer::new();
    let mut g = c.benchmark_group("sentiment");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(texts.len() as u64));
    g.bench_function(format!("score {} gold texts (lexicon)", texts.len()), |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| scorer.score(std::hint::black_box(t)).score)
                .sum::<f32>()
        })
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("build the scorer (embedded lexicons)", |b| {
        b.iter(Scorer::new)
    });
    g.finish();
}

criterion_group!(benches, bench_sentiment);
criterion_main!(benches);
