//! Events (issue 18 points 5 and 8): one story's titles grouped across platforms and over
//! time, on the lists of 2025-10-15; pairwise precision and recall on the labelled sample of
//! that day (`tests/fixtures/events/README.md`), beside two baselines; `resou events`.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, FixedOffset};
use resou::analysis::events::{EventConfig, EventGrouper, EventId, PlatformSpan};
use resou::analysis::{AnalysisConfig, Analyzer, Tokenizer};
use resou::domain::normalize::normalize_text;
use resou::domain::snapshot_file::{SnapshotItem, SnapshotLine};
use resou::domain::{Platform, Snapshot, TopicKey};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(name)
}

fn tokenizer() -> &'static Tokenizer {
    static T: OnceLock<Tokenizer> = OnceLock::new();
    T.get_or_init(|| Tokenizer::new(&[], &[]))
}

/// The day's 506 lists, in time order.
fn day() -> &'static [SnapshotLine] {
    static D: OnceLock<Vec<SnapshotLine>> = OnceLock::new();
    D.get_or_init(|| {
        let mut lines = resou::import::read_jsonl(&fixture("2025-10-15.jsonl.gz")).expect("day");
        lines.sort_by_key(|l| l.captured_at);
        lines
    })
}

fn at(hhmm: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(&format!("2025-10-15T{hhmm}:00+08:00")).expect("time")
}

/// A grouper fed the day's lists up to `until` (inclusive).
fn grouper_until(cfg: EventConfig, until: DateTime<FixedOffset>) -> EventGrouper {
    let mut g = EventGrouper::new(cfg);
    for l in day().iter().take_while(|l| l.captured_at <= until) {
        g.observe(&l.to_snapshot(), tokenizer());
    }
    g
}

fn key(p: Platform, title: &str) -> TopicKey {
    TopicKey::new(p, title)
}

fn event_of(g: &EventGrouper, p: Platform, title: &str) -> EventId {
    g.event_of(&key(p, title))
        .unwrap_or_else(|| panic!("{p:?} {title}: in no event"))
}

/// A list of `titles` (rank = position) with optional heats.
fn list(p: Platform, when: DateTime<FixedOffset>, titles: &[(&str, Option<u64>)]) -> Snapshot {
    SnapshotLine {
        captured_at: when,
        platform: p,
        items: titles
            .iter()
            .enumerate()
            .map(|(i, (t, heat))| SnapshotItem {
                rank: Some(i as u32 + 1),
                title: t.to_string(),
                query: None,
                heat: *heat,
                label: None,
                url: None,
                pinned: false,
                id: None,
            })
            .collect(),
    }
    .to_snapshot()
}

#[test]
fn the_same_story_in_different_words_is_one_event() {
    let g = grouper_until(EventConfig::default(), at("09:33"));
    // The semi-final's result, told five ways on five lists, and Toutiao's 沉默一动不动.
    let result = event_of(&g, Platform::Toutiao, "国乒男团逆转胜日本");
    for (p, t) in [
        (Platform::Toutiao, "日本男团输国乒后集体沉默一动不动"),
        (Platform::Weibo, "国乒男团3比2逆转日本"),
        (Platform::Baidu, "让二追三！国乒男团3-2日本晋级决赛"),
        (Platform::Douyin, "国乒男团3:2战胜日本"),
        (Platform::Bilibili, "国乒男团绝地逆转日本队"),
    ] {
        assert_eq!(event_of(&g, p, t), result, "{p:?} {t}");
    }
    let frozen = event_of(&g, Platform::Baidu, "日本队被中国逆转后集体“凝固”");
    assert_eq!(event_of(&g, Platform::Weibo, "日本队集体凝固"), frozen);
    // Japan's other match that night is another story.
    let brazil = event_of(&g, Platform::Douyin, "日本队史首胜巴西");
    assert!(brazil != result && brazil != frozen);
}

