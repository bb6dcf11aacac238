//! Tieba floors through the signed app API (`POST c.tieba.baidu.com/c/f/pb/page`): the sign
//! against the documented rule, the parser on a reconstructed payload (tests/fixtures/tieba_app),
//! the user Tieba cookie in the config, and the real HttpClient falling back from a walled PC
//! page to the app API of the replay server, which checks the sign.

use crate::support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeZone};
use md5::{Digest, Md5};
use resou::config::Config;
use resou::domain::cst;
use resou::domain::post::{DrillPage, DrillRequest, EntryKind, Run};
use resou::replay::{Fault, ReplayServer, Route, demo_data};
use resou::sources::SourceError;
use resou::sources::drill;
use resou::sources::http::{HttpClient, NetConfig, Profile, Secret};
use resou::sources::tieba::drill::{APP_PAGE_URL, app_form, app_sign, parse_app_floors};

const PB_PAGE: &str = include_str!("../fixtures/tieba_app/pb_page.json");
/// The first demo thread (topic 0, thread 0 of the replay server's derived ids).
const TID: &str = "9200000000";
const BDUSS: &str = "user-bduss-SECRET~x";

fn now() -> DateTime<FixedOffset> {
    cst().with_ymd_and_hms(2025, 10, 15, 18, 0, 0).unwrap()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn login_hint(r: &Result<DrillPage, SourceError>) -> Option<&str> {
    match r {
        Err(SourceError::LoginRequired { hint }) => Some(hint),
        _ => None,
    }
}

// ---------- sign ----------

#[test]
fn sign_is_md5_of_sorted_pairs_plus_salt() {
    let params = pairs(&[
        ("kz", "9200000000"),
        ("pn", "2"),
        ("_client_type", "2"),
        ("with_floor", "1"),
        ("BDUSS", "abc~d"),
        ("rn", "30"),
    ]);
    // Written out by hand in byte order of the keys (`B` < `_` < lower case).
    let expected =
        md5_hex("BDUSS=abc~d_client_type=2kz=9200000000pn=2rn=30with_floor=1tiebaclient!!!");
    assert_eq!(app_sign(&params), expected);
    // Order of the input does not matter; a `sign` already present is not signed.
    let mut shuffled: Vec<_> = params.iter().rev().cloned().collect();
    shuffled.push(("sign".into(), "stale".into()));
    assert_eq!(app_sign(&shuffled), expected);
    // Values are signed raw (not urlencoded) and every pair counts.
    let mut other = params.clone();
    other[1].1 = "3".into();
    assert_ne!(app_sign(&other), expected);
}

#[test]
fn form_has_the_client_fields_and_a_valid_sign() {
    let form = app_form(TID, 2, Some("B1")).unwrap();
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("kz"), Some(TID));
    assert_eq!(get("pn"), Some("2"));
    assert_eq!(get("rn"), Some("30"));
    assert_eq!(get("with_floor"), Some("1"));
    assert_eq!(get("_client_type"), Some("2"));
    assert!(get("_client_version").is_some());
    assert_eq!(get("BDUSS"), Some("B1"));
    let mut unsigned: Vec<String> = form
        .iter()
        .filter(|(k, _)| k != "sign")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    unsigned.sort();
    let expected = md5_hex(&format!("{}tiebaclient!!!", unsigned.concat()));
    assert_eq!(get("sign"), Some(expected.as_str()));
    assert!(
        app_form(TID, 1, None)
            .unwrap()
            .iter()
            .all(|(k, _)| k != "BDUSS")
    );
    assert!(app_form("../1", 1, None).is_err());
}

// ---------- parser ----------

