//! The history store contract, written once over `&mut dyn HistoryStore` and run against
//! every engine (SQLite and PostgreSQL, from tests/store/store_postgres.rs): what the app, the
//! collector and the viewers rely on, whichever engine holds the history.
#![allow(dead_code)] // each test crate uses a different subset

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use resou::domain::snapshot_file::read_lines;
use resou::domain::watch::WatchPost;
use resou::domain::{Label, Platform, Snapshot, Topic, TopicKey, from_unix};
use resou::store::{HistoryStore, KeywordPoint, KolMention, StoreSpec, StoryTitle, TriageRecord};

pub fn fixture(name: &str) -> Vec<Snapshot> {
    let path = format!("{}/tests/fixtures/store/{name}", env!("CARGO_MANIFEST_DIR"));
    let file = std::fs::File::open(&path).unwrap();
    read_lines(std::io::BufReader::new(file), &path)
        .unwrap()
        .iter()
        .map(|l| l.to_snapshot())
        .collect()
}

pub fn at(secs: i64) -> DateTime<FixedOffset> {
    from_unix(secs).unwrap()
}

/// A small synthetic poll: ranked titles in order, heat falling with rank.
pub fn poll(platform: Platform, secs: i64, titles: &[&str]) -> Snapshot {
    let mut s = Snapshot::new(platform, at(secs));
    for (i, t) in titles.iter().enumerate() {
        let mut topic = Topic::new(platform, Some(i as u32 + 1), t);
        topic.heat = Some(10_000 - 100 * i as u64);
        s.ranked.push(topic);
    }
    s.finish()
}

pub fn titles(topics: &[Topic]) -> Vec<&str> {
    topics.iter().map(|t| t.title.as_str()).collect()
}

