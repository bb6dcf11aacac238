//! Watchlist alerts: which updates fire, rate limiting, the exact notification bytes,
//! sanitising of hostile keywords, and the hook (a real script reading JSON on stdin).
//! Data sources: tests/fixtures/alerts/NOTES.md.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeZone};
use resou::alerts::{
    Alert, AlertKind, AlertState, AlertsConfig, Notifier, NotifyProtocol, OSC_TEXT_MAX,
    RateLimiter, alerts_for, deliver, osc_text, osc9, osc777,
};
use resou::analysis::{AnalysisUpdate, Direction, KeywordRow, KolTrend, PlatformCounts};
use resou::config::Config;
use resou::domain::{Platform, cst};

fn t(h: u32, m: u32, s: u32) -> DateTime<FixedOffset> {
    // ok: fixed, valid date in a zone without DST
    cst().with_ymd_and_hms(2026, 8, 15, h, m, s).unwrap()
}

fn row(keyword: &str, score: f64, weibo: u32, tieba: u32) -> KeywordRow {
    let titles = PlatformCounts::of([(Platform::Weibo, weibo), (Platform::Tieba, tieba)]);
    KeywordRow {
        keyword: keyword.into(),
        score,
        share: 0.05,
        rising: true,
        cooling: false,
        since: None,
        cross_platform: weibo > 0 && tieba > 0,
        rising_on: Default::default(),
        direction: Direction::Up,
        platforms: titles.platforms(),
        titles,
        history: vec![0.01, 0.03, 0.05].into(),
    }
}

fn trend(name: &str, history: &[u32]) -> KolTrend {
    KolTrend {
        name: name.into(),
        now: history.last().copied().unwrap_or(0),
        history: history.to_vec(),
    }
}

/// Weibo poll at 12:00 on the demo day: 旺旺, 危机 and BLG start rising, 胖东来 was already rising.
fn update(at: DateTime<FixedOffset>, kols: Vec<KolTrend>) -> AnalysisUpdate {
    AnalysisUpdate {
        at,
        platform: Platform::Weibo,
        keywords: vec![
            row("旺旺", 5.3, 5, 1),
            row("危机", 3.1, 1, 0),
            row("BLG", 2.2, 1, 0),
            row("胖东来", 3.6, 1, 0),
        ],
        rising: vec!["旺旺".into(), "胖东来".into(), "危机".into(), "BLG".into()],
        onsets: vec!["旺旺".into(), "危机".into(), "BLG".into()],
        cross_platform: vec!["旺旺".into()],
        kol_mentions: Vec::new(),
        kol_trends: kols,
        warming_up: false,
        entries: Vec::new(),
        flags_from: None,
        seeded: false,
        dynamics: Default::default(),
        events: Default::default(),
    }
}

