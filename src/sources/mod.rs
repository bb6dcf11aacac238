//! Platform clients. Wire DTOs stay private to each source module and become
//! domain types (sanitised) at the edge. Nothing here touches the terminal or app state:
//! results leave as `SourceEvent`s on a channel; commands arrive as `SourceCmd`s.

pub mod baidu;
pub mod bilibili;
pub mod chain;
pub mod douyin;
pub mod drill;
pub mod http;
pub mod kuaishou;
pub mod newsnow;
mod polite;
pub mod poller;
pub mod tieba;
pub mod topic;
pub mod toutiao;
pub mod watch;
pub mod weibo;
pub mod wire;
pub mod zhihu;

use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::domain::{Platform, Snapshot};

/// One endpoint of a fallback chain. `label` is what the status bar shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// A1 `weibo.com/ajax/side/hotSearch` (JSON)
    WeiboHotSearch,
    /// A4 `s.weibo.com/top/summary` (HTML, `SUB` cookie)
    WeiboSummaryHtml,
    /// A3 `m.weibo.cn` realtimehot (JSON)
    WeiboMobile,
    /// B1 `tieba.baidu.com/hottopic/browse/topicList` (JSON)
    TiebaTopicList,
    /// BD1 `top.baidu.com/board?tab=realtime` (HTML with `<!--s-data:{…}-->`)
    BaiduBoardHtml,
    /// BD2′ `top.baidu.com/api/board?platform=pc&tab=realtime` (JSON, still with heat)
    BaiduApiPc,
    /// BD2 `top.baidu.com/api/board?platform=wise&tab=realtime` (JSON, no heat since 2026-01)
    BaiduApiWise,
    /// DY1 `www.douyin.com/aweme/v1/web/hot/search/list/` (JSON; `passport_csrf_token` cookie
    /// from the DY2 bootstrap)
    DouyinWeb,
    /// DY3 app endpoint `aweme-lq.snssdk.com/aweme/v1/hot/search/list/` (JSON, no cookie)
    DouyinApp,
    /// DY3 old `www.iesdouyin.com/web/api/v2/hotsearch/billboard/word/` (JSON)
    DouyinBillboard,
    /// ZH1 `www.zhihu.com/api/v3/feed/topstory/hot-list-web?limit=20&desktop=true` (JSON)
    ZhihuHotListWeb,
    /// ZH2 `api.zhihu.com/topstory/hot-lists/total?limit=50` (JSON)
    ZhihuHotListApp,
    /// ZH4 `www.zhihu.com/billboard` (HTML with `js-initialData`)
    ZhihuBillboard,
    /// TT1 `www.toutiao.com/hot-event/hot-board/?origin=toutiao_pc` (JSON)
    ToutiaoHotBoard,
    /// BL1 `s.search.bilibili.com/main/hotword?limit=30` (JSON)
    BilibiliHotword,
    /// BL3 `app.bilibili.com/x/v2/search/trending/ranking?limit=50` (JSON)
    BilibiliTrending,
    /// BL2 `api.bilibili.com/x/web-interface/wbi/search/square` (JSON, WBI-signed)
    BilibiliSquare,
    /// KS1 `www.kuaishou.com/?isHome=1` (HTML with `window.__APOLLO_STATE__=`)
    KuaishouHome,
    /// `newsnow.busiyi.world/api/s?id=<id>&latest`: the aggregator the 2025-10-15 archive was
    /// gathered through; the only client for the four news lists (澎湃, 财联社, 凤凰网, 华尔街见闻).
    Newsnow(Platform),
}

impl Endpoint {
    pub fn label(self) -> &'static str {
        match self {
            Endpoint::WeiboHotSearch => "weibo.com/ajax",
            Endpoint::WeiboSummaryHtml => "s.weibo.com",
            Endpoint::WeiboMobile => "m.weibo.cn",
            Endpoint::TiebaTopicList => "tieba topicList",
            Endpoint::BaiduBoardHtml => "top.baidu.com",
            Endpoint::BaiduApiPc => "baidu api pc",
            Endpoint::BaiduApiWise => "baidu api wise",
            Endpoint::DouyinWeb => "douyin web",
            Endpoint::DouyinApp => "douyin app",
            Endpoint::DouyinBillboard => "iesdouyin",
            Endpoint::ZhihuHotListWeb => "zhihu web",
            Endpoint::ZhihuHotListApp => "zhihu app",
            Endpoint::ZhihuBillboard => "zhihu billboard",
            Endpoint::ToutiaoHotBoard => "toutiao",
            Endpoint::BilibiliHotword => "bili hotword",
            Endpoint::BilibiliTrending => "bili app",
            Endpoint::BilibiliSquare => "bili wbi",
            Endpoint::KuaishouHome => "kuaishou.com",
            Endpoint::Newsnow(_) => "newsnow",
        }
    }

    pub fn platform(self) -> Platform {
        match self {
            Endpoint::WeiboHotSearch | Endpoint::WeiboSummaryHtml | Endpoint::WeiboMobile => {
                Platform::Weibo
            }
            Endpoint::TiebaTopicList => Platform::Tieba,
            Endpoint::BaiduBoardHtml | Endpoint::BaiduApiPc | Endpoint::BaiduApiWise => {
                Platform::Baidu
            }
            Endpoint::DouyinWeb | Endpoint::DouyinApp | Endpoint::DouyinBillboard => {
                Platform::Douyin
            }
            Endpoint::ZhihuHotListWeb | Endpoint::ZhihuHotListApp | Endpoint::ZhihuBillboard => {
                Platform::Zhihu
            }
            Endpoint::ToutiaoHotBoard => Platform::Toutiao,
            Endpoint::BilibiliHotword | Endpoint::BilibiliTrending | Endpoint::BilibiliSquare => {
                Platform::Bilibili
            }
            Endpoint::KuaishouHome => Platform::Kuaishou,
            Endpoint::Newsnow(p) => p,
        }
    }

    /// The default fallback chain of a platform, in the order tried.
    pub fn chain_of(platform: Platform) -> Vec<Endpoint> {
        match platform {
            Platform::Weibo => vec![
                Endpoint::WeiboHotSearch,
                Endpoint::WeiboSummaryHtml,
                Endpoint::WeiboMobile,
            ],
            Platform::Tieba => vec![Endpoint::TiebaTopicList],
            Platform::Baidu => vec![
                Endpoint::BaiduBoardHtml,
                Endpoint::BaiduApiPc,
                Endpoint::BaiduApiWise,
            ],
            Platform::Douyin => vec![
                Endpoint::DouyinWeb,
                Endpoint::DouyinApp,
                Endpoint::DouyinBillboard,
            ],
            Platform::Zhihu => vec![
                Endpoint::ZhihuHotListWeb,
                Endpoint::ZhihuHotListApp,
                Endpoint::ZhihuBillboard,
            ],
            Platform::Toutiao => vec![Endpoint::ToutiaoHotBoard],
            Platform::Bilibili => vec![
                Endpoint::BilibiliHotword,
                Endpoint::BilibiliTrending,
                Endpoint::BilibiliSquare,
            ],
            Platform::Kuaishou => vec![Endpoint::KuaishouHome],
            p => vec![Endpoint::Newsnow(p)],
        }
    }
}

