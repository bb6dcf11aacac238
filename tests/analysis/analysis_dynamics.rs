//! List dynamics: withdrawal, anchored and label-step candidates on hand-built poll sequences
//! (titles from the 2026-08-15 Weibo lists; ranks, heats and times made up to show one
//! behaviour each), the `H` pane's per-topic reading, the worker's hook, and `resou dynamics`
//! on real lists.

use std::collections::HashMap;
use std::io::BufReader;

use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use resou::analysis::dynamics::{
    Candidate, DynamicsConfig, Kind, PlatformDynamics, Point, PollDynamics, run_lines,
    topic_candidates,
};
use resou::analysis::{AnalysisConfig, Analyzer};
use resou::domain::snapshot_file::{SnapshotLine, read_lines};
use resou::domain::{Label, Platform, Snapshot, Topic, TopicKey, cst};

/// Real titles of the day, for the background rows.
const TITLES: [&str; 34] = [
    "台风白海豚",
    "旺旺都不好卖了",
    "前7月我国邮政寄递量超1200亿件",
    "王传君体脂率25.5%",
    "EWC 食物中毒",
    "曾辉扛住了内娱镜头",
    "胖东来房东逻辑",
    "湖州暴雨",
    "林诗栋2比3A勒布伦",
    "皇阿玛披哥送考五阿哥",
    "全民进入纯过日子时代",
    "文黛黛假死",
    "迪丽热巴又心软撤诉了",
    "曹骏好瘦",
    "公司该缴的社保 个人承担",
    "刘昊然为王传君拼了",
    "披哥最累的是沈梦辰",
    "恋与深空 敷衍",
    "中央汇金证金公司集体清仓贵州茅台",
    "朋友圈永远不会有二次编辑功能",
    "曝王嘉尔宋雨琦恋情",
    "张雅琪 湖南卫视下场",
    "日本投降81周年",
    "王橹杰陈思罕合唱黑苹果",
    "魏子宸妆造",
    "税务部门回应社保实缴问题",
    "日本暴雨中国游客无奈地铁站过夜",
    "英伟达CPO交换机全面量产",
    "宋雨琦纹身",
    "一起告慰抗战先烈",
    "天魔 黑苹果",
    "女子称自己月经持续来了8年",
    "关晓彤彩排也戴着负重手环",
    "张雅琪发12宫格",
];

/// The row whose fate each test follows.
const T: &str = "旺旺集团面临重大经营危机";

fn at(min: i64) -> DateTime<FixedOffset> {
    cst().with_ymd_and_hms(2026, 8, 15, 8, 0, 0).unwrap() + Duration::minutes(min)
}

/// A Weibo list at minute `min`, `titles` in rank order, heat falling with the rank like the
/// real list's (2.4 M at #1, ×0.9 a place: the median of 30 rows is about a quarter of #2's).
fn list(min: i64, titles: &[&str]) -> Snapshot {
    let rows: Vec<(&str, u64)> = titles
        .iter()
        .enumerate()
        .map(|(i, t)| (*t, (2_400_000.0 * 0.9f64.powi(i as i32)) as u64))
        .collect();
    list_with_heat(min, &rows)
}

fn list_with_heat(min: i64, rows: &[(&str, u64)]) -> Snapshot {
    let mut s = Snapshot::new(Platform::Weibo, at(min));
    for (i, (title, heat)) in rows.iter().enumerate() {
        let mut t = Topic::new(Platform::Weibo, Some(i as u32 + 1), title);
        t.heat = Some(*heat);
        s.ranked.push(t);
    }
    s.finish()
}

/// 30 background rows with `T` inserted at `rank` (1-based); `None`: `T` absent, and the
/// list keeps its length with the next title.
fn with_t_at(rank: Option<usize>) -> Vec<&'static str> {
    let mut v: Vec<&str> = TITLES[..30].to_vec();
    match rank {
        Some(r) => v.insert(r - 1, T),
        None => v.push(TITLES[30]),
    }
    v
}

fn tracker() -> PlatformDynamics {
    PlatformDynamics::new(Platform::Weibo, DynamicsConfig::default())
}

