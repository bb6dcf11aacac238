//! History store, SQLite specifics: migrations, WAL mode, read-only files, v1→v2. The
//! engine-independent contract (round trips, topic summaries, retention, a reader beside a
//! writer) runs on SQLite and PostgreSQL from tests/store/store_postgres.rs.

use std::path::Path;

use resou::domain::Platform;
use resou::store::{HistoryStore, Store, StoreError, schema};

use crate::store_contract;
use store_contract::{fixture, titles};

fn schema_dump(path: &Path) -> (i64, Vec<String>, i64, i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let version = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let mut st = conn
        .prepare("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY name")
        .unwrap();
    let objects = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let polls = conn
        .query_row("SELECT count(*) FROM polls", [], |r| r.get(0))
        .unwrap();
    let items = conn
        .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
        .unwrap();
    (version, objects, polls, items)
}

#[test]
fn migrations_from_v0_reopen_unchanged_and_refuse_newer_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/history.sqlite3");
    // v0 is "an SQLite file with no resou tables" (what any earlier build left: nothing).
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 0; CREATE TABLE unrelated (x);")
        .unwrap();
    let lists = fixture("lists.jsonl");
    {
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), schema::CURRENT_VERSION);
        store.insert_poll(&lists[0], "fixture").unwrap();
    }
    let before = schema_dump(&path);
    assert_eq!(before.0, schema::CURRENT_VERSION);
    assert_eq!((before.2, before.3), (1, 51));
    {
        let store = Store::open(&path).unwrap();
        let snap = store
            .snapshot_at(Platform::Weibo, lists[0].captured_at)
            .unwrap();
        assert_eq!(snap.as_ref(), Some(&lists[0]));
    }
    assert_eq!(
        schema_dump(&path),
        before,
        "reopening a current file changes nothing"
    );

    let future = schema::CURRENT_VERSION + 41;
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", future)
        .unwrap();
    for opened in [Store::open(&path), Store::open_read_only(&path)] {
        let err = opened.unwrap_err();
        assert!(
            matches!(err, StoreError::TooNew { found, known, .. } if found == future && known == schema::CURRENT_VERSION),
            "{err:?}"
        );
        let msg = err.to_string();
        assert!(
            msg.contains(&path.display().to_string()) && msg.contains("newer"),
            "{msg}"
        );
    }
    assert_eq!(schema_dump(&path).0, future, "a refused file is left alone");
}

#[test]
fn the_file_is_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite3");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_read_only_file_fails_writes_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite3");
    let lists = fixture("lists.jsonl");
    {
        let mut store = Store::open(&path).unwrap();
        store.insert_poll(&lists[0], "fixture").unwrap();
    }
    let copy = dir.path().join("copy.sqlite3");
    std::fs::copy(&path, &copy).unwrap();
    let mut perms = std::fs::metadata(&copy).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&copy, perms).unwrap();

    // root ignores file modes; then SQLite's own read-only open stands in for chmod.
    let mode_enforced = std::fs::OpenOptions::new().write(true).open(&copy).is_err();
    let opened = if mode_enforced {
        Store::open(&copy)
    } else {
        eprintln!("running as root: chmod 0444 does not stop writes, using Store::open_read_only");
        Store::open_read_only(&copy)
    };
    let mut store = match opened {
        Ok(store) => store,
        Err(err) => {
            // Refusing at open is also an acceptable surface, as long as it is an error.
            assert!(err.to_string().contains("copy.sqlite3"), "{err}");
            return;
        }
    };
    let err = store.insert_poll(&lists[1], "fixture").unwrap_err();
    assert!(err.is_read_only(), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("copy.sqlite3") && msg.contains("insert poll"),
        "{msg}"
    );
    assert!(store.put_kv("k", b"v").unwrap_err().is_read_only());
    // Reads still work.
    let snap = store
        .snapshot_at(Platform::Weibo, lists[1].captured_at)
        .unwrap();
    assert_eq!(snap.as_ref(), Some(&lists[0]));
}

#[test]
fn a_v1_file_with_polls_migrates_keeping_them_and_gains_triage_and_stories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let lists = fixture("lists.jsonl");
    // A file exactly as the v1 build left it: v1 tables, one poll written through them.
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        schema::migrate(&mut conn, &schema::MIGRATIONS[..1]).unwrap();
        assert_eq!(schema::user_version(&conn).unwrap(), 1);
    }
    {
        // Insert through today's code but on the v1 tables (polls/items/topics are unchanged in v2).
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        let has_triage: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'triage'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(has_triage, 0, "v1 has no triage table");
        conn.execute(
            "INSERT INTO polls (platform, captured_at, endpoint) VALUES ('weibo', ?1, 'v1')",
            [lists[0].captured_at.timestamp()],
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        for (pos, t) in lists[0].ranked.iter().enumerate() {
            tx.execute(
                "INSERT INTO items (poll_id, pos, rank, title, norm, heat, pinned)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, 0)",
                rusqlite::params![
                    pos as i64,
                    t.rank,
                    t.title.as_str(),
                    resou::domain::normalize::normalize_title(t.title.as_str()),
                    t.heat.map(|h| h as i64)
                ],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::CURRENT_VERSION);
    let snap = store
        .snapshot_at(Platform::Weibo, lists[0].captured_at)
        .unwrap()
        .expect("the v1 poll survives the migration");
    assert_eq!(titles(&snap.ranked), titles(&lists[0].ranked));
    let record = resou::store::TriageRecord {
        user: "ops".into(),
        json: r#"{"flags":[]}"#.into(),
        updated_at: lists[0].captured_at,
    };
    store.save_triage(&record).unwrap();
    assert_eq!(store.load_triage().unwrap(), vec![record]);
    store_contract::migrated_store_takes_story_titles(&mut store, &lists[0]);
}
