//! Team alerting end to end through the built binary: `resou --demo collect` with a rule on
//! a brand in the demo's real Weibo lists sends one signed DingTalk markdown message to a
//! loopback receiver; a delivery left queued by an earlier run goes out on the next; a viewer
//! sends nothing. Plus `resou rules check` and `resou push test` as a user runs them.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output};

use std::time::Duration;

use super::push_support::{Answer, Receiver, dingtalk_expected_sign};
use super::support::pty::Session;
use resou::store::{HistoryStore, NewPush, PushState, SqliteStore};

const TOKEN: &str = "ding-e2e-token-5e1f";
const SECRET: &str = "SECe2e0123456789abcdefsecret";
const TOKEN_ENV: &str = "RESOU_TEST_DING_TOKEN";

struct Team {
    dir: tempfile::TempDir,
    config: PathBuf,
    store: PathBuf,
}

/// A config dir with one DingTalk channel (token from env, secret from a 0600 file) at
/// `base`, and `rules`.
fn team(base: &str, rules: &str) -> Team {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("resou");
    std::fs::create_dir_all(&conf).unwrap();
    let secret = dir.path().join("ding.secret");
    std::fs::write(&secret, SECRET).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let store = dir.path().join("team.sqlite3");
    let config = conf.join("config.toml");
    std::fs::write(
        &config,
        format!(
            r#"[history]
store = "{store}"

[push]
rules = "rules.toml"
tui_sends = true

[push.channels.ding]
kind = "dingtalk"
base_url = "{base}"
token = {{ env = "{TOKEN_ENV}" }}
secret = {{ file = "{secret}" }}
"#,
            store = store.display(),
            secret = secret.display(),
        ),
    )
    .unwrap();
    std::fs::write(conf.join("rules.toml"), rules).unwrap();
    Team { dir, config, store }
}

impl Team {
    fn resou(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_resou"));
        cmd.arg("--config").arg(&self.config).args(args);
        for var in [
            "XDG_CONFIG_HOME",
            "XDG_STATE_HOME",
            "XDG_DATA_HOME",
            "XDG_CACHE_HOME",
        ] {
            cmd.env(var, self.dir.path());
        }
        cmd.env(TOKEN_ENV, TOKEN);
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.resou(args).output().expect("run resou")
    }

    fn store(&self) -> SqliteStore {
        SqliteStore::open(&self.store).unwrap()
    }
}

fn ok(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "resou failed: {stderr}");
    stderr
}

const BRAND_RULE: &str = r#"
[[rule]]
name = "brand"
keywords = ["胖东来"]
kinds = ["topic"]
platforms = ["weibo"]
channels = ["ding"]
dedup_minutes = 1440
"#;

fn receiver() -> (tokio::runtime::Runtime, Receiver) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let r = rt.block_on(Receiver::start(Answer::new(
        200,
        r#"{"errcode":0,"errmsg":"ok"}"#,
    )));
    (rt, r)
}

/// The request is DingTalk's: the documented path, token and a signature the receiver
/// recomputes from the timestamp it was given.
fn assert_signed_dingtalk(seen: &super::push_support::Seen) {
    assert_eq!(seen.path, "/robot/send");
    assert_eq!(seen.query_value("access_token").as_deref(), Some(TOKEN));
    let ts = seen.query_value("timestamp").expect("timestamp");
    assert_eq!(
        seen.query_value("sign").as_deref(),
        Some(dingtalk_expected_sign(SECRET, &ts).as_str())
    );
}

