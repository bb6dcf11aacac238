//! Memory of the analysis over an accelerated replay: streams a snapshot file line by line
//! through the production `Analyzer` (as the worker does, with the app's row cap) and prints
//! the process RSS at the end of every simulated day. Input from `scripts/rss-replay.py`.
//!
//!     scripts/rss-replay.py 30 /tmp/replay-30.jsonl
//!     cargo run --release --example rss_replay -- /tmp/replay-30.jsonl

use std::io::BufRead;

use resou::analysis::{AnalysisConfig, Analyzer};
use resou::domain::snapshot_file::SnapshotLine;

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: rss_replay FILE.jsonl")?;
    let reader = std::io::BufReader::new(std::fs::File::open(&path)?);
    let cfg = AnalysisConfig {
        max_rows: Some(resou::config::KEYWORD_ROWS),
        ..Default::default()
    };
    let mut analyzer = Analyzer::new(&cfg);
    println!("day  polls  rss_kb  tracked_terms  cached_titles");
    let (mut day, mut polls, mut last_date) = (0, 0usize, None);
    for line in reader.lines() {
        let line: SnapshotLine = serde_json::from_str(&line?)?;
        let date = line.captured_at.date_naive();
        if last_date.is_some_and(|d| d != date) {
            day += 1;
            let s = analyzer.stats();
            println!(
                "{day:>3} {polls:>6} {:>7} {:>14} {:>14}",
                rss_kb(),
                s.tracked_terms,
                s.cached_titles
            );
        }
        last_date = Some(date);
        let update = analyzer.process(&line.to_snapshot());
        drop(update);
        polls += 1;
    }
    let s = analyzer.stats();
    println!(
        "{:>3} {polls:>6} {:>7} {:>14} {:>14}",
        day + 1,
        rss_kb(),
        s.tracked_terms,
        s.cached_titles
    );
    Ok(())
}
