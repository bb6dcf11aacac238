//! AppMsg: the only inbound type of the app loop.

use chrono::{DateTime, FixedOffset};

use crate::config::keymap::Key;
use crate::sources::{SourceCmd, SourceEvent};

#[derive(Debug, Clone, PartialEq)]
pub enum AppMsg {
    Key(Key),
    /// The terminal changed size; `page_rows` is how many board rows now fit.
    Resize {
        page_rows: usize,
    },
    Source(SourceEvent),
    /// Wall clock, once a second while countdowns are on screen.
    Tick(DateTime<FixedOffset>),
    /// SIGTERM / SIGHUP / SIGINT.
    Quit,
}

/// Side effects `update` asks the loop to perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Source(SourceCmd),
}