#[test]
fn the_collector_sends_one_signed_markdown_for_a_brand_on_the_demo_list() {
    let (_rt, rx) = receiver();
    let t = team(&rx.base(), BRAND_RULE);
    // One poll of each list (the first Weibo list of the day has the brand at #7). More
    // polls can send it again, on purpose, when its tier rises (blue → yellow an hour on).
    let out = t.run(&["--demo", "--demo-speed", "0.5", "collect", "--count", "1"]);
    let stderr = ok(&out);
    assert!(stderr.contains("sending team alerts"), "{stderr}");
    let seen = rx.seen();
    assert_eq!(
        seen.len(),
        1,
        "one topic matched: one message; got {:#?}",
        seen.iter().map(|s| s.json()).collect::<Vec<_>>()
    );
    assert!(stderr.contains("1 alerts delivered, 0 failed"), "{stderr}");
    assert_signed_dingtalk(&seen[0]);
    let body = seen[0].json();
    assert_eq!(body["msgtype"], "markdown");
    let title = body["markdown"]["title"].as_str().unwrap();
    let text = body["markdown"]["text"].as_str().unwrap();
    // The real 2026-08-15 Weibo title, with its tier word and what it is.
    assert!(title.contains("胖东来房东逻辑"), "{title}");
    assert!(text.contains("胖东来房东逻辑"), "{text}");
    assert!(text.contains("话题 · 微博 · 关键词组 胖东来"), "{text}");
    assert!(text.contains("规则 brand"), "{text}");

    // Recorded as delivered in the store (what the TUI's deliveries view reads).
    let rows = t.store().recent_pushes(10).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].state, rows[0].channel.as_str()),
        (PushState::Delivered, "ding")
    );

    // A second run within the rule's dedup window sends the same topic again? No: the
    // router's state is in the store too.
    let again = ok(&t.run(&["--demo", "--demo-speed", "0.5", "collect", "--count", "1"]));
    assert!(
        again.contains("0 alerts delivered"),
        "{again}{:#?}",
        rx.seen().iter().map(|s| s.json()).collect::<Vec<_>>()
    );
    assert_eq!(rx.seen().len(), 1, "deduplicated across a restart");
}

#[test]
fn a_delivery_queued_by_an_earlier_run_goes_out_on_the_next() {
    let (_rt, rx) = receiver();
    let t = team(&rx.base(), &BRAND_RULE.replace("胖东来", "没有这个品牌"));
    // The state a crash leaves: queued, not sent.
    let msg = resou::push::Message::new(resou::push::Tier::Orange, "旺旺集团回应", "**队列** 测试");
    {
        let mut store = t.store();
        let now = resou::domain::now_cst();
        store
            .enqueue_push(&NewPush {
                channel: "ding".into(),
                rule: "brand".into(),
                tier: "orange".into(),
                title: msg.title.clone(),
                message: serde_json::to_string(&msg).unwrap(),
                created_at: now,
                next_at: now,
            })
            .unwrap();
    }
    // A viewer of the same store sends nothing, though its config says `tui_sends`: a
    // sender would have tried the due delivery by the time it quit (stopping tries what is
    // due).
    let store_arg = t.store.display().to_string();
    let config_arg = t.config.display().to_string();
    let mut viewer = Session::start_env(
        &["--config", &config_arg, "--viewer", "--store", &store_arg],
        &[(TOKEN_ENV, TOKEN)],
        100,
        30,
    );
    viewer.wait_for("the viewer's banner", Duration::from_secs(30), |sc| {
        sc.contains("TEAM VIEWER")
    });
    viewer.press(b"q");
    assert!(viewer.wait_exit(Duration::from_secs(30)).success());
    assert!(rx.seen().is_empty(), "a viewer never sends");
    assert_eq!(t.store().pending_pushes().unwrap().len(), 1);

    let stderr = ok(&t.run(&["--demo", "--demo-speed", "0.5", "collect", "--count", "1"]));
    assert!(stderr.contains("1 alerts delivered"), "{stderr}");
    let seen = rx.seen();
    assert_eq!(seen.len(), 1);
    assert_signed_dingtalk(&seen[0]);
    assert!(
        seen[0].json()["markdown"]["title"]
            .as_str()
            .unwrap()
            .contains("旺旺集团回应")
    );
    let rows = t.store().recent_pushes(10).unwrap();
    assert_eq!(rows[0].state, PushState::Delivered);
}