/// The brief's example in full: Baidu's 凝固, Toutiao's 沉默一动不动 and Zhihu's question are
/// one match. Lexically they share little (集体, 日本, 逆转), and at 09:33 the grouper still
/// keeps three events of that match: the result, the "frozen" reaction, the rubbers.
#[test]
#[ignore = "known limitation: paraphrased reactions to one match stay in separate events"]
fn paraphrased_reactions_join_the_match() {
    let g = grouper_until(EventConfig::default(), at("09:33"));
    let frozen = event_of(&g, Platform::Baidu, "日本队被中国逆转后集体“凝固”");
    for (p, t) in [
        (Platform::Toutiao, "日本男团输国乒后集体沉默一动不动"),
        (
            Platform::Zhihu,
            "2025 年亚洲乒乓球团体锦标赛，中国让二追三，3-2 逆转日本，如何评价本场比赛？",
        ),
    ] {
        assert_eq!(event_of(&g, p, t), frozen, "{p:?} {t}");
    }
}

#[test]
fn the_same_theme_in_different_stories_stays_apart() {
    let g = grouper_until(EventConfig::default(), at("12:05"));
    let brazil = event_of(&g, Platform::Douyin, "日本队史首胜巴西");
    assert_eq!(
        event_of(&g, Platform::Bilibili, "日本队历史首胜巴西"),
        brazil
    );
    let hungary = event_of(&g, Platform::Douyin, "葡萄牙2:2匈牙利");
    assert_eq!(
        event_of(&g, Platform::Bilibili, "世预赛葡萄牙2-2匈牙利"),
        hungary
    );
    assert_ne!(brazil, hungary, "two football matches");
    // Two countries qualifying for the World Cup are two stories too.
    let cape_verde = event_of(&g, Platform::Bilibili, "世界杯新军佛得角是什么样的国家");
    assert_ne!(
        event_of(&g, Platform::Toutiao, "科特迪瓦晋级2026年世界杯决赛圈"),
        cape_verde
    );

    // Two typhoons: 风神 on Bilibili's 08:18 list; 卡努 (a real Bilibili title of 2023-07,
    // payloads/bilibili_app_search_trending_ranking_EXAMPLE…json) on its next list.
    let mut g = grouper_until(EventConfig::default(), at("08:18"));
    let fengshen = event_of(&g, Platform::Bilibili, "24号台风风神或将加剧降温");
    let mut next = day()
        .iter()
        .find(|l| l.captured_at == at("08:48") && l.platform == Platform::Bilibili)
        .expect("08:48 Bilibili list")
        .clone();
    next.items.push(SnapshotItem {
        rank: Some(next.items.len() as u32 + 1),
        title: "台风卡努路径趋向日本".into(),
        ..next.items[0].clone()
    });
    g.observe(&next.to_snapshot(), tokenizer());
    assert_ne!(
        event_of(&g, Platform::Bilibili, "台风卡努路径趋向日本"),
        fengshen
    );
}

#[test]
fn the_fireworks_story_spans_five_platforms_each_first_seen_at_its_first_list() {
    let until = at("21:13");
    let events = grouper_until(EventConfig::default(), until).events();
    let story = events
        .of(&key(Platform::Baidu, "蔡国强烟花秀事件通报：多人被免职"))
        .expect("the fireworks story");
    let platforms: Vec<Platform> = story.platforms.iter().map(|p| p.platform).collect();
    assert!(platforms.len() >= 5, "{platforms:?}");
    for p in [Platform::Weibo, Platform::Douyin, Platform::Zhihu] {
        assert!(platforms.contains(&p), "{p:?} missing: {platforms:?}");
    }
    // Each member's first sighting, read off the lists independently.
    let first_listed = |m: &resou::analysis::events::EventMember| {
        day()
            .iter()
            .filter(|l| l.platform == m.platform && l.captured_at <= until)
            .find(|l| l.items.iter().any(|i| key(l.platform, &i.title) == m.key))
            .map(|l| l.captured_at)
    };
    for m in &story.members {
        assert_eq!(Some(m.first_seen), first_listed(m), "{}", m.title);
    }
    for span in &story.platforms {
        let first = story
            .members
            .iter()
            .filter(|m| m.platform == span.platform)
            .map(|m| m.first_seen)
            .min();
        assert_eq!(Some(span.first_seen), first, "{:?}", span.platform);
    }
    assert!(story.platforms.is_sorted_by_key(|p| p.first_seen));
    assert_eq!(
        events.platform_count(&key(Platform::Weibo, "蔡国强烟花秀调查情况")),
        story.platforms.len()
    );
    // Ordered by platforms present: nothing before it spans fewer platforms.
    let pos = events.events.iter().position(|e| e.id == story.id).unwrap();
    assert!(
        events.events[..pos]
            .iter()
            .all(|e| e.platforms.len() >= story.platforms.len())
    );
}

