//! Headless commands that talk to the platforms (or a replay of them) without the TUI:
//! `snapshot` (one poll, printed), `record` (raw responses to a file) and `replay` (a recording
//! or snapshot file through the loopback server, shared with `--demo`).
//!
//! Exit codes (main maps errors with [`exit_code`]): 0 success; 1 every platform failed
//! ([`AllFailed`]); 2 anything else (bad arguments, config, files).

pub mod record;
pub mod replay;
pub mod snapshot;

use std::path::Path;
use std::sync::Arc;

use crate::config::{Config, validate_origin};
use crate::domain::Platform;
use crate::sources::SourcesConfig;
use crate::sources::chain::Chain;
use crate::sources::http::HttpClient;

/// Every platform asked for failed; the message names each one's error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct AllFailed(pub String);

/// The process exit code for an error from any command: 1 for [`AllFailed`], else 2.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    if e.downcast_ref::<AllFailed>().is_some() {
        1
    } else {
        2
    }
}

/// What a headless command polls: the config file's settings, then the command line's.
pub fn sources_config(
    config: Option<&Path>,
    origin: Option<&str>,
    platforms: Option<&[Platform]>,
) -> anyhow::Result<SourcesConfig> {
    let (cfg, _) = Config::load(config)?;
    let mut sources = cfg.sources();
    if let Some(o) = origin {
        validate_origin(o).map_err(|p| anyhow::anyhow!("--origin: {p}"))?;
        sources.net.origin = Some(o.to_string());
    }
    if let Some(p) = platforms {
        sources.platforms = p.to_vec();
    }
    sources.platforms.sort();
    sources.platforms.dedup();
    anyhow::ensure!(!sources.platforms.is_empty(), "no platform to poll");
    Ok(sources)
}

/// The fallback chain of each platform, in platform order.
fn chains(platforms: &[Platform]) -> Vec<Arc<Chain>> {
    platforms
        .iter()
        .map(|&p| Arc::new(Chain::for_platform(p)))
        .collect()
}

fn client(cfg: &SourcesConfig) -> anyhow::Result<HttpClient> {
    HttpClient::new(&cfg.net).map_err(|e| anyhow::anyhow!("HTTP client: {e}"))
}

/// The runtime of every command and the TUI: two workers (the machine the app watches from
/// may be small), named so the panic hook knows a task's panic from a thread's.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(crate::crash::TASK_THREAD)
        .enable_all()
        .build()?)
}
