//! Shared helpers for integration tests.
#![allow(dead_code)] // each test crate uses a different subset

pub mod pty;

/// Serve `app` on 127.0.0.1 at a random port; returns its origin (`http://127.0.0.1:PORT`).
/// The server lives until the test's runtime ends.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

use std::time::Duration;

use resou::app::msg::AppMsg;
use resou::domain::Snapshot;
use resou::domain::snapshot_file::SnapshotLine;
use resou::replay::{ClockMode, ReplayConfig, ReplayServer};
use resou::sources::http::{HttpClient, NetConfig};
use resou::sources::{Endpoint, PollReport, SourceEvent};

/// The loopback replay server with these lists, on a manual clock.
pub async fn replay(weibo: Vec<SnapshotLine>, tieba: Vec<SnapshotLine>) -> ReplayServer {
    replay_lists([weibo, tieba].concat()).await
}

/// The loopback replay server with `lists` (any platforms), on a manual clock.
pub async fn replay_lists(lists: Vec<SnapshotLine>) -> ReplayServer {
    ReplayServer::start(ReplayConfig {
        lists,
        step: Duration::from_secs(3600),
        clock: ClockMode::Manual,
    })
    .await
    .expect("replay server on loopback")
}

/// Network settings pointing at the replay server, without user cookies.
pub fn replay_net(s: &ReplayServer) -> NetConfig {
    NetConfig {
        origin: Some(s.origin()),
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(2),
        weibo_cookie: None,
        tieba_cookie: None,
        zhihu_cookie: None,
        max_body_bytes: 4 << 20,
    }
}

/// A client pointed at the replay server, without a user cookie (it runs the visitor flow).
pub fn replay_client(s: &ReplayServer) -> HttpClient {
    HttpClient::new(&replay_net(s)).expect("client")
}

/// A successful poll report carrying `snap`, as the pollers send it.
pub fn poll_ok(snap: Snapshot, endpoint: Endpoint) -> AppMsg {
    AppMsg::Source(SourceEvent::Poll(PollReport::first_step_ok(
        snap,
        endpoint,
        Duration::from_secs(60),
    )))
}

/// A headless app with the default keymap, told its terminal is `size` with `page_rows`
/// board rows and 10 keyword rows.
pub fn app_sized(page_rows: usize, size: (u16, u16)) -> resou::app::App {
    let mut app = resou::app::App::new(resou::config::keymap::Keymap::default_map());
    app.handle(AppMsg::Resize {
        page_rows,
        keyword_rows: 10,
        size,
    });
    app
}

/// The real lists of tests/fixtures/app/lists.jsonl (two Weibo hours, two Tieba lists).
pub fn app_lists() -> Vec<SnapshotLine> {
    resou::domain::snapshot_file::read_lines(
        include_str!("../fixtures/app/lists.jsonl").as_bytes(),
        "lists.jsonl",
    )
    .expect("fixture")
}

/// The replay server with [`app_lists`], on a manual clock.
pub async fn app_lists_server() -> ReplayServer {
    let (weibo, tieba): (Vec<_>, Vec<_>) = app_lists()
        .into_iter()
        .partition(|l| l.platform == resou::domain::Platform::Weibo);
    replay(weibo, tieba).await
}

/// Every list the app polls, two snapshots each: Weibo and Tieba of [`app_lists`], the other
/// nine of the 2025-10-15 archive (tests/fixtures/app/many_lists.jsonl) and Kuaishou's two
/// reconstructed hours (tests/fixtures/kuaishou/NOTES.md).
pub fn all_lists() -> Vec<SnapshotLine> {
    use resou::domain::Platform;
    let read = |text: &str, name: &str| {
        resou::domain::snapshot_file::read_lines(text.as_bytes(), name).expect("fixture")
    };
    let mut lines = app_lists();
    lines.extend(
        read(
            include_str!("../fixtures/app/many_lists.jsonl"),
            "many_lists.jsonl",
        )
        .into_iter()
        .filter(|l| !matches!(l.platform, Platform::Weibo | Platform::Tieba)),
    );
    lines.extend(read(
        include_str!("../fixtures/kuaishou/lists.jsonl"),
        "kuaishou/lists.jsonl",
    ));
    lines.extend(read(
        include_str!("../fixtures/kuaishou/later.jsonl"),
        "kuaishou/later.jsonl",
    ));
    lines
}

/// The replay server with [`all_lists`], on a manual clock.
pub async fn all_lists_server() -> ReplayServer {
    replay_lists(all_lists()).await
}

/// Send SIGTERM to `pid` (the way systemd stops a service).
pub fn sigterm(pid: u32) {
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(ok.success(), "kill -TERM {pid}");
}

/// Run `cmd` to completion; its output, after asserting it succeeded (stderr in the message).
pub fn output_ok(cmd: &mut std::process::Command) -> std::process::Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