#[test]
fn members_carry_ranks_heat_and_the_event_its_platform_order_and_score() {
    let t0 = at("10:00");
    let title = "官方通报蔡国强烟花秀调查情况";
    let other = "女子1千元找不到人为临终父亲理发";
    let mut g = EventGrouper::default();
    let tok = tokenizer();
    g.observe(
        &list(
            Platform::Weibo,
            t0,
            &[(other, Some(5_000_000)), (title, Some(1_000_000))],
        ),
        tok,
    );
    g.observe(
        &list(
            Platform::Douyin,
            t0 + Duration::minutes(2),
            &[
                ("日本队史首胜巴西", Some(1)),
                ("乒乓球亚锦赛决赛赛程", Some(2)),
                ("勇士118:111开拓者", Some(3)),
                ("白敬亭生日快乐", Some(4)),
                (title, Some(9_000_000)),
            ],
        ),
        tok,
    );
    g.observe(
        &list(
            Platform::Weibo,
            t0 + Duration::minutes(5),
            &[(title, Some(2_000_000))],
        ),
        tok,
    );
    let events = g.events();
    let e = events.of(&key(Platform::Douyin, title)).expect("event");
    let span = |platform, first_seen, best_rank, heat| PlatformSpan {
        platform,
        first_seen,
        best_rank,
        heat: Some(heat),
        on_list: true,
    };
    assert_eq!(
        e.platforms,
        [
            span(Platform::Weibo, t0, 1, 2_000_000),
            span(Platform::Douyin, t0 + Duration::minutes(2), 5, 9_000_000),
        ]
    );
    assert_eq!(e.heat, Some(11_000_000));
    assert!((e.score - (1.0 + 1.0 / 5f64.sqrt())).abs() < 1e-9);
    assert_eq!(e.listed_min, 5, "Weibo 10:00 → 10:05");
    let weibo = e
        .members
        .iter()
        .find(|m| m.platform == Platform::Weibo)
        .unwrap();
    assert_eq!((weibo.rank, weibo.best_rank), (Some(1), 1));
    assert_eq!(weibo.last_seen, t0 + Duration::minutes(5));
    // Off Weibo's current list: no current rank, still a member.
    let gone = events.of(&key(Platform::Weibo, other)).expect("other");
    assert_eq!((gone.members[0].rank, gone.on_lists), (None, false));
    assert_eq!(events.platform_count(&key(Platform::Weibo, title)), 2);
    assert_eq!(events.platform_count(&key(Platform::Weibo, "不在榜上")), 0);
    // Ordered by platforms present.
    assert_eq!(events.events[0].id, e.id);
}

