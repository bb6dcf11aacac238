//! Douyin hot list (more-sources.md). Scaffolding: the parser is written in the issue-18 work.

use chrono::{DateTime, FixedOffset};

use super::{Endpoint, SourceError};
use crate::domain::Snapshot;

/// Parse a body fetched from one of Douyin's list endpoints.
pub fn parse(
    _e: Endpoint,
    _body: &str,
    _captured_at: DateTime<FixedOffset>,
) -> Result<Snapshot, SourceError> {
    Err(SourceError::Other("not implemented".into()))
}

/// DY1 with its cookie bootstrap (DY2).
pub async fn fetch_web(client: &super::http::HttpClient) -> Result<Snapshot, SourceError> {
    super::chain::plain_fetch(client, Endpoint::DouyinWeb).await
}