/// Feed `polls` in order; every candidate, and the last poll's output.
fn run(d: &mut PlatformDynamics, polls: &[Snapshot]) -> (Vec<Candidate>, PollDynamics) {
    let mut all = Vec::new();
    let mut last = PollDynamics::default();
    for p in polls {
        last = d.observe(p);
        all.extend(last.candidates.iter().cloned());
    }
    (all, last)
}

fn key() -> TopicKey {
    TopicKey::new(Platform::Weibo, T)
}

#[test]
fn a_hot_row_leaving_from_2_is_a_withdrawal_candidate_until_it_returns() {
    let mut d = tracker();
    let mut polls: Vec<Snapshot> = (0..4).map(|i| list(30 * i, &with_t_at(Some(2)))).collect();
    polls.push(list(120, &with_t_at(None)));
    let (cands, last) = run(&mut d, &polls);
    assert_eq!(cands.len(), 1, "{cands:#?}");
    let c = &cands[0];
    assert_eq!((c.kind, &c.key, c.rank), (Kind::Withdrawn, &key(), Some(2)));
    assert_eq!((c.since, c.at), (at(90), at(120)));
    assert_eq!(c.heat, Some(2_160_000));
    assert!(
        c.evidence.starts_with("left from #2 at 216万 heat") && c.evidence.contains("4 polls"),
        "{}",
        c.evidence
    );
    assert_eq!(last.marked, vec![c.clone()], "marked while it stays gone");

    // Back at the next poll: reported once as returned, and no longer marked.
    let back = d.observe(&list(150, &with_t_at(Some(3))));
    assert_eq!(back.returned.len(), 1);
    assert_eq!(back.returned[0].returned, Some(at(150)));
    assert!(back.marks_of(&key()).is_empty());
    // Leaving again: a row that left and came back rotates; it is not withdrawn twice.
    let again = d.observe(&list(180, &with_t_at(None)));
    assert!(again.candidates.is_empty(), "{:#?}", again.candidates);
    assert_eq!(d.stats().rotating, 1);
}

#[test]
fn a_gradual_decline_is_no_withdrawal() {
    // Down the ranks: #2, #4, #7, then gone from #7 (5 places below its best).
    let mut d = tracker();
    let polls = [
        list(0, &with_t_at(Some(2))),
        list(30, &with_t_at(Some(4))),
        list(60, &with_t_at(Some(7))),
        list(90, &with_t_at(None)),
    ];
    let (cands, _) = run(&mut d, &polls);
    assert!(cands.is_empty(), "{cands:#?}");
    assert_eq!((d.stats().left_top, d.stats().declining), (1, 1));

    // Heat fading at the same place: 2.0 M, 1.6 M, 1.2 M (< 70 % of the peak), then gone.
    let mut d = tracker();
    let rows = |min: i64, heat: Option<u64>| {
        let mut v: Vec<(&str, u64)> = TITLES[..30]
            .iter()
            .enumerate()
            .map(|(i, t)| (*t, (2_400_000.0 * 0.9f64.powi(i as i32)) as u64))
            .collect();
        match heat {
            Some(h) => v.insert(2, (T, h)),
            None => v.push((TITLES[30], 100_000)),
        }
        list_with_heat(min, &v)
    };
    let polls = [
        rows(0, Some(2_000_000)),
        rows(30, Some(1_600_000)),
        rows(60, Some(1_200_000)),
        rows(90, None),
    ];
    let (cands, _) = run(&mut d, &polls);
    assert!(cands.is_empty(), "{cands:#?}");
    assert_eq!(d.stats().declining, 1);

    // Out of the list from below the top 10 (#25) is not watched at all.
    let mut d = tracker();
    let polls = [
        list(0, &with_t_at(Some(12))),
        list(30, &with_t_at(Some(25))),
        list(60, &with_t_at(None)),
    ];
    assert!(run(&mut d, &polls).0.is_empty());
    assert_eq!(d.stats().left_top, 0);
}