#[test]
fn an_event_ends_after_a_long_absence_and_the_title_starts_a_new_one() {
    let cfg = EventConfig::default();
    let end = Duration::minutes(cfg.end_after_min as i64);
    let tok = tokenizer();
    let story = "缅北魏家案详情披露";
    let filler: Vec<(&str, Option<u64>)> =
        vec![("勇士118:111开拓者", None), ("白敬亭生日快乐", None)];
    let mut with_story = filler.clone();
    with_story.push((story, None));
    let t0 = at("00:05");
    let mut g = EventGrouper::new(cfg);
    g.observe(&list(Platform::Douyin, t0, &with_story), tok);
    let first = event_of(&g, Platform::Douyin, story);
    // Off the list for less than the limit, then back: the same event.
    g.observe(&list(Platform::Douyin, t0 + end / 2, &filler), tok);
    g.observe(&list(Platform::Douyin, t0 + end, &with_story), tok);
    assert_eq!(event_of(&g, Platform::Douyin, story), first);
    // Off for longer: the event ends, and the title starts a new one.
    let back = t0 + end + end + Duration::minutes(30);
    g.observe(&list(Platform::Douyin, t0 + end + end / 2, &filler), tok);
    g.observe(&list(Platform::Douyin, back, &filler), tok);
    assert_eq!(g.event_of(&key(Platform::Douyin, story)), None);
    g.observe(
        &list(Platform::Douyin, back + Duration::minutes(1), &with_story),
        tok,
    );
    let second = event_of(&g, Platform::Douyin, story);
    assert_ne!(second, first);
    let events = g.events();
    let e = events.of(&key(Platform::Douyin, story)).unwrap();
    assert_eq!(e.first_seen, back + Duration::minutes(1));
    assert!(events.events.iter().all(|e| e.id != first));
}

#[test]
fn the_analysis_updates_carry_the_events_when_asked() {
    let mut a = Analyzer::new(&AnalysisConfig::default());
    let t0 = at("12:00");
    let u = a.process(&list(
        Platform::Weibo,
        t0 - Duration::minutes(1),
        &[("金价", None)],
    ));
    assert!(u.events.events.is_empty(), "off unless asked for");
    a.set_events(true);
    let title = "官方通报蔡国强烟花秀调查情况";
    a.process(&list(
        Platform::Weibo,
        t0,
        &[(title, Some(10)), ("金价", None)],
    ));
    let u = a.process(&list(
        Platform::Douyin,
        t0 + Duration::minutes(1),
        &[(title, None)],
    ));
    assert_eq!(u.events.at, Some(t0 + Duration::minutes(1)));
    assert_eq!(u.events.platform_count(&key(Platform::Weibo, title)), 2);
    assert_eq!(u.events.platform_count(&key(Platform::Weibo, "金价")), 1);
}

#[test]
fn the_analysis_worker_sends_the_events() {
    use resou::analysis::{AnalysisEvent, spawn_worker};
    let (tx, rx) = spawn_worker(AnalysisConfig::default());
    let title = "官方通报蔡国强烟花秀调查情况";
    for (i, p) in [Platform::Weibo, Platform::Douyin].into_iter().enumerate() {
        let when = at("12:00") + Duration::minutes(i as i64);
        tx.send(list(p, when, &[(title, None)]).into())
            .expect("send");
    }
    let mut updates = Vec::new();
    while updates.len() < 2 {
        match rx.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(AnalysisEvent::Update(u)) => updates.push(u),
            Ok(_) => {}
            Err(e) => panic!("no update from the worker: {e}"),
        }
    }
    assert_eq!(
        updates[1]
            .events
            .platform_count(&key(Platform::Douyin, title)),
        2
    );
}

