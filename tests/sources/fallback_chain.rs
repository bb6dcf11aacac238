//! The Weibo fallback chain and the pollers against the loopback replay server with
//! injected faults: the real HTTP client, parsers and poller, on loopback only.

use crate::support;

use std::time::Duration;

use resou::app::App;
use resou::app::msg::AppMsg;
use resou::config::keymap::Keymap;
use resou::domain::Platform;
use resou::replay::{Fault, ReplayServer, Route};
use resou::sources::http::{NetConfig, Secret};
use resou::sources::poller::{self, SourcesHandle};
use resou::sources::{
    Endpoint, PollOutcome, PollReport, SourceCmd, SourceError, SourceEvent, SourcesConfig,
};
use tokio::sync::mpsc;

async fn server() -> ReplayServer {
    support::app_lists_server().await
}

struct Pollers {
    handle: SourcesHandle,
    rx: mpsc::Receiver<SourceEvent>,
}

impl Pollers {
    /// Pollers with a long interval: only the first poll and explicit refreshes happen.
    fn start(server: &ReplayServer, platforms: &[Platform], cookie: Option<&str>) -> Pollers {
        let cfg = SourcesConfig {
            intervals: Default::default(),
            platforms: platforms.to_vec(),
            interval: Duration::from_secs(3600),
            max_backoff: Duration::from_secs(7200),
            net: NetConfig {
                origin: Some(server.origin()),
                timeout: Duration::from_secs(5),
                connect_timeout: Duration::from_secs(2),
                weibo_cookie: cookie.map(Secret::new),
                tieba_cookie: None,
                zhihu_cookie: None,
                max_body_bytes: 1 << 20,
            },
        };
        let (tx, rx) = mpsc::channel(16);
        Pollers {
            handle: poller::spawn(cfg, tx).expect("pollers"),
            rx,
        }
    }

    async fn next(&mut self) -> PollReport {
        match tokio::time::timeout(Duration::from_secs(20), self.rx.recv()).await {
            Ok(Some(SourceEvent::Poll(r))) => r,
            other => panic!("no poll report: {other:?}"),
        }
    }

    async fn refresh(&mut self) -> PollReport {
        self.handle.send(SourceCmd::RefreshNow);
        self.next().await
    }
}

fn endpoint(r: &PollReport) -> Option<Endpoint> {
    match &r.outcome {
        PollOutcome::Ok { endpoint, .. } => Some(*endpoint),
        PollOutcome::Failed { .. } => None,
    }
}

fn steps(r: &PollReport) -> Vec<(Endpoint, Option<SourceError>)> {
    r.attempts
        .iter()
        .map(|a| (a.endpoint, a.error.clone()))
        .collect()
}

#[tokio::test]
async fn first_step_serves_real_titles_with_archive_time() {
    let server = server().await;
    let mut p = Pollers::start(&server, &[Platform::Weibo, Platform::Tieba], None);
    let mut seen = Vec::new();
    for _ in 0..2 {
        let r = p.next().await;
        let PollOutcome::Ok { snapshot, .. } = &r.outcome else {
            panic!("{:?}", r.outcome)
        };
        let expected = server.current(r.platform).expect("served list");
        assert_eq!(
            snapshot.captured_at, expected.captured_at,
            "Date header carries the capture time"
        );
        let served: Vec<&str> = expected
            .items
            .iter()
            .filter(|i| !i.pinned)
            .map(|i| i.title.as_str())
            .collect();
        let got: Vec<&str> = snapshot.ranked.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(
            got, served,
            "{} titles and order survive the wire",
            r.platform
        );
        seen.push((r.platform, endpoint(&r)));
    }
    seen.sort_by_key(|(p, _)| *p);
    assert_eq!(
        seen,
        vec![
            (Platform::Weibo, Some(Endpoint::WeiboHotSearch)),
            (Platform::Tieba, Some(Endpoint::TiebaTopicList))
        ]
    );
    assert_eq!(
        server.hits(Route::Summary),
        0,
        "later steps untouched while the first works"
    );
}

#[tokio::test]
async fn each_failing_step_falls_through_to_the_next() {
    let server = server().await;
    let cases: Vec<(Fault, SourceError)> = vec![
        (Fault::Status(403), SourceError::Status(403)),
        (Fault::Status(432), SourceError::Status(432)),
        (Fault::EmptyList, SourceError::Empty),
        (
            Fault::Envelope(-100),
            SourceError::LoginRequired {
                hint: String::new(),
            },
        ),
        (
            Fault::HtmlInsteadOfJson,
            SourceError::WrongBody(String::new()),
        ),
        (Fault::Truncated, SourceError::Decode(String::new())),
        (
            Fault::LoginRedirect,
            SourceError::LoginRequired {
                hint: String::new(),
            },
        ),
    ];
    let mut p = Pollers::start(&server, &[Platform::Weibo], None);
    assert_eq!(endpoint(&p.next().await), Some(Endpoint::WeiboHotSearch));
    for (fault, expected) in cases {
        server.clear_faults();
        server.set_fault(Route::HotSearch, fault.clone());
        let r = p.refresh().await;
        assert_eq!(
            endpoint(&r),
            Some(Endpoint::WeiboSummaryHtml),
            "{fault:?}: A4 takes over"
        );
        let (first, err) = steps(&r)[0].clone();
        assert_eq!(first, Endpoint::WeiboHotSearch);
        let err = err.expect("first step failed");
        assert_eq!(
            std::mem::discriminant(&err),
            std::mem::discriminant(&expected),
            "{fault:?} → {err:?}"
        );
    }
    // A4 needs a SUB cookie: the client ran the visitor flow once and reused the cookie.
    assert_eq!(server.hits(Route::GenVisitor), 1);
    assert_eq!(server.hits(Route::Incarnate), 1);

    // A1 and A4 both fail: the mobile endpoint is the last resort.
    server.clear_faults();
    server.set_fault(Route::HotSearch, Fault::Status(418));
    server.set_fault(Route::Summary, Fault::Status(432));
    let r = p.refresh().await;
    assert_eq!(endpoint(&r), Some(Endpoint::WeiboMobile));
    assert_eq!(
        steps(&r).into_iter().map(|(_, e)| e).collect::<Vec<_>>(),
        vec![
            Some(SourceError::Status(418)),
            Some(SourceError::Status(432)),
            None
        ]
    );
}

