//! Team-mode history on a real PostgreSQL server (a throwaway cluster per test process, see
//! tests/store/pg.rs): the store contract on both engines, NOTIFY of committed polls only,
//! listener reconnects across a server restart, migrations, and password hygiene.

use crate::pg;
use crate::store_contract;

use std::time::{Duration, Instant};

use resou::domain::Platform;
use resou::store::{
    HistoryStore, PgStore, PollRef, Store, StoreError, StoreFeed, StoreSpec, postgres::schema,
    subscribe,
};
use store_contract::{at, fixture, poll};

/// Generous: a loaded 2-core CI machine restarting a cluster.
const WAIT: Duration = Duration::from_secs(30);

/// One test per contract function and engine: `sqlite_contract::name`, `pg_contract::name`.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite_contract {
            use super::*;
            $(
                #[test]
                fn $name() {
                    let mut store = Store::open_in_memory().unwrap();
                    store_contract::$name(&mut store);
                }
            )*
        }
        mod pg_contract {
            use super::*;
            $(
                #[test]
                fn $name() {
                    let Some(db) = pg::db_or_skip(stringify!($name)) else { return };
                    let mut store = PgStore::open(&db.url).unwrap();
                    store_contract::$name(&mut store);
                }
            )*
        }
    };
}

contract!(
    real_lists_round_trip,
    topic_summary,
    retention,
    series_compaction,
    triage_per_user,
    kv_and_series,
    story_titles,
    push_queue,
    report_reads,
    watch_posts,
);

#[test]
fn sqlite_reader_sees_only_whole_polls_while_a_writer_commits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite3");
    store_contract::concurrent_writer_and_reader(&StoreSpec::Sqlite(path));
}

#[test]
fn postgres_reader_sees_only_whole_polls_while_a_writer_commits() {
    let Some(db) = pg::db_or_skip("postgres_reader_sees_only_whole_polls") else {
        return;
    };
    let spec = StoreSpec::parse(&db.url);
    assert!(matches!(spec, StoreSpec::Postgres(_)));
    store_contract::concurrent_writer_and_reader(&spec);
}

/// The next store event, failing the test if none comes.
fn next_event(sub: &resou::store::Subscription) -> StoreFeed {
    sub.recv_timeout(WAIT)
        .unwrap_or_else(|e| panic!("no store event within {WAIT:?}: {e}"))
}

#[test]
fn a_subscription_hears_committed_polls_and_nothing_from_an_aborted_one() {
    let Some(db) = pg::db_or_skip("notify") else {
        return;
    };
    let mut store = PgStore::open(&db.url).unwrap();
    let sub = subscribe(&db.url);
    assert_eq!(next_event(&sub), StoreFeed::Listening);

    let lists = fixture("lists.jsonl");
    let id = store.insert_poll(&lists[3], "fixture").unwrap();
    let want = PollRef {
        id,
        platform: lists[3].platform,
        captured_at: lists[3].captured_at,
    };
    assert_eq!(next_event(&sub), StoreFeed::Poll(want.clone()));
    // By the time the event arrives the whole poll is readable.
    assert_eq!(
        store
            .snapshot_at(want.platform, want.captured_at)
            .unwrap()
            .as_ref(),
        Some(&lists[3])
    );

    // A NUL byte in the last row's URL makes the server reject it: the transaction aborts
    // after its NOTIFY was issued.
    let mut bad = poll(Platform::Weibo, 1_900_000_000, &["一", "二"]);
    bad.ranked[1].url = Some("https://example.invalid/\0".into());
    let err = store.insert_poll(&bad, "fixture").unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Postgres {
                op: "insert poll",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        !err.is_connection(),
        "an SQL error, not a lost server: {err:?}"
    );
    // The server's own reason is in the message (the client alone says just "db error").
    assert!(err.to_string().contains("0x00"), "{err}");
    assert_eq!(
        store
            .polls_between(Platform::Weibo, at(1_899_999_999), at(1_900_000_001))
            .unwrap(),
        vec![],
        "nothing of the aborted poll is stored"
    );
    // The next event is the next committed poll: the aborted one was never announced.
    let good = poll(Platform::Weibo, 1_900_000_060, &["三"]);
    let id = store.insert_poll(&good, "fixture").unwrap();
    assert_eq!(
        next_event(&sub),
        StoreFeed::Poll(PollRef {
            id,
            platform: Platform::Weibo,
            captured_at: good.captured_at,
        })
    );
    // Foreign payloads on the channel are ignored, not turned into events.
    pg::admin(&db.url, "NOTIFY resou_poll, 'not a poll'").unwrap();
    let id = store.insert_poll(&lists[0], "fixture").unwrap();
    match next_event(&sub) {
        StoreFeed::Poll(p) => assert_eq!(p.id, id),
        other => panic!("{other:?}"),
    }

    let started = Instant::now();
    drop(sub);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "dropping the subscription stops its thread promptly ({:?})",
        started.elapsed()
    );
}

