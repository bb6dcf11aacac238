//! The drill fetcher's manners against the replay server: requests to one host are spaced
//! by at least `min_gap`, a cached page is answered without a request, reload bypasses the
//! cache, and leaving a view drops its waiting requests.

use crate::support;

use std::sync::Arc;
use std::time::Duration;

use resou::domain::post::{DrillRequest, PostTab};
use resou::replay::{ReplayServer, Route};
use resou::sources::SourceEvent;
use resou::sources::drill::{DrillFetcherConfig, spawn_drill_fetcher};
use tokio::sync::mpsc;

const TOPIC: &str = "#原来活体器官运输不是专门的飞机#";

fn posts(page: u32) -> DrillRequest {
    DrillRequest::WeiboPosts {
        query: TOPIC.into(),
        tab: PostTab::Realtime,
        page,
    }
}

async fn setup(
    gap: Duration,
) -> (
    ReplayServer,
    resou::sources::drill::DrillHandle,
    mpsc::Receiver<SourceEvent>,
) {
    let server = support::replay(Vec::new(), Vec::new()).await;
    // A user cookie the server accepts: every request takes the same path (no visitor flow on
    // the first), so arrival times at the server track the fetcher's start times.
    server.accept_cookie("drill-test".into());
    let client = resou::sources::http::HttpClient::new(&resou::sources::http::NetConfig {
        weibo_cookie: Some(resou::sources::http::Secret::new("SUB=drill-test")),
        ..support::replay_net(&server)
    })
    .expect("client");
    let (tx, rx) = mpsc::channel(16);
    let cfg = DrillFetcherConfig {
        min_gap: gap,
        jitter: Duration::ZERO,
        ..DrillFetcherConfig::default()
    };
    let handle = spawn_drill_fetcher(Arc::new(client), cfg, tx);
    (server, handle, rx)
}

/// The next drill answer: (id, request, number of items).
async fn next(rx: &mut mpsc::Receiver<SourceEvent>) -> (u64, DrillRequest, usize) {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), rx.recv()).await {
            Ok(Some(SourceEvent::Drill {
                id,
                request,
                result,
            })) => {
                let n = result.expect("page loads").items.len();
                return (id, request, n);
            }
            Ok(Some(_)) => continue,
            other => panic!("no drill answer: {other:?}"),
        }
    }
}

#[tokio::test]
async fn pages_are_spaced_cached_reloaded_and_cancelled() {
    let gap = Duration::from_millis(500);
    let (server, drill, mut rx) = setup(gap).await;

    // Three pages asked at once go out one gap apart.
    for p in 1..=3 {
        drill.request(1, posts(p));
    }
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(next(&mut rx).await);
    }
    assert_eq!(
        got.iter().map(|g| g.1.clone()).collect::<Vec<_>>(),
        vec![posts(1), posts(2), posts(3)]
    );
    assert!(got.iter().all(|g| g.0 == 1 && g.2 == 10));
    let times = server.hit_times(Route::WeiboPosts);
    assert_eq!(times.len(), 3);
    // Starts are spaced by `gap`; arrival at the server can shift by loopback latency either
    // way, more on a loaded CI machine. Unspaced requests would arrive milliseconds apart.
    let slack = Duration::from_millis(150);
    for w in times.windows(2) {
        assert!(
            w[1] - w[0] + slack >= gap,
            "requests {:?} apart",
            w[1] - w[0]
        );
    }

    // Page 1 again: from the cache, no request.
    drill.request(2, posts(1));
    assert_eq!(next(&mut rx).await, (2, posts(1), 10));
    assert_eq!(server.hit_times(Route::WeiboPosts).len(), 3);

    // Reload: a real request.
    drill.reload(2, posts(1));
    assert_eq!(next(&mut rx).await, (2, posts(1), 10));
    assert_eq!(server.hit_times(Route::WeiboPosts).len(), 4);

    // A view left before its turn: its waiting requests never go out. The one after it does.
    drill.request(3, posts(4)); // in flight (or waiting for its slot)
    drill.request(3, posts(5)); // waiting
    drill.request(
        4,
        DrillRequest::WeiboComments {
            mid: "5332222609720246".into(),
            max_id: None,
            max_id_type: 0,
        },
    );
    drill.cancel(3);
    let (id, req, _) = next(&mut rx).await;
    assert_eq!(id, 4, "answers for the left view are dropped: {req:?}");
    assert!(matches!(req, DrillRequest::WeiboComments { .. }));
    assert!(
        server.hit_times(Route::WeiboPosts).len() <= 5,
        "page 5 never requested"
    );
    assert_eq!(drill.waiting(), 0);
}
