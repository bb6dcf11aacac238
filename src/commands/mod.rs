//! One module per subcommand, each with a `main` that `main.rs` dispatches to: the TUI
//! ([`tui`], also for `--demo` and `resou replay`), `import`, `collect`, `analyze`, `eval`,
//! `dynamics` (list dynamics of snapshot files), `events` (stories across lists), `keys`,
//! `export`, `report` (a period of the history store as markdown or HTML), `snapshot` (one
//! poll, printed), `record` (raw responses to a file), `serve` (the read-only feed), `rules`
//! and `push` (team alerts: check the rules, test a channel), `sentiment` (stdin lines
//! scored, or the gold set's evaluation);
//! [`replay`] starts the loopback server the TUI and `collect` poll offline; [`common`] holds
//! the set-up they share (command-line settings over the config's, the history store, the
//! keymap).
//!
//! Exit codes (main maps errors with [`exit_code`]): 0 success; 1 every platform failed
//! ([`AllFailed`]); 2 anything else (bad arguments, config, files).

pub mod analyze;
pub mod collect;
pub mod common;
pub mod dynamics;
pub mod eval;
pub mod events;
pub mod export;
pub mod import;
pub mod keys;
pub mod push;
pub mod record;
pub mod replay;
pub mod report;
pub mod sentiment;
pub mod serve;
pub mod snapshot;
pub mod tui;
pub mod watch;

use std::sync::Arc;

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
