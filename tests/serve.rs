//! `resou serve` (issue 19) queried by a real HTTP client (reqwest) on 127.0.0.1: stores
//! filled with real fixture lists, the JSON checked against the fixtures and against
//! `report::build` of the same store, every feed read back by an independent parser
//! (feed-rs), the token, the limits and the JSON errors — in process through `serve::run`,
//! and once through the built binary. Nothing leaves loopback; nothing sleeps to synchronise.

// The report tests' store: real lists inserted and analysed as the app does (rising
// keywords, stories), two users' flags — the same data the reports are checked against.
#[path = "report/support.rs"]
mod support;

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use resou::domain::{Platform, SafeText, Snapshot, Topic};
use resou::report::{self, PeriodSpec, Schedule};
use resou::serve::{self, Clock, Opener, Options, Rate, Server, Token};
use resou::store::{HistoryStore, SqliteStore, StoreSpec};
use serde_json::Value;
use support::{NOTE_LI, NOTE_WANG, time, triage_record};

const TOKEN: &str = "feed-token-0123456789abcdef";
/// Remote text that tries to be markup, to end a CDATA section, or to drive a terminal.
const SCRIPT: &str = "<script>alert(1)</script>官方回应";
const CDATA_END: &str = "]]><b>加粗</b> & 'q' \"d\"";
const ANSI: &str = "\u{1b}[31m红色预警\u{1b}[0m";
const NOTE: &str = "]]> <img src=x onerror=alert(1)> \u{1b}[2J 注意";

