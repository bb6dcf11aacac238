//! Shared HTTP client: timeouts, browser-like header profiles, cookies (user or visitor),
//! origin override for the loopback replay server, hand-followed redirects, body cap.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use reqwest::header::{self, HeaderMap, HeaderValue};
use tokio::sync::Mutex;

use super::SourceError;
use super::wire::WEIBO_LOGIN_HINT;
use crate::domain::{Platform, cst};

/// A cookie or token: never printed by `Debug` or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        let s = s.into();
        // Crash reports scrub every secret the process knows.
        crate::crash::register_secret(&s);
        Secret(s)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct NetConfig {
    /// Redirect every platform host to this origin (`http://127.0.0.1:PORT`), paths and queries kept.
    pub origin: Option<String>,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// User-supplied Weibo cookie (env `RESOU_WEIBO_COOKIE` or the 0600 cookie file).
    pub weibo_cookie: Option<Secret>,
    /// User-supplied Tieba cookie, `BDUSS=…` (env `RESOU_TIEBA_COOKIE` or the 0600 cookie file).
    pub tieba_cookie: Option<Secret>,
    /// User-supplied Zhihu cookie (env `RESOU_ZHIHU_COOKIE` or the 0600 cookie file); sent to
    /// zhihu.com hosts only.
    pub zhihu_cookie: Option<Secret>,
    /// Bodies larger than this are refused (remote data is hostile).
    pub max_body_bytes: usize,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            origin: None,
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
            weibo_cookie: None,
            tieba_cookie: None,
            zhihu_cookie: None,
            max_body_bytes: 8 * 1024 * 1024,
        }
    }
}

/// Most redirect hops followed before giving up.
pub const MAX_REDIRECTS: usize = 5;

const UA_DESKTOP_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
const UA_IPHONE_SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
/// A mobile WebView UA ending in the app tag TiebaLite sends to the web API (`tieba/11.10.8.6
/// skin/default`, data-sources.md §3).
const UA_TIEBA_APP: &str = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.0.0 Mobile Safari/537.36 tieba/11.10.8.6 skin/default";
/// The Tieba Android client's own UA, as TiebaLite sends it to `c.tieba.baidu.com` (`bdtb for
/// Android <_client_version>`).
const UA_TIEBA_CLIENT: &str = "bdtb for Android 11.10.8.6";
/// DY3: the Douyin Android client's OkHttp UA, as the app endpoints see it.
const UA_DOUYIN_APP: &str = "okhttp/3.10.0.1";
/// ZH2: the Zhihu iOS app's UA (the one mcp-trends-hub sends, more-sources.md §4).
const UA_ZHIHU_APP: &str = "osee2unifiedRelease/22916 osee2unifiedReleaseVersion/10.13.0 Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";
/// BL3: the Bilibili Android client's UA.
const UA_BILIBILI_APP: &str = "Mozilla/5.0 BiliDroid/8.0.0 (bbcallen@gmail.com) os/android model/Pixel 7 mobi_app/android build/8000200 channel/master innerVer/8000200 osVer/14 network/2";
const UA_DESKTOP_PLAIN: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

const GENVISITOR_URL: &str = "https://passport.weibo.com/visitor/genvisitor";
const INCARNATE_URL: &str = "https://passport.weibo.com/visitor/visitor";
/// Browser fingerprint the visitor system expects (yt-dlp's values).
const VISITOR_FP: &str = r#"{"os":"2","browser":"Gecko57,0,0,0","fonts":"undefined","screenInfo":"1440*900*24","plugins":""}"#;

/// Request header sets, one per kind of endpoint (§2 of data-sources.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// A1 JSON: desktop Chrome, `Referer: https://weibo.com/`.
    WeiboAjax,
    /// A4 HTML: as A1, asking for HTML; needs a `SUB` cookie.
    WeiboHtml,
    /// A3 m.weibo.cn: iPhone Safari with the PWA headers; needs visitor cookies.
    WeiboMobile,
    /// B1 and other Tieba pages.
    Tieba,
    /// D2 `tieba.baidu.com/mo/q/hotMessage*`: the Tieba app's web views (TiebaLite's UA).
    TiebaApp,
    /// D3 app API `c.tieba.baidu.com/c/f/*` (signed form POSTs): the Android client's UA, no Referer.
    TiebaClient,
    /// passport.weibo.com visitor flow.
    Passport,
    /// C4 `m.s.weibo.com/ajax_topic/*`: desktop UA, never a cookie, `Referer` = the topic page
    /// for the request's own `q` (§4 C4).
    WeiboTopic,
    /// C2 post page `m.weibo.cn/detail/<mid>` (HTML): iPhone Safari; needs visitor cookies.
    WeiboDetailPage,
    /// C3 `comments/hotflow` and C2 `statuses/extend` (JSON): as `WeiboMobile`, with
    /// `Referer: https://m.weibo.cn/detail/<id>` for the request's own `id` (§4 C3).
    WeiboPostApi,
    /// A hot-list page (HTML) of one of the other platforms: desktop Chrome, the site's home as
    /// `Referer` (more-sources.md §2 BD1, §4 ZH4, §7 KS1).
    ListPage(Platform),
    /// A hot-list JSON API of one of the other platforms, as the site's own pages call it.
    ListApi(Platform),
    /// DY3 Douyin app endpoints: the app's own UA, no Referer, no cookie.
    DouyinApp,
    /// ZH2 `api.zhihu.com`: the Zhihu app's UA.
    ZhihuApp,
    /// BL3 `app.bilibili.com`: the Bilibili app's UA.
    BilibiliApp,
}

