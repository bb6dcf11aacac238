//! The shared HTTP client against small local servers on 127.0.0.1 (never a remote host):
//! origin rewrite, redirects, login walls, body cap, truncation, timeouts, Date → captured_at,
//! user cookie handling and the visitor-cookie flow.

use crate::support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use resou::sources::SourceError;
use resou::sources::http::{CookieState, HttpClient, NetConfig, Profile, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const USER_COOKIE: &str = "SUB=user-secret-cookie-value-123; SUBP=user-subp-xyz";

/// What the server saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path_and_query: String,
    headers: HeaderMap,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Default)]
struct Srv {
    seen: Mutex<Vec<Seen>>,
    /// Visitor SUB values handed out so far; only the latest is accepted.
    issued: Mutex<Vec<String>>,
    genvisitor_fails: bool,
}

impl Srv {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
    fn paths(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|s| s.path_and_query.split('?').next().unwrap().to_string())
            .collect()
    }
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

async fn handle(State(srv): State<Arc<Srv>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let seen = Seen {
        method: parts.method.to_string(),
        path_and_query: parts
            .uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        headers: parts.headers.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    srv.seen.lock().unwrap().push(seen.clone());
    let cookie = seen.header("cookie").unwrap_or_default().to_string();
    match parts.uri.path() {
        "/ajax/side/hotSearch" => (
            [(header::DATE, "Sat, 15 Aug 2026 04:00:00 GMT")],
            r#"{"ok":1}"#,
        )
            .into_response(),
        "/bad-date" => ([(header::DATE, "yesterday-ish")], "x").into_response(),
        "/status/403" => StatusCode::FORBIDDEN.into_response(),
        "/to-passport" => {
            redirect("https://passport.weibo.com/visitor/visitor?entry=miniblog&a=enter")
        }
        "/to-signin" => redirect("/sso/signin?entry=sso"),
        "/loop" => redirect("/loop"),
        "/hop1" => redirect("https://s.weibo.com/hop2?x=1"),
        "/hop2" => redirect("/final?z=%E6%97%BA"),
        "/final" => "done".into_response(),
        "/big" => "x".repeat(4096).into_response(),
        "/big-chunked" => {
            let chunks = (0..8).map(|_| Ok::<_, std::io::Error>(vec![b'y'; 512]));
            Body::from_stream(futures_util::stream::iter(chunks)).into_response()
        }
        "/visitor/genvisitor" => {
            if srv.genvisitor_fails || !seen.body.contains("cb=gen_callback") {
                return r#"window.gen_callback && gen_callback({"retcode":50000000,"msg":"fail"});"#
                    .into_response();
            }
            r#"window.gen_callback && gen_callback({"retcode":20000000,"msg":"succ","data":{"tid":"tid+abc/=","new_tid":true,"confidence":95}});"#.into_response()
        }
        "/visitor/visitor" => {
            let q = parts.uri.query().unwrap_or_default();
            if !(q.contains("a=incarnate")
                && q.contains("t=tid%2Babc%2F%3D")
                && q.contains("c=095"))
            {
                return StatusCode::BAD_REQUEST.into_response();
            }
            let mut issued = srv.issued.lock().unwrap();
            let sub = format!("visitor-sub-{}", issued.len() + 1);
            issued.push(sub.clone());
            let mut h = HeaderMap::new();
            h.append(
                header::SET_COOKIE,
                format!("SUB={sub}; expires=Sun, 16-Aug-2026 04:00:00 GMT; path=/; domain=.weibo.com; httponly")
                    .parse()
                    .unwrap(),
            );
            h.append(
                header::SET_COOKIE,
                "SUBP=visitor-subp; path=/; domain=.weibo.com"
                    .parse()
                    .unwrap(),
            );
            let body = format!(
                r#"window.cross_domain && cross_domain({{"retcode":20000000,"msg":"succ","data":{{"sub":"{sub}","subp":"visitor-subp"}}}});"#
            );
            (h, body).into_response()
        }
        "/top/summary" => {
            let latest = srv.issued.lock().unwrap().last().cloned();
            match latest {
                Some(sub) if cookie.contains(&format!("SUB={sub}")) => {
                    "<html>table</html>".into_response()
                }
                _ => redirect("https://passport.weibo.com/visitor/visitor?entry=miniblog"),
            }
        }
        "/hottopic/browse/topicList" => r#"{"errno":0}"#.into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn server(srv: Srv) -> (String, Arc<Srv>) {
    let srv = Arc::new(srv);
    let origin = support::serve(Router::new().fallback(handle).with_state(Arc::clone(&srv))).await;
    (origin, srv)
}

fn config(origin: &str) -> NetConfig {
    NetConfig {
        origin: Some(origin.to_string()),
        timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        weibo_cookie: None,
        tieba_cookie: None,
        zhihu_cookie: None,
        max_body_bytes: 1024,
    }
}

fn client(origin: &str) -> HttpClient {
    HttpClient::new(&config(origin)).unwrap()
}

#[tokio::test]
async fn origin_rewrite_keeps_path_query_and_sends_profile_headers() {
    let (origin, srv) = server(Srv::default()).await;
    let c = client(&origin);
    let r = c
        .get(
            "https://weibo.com/ajax/side/hotSearch?a=1&b=%E6%97%BA",
            Profile::WeiboAjax,
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.body, r#"{"ok":1}"#);
    let s = &srv.seen()[0];
    assert_eq!(s.path_and_query, "/ajax/side/hotSearch?a=1&b=%E6%97%BA");
    assert_eq!(s.header("referer"), Some("https://weibo.com/"));
    assert_eq!(s.header("accept-language"), Some("zh-CN,zh;q=0.9"));
    assert!(s.header("user-agent").unwrap().contains("Chrome/"));
    assert_eq!(s.header("cookie"), None, "no cookie held, none sent");

    c.get(
        "https://m.weibo.cn/api/container/getIndex?containerid=106003type%3D25",
        Profile::WeiboAjax,
    )
    .await
    .unwrap_err();
    let s = srv.seen().pop().unwrap();
    assert_eq!(
        s.path_and_query,
        "/api/container/getIndex?containerid=106003type%3D25"
    );

    c.get(
        "https://tieba.baidu.com/hottopic/browse/topicList",
        Profile::Tieba,
    )
    .await
    .unwrap();
    let s = srv.seen().pop().unwrap();
    assert_eq!(s.header("referer"), Some("https://tieba.baidu.com/"));
}

#[tokio::test]
async fn date_header_becomes_captured_at() {
    let (origin, _srv) = server(Srv::default()).await;
    let c = client(&origin);
    let r = c
        .get("https://weibo.com/ajax/side/hotSearch", Profile::WeiboAjax)
        .await
        .unwrap();
    assert_eq!(r.captured_at().to_rfc3339(), "2026-08-15T12:00:00+08:00");

    let before = chrono::Utc::now();
    let r = c
        .get("https://weibo.com/bad-date", Profile::WeiboAjax)
        .await
        .unwrap();
    let after = chrono::Utc::now();
    assert_eq!(r.date, None);
    let t = r.captured_at();
    assert_eq!(
        t.offset().local_minus_utc(),
        8 * 3600,
        "local clock, in CST"
    );
    assert!(t >= before && t <= after);
}

#[tokio::test]
async fn redirects_are_followed_by_hand_and_rewritten() {
    let (origin, srv) = server(Srv::default()).await;
    let c = client(&origin);
    let r = c
        .get("https://s.weibo.com/hop1", Profile::WeiboAjax)
        .await
        .unwrap();
    assert_eq!(r.body, "done");
    assert_eq!(r.final_url, "https://s.weibo.com/final?z=%E6%97%BA");
    assert_eq!(srv.paths(), ["/hop1", "/hop2", "/final"]);

    assert_eq!(
        c.get("https://s.weibo.com/loop", Profile::WeiboAjax)
            .await
            .unwrap_err(),
        SourceError::RedirectLoop
    );
    assert_eq!(
        srv.paths().iter().filter(|p| *p == "/loop").count(),
        6,
        "the first request and five hops"
    );
}

#[tokio::test]
async fn passport_redirects_are_login_required() {
    let (origin, srv) = server(Srv::default()).await;
    let c = client(&origin);
    for path in ["/to-passport", "/to-signin"] {
        match c
            .get(&format!("https://weibo.com{path}"), Profile::WeiboAjax)
            .await
        {
            Err(SourceError::LoginRequired { hint }) => {
                assert!(hint.contains("RESOU_WEIBO_COOKIE"))
            }
            other => panic!("{path}: {other:?}"),
        }
    }
    assert_eq!(
        srv.paths(),
        ["/to-passport", "/to-signin"],
        "neither the login page nor the visitor flow is requested for A1"
    );
    assert_eq!(
        c.get("https://weibo.com/status/403", Profile::WeiboAjax)
            .await
            .unwrap_err(),
        SourceError::Status(403)
    );
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused() {
    let (origin, _srv) = server(Srv::default()).await;
    let c = client(&origin);
    for path in ["/big", "/big-chunked"] {
        assert_eq!(
            c.get(&format!("https://weibo.com{path}"), Profile::WeiboAjax)
                .await
                .unwrap_err(),
            SourceError::TooLarge(1024),
            "{path}"
        );
    }
}

/// A raw server that answers every connection with `reply` and then closes (or stalls).
async fn raw_server(reply: &'static [u8], stall: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let _ = sock.write_all(reply).await;
                if stall {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn truncated_body_timeout_and_connect_errors() {
    let origin = raw_server(
        b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\nContent-Type: application/json\r\n\r\n{\"ok\":1,\"da",
        false,
    )
    .await;
    match client(&origin)
        .get("https://weibo.com/x", Profile::WeiboAjax)
        .await
    {
        Err(SourceError::Decode(msg)) => assert!(msg.contains("cut off"), "{msg}"),
        other => panic!("{other:?}"),
    }

    let origin = raw_server(b"", true).await;
    let mut cfg = config(&origin);
    cfg.timeout = Duration::from_millis(300);
    let c = HttpClient::new(&cfg).unwrap();
    assert_eq!(
        c.get("https://weibo.com/x", Profile::WeiboAjax)
            .await
            .unwrap_err(),
        SourceError::Timeout
    );

    // A port that was just free: nothing listens there.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    match client(&format!("http://127.0.0.1:{port}"))
        .get("https://weibo.com/x", Profile::WeiboAjax)
        .await
    {
        Err(SourceError::Connect(msg)) => assert!(msg.len() <= 80 && !msg.contains("weibo")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn user_cookie_is_sent_to_weibo_only_and_never_printed() {
    let (origin, srv) = server(Srv::default()).await;
    let mut cfg = config(&origin);
    cfg.weibo_cookie = Some(Secret::new(USER_COOKIE));
    let c = HttpClient::new(&cfg).unwrap();
    assert_eq!(c.cookie_state().await, CookieState::User);

    c.get("https://weibo.com/ajax/side/hotSearch", Profile::WeiboAjax)
        .await
        .unwrap();
    assert_eq!(srv.seen()[0].header("cookie"), Some(USER_COOKIE));
    // The user cookie wins over the visitor flow: no passport call for A4.
    c.get(
        "https://s.weibo.com/top/summary?cate=realtimehot",
        Profile::WeiboHtml,
    )
    .await
    .unwrap_err();
    c.get(
        "https://tieba.baidu.com/hottopic/browse/topicList",
        Profile::Tieba,
    )
    .await
    .unwrap();
    let tieba = srv.seen().pop().unwrap();
    assert_eq!(
        tieba.header("cookie"),
        None,
        "Weibo cookie never goes to Tieba"
    );
    assert!(!srv.paths().iter().any(|p| p.starts_with("/visitor/")));

    let errors = [
        c.get("https://weibo.com/status/403", Profile::WeiboAjax)
            .await
            .unwrap_err(),
        c.get("https://weibo.com/to-passport", Profile::WeiboAjax)
            .await
            .unwrap_err(),
    ];
    assert!(
        matches!(&errors[1], SourceError::LoginRequired { hint } if hint.contains("RESOU_WEIBO_COOKIE"))
    );
    let printed = format!("{errors:?} {:?} {cfg:?} {c:?} {}", errors[1], errors[1]);
    for secret in ["user-secret-cookie-value-123", "user-subp-xyz"] {
        assert!(!printed.contains(secret), "cookie leaked: {printed}");
    }
}

#[tokio::test]
async fn visitor_flow_sets_and_then_sends_sub() {
    let (origin, srv) = server(Srv::default()).await;
    let c = client(&origin);
    assert_eq!(c.cookie_state().await, CookieState::None);
    let r = c
        .get(
            "https://s.weibo.com/top/summary?cate=realtimehot",
            Profile::WeiboHtml,
        )
        .await
        .unwrap();
    assert_eq!(r.body, "<html>table</html>");
    assert_eq!(
        srv.paths(),
        ["/visitor/genvisitor", "/visitor/visitor", "/top/summary"]
    );
    let seen = srv.seen();
    assert_eq!(seen[0].method, "POST");
    assert!(seen[0].body.contains("cb=gen_callback") && seen[0].body.contains("fp="));
    assert!(
        seen[1].path_and_query.contains("cb=cross_domain")
            && seen[1].path_and_query.contains("_rand=")
    );
    assert_eq!(
        seen[2].header("cookie"),
        Some("SUB=visitor-sub-1; SUBP=visitor-subp")
    );
    assert_eq!(c.cookie_state().await, CookieState::Visitor);

    // A3 reuses the held cookie (no new flow) and sends the mobile headers.
    c.get(
        "https://m.weibo.cn/api/container/getIndex?containerid=106003type%3D25",
        Profile::WeiboMobile,
    )
    .await
    .unwrap_err();
    let m = srv.seen().pop().unwrap();
    assert_eq!(
        m.header("cookie"),
        Some("SUB=visitor-sub-1; SUBP=visitor-subp")
    );
    assert_eq!(m.header("mweibo-pwa"), Some("1"));
    assert_eq!(m.header("x-requested-with"), Some("XMLHttpRequest"));
    assert_eq!(
        m.header("referer"),
        Some("https://s.weibo.com/top/summary?cate=realtimehot")
    );
    assert!(m.header("user-agent").unwrap().contains("iPhone"));
    assert_eq!(srv.issued.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn expired_visitor_cookie_is_renewed_once() {
    let (origin, srv) = server(Srv::default()).await;
    let c = client(&origin);
    let url = "https://s.weibo.com/top/summary?cate=realtimehot";
    c.get(url, Profile::WeiboHtml).await.unwrap();
    // The server expires visitor-sub-1 by issuing another one elsewhere.
    srv.issued.lock().unwrap().push("someone-else".into());
    // Our request with sub-1 is redirected to passport; the client renews (sub-3) and retries once.
    let r = c.get(url, Profile::WeiboHtml).await.unwrap();
    assert_eq!(r.body, "<html>table</html>");
    let last = srv.seen().pop().unwrap();
    assert_eq!(
        last.header("cookie"),
        Some("SUB=visitor-sub-3; SUBP=visitor-subp")
    );

    // After forget, the next request runs the flow again before asking.
    c.forget_visitor_cookie().await;
    let n = srv.paths().len();
    c.get(url, Profile::WeiboHtml).await.unwrap();
    assert_eq!(
        srv.paths()[n..],
        ["/visitor/genvisitor", "/visitor/visitor", "/top/summary"]
    );
}

#[tokio::test]
async fn failed_visitor_flow_is_login_required() {
    let (origin, srv) = server(Srv {
        genvisitor_fails: true,
        ..Srv::default()
    })
    .await;
    let c = client(&origin);
    match c
        .get(
            "https://s.weibo.com/top/summary?cate=realtimehot",
            Profile::WeiboHtml,
        )
        .await
    {
        Err(SourceError::LoginRequired { hint }) => assert!(hint.contains("RESOU_WEIBO_COOKIE")),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        srv.paths(),
        ["/visitor/genvisitor"],
        "the page is not asked without a cookie"
    );
    assert_eq!(c.cookie_state().await, CookieState::None);
}
