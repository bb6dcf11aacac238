//! The brand watch's request budget at the default settings, simulated on a clock: for a
//! number of watched terms and sentinel accounts, how many requests an hour the watch loop
//! makes — quiet (every round one page) and busy (every round wants `max_pages` pages) — and
//! the most in any hour. The loop's own `Budget` decides; nothing goes on the network.
//!
//! `cargo run --release --example watch_budget`

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use resou::config::Config;
use resou::sources::watch::{Budget, Permit};

/// Simulated hours (the first is left out of the averages: the loop starts with every term
/// due at once).
const HOURS: i64 = 25;

struct Outcome {
    mean: f64,
    max: u32,
    /// Minutes between one term's searches (first pages), on average.
    term_every: f64,
}

fn simulate(terms: usize, sentinels: usize, pages: u32) -> Outcome {
    // ok: the defaults parse
    let cfg = Config::parse("", "default").unwrap_or_else(|e| panic!("{e}"));
    let mut budget = Budget::new(cfg.watch.loop_config(Vec::new()).budget);
    let sentinel_every = Duration::from_secs(cfg.sentinel.every_minutes * 60);
    let mut names: Vec<String> = (0..terms).map(|i| format!("term{i}")).collect();
    for i in 0..sentinels {
        let n = format!("@sentinel{i}");
        budget.set_every(&n, sentinel_every);
        names.push(n);
    }
    let t0: DateTime<FixedOffset> =
        DateTime::parse_from_rfc3339("2026-08-15T00:00:00+08:00").unwrap_or_else(|e| panic!("{e}"));
    let end = t0 + chrono::Duration::hours(HOURS);
    let mut per_hour = vec![0u32; HOURS as usize];
    let mut count = |at: DateTime<FixedOffset>| {
        if let Some(c) = usize::try_from((at - t0).num_hours())
            .ok()
            .and_then(|h| per_hour.get_mut(h))
        {
            *c += 1;
        }
    };
    let mut term_rounds = 0u32;
    let mut now = t0;
    // Pages of a round go 4 s apart (the host spacing).
    let gap = chrono::Duration::seconds(4);
    while now < end {
        let Some((i, at)) = budget.next_request_at(&names, now) else {
            break;
        };
        now = at.max(now);
        if now >= end {
            break;
        }
        if budget.first_page(&names[i], now) != Permit::Granted {
            continue;
        }
        count(now);
        if i < terms && now >= t0 + chrono::Duration::hours(1) {
            term_rounds += 1;
        }
        let mut t = now;
        // A busy term's round pages on; a sentinel's timeline holds an hour of one
        // account's posts, one page.
        let round = if i < terms { pages } else { 1 };
        for _ in 1..round {
            t += gap;
            match budget.next_page(t) {
                Permit::Granted => count(t),
                Permit::WaitUntil(_) => break,
            }
        }
        now = t;
    }
    let steady = &per_hour[1..];
    let hours = steady.len() as f64;
    Outcome {
        mean: steady.iter().map(|&c| f64::from(c)).sum::<f64>() / hours,
        max: steady.iter().copied().max().unwrap_or(0),
        term_every: if term_rounds == 0 {
            f64::NAN
        } else {
            hours * 60.0 * terms as f64 / f64::from(term_rounds)
        },
    }
}

fn main() {
    let cfg = Config::parse("", "default").unwrap_or_else(|e| panic!("{e}"));
    println!(
        "defaults: a term every {} min, a sentinel every {} min, at most {} requests an hour, {} pages a round",
        cfg.watch.every_minutes,
        cfg.sentinel.every_minutes,
        cfg.watch.max_per_hour,
        cfg.watch.max_pages
    );
    println!();
    println!(
        "| terms | sentinels | quiet: requests/h (max in an hour) | a term searched every | busy, {} pages a round: requests/h (max) | a term searched every |",
        cfg.watch.max_pages
    );
    println!("|---|---|---|---|---|---|");
    for (terms, sentinels) in [(1, 0), (2, 0), (5, 0), (10, 0), (20, 0), (2, 12), (5, 20)] {
        let quiet = simulate(terms, sentinels, 1);
        let busy = simulate(terms, sentinels, cfg.watch.max_pages);
        println!(
            "| {terms} | {sentinels} | {:.1} ({}) | {:.0} min | {:.1} ({}) | {:.0} min |",
            quiet.mean, quiet.max, quiet.term_every, busy.mean, busy.max, busy.term_every
        );
    }
}