/// A running in-process server; stops when dropped.
struct Running {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

impl Running {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// Bound before the server task starts, so requests queue in the backlog: no readiness race.
async fn start(opener: Opener, options: Options) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::new(opener, options);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve::run(listener, server, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        stop: Some(stop),
    }
}

fn read_only(path: &Path) -> Opener {
    let path = path.to_path_buf();
    Arc::new(move || Ok(Box::new(SqliteStore::open_read_only(&path)?) as Box<dyn HistoryStore>))
}

fn options_at(now: DateTime<FixedOffset>) -> Options {
    Options {
        now: Arc::new(move || now),
        ..Options::new("https://feeds.example.net/resou")
    }
}

fn client() -> reqwest::Client {
    // No proxy from the environment: loopback only.
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn get(url: &str) -> reqwest::Response {
    client().get(url).send().await.unwrap()
}

async fn json(url: &str) -> Value {
    let r = get(url).await;
    let status = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(status, 200, "{url}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{url}: {e}: {body}"))
}

/// An error answer: its status and `{"error":{"status","message"}}` body; the message.
async fn error(r: reqwest::Response, status: u16) -> String {
    assert_eq!(r.status(), status, "{:?}", r.headers());
    assert!(
        r.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "{:?}",
        r.headers()
    );
    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(v["error"]["status"], status, "{v}");
    v["error"]["message"].as_str().unwrap().to_string()
}

/// A small store: the real Weibo and Tieba lists of tests/fixtures/store/lists.jsonl, one
/// Baidu list of hostile titles, and triage that flags a real and a hostile topic.
fn small_store(dir: &Path) -> PathBuf {
    let path = dir.join("history.sqlite3");
    let mut store = SqliteStore::open(&path).unwrap();
    for l in support::lines("store/lists.jsonl") {
        store.insert_poll(&l.to_snapshot(), "fixture").unwrap();
    }
    let at = time("2026-08-15T13:05:00+08:00");
    let mut s = Snapshot::new(Platform::Baidu, at);
    for (i, title) in [SCRIPT, CDATA_END, ANSI].iter().enumerate() {
        s.ranked
            .push(Topic::new(Platform::Baidu, Some(i as u32 + 1), title));
    }
    store.insert_poll(&s.finish(), "fixture").unwrap();
    let evening = time("2026-08-15T21:00:00+08:00");
    store
        .save_triage(&triage_record(
            "wang",
            &[
                (
                    Platform::Weibo,
                    "国乒男单全军覆没",
                    at,
                    true,
                    Some(NOTE_WANG),
                ),
                (Platform::Baidu, SCRIPT, at, true, Some(NOTE)),
            ],
        ))
        .unwrap();
    store
        .save_triage(&triage_record(
            "li",
            &[
                (Platform::Weibo, "国乒男单全军覆没", evening, true, None),
                // Noted, not flagged by anyone: not a flagged topic.
                (
                    Platform::Weibo,
                    "旺旺 配料表",
                    evening,
                    false,
                    Some(NOTE_LI),
                ),
            ],
        ))
        .unwrap();
    path
}

#[tokio::test]
async fn latest_lists_come_back_with_ranks_heat_and_labels() {
    let dir = tempfile::tempdir().unwrap();
    let db = small_store(dir.path());
    let s = start(read_only(&db), Options::new("http://x")).await;

    let all = json(&s.url("/api/lists")).await;
    let lists = all["lists"].as_array().unwrap();
    let ids: Vec<&str> = lists
        .iter()
        .map(|l| l["platform"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["weibo", "tieba", "baidu"],
        "platform order, stored ones only"
    );
    let weibo = &lists[0];
    assert_eq!(
        weibo["captured_at"], "2026-08-15T13:00:00+08:00",
        "the latest poll"
    );
    assert_eq!(weibo["items"].as_array().unwrap().len(), 50);
    assert_eq!(weibo["pinned"][0]["title"], "共绘美丽中国新画卷");
    assert_eq!(weibo["pinned"][0]["rank"], Value::Null);

    let one = json(&s.url("/api/lists/weibo?limit=3")).await;
    let items = one["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let second = &items[1];
    assert_eq!(second["rank"], 2);
    assert_eq!(second["title"], "国乒男单全军覆没");
    assert_eq!(second["heat"], 1_524_898);
    assert_eq!(second["heat_text"], "152万", "the app's heat formatting");
    assert_eq!(second["label"], "热");
    assert!(
        second["url"]
            .as_str()
            .unwrap()
            .starts_with("https://s.weibo.com/")
    );
    let tieba = json(&s.url("/api/lists/tieba")).await;
    assert_eq!(tieba["items"][0]["title"], "IG王朝崩塌,不敌T1止步入围赛!");
    assert_eq!(tieba["items"][0]["heat"], Value::Null);
    assert_eq!(tieba["captured_at"], "2025-10-15T00:38:00+08:00");

    let baidu = json(&s.url("/api/lists?platform=baidu")).await;
    assert_eq!(
        baidu["lists"][0]["items"][0]["title"], SCRIPT,
        "JSON carries it as text"
    );
    assert_eq!(
        baidu["lists"][0]["items"][2]["title"],
        SafeText::line(ANSI).as_str(),
        "terminal escapes were stripped on the way into the store"
    );
    assert!(!SafeText::line(ANSI).as_str().contains('\u{1b}'));

    let m = error(get(&s.url("/api/lists/kuaishou")).await, 404).await;
    assert!(m.contains("no stored list for kuaishou"), "{m}");
    let m = error(get(&s.url("/api/lists/myspace")).await, 404).await;
    assert!(m.contains("unknown platform `myspace`"), "{m}");
}

#[tokio::test]
async fn flagged_topics_merge_every_users_flags_and_notes() {
    let dir = tempfile::tempdir().unwrap();
    let db = small_store(dir.path());
    let s = start(read_only(&db), Options::new("http://x")).await;
    let v = json(&s.url("/api/flagged")).await;
    let flagged = v["flagged"].as_array().unwrap();
    let titles: Vec<&str> = flagged
        .iter()
        .map(|f| f["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["国乒男单全军覆没", SCRIPT],
        "last flagged first; notes alone don't count"
    );
    assert_eq!(flagged[0]["flagged_by"], serde_json::json!(["li", "wang"]));
    assert_eq!(
        flagged[0]["notes"],
        serde_json::json!([{ "user": "wang", "note": NOTE_WANG }])
    );
    assert_eq!(flagged[0]["platform"], "weibo");
    assert_eq!(flagged[0]["updated_at"], "2026-08-15T21:00:00+08:00");
    assert_eq!(
        flagged[1]["notes"][0]["note"],
        SafeText::line(NOTE).as_str(),
        "a note is typed text: sanitised like remote text"
    );
    let v = json(&s.url("/api/flagged?platform=baidu&limit=5")).await;
    assert_eq!(v["flagged"].as_array().unwrap().len(), 1);
}

/// JSON Feed 1.1's required and used fields, checked against the spec by hand.
fn check_json_feed(v: &Value, feed_url: &str) {
    assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
    assert!(v["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(v["feed_url"], feed_url);
    assert!(v["home_page_url"].as_str().unwrap().starts_with("https://"));
    for item in v["items"].as_array().unwrap() {
        assert!(item["id"].is_string(), "id is a string: {item}");
        assert!(item["content_text"].is_string(), "{item}");
        for key in ["date_published", "date_modified"] {
            if let Some(d) = item[key].as_str() {
                DateTime::parse_from_rfc3339(d).unwrap_or_else(|e| panic!("{key} {d}: {e}"));
            }
        }
        assert!(
            item["tags"]
                .as_array()
                .unwrap()
                .iter()
                .all(Value::is_string)
        );
        if let Some(a) = item["authors"].as_array() {
            assert!(a.iter().all(|a| a["name"].is_string()), "{item}");
        }
    }
}

/// The three formats of `/feed/<name>`, each parsed by feed-rs; their titles.
async fn read_feeds(s: &Running, name: &str, query: &str) -> Vec<Vec<String>> {
    let mut titles = Vec::new();
    for (ext, kind, ctype) in [
        (
            "json",
            feed_rs::model::FeedType::JSON,
            "application/feed+json",
        ),
        (
            "atom",
            feed_rs::model::FeedType::Atom,
            "application/atom+xml",
        ),
        ("rss", feed_rs::model::FeedType::RSS2, "application/rss+xml"),
    ] {
        let url = s.url(&format!("/feed/{name}.{ext}{query}"));
        let r = get(&url).await;
        assert_eq!(r.status(), 200, "{url}");
        let got = r.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        assert!(got.starts_with(ctype), "{url}: {got}");
        let body = r.bytes().await.unwrap();
        if ext == "json" {
            let base = "https://feeds.example.net/resou/feed";
            check_json_feed(
                &serde_json::from_slice(&body).unwrap(),
                &format!("{base}/{name}.json"),
            );
        } else {
            let text = std::str::from_utf8(&body).unwrap();
            assert!(
                !text.contains("<script>") && !text.contains('\u{1b}'),
                "{url}: {text}"
            );
        }
        let feed = feed_rs::parser::parse(&body[..]).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(feed.feed_type, kind, "{url}");
        titles.push(
            feed.entries
                .iter()
                .map(|e| {
                    e.title
                        .as_ref()
                        .map(|t| t.content.clone())
                        .unwrap_or_default()
                })
                .collect(),
        );
    }
    titles
}

#[tokio::test]
async fn flagged_feeds_parse_and_hostile_text_comes_out_escaped_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    let db = small_store(dir.path());
    let s = start(
        read_only(&db),
        options_at(time("2026-08-15T22:00:00+08:00")),
    )
    .await;
    let titles = read_feeds(&s, "flagged", "").await;
    let want = vec![
        format!("[{}] 国乒男单全军覆没", Platform::Weibo.name()),
        format!("[{}] {SCRIPT}", Platform::Baidu.name()),
    ];
    for (format, got) in ["json", "atom", "rss"].iter().zip(&titles) {
        assert_eq!(got, &want, "{format}: the script tag is text, whole");
    }
    // The note that tries to close a CDATA section: RSS puts descriptions in CDATA.
    let rss = get(&s.url("/feed/flagged.rss"))
        .await
        .bytes()
        .await
        .unwrap();
    let feed = feed_rs::parser::parse(&rss[..]).unwrap();
    let summary = feed.entries[1].summary.as_ref().unwrap().content.clone();
    let note = format!("wang: {}", SafeText::line(NOTE));
    assert!(
        note.contains("]]> <img") && summary.contains(&note),
        "{summary}"
    );
    let atom = get(&s.url("/feed/flagged.atom"))
        .await
        .bytes()
        .await
        .unwrap();
    let feed = feed_rs::parser::parse(&atom[..]).unwrap();
    let e = &feed.entries[0];
    assert_eq!(
        e.id,
        "urn:resou:flagged:weibo%3A%E5%9B%BD%E4%B9%92%E7%94%B7%E5%8D%95%E5%85%A8%E5%86%9B%E8%A6%86%E6%B2%A1"
    );
    let authors: Vec<&str> = e.authors.iter().filter_map(|a| a.name.as_deref()).collect();
    assert_eq!(authors, ["li", "wang"]);
    assert!(feed.links.iter().any(|l| l.href
        == "https://feeds.example.net/resou/feed/flagged.atom"
        && l.rel.as_deref() == Some("self")));
    let v = json(&s.url("/feed/flagged.json?platform=baidu")).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["items"][0]["title"],
        format!("[{}] {SCRIPT}", Platform::Baidu.name())
    );
}

/// The team's alerts from the delivery queue: a message sent to two channels is one alert
/// with both deliveries; filters by tier; every feed parses with the hostile title escaped.
#[tokio::test]
async fn alerts_come_from_the_delivery_queue_one_per_message() {
    use resou::store::{NewPush, PushState, PushUpdate};
    let dir = tempfile::tempdir().unwrap();
    let db = small_store(dir.path());
    {
        let mut store = SqliteStore::open(&db).unwrap();
        let queue = |store: &mut SqliteStore, channel: &str, title: &str, tier: &str, secs| {
            let msg = serde_json::json!({
                "title": title, "body_markdown": "**话题 · 微博**\n规则 brand",
                "tier": tier, "mentions": [], "url": "https://s.weibo.com/weibo?q=%23x%23",
                "html": null, "rule": "brand", "platform": "weibo",
            });
            store
                .enqueue_push(&NewPush {
                    channel: channel.into(),
                    rule: "brand".into(),
                    tier: tier.into(),
                    title: title.into(),
                    message: msg.to_string(),
                    created_at: time("2026-08-15T21:00:00+08:00") + chrono::Duration::seconds(secs),
                    next_at: time("2026-08-15T21:00:00+08:00"),
                })
                .unwrap()
        };
        let a = queue(&mut store, "ding", SCRIPT, "orange", 0);
        let b = queue(&mut store, "wecom", SCRIPT, "orange", 0);
        let c = queue(&mut store, "ding", "胖东来房东逻辑", "blue", 60);
        let done = |state, err: Option<&str>| PushUpdate {
            state,
            parts_done: 1,
            attempts: 1,
            last_error: err.map(str::to_string),
            next_at: time("2026-08-15T21:02:00+08:00"),
            updated_at: time("2026-08-15T21:02:00+08:00"),
        };
        store
            .update_push(a, &done(PushState::Delivered, None))
            .unwrap();
        store
            .update_push(
                b,
                &done(PushState::Failed, Some("WeCom 93000: invalid webhook url")),
            )
            .unwrap();
        store
            .update_push(c, &done(PushState::Delivered, None))
            .unwrap();
    }
    let s = start(
        read_only(&db),
        options_at(time("2026-08-15T22:00:00+08:00")),
    )
    .await;
    let v = json(&s.url("/api/alerts")).await;
    let alerts = v["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 2, "{v}");
    let scripted = alerts.iter().find(|a| a["title"] == SCRIPT).unwrap();
    assert_eq!(scripted["tier"], "orange");
    assert_eq!(scripted["platform"], "weibo");
    let went: Vec<(&str, &str)> = scripted["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["channel"].as_str().unwrap(), d["state"].as_str().unwrap()))
        .collect();
    assert_eq!(went, [("ding", "delivered"), ("wecom", "failed")]);
    let v = json(&s.url("/api/alerts?tier=orange")).await;
    assert_eq!(v["alerts"].as_array().unwrap().len(), 1);

    let titles = read_feeds(&s, "alerts", "").await;
    for got in &titles {
        assert!(got.contains(&format!("【橙色】{SCRIPT}")), "{got:?}");
        assert!(
            got.contains(&"【蓝色】胖东来房东逻辑".to_string()),
            "{got:?}"
        );
    }
}

/// `report::build` of the shared store for the day ending at `now`.
fn report_at(now: &str) -> report::Report {
    let store = support::open_store();
    let period = PeriodSpec::Day.ending_at(time(now), &Schedule::default());
    report::build(&store, &period, &report::Options::default()).unwrap()
}

#[tokio::test]
async fn rising_keywords_are_the_reports_with_tiers_and_feeds() {
    let now = "2026-08-15T23:00:00+08:00";
    let want = report_at(now);
    assert!(
        want.rising.len() >= 3,
        "the fixture day has rising keywords"
    );
    let s = start(read_only(support::store_path()), options_at(time(now))).await;
    let v = json(&s.url("/api/rising?limit=500")).await;
    let got = v["rising"].as_array().unwrap();
    assert_eq!(got.len(), want.rising.len());
    for (g, w) in got.iter().zip(&want.rising) {
        assert_eq!(g["keyword"], w.keyword.as_str());
        assert_eq!(
            g["onset"],
            serde_json::to_value(w.onset).unwrap(),
            "{}",
            w.keyword
        );
        assert_eq!(
            g["peak_score"].as_f64(),
            Some(w.peak_score),
            "{}",
            w.keyword
        );
        assert!(["blue", "yellow", "orange", "red"].contains(&g["tier"].as_str().unwrap()));
    }
    let at_least_yellow: Vec<&Value> = got.iter().filter(|g| g["tier"] != "blue").collect();
    let v = json(&s.url("/api/rising?tier=黄&limit=500")).await;
    assert_eq!(v["rising"].as_array().unwrap().len(), at_least_yellow.len());
    let v = json(&s.url("/api/rising?limit=2")).await;
    assert_eq!(v["rising"].as_array().unwrap().len(), 2);

    let titles = read_feeds(&s, "rising", "?limit=5").await;
    for t in &titles {
        assert_eq!(t.len(), 5);
        assert!(
            t[0].ends_with(&format!("上升 {}", want.rising[0].keyword)),
            "{t:?}"
        );
    }
    let m = error(get(&s.url("/api/rising?platform=weibo")).await, 400).await;
    assert!(m.contains("unknown query parameter `platform`"), "{m}");
}

#[tokio::test]
async fn events_list_titles_in_propagation_order() {
    let now = support::ELEVEN_TO;
    let want = report_at(now);
    assert!(want.events.len() >= 5, "eleven lists that morning");
    let s = start(read_only(support::store_path()), options_at(time(now))).await;
    let v = json(&s.url("/api/events?limit=500")).await;
    let got = v["events"].as_array().unwrap();
    // Newest first, ties by label.
    let mut want_labels: Vec<(DateTime<FixedOffset>, String)> = want
        .events
        .iter()
        .map(|e| (e.first_seen, e.label.clone()))
        .collect();
    want_labels.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let got_labels: Vec<(DateTime<FixedOffset>, String)> = got
        .iter()
        .map(|e| {
            let t = DateTime::parse_from_rfc3339(e["first_seen"].as_str().unwrap()).unwrap();
            (t, e["label"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(got_labels, want_labels, "the report's events, newest first");
    for e in got {
        let firsts: Vec<DateTime<FixedOffset>> = e["titles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| DateTime::parse_from_rfc3339(t["first_seen"].as_str().unwrap()).unwrap())
            .collect();
        assert!(firsts.windows(2).all(|w| w[0] <= w[1]), "{e}");
        let spread = e["spread"].as_array().unwrap();
        assert!(spread.len() >= 2, "{e}");
        assert_eq!(spread[0]["after_min"], 0, "{e}");
        assert!(
            spread
                .windows(2)
                .all(|w| w[0]["after_min"].as_i64() <= w[1]["after_min"].as_i64())
        );
        assert_eq!(spread[0]["platform"], e["titles"][0]["platform"], "{e}");
    }
    let v = json(&s.url("/api/events?platform=weibo&limit=500")).await;
    let on_weibo = |e: &&Value| {
        e["spread"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["platform"] == "weibo")
    };
    let weibo = v["events"].as_array().unwrap();
    assert!(!weibo.is_empty());
    assert!(weibo.iter().all(|e| on_weibo(&e)));
    assert_eq!(weibo.len(), got.iter().filter(on_weibo).count());
    let titles = read_feeds(&s, "events", "?limit=3").await;
    for t in &titles {
        assert_eq!(t.len(), 3);
        assert!(
            t[0].contains(&format!("事件 {}", got[0]["label"].as_str().unwrap())),
            "{t:?}"
        );
    }
}

#[tokio::test]
async fn reports_as_json_markdown_and_html() {
    let now = "2026-08-15T23:00:00+08:00";
    let want = report_at(now);
    let s = start(read_only(support::store_path()), options_at(time(now))).await;
    let v = json(&s.url("/api/reports/day")).await;
    assert_eq!(v, serde_json::to_value(&want).unwrap());
    let r = get(&s.url("/api/reports/day?format=md")).await;
    assert!(
        r.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    assert_eq!(r.text().await.unwrap(), report::render_markdown(&want));
    let r = get(&s.url("/api/reports/day?format=html")).await;
    assert!(
        r.headers()[reqwest::header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert_eq!(r.text().await.unwrap(), report::render_html(&want));
    let v = json(&s.url("/api/reports/shift")).await;
    assert_eq!(v["period"]["spec"], "shift");
    let m = error(get(&s.url("/api/reports/week")).await, 404).await;
    assert!(m.contains("period `week`"), "{m}");
    let m = error(get(&s.url("/api/reports/day?format=pdf")).await, 400).await;
    assert!(m.contains("json, md or html"), "{m}");
}

#[tokio::test]
async fn a_token_is_required_when_set_and_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let db = small_store(dir.path());
    let s = start(
        read_only(&db),
        Options {
            token: Some(Token::new(TOKEN)),
            ..Options::new("http://x")
        },
    )
    .await;
    let url = s.url("/api/lists/weibo");
    let r = get(&url).await;
    assert_eq!(r.headers()["www-authenticate"], "Bearer realm=\"resou\"");
    let m = error(r, 401).await;
    assert!(m.contains("Authorization: Bearer"), "{m}");
    let r = client()
        .get(&url)
        .bearer_auth("wrong-token-0123456789")
        .send()
        .await
        .unwrap();
    let m = error(r, 401).await;
    assert!(m.contains("wrong token") && !m.contains(TOKEN), "{m}");
    let r = client().get(&url).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = get(&s.url(&format!("/feed/flagged.rss?access_token={TOKEN}"))).await;
    assert_eq!(
        r.status(),
        200,
        "RFC 6750's query parameter, for feed readers"
    );
}

#[cfg(unix)]
#[test]
fn a_token_file_others_can_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, format!("{TOKEN}\n")).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = Token::from_file(&file).unwrap_err().to_string();
    assert!(e.contains("chmod 600") && !e.contains(TOKEN), "{e}");
    // The binary refuses it before listening.
    let out = resou(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--token-file"])
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("chmod 600") && !err.contains(TOKEN), "{err}");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(Token::from_file(&file).unwrap().matches(TOKEN));
}

#[test]
fn listening_beyond_loopback_without_a_token_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = resou(dir.path())
        .args(["serve", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("refusing to listen on 0.0.0.0:0 without a token"),
        "{err}"
    );
}

#[tokio::test]
async fn the_rate_limit_answers_429_until_the_bucket_refills() {
    let dir = tempfile::tempdir().unwrap();
    let db = small_store(dir.path());
    let ms = Arc::new(AtomicU64::new(0));
    let clock: Clock = {
        let ms = ms.clone();
        Arc::new(move || Duration::from_millis(ms.load(Ordering::SeqCst)))
    };
    let mut options = Options::new("http://x");
    options.clock = clock;
    options.limits.rate = Rate {
        burst: 3,
        per_second: 0.5,
    };
    let s = start(read_only(&db), options).await;
    let url = s.url("/api/lists/tieba");
    for _ in 0..3 {
        assert_eq!(get(&url).await.status(), 200);
    }
    let r = get(&url).await;
    assert_eq!(r.headers()["retry-after"], "2");
    let m = error(r, 429).await;
    assert!(m.contains("retry in 2 s"), "{m}");
    ms.store(1_000, Ordering::SeqCst);
    assert_eq!(
        get(&url).await.headers()["retry-after"],
        "1",
        "half a token back"
    );
    ms.store(2_000, Ordering::SeqCst);
    assert_eq!(get(&url).await.status(), 200);
    assert_eq!(get(&url).await.status(), 429);
}

#[tokio::test]
async fn errors_are_json_with_their_status() {
    let dir = tempfile::tempdir().unwrap();
    let db = small_store(dir.path());
    let s = start(read_only(&db), Options::new("http://x")).await;
    let r = client().post(s.url("/api/lists")).send().await.unwrap();
    assert_eq!(r.headers()["allow"], "GET, HEAD");
    let m = error(r, 405).await;
    assert!(m.contains("POST not allowed"), "{m}");
    let r = client().delete(s.url("/nope")).send().await.unwrap();
    error(r, 405).await;
    let m = error(get(&s.url("/nope")).await, 404).await;
    assert!(
        m.contains("no route /nope") && m.contains("/api/lists"),
        "{m}"
    );
    let m = error(get(&s.url("/feed/flagged.xml")).await, 404).await;
    assert!(m.contains("no feed `flagged.xml`"), "{m}");
    let m = error(get(&s.url("/api/lists?limit=0")).await, 400).await;
    assert!(m.contains("limit `0`"), "{m}");
    let m = error(get(&s.url("/api/lists?colour=red")).await, 400).await;
    assert!(m.contains("unknown query parameter `colour`"), "{m}");
    let m = error(get(&s.url("/api/events?tier=purple")).await, 400).await;
    assert!(m.contains("unknown tier `purple`"), "{m}");
    let m = error(
        get(&s.url(&format!("/api/lists?x={}", "a".repeat(3000)))).await,
        414,
    )
    .await;
    assert!(m.contains("at most 2048"), "{m}");
    let r = client()
        .get(s.url("/api/lists"))
        .header("x-big", "b".repeat(9000))
        .send()
        .await
        .unwrap();
    error(r, 431).await;
    let r = client()
        .head(s.url("/api/lists/weibo"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "HEAD is a GET without the body");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn a_store_that_fails_is_a_503_naming_it_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.sqlite3");
    let s = start(read_only(&missing), Options::new("http://x")).await;
    let m = error(get(&s.url("/api/lists")).await, 503).await;
    assert!(
        m.starts_with("history store: ") && m.contains("none.sqlite3"),
        "{m}"
    );

    // A server that is not there (a closed loopback port), with a password in the URL.
    let url = "postgres://ops:hunter2@127.0.0.1:1/resou";
    let opener: Opener = Arc::new(move || resou::store::open(&StoreSpec::parse(url)));
    let s = start(opener, Options::new("http://x")).await;
    let r = get(&s.url("/api/flagged")).await;
    assert_eq!(r.headers()["retry-after"], "1");
    let m = error(r, 503).await;
    assert!(
        m.contains("ops@127.0.0.1:1/resou") && m.contains("connect"),
        "{m}"
    );
    assert!(!m.contains("hunter2"), "{m}");
}

/// An opener that holds its store thread until released, and says when it is entered.
fn gated() -> (Opener, mpsc::Receiver<()>, mpsc::SyncSender<()>) {
    let (entered_tx, entered) = mpsc::sync_channel(8);
    let (release, release_rx) = mpsc::sync_channel::<()>(8);
    let release_rx = Arc::new(std::sync::Mutex::new(release_rx));
    let opener: Opener = Arc::new(move || {
        let _ = entered_tx.send(());
        let _ = release_rx.lock().unwrap().recv();
        SqliteStore::open_in_memory().map(|s| Box::new(s) as Box<dyn HistoryStore>)
    });
    (opener, entered, release)
}

#[tokio::test]
async fn slow_requests_time_out_and_a_full_server_says_busy() {
    let (opener, entered, release) = gated();
    let mut options = Options::new("http://x");
    options.limits.max_in_flight = 1;
    options.limits.timeout = Duration::from_millis(300);
    let s = start(opener, options).await;
    let url = s.url("/api/lists");
    let first = tokio::spawn(async move { get(&url).await });
    // The first request is at the store (in flight): a second one finds no room.
    tokio::task::spawn_blocking(move || entered.recv_timeout(Duration::from_secs(10)))
        .await
        .unwrap()
        .expect("the first request reached the store");
    let m = error(get(&s.url("/api/flagged")).await, 503).await;
    assert!(m.contains("too many requests in flight"), "{m}");
    let m = error(first.await.unwrap(), 503).await;
    assert!(m.contains("no answer within 0.3 s"), "{m}");
    release.send(()).unwrap();
}

fn resou(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_resou"));
    // Never the user's files.
    c.env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env_remove("RESOU_STORE")
        .stdin(Stdio::null());
    c
}

#[cfg(unix)]
#[tokio::test]
async fn the_built_binary_serves_the_store_until_sigterm() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = small_store(dir.path());
    let token = dir.path().join("token");
    std::fs::write(&token, TOKEN).unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[serve]\nlisten = \"127.0.0.1:0\"\npublic_url = \"https://feeds.example.net/resou\"\n",
    )
    .unwrap();
    let mut child = resou(dir.path())
        .args(["serve", "--token-file"])
        .arg(&token)
        .arg("--store")
        .arg(&db)
        .arg("--config")
        .arg(&config)
        .arg("--log-file")
        .arg(dir.path().join("serve.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The address from its "listening on" line, read on a thread and sent here.
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let first = tokio::task::spawn_blocking(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(l) if l.contains("listening on") => return (l, rx),
                Ok(l) => seen.push(l),
                Err(_) => panic!("resou serve did not say it was listening: {seen:?}"),
            }
        }
    });
    let (line, rx) = first.await.unwrap();
    let base = line
        .split("listening on ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in: {line}"))
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");
    assert!(!line.contains(TOKEN));

    let r = get(&format!("{base}/api/lists/weibo")).await;
    error(r, 401).await;
    let r = client()
        .get(format!("{base}/api/lists/weibo?limit=2"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(v["items"][1]["rank"], 2);
    assert_eq!(v["items"][1]["title"], "国乒男单全军覆没");
    let rss = client()
        .get(format!("{base}/feed/flagged.rss"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let feed = feed_rs::parser::parse(&rss[..]).unwrap();
    assert_eq!(feed.entries.len(), 2);
    assert!(
        feed.links
            .iter()
            .any(|l| l.href == "https://feeds.example.net/resou/api/flagged")
    );

    support_sigterm(child.id());
    let status = tokio::task::spawn_blocking(move || {
        let (done_tx, done) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = done_tx.send(child.wait());
        });
        done.recv_timeout(Duration::from_secs(20))
    })
    .await
    .unwrap()
    .expect("resou serve ignored SIGTERM")
    .unwrap();
    let rest: Vec<String> = rx.try_iter().collect();
    assert!(status.success(), "{status:?}: {rest:?}");
    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap_or_default();
    assert!(!log.contains(TOKEN), "the token is never logged");
}

fn support_sigterm(pid: u32) {
    let ok = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success(), "kill -TERM {pid}");
}
