//! Triage state: persistence round trip, atomic save, corrupt files, pruning, mutes, "new".

use chrono::{DateTime, Duration, FixedOffset};
use resou::domain::{Platform, Topic, TopicKey, from_unix};
use resou::triage::{Triage, TriageError, entry_key};

fn at(secs: i64) -> DateTime<FixedOffset> {
    from_unix(1_786_000_000 + secs).unwrap_or_else(|| panic!("timestamp out of range"))
}

fn topic(platform: Platform, rank: u32, title: &str, heat: u64) -> Topic {
    let mut t = Topic::new(platform, Some(rank), title);
    t.heat = Some(heat);
    t.url = Some(format!("https://s.weibo.com/weibo?q=%23{rank}%23"));
    t
}

fn key(title: &str) -> TopicKey {
    TopicKey::new(Platform::Weibo, title)
}

fn populated() -> Triage {
    let mut t = Triage::default();
    t.observe(&topic(Platform::Weibo, 5, "旺旺配料表", 1_200_000), at(0));
    t.observe(&topic(Platform::Weibo, 2, "旺旺配料表", 3_400_000), at(60));
    t.observe(&topic(Platform::Weibo, 9, "旺旺配料表", 900_000), at(120));
    t.observe(&topic(Platform::Tieba, 1, "重庆火锅", 80_000), at(60));
    t.toggle_flag(&key("旺旺配料表"));
    t.set_note(&key("旺旺配料表"), "品牌方已回应");
    t.mark_seen(&key("旺旺配料表"), at(60));
    t.annotate(
        &key("旺旺配料表"),
        &["配料表".to_string()],
        &["旺旺".to_string()],
    );
    t.mute_keyword("火锅");
    t.watch_keyword("配料");
    t.watch_kol("人民日报");
    t.set_last_look(at(30));
    t
}

#[test]
fn observe_tracks_first_seen_and_peaks() {
    let t = populated();
    let e = t
        .entry(&key("#旺旺配料表#"))
        .unwrap_or_else(|| panic!("entry"));
    assert_eq!(e.first_seen, at(0));
    assert_eq!(e.last_observed, at(120));
    assert_eq!(e.peak_rank, Some(2));
    assert_eq!(e.peak_heat, Some(3_400_000));
    assert_eq!(e.title, "旺旺配料表");
    assert!(e.url.is_some());
    assert_eq!(
        entry_key(&key("旺旺配料表")),
        "weibo:旺旺配料表",
        "the file's key is stable and readable"
    );
}

#[test]
fn round_trip_through_the_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("nested/triage.json");
    let t = populated();
    t.save(&path).unwrap_or_else(|e| panic!("{e}"));
    let back = Triage::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, t);
    let e = back
        .entry(&key("旺旺配料表"))
        .unwrap_or_else(|| panic!("entry"));
    assert!(e.flagged);
    assert_eq!(e.note.as_deref(), Some("品牌方已回应"));
    assert_eq!(e.seen_at, Some(at(60)));
    assert!(back.watched_kols.contains("人民日报"));
    assert_eq!(back.last_look, Some(at(30)));
}

#[test]
fn missing_file_is_empty_state() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let t = Triage::load(&dir.path().join("triage.json")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t, Triage::default());
}

#[test]
fn atomic_save_leaves_only_the_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("triage.json");
    let mut t = populated();
    t.save(&path).unwrap_or_else(|e| panic!("{e}"));
    t.toggle_flag(&key("旺旺配料表"));
    t.save(&path).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["triage.json".to_string()]);
    let back = Triage::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        back.flagged().count(),
        0,
        "the second save replaced the first"
    );
}

#[test]
fn corrupt_file_is_reported_and_moved_aside_on_next_save() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("triage.json");
    // A wrong type on line 5 (title must be a string), then truncated.
    let garbage = "{\n  \"topics\": {\n    \"weibo:x\": {\n      \"platform\": \"weibo\",\n      \"title\": 5,\n";
    std::fs::write(&path, garbage).unwrap_or_else(|e| panic!("{e}"));

    let err = Triage::load(&path)
        .err()
        .unwrap_or_else(|| panic!("should fail"));
    match &err {
        TriageError::Corrupt { line, .. } => assert_eq!(*line, 5),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("triage.json") && msg.contains("line 5"),
        "{msg}"
    );

    let (mut t, err) = Triage::load_or_empty(&path);
    assert!(err.is_some());
    assert_eq!(t.topics.len(), 0);
    // Loading did not touch the file.
    assert_eq!(
        std::fs::read_to_string(&path).ok().as_deref(),
        Some(garbage)
    );

    t.observe(&topic(Platform::Weibo, 1, "新话题", 10), at(0));
    t.save(&path).unwrap_or_else(|e| panic!("{e}"));
    let bad: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("triage.json.bad-")
        })
        .collect();
    assert_eq!(bad.len(), 1, "the corrupt file was kept aside");
    assert_eq!(
        std::fs::read_to_string(bad[0].path()).ok().as_deref(),
        Some(garbage)
    );
    assert_eq!(
        Triage::load(&path)
            .unwrap_or_else(|e| panic!("{e}"))
            .topics
            .len(),
        1
    );

    // Later saves of the same state do not move the now-good file aside again.
    t.save(&path).unwrap_or_else(|e| panic!("{e}"));
    let count = std::fs::read_dir(dir.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .count();
    assert_eq!(count, 2);
}