#[test]
fn after_a_server_restart_the_listener_reports_lost_then_reconnected_and_the_store_recovers() {
    let Some(cluster) = pg::cluster_or_skip("restart") else {
        return;
    };
    let url = cluster.url("postgres");
    let mut store = PgStore::open(&url).unwrap();
    let sub = subscribe(&url);
    assert_eq!(next_event(&sub), StoreFeed::Listening);

    cluster.restart().unwrap();
    match next_event(&sub) {
        StoreFeed::Lost(reason) => {
            assert!(!reason.contains(pg::PASSWORD), "{reason}");
            assert!(reason.contains("127.0.0.1"), "names the server: {reason}");
        }
        other => panic!("expected Lost, got {other:?}"),
    }
    assert_eq!(next_event(&sub), StoreFeed::Reconnected);

    // The store's connection died with the restart: the first call may fail (as a connection
    // error), and the store reconnects by itself for the next one.
    let snap = poll(Platform::Tieba, 1_900_000_000, &["重启之后"]);
    let id = match store.insert_poll(&snap, "fixture") {
        Ok(id) => id,
        Err(e) => {
            assert!(e.is_connection(), "{e:?}");
            assert!(!e.to_string().contains(pg::PASSWORD));
            store.insert_poll(&snap, "fixture").unwrap()
        }
    };
    // LISTEN was re-issued on the new connection.
    assert_eq!(
        next_event(&sub),
        StoreFeed::Poll(PollRef {
            id,
            platform: Platform::Tieba,
            captured_at: snap.captured_at,
        })
    );
}

#[test]
fn migrations_run_once_and_a_newer_schema_is_refused() {
    let Some(db) = pg::db_or_skip("migrations") else {
        return;
    };
    let lists = fixture("lists.jsonl");
    {
        let mut store = PgStore::open(&db.url).unwrap();
        assert_eq!(store.schema_version().unwrap(), schema::CURRENT_VERSION);
        store.insert_poll(&lists[0], "fixture").unwrap();
    }
    let dump = || {
        let mut c = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
        let tables: Vec<String> = c
            .query(
                "SELECT table_name::text FROM information_schema.tables
                 WHERE table_schema = 'public' ORDER BY 1",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let counts: (i64, i64, i64) = {
            let r = c
                .query_one(
                    "SELECT (SELECT count(*) FROM polls), (SELECT count(*) FROM items),
                            (SELECT max(version) FROM resou_schema)",
                    &[],
                )
                .unwrap();
            (r.get(0), r.get(1), r.get(2))
        };
        (tables, counts)
    };
    let before = dump();
    assert_eq!(before.1, (1, 51, schema::CURRENT_VERSION));
    assert!(before.0.contains(&"triage".to_string()));
    {
        // Opening again (through the spec, as the app does) changes nothing.
        let store = resou::store::open(&StoreSpec::parse(&db.url)).unwrap();
        let snap = store
            .snapshot_at(Platform::Weibo, lists[0].captured_at)
            .unwrap();
        assert_eq!(snap.as_ref(), Some(&lists[0]));
    }
    assert_eq!(
        dump(),
        before,
        "reopening a current database changes nothing"
    );

    let future = schema::CURRENT_VERSION + 41;
    pg::admin(
        &db.url,
        &format!("UPDATE resou_schema SET version = {future}"),
    )
    .unwrap();
    let err = PgStore::open(&db.url).unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { found, known, .. } if found == future && known == schema::CURRENT_VERSION),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("newer"), "{msg}");
    db.assert_no_password(&msg);
    assert_eq!(dump().1.2, future, "a refused database is left alone");
}

