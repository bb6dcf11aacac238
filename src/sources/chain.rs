//! Fallback chain per platform (§9.1): endpoints tried in order, first success wins,
//! "200 but empty" counts as a failure of that step, every failure is recorded.

use chrono::{DateTime, FixedOffset};

use super::http::{HttpClient, Profile};
use super::{
    Endpoint, PollOutcome, SourceError, StepAttempt, baidu, bilibili, douyin, kuaishou, newsnow,
    tieba, toutiao, weibo, zhihu,
};
use crate::domain::{Platform, Snapshot};

/// The one place endpoints meet their URL, header profile and parser.
pub fn endpoint_url(e: Endpoint) -> String {
    let url = match e {
        Endpoint::WeiboHotSearch => "https://weibo.com/ajax/side/hotSearch",
        Endpoint::WeiboSummaryHtml => "https://s.weibo.com/top/summary?cate=realtimehot",
        // the short form, which clients use as well as the long one (§2 A3)
        Endpoint::WeiboMobile => {
            "https://m.weibo.cn/api/container/getIndex?containerid=106003type%3D25%26t%3D3%26disable_hot%3D1%26filter_type%3Drealtimehot"
        }
        Endpoint::TiebaTopicList => "https://tieba.baidu.com/hottopic/browse/topicList",
        Endpoint::BaiduBoardHtml => "https://top.baidu.com/board?tab=realtime",
        Endpoint::BaiduApiPc => "https://top.baidu.com/api/board?platform=pc&tab=realtime",
        Endpoint::BaiduApiWise => "https://top.baidu.com/api/board?platform=wise&tab=realtime",
        Endpoint::DouyinWeb => {
            "https://www.douyin.com/aweme/v1/web/hot/search/list/?device_platform=webapp&aid=6383&channel=channel_pc_web&detail_list=1&round_trip_time=50"
        }
        Endpoint::DouyinApp => {
            "https://aweme-lq.snssdk.com/aweme/v1/hot/search/list/?aid=1128&version_code=880"
        }
        Endpoint::DouyinBillboard => {
            "https://www.iesdouyin.com/web/api/v2/hotsearch/billboard/word/"
        }
        Endpoint::ZhihuHotListWeb => {
            "https://www.zhihu.com/api/v3/feed/topstory/hot-list-web?limit=20&desktop=true"
        }
        Endpoint::ZhihuHotListApp => "https://api.zhihu.com/topstory/hot-lists/total?limit=50",
        Endpoint::ZhihuBillboard => "https://www.zhihu.com/billboard",
        Endpoint::ToutiaoHotBoard => {
            "https://www.toutiao.com/hot-event/hot-board/?origin=toutiao_pc"
        }
        Endpoint::BilibiliHotword => "https://s.search.bilibili.com/main/hotword?limit=30",
        Endpoint::BilibiliTrending => {
            "https://app.bilibili.com/x/v2/search/trending/ranking?limit=50"
        }
        // signed per request (`bilibili::fetch` adds `wts` and `w_rid`)
        Endpoint::BilibiliSquare => {
            "https://api.bilibili.com/x/web-interface/wbi/search/square?limit=50&platform=web"
        }
        Endpoint::KuaishouHome => "https://www.kuaishou.com/?isHome=1",
        Endpoint::Newsnow(p) => {
            return format!(
                "https://newsnow.busiyi.world/api/s?id={}&latest",
                p.newsnow_id()
            );
        }
    };
    url.to_string()
}

pub fn endpoint_profile(e: Endpoint) -> Profile {
    match e {
        Endpoint::WeiboHotSearch => Profile::WeiboAjax,
        Endpoint::WeiboSummaryHtml => Profile::WeiboHtml,
        Endpoint::WeiboMobile => Profile::WeiboMobile,
        Endpoint::TiebaTopicList => Profile::Tieba,
        Endpoint::BaiduBoardHtml | Endpoint::ZhihuBillboard | Endpoint::KuaishouHome => {
            Profile::ListPage(e.platform())
        }
        Endpoint::DouyinApp => Profile::DouyinApp,
        Endpoint::ZhihuHotListApp => Profile::ZhihuApp,
        Endpoint::BilibiliTrending => Profile::BilibiliApp,
        _ => Profile::ListApi(e.platform()),
    }
}

