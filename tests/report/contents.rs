//! A report over real lists: each section checked against what the fixture files say,
//! computed here independently of the store's queries.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use resou::analysis::dynamics::{DynamicsConfig, Kind, run_lines};
use resou::domain::normalize::normalize_text;
use resou::domain::snapshot_file::SnapshotLine;
use resou::domain::{Platform, Tier, normalize_title};
use resou::report::{
    self, Options, PeriodSpec, Report, SECTIONS, Schedule, WatchKind, render_html, render_markdown,
    summary,
};
use resou::store::HistoryStore;

use crate::support::{self, FLAGGED, NOTE_LI, NOTE_WANG, time};

type At = DateTime<FixedOffset>;

/// 12:00–23:00 of the Weibo day: the flagged topic reached rank 1 at 20:00
/// (trend-detection.md §7).
fn evening() -> (Report, At, At) {
    let store = support::open_store();
    let period = PeriodSpec::parse("11h")
        .unwrap()
        .ending_at(time("2026-08-15T23:00:00+08:00"), &Schedule::default());
    let r = report::build(&store, &period, &Options::default()).unwrap();
    (r, period.from, period.to)
}

/// Per title (normalised) of one platform: (best rank, polls, best heat, first, last) over
/// the lines in `from..=to`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Seen {
    rank: Option<u32>,
    polls: u32,
    heat: Option<u64>,
    first: At,
    last: At,
}

fn seen(lines: &[SnapshotLine], p: Platform, from: At, to: At) -> BTreeMap<String, Seen> {
    let mut out: BTreeMap<String, Seen> = BTreeMap::new();
    for l in lines
        .iter()
        .filter(|l| l.platform == p && l.captured_at >= from && l.captured_at <= to)
    {
        let s = l.to_snapshot();
        for t in s.pinned.iter().chain(&s.ranked) {
            let e = out.entry(t.key().norm).or_insert(Seen {
                rank: None,
                polls: 0,
                heat: None,
                first: s.captured_at,
                last: s.captured_at,
            });
            e.rank = match (e.rank, t.rank.filter(|_| !t.pinned)) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            e.polls += 1;
            e.heat = e.heat.max(t.heat);
            e.last = s.captured_at;
        }
    }
    out
}

#[test]
fn overview_top_topics_and_time_on_list_match_the_lists() {
    let (r, from, to) = evening();
    let lines = support::lines(support::WEIBO_DAY);
    let inside: Vec<&SnapshotLine> = lines
        .iter()
        .filter(|l| l.captured_at >= from && l.captured_at <= to)
        .collect();
    assert_eq!(r.overview.len(), 1, "only Weibo polled that day");
    let o = &r.overview[0];
    assert_eq!(o.platform, Platform::Weibo);
    assert_eq!(o.polls as usize, inside.len());
    assert_eq!((o.first_poll, o.last_poll), (from, to));
    assert_eq!(o.spacing_min, Some(60), "hourly lists");
    let want = seen(&lines, Platform::Weibo, from, to);
    assert_eq!(o.topics as usize, want.len());

    // The flagged topic: rank 1 (at 20:00), on the list `polls` hours.
    let key = normalize_title(FLAGGED);
    let w = want[&key];
    assert_eq!(w.rank, Some(1), "the reference's rank 1 at 20:00");
    let row = r.top.iter().find(|t| t.title == FLAGGED).expect("in TOP");
    assert_eq!(row.peak_rank, Some(1));
    assert_eq!(row.polls, w.polls);
    assert_eq!(row.minutes_on_list, Some(w.polls * 60));
    assert_eq!(row.peak_heat, w.heat);
    assert_eq!((row.first_at, row.last_at), (w.first, w.last));

    // TOP: the five best by rank, then time on list, then heat.
    let mut order: Vec<(&String, &Seen)> = want.iter().filter(|(_, s)| s.rank.is_some()).collect();
    order.sort_by(|a, b| (a.1.rank, b.1.polls, b.1.heat).cmp(&(b.1.rank, a.1.polls, a.1.heat)));
    let expect: Vec<(&str, Option<u32>, u32)> = order
        .iter()
        .take(5)
        .map(|(k, s)| (k.as_str(), s.rank, s.polls))
        .collect();
    let got: Vec<(String, Option<u32>, u32)> = r
        .top
        .iter()
        .map(|t| (normalize_title(&t.title), t.peak_rank, t.polls))
        .collect();
    let got: Vec<(&str, Option<u32>, u32)> =
        got.iter().map(|(k, r, p)| (k.as_str(), *r, *p)).collect();
    assert_eq!(got, expect);

    // Longest at rank 1.
    let mut at_one: BTreeMap<String, u32> = BTreeMap::new();
    for l in &inside {
        let s = l.to_snapshot();
        if let Some(t) = s.ranked.iter().find(|t| t.rank == Some(1)) {
            *at_one.entry(t.title.to_string()).or_default() += 1;
        }
    }
    let most = at_one.values().max().copied();
    let leader = o.leader.clone().unwrap();
    assert_eq!(Some(leader.1), most);
    assert_eq!(at_one.get(&leader.0).copied(), most);
}

