//! The newsnow aggregator's list API (more-sources.md §0). Scaffolding: written in issue 18.

use chrono::{DateTime, FixedOffset};

use super::SourceError;
use crate::domain::{Platform, Snapshot};

/// Parse a newsnow `/api/s` body for list `platform`.
pub fn parse(
    _platform: Platform,
    _body: &str,
    _captured_at: DateTime<FixedOffset>,
) -> Result<Snapshot, SourceError> {
    Err(SourceError::Other("not implemented".into()))
}
