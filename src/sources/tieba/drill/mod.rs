//! Tieba drill-down (data-sources.md §5): D2 threads of a hot topic (`/mo/q/hotMessage*` JSON),
//! D3 floors of a thread (`/p/<tid>` HTML) and sub-replies of a floor (`/p/comment` fragment).
//!
//! When the PC page of a thread is walled (login redirect, 百度安全验证), its floors are asked of
//! the Tieba app API instead (`POST c.tieba.baidu.com/c/f/pb/page`, [`app`]): its md5 sign uses a
//! fixed, widely documented salt and needs no browser state, and a user BDUSS
//! (`RESOU_TIEBA_COOKIE`) goes in its form. The PC variant `POST /c/f/pb/page_pc` stays
//! unimplemented: it also wants a `tbs` from `/c/s/pc/sync`, browser cookies and a request
//! counter, and answers the same floors. When both refuse, the error is
//! [`SourceError::LoginRequired`] with a hint naming `RESOU_TIEBA_COOKIE`.

mod app;
mod floors;
mod rich;
mod subreplies;
mod threads;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::domain::SafeText;
use crate::domain::post::{DrillPage, DrillRequest};
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, Profile};
use crate::sources::wire::{self, TIEBA_AUTH_HINT, TIEBA_LOGIN_HINT};

pub use app::{APP_PAGE_URL, app_form, app_sign, parse_app_floors};
pub use floors::{floors_url, parse_floors_html};
pub use subreplies::{parse_sub_replies_html, sub_replies_url};
pub use threads::{
    HotMessage, hot_message_url, main_url, parse_hot_message, parse_main, parse_thread_list,
    thread_list_url,
};

const BASE: &str = "https://tieba.baidu.com";

/// Fetch and parse one page of `req` (`now` anchors relative timestamps).
pub async fn fetch(
    client: &HttpClient,
    req: &DrillRequest,
    now: DateTime<FixedOffset>,
) -> Result<DrillPage, SourceError> {
    match req {
        DrillRequest::TiebaThreads {
            topic_id,
            topic_name,
            page,
            yuren_rand,
            pmy_topic_ext,
        } => {
            threads::fetch(
                client,
                topic_id,
                topic_name,
                *page,
                yuren_rand.as_deref().zip(pmy_topic_ext.as_deref()),
            )
            .await
        }
        DrillRequest::TiebaFloors { tid, page } => {
            let pc = match get(client, &floors_url(tid, *page)?, Profile::Tieba).await {
                Ok(body) => parse_floors_html(&body, tid, *page, now),
                Err(e) => Err(e),
            };
            match pc {
                Err(e) if is_wall(&e) => {
                    tracing::debug!(error = %e, "Tieba PC page walled; trying the app API");
                    app::fetch(client, tid, *page, now).await
                }
                other => other,
            }
        }
        DrillRequest::TiebaSubReplies {
            tid,
            pid,
            fid,
            page,
        } => {
            let body = get(
                client,
                &sub_replies_url(tid, pid, fid, *page)?,
                Profile::Tieba,
            )
            .await?;
            parse_sub_replies_html(&body, tid, pid, fid, *page, now)
        }
        _ => Err(SourceError::Other("not a Tieba drill-down request".into())),
    }
}

/// A refusal the app API may not share: a login or security wall, or a captcha.
fn is_wall(e: &SourceError) -> bool {
    matches!(e, SourceError::LoginRequired { .. } | SourceError::Captcha)
}

async fn get(client: &HttpClient, url: &str, profile: Profile) -> Result<String, SourceError> {
    Ok(client.get(url, profile).await?.body)
}

/// A Tieba id (thread, post, forum): digits only, since it goes into URLs.
fn checked_id(id: &str) -> Result<&str, SourceError> {
    let ok = !id.is_empty() && id.len() <= 24 && id.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(id).ok_or_else(|| {
        SourceError::Other(format!("bad Tieba id {:?}", SafeText::line(id).as_str()))
    })
}

/// An id field sent as a number or a string of digits; anything else is absent.
fn id_field(v: Option<&Value>) -> Option<String> {
    wire::text(v)
        .map(|s| s.trim().to_string())
        .filter(|s| checked_id(s).is_ok())
}

/// A short opaque token (portrait, `yuren_rand`): sanitised and kept only when it stays small.
fn token_field(v: Option<&Value>) -> Option<String> {
    wire::text(v)
        .map(|s| SafeText::line(&s).into_string())
        .filter(|s| !s.is_empty() && s.len() <= 128)
}

/// Classify a body that must be an HTML page (or fragment) before parsing it: Tieba answers a
/// refused request with `""` or `blocked` (MediaCrawler), and its signed endpoints with
/// `{error_code|no ≠ 0}` JSON; other JSON here is a format mix-up.
fn check_html_body(body: &str) -> Result<(), SourceError> {
    let t = body.trim_start_matches('\u{feff}').trim();
    if t.is_empty() || t.eq_ignore_ascii_case("blocked") {
        return Err(SourceError::LoginRequired {
            hint: format!("{TIEBA_AUTH_HINT} (empty or `blocked` answer)"),
        });
    }
    if t.starts_with('{') || t.starts_with('[') {
        if let Ok(obj) = wire::json_object(t, TIEBA_AUTH_HINT)
            && let Err(SourceError::Envelope { code, .. }) = wire::check_errno(&obj)
        {
            return Err(SourceError::LoginRequired {
                hint: format!("{TIEBA_AUTH_HINT} (error {code})"),
            });
        }
        return Err(SourceError::WrongBody(
            "JSON instead of an HTML page".into(),
        ));
    }
    Ok(())
}

/// A page that carried none of the expected nodes: a wall, or something else entirely.
fn no_content(body: &str, what: &str) -> SourceError {
    if wire::looks_like_login_wall(body) {
        let hint = if body.contains("安全验证") {
            TIEBA_LOGIN_HINT
        } else {
            TIEBA_AUTH_HINT
        };
        SourceError::LoginRequired { hint: hint.into() }
    } else {
        SourceError::WrongBody(format!("HTML page without {what}"))
    }
}

/// The JSON of a `data-field` attribute (the HTML parser has already decoded its entities;
/// `\uXXXX` escapes are JSON's own).
fn data_field(el: scraper::ElementRef<'_>) -> Option<serde_json::Map<String, Value>> {
    match serde_json::from_str(el.attr("data-field")?) {
        Ok(Value::Object(o)) => Some(o),
        _ => None,
    }
}

fn selector(css: &str) -> scraper::Selector {
    // ok: every selector passed here is a literal in this module, checked by the tests.
    scraper::Selector::parse(css).expect("valid selector literal")
}
