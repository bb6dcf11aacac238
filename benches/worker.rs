//! One poll → keyword panel, events and list dynamics with every list live (issue 18: ≤ 5 ms
//! a poll with all lists, ~300 titles). Run with `cargo bench --bench worker`.
//!
//! The eleven real lists of 2025-10-15 (`DemoDay::Day20251015`: 506 lists, ~276 titles live
//! at a time) go through one `Analyzer` with the app's analysis config, in time order. The
//! first pass over the day is the warm-up (title cache, detector baselines, live events,
//! dynamics trackers); then the day is replayed again and again, each pass a day later and
//! with its titles renamed (`…·第N天`), so every poll is newer than the last and each day
//! brings its own new titles, as live polling does. Each timed iteration is the next poll of
//! one list:
//! - `Analyzer::process`: the worker's whole path for the poll (tokens through the title
//!   cache, the detector step, the keyword panel and KOLs, the events grouper and the view of
//!   all live stories it sends, the list dynamics);
//! - `poll + process + app`: also the app's side — the poll report and the update handled by
//!   `App::handle` (board rows rebuilt: highlights, story counts, dynamics marks); effects are
//!   dropped.
//!
//! A last untimed-by-criterion pass times every poll of one day on its own and prints the
//! median, 90th and 99th percentiles and the slowest poll, per list and over all.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use resou::analysis::{AnalysisEvent, Analyzer};
use resou::app::{App, AppMsg};
use resou::config::keymap::Keymap;
use resou::domain::snapshot_file::SnapshotLine;
use resou::domain::{Platform, Snapshot};
use resou::sources::{Endpoint, PollReport, SourceEvent};

/// The demo day's lists replayed pass after pass (see the module doc).
struct Polls {
    lines: Vec<SnapshotLine>,
    next: usize,
}

impl Polls {
    fn new() -> Polls {
        let lines = match resou::replay::DemoDay::Day20251015.lists() {
            Ok(l) => l,
            Err(e) => panic!("demo day: {e}"),
        };
        Polls { lines, next: 0 }
    }

    fn per_day(&self) -> usize {
        self.lines.len()
    }

    fn next(&mut self) -> Snapshot {
        let n = self.lines.len();
        let pass = self.next / n;
        let mut line = self.lines[self.next % n].clone();
        self.next += 1;
        line.captured_at += chrono::Duration::days(pass as i64);
        if pass > 0 {
            for it in &mut line.items {
                it.title = format!("{}·第{pass}天", it.title);
                it.query = it.query.take().map(|q| format!("{q}·第{pass}天"));
                it.id = it.id.take().map(|id| format!("{id}-{pass}"));
            }
        }
        line.to_snapshot()
    }
}

fn poll_msg(snap: Snapshot) -> AppMsg {
    let endpoint = Endpoint::chain_of(snap.platform)[0];
    AppMsg::Source(SourceEvent::Poll(PollReport::first_step_ok(
        snap,
        endpoint,
        Duration::from_secs(300),
    )))
}

fn app() -> App {
    let mut app = App::new(Keymap::default_map());
    app.handle(AppMsg::Resize {
        page_rows: 50,
        keyword_rows: 10,
        size: (200, 60),
    });
    app
}

fn bench_worker(c: &mut Criterion) {
    let (cfg, _) = resou::config::analysis_config(&resou::config::Config::default(), false);
    let mut analyzer = Analyzer::new(&cfg);
    // As the app's worker does: stories grouped with every poll.
    analyzer.set_events(true);
    let mut app = app();
    let mut polls = Polls::new();
    for _ in 0..polls.per_day() {
        let snap = polls.next();
        app.handle(poll_msg(snap.clone()));
        let u = analyzer.process(&snap);
        app.handle(AppMsg::Analysis(AnalysisEvent::Update(Box::new(u))));
    }
    let live: usize = app
        .state
        .lists
        .boards
        .values()
        .filter_map(|b| b.current.as_ref())
        .map(|s| s.ranked.len() + s.pinned.len())
        .sum();
    eprintln!(
        "warm: {} lists, {live} titles live, {} live stories",
        app.state.lists.boards.len(),
        app.state.analysis.events.events.len()
    );

    let mut g = c.benchmark_group("one poll, 11 lists live");
    g.bench_function("Analyzer::process", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let snap = polls.next();
                let t = Instant::now();
                black_box(analyzer.process(black_box(&snap)));
                total += t.elapsed();
                // The app follows along untimed, so its state stays that of the same polls.
                app.handle(poll_msg(snap));
            }
            total
        })
    });
    g.bench_function("poll + process + app", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let snap = polls.next();
                let t = Instant::now();
                black_box(app.handle(poll_msg(snap.clone())));
                let u = analyzer.process(black_box(&snap));
                black_box(app.handle(AppMsg::Analysis(AnalysisEvent::Update(Box::new(u)))));
                total += t.elapsed();
            }
            total
        })
    });
    g.finish();

    // Every poll of one more day on its own: the distribution, per list and over all.
    let mut times: Vec<(Platform, Duration)> = Vec::with_capacity(polls.per_day());
    for _ in 0..polls.per_day() {
        let snap = polls.next();
        let p = snap.platform;
        let t = Instant::now();
        app.handle(poll_msg(snap.clone()));
        let u = analyzer.process(&snap);
        app.handle(AppMsg::Analysis(AnalysisEvent::Update(Box::new(u))));
        times.push((p, t.elapsed()));
    }
    let stats = |mut v: Vec<Duration>| {
        v.sort();
        let q = |f: f64| v[((v.len() - 1) as f64 * f).round() as usize];
        format!(
            "{:>4} polls  median {:>7.3} ms  p90 {:>7.3}  p99 {:>7.3}  max {:>7.3}",
            v.len(),
            q(0.5).as_secs_f64() * 1e3,
            q(0.9).as_secs_f64() * 1e3,
            q(0.99).as_secs_f64() * 1e3,
            q(1.0).as_secs_f64() * 1e3,
        )
    };
    eprintln!("poll + process + app over one day of the eleven lists:");
    for p in Platform::ALL {
        let v: Vec<Duration> = times
            .iter()
            .filter(|(q, _)| *q == p)
            .map(|(_, d)| *d)
            .collect();
        if !v.is_empty() {
            eprintln!("  {:<6} {}", p.tag(), stats(v));
        }
    }
    eprintln!(
        "  {:<6} {}",
        "all",
        stats(times.iter().map(|(_, d)| *d).collect())
    );
}

criterion_group!(benches, bench_worker);
criterion_main!(benches);