/// A restart: the stored polls the saved detector state already counted still go into the
/// events, so first-seen times survive (the seed's newest update carries them).
#[test]
fn a_restart_replays_stored_polls_into_the_events() {
    use resou::analysis::spawn_worker_seeded;
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = AnalysisConfig {
        state_path: Some(dir.path().join("detector.json")),
        ..AnalysisConfig::default()
    };
    let title = "官方通报蔡国强烟花秀调查情况";
    let polls = vec![
        list(Platform::Weibo, at("16:40"), &[(title, None)]),
        list(Platform::Douyin, at("16:41"), &[(title, None)]),
        list(Platform::Weibo, at("17:05"), &[("金价", None)]),
    ];
    // The running install counted all three polls, then stopped.
    let mut a = Analyzer::new(&cfg);
    for p in &polls {
        a.process(p);
    }
    a.detector()
        .save(dir.path().join("detector.json").as_path())
        .expect("save");
    let seed: resou::analysis::Seed = Box::new(move |sink| {
        let n = polls.len();
        for p in polls {
            sink(p);
        }
        Ok(n)
    });
    let (_tx, rx) = spawn_worker_seeded(cfg, Some(seed));
    let u = loop {
        match rx.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(resou::analysis::AnalysisEvent::Update(u)) => break u,
            Ok(_) => {}
            Err(e) => panic!("no update from the worker: {e}"),
        }
    };
    assert!(u.seeded);
    let e = u
        .events
        .of(&key(Platform::Douyin, title))
        .expect("the Douyin title of a counted poll");
    let firsts: Vec<(Platform, DateTime<FixedOffset>)> = e
        .platforms
        .iter()
        .map(|p| (p.platform, p.first_seen))
        .collect();
    assert_eq!(
        firsts,
        [
            (Platform::Weibo, at("16:40")),
            (Platform::Douyin, at("16:41"))
        ]
    );
}

#[test]
fn the_grouping_is_deterministic() {
    let a = grouper_until(EventConfig::default(), at("12:05")).events();
    let b = grouper_until(EventConfig::default(), at("12:05")).events();
    assert!(a.events.len() > 100);
    assert_eq!(a, b);
}

// --- The labelled sample: pairwise precision and recall ---

struct Labelled {
    at: DateTime<FixedOffset>,
    half: String,
    key: TopicKey,
    title: String,
    story: String,
}

fn labelled() -> Vec<Labelled> {
    let text = std::fs::read_to_string(fixture("labelled.jsonl")).expect("labelled.jsonl");
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            let s = |k: &str| v[k].as_str().expect(k).to_string();
            let p = Platform::parse(&s("platform")).expect("platform");
            Labelled {
                at: DateTime::parse_from_rfc3339(&s("at")).expect("at"),
                half: s("half"),
                key: key(p, &s("title")),
                title: s("title"),
                story: s("story"),
            }
        })
        .collect()
}

/// A half's distinct (platform, title) rows, each at its first snapshot in the half.
fn half<'a>(rows: &'a [Labelled], name: &str) -> Vec<&'a Labelled> {
    let mut seen = BTreeSet::new();
    rows.iter()
        .filter(|r| r.half == name && seen.insert(r.key.clone()))
        .collect()
}

