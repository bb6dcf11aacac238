//! The hot lists of Baidu, Douyin, Zhihu, Toutiao, Bilibili, Kuaishou and the newsnow news
//! lists, written in each platform's wire format from snapshot lines (more-sources.md).
//! Scaffolding: the renderers are written in the issue-18 work.

use axum::http::{HeaderMap, StatusCode};

use super::reply::{Reply, Route};
use super::timeline::Timeline;
use crate::domain::snapshot_file::SnapshotLine;

fn todo() -> Reply {
    Reply::text(StatusCode::NOT_FOUND, "404 Not Found\n")
}

pub(crate) fn baidu(_r: Route, _query: &str, _line: &SnapshotLine, _tl: &Timeline) -> Reply {
    todo()
}

pub(crate) fn douyin(_r: Route, _h: &HeaderMap, _line: &SnapshotLine, _tl: &Timeline) -> Reply {
    todo()
}

pub(crate) fn zhihu(_r: Route, _h: &HeaderMap, _line: &SnapshotLine, _tl: &Timeline) -> Reply {
    todo()
}

pub(crate) fn toutiao(_line: &SnapshotLine, _tl: &Timeline) -> Reply {
    todo()
}

pub(crate) fn bilibili(_r: Route, _query: &str, _line: &SnapshotLine, _tl: &Timeline) -> Reply {
    todo()
}

pub(crate) fn kuaishou(_line: &SnapshotLine, _tl: &Timeline) -> Reply {
    todo()
}

pub(crate) fn newsnow(_line: &SnapshotLine, _tl: &Timeline) -> Reply {
    todo()
}

/// The platform's error envelope with `code` (`None`: the route has none, e.g. an HTML page).
pub(crate) fn envelope(_r: Route, _code: i64) -> Option<Reply> {
    None
}