#[test]
fn parser_joins_users_and_reads_content_types() {
    let p = parse_app_floors(PB_PAGE, "9200000000", 1, now()).unwrap();
    let ids: Vec<&str> = p.items.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "920000000001",
            "920000000002",
            "920000000003",
            "920000000004"
        ]
    );
    assert!(p.items.iter().all(|e| e.kind == EntryKind::TiebaFloor));
    assert_eq!(
        p.next,
        Some(DrillRequest::TiebaFloors {
            tid: "9200000000".into(),
            page: 2
        })
    );

    let f1 = &p.items[0];
    assert_eq!(f1.floor, Some(1));
    assert_eq!(f1.created_at.map(|t| t.timestamp()), Some(1_760_504_700));
    assert_eq!(f1.author.name.as_str(), "heinzfrentzen");
    assert_eq!(f1.author.id.as_deref(), Some("1702834561"));
    assert_eq!(f1.author.level, Some(12));
    assert!(f1.author.moderator, "is_bawu 1 is 吧务");
    assert_eq!(f1.author.region.as_ref().map(|r| r.as_str()), Some("广东"));
    assert_eq!(f1.pics, 1);
    assert_eq!(
        f1.text.0[0],
        Run::Text(resou::domain::SafeText::line("锐评IG为何不敌T1"))
    );
    assert!(matches!(&f1.text.0[1], Run::Emoji(t) if t.as_str() == "[滑稽]"));
    assert!(
        matches!(&f1.text.0[2], Run::Link { text, url } if text.as_str() == "S15揭幕战" && url == "https://tieba.baidu.com/p/9200000001")
    );
    // a javascript: link is kept as text only
    assert!(matches!(&f1.text.0[3], Run::Text(t) if t.as_str() == "坏链接"));
    assert_eq!(f1.replies, Some(0));
    assert_eq!(f1.open, None);
    assert!(f1.inline_replies.is_empty());
    assert_eq!(
        f1.url.as_deref(),
        Some("https://tieba.baidu.com/p/9200000000?pid=920000000001#920000000001")
    );

    let f2 = &p.items[1];
    assert_eq!(f2.floor, Some(2));
    assert_eq!(f2.author.name.as_str(), "可爱的搬运工94");
    assert_eq!(f2.author.level, Some(7));
    assert!(!f2.author.moderator);
    assert!(matches!(&f2.text.0[1], Run::Mention(t) if t.as_str() == "@heinzfrentzen"));
    // ESC stripped from text; topic as a hashtag; voice as a marker
    let plain = f2.text.to_plain();
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    assert!(plain.contains("T1入围赛3比1淘汰iG"), "{plain:?}");
    assert!(matches!(&f2.text.0[3], Run::Hashtag(t) if t.as_str() == "#S15#"));
    assert!(plain.ends_with("[语音]"), "{plain:?}");
    assert_eq!(f2.replies, Some(16));
    assert_eq!(
        f2.open,
        Some(DrillRequest::TiebaSubReplies {
            tid: "9200000000".into(),
            pid: "920000000002".into(),
            fid: "28345790".into(),
            page: 1
        })
    );
    let subs: Vec<(&str, &str, String)> = f2
        .inline_replies
        .iter()
        .map(|e| (e.id.as_str(), e.author.name.as_str(), e.text.to_plain()))
        .collect();
    assert_eq!(
        subs,
        [
            ("150726504693", "heinzfrentzen", "[滑稽]".to_string()),
            (
                "150726504694",
                "可爱的搬运工94",
                "陈芋汐水花也不小".to_string()
            ),
        ]
    );
    assert!(
        f2.inline_replies
            .iter()
            .all(|e| e.kind == EntryKind::TiebaSubReply)
    );
    assert_eq!(
        f2.inline_replies[0].created_at,
        Some(cst().with_ymd_and_hms(2024, 8, 6, 22, 11, 0).unwrap())
    );

    // name_show over name; a bad level is absent; an empty region is absent; a bad time is raw
    let f3 = &p.items[2];
    assert_eq!(f3.author.name.as_str(), "国际体坛巨星青椒肉丝");
    assert_eq!(f3.author.level, None);
    assert_eq!(f3.author.region, None);
    assert_eq!(f3.created_at, None);
    assert_eq!(
        f3.created_raw.as_ref().map(|r| r.as_str()),
        Some("not a time")
    );

    // an inline `author` when there is no `author_id`; a bare string body
    let f4 = &p.items[3];
    assert_eq!(f4.author.name.as_str(), "内联作者");
    assert_eq!(f4.author.id.as_deref(), Some("4000000001"));
    assert_eq!(f4.author.region.as_ref().map(|r| r.as_str()), Some("北京"));
    assert_eq!(f4.text.to_plain(), "plain string body");
}

