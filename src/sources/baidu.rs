//! Baidu hot list (more-sources.md). Scaffolding: the parser is written in the issue-18 work.

use chrono::{DateTime, FixedOffset};

use super::{Endpoint, SourceError};
use crate::domain::Snapshot;

/// Parse a body fetched from one of Baidu's list endpoints.
pub fn parse(
    _e: Endpoint,
    _body: &str,
    _captured_at: DateTime<FixedOffset>,
) -> Result<Snapshot, SourceError> {
    Err(SourceError::Other("not implemented".into()))
}
