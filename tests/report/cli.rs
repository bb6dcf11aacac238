//! `resou report` as a user runs it: the built binary on a temporary store.

use std::path::Path;
use std::process::{Command, Output};

use resou::store::{HistoryStore, SqliteStore};

use crate::support;

fn run(dir: &Path, store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_resou"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env_remove("RESOU_STORE")
        .arg("--store")
        .arg(store)
        .arg("report")
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn report_writes_markdown_and_html_and_says_when_a_period_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    {
        let mut store = SqliteStore::open(&path).unwrap();
        let lines: Vec<_> = support::lines(support::WEIBO_DAY)
            .into_iter()
            .take(4)
            .collect();
        for l in &lines {
            store.insert_poll(&l.to_snapshot(), "fixture").unwrap();
        }
    }
    let html = dir.path().join("out/shift.html");
    std::fs::create_dir_all(html.parent().unwrap()).unwrap();
    let out = run(
        dir.path(),
        &path,
        &[
            "--period",
            "3h",
            "--until",
            "2026-08-15 03:00",
            "--format",
            "html",
            "--out",
            html.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("written to"),
        "{}",
        text(&out.stderr)
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("热搜时段报告 2026-08-15 00:00 – 03:00"),
        "{}",
        &page[..400]
    );
    assert!(page.contains("台风白海豚"), "the 00:00 list's rank 1");
    assert!(page.contains("<section id=\"overview\">"));

    // Markdown to stdout; a shift from the given report times; RFC 3339 accepted.
    let out = run(
        dir.path(),
        &path,
        &[
            "--period",
            "shift",
            "--at",
            "02:00,21:00",
            "--until",
            "2026-08-15T03:00:00+08:00",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let md = text(&out.stdout);
    assert!(
        md.starts_with("# 热搜交班报告 2026-08-15 02:00 – 03:00"),
        "{md}"
    );
    assert!(
        md.contains("## 概览 Overview") && md.contains("| 微博 | 2 |"),
        "{md}"
    );

    // Nothing in the period: said on stderr with where the data is; the report says so too.
    let out = run(
        dir.path(),
        &path,
        &["--period", "day", "--until", "2030-01-01 09:00"],
    );
    assert!(out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("nothing to report")
            && err.contains("latest stored poll is at 2026-08-15 03:00"),
        "{err}"
    );
    assert!(text(&out.stdout).contains("本期无数据"));

    // JSON: the report's data.
    let out = run(
        dir.path(),
        &path,
        &[
            "--period",
            "3h",
            "--until",
            "2026-08-15 03:00",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["overview"][0]["polls"], 4);
}

#[test]
fn bad_arguments_are_named_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    drop(SqliteStore::open(&path).unwrap());
    for (args, says) in [
        (&["--period", "week"][..], "day, shift or a span"),
        (&["--until", "tomorrow"][..], "YYYY-MM-DD HH:MM"),
        (&["--at", "9am"][..], "--at: report time `9am`"),
        (&["--format", "pdf"][..], "pdf"),
    ] {
        let out = run(dir.path(), &path, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains(says),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    // A missing store file is named, not created.
    let missing = dir.path().join("nope.sqlite3");
    let out = run(dir.path(), &missing, &["--period", "day"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no history store at"),
        "{}",
        text(&out.stderr)
    );
    assert!(!missing.exists());
    // A bad [report] section names its file and line.
    let cfg = dir.path().join("config/resou/config.toml");
    std::fs::create_dir_all(cfg.parent().unwrap()).unwrap();
    std::fs::write(&cfg, "[report]\nat = [\"09:00\", \"late\"]\n").unwrap();
    let out = run(dir.path(), &path, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("config.toml:2:") && err.contains("`late`"),
        "{err}"
    );
}
