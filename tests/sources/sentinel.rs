//! Sentinel accounts (issue 20, point 2): the C6 user timeline parsed by the shared card
//! parser (verbatim fixture, hostile bodies), the replay server's timeline route (a demo
//! sentinel's real posts by the demo clock) through the real HTTP client with its visitor
//! cookie, the route's fault rows, and the watch loop following sentinels beside terms under
//! one budget. Fixtures: tests/fixtures/watch/NOTES.md.

use crate::support;
use crate::watch::{demo_clock, fault_rows, hostile_bodies};

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use resou::domain::watch::{Sentinel, WatchPost, WatchTerm};
use resou::replay::{Fault, ReplayServer, Route};
use resou::sources::SourceError;
use resou::sources::http::HttpClient;
use resou::sources::watch::timeline::checked_uid;
use resou::sources::watch::{
    self, BudgetConfig, WatchConfig, WatchEvent, fetch_timeline, harvest_items, is_refusal,
    parse_timeline, timeline_url,
};
use resou::store::{HistoryStore, Store};
use tokio::sync::mpsc;

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn now() -> DateTime<FixedOffset> {
    t("2026-08-15T19:00:00+08:00")
}

fn verbatim() -> &'static str {
    fixture!("drill_weibo/timeline_cards_excerpt.json")
}

#[test]
fn the_url_is_the_user_timeline_and_uids_are_checked() {
    assert_eq!(
        timeline_url("1669879400", 2),
        "https://m.weibo.cn/api/container/getIndex?type=uid&value=1669879400&containerid=1076031669879400&page=2"
    );
    assert_eq!(checked_uid(" 1669879400 "), Ok("1669879400"));
    for bad in ["", "12a", "1&containerid=1", "123456789012345678901"] {
        assert!(checked_uid(bad).is_err(), "{bad:?}");
    }
}

/// The verbatim 2019 timeline card: one post with its author; `total` 1012 says the listing
/// goes on until the count reaches it (data-sources.md §8).
#[test]
fn verbatim_timeline_page_and_where_the_listing_ends() {
    let p = parse_timeline(verbatim(), 1, now()).unwrap();
    assert_eq!(p.items.len(), 1);
    assert_eq!(p.items[0].id, "4383183661430868");
    assert_eq!(p.items[0].author.id.as_deref(), Some("1669879400"));
    assert_eq!(p.items[0].author.name.as_str(), "Dear-迪丽热巴");
    assert_eq!(p.total, Some(1012));
    assert!(p.more);
    // Page 102 ends at post 1011 of 1012: one more page; page 103 reaches the total.
    assert!(parse_timeline(verbatim(), 102, now()).unwrap().more);
    assert!(!parse_timeline(verbatim(), 103, now()).unwrap().more);
    // Harvested under the sentinel's stored term.
    let s = Sentinel::new("1669879400", "Dear-迪丽热巴");
    let h = harvest_items(&WatchTerm::named(&s.term()), &p.items, p.more, None, now());
    assert_eq!(h.posts[0].term, "@Dear-迪丽热巴");
    assert!(h.more);
}

/// A pinned post (`isTop: 1`) heads page 1 whatever its age: it is left out, so it can
/// neither stop paging nor pass as new.
#[test]
fn pinned_posts_are_left_out() {
    let mut v: serde_json::Value = serde_json::from_str(verbatim()).unwrap();
    v["data"]["cards"][0]["mblog"]["isTop"] = 1.into();
    let p = parse_timeline(&v.to_string(), 1, now()).unwrap();
    assert!(p.items.is_empty());
    assert!(!p.more);
}

/// Hostile bodies are clear errors; "nothing here" is an empty, ended listing.
#[test]
fn hostile_timeline_bodies() {
    for (body, ok) in hostile_bodies() {
        match parse_timeline(body, 1, now()) {
            Err(e) => assert!(ok(&e), "{body}: {e:?}"),
            Ok(p) => panic!("{body}: parsed {p:?}"),
        }
    }
    let p = parse_timeline(
        r#"{"ok":0,"msg":"这里还没有内容","data":{"cards":[]}}"#,
        3,
        now(),
    )
    .unwrap();
    assert!(p.items.is_empty() && !p.more);
}

