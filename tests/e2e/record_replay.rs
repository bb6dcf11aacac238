//! `resou record` → file → `resou replay`'s server → `resou snapshot`: the round trip
//! reproduces the board, and no cookie ever reaches the recording.

use crate::headless;
use crate::support;

use std::collections::BTreeMap;
use std::time::Duration;

use headless::{lists, resou, stderr, stdout};
use resou::domain::Platform;
use resou::replay::{ClockMode, RecordedExchange, Recording, ReplayServer};

const REPLY_COOKIE: &str = "trk=REPLYCOOKIE1234; Path=/; HttpOnly";
const USER_COOKIE: &str = "SUB=USERCOOKIE5678";

async fn record(origin: &str, out: &str, count: &str) {
    let o = resou(
        &[
            "record",
            "--out",
            out,
            "--count",
            count,
            "--interval",
            "0.2",
            "--origin",
            origin,
            "--platform",
            "weibo,tieba",
        ],
        &[("RESOU_WEIBO_COOKIE", USER_COOKIE)],
    )
    .await;
    assert!(o.status.success(), "record: {}", stderr(&o));
}

async fn snapshot_json(origin: &str) -> String {
    let o = resou(
        &[
            "snapshot",
            "--origin",
            origin,
            "--platform",
            "weibo,tieba",
            "--format",
            "json",
        ],
        &[],
    )
    .await;
    assert!(o.status.success(), "snapshot: {}", stderr(&o));
    stdout(&o)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recording_round_trip_reproduces_the_board_without_cookies() {
    let original = support::replay(lists("weibo.jsonl"), lists("tieba.jsonl")).await;
    original.set_reply_cookie(Some(REPLY_COOKIE.into()));
    // The server really sets the cookie the recording must leave out.
    let probe = reqwest::get(format!("{}/ajax/side/hotSearch", original.origin()))
        .await
        .expect("probe");
    assert!(
        probe
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|v| v.to_str().is_ok_and(|v| v.contains("REPLYCOOKIE1234")))
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("rec.jsonl");
    let file_s = file.to_str().expect("utf-8 path");
    // Two polls of the first lists, then one of the second, appended to the same file.
    original.set_index(0);
    record(&original.origin(), file_s, "2").await;
    original.set_index(1);
    record(&original.origin(), file_s, "1").await;

    let text = std::fs::read_to_string(&file).expect("recording");
    let lines: Vec<RecordedExchange> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a recorded response per line"))
        .collect();
    let mut per_platform: BTreeMap<Platform, Vec<&RecordedExchange>> = BTreeMap::new();
    for l in &lines {
        per_platform.entry(l.platform).or_default().push(l);
    }
    for p in [Platform::Weibo, Platform::Tieba] {
        let ls = &per_platform[&p];
        // One endpoint answered each poll (the chain's first): one line per poll.
        assert_eq!(ls.len(), 3, "{p}");
        let polls: std::collections::BTreeSet<_> = ls.iter().map(|l| l.poll).collect();
        assert_eq!(polls.len(), 3, "{p}: three distinct polls");
        assert!(ls.iter().all(|l| l.status == 200 && l.method == "GET"));
    }
    for l in &lines {
        for (name, _) in &l.headers {
            let n = name.to_ascii_lowercase();
            assert!(
                !["cookie", "set-cookie", "authorization"].contains(&n.as_str()),
                "{name} recorded"
            );
        }
    }
    assert!(!text.contains("REPLYCOOKIE1234"), "response cookie leaked");
    assert!(!text.contains("USERCOOKIE5678"), "request cookie leaked");

    // What the original server gave at each recorded moment.
    original.set_index(0);
    let board0 = snapshot_json(&original.origin()).await;
    original.set_index(1);
    let board1 = snapshot_json(&original.origin()).await;
    assert_ne!(board0, board1, "the fixture's two moments differ");

    let rec = Recording::parse(&text, "rec.jsonl").expect("parse recording");
    assert_eq!(rec.poll_count(Platform::Weibo), 3);
    let replay = ReplayServer::start_recording(rec, Duration::from_secs(3600), ClockMode::Manual)
        .await
        .expect("replay server");
    for (tick, expected) in [(0, &board0), (1, &board0), (2, &board1)] {
        replay.set_index(tick);
        assert_eq!(
            &snapshot_json(&replay.origin()).await,
            expected,
            "recorded poll {tick}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_failures_replay_as_failures() {
    let original = support::replay(lists("weibo.jsonl"), lists("tieba.jsonl")).await;
    original.set_fault(
        resou::replay::Route::TiebaTopicList,
        resou::replay::Fault::Status(432),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("rec.jsonl");
    record(&original.origin(), file.to_str().expect("path"), "1").await;
    let text = std::fs::read_to_string(&file).expect("recording");
    assert!(
        text.contains("\"status\":432"),
        "the error status is recorded"
    );

    let rec = Recording::parse(&text, "rec.jsonl").expect("parse");
    let replay = ReplayServer::start_recording(rec, Duration::from_secs(3600), ClockMode::Manual)
        .await
        .expect("replay server");
    let o = resou(
        &[
            "snapshot",
            "--origin",
            &replay.origin(),
            "--platform",
            "weibo,tieba",
            "--format",
            "table",
        ],
        &[],
    )
    .await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("resou: tieba: HTTP 432"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("旺旺集团面临重大经营危机"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_recording_with_whole_polls_on_disk() {
    let original = support::replay(lists("weibo.jsonl"), lists("tieba.jsonl")).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("rec.jsonl");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_resou"))
        .args([
            "record",
            "--out",
            file.to_str().expect("path"),
            "--interval",
            "0.2",
            "--origin",
            &original.origin(),
            "--platform",
            "weibo,tieba",
        ])
        .env("XDG_CONFIG_HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .env_remove("RESOU_WEIBO_COOKIE")
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    // Wait (with a deadline) until both platforms have a poll on disk.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut seen = 0;
    while std::time::Instant::now() < deadline {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        seen = Platform::ALL
            .iter()
            .filter(|p| text.contains(&format!("\"platform\":\"{}\"", p.name().to_lowercase())))
            .count();
        if seen == 2 {
            break;
        }
        // Re-check the condition shortly (a deadline-bounded wait, not a fixed delay).
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen, 2, "both platforms recorded before the deadline");
    let pid = child.id().to_string();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(kill.success());
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("join")
        .expect("wait");
    assert_eq!(status.code(), Some(0), "SIGTERM ends the recording cleanly");
    let text = std::fs::read_to_string(&file).expect("recording");
    assert!(text.ends_with('\n'), "no half-written line");
    Recording::parse(&text, "rec.jsonl").expect("every line whole");
}

/// `resou replay RECORDING` in a pseudo-terminal shows the recorded titles on the board.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_command_shows_the_recorded_board() {
    let original = support::replay(lists("weibo.jsonl"), lists("tieba.jsonl")).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("rec.jsonl");
    let file_s = file.to_str().expect("path").to_string();
    record(&original.origin(), &file_s, "1").await;
    drop(original); // the replay serves the file alone
    // Title starts (the board may shorten long titles to its column).
    let start = |t: &str| t.chars().take(6).collect::<String>();
    let weibo_title = start(&lists("weibo.jsonl")[0].items[1].title);
    let tieba_title = start(&lists("tieba.jsonl")[0].items[0].title);

    let status = tokio::task::spawn_blocking(move || {
        let mut s = support::pty::Session::start(&["replay", &file_s, "--speed", "1"], 140, 35);
        s.wait_for("the recorded titles", Duration::from_secs(30), |sc| {
            sc.contains(weibo_title.as_str())
                && sc.contains(tieba_title.as_str())
                && sc.contains("REPLAY")
        });
        s.press(b"q");
        let st = s.wait_exit(Duration::from_secs(10));
        drop(dir);
        st
    })
    .await
    .expect("join");
    assert!(status.success());
}