#[test]
fn wrong_types_are_corrupt_not_a_panic() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("triage.json");
    std::fs::write(&path, r#"{"topics": [1, 2, 3]}"#).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        Triage::load(&path),
        Err(TriageError::Corrupt { line: 1, .. })
    ));
}

#[test]
fn prune_keeps_flagged_noted_and_recent() {
    let mut t = Triage::default();
    let old = at(0);
    for (title, flag, note) in [
        ("旧的已标记", true, false),
        ("旧的有备注", false, true),
        ("旧的普通", false, false),
    ] {
        t.observe(&topic(Platform::Weibo, 1, title, 1), old);
        if flag {
            t.toggle_flag(&key(title));
        }
        if note {
            t.set_note(&key(title), "跟进");
        }
    }
    t.observe(&topic(Platform::Weibo, 1, "旧的但刚看过", 1), old);
    let now = old + Duration::days(40);
    t.mark_seen(&key("旧的但刚看过"), now - Duration::days(1));
    t.observe(&topic(Platform::Weibo, 2, "新的", 1), now);
    // Off the lists for 10 days: kept if the user saw it (30 days), not if nobody did (3).
    let ten_days = now - Duration::days(10);
    t.observe(&topic(Platform::Weibo, 3, "十天前看过", 1), ten_days);
    t.mark_seen(&key("十天前看过"), ten_days);
    t.observe(&topic(Platform::Weibo, 4, "十天前没人看", 1), ten_days);
    t.observe(
        &topic(Platform::Weibo, 5, "两天前没人看", 1),
        now - Duration::days(2),
    );
    t.observe(
        &topic(Platform::Weibo, 6, "四天前没人看", 1),
        now - Duration::days(4),
    );

    assert_eq!(t.prune(now), 3);
    let mut left: Vec<&str> = t.topics.values().map(|e| e.title.as_str()).collect();
    left.sort_unstable();
    assert_eq!(
        left,
        [
            "两天前没人看",
            "十天前看过",
            "新的",
            "旧的但刚看过",
            "旧的已标记",
            "旧的有备注"
        ]
    );
}

#[test]
fn mute_by_topic_and_keyword() {
    let mut t = Triage::default();
    assert!(
        t.mute_keyword("  ＦＩＦＡ "),
        "blank trimmed, full width folded"
    );
    assert!(!t.mute_keyword("fifa"), "already muted");
    assert!(!t.mute_keyword("   "));
    assert!(t.is_muted(&key("FIFA世界杯预选赛")));
    assert!(t.is_muted(&TopicKey::new(Platform::Tieba, "看fifa直播")));
    assert!(!t.is_muted(&key("旺旺配料表")));
    assert!(t.is_muted_text("Fifa 官方"));

    assert!(t.mute_topic(&key("旺旺配料表")));
    assert!(t.is_muted(&key("#旺旺配料表#")));
    assert!(
        !t.is_muted(&TopicKey::new(Platform::Tieba, "旺旺配料表")),
        "a topic mute is per platform"
    );
    assert_eq!(t.muted_count(), 2);
    assert!(t.unmute(&key("旺旺配料表")));
    assert!(t.unmute_keyword("FIFA"));
    assert!(!t.is_muted(&key("FIFA世界杯预选赛")));
    assert_eq!(t.muted_count(), 0);
}

#[test]
fn notes_are_one_sanitised_line_of_at_most_200_chars() {
    let mut t = Triage::default();
    t.observe(&topic(Platform::Weibo, 1, "旺旺配料表", 1), at(0));
    let k = key("旺旺配料表");
    let stored = t.set_note(&k, "第一行\n第二行\u{1b}[31m红\u{7}");
    assert_eq!(stored.as_deref(), Some("第一行 第二行红"));
    let long = "长".repeat(500);
    let stored = t.set_note(&k, &long).unwrap_or_default();
    assert_eq!(stored.chars().count(), 200);
    assert_eq!(t.set_note(&k, "   "), None, "blank clears");
    assert_eq!(t.entry(&k).and_then(|e| e.note.clone()), None);
    assert_eq!(
        t.set_note(&key("没见过"), "x"),
        None,
        "unknown topics are not invented"
    );
}

#[test]
fn new_since_last_look() {
    let mut t = Triage::default();
    t.observe(&topic(Platform::Weibo, 1, "老话题", 1), at(0));
    t.observe(&topic(Platform::Weibo, 2, "新话题", 1), at(100));
    let unknown_first_seen = at(100);
    // No previous look: nothing is "new".
    assert!(!t.is_new(&key("新话题"), at(100)));
    t.set_last_look(at(50));
    assert!(!t.is_new(&key("老话题"), at(0)));
    assert!(t.is_new(&key("新话题"), at(100)));
    assert!(t.is_new(&key("不在文件里"), unknown_first_seen));
    assert!(!t.is_new(&key("不在文件里"), at(10)));
    t.mark_seen(&key("新话题"), at(110));
    assert!(!t.is_new(&key("新话题"), at(100)), "seen is no longer new");
}

#[test]
fn watchlists() {
    let mut t = Triage::default();
    assert!(t.watch_keyword("配料表"));
    assert!(!t.watch_keyword("配料表"));
    assert!(t.watch_kol("人民日报"));
    assert!(!t.watch_kol(" \u{7} "));
    assert!(t.unwatch_keyword("配料表"));
    assert!(t.unwatch_kol("人民日报"));
    assert!(t.watched_keywords.is_empty() && t.watched_kols.is_empty());
}
