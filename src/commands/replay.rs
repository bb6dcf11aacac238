//! The loopback replay server behind the TUI: `--demo` / `--demo-day` (bundled archive lists)
//! and `resou replay FILE` (a recording from `resou record`, or a snapshot JSONL file) start it
//! here, the same way; the app then polls it like the real platforms — exactly the platforms
//! it serves ([`Running::served`]).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;

use super::common::Served;
use crate::cli::{Cli, Command};
use crate::domain::Platform;
use crate::domain::snapshot_file::SnapshotLine;
use crate::replay::{ClockMode, DemoDay, Recording, ReplayConfig, ReplayServer, is_recording_line};

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A bundled demo day.
    Demo(DemoDay),
    /// A recording or snapshot file (told apart by its first line).
    File(PathBuf),
}

/// What the TUI replays and how fast: one list (or recorded poll) per `step`.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    pub source: Source,
    pub step: Duration,
}

/// The replay this invocation asks for: `--demo` / `--demo-day DATE` or `resou replay FILE`;
/// `None` for live.
pub fn requested(cli: &Cli) -> Option<Replay> {
    match &cli.command {
        Some(Command::Replay(a)) => Some(Replay {
            source: Source::File(a.file.clone()),
            step: Duration::from_secs_f64(a.speed),
        }),
        _ if cli.demo || cli.demo_day.is_some() => Some(Replay {
            source: Source::Demo(cli.demo_day.unwrap_or_default()),
            step: Duration::from_secs_f64(cli.demo_speed),
        }),
        _ => None,
    }
}

/// A started replay: keep `server` alive for the session; `banner` says what is shown.
pub struct Running {
    pub server: ReplayServer,
    pub banner: String,
    /// The platforms the server has lists (or recorded polls) for, in `Platform::ALL` order.
    pub platforms: Vec<Platform>,
    pub step: Duration,
}

impl Running {
    /// What the pollers need of it (`common::effective_sources`).
    pub fn served(&self) -> Served {
        Served {
            origin: self.server.origin(),
            step: self.step,
            platforms: self.platforms.clone(),
        }
    }
}

/// The platforms `lists` holds, in `Platform::ALL` order.
fn platforms_of(lists: &[SnapshotLine]) -> Vec<Platform> {
    Platform::ALL
        .into_iter()
        .filter(|p| lists.iter().any(|l| l.platform == *p))
        .collect()
}

/// The banner of a demo day: what is real and what is not.
fn demo_banner(day: DemoDay, platforms: &[Platform]) -> String {
    match day {
        DemoDay::Day20260815 => {
            "DEMO · archived Weibo 2026-08-15 + Tieba 2025-10-15 replayed on the same clock".into()
        }
        DemoDay::Day20251015 => format!(
            "DEMO · {} · {} real lists replayed · heat derived from rank",
            day.date(),
            platforms.len()
        ),
    }
}

/// A replay file's contents.
#[derive(Debug)]
pub enum FileData {
    /// Lists of any platforms, in time order.
    Snapshots(Vec<SnapshotLine>),
    /// Boxed: a recording holds a poll list per platform inline.
    Recording(Box<Recording>),
}

/// Read a recording or a snapshot file (either may be gzip-compressed).
pub fn load(path: &Path) -> anyhow::Result<FileData> {
    let name = path.display().to_string();
    let raw = std::fs::read(path).with_context(|| format!("reading {name}"))?;
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .with_context(|| format!("{name}: bad gzip data"))?;
        out
    } else {
        raw
    };
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| anyhow::anyhow!("{name}: not a text (JSON Lines) file"))?;
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    let Some(first) = first else {
        anyhow::bail!("{name} is empty");
    };
    if is_recording_line(first) {
        let rec = Recording::parse(text, &name)?;
        return Ok(FileData::Recording(Box::new(rec)));
    }
    let mut lists = crate::import::parse_jsonl_bytes(&bytes, &name)?;
    lists.sort_by_key(|l| l.captured_at);
    Ok(FileData::Snapshots(lists))
}

/// Start the loopback server for `replay` on the wall clock.
pub async fn start(replay: &Replay) -> anyhow::Result<Running> {
    let step = replay.step;
    let (server, what, platforms) = match &replay.source {
        Source::Demo(day) => {
            let lists = day.lists().context("loading bundled demo data")?;
            let platforms = platforms_of(&lists);
            let server = serve_lists(lists, step)
                .await
                .context("starting the demo server")?;
            (server, demo_banner(*day, &platforms), platforms)
        }
        Source::File(path) => {
            let name = path.display();
            match load(path)? {
                FileData::Recording(rec) => {
                    let platforms: Vec<Platform> = Platform::ALL
                        .into_iter()
                        .filter(|&p| rec.poll_count(p) > 0)
                        .collect();
                    let counts: Vec<String> = platforms
                        .iter()
                        .map(|&p| format!("{} {}", rec.poll_count(p), p.name()))
                        .collect();
                    let what = format!("REPLAY · recording {name} · {} polls", counts.join(" + "));
                    anyhow::ensure!(!platforms.is_empty(), "{name} holds no recorded responses");
                    let server = ReplayServer::start_recording(*rec, step, ClockMode::Wall)
                        .await
                        .context("starting the replay server")?;
                    (server, what, platforms)
                }
                FileData::Snapshots(lists) => {
                    anyhow::ensure!(!lists.is_empty(), "{name} holds no lists");
                    let platforms = platforms_of(&lists);
                    let counts: Vec<String> = platforms
                        .iter()
                        .map(|&p| {
                            let n = lists.iter().filter(|l| l.platform == p).count();
                            format!("{n} {}", p.name())
                        })
                        .collect();
                    let what = format!("REPLAY · snapshots {name} · {} lists", counts.join(" + "));
                    let server = serve_lists(lists, step)
                        .await
                        .context("starting the replay server")?;
                    (server, what, platforms)
                }
            }
        }
    };
    let banner = format!("{what} · {}", server.origin());
    Ok(Running {
        server,
        banner,
        platforms,
        step,
    })
}

async fn serve_lists(lists: Vec<SnapshotLine>, step: Duration) -> std::io::Result<ReplayServer> {
    ReplayServer::start(ReplayConfig {
        lists,
        step,
        clock: ClockMode::Wall,
    })
    .await
}
