//! Crash safety of the history store, on the built binary: a writer killed with SIGKILL in
//! the middle of a run of inserts leaves a file that opens, passes SQLite's integrity check
//! and holds every poll the writer had reported committed; `resou collect` stops on SIGTERM
//! with every poll it stored on disk.

use crate::support;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use resou::domain::snapshot_file::{SnapshotLine, read_lines, write_line};
use resou::domain::{Platform, from_unix};
use resou::store::{HistoryStore, Store};

fn hours() -> Vec<SnapshotLine> {
    let src = include_str!("../fixtures/store/weibo_hours.jsonl");
    read_lines(src.as_bytes(), "weibo_hours.jsonl").expect("fixture")
}

/// `n` Weibo lists one minute apart, cycling through the four real hourly lists.
fn write_lists(path: &Path, n: usize) -> Vec<SnapshotLine> {
    let base = hours();
    let t0 = base[0].captured_at;
    let mut out = Vec::with_capacity(n);
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        let mut l = base[i % base.len()].clone();
        l.captured_at = t0 + chrono::Duration::minutes(i as i64);
        write_line(&mut f, &l).unwrap();
        out.push(l);
    }
    f.flush().unwrap();
    out
}

fn resou(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_resou"));
    // Never the user's files.
    c.env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env_remove("RESOU_STORE");
    c
}

/// How many times the kill is repeated (issue 7 asks for 100; `RESOU_CRASH_REPEATS` overrides).
fn repeats() -> usize {
    std::env::var("RESOU_CRASH_REPEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

#[test]
fn sigkill_mid_write_loses_no_committed_poll() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("lists.jsonl");
    let lists = write_lists(&input, 300);
    let mut killed_mid_run = 0;
    for round in 0..repeats() {
        let db = dir.path().join(format!("crash-{round}.sqlite3"));
        let mut child = resou(dir.path())
            .args(["import", "--to-history", "--store"])
            .arg(&db)
            .arg(&input)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn resou");
        // Each stdout line is printed after its transaction committed.
        let kill_after = 1 + (round * 37) % 120;
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut committed = Vec::new();
        let mut line = String::new();
        while committed.len() < kill_after {
            line.clear();
            if reader.read_line(&mut line).unwrap() == 0 {
                break;
            }
            // "stored weibo 2026-08-15T00:00:00+08:00 poll 1"
            let at = line.split_whitespace().nth(2).expect("time").to_string();
            committed.push(chrono::DateTime::parse_from_rfc3339(&at).expect("rfc3339"));
        }
        child.kill().expect("SIGKILL");
        let status = child.wait().unwrap();
        if !status.success() {
            killed_mid_run += 1;
        }
        // Whatever the writer managed after the last line we read may or may not be there;
        // everything it reported must be.
        let store = Store::open(&db).expect("the killed writer's file opens");
        let check: String = rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "round {round}");
        for (i, at) in committed.iter().enumerate() {
            let snap = store
                .snapshot_at(Platform::Weibo, *at)
                .unwrap()
                .unwrap_or_else(|| panic!("round {round}: committed poll {i} at {at} missing"));
            assert_eq!(snap.captured_at, *at);
            assert_eq!(
                snap,
                lists[i].to_snapshot(),
                "round {round}: poll {i} intact"
            );
        }
    }
    // The kill must land mid-run, or the test proves nothing.
    assert!(
        killed_mid_run * 10 >= repeats() * 9,
        "only {killed_mid_run} of {} writers were still running when killed",
        repeats()
    );
}

#[test]
fn collect_stores_polls_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.sqlite3");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let all = read_lines(
        include_str!("../fixtures/store/lists.jsonl").as_bytes(),
        "lists.jsonl",
    )
    .unwrap();
    let (weibo, tieba): (Vec<_>, Vec<_>) =
        all.into_iter().partition(|l| l.platform == Platform::Weibo);
    let server = rt.block_on(support::replay(weibo.clone(), tieba.clone()));
    // The fixture lists are archives (2025/2026): keep them, whatever today's date.
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[history]\nkeep_days = 0\n").unwrap();
    let mut child = resou(dir.path())
        .args([
            "collect",
            "--interval",
            "5",
            "--origin",
            &server.origin(),
            "--store",
        ])
        .arg(&db)
        .arg("--config")
        .arg(&config)
        .arg("--log-file")
        .arg(dir.path().join("collect.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn collect");
    // Wait (bounded) until both platforms' first polls are in the file.
    let deadline = Instant::now() + Duration::from_secs(30);
    let stored = |p: Platform| -> usize {
        Store::open_read_only(&db)
            .ok()
            .and_then(|s| {
                s.polls_between(
                    p,
                    from_unix(0).unwrap(),
                    from_unix(i32::MAX as i64).unwrap(),
                )
                .ok()
            })
            .map_or(0, |v| v.len())
    };
    while stored(Platform::Weibo) == 0 || stored(Platform::Tieba) == 0 {
        assert!(
            Instant::now() < deadline,
            "collector stored nothing in 30 s"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "collector exited early"
        );
        std::thread::sleep(Duration::from_millis(50)); // polling a file: no message to await
    }
    support::sigterm(child.id());
    let mut stderr = child.stderr.take().unwrap();
    // Wait for the exit itself (bounded: a collector ignoring SIGTERM fails the test).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let status = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("collector ignored SIGTERM")
        .unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut err).unwrap();
    assert!(status.success(), "{status:?}: {err}");
    // "resou collect: stopped: N polls stored, …" — and exactly N are on disk.
    let n: usize = err
        .split("stopped: ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no summary in: {err}"));
    let log = std::fs::read_to_string(dir.path().join("collect.log")).unwrap();
    assert_eq!(
        stored(Platform::Weibo) + stored(Platform::Tieba),
        n,
        "{err}\n{log}"
    );
    let store = Store::open(&db).unwrap();
    let now = from_unix(i32::MAX as i64).unwrap();
    let w = store.snapshot_at(Platform::Weibo, now).unwrap().unwrap();
    assert_eq!(w.ranked.len(), weibo[0].to_snapshot().ranked.len());
    assert!(
        log.contains("poll stored"),
        "the collector logs to its file"
    );
    drop(server);
}