// ---- the replay route ---------------------------------------------------------------

async fn server() -> ReplayServer {
    support::replay(demo_clock(), Vec::new()).await
}

/// Every page of `s`'s timeline, harvested.
async fn whole_timeline(c: &HttpClient, s: &Sentinel) -> Vec<WatchPost> {
    let term = WatchTerm::named(&s.term());
    let mut out = Vec::new();
    for page in 1..50 {
        let p = fetch_timeline(c, &s.uid, page, now()).await.expect("page");
        let h = harvest_items(&term, &p.items, p.more, None, now());
        out.extend(h.posts);
        if !h.more {
            return out;
        }
    }
    panic!("timeline never ends");
}

/// The demo sentinels are real accounts of the bundle that posted on several topics; the
/// route answers each one's real posts only (by uid), created by the demo clock, newest
/// first, each once; moving the clock on never loses one, and brings the later ones.
#[tokio::test]
async fn replay_serves_a_sentinels_real_posts_by_the_demo_clock() {
    let set = resou::replay::demo_sentinels();
    assert_eq!(set.len(), resou::replay::DEMO_SENTINELS);
    assert!(
        set.iter()
            .all(|s| checked_uid(&s.uid).is_ok() && !s.name.is_empty())
    );
    let s = server().await;
    let c = support::replay_client(&s);
    let mut noon: HashMap<String, Vec<WatchPost>> = HashMap::new();
    for a in &set {
        let posts = whole_timeline(&c, a).await;
        for p in &posts {
            assert_eq!(p.author_id.as_deref(), Some(a.uid.as_str()), "{a:?}");
            assert_eq!(p.author, a.name);
            assert!(p.created_at.expect("real time") <= t("2026-08-15T12:00:00+08:00"));
        }
        let times: Vec<_> = posts.iter().map(|p| p.created_at.unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
        noon.insert(a.uid.clone(), posts);
    }
    s.advance();
    let mut grew = 0;
    let mut total = 0;
    for a in &set {
        let night = whole_timeline(&c, a).await;
        let ids: std::collections::HashSet<_> = night.iter().map(|p| p.id.clone()).collect();
        assert_eq!(ids.len(), night.len(), "each post once");
        assert!(noon[&a.uid].iter().all(|p| ids.contains(&p.id)));
        grew += usize::from(night.len() > noon[&a.uid].len());
        total += night.len();
    }
    assert!(grew > 0, "the clock brought later posts");
    // Several topics each: well over one post per account.
    assert!(total >= 2 * set.len(), "{total}");
    // An account with no bundled posts: Weibo's "nothing here".
    let none = fetch_timeline(&c, "1", 1, now()).await.unwrap();
    assert!(none.items.is_empty() && !none.more);
    assert!(s.hits(Route::WeiboTimeline) > 0);
    assert_eq!(s.hits(Route::WeiboSearch), 0);
}

/// The timeline route's fault rows (the same table as the search route's): each fault gives
/// its documented error and refusal class; nothing panics; cleared, the posts come back.
#[tokio::test]
async fn fault_rows_of_the_timeline_route() {
    let s = server().await;
    let c = support::replay_client(&s);
    let a = &resou::replay::demo_sentinels()[0];
    let good = fetch_timeline(&c, &a.uid, 1, now()).await.unwrap();
    assert!(!good.items.is_empty());
    let mut rows = fault_rows();
    rows.push((
        Fault::LoginRedirect,
        |e| matches!(e, SourceError::LoginRequired { .. }),
        true,
    ));
    for (fault, want, refusal) in rows {
        s.set_fault(Route::WeiboTimeline, fault.clone());
        let e = fetch_timeline(&c, &a.uid, 1, now())
            .await
            .expect_err(&format!("{fault:?}"));
        assert!(want(&e), "{fault:?}: {e:?}");
        assert_eq!(is_refusal(&e), refusal, "{fault:?}: {e:?}");
        assert!(!e.to_string().contains("internal"), "{fault:?}");
    }
    for fault in [Fault::Huge(8 << 20), Fault::Flood(8 << 20)] {
        s.set_fault(Route::WeiboTimeline, fault.clone());
        let e = fetch_timeline(&c, &a.uid, 1, now()).await.unwrap_err();
        assert!(e.to_string().contains("larger than"), "{fault:?}: {e}");
    }
    s.set_fault(Route::WeiboTimeline, Fault::EmptyList);
    assert!(
        fetch_timeline(&c, &a.uid, 1, now())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    s.clear_faults();
    assert_eq!(fetch_timeline(&c, &a.uid, 1, now()).await.unwrap(), good);
}

// ---- the loop --------------------------------------------------------------------

fn loop_config(terms: Vec<WatchTerm>, sentinels: Vec<Sentinel>, cap: u32) -> WatchConfig {
    WatchConfig {
        terms,
        sentinels,
        sentinel_every: Duration::from_secs(3600),
        budget: BudgetConfig {
            every: Duration::from_secs(3600),
            max_per_hour: cap,
            backoff: Duration::from_millis(200),
            max_backoff: Duration::from_millis(200),
        },
        max_pages: 2,
        min_gap: Duration::from_millis(20),
        jitter: Duration::ZERO,
        answer_timeout: Duration::from_secs(20),
    }
}

async fn next_event(rx: &mut mpsc::Receiver<WatchEvent>) -> WatchEvent {
    tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await
        .expect("event in time")
        .expect("loop alive")
}

/// One term and three sentinels under one budget: each gets its round (the term by search,
/// the accounts by timeline), sentinel posts are the account's own and stored once under
/// `@name`; the hourly cap counts both kinds, so with a cap of 4 the fifth request waits an
/// hour.
#[tokio::test]
async fn the_loop_follows_sentinels_beside_terms_within_one_budget() {
    let s = server().await;
    s.advance();
    let client = std::sync::Arc::new(support::replay_client(&s));
    let set: Vec<Sentinel> = resou::replay::demo_sentinels()
        .into_iter()
        .take(3)
        .collect();
    let cfg = loop_config(vec![WatchTerm::named("旺旺")], set.clone(), 4);
    let (tx, mut rx) = mpsc::channel(64);
    let h = watch::spawn_watch(client, cfg, HashMap::new(), tx);
    let mut store = Store::open_in_memory().unwrap();
    let mut rounds: Vec<String> = Vec::new();
    let status = loop {
        match next_event(&mut rx).await {
            WatchEvent::Posts {
                term, page, posts, ..
            } => {
                store.record_watch_posts(&posts).unwrap();
                if page == 1 {
                    rounds.push(term);
                }
            }
            WatchEvent::SentinelPosts {
                account,
                page,
                posts,
                ..
            } => {
                assert!(posts.iter().all(|p| p.term == account.term()
                    && p.author_id.as_deref() == Some(account.uid.as_str())));
                store.record_watch_posts(&posts).unwrap();
                store.record_watch_posts(&posts).unwrap();
                if page == 1 {
                    rounds.push(account.term());
                }
            }
            WatchEvent::Failed { error, .. } => panic!("{error:?}"),
            WatchEvent::Budget(b) if b.used_this_hour >= 4 => break b,
            WatchEvent::Budget(_) => {}
        }
    };
    h.shutdown().await;
    assert_eq!(status.used_this_hour, 4);
    let (_, at) = status.next.clone().expect("next request");
    assert!(
        at > resou::domain::now_cst() + chrono::Duration::minutes(55),
        "{status}"
    );
    assert_eq!(
        s.hits(Route::WeiboSearch) + s.hits(Route::WeiboTimeline),
        4,
        "no request past the cap"
    );
    assert!(s.hits(Route::WeiboTimeline) >= 1);
    // The term's round (2 pages), then sentinel rounds until the cap.
    assert_eq!(rounds[0], "旺旺");
    assert!(rounds.len() >= 2, "{rounds:?}");
    assert!(
        rounds.iter().skip(1).all(|r| r.starts_with('@')),
        "{rounds:?}"
    );
    let far = (
        t("2020-01-01T00:00:00+08:00"),
        t("2030-01-01T00:00:00+08:00"),
    );
    for a in set.iter().filter(|a| rounds.contains(&a.term())) {
        let kept = store.watch_posts_between(&a.term(), far.0, far.1).unwrap();
        assert!(!kept.is_empty(), "{a:?}");
        let mut ids: Vec<_> = kept.iter().map(|p| p.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), kept.len(), "stored once");
    }
}

/// A refused timeline backs the whole loop off (the budget is shared), and the newest post
/// known stays where the last good round left it: once the fault clears, the next round of
/// that account finds nothing new.
#[tokio::test]
async fn a_refused_timeline_backs_off_and_keeps_the_last_good_round() {
    let s = server().await;
    s.advance();
    let client = std::sync::Arc::new(support::replay_client(&s));
    let a = resou::replay::demo_sentinels()[0].clone();
    let mut cfg = loop_config(Vec::new(), vec![a.clone()], 60);
    cfg.sentinel_every = Duration::from_millis(300);
    let (tx, mut rx) = mpsc::channel(64);
    let h = watch::spawn_watch(client, cfg, HashMap::new(), tx);
    // Round 1: good.
    let first_new = loop {
        if let WatchEvent::SentinelPosts {
            page: 1,
            new,
            posts,
            ..
        } = next_event(&mut rx).await
        {
            assert_eq!(new, posts.len());
            break new;
        }
    };
    assert!(first_new > 0);
    s.set_fault(Route::WeiboTimeline, Fault::Status(432));
    let (refused, backing_off) = loop {
        match next_event(&mut rx).await {
            WatchEvent::Failed {
                term,
                query,
                error,
                refused,
                ..
            } => {
                assert_eq!(
                    (term.as_str(), query.as_str()),
                    (a.term().as_str(), a.uid.as_str())
                );
                assert_eq!(error, SourceError::Status(432));
                break (refused, next_budget(&mut rx).await.backing_off_until);
            }
            WatchEvent::SentinelPosts { .. } | WatchEvent::Budget(_) => {}
            e => panic!("{e:?}"),
        }
    };
    assert!(refused);
    assert!(backing_off.is_some(), "the report names the back-off");
    s.clear_faults();
    let again = loop {
        if let WatchEvent::SentinelPosts { page: 1, new, .. } = next_event(&mut rx).await {
            break new;
        }
    };
    h.shutdown().await;
    assert_eq!(again, 0, "the newest known post survived the failed round");
}

async fn next_budget(rx: &mut mpsc::Receiver<WatchEvent>) -> resou::sources::watch::BudgetStatus {
    loop {
        if let WatchEvent::Budget(b) = next_event(rx).await {
            return b;
        }
    }
}

/// `resou --demo collect` with `[sentinel] enabled` follows the demo's sentinel set beside the
/// pollers: their real posts reach the store under `@name` through the history service.
#[test]
fn collect_stores_sentinel_posts() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("config/resou");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(conf.join("config.toml"), "[sentinel]\nenabled = true\n").unwrap();
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
    let set = resou::replay::demo_sentinels();
    let stored = |store: &resou::store::SqliteStore| -> Vec<WatchPost> {
        set.iter()
            .flat_map(|a| {
                store
                    .watch_posts_between(&a.term(), far.0, far.1)
                    .unwrap_or_default()
            })
            .collect()
    };
    // The condition: a sentinel's posts are in the store (polled; the collector is another
    // process).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut found = Vec::new();
    while std::time::Instant::now() < deadline && found.is_empty() {
        std::thread::sleep(Duration::from_millis(200));
        if let Ok(store) = resou::store::SqliteStore::open_read_only(&db) {
            found = stored(&store);
        }
    }
    support::sigterm(child.id());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "following {} sentinel account(s), each every 60 minutes, within the same budget",
            set.len()
        )),
        "{err}"
    );
    assert!(!found.is_empty(), "no sentinel post stored");
    for p in &found {
        let a = set
            .iter()
            .find(|a| a.term() == p.term)
            .expect("a sentinel's");
        assert_eq!(p.author_id.as_deref(), Some(a.uid.as_str()));
    }
}

