//! `resou record`: poll like the app (same chains, interval with jitter, back-off) and append
//! every raw response the HTTP client receives to a JSON Lines file (the format of
//! `replay::RecordedExchange`), for `resou replay` and for fixtures.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;

use super::AllFailed;
use crate::domain::{Platform, now_cst};
use crate::replay::{RecordedExchange, encode_body};
use crate::sources::chain::Chain;
use crate::sources::http::{Exchange, Recorder};
use crate::sources::poller::{self, next_delay};
use crate::sources::{PollOutcome, SourcesConfig};

#[derive(Debug, Clone)]
pub struct RecordOptions {
    pub out: PathBuf,
    /// Polls per platform; until interrupted when absent.
    pub count: Option<u64>,
    /// Base wait between polls of one platform (jittered ±10 %, backed off after failures).
    pub interval: Duration,
}

/// Shortest `--interval` against the real platforms (as for the app); a local `--origin` may
/// go down to `MIN_LOCAL_INTERVAL`.
pub const MIN_INTERVAL: f64 = 5.0;
pub const MIN_LOCAL_INTERVAL: f64 = 0.2;

/// The poll interval from `--interval` (or the config's), checked against the limits.
pub fn interval(secs: Option<f64>, cfg: &SourcesConfig) -> anyhow::Result<Duration> {
    let Some(s) = secs else {
        return Ok(cfg.interval);
    };
    let min = if cfg.net.origin.is_some() {
        MIN_LOCAL_INTERVAL
    } else {
        MIN_INTERVAL
    };
    anyhow::ensure!(
        s.is_finite() && (min..=86_400.0).contains(&s),
        "--interval must be between {min} and 86400 seconds{}",
        if cfg.net.origin.is_none() {
            " (0.2 with --origin)"
        } else {
            ""
        }
    );
    Ok(Duration::from_secs_f64(s))
}

/// Responses captured during one platform's current poll.
#[derive(Default)]
struct Tape(Mutex<Vec<Exchange>>);

impl Tape {
    fn take(&self) -> Vec<Exchange> {
        // A poisoned lock only means a panic elsewhere; the list is still usable.
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Recorder for Tape {
    fn record(&self, exchange: Exchange) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(exchange);
    }
}

/// The output file, shared by the platforms' tasks; one poll's lines are written and flushed
/// together, so an interrupt never leaves half a poll.
struct Sink {
    path: PathBuf,
    file: Mutex<BufWriter<File>>,
}

impl Sink {
    fn open(path: &Path) -> anyhow::Result<Sink> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        Ok(Sink {
            path: path.to_path_buf(),
            file: Mutex::new(BufWriter::new(file)),
        })
    }

    fn write(&self, lines: &[RecordedExchange]) -> anyhow::Result<()> {
        let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let res: std::io::Result<()> = lines
            .iter()
            .try_for_each(|l| {
                serde_json::to_writer(&mut *f, l)?;
                f.write_all(b"\n")
            })
            .and_then(|()| f.flush());
        res.with_context(|| format!("writing {}", self.path.display()))
    }
}

fn line(
    platform: Platform,
    poll: chrono::DateTime<chrono::FixedOffset>,
    ex: Exchange,
) -> RecordedExchange {
    let (body, body_encoding) = encode_body(&ex.body);
    RecordedExchange {
        at: ex.at,
        platform,
        poll,
        method: ex.method.to_string(),
        url: ex.url,
        status: ex.status,
        headers: ex.headers,
        body,
        body_encoding,
        elapsed_ms: u64::try_from(ex.elapsed.as_millis()).unwrap_or(u64::MAX),
    }
}

/// `resou record` from the command line (`--origin`/`--platform` before the subcommand count
/// too).
pub fn main(cli: &crate::cli::Cli, a: &crate::cli::RecordArgs) -> anyhow::Result<()> {
    let _log = crate::logging::init(cli.log_file.as_deref());
    let cfg = super::common::sources_config(
        cli.config.as_deref(),
        a.origin.as_deref().or(cli.origin.as_deref()),
        a.platform.as_deref().or(cli.platform.as_deref()),
    )?;
    let opts = RecordOptions {
        out: a.out.clone(),
        count: a.count,
        interval: interval(a.interval, &cfg)?,
    };
    run(&cfg, &opts)
}

/// Until `count` polls per platform are done or SIGINT/SIGTERM arrives.
/// An error ([`AllFailed`], exit code 1) when the polls ended without one response recorded.
pub fn run(cfg: &SourcesConfig, opts: &RecordOptions) -> anyhow::Result<()> {
    let sink = Arc::new(Sink::open(&opts.out)?);
    eprintln!(
        "resou: recording {} to {} ({}; Ctrl-C stops)",
        cfg.platforms
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(" and "),
        opts.out.display(),
        match opts.count {
            Some(n) => format!("{n} polls each"),
            None => "until stopped".into(),
        }
    );
    super::runtime()?.block_on(async {
        let mut tasks = Vec::new();
        for chain in super::chains(&cfg.platforms) {
            tasks.push(record_platform(chain, cfg, opts, Arc::clone(&sink)));
        }
        tokio::select! {
            done = futures_util::future::try_join_all(tasks) => {
                let recorded: u64 = done?.into_iter().sum();
                if recorded == 0 {
                    return Err(AllFailed("nothing recorded: no platform answered".into()).into());
                }
                Ok(())
            }
            () = stop_signal() => {
                // Every finished poll is already on disk; the one in flight is dropped whole.
                eprintln!("resou: stopped; {} holds every finished poll", opts.out.display());
                Ok(())
            }
        }
    })
}

/// Poll one platform `count` times (or forever); returns the responses recorded.
async fn record_platform(
    chain: Arc<Chain>,
    cfg: &SourcesConfig,
    opts: &RecordOptions,
    sink: Arc<Sink>,
) -> anyhow::Result<u64> {
    let tape = Arc::new(Tape::default());
    let client = Arc::new(super::client(cfg)?.with_recorder(tape.clone()));
    let platform = chain.platform();
    let max_backoff = cfg.max_backoff.max(opts.interval);
    let (mut polls, mut failures, mut recorded) = (0u64, 0u32, 0u64);
    loop {
        let started = now_cst();
        let (outcome, _) = poller::poll_once(&chain, &client).await;
        let lines: Vec<RecordedExchange> = tape
            .take()
            .into_iter()
            .map(|ex| line(platform, started, ex))
            .collect();
        sink.write(&lines)?;
        polls += 1;
        recorded += lines.len() as u64;
        let result = match &outcome {
            PollOutcome::Ok { endpoint, .. } => {
                failures = 0;
                format!("ok via {}", endpoint.label())
            }
            PollOutcome::Failed { error } => {
                failures = failures.saturating_add(1);
                format!("failed: {error}")
            }
        };
        eprintln!(
            "resou: {platform} poll {polls}: {result} ({} responses recorded)",
            lines.len()
        );
        if opts.count.is_some_and(|c| polls >= c) {
            return Ok(recorded);
        }
        let wait = next_delay(opts.interval, max_backoff, failures, fastrand::f64());
        tokio::time::sleep(wait).await;
    }
}

/// SIGINT (Ctrl-C) or, on Unix, SIGTERM. A signal that cannot be watched never fires.
pub(super) async fn stop_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = async {
            match signal(SignalKind::terminate()) {
                Ok(mut t) => {
                    t.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = ctrl_c => {}
            () = term => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}