/// Each labelled row's event at its snapshot, the day replayed up to there.
fn predictions(
    rows: &[Labelled],
    cfg: &EventConfig,
) -> HashMap<(DateTime<FixedOffset>, TopicKey), EventId> {
    let times: BTreeSet<DateTime<FixedOffset>> = rows.iter().map(|r| r.at).collect();
    let mut g = EventGrouper::new(cfg.clone());
    let mut out = HashMap::new();
    let lines = day();
    for (i, l) in lines.iter().enumerate() {
        g.observe(&l.to_snapshot(), tokenizer());
        let last_of_poll = lines
            .get(i + 1)
            .is_none_or(|n| n.captured_at > l.captured_at);
        if last_of_poll && times.contains(&l.captured_at) {
            for r in rows.iter().filter(|r| r.at == l.captured_at) {
                let id = g.event_of(&r.key).unwrap_or_else(|| panic!("{}", r.title));
                out.insert((r.at, r.key.clone()), id);
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, Default)]
struct Pairs {
    tp: u32,
    fp: u32,
    fn_: u32,
}

impl Pairs {
    fn precision(&self) -> f64 {
        f64::from(self.tp) / f64::from((self.tp + self.fp).max(1))
    }
    fn recall(&self) -> f64 {
        f64::from(self.tp) / f64::from((self.tp + self.fn_).max(1))
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// Pairwise counts over `rows`: gold = same story, predicted = `same(i, j)`.
fn pairs(rows: &[&Labelled], same: impl Fn(usize, usize) -> bool) -> Pairs {
    let mut c = Pairs::default();
    for i in 0..rows.len() {
        for j in i + 1..rows.len() {
            match (rows[i].story == rows[j].story, same(i, j)) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                (true, false) => c.fn_ += 1,
                (false, false) => {}
            }
        }
    }
    c
}

fn grouper_pairs(
    rows: &[&Labelled],
    pred: &HashMap<(DateTime<FixedOffset>, TopicKey), EventId>,
) -> Pairs {
    let ids: Vec<EventId> = rows.iter().map(|r| pred[&(r.at, r.key.clone())]).collect();
    pairs(rows, |i, j| ids[i] == ids[j])
}

/// Letters and digits of the matching form (no punctuation or spaces).
fn content(title: &str) -> Vec<char> {
    normalize_text(title)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn exact_pairs(rows: &[&Labelled]) -> Pairs {
    let forms: Vec<Vec<char>> = rows.iter().map(|r| content(&r.title)).collect();
    pairs(rows, |i, j| forms[i] == forms[j])
}

fn bigram_pairs(rows: &[&Labelled], threshold: f64) -> Pairs {
    let sets: Vec<BTreeSet<(char, char)>> = rows
        .iter()
        .map(|r| content(&r.title).windows(2).map(|w| (w[0], w[1])).collect())
        .collect();
    pairs(rows, |i, j| {
        let inter = sets[i].intersection(&sets[j]).count();
        let union = sets[i].len() + sets[j].len() - inter;
        union > 0 && inter as f64 / union as f64 >= threshold
    })
}

fn line(name: &str, tune: Pairs, test: Pairs) -> String {
    format!(
        "{name:<34} {:>5.2} {:>5.2} {:>5.2}   {:>5.2} {:>5.2} {:>5.2}",
        tune.precision(),
        tune.recall(),
        tune.f1(),
        test.precision(),
        test.recall(),
        test.f1()
    )
}

#[test]
fn labelled_sample_pairwise_precision_and_recall() {
    let rows = labelled();
    let (tune, test) = (half(&rows, "tune"), half(&rows, "test"));
    assert_eq!((tune.len(), test.len()), (407, 405));
    let pred = predictions(&rows, &EventConfig::default());
    let ours = (grouper_pairs(&tune, &pred), grouper_pairs(&test, &pred));
    let exact = (exact_pairs(&tune), exact_pairs(&test));
    let bigram = (bigram_pairs(&tune, 0.5), bigram_pairs(&test, 0.5));
    println!(
        "event grouping, pairwise        tune: P     R    F1   test: P     R    F1\n{}\n{}\n{}",
        line("exact normalised title", exact.0, exact.1),
        line("character-bigram Jaccard >= 0.5", bigram.0, bigram.1),
        line("EventGrouper (defaults)", ours.0, ours.1),
    );
    println!("EventGrouper pairs: tune {:?}, test {:?}", ours.0, ours.1);
    // Floors a little under the recorded figures (README "Event grouping"): a change that
    // loses them fails here. The defaults were chosen on the tune half (best recall at
    // precision >= 0.8); the test half is held out.
    let (tune, test) = ours;
    assert!(tune.precision() >= 0.78, "{:.3}", tune.precision());
    assert!(tune.recall() >= 0.39, "{:.3}", tune.recall());
    assert!(test.precision() >= 0.57, "{:.3}", test.precision());
    assert!(test.recall() >= 0.37, "{:.3}", test.recall());
    for (half, ours, base) in [("tune", tune, exact.0), ("test", test, exact.1)] {
        assert!(ours.f1() > base.f1(), "{half}: exact-title baseline");
    }
    for (half, ours, base) in [("tune", tune, bigram.0), ("test", test, bigram.1)] {
        assert!(ours.f1() > base.f1(), "{half}: bigram baseline");
    }
}

/// The tuning grid, on the `tune` half only: `cargo test --test analysis tune_event_grouping
/// -- --ignored --nocapture`. The rule, fixed before the run: the best recall at a pairwise
/// precision of at least 0.8 (a wrong join misleads more than a split story), then the best
/// F1. `EventConfig::default()` is its choice.
#[test]
#[ignore = "tuning run (about two minutes), prints the grid"]
fn tune_event_grouping() {
    let rows = labelled();
    let tune = half(&rows, "tune");
    let mut results = Vec::new();
    for bigram_weight in [0.25, 0.5, 0.75, 1.0] {
        for name_weight in [0.75, 1.0, 1.25, 1.5] {
            for join_centroid in [0.2, 0.25, 0.3] {
                for join_member in [0.3, 0.35, 0.4] {
                    let cfg = EventConfig {
                        join_centroid,
                        join_member,
                        bigram_weight,
                        name_weight,
                        ..EventConfig::default()
                    };
                    let p = grouper_pairs(&tune, &predictions(&rows, &cfg));
                    results.push((p, cfg));
                }
            }
        }
    }
    let key = |p: &Pairs| (p.precision() >= 0.8, p.recall(), p.f1());
    results.sort_by(|(a, _), (b, _)| key(b).partial_cmp(&key(a)).unwrap());
    for (p, c) in &results {
        println!(
            "P {:.3} R {:.3} F1 {:.3}  join_centroid {} join_member {} bigram {} name {}",
            p.precision(),
            p.recall(),
            p.f1(),
            c.join_centroid,
            c.join_member,
            c.bigram_weight,
            c.name_weight
        );
    }
}

// --- resou events ---

fn events_cli(args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_resou"));
    cmd.arg("events").args(args);
    for var in [
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
        "XDG_DATA_HOME",
        "XDG_CACHE_HOME",
    ] {
        cmd.env(var, home.path());
    }
    cmd.output().expect("run resou events")
}

#[test]
fn resou_events_prints_the_events_of_one_poll_as_json() {
    let file = fixture("small.jsonl");
    let file = file.to_str().unwrap();
    let out = events_cli(&["--snapshots", file, "--at", "08:48", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(v["at"], "2025-10-15T08:48:00+08:00");
    let events = v["events"].as_array().expect("events");
    // The lottery story is on Baidu (08:18) and Toutiao (08:48), in the same words.
    let lottery = events
        .iter()
        .find(|e| {
            e["members"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["title"] == "两地出1000万大奖 中奖者为同一人")
        })
        .expect("the lottery event");
    let members: Vec<(String, u64, String)> = lottery["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["platform"].as_str().unwrap().to_string(),
                m["rank"].as_u64().expect("on a list at 08:48"),
                m["title"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let title = "两地出1000万大奖 中奖者为同一人".to_string();
    assert_eq!(
        members,
        [
            ("baidu".to_string(), 12, title.clone()),
            ("toutiao".to_string(), 5, title)
        ]
    );
    let firsts: Vec<(&str, &str)> = lottery["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["platform"].as_str().unwrap(),
                p["first_seen"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        firsts,
        [
            ("baidu", "2025-10-15T08:18:00+08:00"),
            ("toutiao", "2025-10-15T08:48:00+08:00")
        ]
    );
    // Nothing after --at: the 09:33 lists are not replayed.
    for e in events {
        for m in e["members"].as_array().unwrap() {
            assert!(m["first_seen"].as_str().unwrap() <= "2025-10-15T08:48:00+08:00");
        }
    }
    // Ordered by platforms present.
    let counts: Vec<usize> = events
        .iter()
        .map(|e| e["platforms"].as_array().unwrap().len())
        .collect();
    assert!(counts.is_sorted_by(|a, b| a >= b), "{counts:?}");

    // Without --at: the last poll; the table stays within 80 columns.
    let out = events_cli(&["--snapshots", file, "--format", "table"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(table.starts_with("2025-10-15 09:33"), "{table}");
    for l in table.lines() {
        assert!(
            resou::ui::text::display_width(l) <= 80,
            "wider than 80 columns: {l}"
        );
    }
    assert!(table.contains("百度 08:18 → 头条 08:48"), "{table}");

    let out = events_cli(&["--snapshots", file, "--at", "soon"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--at"));
}
