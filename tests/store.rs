//! History store: round trips of real lists, topic summaries, migrations, retention,
//! WAL concurrency and write failures.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;

use chrono::{DateTime, FixedOffset};
use resou::domain::snapshot_file::read_lines;
use resou::domain::{Platform, Snapshot, Topic, TopicKey, from_unix};
use resou::store::{Store, StoreError, schema};

fn fixture(name: &str) -> Vec<Snapshot> {
    let path = format!("{}/tests/fixtures/store/{name}", env!("CARGO_MANIFEST_DIR"));
    let file = std::fs::File::open(&path).unwrap();
    read_lines(std::io::BufReader::new(file), &path)
        .unwrap()
        .iter()
        .map(|l| l.to_snapshot())
        .collect()
}

fn at(secs: i64) -> DateTime<FixedOffset> {
    from_unix(secs).unwrap()
}

/// A small synthetic poll: ranked titles in order, heat falling with rank.
fn poll(platform: Platform, secs: i64, titles: &[&str]) -> Snapshot {
    let mut s = Snapshot::new(platform, at(secs));
    for (i, t) in titles.iter().enumerate() {
        let mut topic = Topic::new(platform, Some(i as u32 + 1), t);
        topic.heat = Some(10_000 - 100 * i as u64);
        s.ranked.push(topic);
    }
    s.finish()
}

fn titles(topics: &[Topic]) -> Vec<&str> {
    topics.iter().map(|t| t.title.as_str()).collect()
}

#[test]
fn real_lists_round_trip_through_snapshot_at() {
    let lists = fixture("lists.jsonl");
    let mut store = Store::open_in_memory().unwrap();
    for s in &lists {
        store.insert_poll(s, "fixture").unwrap();
    }
    for want in &lists {
        let got = store
            .snapshot_at(want.platform, want.captured_at)
            .unwrap()
            .unwrap();
        assert_eq!(titles(&got.ranked), titles(&want.ranked));
        assert_eq!(titles(&got.pinned), titles(&want.pinned));
        // Every field (rank, heat, label, query, url, pinned) comes back as inserted.
        assert_eq!(&got, want);
    }
    let weibo_noon = &lists[0];
    assert!(!weibo_noon.pinned.is_empty() && weibo_noon.ranked.iter().any(|t| t.heat.is_some()));
    assert!(weibo_noon.ranked.iter().any(|t| !t.label.is_none()));

    // Between polls the board is the earlier one; before the first there is none.
    let half_past = at(lists[0].captured_at.timestamp() + 1_800);
    let got = store
        .snapshot_at(Platform::Weibo, half_past)
        .unwrap()
        .unwrap();
    assert_eq!(got.captured_at, lists[0].captured_at);
    let before = at(lists[0].captured_at.timestamp() - 1);
    assert_eq!(store.snapshot_at(Platform::Weibo, before).unwrap(), None);
    // Platforms are kept apart.
    let tieba = store
        .snapshot_at(Platform::Tieba, half_past)
        .unwrap()
        .unwrap();
    assert_eq!(tieba.captured_at, lists[3].captured_at);

    let refs = store
        .polls_between(Platform::Weibo, lists[0].captured_at, lists[1].captured_at)
        .unwrap();
    let times: Vec<_> = refs.iter().map(|r| r.captured_at).collect();
    assert_eq!(times, vec![lists[0].captured_at, lists[1].captured_at]);
    assert!(refs.iter().all(|r| r.platform == Platform::Weibo));
}

/// What the topic summary should say, computed directly from the snapshots.
#[derive(Debug, Default)]
struct Expect {
    first: i64,
    last: i64,
    peak_rank: Option<u32>,
    peak_heat: Option<u64>,
    points: usize,
}