/// `[report] at` on the demo's day: when the lists' clock passes 01:00 the collector builds
/// the period's report from the store, saves it, and sends its summary to the channel — with
/// no rules file at all (a team may want the reports alone).
#[test]
fn the_collector_reports_at_the_scheduled_time() {
    let (_rt, rx) = receiver();
    let t = team(&rx.base(), "");
    std::fs::remove_file(t.config.with_file_name("rules.toml")).unwrap();
    let config = std::fs::read_to_string(&t.config)
        .unwrap()
        .replace("rules = \"rules.toml\"\n", "");
    let report = "[report]\nat = [\"01:00\"]\nperiod = \"2h\"\nchannels = [\"ding\"]\n\n";
    std::fs::write(&t.config, format!("{report}{config}")).unwrap();
    let stderr = ok(&t.run(&["--demo", "--demo-speed", "0.5", "collect", "--count", "5"]));
    assert!(
        stderr.contains("scheduled reports only (no rules file); reports at 01:00 to ding"),
        "{stderr}"
    );
    let seen = rx.seen();
    assert_eq!(seen.len(), 1, "{stderr}");
    assert_signed_dingtalk(&seen[0]);
    let text = seen[0].json()["markdown"]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("2026-08-14 23:00 – 2026-08-15 01:00"),
        "{text}"
    );
    assert!(text.contains("**概览** 微博"), "{text}");
    // The whole report is saved beside the summary, as markdown and self-contained HTML.
    let dir = t.dir.path().join("resou/reports");
    let html = dir.join("report-20260815-0100.html");
    assert!(
        text.contains(&format!("报告文件 {}", html.display())),
        "{text}"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{}", &page[..40]);
    assert!(
        std::fs::read_to_string(dir.join("report-20260815-0100.md"))
            .unwrap()
            .contains("2026-08-14 23:00 – 2026-08-15 01:00")
    );
}

/// A single user's TUI with `[push] tui_sends` is the sender: the demo's brand topic reaches
/// the receiver while the board is up.
#[test]
fn a_single_users_tui_sends_when_configured() {
    let (_rt, rx) = receiver();
    let t = team(&rx.base(), BRAND_RULE);
    let config_arg = t.config.display().to_string();
    let mut tui = Session::start_env(
        &["--config", &config_arg, "--demo", "--demo-speed", "1"],
        &[(TOKEN_ENV, TOKEN)],
        100,
        30,
    );
    assert!(
        !rx.wait_for(1, Duration::from_secs(60)).is_empty(),
        "no alert within 60 s"
    );
    tui.press(b"q");
    assert!(tui.wait_exit(Duration::from_secs(30)).success());
    let seen = rx.seen();
    assert_signed_dingtalk(&seen[0]);
    assert!(
        seen[0].json()["markdown"]["text"]
            .as_str()
            .unwrap()
            .contains("胖东来")
    );
}

#[test]
fn a_refused_delivery_is_failed_not_retried_and_named() {
    let (_rt, rx) = receiver();
    // DingTalk's answer to a wrong signature: permanent.
    rx.then_answer(Answer::new(
        200,
        r#"{"errcode":310000,"errmsg":"sign not match"}"#,
    ));
    let t = team(&rx.base(), BRAND_RULE);
    let stderr = ok(&t.run(&["--demo", "--demo-speed", "0.5", "collect", "--count", "1"]));
    assert!(stderr.contains("0 alerts delivered, 1 failed"), "{stderr}");
    assert_eq!(rx.seen().len(), 1, "a permanent refusal is not retried");
    let rows = t.store().recent_pushes(10).unwrap();
    assert_eq!(rows[0].state, PushState::Failed);
    let err = rows[0].last_error.as_deref().unwrap();
    assert!(err.contains("310000"), "{err}");
    assert!(!err.contains(SECRET) && !err.contains(TOKEN), "{err}");
    // The log names it too.
    let log = std::fs::read_to_string(t.dir.path().join("resou/resou.log")).unwrap();
    assert!(log.contains("alert delivery failed for good"), "{log}");
    assert!(!log.contains(SECRET) && !log.contains(TOKEN));
}