impl Profile {
    /// Endpoints that answer only with a (visitor) cookie.
    fn needs_cookie(self) -> bool {
        matches!(
            self,
            Profile::WeiboHtml
                | Profile::WeiboMobile
                | Profile::WeiboDetailPage
                | Profile::WeiboPostApi
        )
    }

    /// Endpoints that working clients call without any cookie; ours never sends one there.
    fn cookieless(self) -> bool {
        self == Profile::WeiboTopic
    }

    /// Headers for one request: the profile's set, plus the per-request `Referer` of C4.
    fn headers_for(self, url: &url::Url) -> HeaderMap {
        let mut h = self.headers();
        if self == Profile::WeiboTopic {
            // The topic page of the same (already encoded) `q`, as the site's own pages send it.
            let q = url
                .query()
                .unwrap_or("")
                .split('&')
                .find_map(|kv| kv.strip_prefix("q="))
                .unwrap_or("");
            let referer = format!("https://m.s.weibo.com/vtopic/detail_new?q={q}");
            if let Ok(v) = HeaderValue::from_str(&referer) {
                h.insert(header::REFERER, v);
            }
        }
        if self == Profile::WeiboPostApi
            && let Some((_, id)) = url.query_pairs().find(|(k, _)| k == "id")
            && !id.is_empty()
            && id.len() <= 32
            && id.chars().all(|c| c.is_ascii_alphanumeric())
            && let Ok(v) = HeaderValue::from_str(&format!("https://m.weibo.cn/detail/{id}"))
        {
            h.insert(header::REFERER, v);
        }
        h
    }

    fn headers(self) -> HeaderMap {
        let mut h = HeaderMap::new();
        let (ua, referer, accept) = match self {
            Profile::WeiboAjax => (
                UA_DESKTOP_CHROME,
                "https://weibo.com/",
                "application/json, text/plain, */*",
            ),
            Profile::WeiboHtml => (
                UA_DESKTOP_CHROME,
                "https://weibo.com/",
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            ),
            Profile::WeiboMobile => (
                UA_IPHONE_SAFARI,
                "https://s.weibo.com/top/summary?cate=realtimehot",
                "application/json, text/plain, */*",
            ),
            Profile::WeiboDetailPage => (
                UA_IPHONE_SAFARI,
                "https://m.weibo.cn/",
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            ),
            Profile::WeiboPostApi => (
                UA_IPHONE_SAFARI,
                "https://m.weibo.cn/",
                "application/json, text/plain, */*",
            ),
            Profile::Tieba => (
                UA_DESKTOP_PLAIN,
                "https://tieba.baidu.com/",
                "application/json, text/plain, */*",
            ),
            Profile::TiebaApp => (
                UA_TIEBA_APP,
                "https://tieba.baidu.com/",
                "application/json, text/plain, */*",
            ),
            Profile::TiebaClient => (UA_TIEBA_CLIENT, "", "*/*"),
            Profile::Passport => (UA_DESKTOP_CHROME, "https://passport.weibo.com/", "*/*"),
            Profile::WeiboTopic => (
                UA_DESKTOP_CHROME,
                "https://m.s.weibo.com/",
                "application/json,text/plain,*/*",
            ),
            Profile::ListPage(p) => (
                UA_DESKTOP_CHROME,
                home_page(p),
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            ),
            Profile::ListApi(p) => (
                UA_DESKTOP_CHROME,
                home_page(p),
                "application/json, text/plain, */*",
            ),
            Profile::DouyinApp => (UA_DOUYIN_APP, "", "application/json"),
            Profile::ZhihuApp => (UA_ZHIHU_APP, "", "application/json"),
            Profile::BilibiliApp => (UA_BILIBILI_APP, "", "application/json"),
        };
        h.insert(header::USER_AGENT, HeaderValue::from_static(ua));
        if !referer.is_empty() {
            h.insert(header::REFERER, HeaderValue::from_static(referer));
        }
        h.insert(header::ACCEPT, HeaderValue::from_static(accept));
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("zh-CN,zh;q=0.9"),
        );
        if matches!(self, Profile::WeiboMobile | Profile::WeiboPostApi) {
            h.insert("MWeibo-Pwa", HeaderValue::from_static("1"));
            h.insert(
                "X-Requested-With",
                HeaderValue::from_static("XMLHttpRequest"),
            );
        }
        h
    }
}

/// A fetched response with the body read (and capped).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// The last URL requested (after redirects), as the platform would see it (before origin rewrite).
    pub final_url: String,
    pub content_type: Option<String>,
    pub body: String,
    /// The server's `Date` header in CST, when present and valid.
    pub date: Option<DateTime<FixedOffset>>,
    /// Local clock (CST) when the response headers arrived.
    pub received_at: DateTime<FixedOffset>,
    /// The `Set-Cookie` pairs of this (final) response.
    pub set_cookies: SetCookies,
}

/// The `name=value` pairs of a response's `Set-Cookie` headers, attributes dropped. Values stay
/// plain until a caller takes them with [`SetCookies::pairs`]: only then do they become
/// `Secret`s (registered with the crash scrubber), so the tracking cookies sites set on every
/// reply do not pile up there. `Debug` shows the names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SetCookies(Vec<(String, String)>);

impl SetCookies {
    fn of(h: &HeaderMap) -> SetCookies {
        SetCookies(
            h.get_all(header::SET_COOKIE)
                .iter()
                .filter_map(set_cookie_pair)
                .filter(|(n, _)| !n.is_empty())
                .collect(),
        )
    }

    /// Every pair in header order, values as secrets.
    pub fn pairs(&self) -> Vec<(String, Secret)> {
        self.0
            .iter()
            .map(|(n, v)| (n.clone(), Secret::new(v.as_str())))
            .collect()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SetCookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(n, _)| format!("{n}=***")))
            .finish()
    }
}

