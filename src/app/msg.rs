//! AppMsg: the only inbound type of the app loop.

use chrono::{DateTime, FixedOffset};

use crate::analysis::{AccountRecord, AnalysisEvent};
use crate::config::keymap::Key;
use crate::domain::Snapshot;
use crate::sources::{SourceCmd, SourceEvent};

#[derive(Debug, Clone, PartialEq)]
pub enum AppMsg {
    Key(Key),
    /// The terminal changed size; how many board and keyword-panel rows now fit.
    Resize {
        page_rows: usize,
        keyword_rows: usize,
    },
    Source(SourceEvent),
    Analysis(AnalysisEvent),
    /// Wall clock, once a second while countdowns are on screen.
    Tick(DateTime<FixedOffset>),
    /// SIGTERM / SIGHUP / SIGINT.
    Quit,
}

/// Side effects `update` asks the loop to perform.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Source(SourceCmd),
    /// Hand a fresh snapshot to the analysis worker.
    Analyze(Box<Snapshot>),
    /// Ask for a Weibo topic's stats (host and media accounts) by its `#…#` hashtag.
    FetchTopic(String),
    /// Accounts named on a topic's page, for KOL discovery in the analysis worker.
    TopicAccounts {
        topic: String,
        records: Vec<AccountRecord>,
    },
}
