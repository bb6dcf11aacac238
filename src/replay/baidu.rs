//! Baidu hot-list endpoints in the platform's wire format (more-sources.md). Scaffolding:
//! written in the issue-18 work.

#[allow(unused_imports)]
use axum::http::HeaderMap;

use super::reply::{Reply, Route};
use super::timeline::Timeline;
use crate::domain::snapshot_file::SnapshotLine;

/// The route's ordinary answer for the served list.
pub(crate) fn render(_route: Route, _query: &str, _line: &SnapshotLine, _tl: &Timeline) -> Reply {
    super::lists::not_yet()
}

/// The platform's error envelope with `code` (`None` where the route has none).
pub(crate) fn envelope(_route: Route, _code: i64) -> Option<Reply> {
    None
}
