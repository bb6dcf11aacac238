//! Logs go to a file (never the terminal, which the UI owns), filtered by `RESOU_LOG`.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Start file logging. Returns the guard that flushes on drop, and the path in use.
/// Logging is best effort: if no file can be opened the app runs without it.
pub fn init(explicit: Option<&Path>) -> (Option<WorkerGuard>, Option<PathBuf>) {
    let Some(path) = explicit
        .map(Path::to_path_buf)
        .or_else(crate::paths::log_file)
    else {
        return (None, None);
    };
    if let Some(dir) = path.parent()
        && std::fs::create_dir_all(dir).is_err()
    {
        return (None, None);
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    else {
        return (None, None);
    };
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = EnvFilter::try_from_env("RESOU_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let ok = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .is_ok();
    if ok {
        crate::crash::set_log_path(&path);
        (Some(guard), Some(path))
    } else {
        (None, None)
    }
}