#[test]
fn a_v1_database_migrates_keeping_its_polls() {
    let Some(db) = pg::db_or_skip("v1_to_v2") else {
        return;
    };
    let lists = fixture("lists.jsonl");
    {
        let mut c = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
        schema::migrate(&mut c, &schema::MIGRATIONS[..1]).unwrap();
        assert_eq!(schema::version(&mut c).unwrap(), 1);
        c.execute(
            "INSERT INTO polls (platform, captured_at, endpoint) VALUES ('weibo', $1, 'v1')",
            &[&lists[0].captured_at.timestamp()],
        )
        .unwrap();
    }
    let mut store = PgStore::open(&db.url).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::CURRENT_VERSION);
    assert_eq!(
        store
            .polls_between(Platform::Weibo, at(0), lists[0].captured_at)
            .unwrap()
            .len(),
        1
    );
    let rec = resou::store::TriageRecord {
        user: "ops".into(),
        json: "{}".into(),
        updated_at: lists[0].captured_at,
    };
    store.save_triage(&rec).unwrap();
    assert_eq!(store.load_triage().unwrap(), vec![rec]);
    store_contract::migrated_store_takes_story_titles(&mut store, &lists[0]);
}

#[test]
fn passwords_never_appear_in_descriptions_or_errors() {
    let Some(db) = pg::db_or_skip("passwords") else {
        return;
    };
    let store = PgStore::open(&db.url).unwrap();
    let spec = StoreSpec::parse(&db.url);
    for shown in [
        store.describe(),
        spec.describe(),
        format!("{spec:?} {store:?}"),
    ] {
        db.assert_no_password(&shown);
        assert!(shown.contains(&db.host()), "{shown}");
    }
    // A wrong password: the server refuses, the error names the server but no password.
    let mut wrong = url::Url::parse(&db.url).unwrap();
    wrong.set_password(Some("not-the-Secr3t")).unwrap();
    let wrong = wrong.to_string();
    let err = PgStore::open(&wrong).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, StoreError::Postgres { op: "connect", .. }),
        "{err:?}"
    );
    assert!(
        !msg.contains("not-the-Secr3t") && msg.contains(&db.host()),
        "{msg}"
    );
    assert!(msg.contains("password authentication failed"), "{msg}");
    // A server that is not there is a connection error.
    let gone = resou::store::open(&StoreSpec::parse(
        "postgres://resou:pw-nowhere@127.0.0.1:1/resou?connect_timeout=2",
    ))
    .map(drop)
    .unwrap_err();
    assert!(gone.is_connection(), "{gone:?}");
    assert!(!gone.to_string().contains("pw-nowhere"), "{gone}");
}

#[test]
fn inside_an_async_runtime_the_store_errors_instead_of_panicking() {
    let Some(db) = pg::db_or_skip("runtime_guard") else {
        return;
    };
    let mut store = PgStore::open(&db.url).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = rt.block_on(async { store.insert_poll(&poll(Platform::Weibo, 1_000, &["x"]), "t") });
    assert!(
        matches!(err, Err(StoreError::AsyncContext { .. })),
        "{err:?}"
    );
    let opened = rt.block_on(async { PgStore::open(&db.url).map(drop) });
    assert!(
        matches!(opened, Err(StoreError::AsyncContext { .. })),
        "{opened:?}"
    );
    // On a plain thread the same store works.
    store
        .insert_poll(&poll(Platform::Weibo, 1_000, &["x"]), "t")
        .unwrap();
}
