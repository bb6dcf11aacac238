//! Fault injection: how each failure mode of data-sources.md §9–10 looks on the wire.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::reply::{Delivery, Reply, Route, RouteKind};
use super::{baidu, bilibili, douyin, newsnow, tieba_drill, toutiao, visitor, zhihu};
use crate::domain::Platform;

/// Largest body `Fault::Huge` produces (256 MiB).
pub const HUGE_CAP: usize = 256 << 20;

/// A failure the server plays on one route until cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// That HTTP status (403, 418, 432, 500, 502, …) with a short HTML body.
    Status(u16),
    /// A valid envelope holding zero items.
    EmptyList,
    /// `302` to the passport visitor page.
    LoginRedirect,
    /// `200` with an HTML login page: Baidu's security check on Tieba and Baidu routes, Sina's
    /// passport page elsewhere (no other site's wall has been captured).
    LoginWall,
    /// `200` with an HTML page where JSON (or the hot-list table) was expected.
    HtmlInsteadOfJson,
    /// The normal response cut in half (with a matching Content-Length), at a character
    /// boundary: the cut is the parser's to find (a cut inside a character is the UTF-8
    /// decoder's, `sources::http`).
    Truncated,
    /// The platform envelope with this code: Weibo `ok`, Tieba `errno`, visitor `retcode`.
    Envelope(i64),
    /// JSON carrying a `url` to a verification page instead of data.
    Captcha,
    /// Valid JSON whose fields have the wrong types.
    WrongShape,
    /// Wait, then answer normally.
    Delay(Duration),
    /// A body of exactly this many bytes, up to `HUGE_CAP` (the normal body, padded with spaces or cut).
    Huge(usize),
    /// `302` back to the same URL, forever.
    RedirectLoop,
    /// The normal answer, its body sent one byte per this interval (chunked).
    Drip(Duration),
    /// The normal answer with its first non-ASCII byte (inside the first title) replaced by
    /// `0xFF`, which is never valid UTF-8.
    InvalidUtf8,
    /// A body of this many bytes (up to `HUGE_CAP`) streamed in chunks without a
    /// `Content-Length`, so only a cap enforced while reading stops it.
    Flood(usize),
    /// Origin-wide, whatever the route: the listening socket is closed, so connecting is
    /// refused (`ECONNREFUSED`) until the fault ends.
    Refused,
    /// Origin-wide, whatever the route: the port is held by a socket whose accept queue is
    /// full, so the kernel drops new SYNs and connecting hangs until the client's connect
    /// timeout (Linux; other kernels may answer with a reset instead).
    ConnectTimeout,
}

impl Fault {
    /// Faults that act on the listening socket, not on a route's answer.
    pub fn is_origin_wide(&self) -> bool {
        matches!(self, Fault::Refused | Fault::ConnectTimeout)
    }
}

/// The reply for `fault` on `route`. `normal(empty)` renders the route's ordinary answer,
/// with zero items when `empty`. `Delay` is handled by the caller (it needs to await).
pub(crate) fn apply(
    fault: &Fault,
    route: Route,
    request_uri: &str,
    normal: impl FnOnce(bool) -> Reply,
) -> Reply {
    match fault {
        Fault::Status(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut r = Reply::html(format!(
                "<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>\n"
            ));
            r.status = status;
            r
        }
        Fault::EmptyList => normal(true),
        // Origin-wide faults never reach a handler while they play; a request that does
        // (accepted just before) is answered normally.
        Fault::Delay(_) | Fault::Refused | Fault::ConnectTimeout => normal(false),
        Fault::Drip(every) => {
            let mut r = normal(false);
            r.delivery = Delivery::Drip(*every);
            r
        }
        Fault::InvalidUtf8 => {
            let mut r = normal(false);
            match r.body.iter().position(|b| !b.is_ascii()) {
                Some(i) => r.body[i] = 0xFF,
                None => r.body.push(0xFF),
            }
            r
        }
        Fault::Flood(n) => {
            let mut r = normal(false);
            r.delivery = Delivery::Stream {
                len: (*n).min(HUGE_CAP),
            };
            r
        }
        Fault::LoginRedirect if route.is_tieba_drill() => {
            Reply::redirect(tieba_drill::passport_url(&route.public_url(request_uri)))
        }
        Fault::LoginRedirect => {
            Reply::redirect(visitor::passport_url(&route.public_url(request_uri)))
        }
        // Baidu's sites (Tieba, top.baidu.com) wall a client off with their security check.
        Fault::LoginWall
            if route.is_tieba_drill()
                || matches!(route.platform(), Platform::Tieba | Platform::Baidu) =>
        {
            Reply::html(tieba_drill::SECURITY_PAGE.to_string())
        }
        Fault::LoginWall => Reply::html(LOGIN_WALL.to_string()),
        // On the HTML routes of D3 the confusion goes the other way: JSON where a page was expected.
        Fault::HtmlInsteadOfJson
            if matches!(route.kind(), RouteKind::Html) && route.is_tieba_drill() =>
        {
            Reply::json(&json!({"no": 0, "error": "success", "data": {}}))
        }
        Fault::HtmlInsteadOfJson => Reply::html(match route {
            Route::TiebaTopicList => TIEBA_PAGE.to_string(),
            r if r.is_tieba_drill() => TIEBA_PAGE.to_string(),
            _ => WEIBO_PAGE.to_string(),
        }),
        Fault::Truncated => {
            let mut r = normal(false);
            let mut at = r.body.len() / 2;
            // Back over UTF-8 continuation bytes to the start of the character.
            while at > 0 && r.body[at] & 0xC0 == 0x80 {
                at -= 1;
            }
            r.body.truncate(at);
            r
        }
        Fault::Huge(n) => {
            let mut r = normal(false);
            // Capped so a mistaken size cannot exhaust memory in a test run.
            r.body.resize((*n).min(HUGE_CAP), b' ');
            r
        }
        Fault::RedirectLoop => Reply::redirect(request_uri.to_string()),
        Fault::Envelope(code) => envelope(route, *code, normal),
        Fault::Captcha => Reply::json(&match route {
            Route::TiebaTopicList => json!({
                "url": "https://wappass.baidu.com/static/captcha/tuxing.html?&ak=c27bbc89afca0463650ac9bde68ebe06&backurl=https%3A%2F%2Ftieba.baidu.com%2Fhottopic%2Fbrowse%2FtopicList",
            }),
            _ => {
                json!({"url": "https://passport.weibo.com/verify/captcha?entry=miniblog&from=weibo"})
            }
        }),
        Fault::WrongShape => match route.kind() {
            RouteKind::Jsonp(cb) => Reply::jsonp(visitor::jsonp(
                cb,
                &json!({"retcode": "20000000", "msg": 0, "data": ["tid", 100]}),
            )),
            _ => Reply::json(&match route {
                Route::HotSearch => {
                    json!({"ok": "1", "data": {"realtime": {"word": 1}, "hotgov": []}})
                }
                Route::Mobile => json!({"ok": 1, "data": {"cards": "实时热点"}}),
                Route::TiebaTopicList => {
                    json!({"errno": "0", "data": {"bang_topic": {"topic_list": {"topic_name": 0}}}})
                }
                Route::TopicDetail => {
                    json!({"code": "100000", "data": {"baseInfo": {"object": "#话题#"}, "media_info": {"users": {"id": 1}}}})
                }
                Route::TiebaAppPage => {
                    json!({"error_code": "0", "post_list": {"id": 1}, "user_list": "x", "page": []})
                }
                r => list_wrong_shape(r).unwrap_or_else(|| json!({"ok": 1, "data": []})),
            }),
        },
    }
}

