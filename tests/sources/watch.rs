//! Brand watch streams (issue 20, point 1): real-time search pages sorted into watch posts on
//! the verbatim card fixture and hostile bodies, the replay server's keyword search route
//! (real posts of the demo day, by the demo clock) end to end through the real HTTP client
//! with its visitor cookie, its fault rows, and the watch loop storing posts once.
//! Fixtures: tests/fixtures/watch/NOTES.md.

use crate::support;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use resou::domain::Platform;
use resou::domain::snapshot_file::SnapshotLine;
use resou::domain::watch::{WatchPost, WatchTerm};
use resou::replay::{Fault, ReplayServer, Route};
use resou::sources::SourceError;
use resou::sources::watch::{
    self, BudgetConfig, WatchConfig, WatchEvent, fetch_page, harvest, is_refusal, search_request,
    search_url,
};
use resou::sources::weibo::drill::parse_posts;
use resou::store::{HistoryStore, Store};
use tokio::sync::mpsc;

/// What an error must be.
pub(crate) type Check = fn(&SourceError) -> bool;

/// C1 bodies a search page or a user timeline (the same card schema) must refuse, each with
/// the check its error must pass.
pub(crate) fn hostile_bodies() -> Vec<(&'static str, Check)> {
    let html: &'static str = "<!DOCTYPE html><html><head><title>Sina Visitor System</title></head><body>passport.weibo.com</body></html>";
    vec![
        (html, |e| {
            matches!(
                e,
                SourceError::WrongBody(_) | SourceError::LoginRequired { .. }
            )
        }),
        (
            r#"{"ok":-100,"url":"https://passport.weibo.cn/signin"}"#,
            |e| matches!(e, SourceError::LoginRequired { .. }),
        ),
        (
            r#"{"ok":0,"msg":"请求过于频繁"}"#,
            |e| !matches!(e, SourceError::Other(m) if m.contains("internal")),
        ),
        (
            r#"{"ok":1,"data":{"cards":[{"card_type":9,"mblog":{"id":"1"#,
            |e| matches!(e, SourceError::Decode(_)),
        ),
        (r#"{"ok":1,"data":{"cards":"none"}}"#, |_| true),
        (r#"{"ok":1,"data":[]}"#, |e| {
            matches!(e, SourceError::Decode(_))
        }),
        (r#"{"url":"https://security.weibo.com/captcha"}"#, |e| {
            *e == SourceError::Captcha
        }),
    ]
}

fn drill_fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/drill_weibo/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn now() -> DateTime<FixedOffset> {
    t("2026-08-15T19:00:00+08:00")
}

#[test]
fn the_url_is_c1_real_time_search() {
    assert_eq!(
        search_url("胖东来", 2),
        "https://m.weibo.cn/api/container/getIndex?containerid=100103type%3D61%26q%3D%E8%83%96%E4%B8%9C%E6%9D%A5&page_type=searchall&page=2"
    );
}

/// The verbatim m.weibo.cn card (same schema as search) becomes a watch post with author,
/// verification, followers, counts, time and sanitised text.
#[test]
fn verbatim_card_becomes_a_watch_post() {
    let page = parse_posts(
        &drill_fixture("timeline_cards_excerpt.json"),
        &search_request("迪丽热巴", 1),
        now(),
    )
    .unwrap();
    let term = WatchTerm::named("迪丽热巴");
    let h = harvest(&term, &page, None, now());
    assert_eq!(h.posts.len(), 1);
    let p = &h.posts[0];
    assert_eq!(p.platform, Platform::Weibo);
    assert_eq!(p.id, "4383183661430868");
    assert_eq!(p.term, "迪丽热巴");
    assert_eq!(p.author, "Dear-迪丽热巴");
    assert_eq!(p.author_id.as_deref(), Some("1669879400"));
    assert!(p.is_verified());
    assert_eq!(p.followers, Some(63_356_825));
    assert_eq!(
        (p.reposts, p.comments, p.likes),
        (Some(240_492), Some(95_535), Some(348_872))
    );
    // "06-14": month-day, no year (data-sources.md §7), read relative to now.
    assert_eq!(
        p.created_at.map(|t| t.format("%m-%d").to_string()),
        Some("06-14".into())
    );
    assert!(
        p.text.starts_with("搬完这块砖，就可以吃好吃的了[偷笑]"),
        "{}",
        p.text
    );
    assert!(!p.text.contains('<'));
    assert_eq!(p.first_seen, now());
    assert_eq!(h.new, 1);

    // An exclusion drops it; the author's name counts too.
    let mut ex = WatchTerm::named("迪丽热巴");
    ex.exclude = vec!["搬砖".into(), "吃好吃的".into()];
    let h = harvest(&ex, &page, None, now());
    assert_eq!((h.posts.len(), h.excluded), (0, 1));
}