/// `resou --demo watch --once` with `[sentinel] enabled`: one round per term and account, the
/// accounts' pages printed under `@name`, and the budget line counting both.
#[test]
fn the_watch_command_follows_sentinels_in_one_budget() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("config/resou");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(
        conf.join("config.toml"),
        "[sentinel]\nenabled = true\nmax_accounts = 2\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_resou"))
        .args(["--demo", "watch", "--once", "--show", "0", "--term", "旺旺"])
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env_remove("RESOU_STORE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let set: Vec<Sentinel> = resou::replay::demo_sentinels()
        .into_iter()
        .take(2)
        .collect();
    for a in &set {
        assert!(
            stdout.contains(&format!("{} (uid {}) page 1: ", a.term(), a.uid)),
            "{stdout}"
        );
    }
    let pages = stdout.lines().filter(|l| l.contains(" page ")).count();
    let last = stdout.lines().last().unwrap();
    assert!(
        last.starts_with(&format!("watch budget {pages}/60 this hour; next: ")),
        "{last}"
    );
}

/// On the demo day's real data: the demo sentinels' timelines (all their real posts by the
/// day's end) give flags for hashtags several of them took up, each naming at least 3 of
/// them, completed after its first use; a flagged hashtag that the day's Weibo list carried
/// is reported so, and the flag time is compared with the tag's first list appearance
/// (printed: how often and how long the sentinels led, an honest figure on 12 accounts
/// whose posts are the archive's topic posts).
#[tokio::test]
async fn the_demo_sentinels_flag_real_tags() {
    use resou::analysis::sentinel::{SentinelConfig, detect};
    use resou::analysis::tokenize::Tokenizer;
    let s = server().await;
    s.advance();
    let c = support::replay_client(&s);
    let set = resou::replay::demo_sentinels();
    let mut posts = Vec::new();
    for a in &set {
        posts.extend(whole_timeline(&c, a).await);
    }
    let now = posts.iter().filter_map(|p| p.created_at).max().unwrap();
    let weibo: Vec<_> = resou::replay::demo_data()
        .unwrap()
        .weibo
        .into_iter()
        .filter(|l| l.platform == resou::domain::Platform::Weibo)
        .collect();
    let last = weibo.last().unwrap().to_snapshot();
    let tok = Tokenizer::new(&[], &[]);
    let cfg = SentinelConfig::default();
    let flags = detect(&posts, &tok, &cfg, now, std::slice::from_ref(&last));
    let tags: Vec<_> = flags.iter().filter(|f| f.hashtag).collect();
    assert!(
        !tags.is_empty(),
        "no hashtag flagged among {} posts",
        posts.len()
    );
    let key = |s: &str| -> String {
        resou::domain::normalize::normalize_title(s)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let (mut led, mut listed) = (Vec::new(), 0);
    for f in &tags {
        assert!(f.accounts.len() >= cfg.min_accounts, "{f:?}");
        assert!(f.accounts.iter().all(|a| set.iter().any(|s| &s.name == a)));
        assert!(f.first_used <= f.flagged_at && f.flagged_at <= now);
        // When the tag first reached the Weibo list of the day.
        let first_listed = weibo
            .iter()
            .find(|l| l.items.iter().any(|i| key(&i.title) == key(&f.tag)))
            .map(|l| l.captured_at);
        if let Some(at) = first_listed {
            listed += 1;
            if f.flagged_at < at {
                led.push((f.tag.clone(), (at - f.flagged_at).num_minutes()));
            }
        }
        let on_last = last
            .ranked
            .iter()
            .chain(&last.pinned)
            .any(|t| key(t.title.as_str()) == key(&f.tag));
        assert_eq!(f.on_lists.is_empty(), !on_last, "{f:?}");
    }
    eprintln!(
        "demo sentinels: {} posts, {} hashtag flags ({} terms), {listed} of them on the day's list, {} flagged before they got there: {led:?}",
        posts.len(),
        tags.len(),
        flags.len() - tags.len(),
        led.len()
    );
}