impl Response {
    /// When the data was captured: the server's `Date`, else the local clock (CST).
    /// The loopback replay server sends the archived capture time as `Date`, so the demo shows
    /// honest data times; real servers send the real time, so nothing changes live.
    pub fn captured_at(&self) -> DateTime<FixedOffset> {
        self.date.unwrap_or(self.received_at)
    }
}

use crate::domain::now_cst;

/// Which cookie the client currently sends to Weibo (for the status bar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieState {
    /// The user's `RESOU_WEIBO_COOKIE`.
    User,
    /// A visitor cookie from passport.weibo.com.
    Visitor,
    None,
}

/// Visitor cookies; values never leave this module except in the `Cookie` header.
#[derive(Clone)]
struct Visitor {
    sub: Secret,
    subp: Option<Secret>,
}

impl Visitor {
    fn header(&self) -> Secret {
        match &self.subp {
            Some(p) => Secret::new(format!("SUB={}; SUBP={}", self.sub.expose(), p.expose())),
            None => Secret::new(format!("SUB={}", self.sub.expose())),
        }
    }
}

/// One raw response as the parsers saw it (body after content decoding), for `resou record`.
/// Built only inside this module, so secrets are dropped before it exists: response headers
/// come without `Cookie`, `Set-Cookie` or `Authorization`, and request headers and bodies
/// (which carry the user's cookies and the Tieba BDUSS) are never part of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// When the response headers arrived (CST).
    pub at: DateTime<FixedOffset>,
    pub method: &'static str,
    /// The URL as the platform would see it (before the origin rewrite).
    pub url: String,
    pub status: u16,
    /// Response headers in wire order, minus the secret ones; values decoded lossily.
    pub headers: Vec<(String, String)>,
    /// The body bytes; empty when it could not be read in full.
    pub body: Vec<u8>,
    /// From sending the request to the end of the body.
    pub elapsed: Duration,
}

/// Where the client hands every response it receives (redirects and error statuses included).
pub trait Recorder: Send + Sync {
    fn record(&self, exchange: Exchange);
}

/// Header names never recorded (compared case-insensitively; `HeaderName`s are lower case).
const SECRET_HEADERS: [&str; 5] = [
    "cookie",
    "set-cookie",
    "set-cookie2",
    "authorization",
    "proxy-authorization",
];

fn recordable_headers(h: &HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .filter(|(n, _)| !SECRET_HEADERS.contains(&n.as_str().to_ascii_lowercase().as_str()))
        .map(|(n, v)| {
            let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (n.as_str().to_string(), v)
        })
        .collect()
}

/// One shared client for every platform request.
pub struct HttpClient {
    client: reqwest::Client,
    origin: Option<url::Url>,
    user_cookie: Option<Secret>,
    tieba_cookie: Option<Secret>,
    zhihu_cookie: Option<Secret>,
    visitor: Mutex<Option<Visitor>>,
    tokens: std::sync::Mutex<HashMap<&'static str, Token>>,
    max_body: usize,
    recorder: Option<Arc<dyn Recorder>>,
}

/// A value a platform handed out for later requests (Douyin's bootstrap cookie, Bilibili's
/// WBI keys), kept until `until`.
///
/// Kept in the client rather than in statics of the platform modules: a static would be shared
/// by every client in the process, so a cookie obtained from the live site could be sent to
/// the loopback replay server (or one replay server's keys to another, as tests run clients
/// side by side). Per client, a token lives exactly as long as the connection settings it
/// came from. The platform modules decide what a token means and when it is stale.
struct Token {
    value: Secret,
    until: Instant,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("origin", &self.origin.as_ref().map(url::Url::as_str))
            .field("user_cookie", &self.user_cookie.is_some())
            .field("tieba_cookie", &self.tieba_cookie.is_some())
            .field("zhihu_cookie", &self.zhihu_cookie.is_some())
            .field("max_body", &self.max_body)
            .field("recording", &self.recorder.is_some())
            .finish_non_exhaustive()
    }
}

/// Registrable domains of every platform this crate talks to: the hosts the origin override
/// redirects.
const PLATFORM_DOMAINS: [&str; 12] = [
    "weibo.com",
    "weibo.cn",
    "baidu.com",
    "sina.com.cn",
    "douyin.com",
    "snssdk.com",
    "iesdouyin.com",
    "zhihu.com",
    "toutiao.com",
    "bilibili.com",
    "kuaishou.com",
    "busiyi.world",
];

/// Is `host` the domain `d` or one of its subdomains?
fn in_domain(host: &str, d: &str) -> bool {
    host == d || host.strip_suffix(d).is_some_and(|sub| sub.ends_with('.'))
}

/// Hosts that the origin override redirects (every platform this crate talks to).
fn is_platform_host(host: &str) -> bool {
    PLATFORM_DOMAINS.iter().any(|d| in_domain(host, d))
}

/// The page a platform's own hot-list requests carry as `Referer`.
fn home_page(p: Platform) -> &'static str {
    match p {
        Platform::Weibo => "https://weibo.com/",
        Platform::Tieba => "https://tieba.baidu.com/",
        Platform::Baidu => "https://top.baidu.com/board?tab=realtime",
        Platform::Douyin => "https://www.douyin.com/",
        Platform::Zhihu => "https://www.zhihu.com/hot",
        Platform::Toutiao => "https://www.toutiao.com/",
        Platform::Bilibili => "https://www.bilibili.com/",
        Platform::Kuaishou => "https://www.kuaishou.com/",
        Platform::ThePaper | Platform::Cls | Platform::Ifeng | Platform::WallStreetCn => {
            "https://newsnow.busiyi.world/"
        }
    }
}