#[test]
fn topics_track_first_last_and_peak_across_polls() {
    let mut polls = fixture("weibo_hours.jsonl");
    polls.extend(
        fixture("lists.jsonl")
            .into_iter()
            .filter(|s| s.platform == Platform::Weibo),
    );
    let mut store = Store::open_in_memory().unwrap();
    // Insert out of order: the summary must not depend on arrival order.
    for s in polls.iter().rev() {
        store.insert_poll(s, "fixture").unwrap();
    }
    let mut expect: BTreeMap<TopicKey, Expect> = BTreeMap::new();
    for s in &polls {
        let t0 = s.captured_at.timestamp();
        for t in s.pinned.iter().chain(&s.ranked) {
            let e = expect.entry(t.key()).or_insert(Expect {
                first: t0,
                last: t0,
                ..Expect::default()
            });
            e.first = e.first.min(t0);
            e.last = e.last.max(t0);
            e.peak_rank = match (e.peak_rank, t.rank) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            e.peak_heat = e.peak_heat.max(t.heat);
            e.points += 1;
        }
    }
    let recurring = expect.values().filter(|e| e.points > 1).count();
    assert!(recurring > 10, "fixture should have recurring topics");
    for (key, e) in &expect {
        let h = store.topic_history(key).unwrap().unwrap();
        assert_eq!(h.first_seen.timestamp(), e.first, "{key:?}");
        assert_eq!(h.last_seen.timestamp(), e.last, "{key:?}");
        assert_eq!(h.peak_rank, e.peak_rank, "{key:?}");
        assert_eq!(h.peak_heat, e.peak_heat, "{key:?}");
        assert_eq!(h.points.len(), e.points, "{key:?}");
        assert!(h.points.windows(2).all(|w| w[0].at <= w[1].at));
    }
    let unknown = TopicKey::new(Platform::Weibo, "从未上榜的话题");
    assert_eq!(store.topic_history(&unknown).unwrap(), None);
}

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
fn retention_expires_old_polls_and_compacts_to_hourly() {
    const H: i64 = 3_600;
    const D: i64 = 86_400;
    // 2026-08-15 12:00 CST, on an hour boundary.
    let now = 1_786_766_400;
    assert_eq!(now % H, 0);
    let mut store = Store::open_in_memory().unwrap();
    let w = Platform::Weibo;
    let t = Platform::Tieba;
    // Outside the 90-day window.
    store
        .insert_poll(&poll(w, now - 95 * D, &["只在很久以前"]), "t")
        .unwrap();
    // Three days ago: one hour of 10-minute polls, the next hour two polls; a Tieba hour too.
    let old_hour = now - 3 * D;
    for m in 0..6 {
        let titles = if m == 0 {
            vec!["旧话题", "首次出现"]
        } else {
            vec!["旧话题"]
        };
        store
            .insert_poll(&poll(w, old_hour + m * 600, &titles), "t")
            .unwrap();
    }
    store
        .insert_poll(&poll(w, old_hour + H, &["旧话题"]), "t")
        .unwrap();
    store
        .insert_poll(&poll(w, old_hour + H + 1_800, &["旧话题"]), "t")
        .unwrap();
    store
        .insert_poll(&poll(t, old_hour + 300, &["贴吧话题"]), "t")
        .unwrap();
    store
        .insert_poll(&poll(t, old_hour + 900, &["贴吧话题"]), "t")
        .unwrap();
    // The last hour: minute-level polls stay.
    for m in 0..6 {
        store
            .insert_poll(&poll(w, now - H + m * 600, &["新话题"]), "t")
            .unwrap();
    }

    let report = store.retain(at(now), 90).unwrap();
    assert_eq!(report.expired_polls, 1);
    assert_eq!(report.compacted_polls, 5 + 1 + 1);
    assert_eq!(report.expired_topics, 1);

    let all = |p| {
        store
            .polls_between(p, at(0), at(now))
            .unwrap()
            .into_iter()
            .map(|r| r.captured_at.timestamp())
            .collect::<Vec<_>>()
    };
    let mut want_weibo = vec![old_hour + 3_000, old_hour + H + 1_800];
    want_weibo.extend((0..6).map(|m| now - H + m * 600));
    assert_eq!(all(w), want_weibo);
    assert_eq!(all(t), vec![old_hour + 900]);

    // The summary outlives compaction: first seen is still the compacted-away poll.
    let first_only = store
        .topic_history(&TopicKey::new(w, "首次出现"))
        .unwrap()
        .unwrap();
    assert_eq!(first_only.first_seen.timestamp(), old_hour);
    assert!(first_only.points.is_empty());
    assert_eq!(
        store
            .topic_history(&TopicKey::new(w, "只在很久以前"))
            .unwrap(),
        None
    );
    let old = store
        .topic_history(&TopicKey::new(w, "旧话题"))
        .unwrap()
        .unwrap();
    assert_eq!(old.points.len(), 2);

    // Idempotent: a second run finds nothing to do.
    assert_eq!(store.retain(at(now), 90).unwrap(), Default::default());
}

#[test]
fn a_reader_keeps_reading_while_a_writer_commits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite3");
    let lists = fixture("lists.jsonl");
    let mut writer = Store::open(&path).unwrap();
    writer.insert_poll(&lists[0], "fixture").unwrap();

    let (reading_tx, reading_rx) = mpsc::channel::<i64>();
    let (written_tx, written_rx) = mpsc::channel::<()>();
    let reader_path = path.clone();
    let first = lists[0].captured_at;
    let reader = std::thread::spawn(move || {
        // A second Store on the same file: opening must not need the writer's lock.
        let store = Store::open(&reader_path).unwrap();
        let seen = store.snapshot_at(Platform::Weibo, first).unwrap();
        assert_eq!(seen.map(|s| s.ranked.len()), Some(50));
        // Hold a read transaction open across the writer's commit. Without WAL the commit
        // would wait for this reader and fail after the busy timeout.
        let mut raw = rusqlite::Connection::open(&reader_path).unwrap();
        let tx = raw.transaction().unwrap();
        let count = |tx: &rusqlite::Transaction| -> i64 {
            tx.query_row("SELECT count(*) FROM polls", [], |r| r.get(0))
                .unwrap()
        };
        let before = count(&tx);
        reading_tx.send(before).unwrap();
        written_rx.recv().unwrap();
        // Still the snapshot the transaction started with.
        assert_eq!(count(&tx), before);
        tx.commit().unwrap();
        let polls = store
            .polls_between(Platform::Weibo, at(0), at(i64::from(u32::MAX)))
            .unwrap();
        polls.len()
    });

    let before = reading_rx.recv().unwrap();
    assert_eq!(before, 1);
    writer.insert_poll(&lists[1], "fixture").unwrap();
    written_tx.send(()).unwrap();
    assert_eq!(reader.join().unwrap(), 2);
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
fn a_v1_file_with_polls_migrates_to_v2_keeping_them_and_gains_triage() {
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
                    resou::domain::normalise_title(t.title.as_str()),
                    t.heat.map(|h| h as i64)
                ],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), 2);
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
}