/// The other lists' JSON in their own success envelopes with rows of the wrong type, written
/// beside their renderers (`None` for their HTML pages: JSON where a page was expected).
fn list_wrong_shape(route: Route) -> Option<Value> {
    match route.platform() {
        Platform::Baidu => baidu::wrong_shape(route),
        Platform::Douyin => douyin::wrong_shape(route),
        Platform::Zhihu => zhihu::wrong_shape(route),
        Platform::Toutiao => toutiao::wrong_shape(route),
        Platform::Bilibili => bilibili::wrong_shape(route),
        Platform::ThePaper | Platform::Cls | Platform::Ifeng | Platform::WallStreetCn => {
            newsnow::wrong_shape(route)
        }
        Platform::Weibo | Platform::Tieba | Platform::Kuaishou => None,
    }
}

fn envelope(route: Route, code: i64, normal: impl FnOnce(bool) -> Reply) -> Reply {
    let msg = match code {
        -100 => "请先登录",
        0 => "这里还没有内容",
        _ => "error",
    };
    match route {
        Route::HotSearch => Reply::json(&json!({"ok": code, "msg": msg})),
        Route::Mobile | Route::WeiboPosts | Route::WeiboSearch | Route::WeiboTimeline => {
            Reply::json(&json!({"ok": code, "msg": msg, "data": {"cards": []}}))
        }
        Route::WeiboLongText | Route::WeiboComments => {
            Reply::json(&json!({"ok": code, "msg": msg}))
        }
        Route::TiebaTopicList => {
            Reply::json(&json!({"errno": code, "errmsg": "系统错误", "data": {}}))
        }
        Route::TiebaHotMessage | Route::TiebaHotMessageMain | Route::TiebaHotMessageThread => {
            Reply::json(&json!({"no": code, "error": "系统错误", "data": {}}))
        }
        // The signed PC endpoints answer errors as `error_code` JSON (MediaCrawler `client.py`).
        Route::TiebaThreadPage | Route::TiebaSubReplies => {
            Reply::json(&json!({"error_code": code, "error_msg": "need login"}))
        }
        // The app API sends its code as a string (TiebaLite `ThreadContentBean.error_code`).
        Route::TiebaAppPage => {
            Reply::json(&json!({"error_code": code.to_string(), "error_msg": "need login"}))
        }
        // The topic API sends its code as a string (§4 C4).
        Route::TopicDetail => {
            Reply::json(&json!({"code": code.to_string(), "msg": msg, "data": []}))
        }
        // An HTML page has no envelope: the page is served as usual.
        Route::Summary | Route::VisitorPage | Route::WeiboDetail => normal(false),
        Route::GenVisitor | Route::Incarnate => match route.kind() {
            RouteKind::Jsonp(cb) => Reply::jsonp(visitor::failure(cb, code, "fail")),
            _ => normal(false),
        },
        // The other lists' envelopes are written beside their renderers.
        _ => super::lists::envelope(route, code).unwrap_or_else(|| normal(false)),
    }
}

const LOGIN_WALL: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>新浪通行证</title></head>
<body><div class="login_box"><h2>登录</h2>
<form action="https://passport.weibo.com/sso/signin" method="post">
<input name="username" placeholder="手机号/邮箱"><input name="password" type="password"><button>登录</button>
</form></div></body></html>
"#;

const WEIBO_PAGE: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>微博-随时随地发现新鲜事</title></head>
<body><div id="app"></div><script src="https://h5.sinaimg.cn/m/weibo-lite/js/app.js"></script></body></html>
"#;

const TIEBA_PAGE: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>百度贴吧——全球领先的中文社区</title></head>
<body><div id="head"></div><div class="content">贴吧</div></body></html>
"#;