/// Which site's cookie a host may receive: a cookie never crosses from one site to another,
/// nor to any other host a redirect leads to. Hosts outside these sites get no cookie at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Site {
    /// weibo.com and weibo.cn (one login)
    Weibo,
    Baidu,
    Douyin,
    Zhihu,
    Bilibili,
    Other,
}

impl Site {
    fn of(u: &url::Url) -> Site {
        let Some(h) = u.host_str() else {
            return Site::Other;
        };
        let sites: [(&[&str], Site); 5] = [
            (&["weibo.com", "weibo.cn"], Site::Weibo),
            (&["baidu.com"], Site::Baidu),
            (&["douyin.com"], Site::Douyin),
            (&["zhihu.com"], Site::Zhihu),
            (&["bilibili.com"], Site::Bilibili),
        ];
        sites
            .into_iter()
            .find(|(domains, _)| domains.iter().any(|d| in_domain(h, d)))
            .map_or(Site::Other, |(_, s)| s)
    }
}

/// The value of the `BDUSS` cookie in a Tieba cookie string (`BDUSS=…; STOKEN=…`); a bare value
/// without any `=` is taken as the BDUSS itself.
pub fn bduss_of(cookie: &str) -> Option<&str> {
    let c = cookie.trim();
    if !c.contains('=') {
        return Some(c).filter(|v| !v.is_empty());
    }
    c.split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| k.trim() == "BDUSS")
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// A request body: none (GET) or an urlencoded form (POST).
#[derive(Clone, Copy)]
enum Body<'a> {
    None,
    Form(&'a str),
}

/// Is this redirect target a login or visitor wall?
fn is_login_target(u: &url::Url) -> bool {
    let host = u.host_str().unwrap_or_default();
    let path = u.path();
    host == "passport.weibo.com"
        || host.ends_with("passport.weibo.cn")
        || host == "passport.baidu.com"
        || host == "wappass.baidu.com"
        || path.contains("/visitor/")
        || path.contains("/sso/signin")
        || path.ends_with("/signin")
}

/// `name=value` of a `Set-Cookie` header.
fn set_cookie_pair(v: &HeaderValue) -> Option<(String, String)> {
    let s = v.to_str().ok()?;
    let first = s.split(';').next()?;
    let (name, value) = first.split_once('=')?;
    Some((name.trim().to_string(), value.trim().to_string()))
}

/// The JSON inside a JSONP reply `window.cb && cb({...});`.
fn jsonp(body: &str) -> Option<serde_json::Value> {
    let start = body.find('(')?;
    let end = body.rfind(')')?;
    (start < end)
        .then(|| serde_json::from_str(&body[start + 1..end]).ok())
        .flatten()
}

fn visitor_failed(why: &str) -> SourceError {
    tracing::debug!(why, "visitor cookie flow failed");
    SourceError::LoginRequired {
        hint: format!("visitor cookie refused; {WEIBO_LOGIN_HINT}"),
    }
}

/// Short error text without URLs or headers.
fn classify(e: &reqwest::Error) -> SourceError {
    if e.is_timeout() {
        return SourceError::Timeout;
    }
    let mut root: &dyn std::error::Error = e;
    while let Some(s) = root.source() {
        root = s;
    }
    let why: String = root.to_string().chars().take(80).collect();
    if e.is_connect() {
        SourceError::Connect(why)
    } else if e.is_body() || e.is_decode() {
        SourceError::Decode(format!("response body cut off ({why})"))
    } else {
        SourceError::Other(format!("request failed ({why})"))
    }
}

