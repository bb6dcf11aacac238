//! AppMsg: the only inbound type of the app loop.

use chrono::{DateTime, FixedOffset};

use crate::analysis::{AccountRecord, AnalysisEvent};
use crate::domain::Snapshot;
use crate::input::Key;
use crate::sources::{SourceCmd, SourceEvent};

#[derive(Debug, Clone, PartialEq)]
pub enum AppMsg {
    Key(Key),
    /// The terminal changed size; how many board and keyword-panel rows now fit.
    Resize {
        page_rows: usize,
        keyword_rows: usize,
        /// The whole terminal (drill-down views lay out their variable-height entries in it).
        size: (u16, u16),
    },
    /// What happened to an `OpenUrl` / `Copy` effect, in words; `show` is a link to show in a
    /// popup for manual copying when neither browser nor clipboard could take it.
    Desktop {
        notice: String,
        show: Option<String>,
    },
    Source(SourceEvent),
    Analysis(AnalysisEvent),
    /// Wall clock, once a second while countdowns are on screen.
    Tick(DateTime<FixedOffset>),
    /// SIGTERM / SIGHUP / SIGINT.
    Quit,
    /// A mouse event (only with `[general] mouse = true`).
    Mouse(MouseInput),
    /// What the history service read or failed to write.
    History(crate::history::HistoryEvent),
    /// What the brand watch loop reports (pages of posts, failures, its budget).
    Watch(crate::sources::watch::WatchEvent),
    /// Fresh brand view summaries from the brand worker, one per watched term.
    Brand(Vec<crate::analysis::term_summary::TermSummary>),
}

/// Side effects `update` asks for; [`super::Services::run`] performs them.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Source(SourceCmd),
    /// Hand a fresh snapshot to the analysis worker.
    Analyze(Box<Snapshot>),
    /// Ask for a Weibo topic's stats (host and media accounts) by its `#…#` hashtag.
    FetchTopic(String),
    /// Load a drill-down page for the view `id` (`fresh`: bypass the cache).
    Drill {
        id: u64,
        request: crate::domain::post::DrillRequest,
        fresh: bool,
    },
    /// The view `id` was left: drop its pending loads.
    CancelDrill(u64),
    /// Open a link in the browser (or show it, over SSH without one).
    OpenUrl(String),
    /// Put text on the clipboard (OSC 52 and/or a native tool, per config).
    Copy(String),
    /// Ring the bell / notify the desktop / run the hook for an alert.
    Alert(crate::alerts::Alert),
    /// Persist the triage state (the saver writes the latest one).
    SaveTriage(Box<crate::triage::Triage>),
    /// Write these topics to an export file (named by the time; where it went is reported).
    Export(Vec<crate::export::ExportRow>),
    /// Accounts named on a topic's page, for KOL discovery in the analysis worker.
    TopicAccounts {
        topic: String,
        records: Vec<AccountRecord>,
    },
    /// A command for the history service (record a poll, read the past).
    History(crate::history::HistoryCmd),
    /// Posts, terms or the clock for the brand worker.
    Brand(crate::analysis::watch_worker::WatchInput),
    /// The watched terms changed (`w`): the search loop and the brand worker follow.
    WatchTerms(Vec<crate::domain::watch::WatchTerm>),
    /// The sentinel set changed (accounts discovered on topic pages): the loop follows it.
    WatchSentinels(Vec<crate::domain::watch::Sentinel>),
    /// Sentinel accounts' posts, for the analysis worker's tag flags.
    SentinelPosts(Vec<crate::domain::watch::WatchPost>),
    /// A page of a watched term's posts as the search found it, for the team alert sender
    /// (spikes, negative turns, KOL posts), when this app sends.
    WatchPage {
        term: String,
        posts: Vec<crate::domain::watch::WatchPost>,
    },
}

/// The mouse events the app uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseInput {
    ScrollUp,
    ScrollDown,
    /// Left click at a terminal cell.
    Click {
        column: u16,
        row: u16,
    },
}