#[test]
fn a_withdrawn_watched_topic_alerts_with_its_evidence() {
    use resou::analysis::dynamics::{Candidate, Kind};
    let withdrawn = |title: &str| Candidate {
        platform: Platform::Douyin,
        kind: Kind::Withdrawn,
        key: resou::domain::TopicKey::new(Platform::Douyin, title),
        title: title.into(),
        at: t(12, 30, 0),
        since: t(12, 0, 0),
        rank: Some(2),
        heat: Some(11_000_000),
        step: None,
        returned: None,
        evidence: "left from #2 at 1100万 heat".into(),
    };
    let mut u = update(t(12, 30, 0), Vec::new());
    u.onsets.clear();
    u.dynamics.candidates = vec![withdrawn("旺旺集团回应配料表"), withdrawn("别的话题")];
    let alerts = AlertState::default().observe(&u, &strings(&["旺旺"]), &[]);
    assert_eq!(alerts.len(), 1, "only the watched topic: {alerts:?}");
    let a = &alerts[0];
    assert!(
        a.text.contains("撤热搜") && a.text.contains("抖音 旺旺集团回应配料表"),
        "{}",
        a.text
    );
    let json: serde_json::Value = serde_json::from_str(&a.to_json()).unwrap();
    assert_eq!(json["kind"], "withdrawn");
    assert_eq!(json["platform"], "douyin");
    assert_eq!(json["evidence"], "left from #2 at 1100万 heat");
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn keywords_of(alerts: &[Alert]) -> Vec<String> {
    alerts
        .iter()
        .filter_map(|a| match &a.kind {
            AlertKind::KeywordRising { keyword, .. } => Some(keyword.clone()),
            AlertKind::KolActive { .. } | AlertKind::ListDynamics { .. } => None,
        })
        .collect()
}

fn kols_of(alerts: &[Alert]) -> Vec<(String, u32)> {
    alerts
        .iter()
        .filter_map(|a| match &a.kind {
            AlertKind::KolActive { name, titles } => Some((name.clone(), *titles)),
            AlertKind::KeywordRising { .. } | AlertKind::ListDynamics { .. } => None,
        })
        .collect()
}

#[test]
fn watched_keywords_fire_on_onsets_by_containment_ignoring_case() {
    let u = update(t(12, 0, 0), Vec::new());
    // 旺旺配料表 contains 旺旺; blg is BLG in another case; 经营危机 contains 危机;
    // 胖东来 is rising but did not start rising now; 日本 is not rising at all.
    let watched = strings(&["旺旺配料表", "blg", "经营危机", "胖东来", "日本", ""]);
    let alerts = alerts_for(&u, &watched, &[]);
    assert_eq!(keywords_of(&alerts), ["旺旺", "危机", "BLG"]);
    let first = &alerts[0];
    assert_eq!(first.at, t(12, 0, 0));
    assert_eq!(
        first.kind,
        AlertKind::KeywordRising {
            keyword: "旺旺".into(),
            score: 5.3,
            platforms: vec![Platform::Weibo, Platform::Tieba],
        }
    );
    assert!(first.text.contains("旺旺") && first.text.contains("5.3"));
    // A watched word inside the rising one fires too (危机 watched, 经营危机 would be rising).
    assert_eq!(
        keywords_of(&alerts_for(&u, &strings(&["危"]), &[])),
        ["危机"]
    );
    assert!(
        alerts_for(&u, &strings(&["", "  "]), &[]).is_empty(),
        "blank entries never match"
    );
    assert!(alerts_for(&u, &[], &[]).is_empty());
}

#[test]
fn watched_kol_fires_when_it_appears_not_while_it_stays() {
    let watched = strings(&["央视新闻", "人民日报"]);
    // 央视新闻 had no titles at the previous poll; 人民日报 had; 新华社 is not watched.
    let u = update(
        t(12, 0, 0),
        vec![
            trend("央视新闻", &[0, 0, 2]),
            trend("人民日报", &[1, 1]),
            trend("新华社", &[0, 3]),
        ],
    );
    assert_eq!(
        kols_of(&alerts_for(&u, &[], &watched)),
        [("央视新闻".into(), 2)]
    );

    let mut state = AlertState::default();
    let fired = state.observe(&u, &strings(&["旺旺"]), &watched);
    assert_eq!(keywords_of(&fired), ["旺旺"]);
    assert_eq!(kols_of(&fired), [("央视新闻".into(), 2)]);
    // Next poll: still there → nothing; then gone; then back → fires again.
    let stays = update(t(12, 1, 0), vec![trend("央视新闻", &[0, 2, 3])]);
    assert!(kols_of(&state.observe(&stays, &[], &watched)).is_empty());
    let gone = update(t(12, 2, 0), vec![trend("央视新闻", &[2, 3, 0])]);
    assert!(kols_of(&state.observe(&gone, &[], &watched)).is_empty());
    let back = update(t(12, 3, 0), vec![trend("央视新闻", &[3, 0, 1])]);
    assert_eq!(
        kols_of(&state.observe(&back, &[], &watched)),
        [("央视新闻".into(), 1)]
    );
    // Names match ignoring case and surrounding blanks.
    let latin = update(t(12, 4, 0), vec![trend("CCTV", &[0, 1])]);
    assert_eq!(
        kols_of(&alerts_for(&latin, &[], &strings(&[" cctv "]))).len(),
        1
    );
}

fn keyword_alert(k: &str, at: DateTime<FixedOffset>) -> Alert {
    Alert::keyword(k, 4.0, vec![Platform::Weibo], at)
}

#[test]
fn rate_limiter_per_subject_interval() {
    let mut rl = RateLimiter::new(Duration::from_secs(60), 0);
    assert!(rl.admit(&keyword_alert("旺旺", t(12, 0, 0)), t(12, 0, 0)));
    assert!(!rl.admit(&keyword_alert("旺旺", t(12, 0, 30)), t(12, 0, 30)));
    assert!(
        !rl.admit(&keyword_alert("旺旺", t(12, 0, 59)), t(12, 0, 59)),
        "a suppressed alert does not restart the interval, but it is not over yet"
    );
    assert!(rl.admit(&keyword_alert("危机", t(12, 0, 30)), t(12, 0, 30)));
    assert!(rl.admit(&keyword_alert("旺旺", t(12, 1, 0)), t(12, 1, 0)));
    // Subjects ignore case: BLG and blg are one subject.
    assert!(rl.admit(&keyword_alert("BLG", t(12, 1, 0)), t(12, 1, 0)));
    assert!(!rl.admit(&keyword_alert("blg", t(12, 1, 1)), t(12, 1, 1)));
    // A keyword and a KOL of the same name are different subjects.
    assert!(rl.admit(&Alert::kol("旺旺", 1, t(12, 1, 1)), t(12, 1, 1)));
    assert_eq!(rl.suppressed(), 3);
    // A clock that jumped back does not silence alerts for an hour.
    assert!(rl.admit(&keyword_alert("危机", t(11, 0, 0)), t(11, 0, 0)));
}

#[test]
fn rate_limiter_global_cap_and_suppressed_count() {
    let mut rl = RateLimiter::from_config(&AlertsConfig {
        min_interval_secs: 60,
        max_per_minute: 3,
        ..AlertsConfig::default()
    });
    let storm: Vec<Alert> = ["旺旺", "危机", "BLG", "胖东来", "日本"]
        .iter()
        .map(|k| keyword_alert(k, t(12, 0, 0)))
        .collect();
    let passed = rl.filter(storm, t(12, 0, 0));
    assert_eq!(keywords_of(&passed), ["旺旺", "危机", "BLG"]);
    assert_eq!(rl.suppressed(), 2);
    assert!(!rl.admit(&keyword_alert("潮流", t(12, 0, 59)), t(12, 0, 59)));
    // The window slides: a minute after the storm there is room again.
    assert!(rl.admit(&keyword_alert("潮流", t(12, 1, 0)), t(12, 1, 0)));
    assert_eq!(rl.take_suppressed(), 3);
    assert_eq!(rl.suppressed(), 0, "reset once shown");
}

fn notifier(protocol: Option<NotifyProtocol>, bell: bool, in_tmux: bool) -> Notifier {
    Notifier {
        bell,
        desktop: protocol,
        hook: None,
        in_tmux,
    }
}

#[test]
fn exact_notification_bytes() {
    assert_eq!(osc9("rising: 旺旺"), "\x1b]9;rising: 旺旺\x07");
    assert_eq!(
        osc777("resou", "rising: 旺旺"),
        "\x1b]777;notify;resou;rising: 旺旺\x07"
    );
    let a = keyword_alert("旺旺", t(12, 0, 0));
    assert_eq!(a.text, "rising: 旺旺 (z 4.0, 微博)");

    let mut out = Vec::new();
    let r = deliver(
        &a,
        &notifier(Some(NotifyProtocol::Osc9), true, false),
        &mut out,
    );
    assert!(r.bell && r.desktop && r.errors.is_empty());
    assert_eq!(
        out,
        "\x07\x1b]9;resou: rising: 旺旺 (z 4.0, 微博)\x07".as_bytes()
    );

    let mut out = Vec::new();
    deliver(
        &a,
        &notifier(Some(NotifyProtocol::Osc777), false, false),
        &mut out,
    );
    assert_eq!(
        out,
        "\x1b]777;notify;resou;rising: 旺旺 (z 4.0, 微博)\x07".as_bytes()
    );

    // Inside tmux the sequence also goes through the passthrough, inner ESC doubled.
    let mut out = Vec::new();
    deliver(
        &a,
        &notifier(Some(NotifyProtocol::Osc9), false, true),
        &mut out,
    );
    let seq = "\x1b]9;resou: rising: 旺旺 (z 4.0, 微博)\x07";
    let wrapped = format!("\x1bPtmux;\x1b{seq}\x1b\\");
    assert_eq!(String::from_utf8_lossy(&out), format!("{seq}{wrapped}"));

    let mut out = Vec::new();
    let r = deliver(&a, &notifier(None, false, false), &mut out);
    assert!(out.is_empty() && !r.bell && !r.desktop);
}

#[test]
fn hostile_keyword_cannot_escape_the_notification() {
    let hostile = "旺旺\x1b]52;c;ZXZpbA==\x07\x07;4;100\x1b[2J\u{9b}31m";
    let a = Alert::keyword(hostile, 9.0, vec![Platform::Weibo], t(12, 0, 0));
    assert!(
        !a.text.chars().any(|c| c.is_control()),
        "alert text is sanitised: {:?}",
        a.text
    );
    let mut out = Vec::new();
    deliver(
        &a,
        &notifier(Some(NotifyProtocol::Both), false, false),
        &mut out,
    );
    let s = String::from_utf8_lossy(&out).into_owned();
    let (nine, seven) = s.split_at(s.find("\x1b]777").unwrap_or(s.len()));
    for (seq, separators) in [(nine, 1), (seven, 3)] {
        assert_eq!(seq.matches('\x1b').count(), 1, "{seq:?}");
        assert_eq!(seq.matches('\x07').count(), 1, "{seq:?}");
        assert!(seq.ends_with('\x07'), "{seq:?}");
        assert_eq!(seq.matches(';').count(), separators, "{seq:?}");
        assert!(
            !seq.contains("ZXZpbA"),
            "the OSC 52 payload is gone: {seq:?}"
        );
        assert!(seq.contains("旺旺"), "{seq:?}");
    }
    let long = "旺".repeat(500);
    assert_eq!(osc_text(&long).chars().count(), OSC_TEXT_MAX);
    assert!(osc_text(&long).ends_with('…'));
}

/// The hooks are sh scripts and unix programs.
#[cfg(unix)]
mod hook {
    use std::path::PathBuf;
    use std::time::Duration;

    use resou::alerts::{Alert, DeliveryReport, HookExit, Notifier, deliver, run_hook};
    use resou::domain::Platform;

    use super::{keyword_alert, strings, t};

    fn hook_script() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alerts/hook.sh")
    }

    /// Waits for the hook's reaper thread (which itself kills the hook after its timeout).
    fn finished(report: DeliveryReport) -> HookExit {
        let Some(h) = report.hook else {
            panic!("hook not started: {:?}", report.errors);
        };
        h.join()
            .unwrap_or(HookExit::Failed("reaper panicked".into()))
    }

    #[test]
    fn hook_receives_the_alert_as_json() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("alert.json");
        let n = Notifier {
            bell: false,
            desktop: None,
            hook: Some(vec![
                "sh".into(),
                hook_script().display().to_string(),
                out.display().to_string(),
            ]),
            in_tmux: false,
        };
        let a = Alert::keyword(
            "旺旺",
            5.3,
            vec![Platform::Weibo, Platform::Tieba],
            t(12, 0, 0),
        );
        let mut term = Vec::new();
        let exit = finished(deliver(&a, &n, &mut term));
        assert_eq!(exit, HookExit::Exited(Some(0)));
        assert!(term.is_empty(), "the hook writes nothing to the terminal");
        let body = std::fs::read_to_string(&out).unwrap();
        assert!(body.ends_with('\n') && body.trim_end().lines().count() == 1);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["kind"], "keyword");
        assert_eq!(v["keyword"], "旺旺");
        assert_eq!(v["score"], 5.3);
        assert_eq!(v["platforms"], serde_json::json!(["weibo", "tieba"]));
        assert_eq!(v["at"], "2026-08-15T12:00:00+08:00");
        assert_eq!(v["text"], a.text.as_str());

        // A KOL alert has its own shape.
        let out2 = dir.path().join("kol.json");
        let n2 = Notifier {
            hook: Some(vec![
                "sh".into(),
                hook_script().display().to_string(),
                out2.display().to_string(),
            ]),
            ..n
        };
        let k = Alert::kol("央视新闻", 2, t(12, 1, 0));
        assert_eq!(
            finished(deliver(&k, &n2, &mut term)),
            HookExit::Exited(Some(0))
        );
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out2).unwrap()).unwrap();
        assert_eq!(v["kind"], "kol");
        assert_eq!(v["name"], "央视新闻");
        assert_eq!(v["titles"], 2);
    }

    #[test]
    fn hanging_hook_is_killed_and_missing_hook_is_reported_without_its_arguments() {
        let h = run_hook(
            &strings(&["sleep", "30"]),
            "{}".into(),
            Duration::from_millis(200),
        )
        .unwrap();
        assert_eq!(h.join().ok(), Some(HookExit::Killed));

        let n = Notifier {
            bell: false,
            desktop: None,
            hook: Some(strings(&[
                "/nonexistent/resou-hook",
                "https://hooks.test/SECRET",
            ])),
            in_tmux: false,
        };
        let r = deliver(&keyword_alert("旺旺", t(12, 0, 0)), &n, &mut Vec::new());
        assert!(r.hook.is_none());
        assert_eq!(r.errors.len(), 1);
        assert!(
            r.errors[0].contains("/nonexistent/resou-hook"),
            "{:?}",
            r.errors
        );
        assert!(!r.errors[0].contains("SECRET"), "{:?}", r.errors);

        let failing = run_hook(
            &strings(&["sh", "-c", "exit 3"]),
            "{}".into(),
            Duration::from_secs(10),
        );
        assert_eq!(
            failing.unwrap().join().ok(),
            Some(HookExit::Exited(Some(3)))
        );
    }
}

