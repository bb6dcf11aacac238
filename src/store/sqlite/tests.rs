//! Unit tests that need the connection itself (simulating a full disk).

use super::*;
use crate::domain::{Platform, Snapshot, Topic, from_unix};
use crate::store::{HistoryStore, KeywordPoint, KolMention};

fn poll(at: i64, titles: &[&str]) -> Snapshot {
    let mut s = Snapshot::new(Platform::Weibo, from_unix(at).unwrap());
    for (i, t) in titles.iter().enumerate() {
        let mut topic = Topic::new(Platform::Weibo, Some(i as u32 + 1), t);
        topic.heat = Some(1_000_000 - i as u64);
        s.ranked.push(topic);
    }
    s.finish()
}

fn count(store: &SqliteStore, table: &str) -> i64 {
    store
        .conn
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_full_disk_is_an_error_and_leaves_no_partial_poll() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    store
        .insert_poll(&poll(1_000, &["a", "b"]), "test")
        .unwrap();
    // Cap the file at its current size: the next write that needs a page gets SQLITE_FULL.
    let pages: i64 = store
        .conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    store
        .conn
        .pragma_update(None, "max_page_count", pages)
        .unwrap();
    let many: Vec<String> = (0..2_000).map(|i| format!("话题{i} 很长的标题")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let err = store.insert_poll(&poll(2_000, &refs), "test").unwrap_err();
    assert!(err.is_disk_full(), "{err}");
    let msg = err.to_string();
    assert!(msg.starts_with(":memory:: insert poll:"), "{msg}");
    // The transaction rolled back: only the first poll and its topics remain.
    assert_eq!(count(&store, "polls"), 1);
    assert_eq!(count(&store, "items"), 2);
    assert_eq!(count(&store, "topics"), 2);
    let snap = store
        .snapshot_at(Platform::Weibo, from_unix(5_000).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(snap.ranked.len(), 2);
}

#[test]
fn kv_and_series_round_trip() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    assert_eq!(store.get_kv("detector").unwrap(), None);
    store.put_kv("detector", b"v1").unwrap();
    store.put_kv("detector", b"v2").unwrap();
    assert_eq!(
        store.get_kv("detector").unwrap().as_deref(),
        Some(&b"v2"[..])
    );

    let at = |s| from_unix(s).unwrap();
    let points = vec![
        KeywordPoint {
            keyword: "旺旺".into(),
            at: at(100),
            share: 0.25,
            score: 3.5,
            rising: true,
        },
        KeywordPoint {
            keyword: "台风".into(),
            at: at(100),
            share: 0.1,
            score: 0.0,
            rising: false,
        },
        KeywordPoint {
            keyword: "旺旺".into(),
            at: at(200),
            share: 0.5,
            score: 1.0,
            rising: false,
        },
    ];
    store.append_keyword_points(&points).unwrap();
    let series = store.keyword_series("旺旺", at(0), at(150)).unwrap();
    assert_eq!(series, vec![points[0].clone()]);
    assert_eq!(
        store.keyword_series("旺旺", at(0), at(300)).unwrap().len(),
        2
    );

    let m = KolMention {
        name: "人民日报".into(),
        at: at(100),
        titles: vec!["台风白海豚".into(), "旺旺都不好卖了".into()],
    };
    store.append_kol_mentions(std::slice::from_ref(&m)).unwrap();
    assert_eq!(
        store.kol_mentions("人民日报", at(0), at(300)).unwrap(),
        vec![m]
    );
    assert!(
        store
            .kol_mentions("新华社", at(0), at(300))
            .unwrap()
            .is_empty()
    );
}