#[test]
fn new_entries_are_first_seen_inside_the_period() {
    let (r, from, to) = evening();
    let lines = support::lines(support::WEIBO_DAY);
    let before = seen(
        &lines,
        Platform::Weibo,
        time("2026-08-15T00:00:00+08:00"),
        from - chrono::Duration::seconds(1),
    );
    let inside = seen(&lines, Platform::Weibo, from, to);
    let new: Vec<&String> = inside.keys().filter(|k| !before.contains_key(*k)).collect();
    assert!(new.len() > 20, "an evening of new titles: {}", new.len());
    assert_eq!(r.new_total, new.len());
    assert_eq!(r.new_entries.len(), 20, "the first 20 shown");
    for t in &r.new_entries {
        let k = normalize_title(&t.title);
        assert!(
            t.new && !before.contains_key(&k),
            "{} was listed before",
            t.title
        );
        assert_eq!(t.first_seen, inside[&k].first);
    }
    // By best rank.
    assert!(
        r.new_entries
            .windows(2)
            .all(|w| w[0].peak_rank <= w[1].peak_rank)
    );
    assert!(
        r.new_entries.iter().any(|t| t.title == FLAGGED),
        "first seen in the evening"
    );
    assert_eq!(r.overview[0].new_topics as usize, new.len());
}

#[test]
fn rising_keywords_have_their_onset_and_lead_to_the_top_ten() {
    let store = support::open_store();
    let period = PeriodSpec::Day.ending_at(time("2026-08-15T23:00:00+08:00"), &Schedule::default());
    let r = report::build(
        &store,
        &period,
        &Options {
            max_rows: 200,
            ..Options::default()
        },
    )
    .unwrap();
    let (from, to) = (period.from, period.to);
    let store = support::open_store();
    let lines = support::lines(support::WEIBO_DAY);
    assert!(
        !r.rising.is_empty(),
        "the detector flags keywords on this day"
    );
    let mut with_lead = 0;
    for k in &r.rising {
        let series = store.keyword_series(&k.keyword, from, to).unwrap();
        let onset = series.iter().find(|p| p.rising).map(|p| p.at);
        assert_eq!(Some(k.onset), onset, "{}", k.keyword);
        // Lead: from the onset to the first poll with a title holding the keyword at rank ≤ 10.
        let word = normalize_text(&k.keyword);
        let top_times: Vec<At> = lines
            .iter()
            .filter(|l| l.captured_at >= from && l.captured_at <= to)
            .filter(|l| {
                l.to_snapshot().ranked.iter().any(|t| {
                    t.rank.is_some_and(|r| r <= 10)
                        && normalize_text(t.title.as_str()).contains(&word)
                })
            })
            .map(|l| l.captured_at)
            .collect();
        let already = top_times.iter().any(|t| *t < k.onset);
        assert_eq!(k.top_before_onset, already, "{}", k.keyword);
        let want = (!already)
            .then(|| top_times.first().map(|t| (*t - k.onset).num_minutes()))
            .flatten();
        assert_eq!(k.lead_min, want, "{}", k.keyword);
        with_lead += usize::from(want.is_some_and(|m| m > 0));
    }
    assert!(
        with_lead > 0,
        "some keyword rose before its title reached the top ten"
    );
    // By peak score.
    assert!(
        r.rising
            .windows(2)
            .all(|w| w[0].peak_score >= w[1].peak_score)
    );
}