#[test]
fn a_missed_poll_or_a_truncated_list_is_no_disappearance() {
    // Polls every 30 min; the 10:00 poll failed, the next list (10:30) lacks the row.
    let mut d = tracker();
    let mut polls: Vec<Snapshot> = (0..4).map(|i| list(30 * i, &with_t_at(Some(2)))).collect();
    polls.push(list(150, &with_t_at(None)));
    polls.push(list(180, &with_t_at(None)));
    let (cands, _) = run(&mut d, &polls);
    assert!(cands.is_empty(), "{cands:#?}");
    assert_eq!((d.stats().gaps, d.stats().compared), (1, 4));

    // A poll that came back with the top 10 only (another endpoint, a cut-off body).
    let mut d = tracker();
    let mut polls: Vec<Snapshot> = (0..4).map(|i| list(30 * i, &with_t_at(Some(2)))).collect();
    polls.push(list(120, &TITLES[..10]));
    let (cands, _) = run(&mut d, &polls);
    assert!(cands.is_empty(), "{cands:#?}");
    assert_eq!(d.stats().short_lists, 1);
}

#[test]
fn a_reshuffle_is_discounted() {
    let before = with_t_at(Some(2));
    let drop = |gone: &[&str]| {
        let mut v: Vec<&str> = before
            .iter()
            .copied()
            .filter(|t| !gone.contains(t))
            .collect();
        v.extend(&TITLES[30..30 + gone.len()]);
        v
    };
    // `T` and three more of the top 10 at once: 4 of 10 ≥ 30 %.
    let mut d = tracker();
    let polls = [
        list(0, &before),
        list(30, &before),
        list(60, &drop(&[T, before[4], before[6], before[8]])),
    ];
    assert!(run(&mut d, &polls).0.is_empty());
    assert_eq!((d.stats().reshuffles, d.stats().in_reshuffle), (1, 4));

    // Two of ten is no reshuffle: both are candidates.
    let mut d = tracker();
    let polls = [
        list(0, &before),
        list(30, &before),
        list(60, &drop(&[T, before[4]])),
    ];
    let (cands, _) = run(&mut d, &polls);
    let ranks: Vec<Option<u32>> = cands.iter().map(|c| c.rank).collect();
    assert_eq!(ranks, [Some(2), Some(5)], "{cands:#?}");
}

/// Top 10 with `T` at `rank` and the other nine rotated by `shift` places (rows 11–30 stay).
fn rotated(rank: usize, shift: usize) -> Vec<&'static str> {
    let mut top: Vec<&str> = TITLES[..9].to_vec();
    top.rotate_left(shift % 9);
    top.insert(rank - 1, T);
    top.extend(&TITLES[9..29]);
    top
}

#[test]
fn a_row_held_in_place_while_the_rows_around_it_move_is_anchored() {
    let mut d = tracker();
    let polls: Vec<Snapshot> = (0..6)
        .map(|i| list(30 * i, &rotated(3, i as usize)))
        .collect();
    let (cands, last) = run(&mut d, &polls);
    assert_eq!(cands.len(), 1, "{cands:#?}");
    let c = &cands[0];
    assert_eq!((c.kind, &c.key, c.rank), (Kind::Anchored, &key(), Some(3)));
    // The 4th poll, 90 minutes after the first: both thresholds met there.
    assert_eq!((c.since, c.at), (at(0), at(90)));
    assert!(
        c.evidence.contains("100% of the other top-10 rows moved"),
        "{}",
        c.evidence
    );
    let mark = last.marks_of(&key());
    assert_eq!(mark.len(), 1);
    assert!(
        mark[0].evidence.starts_with("held #3 for 6 polls"),
        "{}",
        mark[0].evidence
    );

    // Live polling: a poll a minute, the rows around it moving one place every 10 minutes
    // (most one-minute steps see no change). Movement is measured 20 minutes apart, so the
    // same hold is anchored after an hour, as with half-hourly lists.
    let mut d = tracker();
    let polls: Vec<Snapshot> = (0..=70)
        .map(|i| list(i, &rotated(3, i as usize / 10)))
        .collect();
    let (cands, _) = run(&mut d, &polls);
    let found: Vec<(Kind, Option<u32>, DateTime<FixedOffset>)> =
        cands.iter().map(|c| (c.kind, c.rank, c.at)).collect();
    assert_eq!(found, [(Kind::Anchored, Some(3), at(60))], "{cands:#?}");
}

