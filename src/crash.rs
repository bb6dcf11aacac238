//! What happens on a panic, on any thread: a report file in the XDG state dir (message,
//! thread, location, backtrace, with every registered secret scrubbed), its path in the log,
//! and the terminal restored before anything is printed.
//!
//! A panic inside a tokio task is caught by tokio and handled where the task is joined (a
//! poll that panics becomes a failed poll), so the app goes on after writing the report. A
//! panic on any other thread (the UI loop, the analysis worker, the history service) ends
//! the process with exit code 101 once the terminal is restored: half an app is worse than
//! none.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Name of the async runtime's worker threads (see `commands::runtime`).
pub const TASK_THREAD: &str = "resou-task";

static LOG_PATH: OnceLock<PathBuf> = OnceLock::new();
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static INSTALLED: OnceLock<()> = OnceLock::new();
static RESTORE: OnceLock<fn()> = OnceLock::new();

/// The log file the panic line is appended to (set once, by logging).
pub fn set_log_path(p: &Path) {
    let _ = LOG_PATH.set(p.to_path_buf());
}

/// Values that must never appear in a report (cookies, database passwords).
pub fn register_secret(s: &str) {
    // Short values would scrub ordinary words.
    if s.len() >= 6
        && let Ok(mut v) = SECRETS.lock()
        && !v.iter().any(|x| x == s)
    {
        v.push(s.to_string());
    }
}

/// `text` with every registered secret replaced by `***`.
pub fn scrub(text: &str) -> String {
    let mut out = text.to_string();
    if let Ok(v) = SECRETS.lock() {
        for s in v.iter() {
            out = out.replace(s.as_str(), "***");
        }
    }
    out
}

/// What puts the terminal back before anything is printed: registered by the terminal code
/// (`tui::init`), so this module needs nothing above it. First registration wins.
pub fn set_terminal_restore(restore: fn()) {
    let _ = RESTORE.set(restore);
}

/// Install the hook (once per process; later calls do nothing).
pub fn install_hook() {
    if INSTALLED.set(()).is_err() {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("unnamed").to_string();
        // Tokio catches panics in tasks; its workers go on.
        let in_task = name == TASK_THREAD;
        if !in_task && let Some(restore) = RESTORE.get() {
            restore();
        }
        // One line: the log line and the stderr line stay greppable.
        let message = scrub(&info.to_string()).replace('\n', " ");
        let report = write_report(&name, &message);
        let shown = report.as_ref().map_or_else(
            || "(no report written)".to_string(),
            |p| p.display().to_string(),
        );
        log_line(&format!(
            "panic in thread '{name}': {message}; report: {shown}"
        ));
        tracing::error!(thread = %name, report = %shown, "panic: {message}");
        if in_task {
            return;
        }
        eprintln!("resou crashed ({message}); report: {shown}");
        if name != "main" {
            // The main thread unwinds through its guards; others would leave a broken app.
            std::process::exit(101);
        }
    }));
}

/// Write `crash-YYYYmmdd-HHMMSS-PID.txt` under the state dir; `None` if it cannot be written.
fn write_report(thread: &str, message: &str) -> Option<PathBuf> {
    // Beside the log, so the path in the log leads next door.
    let dir = LOG_PATH
        .get()
        .cloned()
        .or_else(crate::paths::log_file)
        .and_then(|p| p.parent().map(Path::to_path_buf))?;
    std::fs::create_dir_all(&dir).ok()?;
    let now = chrono::Utc::now();
    let path = dir.join(format!(
        "crash-{}-{}.txt",
        now.format("%Y%m%d-%H%M%S"),
        std::process::id()
    ));
    let backtrace = std::backtrace::Backtrace::force_capture();
    let text = format!(
        "resou {} crashed at {}\nthread: {thread}\npanic: {message}\n\nbacktrace:\n{}\n",
        env!("CARGO_PKG_VERSION"),
        now.to_rfc3339(),
        scrub(&backtrace.to_string()),
    );
    std::fs::write(&path, text).ok()?;
    Some(path)
}

/// Append straight to the log file: the logger's own writer may not get to flush.
fn log_line(line: &str) {
    let Some(p) = LOG_PATH.get() else { return };
    if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(p) {
        let _ = writeln!(
            f,
            "{} ERROR resou::crash: {line}",
            chrono::Utc::now().to_rfc3339()
        );
    }
}

/// Debug builds only: `RESOU_DEBUG_PANIC=<point>` panics at that point, for the crash tests.
pub fn debug_panic_point(point: &str) {
    if cfg!(debug_assertions) && std::env::var("RESOU_DEBUG_PANIC").is_ok_and(|v| v == point) {
        panic!("RESOU_DEBUG_PANIC={point}");
    }
}