#[test]
fn rules_check_names_file_and_line_and_push_test_sends() {
    let (_rt, rx) = receiver();
    let bad = "[[rule]]\nname = \"x\"\nchannels = [\"ding\"]\n\n[[rule]]\nname = \"y\"\nchannels = [\"nowhere\"]\n";
    let t = team(&rx.base(), bad);
    let out = t.run(&["rules", "check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let rules = t.config.with_file_name("rules.toml");
    assert!(
        err.contains(&format!("{}:7:", rules.display())) && err.contains("nowhere"),
        "{err}"
    );

    std::fs::write(&rules, BRAND_RULE).unwrap();
    let out = t.run(&["rules", "check"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("1 rule(s), ok"), "{stdout}");
    assert!(
        stdout.contains("brand: 1 keyword group(s) · kinds topic · platforms weibo → ding"),
        "{stdout}"
    );
    assert!(!stdout.contains(TOKEN), "{stdout}");

    let out = t.run(&["push", "test", "ding", "--tier", "red"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("ding: request 1/1 delivered"), "{stdout}");
    let seen = rx.seen();
    assert_eq!(seen.len(), 1);
    assert_signed_dingtalk(&seen[0]);
    let body = seen[0].json();
    assert_eq!(body["at"]["isAtAll"], true, "red reaches everyone");

    // A refused test says why and exits 1.
    rx.then_answer(Answer::new(
        200,
        r#"{"errcode":300001,"errmsg":"token is not exist"}"#,
    ));
    let out = t.run(&["push", "test", "ding"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("refused") && stdout.contains("300001"),
        "{stdout}"
    );
}

/// The README's "Team alerts" set-up is true: its rules file is the shipped example, and its
/// config with that rules file passes `resou rules check` (channels open with their secrets).
#[test]
fn the_readme_team_alert_set_up_checks() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("## Team alerts").unwrap()..];
    let section = &section[section.find("### Set up").unwrap()..];
    let blocks: Vec<&str> = section
        .split("```toml\n")
        .skip(1)
        .map(|b| &b[..b.find("```").unwrap()])
        .take(2)
        .collect();
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/alerts/rules.example.toml"
    ))
    .unwrap();
    assert_eq!(
        blocks[1], example,
        "the README shows the shipped rules file whole"
    );

    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("resou");
    std::fs::create_dir_all(&conf).unwrap();
    let key = dir.path().join("ops-wecom.key");
    std::fs::write(&key, "wecom-key").unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let config = blocks[0].replace("/etc/resou/ops-wecom.key", key.to_str().unwrap());
    std::fs::write(conf.join("config.toml"), config).unwrap();
    std::fs::write(conf.join("rules.toml"), &example).unwrap();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/alerts/frequency_words.example.txt"
        ),
        conf.join("frequency_words.example.txt"),
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_resou"));
    cmd.args(["rules", "check"])
        .env("XDG_CONFIG_HOME", dir.path());
    for var in [
        "RESOU_PR_FEISHU_TOKEN",
        "RESOU_PR_FEISHU_SECRET",
        "RESOU_SMTP_PASSWORD",
        "RESOU_EDU_DING_TOKEN",
        "RESOU_EDU_DING_SECRET",
    ] {
        cmd.env(var, "value");
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("5 rule(s), ok"), "{stdout}");
    for ch in [
        "pr-feishu",
        "ops-wecom",
        "ops-ntfy",
        "research-email",
        "edu-dingtalk",
    ] {
        assert!(
            stdout.contains(&format!("channel {ch}:")),
            "{ch} in {stdout}"
        );
    }
}