/// The reconstructed search page (card groups, string counts, a relative time) sorts the
/// same way; paging stops once a page reaches the newest stored post.
#[test]
fn search_page_and_where_paging_stops() {
    let page = parse_posts(
        &drill_fixture("search_card_group.json"),
        &search_request("q", 1),
        now(),
    )
    .unwrap();
    let term = WatchTerm::named("q");
    let all = harvest(&term, &page, None, now());
    assert!(all.posts.len() >= 2, "{:?}", all.posts);
    assert_eq!(all.new, all.posts.len());
    assert_eq!(all.more, page.next.is_some());
    let times: Vec<_> = all.posts.iter().filter_map(|p| p.created_at).collect();
    let oldest = *times.iter().min().unwrap();
    let newest = *times.iter().max().unwrap();
    // Nothing stored newer than the page: page 2 is worth asking.
    assert!(
        harvest(
            &term,
            &page,
            Some(oldest - chrono::Duration::seconds(1)),
            now()
        )
        .more
    );
    // The page reaches the stored newest: stop; only newer posts count as new.
    let h = harvest(&term, &page, Some(oldest), now());
    assert!(!h.more);
    assert!(h.new < all.new);
    let h = harvest(&term, &page, Some(newest), now());
    assert_eq!(
        h.new,
        all.posts.iter().filter(|p| p.created_at.is_none()).count()
    );
}

/// Hostile bodies are a clear error, never a panic.
#[test]
fn hostile_bodies_are_errors() {
    let req = search_request("胖东来", 1);
    for (body, ok) in hostile_bodies() {
        match parse_posts(body, &req, now()) {
            Err(e) => assert!(ok(&e), "{body}: {e:?}"),
            Ok(p) => panic!("{body}: parsed {p:?}"),
        }
    }
    // Wrong types inside cards: entries without ids are skipped, nothing panics.
    let odd = r#"{"ok":1,"data":{"cards":[{"card_type":9,"mblog":{"id":[],"text":5,"user":"x"}},{"card_type":9,"mblog":{"id":"5330811658441166","text":null,"user":null,"created_at":7,"reposts_count":"x"}}]}}"#;
    let p = parse_posts(odd, &req, now()).unwrap();
    let h = harvest(&WatchTerm::named("胖东来"), &p, None, now());
    assert_eq!(h.posts.len(), 1);
    assert_eq!(h.posts[0].reposts, None);
    // No results is an empty page, not an error.
    let p = parse_posts(
        r#"{"ok":0,"msg":"这里还没有内容","data":{"cards":[]}}"#,
        &req,
        now(),
    )
    .unwrap();
    assert!(p.items.is_empty() && p.next.is_none());
}

// ---- the replay route ---------------------------------------------------------------

/// Two Weibo lists of the demo day: the clock at 12:00, then at 23:59.
pub(crate) fn demo_clock() -> Vec<SnapshotLine> {
    ["2026-08-15T12:00:00+08:00", "2026-08-15T23:59:00+08:00"]
        .iter()
        .map(|at| SnapshotLine {
            captured_at: t(at),
            platform: Platform::Weibo,
            items: Vec::new(),
        })
        .collect()
}

async fn server() -> ReplayServer {
    support::replay(demo_clock(), Vec::new()).await
}

async fn all_posts(c: &resou::sources::http::HttpClient, q: &str) -> Vec<WatchPost> {
    let term = WatchTerm::named(q);
    let mut out = Vec::new();
    for page in 1..50 {
        let p = fetch_page(c, q, page, now()).await.expect("page");
        let h = harvest(&term, &p, None, now());
        out.extend(h.posts);
        if !h.more {
            return out;
        }
    }
    panic!("search never ends");
}