#[test]
fn paging_follows_has_more_then_total_page() {
    let body = |page: &str| {
        format!(
            r#"{{"error_code":0,"post_list":[{{"id":"1","floor":"1","content":[]}}],"page":{page}}}"#
        )
    };
    let next = |b: &str, page| parse_app_floors(b, "5", page, now()).unwrap().next;
    assert_eq!(next(&body(r#"{"has_more":"0","total_page":"9"}"#), 1), None);
    assert_eq!(
        next(&body(r#"{"total_page":"3"}"#), 2),
        Some(DrillRequest::TiebaFloors {
            tid: "5".into(),
            page: 3
        })
    );
    assert_eq!(next(&body(r#"{"total_page":3}"#), 3), None);
    assert_eq!(next(&body("null"), 1), None);
}

#[test]
fn refusals_are_login_required_naming_the_cookie() {
    for body in [
        r#"{"error_code":"110001","error_msg":"未知错误"}"#,
        r#"{"error_code":1990055,"error_msg":"请先登录"}"#,
        r#"{"error_code":"110000","error_msg":"sign error"}"#,
        "<html><head><title>百度安全验证</title></head></html>",
    ] {
        let r = parse_app_floors(body, TID, 1, now());
        let hint = login_hint(&r).unwrap_or_else(|| panic!("{body}: {r:?}"));
        assert!(hint.contains("RESOU_TIEBA_COOKIE"), "{hint}");
    }
    let r = parse_app_floors(
        r#"{"error_code":"110001","error_msg":"未知错误"}"#,
        TID,
        1,
        now(),
    );
    assert!(login_hint(&r).unwrap().contains("110001"));
}

#[test]
fn hostile_bodies_never_panic() {
    let bodies = [
        "",
        "blocked",
        "[]",
        "{",
        r#"{"error_code":"0"}"#,
        r#"{"error_code":"0","post_list":{"id":1}}"#,
        r#"{"error_code":"0","post_list":[1,"x",null,[]],"user_list":"x","page":[]}"#,
        r#"{"error_code":"0","post_list":[{"id":"1","content":{"type":0},"sub_post_list":7,"author_id":{},"floor":-3,"time":[]}]}"#,
        r#"{"error_code":"0","post_list":[{"id":"1","content":[{"type":"x","text":5},{"type":2},{"type":1,"link":7},null],"sub_post_number":"1.2万","sub_post_list":{"sub_post_list":[{"id":"2","content":"x"},7]}}],"forum":"x"}"#,
        r#"{"error_code":[],"post_list":[]}"#,
    ];
    for b in bodies {
        let _ = parse_app_floors(b, TID, 1, now());
    }
    assert!(matches!(
        parse_app_floors(r#"{"error_code":"0"}"#, TID, 1, now()),
        Err(SourceError::Decode(_))
    ));
    assert!(matches!(
        parse_app_floors(r#"{"error_code":"0","post_list":[1,"x"]}"#, TID, 1, now()),
        Err(SourceError::Decode(_))
    ));
    // Odd fields are dropped, not fatal: the floor survives with what could be read.
    let p = parse_app_floors(bodies[8], TID, 1, now()).unwrap();
    assert_eq!(p.items.len(), 1);
    assert_eq!(p.items[0].replies, Some(12_000));
    assert_eq!(p.items[0].inline_replies.len(), 1);
    assert_eq!(p.items[0].open.as_ref().map(|_| ()), Some(()));
}

// ---------- config ----------

#[test]
fn tieba_cookie_from_the_config_is_secret() {
    if std::env::var_os("RESOU_TIEBA_COOKIE").is_some() {
        return; // the environment would win; covered by the child test below
    }
    let c = Config::parse("[tieba]\ncookie = \"BDUSS=secret-bduss\"\n", "c.toml").unwrap();
    let s = c.sources();
    assert_eq!(
        s.net.tieba_cookie.as_ref().map(Secret::expose),
        Some("BDUSS=secret-bduss")
    );
    assert!(!format!("{c:?}").contains("secret-bduss"));
    assert!(!format!("{s:?}").contains("secret-bduss"));
    let client = HttpClient::new(&s.net).unwrap();
    assert_eq!(
        client.tieba_bduss().as_ref().map(Secret::expose),
        Some("secret-bduss")
    );
    assert!(!format!("{client:?}").contains("secret-bduss"));
    // Unknown keys in [tieba] are refused like everywhere else.
    assert!(Config::parse("[tieba]\nbduss = \"x\"\n", "c.toml").is_err());
}

#[cfg(unix)]
#[test]
fn tieba_cookie_file_must_be_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("config.toml");
    std::fs::write(&p, "[tieba]\ncookie = \"BDUSS=x\"\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    let e = Config::load(Some(&p)).unwrap_err().to_string();
    assert!(
        e.contains("chmod 600") && e.contains("RESOU_TIEBA_COOKIE"),
        "{e}"
    );
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(Config::load(Some(&p)).is_ok());
}

/// Runs in a child process (below) so that setting the variable touches no other test.
#[test]
fn env_cookie_child() {
    if std::env::var_os("RESOU_TIEBA_APP_CHILD").is_none() {
        return;
    }
    let c = Config::parse("[tieba]\ncookie = \"BDUSS=from-file\"\n", "c.toml").unwrap();
    let s = c.sources();
    assert_eq!(
        s.net.tieba_cookie.as_ref().map(Secret::expose),
        Some("BDUSS=from-env")
    );
    assert!(!format!("{s:?}").contains("from-env"));
}

#[test]
fn env_cookie_wins_over_the_file() {
    // The test's name as libtest lists it: the module path without the crate name.
    let name = concat!(module_path!(), "::env_cookie_child");
    let name = name.split_once("::").map_or(name, |(_, path)| path);
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--nocapture"])
        .env("RESOU_TIEBA_APP_CHILD", "1")
        .env("RESOU_TIEBA_COOKIE", "BDUSS=from-env")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("1 passed"), "{stdout}");
}

// ---------- end to end through the replay server ----------

async fn server() -> ReplayServer {
    let d = demo_data().expect("demo data");
    support::replay(Vec::new(), d.tieba).await
}

fn client(s: &ReplayServer, cookie: Option<&str>) -> HttpClient {
    HttpClient::new(&NetConfig {
        origin: Some(s.origin()),
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(2),
        weibo_cookie: Some(Secret::new("SUB=weibo-only")),
        tieba_cookie: cookie.map(Secret::new),
        zhihu_cookie: None,
        max_body_bytes: 4 << 20,
    })
    .unwrap()
}

fn floors(page: u32) -> DrillRequest {
    DrillRequest::TiebaFloors {
        tid: TID.into(),
        page,
    }
}

/// What the two routes must agree on, floor by floor: id, floor, author, text, time, replies.
fn summary(p: &DrillPage) -> Vec<String> {
    p.items
        .iter()
        .map(|e| {
            format!(
                "{} {:?} {} {:?} {:?} {:?}",
                e.id,
                e.floor,
                e.author.name.as_str(),
                e.text.to_plain(),
                e.created_at.map(|t| t.timestamp()),
                e.replies,
            )
        })
        .collect()
}

/// A `tracing` writer into a shared buffer (to look for secrets in what would be logged).
#[derive(Clone, Default)]
struct LogBuf(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of this test binary, from any thread: a global subscriber, installed once.
/// (A thread-local one misses events whose callsites other tests' threads cached as disabled.)
fn global_logs() -> LogBuf {
    static LOGS: std::sync::OnceLock<LogBuf> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = LogBuf::default();
        let w = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || w.clone())
            .finish();
        // Installing a dispatcher rebuilds every callsite's cached interest.
        let _ = tracing::subscriber::set_global_default(subscriber);
        logs
    })
    .clone()
}

#[tokio::test]
async fn walled_pc_page_falls_back_to_the_signed_app_api() {
    let logs = global_logs();
    let s = server().await;
    let c = client(&s, Some(&format!("BDUSS={BDUSS}; STOKEN=st")));
    let pc = drill::fetch(&c, &floors(1), now()).await.unwrap();
    assert!(pc.items.len() >= 2, "{}", pc.items.len());
    assert_eq!(
        s.hits(Route::TiebaAppPage),
        0,
        "no fallback while the page works"
    );

    s.set_fault(Route::TiebaThreadPage, Fault::LoginWall);
    let app = drill::fetch(&c, &floors(1), now()).await.unwrap();
    assert_eq!(s.hits(Route::TiebaAppPage), 1);
    assert_eq!(summary(&app), summary(&pc), "the same floors either way");
    assert_eq!(app.next, pc.next);
    // The app API also names user levels, regions and inline sub-replies.
    assert!(app.items.iter().all(|e| e.author.level.is_some()));
    assert!(app.items.iter().all(|e| e.author.region.is_some()));
    let f2 = &app.items[1];
    assert_eq!(
        f2.open, pc.items[1].open,
        "same sub-reply request (fid from forum.id)"
    );
    assert_eq!(f2.inline_replies.len(), 3);
    assert_eq!(f2.inline_replies[1].text.to_plain(), "陈芋汐水花也不小");
    // ... and that request still loads (from the PC fragment route).
    let sub = drill::fetch(&c, f2.open.as_ref().unwrap(), now())
        .await
        .unwrap();
    assert_eq!(sub.items.len(), 10);

    // The server got the signed form with the user's BDUSS, and the cookie as a header.
    let form = s.last_form(Route::TiebaAppPage).unwrap();
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("BDUSS"), Some(BDUSS));
    assert_eq!(get("kz"), Some(TID));
    assert_eq!(get("pn"), Some("1"));
    let h = s.last_headers(Route::TiebaAppPage).unwrap();
    assert_eq!(
        h.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/x-www-form-urlencoded")
    );
    let cookie = h.get("cookie").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(cookie.contains(&format!("BDUSS={BDUSS}")), "{cookie}");
    assert!(
        !cookie.contains("SUB=weibo-only"),
        "Weibo cookie never goes to Baidu"
    );
    let pc_cookie = s.last_headers(Route::TiebaThreadPage).unwrap();
    assert!(
        pc_cookie.get("cookie").is_some(),
        "the PC page gets the Tieba cookie too"
    );

    // Never in logs or Debug output.
    assert!(!format!("{c:?}").contains(BDUSS));
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        text.contains("app API"),
        "the subscriber saw the fallback: {text}"
    );
    assert!(!text.contains("user-bduss-SECRET"), "{text}");
}

#[tokio::test]
async fn without_a_cookie_the_form_has_no_bduss() {
    let s = server().await;
    let c = client(&s, None);
    s.set_fault(Route::TiebaThreadPage, Fault::LoginRedirect);
    let p = drill::fetch(&c, &floors(1), now()).await.unwrap();
    assert!(!p.items.is_empty());
    let form = s.last_form(Route::TiebaAppPage).unwrap();
    assert!(form.iter().all(|(k, _)| k != "BDUSS"));
    assert!(
        s.last_headers(Route::TiebaAppPage)
            .unwrap()
            .get("cookie")
            .is_none()
    );
}

#[tokio::test]
async fn server_refuses_a_tampered_sign() {
    let s = server().await;
    let c = client(&s, None);
    let good = app_form(TID, 1, None).unwrap();
    let ok = c
        .post_form(APP_PAGE_URL, &good, Profile::TiebaClient)
        .await
        .unwrap();
    assert!(
        parse_app_floors(&ok.body, TID, 1, now()).is_ok(),
        "{}",
        ok.body
    );

    let mut tampered = good.clone();
    for (k, v) in tampered.iter_mut() {
        if k == "pn" {
            *v = "2".into();
        }
    }
    let refused = c
        .post_form(APP_PAGE_URL, &tampered, Profile::TiebaClient)
        .await
        .unwrap();
    assert!(refused.body.contains("110000"), "{}", refused.body);
    let r = parse_app_floors(&refused.body, TID, 2, now());
    assert!(login_hint(&r).is_some_and(|h| h.contains("RESOU_TIEBA_COOKIE")));
}

#[tokio::test]
async fn both_walled_is_login_required_naming_the_cookie() {
    let s = server().await;
    let c = client(&s, Some("BDUSS=stale-value"));
    s.set_fault(Route::TiebaThreadPage, Fault::LoginWall);
    s.set_fault(Route::TiebaAppPage, Fault::Envelope(1_990_055));
    let r = drill::fetch(&c, &floors(1), now()).await;
    let hint = login_hint(&r).unwrap_or_else(|| panic!("{r:?}"));
    assert!(hint.contains("RESOU_TIEBA_COOKIE"), "{hint}");
    assert!(
        !hint.contains("stale-value"),
        "the cookie value is not echoed: {hint}"
    );

    // A login redirect of the app API itself names the refused cookie.
    s.set_fault(Route::TiebaAppPage, Fault::LoginRedirect);
    let hint = login_hint(&drill::fetch(&c, &floors(1), now()).await)
        .unwrap()
        .to_string();
    assert!(hint.contains("RESOU_TIEBA_COOKIE"), "{hint}");

    // Other PC failures are not walls: no fallback.
    s.clear_faults();
    s.set_fault(Route::TiebaThreadPage, Fault::Status(500));
    let before = s.hits(Route::TiebaAppPage);
    assert_eq!(
        drill::fetch(&c, &floors(1), now()).await,
        Err(SourceError::Status(500))
    );
    assert_eq!(s.hits(Route::TiebaAppPage), before);
}

#[tokio::test]
async fn app_route_faults_are_classified() {
    let s = server().await;
    let c = client(&s, None);
    s.set_fault(Route::TiebaThreadPage, Fault::LoginWall);
    s.set_fault(Route::TiebaAppPage, Fault::Truncated);
    assert!(matches!(
        drill::fetch(&c, &floors(1), now()).await,
        Err(SourceError::Decode(_))
    ));
    s.set_fault(Route::TiebaAppPage, Fault::WrongShape);
    assert!(matches!(
        drill::fetch(&c, &floors(1), now()).await,
        Err(SourceError::Decode(_))
    ));
    s.set_fault(Route::TiebaAppPage, Fault::Status(502));
    assert_eq!(
        drill::fetch(&c, &floors(1), now()).await,
        Err(SourceError::Status(502))
    );
}
