//! Bounded resources over an accelerated replay (issue #7): the real app pieces, headless,
//! for N simulated days of 1-minute polls of both platforms with hourly drill-downs (see
//! `tests/soak_support/mod.rs` for what runs and how the lists are made). Prints RSS, open
//! file descriptors and the sizes of the big in-memory maps every 6 simulated hours.
//!
//!     cargo run --release --example soak -- --days 30 [--csv out.csv] [--server-in-process]
//!
//! The replay server runs in a child process (this executable again), so the figures are
//! the app's alone, as in a live session; `--server-in-process` keeps it inside, as the CI
//! soak test does.

#[path = "../tests/soak_support/mod.rs"]
mod soak_support;

use std::io::Write;

use soak_support::{Sample, SoakOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os(soak_support::SERVER_CHILD_ENV).is_some() {
        return Ok(soak_support::serve_child()?);
    }
    let mut days = 30.0f64;
    let mut server = soak_support::ServerPlace::Child;
    let mut csv: Option<std::path::PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--days" => days = args.next().ok_or("--days N")?.parse()?,
            "--csv" => csv = Some(args.next().ok_or("--csv FILE")?.into()),
            "--server-in-process" => server = soak_support::ServerPlace::InProcess,
            other => {
                return Err(format!(
                    "unknown argument {other}; usage: soak [--days N] [--csv FILE] [--server-in-process]"
                )
                .into());
            }
        }
    }
    let dir = tempfile::tempdir()?;
    let opts = SoakOptions {
        minutes: (days * 1440.0).round() as u64,
        sample_every: 360,
        drill_every: 60,
        dir: dir.path().to_path_buf(),
        server,
    };
    let mut out = csv.as_ref().map(std::fs::File::create).transpose()?;
    if let Some(f) = &mut out {
        writeln!(f, "{}", Sample::HEADER)?;
    }
    println!(
        "{:>5} {:>6} {:>7} {:>6} {:>7} {:>7} {:>6} {:>4} {:>7} {:>6} {:>6} {:>6} {:>5} {:>7} {:>8} {:>7} {:>5} {:>6} {:>7} {:>6}",
        "day",
        "polls",
        "rss_MB",
        "file",
        "heap_MB",
        "blocks",
        "sql_MB",
        "fds",
        "triage",
        "series",
        "times",
        "first",
        "topics",
        "terms",
        "interned",
        "titles",
        "kols",
        "views",
        "store",
        "wall_s"
    );
    let started = std::time::Instant::now();
    let mut write_err = None;
    soak_support::run(&opts, |s| {
        let a = &s.analysis;
        println!(
            "{:>5.2} {:>6} {:>7.1} {:>6.1} {:>7.1} {:>7} {:>6.1} {:>4} {:>7} {:>6} {:>6} {:>6} {:>5} {:>7} {:>8} {:>7} {:>5} {:>6} {:>7.1} {:>6.0}",
            s.minute as f64 / 1440.0,
            s.polls,
            s.rss_mb,
            s.rss_file_mb,
            s.heap_mb,
            s.heap_blocks,
            s.sqlite_mb,
            s.fds,
            s.triage,
            s.series,
            s.times,
            s.first_seen,
            s.topic_details,
            a.tracked_terms,
            a.interned_terms,
            a.cached_titles,
            a.kols,
            s.views,
            s.store_mb,
            started.elapsed().as_secs_f64(),
        );
        if let Some(f) = &mut out
            && let Err(e) = writeln!(f, "{}", s.csv())
        {
            write_err.get_or_insert(e);
        }
    })?;
    if let Some(e) = write_err {
        return Err(e.into());
    }
    println!("done in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}
