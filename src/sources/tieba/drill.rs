//! tieba drill-down requests and parsers (being written; see issue 4).

use chrono::{DateTime, FixedOffset};

use crate::domain::post::{DrillPage, DrillRequest};
use crate::sources::SourceError;
use crate::sources::http::HttpClient;

/// Fetch and parse one page of `req`.
pub async fn fetch(
    _client: &HttpClient,
    _req: &DrillRequest,
    _now: DateTime<FixedOffset>,
) -> Result<DrillPage, SourceError> {
    Err(SourceError::Other(
        "tieba drill-down not available yet".into(),
    ))
}