#[tokio::test]
async fn all_steps_failing_keeps_last_good_data_then_recovers() {
    let server = server().await;
    let mut p = Pollers::start(&server, &[Platform::Weibo], None);
    let mut app = App::new(Keymap::default_map());
    app.handle(AppMsg::Resize {
        page_rows: 20,
        keyword_rows: 10,
        size: (120, 40),
    });
    let good = p.next().await;
    let good_at = match &good.outcome {
        PollOutcome::Ok { snapshot, .. } => snapshot.captured_at,
        other => panic!("{other:?}"),
    };
    app.handle(AppMsg::Source(SourceEvent::Poll(good)));
    let rows = app.state.board.rows.clone();
    assert!(rows.len() > 40);

    server.set_fault(Route::HotSearch, Fault::Status(403));
    server.set_fault(Route::Summary, Fault::Status(432));
    server.set_fault(Route::Mobile, Fault::Status(432));
    server.advance(); // the server moves on, but the client can't see it
    let bad = p.refresh().await;
    let PollOutcome::Failed { error } = &bad.outcome else {
        panic!("{:?}", bad.outcome)
    };
    assert_eq!(
        error,
        &SourceError::Status(432),
        "the most telling error is reported"
    );
    assert_eq!(bad.failures, 1);
    assert!(
        bad.next_in > Duration::from_secs(3000),
        "back-off applied: {:?}",
        bad.next_in
    );
    app.handle(AppMsg::Source(SourceEvent::Poll(bad)));
    assert_eq!(app.state.board.rows, rows, "last good data stays on screen");
    let h = &app.state.lists.health[&Platform::Weibo];
    assert_eq!(h.error.as_deref(), Some("HTTP 432"));
    assert_eq!(h.data_at, Some(good_at));

    server.clear_faults();
    let ok = p.refresh().await;
    assert_eq!(ok.failures, 0);
    assert_eq!(endpoint(&ok), Some(Endpoint::WeiboHotSearch));
    app.handle(AppMsg::Source(SourceEvent::Poll(ok)));
    assert_eq!(
        app.state.lists.health[&Platform::Weibo].error,
        None,
        "recovered on the first good poll"
    );
    assert_ne!(app.state.board.rows, rows, "the newer list is shown");
}

#[tokio::test]
async fn user_cookie_takes_precedence_over_the_visitor_flow() {
    let server = server().await;
    server.accept_cookie("user-sub-value".into());
    server.set_fault(Route::HotSearch, Fault::Status(403));
    let mut p = Pollers::start(
        &server,
        &[Platform::Weibo],
        Some("SUB=user-sub-value; SUBP=x"),
    );
    let r = p.next().await;
    assert_eq!(endpoint(&r), Some(Endpoint::WeiboSummaryHtml));
    assert_eq!(
        server.hits(Route::GenVisitor),
        0,
        "no visitor cookie needed"
    );
    let headers = server.last_headers(Route::Summary).expect("A4 was asked");
    let cookie = headers
        .get("cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(cookie.contains("SUB=user-sub-value"), "{cookie}");
}

#[tokio::test]
async fn expired_visitor_cookie_is_renewed() {
    let server = server().await;
    server.set_fault(Route::HotSearch, Fault::Status(403));
    let mut p = Pollers::start(&server, &[Platform::Weibo], None);
    assert_eq!(endpoint(&p.next().await), Some(Endpoint::WeiboSummaryHtml));
    server.expire_visitor_cookies();
    let r = p.refresh().await;
    assert_eq!(
        endpoint(&r),
        Some(Endpoint::WeiboSummaryHtml),
        "renewed and retried"
    );
    assert_eq!(server.hits(Route::GenVisitor), 2);
}

#[tokio::test]
async fn tieba_faults_and_pause() {
    let server = server().await;
    let mut p = Pollers::start(&server, &[Platform::Tieba], None);
    assert_eq!(endpoint(&p.next().await), Some(Endpoint::TiebaTopicList));
    for (fault, expected) in [
        (Fault::Envelope(110001), "platform error 110001"),
        (Fault::Status(500), "HTTP 500"),
        (Fault::EmptyList, "empty list"),
    ] {
        server.set_fault(Route::TiebaTopicList, fault);
        let r = p.refresh().await;
        let PollOutcome::Failed { error } = &r.outcome else {
            panic!("{:?}", r.outcome)
        };
        assert!(error.to_string().starts_with(expected), "{error}");
    }
    server.clear_faults();
    p.handle.send(SourceCmd::SetPaused(true));
    let r = p.refresh().await; // an explicit refresh still polls once while paused
    assert_eq!(endpoint(&r), Some(Endpoint::TiebaTopicList));
    let hits = server.hits(Route::TiebaTopicList);
    p.handle.send(SourceCmd::SetPaused(false));
    let r = p.refresh().await;
    assert_eq!(r.failures, 0);
    assert_eq!(server.hits(Route::TiebaTopicList), hits + 1);
}