#[test]
fn holding_a_place_is_not_anchored_when_nothing_moves_or_the_place_changes() {
    // Nobody moves: a quiet list, not an anchor.
    let mut d = tracker();
    let polls: Vec<Snapshot> = (0..6).map(|i| list(30 * i, &rotated(3, 0))).collect();
    assert!(run(&mut d, &polls).0.is_empty());
    // Everything moves, `T` too (#3, #4, #3, …).
    let mut d = tracker();
    let polls: Vec<Snapshot> = (0..6)
        .map(|i| list(30 * i, &rotated(3 + i as usize % 2, i as usize)))
        .collect();
    assert!(run(&mut d, &polls).0.is_empty());
    // Six one-minute polls: many polls, too short a time.
    let mut d = tracker();
    let polls: Vec<Snapshot> = (0..6).map(|i| list(i, &rotated(3, i as usize))).collect();
    assert!(run(&mut d, &polls).0.is_empty());
}

#[test]
fn label_steps_new_hot_explosive_with_their_times() {
    let labelled = |min: i64, label: Label| {
        let mut s = list(min, &with_t_at(Some(5)));
        s.ranked[4].label = label;
        s
    };
    let polls = [
        labelled(0, Label::New),
        labelled(30, Label::New),
        labelled(60, Label::Hot),
        // A list without labels in between (the half-hourly archive has none).
        labelled(90, Label::None),
        labelled(120, Label::Explosive),
        // Down again, then back up to a level already shown: no step.
        labelled(150, Label::New),
        labelled(180, Label::Explosive),
        labelled(210, Label::Commercial),
    ];
    let mut d = tracker();
    let (cands, _) = run(&mut d, &polls);
    let steps: Vec<(Label, Label, DateTime<FixedOffset>, DateTime<FixedOffset>)> = cands
        .iter()
        .filter_map(|c| c.step.map(|s| (s.from, s.to, c.since, c.at)))
        .collect();
    assert_eq!(
        steps,
        [
            (Label::New, Label::Hot, at(0), at(60)),
            (Label::Hot, Label::Explosive, at(60), at(120)),
        ]
    );
    assert!(cands.iter().all(|c| c.kind == Kind::LabelStep));
    assert!(
        cands[1].evidence.starts_with("热→爆 at #5"),
        "{}",
        cands[1].evidence
    );
}

#[test]
fn a_topics_stored_history_gives_the_h_pane_its_candidates() {
    let point = |min: i64, rank: u32| Point {
        at: at(min),
        rank: Some(rank),
        heat: Some(1_500_000),
    };
    let polls: Vec<DateTime<FixedOffset>> = (0..=7).map(|i| at(30 * i)).collect();
    // Listed at #2 for 4 polls, absent at 10:00, 10:30, back at 11:00, then at 11:30.
    let points = [
        point(0, 2),
        point(30, 2),
        point(60, 2),
        point(90, 2),
        point(180, 6),
        point(210, 9),
    ];
    let cands = topic_candidates(&key(), T, &points, &polls, &DynamicsConfig::default());
    let kinds: Vec<(Kind, DateTime<FixedOffset>)> = cands.iter().map(|c| (c.kind, c.at)).collect();
    assert_eq!(
        kinds,
        [(Kind::Anchored, at(90)), (Kind::Withdrawn, at(120))]
    );
    assert!(cands[0].evidence.contains("not in one topic's history"));
    assert_eq!((cands[1].rank, cands[1].returned), (Some(2), Some(at(180))));

    // The same points when the 10:00 and 10:30 polls failed: no absence was seen.
    let sparse: Vec<DateTime<FixedOffset>> = polls
        .iter()
        .copied()
        .filter(|t| *t != at(120) && *t != at(150))
        .collect();
    let cands = topic_candidates(&key(), T, &points, &sparse, &DynamicsConfig::default());
    assert!(
        cands.iter().all(|c| c.kind != Kind::Withdrawn),
        "{cands:#?}"
    );
}

const REAL: &str = "weibo_nateafish_2026-08-15_15-19h.jsonl";

