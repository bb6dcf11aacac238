//! Bilibili hot list (more-sources.md). Scaffolding: the parser is written in the issue-18 work.

use chrono::{DateTime, FixedOffset};

use super::{Endpoint, SourceError};
use crate::domain::Snapshot;

/// Parse a body fetched from one of Bilibili's list endpoints.
pub fn parse(
    _e: Endpoint,
    _body: &str,
    _captured_at: DateTime<FixedOffset>,
) -> Result<Snapshot, SourceError> {
    Err(SourceError::Other("not implemented".into()))
}

/// BL2 with its WBI signature.
pub async fn fetch_square(client: &super::http::HttpClient) -> Result<Snapshot, SourceError> {
    super::chain::plain_fetch(client, Endpoint::BilibiliSquare).await
}
