//! Toutiao hot list (more-sources.md). Scaffolding: the parser is written in the issue-18 work.

use chrono::{DateTime, FixedOffset};

use super::SourceError;
use crate::domain::Snapshot;

/// Parse a Toutiao list body.
pub fn parse(_body: &str, _captured_at: DateTime<FixedOffset>) -> Result<Snapshot, SourceError> {
    Err(SourceError::Other("not implemented".into()))
}