fn real_path() -> String {
    format!(
        "{}/tests/fixtures/dynamics/{REAL}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn real_lines() -> Vec<SnapshotLine> {
    let path = real_path();
    let f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    read_lines(BufReader::new(f), &path).unwrap()
}

#[test]
fn the_worker_update_carries_the_same_candidates_as_the_headless_run() {
    let lines = real_lines();
    let mut a = Analyzer::new(&AnalysisConfig::default());
    let from_worker: Vec<Candidate> = lines
        .iter()
        .flat_map(|l| a.process(&l.to_snapshot()).dynamics.candidates)
        .collect();
    let mut headless = run_lines(&lines, &DynamicsConfig::default()).candidates;
    // (Only the headless run knows, after the fact, when a withdrawn row came back.)
    headless.iter_mut().for_each(|c| c.returned = None);
    let mut from_worker = from_worker;
    from_worker.sort_by_key(|c| (c.at, c.kind, c.rank));
    assert!(!headless.is_empty());
    assert_eq!(from_worker, headless);
    // The same list again (a restart showing a stored poll) brings marks, no candidates.
    let again = a.present(&lines[lines.len() - 1].to_snapshot());
    assert!(again.dynamics.candidates.is_empty());
    assert!(!again.dynamics.marked.is_empty());
}

#[test]
fn the_cli_prints_every_candidate_of_real_lists_with_the_counts() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_resou"))
        .args(["dynamics", "--format", "json", "--snapshots", &real_path()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cands = v["candidates"].as_array().unwrap();

    // Check every candidate against the lists themselves.
    let lists: HashMap<String, Snapshot> = real_lines()
        .iter()
        .map(|l| (l.captured_at.to_rfc3339(), l.to_snapshot()))
        .collect();
    let row = |time: &serde_json::Value, key: &str| -> Option<Topic> {
        let s = &lists[time.as_str().unwrap()];
        s.ranked.iter().find(|t| t.key().norm == key).cloned()
    };
    let mut times: Vec<&str> = Vec::new();
    for c in cands {
        let key = c["key"].as_str().unwrap();
        let rank = c["rank"].as_u64().map(|r| r as u32);
        times.push(c["at"].as_str().unwrap());
        match c["kind"].as_str().unwrap() {
            "withdrawn" => {
                assert_eq!(row(&c["since"], key).and_then(|t| t.rank), rank, "{c}");
                assert!(row(&c["at"], key).is_none(), "gone at `at`: {c}");
            }
            "label_step" => {
                let label = |t: &serde_json::Value| row(t, key).map(|t| t.label.as_str());
                assert_eq!(label(&c["since"]), c["step"]["from"].as_str(), "{c}");
                assert_eq!(label(&c["at"]), c["step"]["to"].as_str(), "{c}");
                assert_eq!(row(&c["at"], key).and_then(|t| t.rank), rank, "{c}");
            }
            "anchored" => {
                assert_eq!(row(&c["since"], key).and_then(|t| t.rank), rank, "{c}");
                assert_eq!(row(&c["at"], key).and_then(|t| t.rank), rank, "{c}");
            }
            k => panic!("unknown kind {k}"),
        }
    }
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "time order");
    // What the lists show at a glance: the director's relatives' statement left from #5
    // between 17:00 and 18:00; #3 held the government's anniversary topic from 16:00.
    let find = |kind: &str, key: &str| {
        cands
            .iter()
            .find(|c| c["kind"] == kind && c["key"] == key)
            .unwrap_or_else(|| panic!("no {kind} for {key}"))
    };
    let w = find("withdrawn", "牛来导演亲友发声");
    assert_eq!(
        (w["rank"].as_u64(), w["at"].as_str()),
        (Some(5), Some("2026-08-15T18:00:00+08:00"))
    );
    assert_eq!(find("anchored", "这一天值得每一名中国人铭记")["rank"], 3);

    let counts = &v["counts"][0];
    assert_eq!(counts["platform"], "weibo");
    for kind in Kind::ALL {
        let n = cands.iter().filter(|c| c["kind"] == kind.id()).count() as u64;
        assert_eq!(counts[kind.id()].as_u64(), Some(n), "{kind:?}");
    }
    assert_eq!(counts["stats"]["polls"], 5);

    let table = std::process::Command::new(env!("CARGO_BIN_EXE_resou"))
        .args(["dynamics", "--snapshots", &real_path()])
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert_eq!(
        text.lines().filter(|l| l.starts_with("2026-08-15")).count(),
        cands.len()
    );
    assert!(text.contains("牛来导演亲友发声 — left from #5"), "{text}");
}
