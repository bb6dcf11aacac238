//! `resou snapshot` end to end: the built binary polls the loopback replay server (manual
//! clock, fixture lists) through the real fallback chains; output compared with goldens.

use crate::headless;
use crate::support;

use headless::{golden, lists, resou, stderr, stdout};
use resou::replay::{Fault, ReplayServer, Route};

async fn server() -> ReplayServer {
    support::replay(lists("weibo.jsonl"), lists("tieba.jsonl")).await
}

async fn snapshot(s: &ReplayServer, format: &str) -> std::process::Output {
    resou(
        &[
            "snapshot",
            "--origin",
            &s.origin(),
            "--platform",
            "weibo,tieba",
            "--format",
            format,
        ],
        &[],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_csv_and_table_match_their_goldens() {
    let s = server().await;
    for (format, file) in [
        ("json", "snapshot.json"),
        ("csv", "snapshot.csv"),
        ("table", "snapshot.txt"),
    ] {
        let out = snapshot(&s, format).await;
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{format}: nothing failed, nothing to say");
        golden(file, &stdout(&out));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_carries_the_served_lists_item_for_item() {
    let s = server().await;
    let out = snapshot(&s, "json").await;
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let got = doc["lists"].as_array().expect("lists");
    assert_eq!(got.len(), 2);
    for (list, platform) in got.iter().zip(["weibo", "tieba"]) {
        let p = resou::domain::Platform::parse(platform).expect("platform");
        let served = s.current(p).expect("served list");
        assert_eq!(list["platform"], platform);
        assert_eq!(list["captured_at"], served.captured_at.to_rfc3339());
        // Every served title comes back in order, through the wire format and the parser.
        let titles: Vec<&str> = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["title"].as_str())
            .collect();
        let snap = served.to_snapshot();
        let expected: Vec<&str> = snap
            .pinned
            .iter()
            .chain(&snap.ranked)
            .map(|t| t.title.as_str())
            .collect();
        assert_eq!(titles, expected, "{platform}");
    }
    assert_eq!(doc["lists"][0]["endpoint"], "weibo.com/ajax");
    assert_eq!(doc["errors"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_platform_failing_is_named_and_the_other_prints() {
    let s = server().await;
    s.set_fault(Route::TiebaTopicList, Fault::Status(432));
    let out = snapshot(&s, "json").await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("resou: tieba: HTTP 432"),
        "{}",
        stderr(&out)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let platforms: Vec<&str> = doc["lists"]
        .as_array()
        .expect("lists")
        .iter()
        .filter_map(|l| l["platform"].as_str())
        .collect();
    assert_eq!(platforms, ["weibo"]);
    assert_eq!(doc["errors"][0]["platform"], "tieba");
    assert_eq!(doc["errors"][0]["error"], "HTTP 432");
    // The table still shows the Weibo list.
    let out = snapshot(&s, "table").await;
    assert!(out.status.success());
    assert!(stdout(&out).contains("旺旺集团面临重大经营危机"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_platform_failing_exits_1_with_a_clear_message() {
    // A port nobody listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let origin = format!("http://127.0.0.1:{port}");
    let out = resou(
        &[
            "snapshot",
            "--origin",
            &origin,
            "--platform",
            "weibo,tieba",
            "--format",
            "csv",
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing printed on stdout");
    let err = stderr(&out);
    assert!(err.contains("every platform failed"), "{err}");
    for p in ["weibo: connection failed", "tieba: connection failed"] {
        assert!(err.contains(p), "{p} in {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_exit_2() {
    let out = resou(
        &["snapshot", "--origin", "ftp://x", "--format", "json"],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--origin"), "{}", stderr(&out));
}