/// Real Weibo and Tieba lists come back field for field; `snapshot_at` picks the last poll at
/// or before the time, per platform; `polls_between` is inclusive and ordered.
pub fn real_lists_round_trip(store: &mut dyn HistoryStore) {
    let lists = fixture("lists.jsonl");
    let mut ids = Vec::new();
    for s in &lists {
        ids.push(store.insert_poll(s, "fixture").unwrap());
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids increase: {ids:?}");
    for want in &lists {
        let got = store
            .snapshot_at(want.platform, want.captured_at)
            .unwrap()
            .unwrap();
        assert_eq!(titles(&got.ranked), titles(&want.ranked));
        assert_eq!(&got, want);
    }
    let weibo_noon = &lists[0];
    assert!(!weibo_noon.pinned.is_empty() && weibo_noon.ranked.iter().any(|t| t.heat.is_some()));
    assert!(weibo_noon.ranked.iter().any(|t| !t.label.is_none()));

    let half_past = at(lists[0].captured_at.timestamp() + 1_800);
    let got = store
        .snapshot_at(Platform::Weibo, half_past)
        .unwrap()
        .unwrap();
    assert_eq!(got.captured_at, lists[0].captured_at);
    let before = at(lists[0].captured_at.timestamp() - 1);
    assert_eq!(store.snapshot_at(Platform::Weibo, before).unwrap(), None);
    let tieba = store
        .snapshot_at(Platform::Tieba, half_past)
        .unwrap()
        .unwrap();
    assert_eq!(tieba.captured_at, lists[3].captured_at);

    let refs = store
        .polls_between(Platform::Weibo, lists[0].captured_at, lists[1].captured_at)
        .unwrap();
    let got: Vec<_> = refs.iter().map(|r| (r.id, r.captured_at)).collect();
    assert_eq!(
        got,
        vec![
            (ids[0], lists[0].captured_at),
            (ids[1], lists[1].captured_at)
        ]
    );
    assert!(refs.iter().all(|r| r.platform == Platform::Weibo));
}

#[derive(Debug, Default)]
struct Expect {
    first: i64,
    last: i64,
    peak_rank: Option<u32>,
    peak_heat: Option<u64>,
    points: usize,
}

/// First/last seen and peaks, computed from the snapshots, match the stored summary whatever
/// the insertion order; the title is the latest one.
pub fn topic_summary(store: &mut dyn HistoryStore) {
    let mut polls = fixture("weibo_hours.jsonl");
    polls.extend(
        fixture("lists.jsonl")
            .into_iter()
            .filter(|s| s.platform == Platform::Weibo),
    );
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
    assert!(expect.values().filter(|e| e.points > 1).count() > 10);
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

    // Pinned-only sightings never overwrite a ranked peak; the latest title wins.
    let t = 2_000_000_000;
    store
        .insert_poll(&poll(Platform::Tieba, t, &["甲", "乙"]), "t")
        .unwrap();
    let mut pinned = Snapshot::new(Platform::Tieba, at(t + 60));
    let mut top = Topic::new(Platform::Tieba, None, "#乙#");
    top.pinned = true;
    pinned.pinned.push(top);
    store.insert_poll(&pinned.finish(), "t").unwrap();
    let h = store
        .topic_history(&TopicKey::new(Platform::Tieba, "乙"))
        .unwrap()
        .unwrap();
    assert_eq!((h.peak_rank, h.last_seen.timestamp()), (Some(2), t + 60));
    assert_eq!(
        h.points.iter().map(|p| p.rank).collect::<Vec<_>>(),
        [Some(2), None]
    );
}

/// Expiry outside the window, hourly compaction of polls older than two days (the last poll
/// of each platform-hour stays), summaries outliving compaction, and idempotence.
pub fn retention(store: &mut dyn HistoryStore) {
    const H: i64 = 3_600;
    const D: i64 = 86_400;
    let now = 1_786_766_400;
    let (w, t) = (Platform::Weibo, Platform::Tieba);
    store
        .insert_poll(&poll(w, now - 95 * D, &["只在很久以前"]), "t")
        .unwrap();
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
    for m in 0..6 {
        store
            .insert_poll(&poll(w, now - H + m * 600, &["新话题"]), "t")
            .unwrap();
    }
    let kw = |secs| KeywordPoint {
        keyword: "台风".into(),
        at: at(secs),
        share: 0.5,
        score: 1.0,
        rising: false,
    };
    store
        .append_keyword_points(&[kw(now - 95 * D), kw(now - H)])
        .unwrap();

    let report = store.retain(at(now), 90).unwrap();
    assert_eq!(report.expired_polls, 1);
    assert_eq!(report.compacted_polls, 5 + 1 + 1);
    assert_eq!(report.expired_topics, 1);
    assert_eq!(report.expired_keyword_points, 1);

    let all = |s: &dyn HistoryStore, p| {
        s.polls_between(p, at(0), at(now))
            .unwrap()
            .into_iter()
            .map(|r| r.captured_at.timestamp())
            .collect::<Vec<_>>()
    };
    let mut want_weibo = vec![old_hour + 3_000, old_hour + H + 1_800];
    want_weibo.extend((0..6).map(|m| now - H + m * 600));
    assert_eq!(all(store, w), want_weibo);
    assert_eq!(all(store, t), vec![old_hour + 900]);

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
    assert_eq!(
        store.keyword_series("台风", at(0), at(now)).unwrap(),
        vec![kw(now - H)]
    );
    assert_eq!(store.retain(at(now), 90).unwrap(), Default::default());
}

/// Keyword points and KOL mentions older than two days are thinned to one per hour: the
/// keyword's last rising point of the hour (else its last), the KOL's last mention carrying
/// every title of the hour in order of first appearance; recent rows stay minute by minute.
pub fn series_compaction(store: &mut dyn HistoryStore) {
    const H: i64 = 3_600;
    const D: i64 = 86_400;
    let now = 1_786_766_400;
    let old_hour = now - 3 * D;
    let kp = |k: &str, secs, share: f64, rising| KeywordPoint {
        keyword: k.into(),
        at: at(secs),
        share,
        score: share * 10.0,
        rising,
    };
    let old_points = [
        // 台风 rose at minute 20 and fell back: the rise is what stays.
        kp("台风", old_hour, 0.1, false),
        kp("台风", old_hour + 1_200, 0.4, true),
        kp("台风", old_hour + 2_400, 0.2, false),
        // 旺旺 never rose: its last point of the hour stays.
        kp("旺旺", old_hour, 0.1, false),
        kp("旺旺", old_hour + 3_000, 0.15, false),
        // The next hour is its own bucket.
        kp("旺旺", old_hour + H + 60, 0.3, true),
    ];
    let recent: Vec<_> = (0..3)
        .map(|m| kp("台风", now - H + m * 60, 0.5, m == 1))
        .collect();
    store.append_keyword_points(&old_points).unwrap();
    store.append_keyword_points(&recent).unwrap();

    let km = |name: &str, secs, titles: &[&str]| KolMention {
        name: name.into(),
        at: at(secs),
        titles: titles.iter().map(|t| t.to_string()).collect(),
    };
    store
        .append_kol_mentions(&[
            km("央视新闻", old_hour + 60, &["台风\"贝碧嘉\"登陆", "暴雨"]),
            km("央视新闻", old_hour + 600, &["暴雨", "停课"]),
            km("央视新闻", old_hour + 1_200, &["暴雨"]),
            km("人民日报", old_hour + 60, &[]),
            km("人民日报", old_hour + 120, &[]),
            km("新华社", old_hour + 60, &["独家"]),
            km("央视新闻", now - 120, &["新"]),
            km("央视新闻", now - 60, &["新"]),
        ])
        .unwrap();

    let report = store.retain(at(now), 90).unwrap();
    assert_eq!(report.compacted_keyword_points, 2 + 1);
    assert_eq!(report.compacted_kol_mentions, 2 + 1);
    assert_eq!(
        store.keyword_series("台风", at(0), at(now)).unwrap(),
        [vec![kp("台风", old_hour + 1_200, 0.4, true)], recent].concat()
    );
    assert_eq!(
        store.keyword_series("旺旺", at(0), at(now)).unwrap(),
        vec![
            kp("旺旺", old_hour + 3_000, 0.15, false),
            kp("旺旺", old_hour + H + 60, 0.3, true)
        ]
    );
    assert_eq!(
        store.kol_mentions("央视新闻", at(0), at(now)).unwrap(),
        vec![
            km(
                "央视新闻",
                old_hour + 1_200,
                &["台风\"贝碧嘉\"登陆", "暴雨", "停课"]
            ),
            km("央视新闻", now - 120, &["新"]),
            km("央视新闻", now - 60, &["新"]),
        ]
    );
    assert_eq!(
        store.kol_mentions("人民日报", at(0), at(now)).unwrap(),
        vec![km("人民日报", old_hour + 120, &[])]
    );
    assert_eq!(
        store.kol_mentions("新华社", at(0), at(now)).unwrap(),
        vec![km("新华社", old_hour + 60, &["独家"])]
    );
    assert_eq!(store.retain(at(now), 90).unwrap(), Default::default());
}

/// Each user's triage is stored apart, replaced on save, listed by user.
pub fn triage_per_user(store: &mut dyn HistoryStore) {
    assert_eq!(store.load_triage().unwrap(), vec![]);
    let rec = |user: &str, json: &str, secs| TriageRecord {
        user: user.into(),
        json: json.into(),
        updated_at: at(secs),
    };
    store
        .save_triage(&rec("wang", r#"{"flags":["a"]}"#, 100))
        .unwrap();
    store
        .save_triage(&rec("Li", r#"{"flags":[]}"#, 110))
        .unwrap();
    store
        .save_triage(&rec("wang", r#"{"flags":["a","b"]}"#, 120))
        .unwrap();
    // Byte order ("L" < "w"), the same on every engine and collation.
    assert_eq!(
        store.load_triage().unwrap(),
        vec![
            rec("Li", r#"{"flags":[]}"#, 110),
            rec("wang", r#"{"flags":["a","b"]}"#, 120)
        ]
    );
}

/// The delivery queue: queued pending, due first first; an attempt's result is written over
/// the row (parts delivered, attempts, error, next try); done and failed rows leave the
/// pending list but stay in the recent list, newest first; retention never drops a pending
/// delivery; hostile text round-trips unchanged (it is escaped where shown, not here).
pub fn push_queue(store: &mut dyn HistoryStore) {
    use resou::store::{NewPush, PushState, PushUpdate};
    let new = |channel: &str, title: &str, next: i64| NewPush {
        channel: channel.into(),
        rule: "品牌".into(),
        tier: "orange".into(),
        title: title.into(),
        message: format!(r#"{{"title":"{title}"}}"#),
        created_at: at(100),
        next_at: at(next),
    };
    assert!(store.pending_pushes().unwrap().is_empty());
    let a = store
        .enqueue_push(&new("ding", "台风\u{1b}[31m", 200))
        .unwrap();
    let b = store.enqueue_push(&new("wecom", "高考", 150)).unwrap();
    assert_ne!(a, b);
    let pending = store.pending_pushes().unwrap();
    assert_eq!(pending.iter().map(|p| p.id).collect::<Vec<_>>(), [b, a]);
    let first = &pending[1];
    assert_eq!(
        (first.channel.as_str(), first.title.as_str(), first.state),
        ("ding", "台风\u{1b}[31m", PushState::Pending)
    );
    assert_eq!((first.parts_done, first.attempts), (0, 0));
    assert_eq!(
        (first.created_at, first.next_at, first.updated_at),
        (at(100), at(200), at(100))
    );

    // A retry after one part of three went through.
    let retry = PushUpdate {
        state: PushState::Pending,
        parts_done: 1,
        attempts: 1,
        last_error: Some("DingTalk 130101: send too fast".into()),
        next_at: at(400),
        updated_at: at(210),
    };
    store.update_push(a, &retry).unwrap();
    let pending = store.pending_pushes().unwrap();
    assert_eq!(pending.iter().map(|p| p.id).collect::<Vec<_>>(), [b, a]);
    assert_eq!(pending[1].parts_done, 1);
    assert_eq!(
        pending[1].last_error.as_deref(),
        retry.last_error.as_deref()
    );
    assert_eq!(pending[1].next_at, at(400));

    let done = PushUpdate {
        state: PushState::Delivered,
        parts_done: 3,
        attempts: 2,
        last_error: None,
        next_at: at(400),
        updated_at: at(400),
    };
    store.update_push(a, &done).unwrap();
    let failed = PushUpdate {
        state: PushState::Failed,
        parts_done: 0,
        attempts: 1,
        last_error: Some("WeCom 93000: invalid webhook key".into()),
        next_at: at(150),
        updated_at: at(160),
    };
    store.update_push(b, &failed).unwrap();
    assert!(store.pending_pushes().unwrap().is_empty());
    let recent = store.recent_pushes(10).unwrap();
    assert_eq!(recent.iter().map(|p| p.id).collect::<Vec<_>>(), [a, b]);
    assert_eq!(
        (recent[0].state, recent[0].parts_done, recent[0].attempts),
        (PushState::Delivered, 3, 2)
    );
    assert_eq!(recent[1].state, PushState::Failed);
    assert_eq!(store.recent_pushes(1).unwrap().len(), 1);

    // Retention drops settled deliveries past the window, never a pending one.
    let c = store.enqueue_push(&new("ntfy", "待发", 100)).unwrap();
    store.retain(at(100 + 40 * 86_400), 30).unwrap();
    let left: Vec<i64> = store
        .recent_pushes(10)
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(left, [c]);
}

/// Key/value blobs are replaced; keyword and KOL series are per name, inclusive, in order.
pub fn kv_and_series(store: &mut dyn HistoryStore) {
    assert_eq!(store.get_kv("detector").unwrap(), None);
    store.put_kv("detector", &[0, 159, 146, 150]).unwrap();
    store.put_kv("detector", b"v2\0bytes").unwrap();
    assert_eq!(
        store.get_kv("detector").unwrap().as_deref(),
        Some(&b"v2\0bytes"[..])
    );

    let kp = |k: &str, secs, share| KeywordPoint {
        keyword: k.into(),
        at: at(secs),
        share,
        score: share * 10.0,
        rising: share > 0.2,
    };
    store
        .append_keyword_points(&[
            kp("旺旺", 100, 0.25),
            kp("台风", 100, 0.1),
            kp("旺旺", 200, 0.125),
        ])
        .unwrap();
    assert_eq!(
        store.keyword_series("旺旺", at(100), at(200)).unwrap(),
        vec![kp("旺旺", 100, 0.25), kp("旺旺", 200, 0.125)]
    );
    assert_eq!(
        store
            .keyword_series("旺旺", at(101), at(200))
            .unwrap()
            .len(),
        1
    );

    let km = |secs, titles: &[&str]| KolMention {
        name: "央视新闻".into(),
        at: at(secs),
        titles: titles.iter().map(|t| t.to_string()).collect(),
    };
    store
        .append_kol_mentions(&[km(100, &["台风\"贝碧嘉\"登陆", "其他"]), km(300, &[])])
        .unwrap();
    assert_eq!(
        store.kol_mentions("央视新闻", at(0), at(300)).unwrap(),
        vec![km(100, &["台风\"贝碧嘉\"登陆", "其他"]), km(300, &[])]
    );
    assert_eq!(store.kol_mentions("别人", at(0), at(300)).unwrap(), vec![]);
}

/// A reader on its own connection, reading while a writer commits poll after poll, only ever
/// sees whole polls: each snapshot it reads is exactly one of the inserted ones.
pub fn concurrent_writer_and_reader(spec: &StoreSpec) {
    let lists: Vec<Snapshot> = fixture("weibo_hours.jsonl");
    assert!(lists.len() >= 3);
    let mut writer = resou::store::open(spec).unwrap();
    writer.insert_poll(&lists[0], "fixture").unwrap();

    let (seen_tx, seen_rx) = mpsc::channel::<usize>();
    let reader_spec = spec.clone();
    let expected = lists.clone();
    let last_at = lists.last().unwrap().captured_at;
    let reader = std::thread::spawn(move || {
        let store = resou::store::open(&reader_spec).unwrap();
        let mut reads = 0;
        loop {
            let snap = store
                .snapshot_at(Platform::Weibo, last_at)
                .unwrap()
                .unwrap();
            let i = expected
                .iter()
                .position(|s| s.captured_at == snap.captured_at)
                .unwrap();
            assert_eq!(snap, expected[i], "a partial or altered poll was visible");
            reads += 1;
            let _ = seen_tx.send(i);
            if i == expected.len() - 1 {
                return reads;
            }
        }
    });
    // Interleave: each insert waits for the reader to have read at least once more.
    for s in &lists[1..] {
        seen_rx.recv_timeout(Duration::from_secs(30)).unwrap();
        writer.insert_poll(s, "fixture").unwrap();
    }
    let reads = reader.join().unwrap();
    assert!(reads >= lists.len(), "reader ran alongside: {reads} reads");
}

/// Story titles (an event's titles across lists): the earliest first sighting wins; a topic's
/// stories are every story it was in (a restart groups anew) as of a time, each title with its
/// best rank and last sighting by then from the stored polls; stored text is read back clean;
/// a title goes with its topic's summary at retention.
pub fn story_titles(store: &mut dyn HistoryStore) {
    let t0 = 1_760_500_000; // 2025-10-15, a real demo-day afternoon
    let a = "官方通报蔡国强烟花秀调查情况";
    let b = "蔡国强烟花秀事件通报：多人被免职";
    let c = "蔡国强工作室被立案查处\u{1b}[31m";
    store
        .insert_poll(&poll(Platform::Weibo, t0, &["甲", "乙", a]), "t")
        .unwrap();
    store
        .insert_poll(&poll(Platform::Douyin, t0 + 300, &[b]), "t")
        .unwrap();
    store
        .insert_poll(&poll(Platform::Weibo, t0 + 600, &[a]), "t")
        .unwrap();
    store
        .insert_poll(&poll(Platform::Baidu, t0 + 1500, &["丙", c]), "t")
        .unwrap();
    // Keys as the app makes them: from the topic as polled (its text cleaned).
    let key = |p: Platform, t: &str| Topic::new(p, None, t).key();
    let title = |story: &str, p: Platform, t: &str, first: i64| StoryTitle {
        story: story.into(),
        key: key(p, t),
        title: t.into(),
        first_seen: at(first),
        best_rank: None,
        last_seen: None,
    };
    store
        .record_story_titles(&[
            title("1-1", Platform::Weibo, a, t0),
            title("1-1", Platform::Douyin, b, t0 + 300),
        ])
        .unwrap();
    // Written again later (a retry): the first sighting stays.
    store
        .record_story_titles(&[title("1-1", Platform::Weibo, a, t0 + 900)])
        .unwrap();
    // After a restart the same Douyin title starts a story with a Baidu one.
    store
        .record_story_titles(&[
            title("2-7", Platform::Douyin, b, t0 + 1200),
            title("2-7", Platform::Baidu, c, t0 + 1500),
        ])
        .unwrap();
    let far = at(i64::from(i32::MAX));
    let seen = |rows: &[StoryTitle]| -> Vec<(String, Platform, i64, Option<u32>)> {
        rows.iter()
            .map(|r| {
                (
                    r.story.clone(),
                    r.key.platform,
                    r.first_seen.timestamp(),
                    r.best_rank,
                )
            })
            .collect()
    };
    // Weibo's title was only in the first run's story.
    let of_a = store.story_of(&key(Platform::Weibo, a), far).unwrap();
    assert_eq!(
        seen(&of_a),
        [
            ("1-1".into(), Platform::Weibo, t0, Some(1)),
            ("1-1".into(), Platform::Douyin, t0 + 300, Some(1)),
        ]
    );
    assert_eq!(of_a[0].title, a);
    assert_eq!(of_a[0].last_seen, Some(at(t0 + 600)));
    // Douyin's title is in both runs' stories.
    let of_b = store.story_of(&key(Platform::Douyin, b), far).unwrap();
    assert_eq!(
        seen(&of_b),
        [
            ("1-1".into(), Platform::Weibo, t0, Some(1)),
            ("1-1".into(), Platform::Douyin, t0 + 300, Some(1)),
            ("2-7".into(), Platform::Douyin, t0 + 1200, Some(1)),
            ("2-7".into(), Platform::Baidu, t0 + 1500, Some(2)),
        ]
    );
    assert_eq!(
        of_b[3].title, "蔡国强工作室被立案查处",
        "escape sequences stripped"
    );
    // As of a time: later titles and polls do not count.
    let early = store
        .story_of(&key(Platform::Weibo, a), at(t0 + 300))
        .unwrap();
    assert_eq!(
        seen(&early),
        [
            ("1-1".into(), Platform::Weibo, t0, Some(3)),
            ("1-1".into(), Platform::Douyin, t0 + 300, Some(1)),
        ]
    );
    assert_eq!(early[0].last_seen, Some(at(t0)));
    assert!(
        store
            .story_of(&key(Platform::Douyin, b), at(t0 + 299))
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .story_of(&key(Platform::Weibo, "甲"), far)
            .unwrap()
            .is_empty()
    );
    // Several topics: each stored title once.
    let both = store
        .stories_of(&[key(Platform::Weibo, a), key(Platform::Douyin, b)], far)
        .unwrap();
    assert_eq!(seen(&both), seen(&of_b));
    // Retention: titles go with their topics.
    store.retain(at(t0 + 40 * 86_400), 30).unwrap();
    assert!(
        store
            .story_of(&key(Platform::Douyin, b), far)
            .unwrap()
            .is_empty()
    );
}

/// A store migrated from an older schema records and reads story titles (v3), for a topic of
/// `snap`.
pub fn migrated_store_takes_story_titles(store: &mut dyn HistoryStore, snap: &Snapshot) {
    let key = snap.ranked[0].key();
    let story = StoryTitle {
        story: "1-1".into(),
        key: key.clone(),
        title: snap.ranked[0].title.to_string(),
        first_seen: snap.captured_at,
        best_rank: None,
        last_seen: None,
    };
    store
        .record_story_titles(std::slice::from_ref(&story))
        .unwrap();
    let read = store.story_of(&key, snap.captured_at).unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(
        (&read[0].story, read[0].first_seen),
        (&story.story, story.first_seen)
    );
}

/// The label strength the report reads order by: 新 < 热 < 沸 < 爆, others none.
fn label_strength(l: Label) -> u8 {
    match l {
        Label::New => 1,
        Label::Hot => 2,
        Label::Boiling => 3,
        Label::Explosive => 4,
        _ => 0,
    }
}

/// Reads for reports: a period's topics (peaks, sightings, polls on the list, new entries,
/// the first poll in the top N, the strongest label) computed independently from the real
/// Weibo lists; a period's boards; keyword points; stories with a title first seen in the
/// period, whole; the newest poll.
pub fn report_reads(store: &mut dyn HistoryStore) {
    assert_eq!(store.latest_poll_at().unwrap(), None, "empty store");
    let hours = fixture("weibo_hours.jsonl");
    let lists = fixture("lists.jsonl");
    for s in hours.iter().chain(&lists) {
        store.insert_poll(s, "fixture").unwrap();
    }
    let newest = lists.iter().map(|s| s.captured_at).max().unwrap();
    assert_eq!(store.latest_poll_at().unwrap(), Some(newest));

    // 01:00..=02:00: two hourly Weibo lists; 00:00 before, 03:00 and 12:00 after.
    let (from, to) = (hours[1].captured_at, hours[2].captured_at);
    let got = store.topics_between(from, to, 10).unwrap();
    #[derive(Debug, PartialEq)]
    struct Want {
        peak_rank: Option<u32>,
        peak_heat: Option<u64>,
        first: i64,
        last: i64,
        polls: u32,
        new: bool,
        top_at: Option<i64>,
        label: u8,
    }
    let mut want: BTreeMap<TopicKey, Want> = BTreeMap::new();
    for s in &hours[1..=2] {
        let t0 = s.captured_at.timestamp();
        for t in s.pinned.iter().chain(&s.ranked) {
            let w = want.entry(t.key()).or_insert(Want {
                peak_rank: None,
                peak_heat: None,
                first: t0,
                last: t0,
                polls: 0,
                new: true,
                top_at: None,
                label: 0,
            });
            w.peak_rank = match (w.peak_rank, t.rank) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            w.peak_heat = w.peak_heat.max(t.heat);
            w.last = t0;
            w.polls += 1;
            if t.rank.is_some_and(|r| r <= 10) && w.top_at.is_none() {
                w.top_at = Some(t0);
            }
            w.label = w.label.max(label_strength(t.label));
        }
    }
    for t in hours[0].pinned.iter().chain(&hours[0].ranked) {
        if let Some(w) = want.get_mut(&t.key()) {
            w.new = false;
        }
    }
    let keys: Vec<&TopicKey> = got.iter().map(|t| &t.key).collect();
    assert_eq!(
        keys,
        want.keys().collect::<Vec<_>>(),
        "every topic once, by key"
    );
    for t in &got {
        let w = &want[&t.key];
        let seen = Want {
            peak_rank: t.peak_rank,
            peak_heat: t.peak_heat,
            first: t.first_at.timestamp(),
            last: t.last_at.timestamp(),
            polls: t.polls,
            new: t.new,
            top_at: t.top_at.map(|a| a.timestamp()),
            label: label_strength(t.label),
        };
        assert_eq!(&seen, w, "{:?}", t.key);
        assert_eq!(t.new, t.first_seen >= from, "{:?}", t.key);
    }
    let (new, old) = (
        got.iter().filter(|t| t.new).count(),
        got.iter().filter(|t| !t.new).count(),
    );
    assert!(
        new > 5 && old > 20,
        "real lists have both: {new} new, {old} not"
    );
    assert!(got.iter().any(|t| t.polls == 1) && got.iter().any(|t| t.polls == 2));
    let strengths: std::collections::BTreeSet<u8> =
        got.iter().map(|t| label_strength(t.label)).collect();
    assert!(
        strengths.len() >= 3,
        "no label, 新 and 热 at least: {strengths:?}"
    );
    // Summary's first sighting ever: a topic of 00:00 still listed at 01:00.
    let carried = got.iter().find(|t| !t.new).unwrap();
    assert_eq!(carried.first_seen, hours[0].captured_at);
    assert!(store.topics_between(at(0), at(1), 10).unwrap().is_empty());

    // Boards of a period, whole and in order; another platform's are not among them.
    let boards = store
        .snapshots_between(Platform::Weibo, from, hours[3].captured_at)
        .unwrap();
    assert_eq!(boards, hours[1..].to_vec());
    assert!(
        store
            .snapshots_between(Platform::Tieba, from, hours[3].captured_at)
            .unwrap()
            .is_empty()
    );
    let tieba = store
        .snapshots_between(Platform::Tieba, at(0), newest)
        .unwrap();
    assert_eq!(tieba, vec![lists[2].clone(), lists[3].clone()]);

    // Keyword points of a period: inclusive, by time then keyword, rising and steady.
    let kp = |k: &str, secs: i64, rising| KeywordPoint {
        keyword: k.into(),
        at: at(secs),
        share: 0.25,
        score: 4.0,
        rising,
    };
    let t = from.timestamp();
    store
        .append_keyword_points(&[
            kp("旺旺", t - 60, true),
            kp("旺旺", t, true),
            kp("台风", t, false),
            kp("台风", t + 600, true),
            kp("旺旺", to.timestamp() + 1, true),
        ])
        .unwrap();
    assert_eq!(
        store.keyword_points_between(from, to).unwrap(),
        vec![
            kp("台风", t, false),
            kp("旺旺", t, true),
            kp("台风", t + 600, true)
        ]
    );

    // Stories: one began before the period and spread in it (both titles come back, first
    // seen first), one lies wholly before it (not returned).
    let key = |p: Platform, title: &str| Topic::new(p, None, title).key();
    let story = |s: &str, p: Platform, title: &str, first: i64| StoryTitle {
        story: s.into(),
        key: key(p, title),
        title: title.into(),
        first_seen: at(first),
        best_rank: None,
        last_seen: None,
    };
    let a = hours[0].ranked[1].title.to_string();
    let b = hours[1].ranked[0].title.to_string();
    let c = hours[0].ranked[5].title.to_string();
    store
        .record_story_titles(&[
            story("9-1", Platform::Weibo, &a, hours[0].captured_at.timestamp()),
            story("9-1", Platform::Weibo, &b, t),
            story("9-2", Platform::Weibo, &c, hours[0].captured_at.timestamp()),
        ])
        .unwrap();
    let titles = store.story_titles_between(from, to).unwrap();
    let shown: Vec<(&str, &str, Option<u32>)> = titles
        .iter()
        .map(|s| (s.story.as_str(), s.title.as_str(), s.best_rank))
        .collect();
    let best = |title: &str| {
        hours[..=2]
            .iter()
            .flat_map(|s| &s.ranked)
            .filter(|r| r.title.as_str() == title)
            .filter_map(|r| r.rank)
            .min()
    };
    assert_eq!(
        shown,
        [("9-1", a.as_str(), best(&a)), ("9-1", b.as_str(), best(&b))]
    );
    assert_eq!(titles[1].last_seen.map(|l| l <= to), Some(true));
    assert!(store.story_titles_between(at(0), at(1)).unwrap().is_empty());
}

fn watch_post(id: &str, term: &str, created: Option<i64>, text: &str) -> WatchPost {
    WatchPost {
        platform: Platform::Weibo,
        id: id.into(),
        term: term.into(),
        author: "每日经济新闻".into(),
        author_id: Some("1649173367".into()),
        verified_type: Some(3),
        followers: Some(12_345_678),
        reposts: Some(3),
        comments: Some(0),
        likes: Some(17),
        created_at: created.map(at),
        text: text.into(),
        first_seen: at(1_786_800_000),
    }
}

/// Brand watch posts are kept once by platform and id (a second sighting, under another term
/// or with new counts, changes nothing), read back field for field per term and span, oldest
/// first; the newest per term is what paging stops at; a post without a time counts at its
/// first sighting; stored text is sanitised again on the way out.
pub fn watch_posts(store: &mut dyn HistoryStore) {
    assert_eq!(store.newest_watch_post("胖东来").unwrap(), None);
    let a = watch_post(
        "5200000000000001",
        "胖东来",
        Some(1_786_700_000),
        "胖东来\n第二行",
    );
    let b = watch_post(
        "5200000000000002",
        "胖东来",
        Some(1_786_700_600),
        "又是胖东来",
    );
    let c = watch_post(
        "5200000000000003",
        "旺旺",
        Some(1_786_700_300),
        "旺旺 配料表",
    );
    let mut no_time = watch_post("5200000000000004", "胖东来", None, "无时间");
    no_time.verified_type = None;
    no_time.followers = None;
    no_time.author_id = None;
    store
        .record_watch_posts(&[b.clone(), a.clone(), c.clone(), no_time.clone()])
        .unwrap();
    // Seen again: under another term, with other counts — the first row stays.
    let mut again = a.clone();
    again.term = "旺旺".into();
    again.likes = Some(999);
    store.record_watch_posts(&[again]).unwrap();
    store.record_watch_posts(&[]).unwrap();

    let all = store
        .watch_posts_between("胖东来", at(0), at(2_000_000_000))
        .unwrap();
    assert_eq!(all, vec![a.clone(), b.clone(), no_time.clone()]);
    let span = store
        .watch_posts_between("胖东来", at(1_786_700_000), at(1_786_700_599))
        .unwrap();
    assert_eq!(span, vec![a.clone()]);
    assert_eq!(
        store
            .watch_posts_between("旺旺", at(0), at(2_000_000_000))
            .unwrap(),
        vec![c.clone()]
    );
    // `no_time` counts at its first sighting, after every dated one.
    assert_eq!(store.newest_watch_post("胖东来").unwrap(), Some(no_time));
    assert_eq!(store.newest_watch_post("旺旺").unwrap(), Some(c));
    assert_eq!(store.newest_watch_post("无此词").unwrap(), None);

    // Hostile text is stored as given but read back sanitised.
    let hostile = watch_post(
        "5200000000000009",
        "蜜雪",
        Some(1_786_700_000),
        "a\u{1b}[31mb\u{202e}c",
    );
    store.record_watch_posts(&[hostile]).unwrap();
    let back = store.newest_watch_post("蜜雪").unwrap().unwrap();
    assert!(
        !back.text.contains('\u{1b}') && !back.text.contains('\u{202e}'),
        "{:?}",
        back.text
    );

    // Retention drops posts first seen before the keep window, whatever their own date.
    let mut late = watch_post(
        "5200000000000010",
        "胖东来",
        Some(1_700_000_000),
        "旧帖新见",
    );
    late.first_seen = at(1_786_800_000 + 86_400 * 5);
    store.record_watch_posts(&[late.clone()]).unwrap();
    let report = store.retain(at(1_786_800_000 + 86_400 * 6), 3).unwrap();
    assert_eq!(report.expired_watch_posts, 5, "{report:?}");
    assert_eq!(
        store
            .watch_posts_between("胖东来", at(0), at(2_000_000_000))
            .unwrap(),
        vec![late]
    );
}