#[test]
fn flagged_topics_carry_who_flagged_them_and_their_notes() {
    let (r, _, _) = evening();
    assert_eq!(r.flagged.len(), 1, "{:#?}", r.flagged);
    let f = &r.flagged[0];
    assert_eq!((f.platform, f.title.as_str()), (Platform::Weibo, FLAGGED));
    assert_eq!(f.flagged_by, ["li", "wang"]);
    let notes: Vec<(&str, &str)> = f
        .notes
        .iter()
        .map(|n| (n.user.as_str(), n.note.as_str()))
        .collect();
    assert_eq!(notes, [("li", NOTE_LI), ("wang", NOTE_WANG)]);
    assert_eq!(f.peak_rank, Some(1));
    // Rank 1 and 爆/沸-level signals: above blue, and the report takes its tier.
    assert!(f.tier > Tier::Blue, "{f:#?}");
    assert_eq!(r.tier, f.tier);
    assert!(r.tier_because[0].contains(FLAGGED));
    assert!(
        r.notes.iter().any(|n| n.contains("broken")),
        "an unreadable triage record is named: {:#?}",
        r.notes
    );
}

#[test]
fn list_dynamics_are_the_candidates_of_replaying_the_same_lists() {
    let (r, from, to) = evening();
    let warm = from - chrono::Duration::minutes(Options::default().warmup_minutes);
    let lines: Vec<SnapshotLine> = support::lines(support::WEIBO_DAY)
        .into_iter()
        .filter(|l| l.captured_at >= warm && l.captured_at <= to)
        .collect();
    let all: Vec<_> = run_lines(&lines, &DynamicsConfig::default())
        .candidates
        .into_iter()
        .filter(|c| c.at >= from)
        .collect();
    assert!(
        all.len() > 20,
        "the evening lists have candidates: {}",
        all.len()
    );
    assert_eq!(r.dynamics, all[..20]);
    assert_eq!(r.dynamics_total, all.len());
    let withdrawn = all.iter().filter(|c| c.kind == Kind::Withdrawn).count();
    assert_eq!(r.withdrawn_total, withdrawn);
    assert!(withdrawn > 0, "a withdrawal candidate that evening");
}

#[test]
fn what_to_watch_is_what_still_rises_or_climbs_at_the_end() {
    let (r, from, to) = evening();
    let store = support::open_store();
    let points = store.keyword_points_between(from, to).unwrap();
    assert!(
        r.watch.iter().any(|w| w.kind == WatchKind::Keyword),
        "{:#?}",
        r.watch
    );
    let lines = support::lines(support::WEIBO_DAY);
    let last = lines
        .iter()
        .rfind(|l| l.captured_at <= to)
        .unwrap()
        .to_snapshot();
    let hour_before = lines
        .iter()
        .rfind(|l| l.captured_at <= to - chrono::Duration::minutes(60))
        .unwrap()
        .to_snapshot();
    for w in &r.watch {
        match w.kind {
            WatchKind::Keyword => {
                // Rising at the last analysed poll of the period.
                let series = store.keyword_series(&w.text, from, to).unwrap();
                let last = points.last().unwrap().at;
                assert!(
                    series.iter().any(|p| p.rising && p.at == last),
                    "{}",
                    w.text
                );
            }
            WatchKind::Topic => {
                let key = normalize_title(&w.text);
                let now = last
                    .ranked
                    .iter()
                    .find(|t| t.key().norm == key)
                    .and_then(|t| t.rank);
                let then = hour_before
                    .ranked
                    .iter()
                    .find(|t| t.key().norm == key)
                    .and_then(|t| t.rank);
                let now = now.expect("on the last list");
                assert!(now <= 20, "{}", w.text);
                assert!(
                    then.is_none_or(|b| b >= now + 3),
                    "{}: {then:?} → {now}",
                    w.text
                );
            }
            WatchKind::Flagged => assert_eq!(w.text, FLAGGED),
        }
    }
    let flagged_listed = last.ranked.iter().any(|t| t.title.as_str() == FLAGGED);
    assert_eq!(
        r.watch.iter().any(|w| w.kind == WatchKind::Flagged),
        flagged_listed
    );
    assert!(
        r.watch.iter().any(|w| w.kind == WatchKind::Topic),
        "{:#?}",
        r.watch
    );
}

