//! Fallback chain per platform (§9.1): endpoints tried in order, first success wins,
//! "200 but empty" counts as a failure of that step, every failure is recorded.

use chrono::{DateTime, FixedOffset};

use super::http::{HttpClient, Profile};
use super::{Endpoint, PollOutcome, SourceError, StepAttempt, tieba, weibo};
use crate::domain::{Platform, Snapshot};

/// The one place endpoints meet their URL, header profile and parser.
pub fn endpoint_url(e: Endpoint) -> &'static str {
    match e {
        Endpoint::WeiboHotSearch => "https://weibo.com/ajax/side/hotSearch",
        Endpoint::WeiboSummaryHtml => "https://s.weibo.com/top/summary?cate=realtimehot",
        // the short form, which clients use as well as the long one (§2 A3)
        Endpoint::WeiboMobile => {
            "https://m.weibo.cn/api/container/getIndex?containerid=106003type%3D25%26t%3D3%26disable_hot%3D1%26filter_type%3Drealtimehot"
        }
        Endpoint::TiebaTopicList => "https://tieba.baidu.com/hottopic/browse/topicList",
    }
}

pub fn endpoint_profile(e: Endpoint) -> Profile {
    match e {
        Endpoint::WeiboHotSearch => Profile::WeiboAjax,
        Endpoint::WeiboSummaryHtml => Profile::WeiboHtml,
        Endpoint::WeiboMobile => Profile::WeiboMobile,
        Endpoint::TiebaTopicList => Profile::Tieba,
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
    }
}

/// Fetch and parse one endpoint.
pub async fn fetch(client: &HttpClient, e: Endpoint) -> Result<Snapshot, SourceError> {
    let resp = client.get(endpoint_url(e), endpoint_profile(e)).await?;
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
    /// The default chain: Weibo A1 → A4 → A3; Tieba B1.
    pub fn for_platform(platform: Platform) -> Chain {
        let steps = match platform {
            Platform::Weibo => vec![
                Endpoint::WeiboHotSearch,
                Endpoint::WeiboSummaryHtml,
                Endpoint::WeiboMobile,
            ],
            Platform::Tieba => vec![Endpoint::TiebaTopicList],
        };
        Chain { platform, steps }
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