/// Real posts mentioning the term, only those created by the demo clock, newest first, each
/// once; moving the clock on brings the later ones.
#[tokio::test]
async fn replay_serves_real_posts_by_the_demo_clock() {
    let s = server().await;
    let c = support::replay_client(&s);
    let noon = all_posts(&c, "胖东来").await;
    assert!(!noon.is_empty());
    for p in &noon {
        // The list page cuts long posts at 140 characters ("…全文"), as Weibo does: the
        // word may be in the cut part.
        assert!(
            p.text.contains("胖东来") || p.text.ends_with("全文"),
            "{}",
            p.text
        );
        let at = p.created_at.expect("real RFC 2822 time");
        assert!(at <= t("2026-08-15T12:00:00+08:00"), "{at} after the clock");
        assert!(!p.author.is_empty());
    }
    let times: Vec<_> = noon.iter().map(|p| p.created_at.unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let mut ids: Vec<_> = noon.iter().map(|p| p.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), noon.len(), "each post once");

    s.advance();
    let night = all_posts(&c, "胖东来").await;
    assert!(
        night.len() > noon.len(),
        "{} then {}",
        noon.len(),
        night.len()
    );
    assert!(night.len() >= 100, "{}", night.len());
    let wang = all_posts(&c, "旺旺").await;
    assert!(wang.len() >= 150, "{}", wang.len());
    // A word no post holds: no content, an empty first page.
    let none = fetch_page(&c, "不存在的品牌词", 1, now()).await.unwrap();
    assert!(none.items.is_empty() && none.next.is_none());
    // Topic searches still go to the topic route.
    assert!(s.hits(Route::WeiboSearch) > 0);
    assert_eq!(s.hits(Route::WeiboPosts), 0);
}

/// The m.weibo.cn listing routes' fault rows (search and sentinel timelines): a fault, the
/// error it must give, and whether that is a refusal the budget backs off for.
pub(crate) fn fault_rows() -> Vec<(Fault, Check, bool)> {
    vec![
        (Fault::Status(403), |e| *e == SourceError::Status(403), true),
        (Fault::Status(418), |e| *e == SourceError::Status(418), true),
        (Fault::Status(432), |e| *e == SourceError::Status(432), true),
        (
            Fault::Status(500),
            |e| *e == SourceError::Status(500),
            false,
        ),
        (Fault::Captcha, |e| *e == SourceError::Captcha, true),
        (
            Fault::Envelope(-100),
            |e| matches!(e, SourceError::LoginRequired { .. }),
            true,
        ),
        (
            Fault::LoginWall,
            |e| matches!(e, SourceError::LoginRequired { .. }),
            true,
        ),
        (
            Fault::HtmlInsteadOfJson,
            |e| matches!(e, SourceError::WrongBody(_)),
            false,
        ),
        (
            Fault::Truncated,
            |e| matches!(e, SourceError::Decode(_)),
            false,
        ),
        (
            Fault::WrongShape,
            |e| matches!(e, SourceError::Decode(_) | SourceError::WrongBody(_)),
            false,
        ),
        (
            Fault::InvalidUtf8,
            |e| matches!(e, SourceError::Decode(_)),
            false,
        ),
        (
            Fault::RedirectLoop,
            |e| e.to_string().contains("redirect"),
            false,
        ),
    ]
}