impl HttpClient {
    pub fn new(cfg: &NetConfig) -> Result<HttpClient, SourceError> {
        let origin = match &cfg.origin {
            Some(o) => {
                let u = url::Url::parse(o)
                    .map_err(|_| SourceError::Other(format!("bad origin override {o:?}")))?;
                if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
                    return Err(SourceError::Other(format!("bad origin override {o:?}")));
                }
                Some(u)
            }
            None => None,
        };
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .gzip(true)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.timeout)
            .build()
            .map_err(|e| SourceError::Other(format!("HTTP client: {e}")))?;
        Ok(HttpClient {
            client,
            origin,
            user_cookie: cfg
                .weibo_cookie
                .clone()
                .filter(|c| !c.expose().trim().is_empty()),
            // A bare BDUSS value is sent as the cookie it is.
            tieba_cookie: cfg
                .tieba_cookie
                .as_ref()
                .map(|c| c.expose().trim())
                .filter(|c| !c.is_empty())
                .map(|c| match c.contains('=') {
                    true => Secret::new(c),
                    false => Secret::new(format!("BDUSS={c}")),
                }),
            zhihu_cookie: cfg
                .zhihu_cookie
                .clone()
                .filter(|c| !c.expose().trim().is_empty()),
            visitor: Mutex::new(None),
            tokens: std::sync::Mutex::new(HashMap::new()),
            max_body: cfg.max_body_bytes,
            recorder: None,
        })
    }

    /// Hand every response of a platform request (each redirect hop, error statuses and
    /// successes) to `recorder`. The passport visitor flow is not recorded: its bodies carry
    /// the visitor cookie's values.
    pub fn with_recorder(mut self, recorder: Arc<dyn Recorder>) -> HttpClient {
        self.recorder = Some(recorder);
        self
    }

    /// Where a platform URL is actually sent: platform hosts go to the origin override when set,
    /// with path and query kept. Anything else (or an unparsable URL) is returned unchanged.
    pub fn resolve(&self, url: &str) -> String {
        match url::Url::parse(url) {
            Ok(u) => self.rewrite(&u).to_string(),
            Err(_) => url.to_string(),
        }
    }

    fn rewrite(&self, u: &url::Url) -> url::Url {
        let Some(origin) = &self.origin else {
            return u.clone();
        };
        if !u.host_str().is_some_and(is_platform_host) {
            return u.clone();
        }
        let mut out = origin.clone();
        out.set_path(u.path());
        out.set_query(u.query());
        out
    }

    /// The BDUSS of the user's Tieba cookie, for the app API's form.
    pub fn tieba_bduss(&self) -> Option<Secret> {
        self.tieba_cookie
            .as_ref()
            .and_then(|c| bduss_of(c.expose()))
            .map(Secret::new)
    }

    /// Which Weibo cookie would be sent now.
    pub async fn cookie_state(&self) -> CookieState {
        if self.user_cookie.is_some() {
            CookieState::User
        } else if self.visitor.lock().await.is_some() {
            CookieState::Visitor
        } else {
            CookieState::None
        }
    }

    /// Drop the visitor cookie so the next request that needs one renews it
    /// (after `ok:-100`, HTTP 432 or a login wall served with 200).
    pub async fn forget_visitor_cookie(&self) {
        *self.visitor.lock().await = None;
    }

    /// GET a platform URL with the profile's headers and the right cookie. For endpoints that
    /// need a cookie and no user cookie is set, a visitor cookie is obtained first and renewed
    /// once if the server still redirects to passport.
    pub async fn get(&self, url: &str, profile: Profile) -> Result<Response, SourceError> {
        let logical =
            url::Url::parse(url).map_err(|_| SourceError::Other("bad request URL".into()))?;
        let weibo = Site::of(&logical) == Site::Weibo;
        if !weibo || profile.cookieless() {
            return self.user_fetch(logical, profile, Body::None).await;
        }
        if self.user_cookie.is_some() {
            return self.user_fetch(logical, profile, Body::None).await;
        }
        if !profile.needs_cookie() {
            // Send a visitor cookie when one is held, but never start the flow for these.
            let cookie = self.visitor.lock().await.as_ref().map(Visitor::header);
            return self.fetch(logical, profile, cookie, Body::None).await;
        }
        // Held across the request so concurrent callers do not each run the visitor flow.
        let mut visitor = self.visitor.lock().await;
        let mut fresh = false;
        if visitor.is_none() {
            *visitor = Some(self.visitor_flow().await?);
            fresh = true;
        }
        let cookie = visitor.as_ref().map(Visitor::header);
        match self
            .fetch(logical.clone(), profile, cookie, Body::None)
            .await
        {
            Err(SourceError::LoginRequired { .. }) if !fresh => {
                tracing::debug!("login wall; renewing the visitor cookie");
                *visitor = None;
                let v = self.visitor_flow().await?;
                let cookie = Some(v.header());
                *visitor = Some(v);
                self.fetch(logical, profile, cookie, Body::None)
                    .await
                    .map_err(|e| match e {
                        SourceError::LoginRequired { .. } => visitor_failed("still redirected"),
                        e => e,
                    })
            }
            Err(SourceError::LoginRequired { .. }) => Err(visitor_failed("fresh cookie refused")),
            other => other,
        }
    }

    /// GET a platform URL sending `cookie` (a cookie a platform handed out, such as Douyin's
    /// bootstrap cookie) instead of any user cookie. It goes only to hosts of the URL's own
    /// site, never along a redirect to another one; a URL outside the known sites is refused.
    pub async fn get_with_cookie(
        &self,
        url: &str,
        profile: Profile,
        cookie: &Secret,
    ) -> Result<Response, SourceError> {
        let logical =
            url::Url::parse(url).map_err(|_| SourceError::Other("bad request URL".into()))?;
        if Site::of(&logical) == Site::Other {
            return Err(SourceError::Other(
                "no cookie may be sent to this host".into(),
            ));
        }
        self.fetch(logical, profile, Some(cookie.clone()), Body::None)
            .await
    }

    /// The token kept under `name`, unless it has expired.
    pub fn token(&self, name: &'static str) -> Option<Secret> {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        match tokens.get(name) {
            Some(t) if t.until > Instant::now() => Some(t.value.clone()),
            Some(_) => {
                tokens.remove(name);
                None
            }
            None => None,
        }
    }

    /// Keep `value` under `name` for `ttl` (replacing any earlier one).
    pub fn keep_token(&self, name: &'static str, value: Secret, ttl: Duration) {
        let until = Instant::now() + ttl;
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name, Token { value, until });
    }

    /// Drop the token under `name`, so the next request that needs one fetches it anew.
    pub fn forget_token(&self, name: &'static str) {
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
    }

    /// POST an `application/x-www-form-urlencoded` form to a platform URL: the same headers,
    /// user cookie, origin override, redirect handling, body cap and error classification as
    /// [`HttpClient::get`]. Form values are never logged (the Tieba form carries the BDUSS).
    pub async fn post_form(
        &self,
        url: &str,
        form: &[(String, String)],
        profile: Profile,
    ) -> Result<Response, SourceError> {
        let logical =
            url::Url::parse(url).map_err(|_| SourceError::Other("bad request URL".into()))?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.user_fetch(logical, profile, Body::Form(&body)).await
    }

    /// One request with the user's cookie for the URL's site (if any; cookieless profiles send
    /// none); a login wall met with a user cookie says which cookie was refused.
    async fn user_fetch(
        &self,
        logical: url::Url,
        profile: Profile,
        body: Body<'_>,
    ) -> Result<Response, SourceError> {
        let (cookie, env) = match Site::of(&logical) {
            _ if profile.cookieless() => (None, ""),
            Site::Weibo => (self.user_cookie.clone(), "RESOU_WEIBO_COOKIE"),
            Site::Baidu => (self.tieba_cookie.clone(), "RESOU_TIEBA_COOKIE"),
            Site::Zhihu => (self.zhihu_cookie.clone(), "RESOU_ZHIHU_COOKIE"),
            Site::Douyin | Site::Bilibili | Site::Other => (None, ""),
        };
        let had_cookie = cookie.is_some();
        self.fetch(logical, profile, cookie, body)
            .await
            .map_err(|e| match e {
                SourceError::LoginRequired { .. } if had_cookie => SourceError::LoginRequired {
                    hint: format!("{env} was refused (expired?)"),
                },
                e => e,
            })
    }

    /// The visitor flow (A5): genvisitor → incarnate, reading `SUB`/`SUBP` from `Set-Cookie`
    /// ourselves (under the origin override the cookie domain would never match).
    async fn visitor_flow(&self) -> Result<Visitor, SourceError> {
        let gen_url =
            self.rewrite(&url::Url::parse(GENVISITOR_URL).map_err(|_| visitor_failed("url"))?);
        let resp = self
            .client
            .post(gen_url)
            .headers(Profile::Passport.headers())
            .form(&[("cb", "gen_callback"), ("fp", VISITOR_FP)])
            .send()
            .await
            .map_err(|e| classify(&e))?;
        if !resp.status().is_success() {
            return Err(visitor_failed("genvisitor status"));
        }
        let body = self.read_body(resp).await?;
        let v = jsonp(&body).ok_or_else(|| visitor_failed("genvisitor body"))?;
        if v.get("retcode").and_then(crate::domain::num::value_i64) != Some(20_000_000) {
            return Err(visitor_failed("genvisitor retcode"));
        }
        let data = v
            .get("data")
            .ok_or_else(|| visitor_failed("genvisitor data"))?;
        let tid = data
            .get("tid")
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| visitor_failed("no tid"))?;
        let confidence = data
            .get("confidence")
            .and_then(crate::domain::num::value_i64)
            .unwrap_or(100)
            .clamp(0, 999);

        let mut inc = url::Url::parse(INCARNATE_URL).map_err(|_| visitor_failed("url"))?;
        inc.query_pairs_mut()
            .append_pair("a", "incarnate")
            .append_pair("t", tid)
            .append_pair("w", "2")
            .append_pair("c", &format!("{confidence:03}"))
            .append_pair("cb", "cross_domain")
            .append_pair("from", "weibo")
            .append_pair("_rand", &format!("{:.16}", fastrand::f64()));
        let resp = self
            .client
            .get(self.rewrite(&inc))
            .headers(Profile::Passport.headers())
            .send()
            .await
            .map_err(|e| classify(&e))?;
        if !resp.status().is_success() {
            return Err(visitor_failed("incarnate status"));
        }
        let (mut sub, mut subp) = (None, None);
        for v in resp.headers().get_all(header::SET_COOKIE) {
            match set_cookie_pair(v) {
                Some((n, val)) if n == "SUB" && !val.is_empty() => sub = Some(Secret::new(val)),
                Some((n, val)) if n == "SUBP" && !val.is_empty() => subp = Some(Secret::new(val)),
                _ => {}
            }
        }
        // Fall back to the JSONP body, which carries the same values.
        let body = self.read_body(resp).await?;
        if sub.is_none() {
            let data = jsonp(&body).and_then(|v| v.get("data").cloned());
            let field = |k: &str| {
                data.as_ref()
                    .and_then(|d| d.get(k))
                    .and_then(|s| s.as_str())
                    .filter(|s| !s.is_empty())
                    .map(Secret::new)
            };
            sub = field("sub");
            subp = subp.or_else(|| field("subp"));
        }
        let sub = sub.ok_or_else(|| visitor_failed("no SUB cookie"))?;
        tracing::debug!("visitor cookie obtained");
        Ok(Visitor { sub, subp })
    }

    /// One logical request: redirects followed by hand (each hop origin-rewritten), login
    /// targets refused. The cookie goes only to hosts of the first URL's site. A form survives
    /// 307/308; 301/302/303 turn the POST into a GET, as browsers do.
    async fn fetch(
        &self,
        mut logical: url::Url,
        profile: Profile,
        cookie: Option<Secret>,
        mut body: Body<'_>,
    ) -> Result<Response, SourceError> {
        let site = Site::of(&logical);
        for _hop in 0..=MAX_REDIRECTS {
            let target = self.rewrite(&logical);
            let mut req = match body {
                Body::None => self.client.get(target),
                Body::Form(f) => self
                    .client
                    .post(target)
                    .header(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/x-www-form-urlencoded"),
                    )
                    .body(f.to_string()),
            }
            .headers(profile.headers_for(&logical));
            if self.origin.is_some()
                && let Some(v) = logical
                    .host_str()
                    .and_then(|h| HeaderValue::from_str(h).ok())
            {
                // Under the origin override every host lands on one loopback server; it
                // routes by path, and by this header where two sites share one (`/`).
                req = req.header("X-Forwarded-Host", v);
            }
            if let Some(c) = cookie
                .as_ref()
                .filter(|_| site != Site::Other && Site::of(&logical) == site)
            {
                let mut v = HeaderValue::from_str(c.expose())
                    .map_err(|_| SourceError::Other("cookie is not a valid header value".into()))?;
                v.set_sensitive(true);
                req = req.header(header::COOKIE, v);
            }
            let method = match body {
                Body::None => "GET",
                Body::Form(_) => "POST",
            };
            let started = Instant::now();
            let resp = req.send().await.map_err(|e| classify(&e))?;
            let status = resp.status();
            tracing::debug!(path = logical.path(), status = status.as_u16(), "http");
            if !status.is_success() {
                // The early returns below skip the body; a recording still wants it.
                let headers = resp.headers().clone();
                if let Some(rec) = &self.recorder {
                    let bytes = self.read_bytes(resp).await.unwrap_or_default();
                    rec.record(Exchange {
                        at: now_cst(),
                        method,
                        url: logical.to_string(),
                        status: status.as_u16(),
                        headers: recordable_headers(&headers),
                        body: bytes,
                        elapsed: started.elapsed(),
                    });
                }
                Self::not_ok(status, &headers, &mut logical, profile, &mut body)?;
                continue;
            }
            let received_at = now_cst();
            let date = resp
                .headers()
                .get(header::DATE)
                .and_then(|d| d.to_str().ok())
                .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
                .map(|d| d.with_timezone(&cst()));
            let content_type = resp
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|c| c.to_str().ok())
                .map(str::to_string);
            let set_cookies = SetCookies::of(resp.headers());
            let headers = self
                .recorder
                .as_ref()
                .map(|_| recordable_headers(resp.headers()));
            let bytes = self.read_bytes(resp).await?;
            if let (Some(rec), Some(headers)) = (&self.recorder, headers) {
                rec.record(Exchange {
                    at: received_at,
                    method,
                    url: logical.to_string(),
                    status: status.as_u16(),
                    headers,
                    body: bytes.clone(),
                    elapsed: started.elapsed(),
                });
            }
            let body = body_text(bytes, content_type.as_deref())?;
            return Ok(Response {
                status: status.as_u16(),
                final_url: logical.to_string(),
                content_type,
                body,
                date,
                received_at,
                set_cookies,
            });
        }
        Err(SourceError::RedirectLoop)
    }

    /// A redirect or error status: the next hop to follow (`logical` and `body` updated), or
    /// the error it means.
    fn not_ok(
        status: reqwest::StatusCode,
        headers: &HeaderMap,
        logical: &mut url::Url,
        profile: Profile,
        body: &mut Body<'_>,
    ) -> Result<(), SourceError> {
        if status == reqwest::StatusCode::UNAUTHORIZED {
            // HTTP's own "authentication required": what Zhihu's API answers without a
            // cookie (more-sources.md §4); the hint names the cookie that would help.
            return Err(SourceError::LoginRequired {
                hint: login_hint(profile).into(),
            });
        }
        if !status.is_redirection() {
            return Err(SourceError::Status(status.as_u16()));
        }
        let loc = headers
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .ok_or(SourceError::Status(status.as_u16()))?;
        let next = logical
            .join(loc)
            .map_err(|_| SourceError::Other("bad redirect target".into()))?;
        if is_login_target(&next) {
            return Err(SourceError::LoginRequired {
                hint: login_hint(profile).into(),
            });
        }
        *logical = next;
        if !matches!(status.as_u16(), 307 | 308) {
            *body = Body::None;
        }
        Ok(())
    }

    async fn read_body(&self, resp: reqwest::Response) -> Result<String, SourceError> {
        let bytes = self.read_bytes(resp).await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Read the body in chunks, refusing more than `max_body` bytes.
    async fn read_bytes(&self, mut resp: reqwest::Response) -> Result<Vec<u8>, SourceError> {
        if resp
            .content_length()
            .is_some_and(|n| n > self.max_body as u64)
        {
            return Err(SourceError::TooLarge(self.max_body));
        }
        let mut buf = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| classify(&e))? {
            if buf.len() + chunk.len() > self.max_body {
                return Err(SourceError::TooLarge(self.max_body));
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf)
    }
}