#[test]
fn alerts_config_section() {
    let d = Config::default().alerts;
    assert!(d.bell && d.desktop && d.hook.is_none());
    assert_eq!((d.min_interval_secs, d.max_per_minute), (60, 6));
    let c = Config::parse(
        "[alerts]\nbell = false\ndesktop = true\nprotocol = \"osc777\"\nhook = \"/usr/local/bin/notify --room ops\"\nmin_interval_secs = 300\nmax_per_minute = 2\nkeywords = [\"旺旺\"]\nkols = [\"央视新闻\"]\n",
        "c.toml",
    )
    .unwrap();
    let a = &c.alerts;
    assert!(!a.bell);
    assert_eq!(a.protocol, NotifyProtocol::Osc777);
    assert_eq!((a.min_interval_secs, a.max_per_minute), (300, 2));
    assert_eq!(a.keywords, ["旺旺"]);
    let n = Notifier::new(a, &|k| {
        (k == "TMUX").then(|| "/tmp/tmux-1000/default,1,0".into())
    });
    assert_eq!(
        n.hook,
        Some(strings(&["/usr/local/bin/notify", "--room", "ops"]))
    );
    assert_eq!(n.desktop, Some(NotifyProtocol::Osc777));
    assert!(n.in_tmux && !n.bell);
    let e = Config::parse("[alerts]\n\nbel = true\n", "c.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("c.toml:3:") && e.contains("unknown field `bel`"),
        "{e}"
    );
    // desktop = false: no notification protocol at all.
    let off = Config::parse("[alerts]\ndesktop = false\n", "c.toml").unwrap();
    assert_eq!(Notifier::new(&off.alerts, &|_| None).desktop, None);
}
