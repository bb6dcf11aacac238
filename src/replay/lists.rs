//! What the renderers of the other hot lists (Baidu, Douyin, Zhihu, Toutiao, Bilibili,
//! Kuaishou, newsnow) share: heat where an archive has none, and the envelope dispatch.

use axum::http::StatusCode;

use super::reply::{Reply, Route};
use crate::domain::Platform;
use crate::domain::snapshot_file::SnapshotItem;

/// Placeholder answer while a renderer is being written.
pub(crate) fn not_yet() -> Reply {
    Reply::text(StatusCode::NOT_FOUND, "404 Not Found\n")
}

/// The heat to put on the wire for `item`: its own when the archive kept one, else one derived
/// from its rank — the 2025-10-15 archive keeps no heat at all (more-sources.md §0), so demo
/// heat on those lists is illustrative, as README and the demo banner say. The scale is the
/// platform's usual order of magnitude at rank 1, falling 7 % a rank.
pub(crate) fn heat_or_derived(platform: Platform, item: &SnapshotItem) -> u64 {
    if let Some(h) = item.heat {
        return h;
    }
    let top: f64 = match platform {
        Platform::Weibo => 2_000_000.0,
        Platform::Tieba => 3_000_000.0,
        Platform::Baidu => 7_900_000.0,
        Platform::Douyin => 12_000_000.0,
        Platform::Zhihu => 12_000_000.0,
        Platform::Toutiao => 25_000_000.0,
        Platform::Bilibili => 1_000_000.0,
        Platform::Kuaishou => 10_000_000.0,
        _ => 100_000.0,
    };
    let rank = item.rank.unwrap_or(1).max(1) as i32;
    (top * 0.93f64.powi(rank - 1)).round() as u64
}

/// The platform's error envelope with `code` for `route` (`None`: served as usual).
pub(crate) fn envelope(route: Route, code: i64) -> Option<Reply> {
    match route.platform() {
        Platform::Baidu => super::baidu::envelope(route, code),
        Platform::Douyin => super::douyin::envelope(route, code),
        Platform::Zhihu => super::zhihu::envelope(route, code),
        Platform::Toutiao => super::toutiao::envelope(route, code),
        Platform::Bilibili => super::bilibili::envelope(route, code),
        Platform::Kuaishou => super::kuaishou::envelope(route, code),
        Platform::ThePaper | Platform::Cls | Platform::Ifeng | Platform::WallStreetCn => {
            super::newsnow::envelope(route, code)
        }
        Platform::Weibo | Platform::Tieba => None,
    }
}
