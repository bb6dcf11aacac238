//! Drill-down loading: one [`DrillRequest`] in, one [`DrillPage`] out. The per-platform
//! request/parse code lives in `weibo::drill` and `tieba::drill`; `fetcher` adds the network
//! manners (per-host spacing with jitter, a TTL cache, cancellation by request id).

pub mod fetcher;

use chrono::{DateTime, FixedOffset};

use super::SourceError;
use super::http::HttpClient;
use crate::domain::post::{DrillPage, DrillRequest};

pub use fetcher::{DrillFetcherConfig, DrillHandle, spawn_drill_fetcher};

/// Fetch and parse one page. `now` anchors relative timestamps ("29分钟前").
pub async fn fetch(
    client: &HttpClient,
    req: &DrillRequest,
    now: DateTime<FixedOffset>,
) -> Result<DrillPage, SourceError> {
    match req {
        DrillRequest::WeiboPosts { .. }
        | DrillRequest::WeiboLongText { .. }
        | DrillRequest::WeiboComments { .. } => super::weibo::drill::fetch(client, req, now).await,
        DrillRequest::TiebaThreads { .. }
        | DrillRequest::TiebaFloors { .. }
        | DrillRequest::TiebaSubReplies { .. } => {
            super::tieba::drill::fetch(client, req, now).await
        }
    }
}
