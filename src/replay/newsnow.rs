//! Newsnow hot-list endpoint in the wire format (more-sources.md). Scaffolding: written in the
//! issue-18 work.

use super::reply::{Reply, Route};
use super::timeline::Timeline;
use crate::domain::snapshot_file::SnapshotLine;

/// The ordinary answer for the served list.
pub(crate) fn render(_line: &SnapshotLine, _tl: &Timeline) -> Reply {
    super::lists::not_yet()
}

/// The error envelope with `code` (`None` where the route has none).
pub(crate) fn envelope(_route: Route, _code: i64) -> Option<Reply> {
    None
}