/// Parse a body fetched from `e`.
pub fn parse(
    e: Endpoint,
    body: &str,
    captured_at: DateTime<FixedOffset>,
) -> Result<Snapshot, SourceError> {
    match e {
        Endpoint::WeiboHotSearch => weibo::parse_hot_search(body, captured_at),
        Endpoint::WeiboSummaryHtml => weibo::parse_summary_html(body, captured_at),
        Endpoint::WeiboMobile => weibo::parse_mobile(body, captured_at),
        Endpoint::TiebaTopicList => tieba::parse_topic_list(body, captured_at),
        Endpoint::BaiduBoardHtml | Endpoint::BaiduApiPc | Endpoint::BaiduApiWise => {
            baidu::parse(e, body, captured_at)
        }
        Endpoint::DouyinWeb | Endpoint::DouyinApp | Endpoint::DouyinBillboard => {
            douyin::parse(e, body, captured_at)
        }
        Endpoint::ZhihuHotListWeb | Endpoint::ZhihuHotListApp | Endpoint::ZhihuBillboard => {
            zhihu::parse(e, body, captured_at)
        }
        Endpoint::ToutiaoHotBoard => toutiao::parse(body, captured_at),
        Endpoint::BilibiliHotword | Endpoint::BilibiliTrending | Endpoint::BilibiliSquare => {
            bilibili::parse(e, body, captured_at)
        }
        Endpoint::KuaishouHome => kuaishou::parse(body, captured_at),
        Endpoint::Newsnow(p) => newsnow::parse(p, body, captured_at),
    }
}

/// Fetch and parse one endpoint. Endpoints with a request step of their own (Douyin's cookie
/// bootstrap, Bilibili's WBI signature) go through their module.
pub async fn fetch(client: &HttpClient, e: Endpoint) -> Result<Snapshot, SourceError> {
    match e {
        Endpoint::DouyinWeb => douyin::fetch_web(client).await,
        Endpoint::BilibiliSquare => bilibili::fetch_square(client).await,
        _ => plain_fetch(client, e).await,
    }
}

/// GET the endpoint's URL with its profile and parse the body.
pub async fn plain_fetch(client: &HttpClient, e: Endpoint) -> Result<Snapshot, SourceError> {
    let resp = client.get(&endpoint_url(e), endpoint_profile(e)).await?;
    parse(e, &resp.body, resp.captured_at())
}

/// How telling an error is when every step failed: a login wall explains the most,
/// an empty list the least.
/// Steps whose requests depend on the visitor cookie (A4 needs `SUB`; A3 uses visitor cookies).
fn uses_visitor_cookie(e: Endpoint) -> bool {
    matches!(e, Endpoint::WeiboSummaryHtml | Endpoint::WeiboMobile)
}

/// How much an error tells the user. Among HTTP statuses the anti-bot/cookie codes
/// (432, 418) say what to do (renew cookies, slow down), so they outrank a generic 403 or 5xx.
pub fn severity(e: &SourceError) -> u8 {
    match e {
        SourceError::LoginRequired { .. } => 9,
        SourceError::Captcha => 8,
        SourceError::Status(432 | 418) => 7,
        SourceError::Status(401 | 403) => 6,
        SourceError::Status(_) => 5,
        SourceError::Envelope { .. } => 4,
        SourceError::Empty => 1,
        _ => 3,
    }
}