/// The fault rows of the search route: each fault kind gives the error the budget needs to
/// tell a refusal (back off) from a passing failure; nothing panics.
#[tokio::test]
async fn fault_rows_of_the_search_route() {
    let s = server().await;
    let c = support::replay_client(&s);
    for (fault, want, refusal) in fault_rows() {
        s.set_fault(Route::WeiboSearch, fault.clone());
        let got = fetch_page(&c, "胖东来", 1, now()).await;
        let e = got.expect_err(&format!("{fault:?}"));
        assert!(want(&e), "{fault:?}: {e:?}");
        assert_eq!(is_refusal(&e), refusal, "{fault:?}: {e:?}");
        assert!(!e.to_string().contains("internal"), "{fault:?}");
    }
    // Bodies past the client's cap, with a length or streamed: stopped, not read whole.
    for fault in [Fault::Huge(8 << 20), Fault::Flood(8 << 20)] {
        s.set_fault(Route::WeiboSearch, fault.clone());
        let e = fetch_page(&c, "胖东来", 1, now()).await.unwrap_err();
        assert!(e.to_string().contains("larger than"), "{fault:?}: {e}");
        assert!(!is_refusal(&e));
    }
    s.set_fault(Route::WeiboSearch, Fault::EmptyList);
    let p = fetch_page(&c, "胖东来", 1, now()).await.unwrap();
    assert!(p.items.is_empty());
    // Faults on the search route leave topic posts alone, and clear.
    let topic = fetch_page(&c, "#胖东来 刑释人员#", 1, now()).await.unwrap();
    assert!(!topic.items.is_empty());
    s.clear_faults();
    assert!(
        !fetch_page(&c, "胖东来", 1, now())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

// ---- the loop --------------------------------------------------------------------

fn quick(terms: Vec<WatchTerm>, max_per_hour: u32) -> WatchConfig {
    WatchConfig {
        terms,
        budget: BudgetConfig {
            every: Duration::from_secs(3600),
            max_per_hour,
            ..BudgetConfig::default()
        },
        max_pages: 3,
        min_gap: Duration::from_millis(20),
        jitter: Duration::ZERO,
        answer_timeout: Duration::from_secs(20),
        ..WatchConfig::default()
    }
}

/// Two terms: each is searched once (the interval is an hour), pages stop at `max_pages`,
/// the budget is reported with the next request time, and storing the pages keeps each post
/// once.
#[tokio::test]
async fn the_loop_searches_each_term_within_budget_and_posts_are_kept_once() {
    let s = server().await;
    s.advance(); // the clock at 23:59: 胖东来 and 旺旺 have well over 3 pages
    let client = std::sync::Arc::new(support::replay_client(&s));
    let mut pdl = WatchTerm::named("胖东来");
    pdl.exclude = vec!["刑释".into()];
    let terms = vec![pdl, WatchTerm::named("旺旺")];
    let (tx, mut rx) = mpsc::channel(64);
    let h = watch::spawn_watch(client, quick(terms, 60), HashMap::new(), tx);
    let mut store = Store::open_in_memory().unwrap();
    let mut pages: HashMap<String, Vec<u32>> = HashMap::new();
    let mut statuses = Vec::new();
    let mut excluded = 0;
    while pages.values().map(Vec::len).sum::<usize>() < 6 {
        let ev = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("event in time")
            .expect("loop alive");
        match ev {
            WatchEvent::Posts {
                term,
                page,
                posts,
                excluded: x,
                ..
            } => {
                excluded += x;
                assert!(posts.iter().all(|p| p.term == term));
                if term == "胖东来" {
                    assert!(posts.iter().all(|p| !p.text.contains("刑释")));
                }
                store.record_watch_posts(&posts).unwrap();
                pages.entry(term).or_default().push(page);
            }
            WatchEvent::Budget(b) => statuses.push(b),
            WatchEvent::Failed { error, .. } => panic!("{error:?}"),
            WatchEvent::SentinelPosts { account, .. } => panic!("no sentinel set: {account:?}"),
        }
    }
    assert_eq!(pages["胖东来"], [1, 2, 3]);
    assert_eq!(pages["旺旺"], [1, 2, 3]);
    assert!(excluded > 0, "the exclusion dropped real posts");
    // Then the loop waits an hour for the next round and says so.
    let next = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Some(WatchEvent::Budget(b)) = rx.recv().await {
                return b;
            }
        }
    })
    .await
    .expect("a budget report");
    assert_eq!(next.used_this_hour, 6);
    assert_eq!(next.max_per_hour, 60);
    let (_, at) = next.next.clone().expect("next request");
    assert!(
        at > resou::domain::now_cst() + chrono::Duration::minutes(55),
        "{next}"
    );
    assert!(
        next.to_string()
            .starts_with("watch budget 6/60 this hour; next: "),
        "{next}"
    );
    assert_eq!(s.hits(Route::WeiboSearch), 6);
    assert!(statuses.iter().all(|b| b.used_this_hour <= 6));
    h.shutdown().await;

    let far = (
        t("2020-01-01T00:00:00+08:00"),
        t("2030-01-01T00:00:00+08:00"),
    );
    let kept = store.watch_posts_between("胖东来", far.0, far.1).unwrap();
    assert_eq!(
        kept.len(),
        30 - excluded,
        "3 pages of 10, exclusions dropped"
    );
    let newest = store.newest_watch_post("胖东来").unwrap().unwrap();
    assert_eq!(
        Some(newest.created_at.unwrap()),
        kept.iter().filter_map(|p| p.created_at).max()
    );
}