#[test]
fn cross_platform_events_list_platforms_in_the_order_the_story_reached_them() {
    let store = support::open_store();
    let period = PeriodSpec::parse("3h")
        .unwrap()
        .ending_at(time(support::ELEVEN_TO), &Schedule::default());
    let r = report::build(&store, &period, &Options::default()).unwrap();
    assert_eq!(r.overview.len(), 11, "eleven lists that morning");
    assert!(r.events.len() >= 5, "{:#?}", r.events);
    // When each title was first on its list, from the files (the store's window starts at
    // ELEVEN_FROM, so earlier titles count from there).
    let mut first: BTreeMap<(Platform, String), At> = BTreeMap::new();
    for l in support::stored_lines()
        .iter()
        .filter(|l| l.captured_at <= period.to)
    {
        for t in l.to_snapshot().ranked {
            first
                .entry((l.platform, t.key().norm))
                .or_insert(l.captured_at);
        }
    }
    for e in &r.events {
        assert!(e.spread.len() >= 2);
        assert!(
            e.spread
                .windows(2)
                .all(|w| w[0].first_seen <= w[1].first_seen),
            "{e:#?}"
        );
        assert_eq!(e.spread[0].after_min, 0);
        for t in &e.titles {
            assert_eq!(
                Some(&t.first_seen),
                first.get(&(t.platform, normalize_title(&t.title))),
                "{} on {:?}",
                t.title,
                t.platform
            );
        }
        for s in &e.spread {
            let earliest = e
                .titles
                .iter()
                .filter(|t| t.platform == s.platform)
                .map(|t| t.first_seen)
                .min();
            if let Some(earliest) = earliest {
                assert!(s.first_seen <= earliest);
            }
            assert_eq!(
                s.after_min,
                (s.first_seen - e.spread[0].first_seen).num_minutes()
            );
        }
        assert!(
            e.last_seen >= period.from,
            "on a list in the period: {e:#?}"
        );
    }
    // Most platforms first.
    assert!(
        r.events
            .windows(2)
            .all(|w| w[0].spread.len() >= w[1].spread.len())
    );
    eprintln!(
        "{}",
        render_markdown(&r)
            .split("## 跨平台事件")
            .nth(1)
            .unwrap_or("")
            .lines()
            .take(12)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn markdown_html_and_summary_show_the_sections_and_their_contents() {
    let (r, _, _) = evening();
    let md = render_markdown(&r);
    let html = render_html(&r);
    for (id, zh, en) in SECTIONS {
        assert!(md.contains(&format!("## {zh} {en}")), "md lacks {zh}");
        assert!(
            html.contains(&format!("<section id=\"{id}\"><h2>{zh} ")),
            "html lacks {zh}"
        );
    }
    for text in [FLAGGED, NOTE_WANG, NOTE_LI] {
        assert!(md.contains(text) && html.contains(text), "{text}");
    }
    let top = &r.top[0];
    assert!(
        md.contains(&format!(
            "| 微博 | {} | #{} |",
            top.title,
            top.peak_rank.unwrap()
        )),
        "{md}"
    );
    assert!(html.contains(&format!(
        "<td class=\"t\" data-label=\"话题\">{}",
        top.title
    )));
    let c = &r.dynamics[0];
    assert!(md.contains(&c.title) && html.contains(&c.title));
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));

    let m = summary(&r);
    assert_eq!(m.tier, r.tier);
    assert!(
        m.body_markdown.len() <= resou::report::SUMMARY_BYTES,
        "{}",
        m.body_markdown.len()
    );
    assert!(m.body_markdown.contains("**概览**") && m.body_markdown.contains(FLAGGED));
    assert!(m.body_markdown.contains("li, wang"));
    assert_eq!(m.html.as_deref(), Some(html.as_str()));
    assert!(m.title.contains("2026-08-15 12:00 – 23:00"), "{}", m.title);
    // JSON for the feed: the sections by name.
    let json: serde_json::Value = serde_json::to_value(&r).unwrap();
    for field in [
        "overview",
        "top",
        "new_entries",
        "rising",
        "events",
        "flagged",
        "dynamics",
        "watch",
    ] {
        assert!(json.get(field).is_some_and(|v| v.is_array()), "{field}");
    }
    assert_eq!(
        json["flagged"][0]["flagged_by"],
        serde_json::json!(["li", "wang"])
    );
}

#[test]
fn an_empty_period_says_so_and_names_the_latest_poll() {
    let store = support::open_store();
    let period = PeriodSpec::Day.ending_at(time("2030-01-01T09:00:00+08:00"), &Schedule::default());
    let r = report::build(&store, &period, &Options::default()).unwrap();
    assert!(r.is_empty());
    assert_eq!(r.latest_poll, Some(time("2026-08-15T23:00:00+08:00")));
    let msg = r.empty_message();
    assert!(
        msg.contains("nothing to report") && msg.contains("2026-08-15 23:00"),
        "{msg}"
    );
    assert!(render_markdown(&r).contains("2026-08-15 23:00"));
    assert!(render_html(&r).contains("本期无数据"));
    assert_eq!(summary(&r).tier, Tier::Blue);
}