/// Pick the most telling error (the first one among equals).
pub fn most_telling(errors: impl IntoIterator<Item = SourceError>) -> Option<SourceError> {
    errors.into_iter().fold(None, |best, e| match best {
        Some(b) if severity(&b) >= severity(&e) => Some(b),
        _ => Some(e),
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    platform: Platform,
    steps: Vec<Endpoint>,
}

impl Chain {
    /// The default chain ([`Endpoint::chain_of`]): Weibo A1 → A4 → A3; Tieba B1; Baidu BD1 →
    /// BD2′ → BD2; …
    pub fn for_platform(platform: Platform) -> Chain {
        Chain {
            platform,
            steps: Endpoint::chain_of(platform),
        }
    }

    /// A chain with chosen steps (all must belong to `platform`).
    pub fn with_steps(platform: Platform, steps: Vec<Endpoint>) -> Chain {
        let steps = steps
            .into_iter()
            .filter(|e| e.platform() == platform)
            .collect();
        Chain { platform, steps }
    }

    pub fn platform(&self) -> Platform {
        self.platform
    }

    pub fn steps(&self) -> &[Endpoint] {
        &self.steps
    }

    /// Try each step in order; the first success wins.
    pub async fn poll(&self, client: &HttpClient) -> (PollOutcome, Vec<StepAttempt>) {
        let mut attempts = Vec::with_capacity(self.steps.len());
        for &endpoint in &self.steps {
            match fetch(client, endpoint).await {
                Ok(snapshot) => {
                    attempts.push(StepAttempt {
                        endpoint,
                        error: None,
                    });
                    return (PollOutcome::Ok { snapshot, endpoint }, attempts);
                }
                Err(error) => {
                    tracing::debug!(endpoint = endpoint.label(), %error, "step failed");
                    if matches!(
                        error,
                        SourceError::LoginRequired { .. } | SourceError::Status(432)
                    ) && uses_visitor_cookie(endpoint)
                    {
                        // ok:-100, HTTP 432 or a login wall with 200 on a step that relies on the
                        // visitor cookie: it is dead. (A1 failing says nothing about it, and
                        // renewing needlessly would hammer passport.)
                        client.forget_visitor_cookie().await;
                    }
                    attempts.push(StepAttempt {
                        endpoint,
                        error: Some(error),
                    });
                }
            }
        }
        let error = most_telling(attempts.iter().filter_map(|a| a.error.clone()))
            .unwrap_or_else(|| SourceError::Other("no endpoint configured".into()));
        (PollOutcome::Failed { error }, attempts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_telling_error() {
        let e = most_telling([
            SourceError::Empty,
            SourceError::Timeout,
            SourceError::Status(403),
            SourceError::Envelope {
                code: 0,
                msg: String::new(),
            },
        ]);
        assert_eq!(e, Some(SourceError::Status(403)));
        let e = most_telling([
            SourceError::Status(418),
            SourceError::LoginRequired { hint: "x".into() },
            SourceError::Captcha,
        ]);
        assert_eq!(e, Some(SourceError::LoginRequired { hint: "x".into() }));
        assert_eq!(
            most_telling([SourceError::Empty, SourceError::Decode("x".into())]),
            Some(SourceError::Decode("x".into()))
        );
        assert_eq!(
            most_telling([
                SourceError::Status(403),
                SourceError::Status(432),
                SourceError::Status(500)
            ]),
            Some(SourceError::Status(432))
        );
        assert_eq!(most_telling([]), None);
    }

    #[test]
    fn urls_and_platforms() {
        for p in Platform::ALL {
            let c = Chain::for_platform(p);
            assert!(!c.steps().is_empty());
            for e in c.steps() {
                assert_eq!(e.platform(), p);
                assert!(endpoint_url(*e).starts_with("https://"));
            }
        }
        assert_eq!(
            Chain::with_steps(Platform::Tieba, vec![Endpoint::WeiboMobile]).steps(),
            &[] as &[Endpoint]
        );
    }
}
