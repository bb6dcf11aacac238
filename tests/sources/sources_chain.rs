//! The fallback chain and the poller against a tiny local server (127.0.0.1 only).

use crate::support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use resou::domain::Platform;
use resou::sources::chain::Chain;
use resou::sources::http::{HttpClient, NetConfig};
use resou::sources::{
    Endpoint, PollOutcome, SourceCmd, SourceError, SourceEvent, SourcesConfig, StepAttempt, poller,
};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/sources/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap()
}

#[derive(Default)]
struct Srv {
    /// Serve A3 successfully (else 432 like an expired mobile cookie).
    mobile_ok: bool,
    paths: Mutex<Vec<String>>,
}

async fn handle(State(srv): State<Arc<Srv>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    srv.paths.lock().unwrap().push(path.clone());
    match path.as_str() {
        // A1: an HTML page where JSON was expected
        "/ajax/side/hotSearch" => "<html><body>upgrade your browser</body></html>".into_response(),
        // A4: forbidden
        "/top/summary" => StatusCode::FORBIDDEN.into_response(),
        "/api/container/getIndex" if srv.mobile_ok => (
            [(header::DATE, "Tue, 28 Apr 2020 15:43:52 GMT")],
            fixture("a3_mobile_envelope.json"),
        )
            .into_response(),
        "/api/container/getIndex" => StatusCode::from_u16(432).unwrap().into_response(),
        "/visitor/genvisitor" => {
            r#"gen_callback({"retcode":20000000,"data":{"tid":"t","confidence":100}});"#
                .into_response()
        }
        "/visitor/visitor" => (
            [(header::SET_COOKIE, "SUB=s; domain=.weibo.com")],
            "cross_domain({});",
        )
            .into_response(),
        "/hottopic/browse/topicList" => {
            r#"{"errno":0,"data":{"bang_topic":{"topic_list":[]}}}"#.into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn server(srv: Srv) -> (String, Arc<Srv>) {
    let srv = Arc::new(srv);
    let origin = support::serve(Router::new().fallback(handle).with_state(Arc::clone(&srv))).await;
    (origin, srv)
}

fn net(origin: &str) -> NetConfig {
    NetConfig {
        origin: Some(origin.to_string()),
        ..NetConfig::default()
    }
}

#[tokio::test]
async fn weibo_chain_falls_back_to_the_first_working_step() {
    let (origin, _srv) = server(Srv {
        mobile_ok: true,
        ..Srv::default()
    })
    .await;
    let client = HttpClient::new(&net(&origin)).unwrap();
    let (outcome, attempts) = Chain::for_platform(Platform::Weibo).poll(&client).await;
    assert_eq!(
        attempts,
        [
            StepAttempt {
                endpoint: Endpoint::WeiboHotSearch,
                error: Some(SourceError::WrongBody("HTML page".into()))
            },
            StepAttempt {
                endpoint: Endpoint::WeiboSummaryHtml,
                error: Some(SourceError::Status(403))
            },
            StepAttempt {
                endpoint: Endpoint::WeiboMobile,
                error: None
            },
        ]
    );
    let PollOutcome::Ok { snapshot, endpoint } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(endpoint, Endpoint::WeiboMobile);
    assert_eq!(snapshot.ranked[0].title.as_str(), "林奕含去世三周年");
    assert_eq!(
        snapshot.captured_at.to_rfc3339(),
        "2020-04-28T23:43:52+08:00",
        "the server's Date, in CST"
    );
}

#[tokio::test]
async fn all_steps_failing_reports_the_most_telling_error() {
    let (origin, _srv) = server(Srv::default()).await;
    let client = HttpClient::new(&net(&origin)).unwrap();
    let (outcome, attempts) = Chain::for_platform(Platform::Weibo).poll(&client).await;
    assert_eq!(attempts.len(), 3);
    assert!(attempts.iter().all(|a| a.error.is_some()));
    assert_eq!(
        outcome,
        PollOutcome::Failed {
            error: SourceError::Status(432)
        },
        "an HTTP status tells more than a wrong body, and 432 (cookies) more than 403"
    );

    let (outcome, _) = Chain::for_platform(Platform::Tieba).poll(&client).await;
    assert_eq!(
        outcome,
        PollOutcome::Failed {
            error: SourceError::Empty
        }
    );
}

#[tokio::test]
async fn poller_reports_polls_backs_off_and_obeys_commands() {
    let (origin, srv) = server(Srv::default()).await;
    let cfg = SourcesConfig {
        intervals: Default::default(),
        platforms: vec![Platform::Tieba],
        interval: Duration::from_secs(3600),
        max_backoff: Duration::from_secs(4 * 3600),
        net: net(&origin),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    let handle = poller::spawn(cfg, tx).unwrap();

    // First poll happens at once; Tieba's list is empty so it fails with back-off.
    let Some(SourceEvent::Poll(first)) = rx.recv().await else {
        panic!("no poll report");
    };
    assert_eq!(first.platform, Platform::Tieba);
    assert_eq!(first.failures, 1);
    assert!(matches!(
        first.outcome,
        PollOutcome::Failed {
            error: SourceError::Empty
        }
    ));
    assert!(
        first.next_in >= Duration::from_secs(3240) && first.next_in <= Duration::from_secs(3960)
    );

    // RefreshNow polls again long before the hour is up, with back-off reset.
    handle.send(SourceCmd::RefreshNow);
    let Some(SourceEvent::Poll(second)) = rx.recv().await else {
        panic!("no poll report");
    };
    assert_eq!(second.failures, 1, "reset, then one failure");

    // Paused: RefreshNow still polls once on request.
    handle.send(SourceCmd::SetPaused(true));
    handle.send(SourceCmd::RefreshNow);
    let Some(SourceEvent::Poll(third)) = rx.recv().await else {
        panic!("no poll report");
    };
    assert_eq!(third.failures, 1);
    assert_eq!(
        srv.paths
            .lock()
            .unwrap()
            .iter()
            .filter(|p| *p == "/hottopic/browse/topicList")
            .count(),
        3
    );

    handle.shutdown().await;
    assert!(
        rx.recv().await.is_none(),
        "tasks ended and dropped their senders"
    );
}