/// Refusals: the loop backs off instead of retrying, and the budget report says until when.
#[tokio::test]
async fn the_loop_backs_off_on_refusals() {
    let s = server().await;
    s.set_fault(Route::WeiboSearch, Fault::Status(432));
    let client = std::sync::Arc::new(support::replay_client(&s));
    let (tx, mut rx) = mpsc::channel(64);
    let cfg = WatchConfig {
        budget: BudgetConfig {
            every: Duration::from_millis(10),
            ..quick(Vec::new(), 60).budget
        },
        ..quick(
            vec![WatchTerm::named("胖东来"), WatchTerm::named("旺旺")],
            60,
        )
    };
    let h = watch::spawn_watch(client, cfg, HashMap::new(), tx);
    let mut failed = 0;
    let mut backing_off = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while tokio::time::Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(500), rx.recv()).await {
            Ok(Some(WatchEvent::Failed { error, refused, .. })) => {
                assert_eq!(error, SourceError::Status(432));
                assert!(refused);
                failed += 1;
            }
            Ok(Some(WatchEvent::Budget(b))) if failed > 0 => backing_off = b.backing_off_until,
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => {}
        }
    }
    h.shutdown().await;
    // One refusal, then a minute's back-off: no second request in these 3 seconds.
    assert_eq!(failed, 1);
    assert_eq!(s.hits(Route::WeiboSearch), 1);
    let until = backing_off.expect("the report names the back-off");
    assert!(until > resou::domain::now_cst() + chrono::Duration::seconds(50));
}

/// A fault script can name the search route (`weibo-search`): refused once, then good.
#[tokio::test]
async fn a_fault_script_targets_the_search_route() {
    let s = server().await;
    s.play(
        resou::replay::FaultScript::parse("weibo-search status 432 x1\nweibo-search good\n")
            .expect("script"),
    );
    let c = support::replay_client(&s);
    assert_eq!(
        fetch_page(&c, "旺旺", 1, now()).await.unwrap_err(),
        SourceError::Status(432)
    );
    assert!(
        !fetch_page(&c, "旺旺", 1, now())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

/// `resou --demo watch --once`: one round per term from the demo day's real posts, the posts
/// stored in the demo store, the budget line printed last; a second run stops at page 1.
#[test]
fn the_watch_command_runs_one_round_on_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_resou"))
            .args(["--demo", "watch", "--once", "--show", "1"])
            .args(["--term", "胖东来", "--term", "旺旺"])
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .env_remove("RESOU_STORE")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let first = run();
    assert!(
        first.contains("胖东来 (q=胖东来) page 1: 10 posts, 10 new"),
        "{first}"
    );
    assert!(first.contains("旺旺 (q=旺旺) page 5:"), "{first}");
    let last = first.lines().last().unwrap();
    assert!(
        last.starts_with("watch budget 10/60 this hour; next: 胖东来 at "),
        "{last}"
    );
    let second = run();
    assert!(
        second.contains("胖东来 (q=胖东来) page 1: 10 posts, 0 new"),
        "{second}"
    );
    assert!(!second.contains("page 2"), "{second}");
    let store = resou::store::SqliteStore::open(dir.path().join("data/resou/history-demo.sqlite3"))
        .unwrap();
    let far = (
        t("2020-01-01T00:00:00+08:00"),
        t("2030-01-01T00:00:00+08:00"),
    );
    assert_eq!(
        store
            .watch_posts_between("胖东来", far.0, far.1)
            .unwrap()
            .len(),
        50
    );
}

/// `resou --demo collect` with `[watch]` terms runs the watch loop beside the pollers: the
/// posts reach the store (exclusions applied) through the history service.
#[test]
fn collect_stores_watch_posts() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("config/resou");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(
        conf.join("config.toml"),
        "[watch]\nterms = [{ name = \"胖东来\", exclude = [\"刑释\"] }]\n",
    )
    .unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_resou"))
        .args(["--demo", "collect"])
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env_remove("RESOU_STORE")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let db = dir.path().join("data/resou/history-demo.sqlite3");
    let far = (
        t("2020-01-01T00:00:00+08:00"),
        t("2030-01-01T00:00:00+08:00"),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut found = Vec::new();
    while std::time::Instant::now() < deadline && found.len() < 20 {
        std::thread::sleep(Duration::from_millis(500));
        if let Ok(store) = resou::store::SqliteStore::open_read_only(&db) {
            found = store
                .watch_posts_between("胖东来", far.0, far.1)
                .unwrap_or_default();
        }
    }
    support::sigterm(child.id());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("watching 1 term(s), at most 60 searches an hour"),
        "{err}"
    );
    assert!(found.len() >= 20, "{} posts stored", found.len());
    assert!(
        found
            .iter()
            .all(|p| !p.text.contains("刑释") && p.term == "胖东来")
    );
}