/// A platform body as text. It must be valid UTF-8 (what JSON requires and every page we
/// read declares): a lossy decode would let a corrupted list through as good data, with
/// U+FFFD in its titles. Only a body declaring another charset is decoded lossily.
fn body_text(bytes: Vec<u8>, content_type: Option<&str>) -> Result<String, SourceError> {
    let other_charset = content_type.is_some_and(|ct| {
        let ct = ct.to_ascii_lowercase();
        ct.split(';')
            .filter_map(|p| p.trim().strip_prefix("charset="))
            .any(|cs| !matches!(cs.trim_matches('"'), "utf-8" | "utf8"))
    });
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) if other_charset => Ok(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        // Valid up to a character cut off at the very end: the body was cut short (with a
        // matching length the transport cannot tell), not sent in another encoding.
        Err(e) if e.utf8_error().error_len().is_none() => Err(SourceError::Decode(
            "truncated body (it ends inside a character)".into(),
        )),
        Err(_) => Err(SourceError::Decode("body is not valid UTF-8".into())),
    }
}

fn login_hint(profile: Profile) -> &'static str {
    match profile {
        Profile::Tieba | Profile::TiebaApp | Profile::TiebaClient => super::wire::TIEBA_AUTH_HINT,
        Profile::ZhihuApp
        | Profile::ListApi(Platform::Zhihu)
        | Profile::ListPage(Platform::Zhihu) => super::zhihu::ZHIHU_LOGIN_HINT,
        Profile::ListApi(p) | Profile::ListPage(p) if p != Platform::Weibo => {
            super::wire::SITE_LOGIN_HINT
        }
        Profile::DouyinApp | Profile::BilibiliApp => super::wire::SITE_LOGIN_HINT,
        _ => WEIBO_LOGIN_HINT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(origin: Option<&str>) -> HttpClient {
        let cfg = NetConfig {
            origin: origin.map(str::to_string),
            ..NetConfig::default()
        };
        HttpClient::new(&cfg).unwrap()
    }

    #[test]
    fn resolve_rewrites_platform_hosts_only() {
        let c = client(Some("http://127.0.0.1:8123"));
        assert_eq!(
            c.resolve("https://m.weibo.cn/api/container/getIndex?containerid=106003type%3D25"),
            "http://127.0.0.1:8123/api/container/getIndex?containerid=106003type%3D25"
        );
        assert_eq!(
            c.resolve("https://tieba.baidu.com/hottopic/browse/topicList"),
            "http://127.0.0.1:8123/hottopic/browse/topicList"
        );
        assert_eq!(
            c.resolve("https://passport.weibo.com/visitor/genvisitor"),
            "http://127.0.0.1:8123/visitor/genvisitor"
        );
        assert_eq!(
            c.resolve("https://example.org/x?y=1"),
            "https://example.org/x?y=1"
        );
        assert_eq!(c.resolve("https://notweibo.com/"), "https://notweibo.com/");
        let plain = client(None);
        assert_eq!(
            plain.resolve("https://weibo.com/ajax/side/hotSearch"),
            "https://weibo.com/ajax/side/hotSearch"
        );
    }

    #[test]
    fn login_targets() {
        let t = |s: &str| is_login_target(&url::Url::parse(s).unwrap());
        assert!(t(
            "https://passport.weibo.com/visitor/visitor?entry=miniblog"
        ));
        assert!(t("https://visitor.passport.weibo.cn/visitor/genvisitor"));
        assert!(t("http://127.0.0.1:9/sso/signin?x=1"));
        assert!(!t("https://s.weibo.com/top/summary"));
        assert!(t("https://passport.baidu.com/v2/?login&u=x"));
        assert!(t("https://wappass.baidu.com/static/captcha/tuxing.html"));
        assert!(!t("https://tieba.baidu.com/p/1"));
    }

    #[test]
    fn jsonp_bodies() {
        let v = jsonp(
            r#"window.gen_callback && gen_callback({"retcode":20000000,"data":{"tid":"a(b)"}});"#,
        )
        .unwrap();
        assert_eq!(v["data"]["tid"], "a(b)");
        assert!(jsonp("nothing").is_none());
    }

    #[test]
    fn bodies_must_be_utf8_unless_another_charset_is_declared() {
        let bad = b"{\"t\":\"\xff\"}".to_vec();
        let json = Some("application/json; charset=utf-8");
        assert_eq!(
            body_text(bad.clone(), json),
            Err(SourceError::Decode("body is not valid UTF-8".into()))
        );
        assert!(body_text(bad.clone(), None).is_err());
        assert_eq!(
            body_text(bad, Some("text/html; charset=GBK")).as_deref(),
            Ok("{\"t\":\"\u{fffd}\"}")
        );
        assert_eq!(
            body_text("热搜".as_bytes().to_vec(), json).as_deref(),
            Ok("热搜")
        );
        // cut inside the last character: a truncation, not another encoding
        let cut = "{\"t\":\"热搜".as_bytes();
        assert_eq!(
            body_text(cut[..cut.len() - 1].to_vec(), json),
            Err(SourceError::Decode(
                "truncated body (it ends inside a character)".into()
            ))
        );
    }

    #[test]
    fn sites_by_registrable_domain() {
        let site = |s: &str| Site::of(&url::Url::parse(s).unwrap());
        assert_eq!(site("https://m.weibo.cn/x"), Site::Weibo);
        assert_eq!(site("https://weibo.com/"), Site::Weibo);
        assert_eq!(site("https://login.douyin.com/"), Site::Douyin);
        assert_eq!(site("https://www.douyin.com/aweme/v1/"), Site::Douyin);
        assert_eq!(site("https://api.zhihu.com/topstory"), Site::Zhihu);
        assert_eq!(site("https://api.bilibili.com/x/"), Site::Bilibili);
        assert_eq!(site("https://tieba.baidu.com/"), Site::Baidu);
        // A suffix is not a subdomain; an app host of Douyin is not douyin.com.
        assert_eq!(site("https://notzhihu.com/"), Site::Other);
        assert_eq!(site("https://zhihu.com.evil.example/"), Site::Other);
        assert_eq!(site("https://aweme-lq.snssdk.com/"), Site::Other);
    }

    #[test]
    fn set_cookies_print_names_only() {
        let mut h = HeaderMap::new();
        for v in [
            "passport_csrf_token=abc123def; Path=/; Domain=douyin.com; Secure",
            "ttwid=1%7Cxyz",
            "=nameless",
            "garbage",
        ] {
            h.append(header::SET_COOKIE, HeaderValue::from_static(v));
        }
        let c = SetCookies::of(&h);
        assert_eq!(
            c.names().collect::<Vec<_>>(),
            ["passport_csrf_token", "ttwid"]
        );
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("abc123def") && !shown.contains("xyz"),
            "{shown}"
        );
        let pairs = c.pairs();
        assert_eq!(pairs[0].1.expose(), "abc123def");
        assert!(!format!("{pairs:?}").contains("abc123def"));
    }

    #[test]
    fn tokens_expire_and_are_forgotten() {
        let c = client(None);
        c.keep_token("t", Secret::new("value-one"), Duration::from_secs(60));
        assert_eq!(c.token("t").as_ref().map(Secret::expose), Some("value-one"));
        c.forget_token("t");
        assert_eq!(c.token("t"), None);
        c.keep_token("t", Secret::new("value-two"), Duration::ZERO);
        assert_eq!(c.token("t"), None, "expired at once");
        assert!(!format!("{c:?}").contains("value"));
    }

    #[test]
    fn bad_origin_is_refused() {
        let cfg = NetConfig {
            origin: Some("not a url".into()),
            ..NetConfig::default()
        };
        assert!(HttpClient::new(&cfg).is_err());
    }
}