/// Why one fetch failed, in words a user can act on (`Display` is shown in the status bar).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    #[error("HTTP {0}")]
    Status(u16),
    #[error("timed out")]
    Timeout,
    #[error("connection failed: {0}")]
    Connect(String),
    /// Redirect to a passport/visitor page, or a login wall served with 200.
    #[error("login required: {hint}")]
    LoginRequired { hint: String },
    #[error("captcha required")]
    Captcha,
    /// A 200 whose body is not the expected format (e.g. HTML instead of JSON).
    #[error("unexpected {0}")]
    WrongBody(String),
    #[error("bad data: {0}")]
    Decode(String),
    /// Platform envelope error (`ok != 1`, `errno != 0`).
    #[error("platform error {code}{}", if .msg.is_empty() { String::new() } else { format!(": {}", .msg) })]
    Envelope { code: i64, msg: String },
    /// 200 with zero usable items.
    #[error("empty list")]
    Empty,
    #[error("response larger than {0} bytes")]
    TooLarge(usize),
    #[error("too many redirects")]
    RedirectLoop,
    #[error("{0}")]
    Other(String),
}

/// One step tried during a poll.
#[derive(Debug, Clone, PartialEq)]
pub struct StepAttempt {
    pub endpoint: Endpoint,
    pub error: Option<SourceError>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PollOutcome {
    Ok {
        snapshot: Snapshot,
        endpoint: Endpoint,
    },
    /// Every step failed; `error` is the most telling one (login beats HTTP beats empty).
    Failed { error: SourceError },
}

/// The result of one poll of one platform, sent to the app (and later to analysis).
#[derive(Debug, Clone, PartialEq)]
pub struct PollReport {
    pub platform: Platform,
    /// Wall-clock time the poll finished.
    pub at: DateTime<FixedOffset>,
    pub outcome: PollOutcome,
    /// Every step tried, in order (the successful one last when `Ok`).
    pub attempts: Vec<StepAttempt>,
    /// Time until this poller's next attempt (interval with jitter, or back-off).
    pub next_in: Duration,
    /// Consecutive failed polls, 0 after a success.
    pub failures: u32,
}

impl PollReport {
    /// A poll that succeeded at its first step, `endpoint`, with the next poll due in
    /// `next_in` (what headless drivers and tests hand the app).
    pub fn first_step_ok(snapshot: Snapshot, endpoint: Endpoint, next_in: Duration) -> PollReport {
        PollReport {
            platform: snapshot.platform,
            at: snapshot.captured_at,
            attempts: vec![StepAttempt {
                endpoint,
                error: None,
            }],
            outcome: PollOutcome::Ok { snapshot, endpoint },
            next_in,
            failures: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SourceEvent {
    Poll(PollReport),
    /// A topic-page detail (C4) asked for with `topic::TopicFetcherHandle::request`:
    /// the hashtag as requested (`#…#` form), and the result (boxed: a page is large).
    TopicDetail(String, Result<Box<topic::TopicDetail>, SourceError>),
    /// A drill-down page asked for with `drill::DrillHandle::request` under `id`.
    Drill {
        id: u64,
        request: crate::domain::post::DrillRequest,
        result: Result<Box<crate::domain::post::DrillPage>, SourceError>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceCmd {
    /// Poll every source now (resets back-off timers).
    RefreshNow,
    /// Stop or resume polling.
    SetPaused(bool),
}

impl SourcesConfig {
    /// How often `p` is polled.
    pub fn interval_for(&self, p: Platform) -> Duration {
        self.intervals.get(&p).copied().unwrap_or(self.interval)
    }
}

/// What the pollers need, built by `config` from the file and the CLI.
#[derive(Debug, Clone)]
pub struct SourcesConfig {
    pub platforms: Vec<Platform>,
    /// Base poll interval (default 60 s); each wait is jittered ±10 %.
    pub interval: Duration,
    /// Per-platform intervals that differ from `interval` (`[platform.<id>] interval_secs`).
    pub intervals: std::collections::BTreeMap<Platform, Duration>,
    /// Cap for exponential back-off after failures.
    pub max_backoff: Duration,
    pub net: http::NetConfig,
}