/// Terms change while the loop runs (`w` in the app): with none it waits; a term added is
/// searched at once within the budget; after the set changes again only the new term is
/// asked for.
#[tokio::test]
async fn terms_set_while_running_are_searched_and_dropped_ones_are_not() {
    let s = server().await;
    s.advance();
    let client = std::sync::Arc::new(support::replay_client(&s));
    let (tx, mut rx) = mpsc::channel(64);
    let mut cfg = quick(Vec::new(), 60);
    cfg.max_pages = 1;
    let h = watch::spawn_watch(client, cfg, HashMap::new(), tx);
    // Nothing to watch: no request, no event.
    assert!(
        tokio::time::timeout(Duration::from_millis(300), rx.recv())
            .await
            .is_err()
    );
    assert_eq!(s.hits(Route::WeiboSearch), 0);
    h.set_terms(vec![WatchTerm::named("旺旺")]);
    assert_eq!(next_page(&mut rx).await, ("旺旺".to_string(), 1));
    h.set_terms(vec![WatchTerm::named("旺旺"), WatchTerm::named("胖东来")]);
    // 旺旺 waits its hour; the new term goes at once.
    assert_eq!(next_page(&mut rx).await, ("胖东来".to_string(), 1));
    assert_eq!(s.hits(Route::WeiboSearch), 2);
    h.set_terms(vec![WatchTerm::named("旺旺")]);
    // Both wait for their hour now: nothing more is asked for.
    let more = tokio::time::timeout(Duration::from_millis(500), next_page(&mut rx)).await;
    assert!(more.is_err(), "{more:?}");
    assert_eq!(s.hits(Route::WeiboSearch), 2);
    h.shutdown().await;
}

/// The next page the loop reports (its budget reports skipped), within 30 s.
async fn next_page(rx: &mut mpsc::Receiver<WatchEvent>) -> (String, u32) {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match rx.recv().await.expect("loop alive") {
                WatchEvent::Posts { term, page, .. } => return (term, page),
                WatchEvent::Failed { error, .. } => panic!("{error:?}"),
                _ => {}
            }
        }
    })
    .await
    .expect("a page in time")
}

/// Sentinels set while the loop runs (accounts discovered in the app) are followed at once,
/// within the same budget, next to the terms.
#[tokio::test]
async fn sentinels_set_while_running_are_followed() {
    let s = server().await;
    s.advance();
    let client = std::sync::Arc::new(support::replay_client(&s));
    let (tx, mut rx) = mpsc::channel(64);
    let mut cfg = quick(Vec::new(), 60);
    cfg.max_pages = 1;
    let h = watch::spawn_watch(client, cfg, HashMap::new(), tx);
    let (uid, name) = resou::replay::demo_sentinels()
        .into_iter()
        .next()
        .map(|a| (a.uid, a.name))
        .expect("a demo sentinel");
    h.set_sentinels(vec![resou::domain::watch::Sentinel::new(&uid, &name)]);
    let page = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match rx.recv().await.expect("loop alive") {
                WatchEvent::SentinelPosts { account, page, .. } => return (account.uid, page),
                WatchEvent::Failed { error, .. } => panic!("{error:?}"),
                _ => {}
            }
        }
    })
    .await
    .expect("a timeline page in time");
    assert_eq!(page, (uid, 1));
    assert_eq!(s.hits(Route::WeiboTimeline), 1);
    assert_eq!(s.hits(Route::WeiboSearch), 0);
    h.shutdown().await;
}
