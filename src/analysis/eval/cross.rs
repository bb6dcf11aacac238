//! What the other lists add (issue 18, point 8), on a file holding several platforms' lists of
//! the same times (the 2025-10-15 archive: 11 lists every ~30 min).
//!
//! **Early detection, Weibo alone vs all lists.** The events, the ▲ entries, early recall and
//! lead are those of the protocol in [`super`], at one θ_on, computed twice: the detector fed
//! the Weibo lists only, and the detector fed every list of the file. Both runs share the same
//! events (the Weibo top 10) and the same specificity rule, with the document frequency counted
//! on the Weibo titles only — counted over every list, one story's headlines on six platforms
//! would make its own name "generic" (df > D) in the second run alone. What differs is only
//! what the detector saw; the gain is the events the second run detects early and the first
//! does not. More lists also mean more ▲ entries, so the runs are compared twice: at the
//! operating θ_on, and at equal cost — the all-lists run at the θ_on of the sweep with the best
//! recall among those with no more false flags per hour than Weibo alone at the operating θ_on.
//!
//! **Propagation.** Which platform carries a story first, and how long after (or before)
//! Weibo the others carry it. The story rule is deliberately small and local (the panel's
//! event grouping lives elsewhere; this one only has to be documented and reproducible):
//! a title's *bigrams* are the pairs of adjacent characters of its matching form
//! (`normalize_text`: NFKC, lowercase) with everything but letters and digits removed;
//! two titles of **different** platforms are the same story when they share at least
//! [`STORY_MIN_SHARED`] bigrams and the shared ones are at least [`STORY_MIN_OVERLAP`] of the
//! shorter title's; a story is a connected component of that relation (single link) spanning
//! at least two platforms. A platform's *first sighting* of a story is the first list of the
//! file in which one of its titles is ranked. Stories first seen in the file's first lists are
//! left-censored (who was first is unknown) and excluded from the counts.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::{DfScope, EvalPoint, Operating, SPECIFIC_DF_MAX, TOP, median, run};
use crate::analysis::engine::{AnalysisConfig, minutes};
use crate::domain::Platform;
use crate::domain::normalize::normalize_text;
use crate::domain::snapshot_file::SnapshotLine;

/// Bigrams two titles must share to be one story.
pub const STORY_MIN_SHARED: usize = 4;
/// Share of the shorter title's bigrams the shared ones must reach.
///
/// On 2025-10-15 (with 4 shared bigrams), 0.5 chains the day's League of Legends titles into one
/// 41-title story (every `S15瑞士轮…` match) and 0.7 splits more of one story's differently
/// worded headlines (the 蔡国强烟花秀 story holds 11 titles at 0.5, 7 at 0.7); 0.6 lies between.
/// The who-is-first counts move little over 0.5–0.7: Weibo is first, alone or tied, in 29–31 of
/// 79–86 stories.
pub const STORY_MIN_OVERLAP: f64 = 0.6;

/// The detector fed Weibo alone vs every list, at one θ_on (see the module doc).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossReport {
    /// Lists in the file.
    pub lists: usize,
    /// Distinct capture times.
    pub times: usize,
    pub hours: f64,
    /// Lists per platform, in `Platform::ALL` order.
    pub platforms: Vec<(Platform, usize)>,
    /// Titles first reaching the Weibo top 10 after the first Weibo list.
    pub events: usize,
    pub left_censored: usize,
    /// `D` of the specificity rule (df counted on Weibo titles).
    pub specific_df_max: u32,
    /// The operating θ_on.
    pub theta_on: f64,
    /// Where θ_on comes from.
    pub theta_source: String,
    /// Weibo alone at the operating θ_on: the baseline.
    pub weibo_alone: EvalPoint,
    /// All lists at the operating θ_on.
    pub at_operating: Comparison,
    /// All lists at the sweep's best recall with no more false flags/hour than the baseline
    /// (`None` when no θ_on of the sweep gets there).
    pub at_equal_false_flags: Option<Comparison>,
    /// The sweeps (ascending θ_on, the operating θ_on included).
    pub weibo_alone_sweep: Vec<EvalPoint>,
    pub all_lists_sweep: Vec<EvalPoint>,
    pub propagation: Propagation,
}

/// One all-lists point against the Weibo-alone baseline, event by event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub all_lists: EvalPoint,
    /// Events detected early with all lists and not with Weibo alone.
    pub gained: usize,
    /// Events detected early with Weibo alone and not with all lists.
    pub lost: usize,
    /// Events detected early both ways.
    pub both: usize,
    /// Over `both`: median of (lead with all lists − lead with Weibo alone), minutes.
    pub median_lead_gain_min: Option<f64>,
    /// Over `gained`: median lead, minutes.
    pub median_gained_lead_min: Option<f64>,
    pub gained_events: Vec<GainedEvent>,
    /// Of `gained`: those another list carried as the same story (the story rule below)
    /// before they reached the Weibo top 10; the others were detected by a shared term only.
    pub gained_same_story: usize,
    /// The lost events' titles.
    pub lost_events: Vec<String>,
}

/// An event the all-lists run detects early and Weibo alone does not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GainedEvent {
    pub title: String,
    pub lead_min: f64,
    /// The earliest title of another list that is the same story and came before the event
    /// reached the Weibo top 10: (platform, title, minutes before).
    pub earlier_elsewhere: Option<(Platform, String, f64)>,
}

impl Comparison {
    /// `base_leads`, `leads`: per event, the lead of its early detection (`None`: not early).
    fn new(
        events: &[(String, f64)],
        items: &[Item],
        base_leads: &[Option<f64>],
        all_lists: &EvalPoint,
        leads: &[Option<f64>],
    ) -> Comparison {
        let (mut gained, mut lost, mut both) = (0, 0, 0);
        let (mut gains, mut gained_leads) = (Vec::new(), Vec::new());
        let (mut gained_events, mut lost_events) = (Vec::new(), Vec::new());
        for ((title, at), (w, a)) in events.iter().zip(base_leads.iter().zip(leads)) {
            match (w, a) {
                (None, Some(a)) => {
                    gained += 1;
                    gained_leads.push(*a);
                    let b = bigrams(title);
                    let earlier_elsewhere = items
                        .iter()
                        .filter(|i| i.platform != Platform::Weibo && linked(&b, &i.bigrams))
                        .map(|i| (i, minutes(&i.at)))
                        .filter(|&(_, t)| t < *at)
                        .min_by(|x, y| x.1.total_cmp(&y.1))
                        .map(|(i, t)| (i.platform, i.title.clone(), at - t));
                    gained_events.push(GainedEvent {
                        title: title.clone(),
                        lead_min: *a,
                        earlier_elsewhere,
                    });
                }
                (Some(_), None) => {
                    lost += 1;
                    lost_events.push(title.clone());
                }
                (Some(w), Some(a)) => {
                    both += 1;
                    gains.push(a - w);
                }
                (None, None) => {}
            }
        }
        Comparison {
            all_lists: all_lists.clone(),
            gained,
            lost,
            both,
            median_lead_gain_min: median(&mut gains),
            median_gained_lead_min: median(&mut gained_leads),
            gained_same_story: gained_events
                .iter()
                .filter(|g| g.earlier_elsewhere.is_some())
                .count(),
            gained_events,
            lost_events,
        }
    }
}

/// Who carries a story first (see the module doc).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Propagation {
    pub min_shared_bigrams: usize,
    pub min_overlap: f64,
    /// Stories on at least two platforms, left-censored ones excluded.
    pub stories: usize,
    /// Stories on at least two platforms first seen in the file's first lists (excluded).
    pub left_censored: usize,
    /// One row per platform of the file, in `Platform::ALL` order.
    pub per_platform: Vec<PlatformSpread>,
    /// Over every (story, platform other than Weibo) pair with Weibo: median of
    /// (platform's first sighting − Weibo's), minutes; negative = before Weibo.
    pub median_gap_to_weibo_min: Option<f64>,
    /// Every story on at least two platforms (censored ones included, marked), in order of
    /// first sighting.
    pub story_list: Vec<Story>,
}

/// One platform's part in the stories.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformSpread {
    pub platform: Platform,
    /// Stories it carries.
    pub stories: usize,
    /// Stories it carried before every other platform.
    pub first_alone: usize,
    /// Stories it carried first together with another platform (same capture time).
    pub first_tied: usize,
    /// Stories it shares with Weibo (0 for Weibo itself).
    pub with_weibo: usize,
    pub before_weibo: usize,
    pub same_as_weibo: usize,
    pub after_weibo: usize,
    /// Median of (its first sighting − Weibo's) over `with_weibo`, minutes; negative = before.
    pub median_gap_to_weibo_min: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Story {
    /// The title of its first sighting.
    pub title: String,
    pub left_censored: bool,
    /// Each platform's first sighting, in time order (then `Platform::ALL` order).
    pub sightings: Vec<Sighting>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sighting {
    pub platform: Platform,
    pub at: DateTime<FixedOffset>,
    pub title: String,
    /// This sighting − Weibo's first sighting, minutes (`None` without Weibo or for Weibo).
    pub gap_to_weibo_min: Option<f64>,
}

/// Run both detectors on `lines` over `thresholds` and at `theta_on`, and measure propagation.
pub fn evaluate_cross(
    lines: &[SnapshotLine],
    cfg: &AnalysisConfig,
    thresholds: &[f64],
    theta_on: f64,
    theta_source: &str,
) -> CrossReport {
    let at = |alone: bool| {
        let own: Vec<SnapshotLine>;
        let input = if alone {
            own = lines
                .iter()
                .filter(|l| l.platform == Platform::Weibo)
                .cloned()
                .collect();
            &own[..]
        } else {
            lines
        };
        let operating = Operating::Fixed {
            theta_on,
            source: theta_source.to_string(),
        };
        run(
            input,
            cfg,
            thresholds,
            operating,
            SPECIFIC_DF_MAX,
            DfScope::Weibo,
        )
    };
    let (alone, all) = (at(true), at(false));
    // The events come from the Weibo lists, which both runs read alike.
    debug_assert_eq!(alone.events, all.events);
    // The operating θ_on is in both sweeps (`Operating::Fixed` adds it).
    let op = |d: &super::Detailed| d.report.operating.expect("θ_on in the sweep");
    let (wi, ai) = (op(&alone), op(&all));
    let weibo_alone = alone.report.sweep[wi].clone();
    let (events, items) = (&all.events, first_sightings(lines));
    let compare = |i: usize| {
        let p = &all.report.sweep[i];
        Comparison::new(events, &items, &alone.leads[wi], p, &all.leads[i])
    };
    let at_operating = compare(ai);
    let budget = weibo_alone.false_flags_per_hour;
    let at_equal_false_flags = (0..all.report.sweep.len())
        .filter(|&i| all.report.sweep[i].false_flags_per_hour <= budget)
        .max_by(|&i, &j| {
            let (a, b) = (&all.report.sweep[i], &all.report.sweep[j]);
            a.recall
                .total_cmp(&b.recall)
                .then(b.false_flags_per_hour.total_cmp(&a.false_flags_per_hour))
        })
        .map(compare);
    let mut times: Vec<_> = lines.iter().map(|l| l.captured_at).collect();
    times.sort();
    times.dedup();
    CrossReport {
        lists: lines.len(),
        times: times.len(),
        hours: all.report.hours,
        platforms: Platform::ALL
            .into_iter()
            .map(|p| (p, lines.iter().filter(|l| l.platform == p).count()))
            .filter(|&(_, n)| n > 0)
            .collect(),
        events: all.report.events,
        left_censored: all.report.left_censored,
        specific_df_max: SPECIFIC_DF_MAX,
        theta_on,
        theta_source: theta_source.to_string(),
        weibo_alone,
        at_operating,
        at_equal_false_flags,
        weibo_alone_sweep: alone.report.sweep,
        all_lists_sweep: all.report.sweep,
        propagation: propagation(lines),
    }
}

/// A distinct (platform, title) of the file and its first sighting.
struct Item {
    platform: Platform,
    at: DateTime<FixedOffset>,
    title: String,
    /// Sorted, distinct.
    bigrams: Vec<(char, char)>,
}

fn bigrams(title: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = normalize_text(title)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let mut v: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Bigrams of `a` also in `b` (both sorted and distinct).
fn shared(a: &[(char, char)], b: &[(char, char)]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// The story rule of the module doc for two titles (the platforms are the caller's concern).
pub fn same_story(a: &str, b: &str) -> bool {
    linked(&bigrams(a), &bigrams(b))
}

fn linked(a: &[(char, char)], b: &[(char, char)]) -> bool {
    let n = shared(a, b);
    n >= STORY_MIN_SHARED && n as f64 >= STORY_MIN_OVERLAP * a.len().min(b.len()) as f64
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// The first sighting of each (platform, matching form) of `lines`' ranked rows, in order of
/// first sighting.
fn first_sightings(lines: &[SnapshotLine]) -> Vec<Item> {
    let mut sorted: Vec<&SnapshotLine> = lines.iter().collect();
    sorted.sort_by_key(|l| (l.captured_at, l.platform));
    let mut items: Vec<Item> = Vec::new();
    let mut seen: BTreeSet<(Platform, String)> = BTreeSet::new();
    for l in &sorted {
        for it in l.items.iter().filter(|i| !i.pinned && i.rank.is_some()) {
            let key = (l.platform, normalize_text(&it.title));
            if seen.insert(key) {
                items.push(Item {
                    platform: l.platform,
                    at: l.captured_at,
                    title: it.title.clone(),
                    bigrams: bigrams(&it.title),
                });
            }
        }
    }
    items
}

/// Stories across the platforms of `lines` and who carries them first (see the module doc).
pub fn propagation(lines: &[SnapshotLine]) -> Propagation {
    let start = lines.iter().map(|l| l.captured_at).min();
    let items = first_sightings(lines);
    let mut parent: Vec<usize> = (0..items.len()).collect();
    for i in 0..items.len() {
        for j in i + 1..items.len() {
            if items[i].platform != items[j].platform
                && linked(&items[i].bigrams, &items[j].bigrams)
            {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                // The earlier item stays the root, so a story's order never depends on links.
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..items.len() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut story_list = Vec::new();
    for members in groups.into_values() {
        // Each platform's first sighting: members are in order of first sighting.
        let mut firsts: Vec<&Item> = Vec::new();
        for &m in &members {
            if !firsts.iter().any(|f| f.platform == items[m].platform) {
                firsts.push(&items[m]);
            }
        }
        if firsts.len() < 2 {
            continue;
        }
        firsts.sort_by_key(|f| (f.at, f.platform));
        let weibo = firsts
            .iter()
            .find(|f| f.platform == Platform::Weibo)
            .map(|f| minutes(&f.at));
        story_list.push(Story {
            title: firsts[0].title.clone(),
            left_censored: Some(firsts[0].at) == start,
            sightings: firsts
                .iter()
                .map(|f| Sighting {
                    platform: f.platform,
                    at: f.at,
                    title: f.title.clone(),
                    gap_to_weibo_min: weibo
                        .filter(|_| f.platform != Platform::Weibo)
                        .map(|w| minutes(&f.at) - w),
                })
                .collect(),
        });
    }
    story_list.sort_by(|a, b| (a.sightings[0].at, &a.title).cmp(&(b.sightings[0].at, &b.title)));
    spread(story_list)
}

fn spread(story_list: Vec<Story>) -> Propagation {
    let counted: Vec<&Story> = story_list.iter().filter(|s| !s.left_censored).collect();
    let mut all_gaps = Vec::new();
    let mut per_platform = Vec::new();
    for p in Platform::ALL {
        let mut row = PlatformSpread {
            platform: p,
            stories: 0,
            first_alone: 0,
            first_tied: 0,
            with_weibo: 0,
            before_weibo: 0,
            same_as_weibo: 0,
            after_weibo: 0,
            median_gap_to_weibo_min: None,
        };
        let mut gaps = Vec::new();
        for s in &counted {
            let Some(mine) = s.sightings.iter().find(|x| x.platform == p) else {
                continue;
            };
            row.stories += 1;
            let first = s.sightings[0].at;
            if mine.at == first {
                if s.sightings.iter().filter(|x| x.at == first).count() == 1 {
                    row.first_alone += 1;
                } else {
                    row.first_tied += 1;
                }
            }
            if let Some(g) = mine.gap_to_weibo_min {
                row.with_weibo += 1;
                match g.total_cmp(&0.0) {
                    std::cmp::Ordering::Less => row.before_weibo += 1,
                    std::cmp::Ordering::Equal => row.same_as_weibo += 1,
                    std::cmp::Ordering::Greater => row.after_weibo += 1,
                }
                gaps.push(g);
            }
        }
        all_gaps.extend(&gaps);
        row.median_gap_to_weibo_min = median(&mut gaps);
        if row.stories > 0 {
            per_platform.push(row);
        }
    }
    Propagation {
        min_shared_bigrams: STORY_MIN_SHARED,
        min_overlap: STORY_MIN_OVERLAP,
        stories: counted.len(),
        left_censored: story_list.len() - counted.len(),
        per_platform,
        median_gap_to_weibo_min: median(&mut all_gaps),
        story_list,
    }
}

fn minutes_or_dash(m: Option<f64>) -> String {
    m.map_or("-".to_string(), |m| format!("{m:+.0} min"))
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 {
        "-".into()
    } else {
        format!("{:.1}%", a as f64 * 100.0 / b as f64)
    }
}

/// Text report: the two detector runs side by side, then the propagation table.
pub fn format_cross_report(r: &CrossReport) -> String {
    let mut out = String::new();
    let lists: Vec<String> = r
        .platforms
        .iter()
        .map(|(p, n)| format!("{} {n}", p.id()))
        .collect();
    let _ = writeln!(
        out,
        "{} lists at {} times over {:.1} h ({}); {} events (titles first reaching the Weibo top {TOP}), {} left-censored",
        r.lists,
        r.times,
        r.hours,
        lists.join(", "),
        r.events,
        r.left_censored
    );
    let _ = writeln!(
        out,
        "\nearly detection, detector fed Weibo alone vs all lists; operating θ_on = {} ({}); a term is \
         specific when df ≤ {} counted on Weibo titles, in both runs",
        r.theta_on, r.theta_source, r.specific_df_max
    );
    let _ = writeln!(
        out,
        "{:<28} {:>5} {:>5} {:>7} {:>7} {:>4} {:>9} {:>8} {:>7} {:>7} {:>5} {:>6} {:>4} {:>10}",
        "run",
        "θ_on",
        "early",
        "recall",
        "strict",
        "same",
        "med lead",
        "▲ onsets",
        "false/h",
        "▲/poll",
        "max▲",
        "gained",
        "lost",
        "lead chg"
    );
    let row = |out: &mut String, name: &str, p: &EvalPoint, c: Option<&Comparison>| {
        let _ = writeln!(
            out,
            "{:<28} {:>5.2} {:>5} {:>7} {:>7} {:>4} {:>9} {:>8} {:>7.2} {:>7.1} {:>5} {:>6} {:>4} {:>10}",
            name,
            p.theta_on,
            p.early,
            pct(p.early, r.events),
            pct(p.early_strict, r.events),
            p.same_poll,
            p.median_lead_min
                .map_or("-".to_string(), |m| format!("{m:.0} min")),
            p.entry_onsets,
            p.false_flags_per_hour,
            p.median_rising_per_poll,
            p.max_rising_per_poll,
            c.map_or("-".to_string(), |c| format!("+{}", c.gained)),
            c.map_or("-".to_string(), |c| format!("−{}", c.lost)),
            c.map_or("-".to_string(), |c| minutes_or_dash(c.median_lead_gain_min)),
        );
    };
    row(&mut out, "Weibo alone", &r.weibo_alone, None);
    let c = &r.at_operating;
    row(&mut out, "all lists, same θ_on", &c.all_lists, Some(c));
    match &r.at_equal_false_flags {
        Some(c) => row(&mut out, "all lists, ≤ same false/h", &c.all_lists, Some(c)),
        None => {
            let _ = writeln!(
                out,
                "all lists, ≤ same false/h: no θ_on of the sweep keeps false flags at or below {:.2}/h",
                r.weibo_alone.false_flags_per_hour
            );
        }
    }
    let _ = writeln!(
        out,
        "gained/lost: events detected early by the all-lists run and not by Weibo alone, and the \
         reverse (median lead of the gained: {}); lead chg: median change of lead over the events \
         early in both; false flags are ▲ onsets no Weibo top-10 title confirms within 6 h, so a \
         story that stays on the other lists counts as one",
        minutes_or_dash(r.at_operating.median_gained_lead_min)
    );
    let c = &r.at_operating;
    if !c.gained_events.is_empty() {
        let _ = writeln!(
            out,
            "gained at θ_on = {}, {} of {} carried as the same story by another list before the \
             Weibo top 10 (the others matched on a shared term only):",
            r.theta_on, c.gained_same_story, c.gained
        );
        for g in &c.gained_events {
            let elsewhere = g
                .earlier_elsewhere
                .as_ref()
                .map_or(String::new(), |(p, t, m)| {
                    format!(" — {} {m:.0} min before: {t}", p.id())
                });
            let _ = writeln!(out, "  {} (lead {:.0} min){elsewhere}", g.title, g.lead_min);
        }
    }
    let _ = writeln!(
        out,
        "\nsweep: recall, false flags/h, median ▲ per poll\n{:>5} {:>21} {:>21}",
        "θ_on", "Weibo alone", "all lists"
    );
    for (w, a) in r.weibo_alone_sweep.iter().zip(&r.all_lists_sweep) {
        let _ = writeln!(
            out,
            "{:>5.2} {:>7} {:>6.2} {:>6.1} {:>7} {:>6.2} {:>6.1}",
            w.theta_on,
            pct(w.early, r.events),
            w.false_flags_per_hour,
            w.median_rising_per_poll,
            pct(a.early, r.events),
            a.false_flags_per_hour,
            a.median_rising_per_poll
        );
    }
    let g = &r.propagation;
    let _ = writeln!(
        out,
        "\npropagation: {} stories on ≥ 2 platforms ({} more first seen in the first lists, left out); \
         one story = titles sharing ≥ {} character bigrams, ≥ {:.0}% of the shorter title's",
        g.stories,
        g.left_censored,
        g.min_shared_bigrams,
        g.min_overlap * 100.0
    );
    let _ = writeln!(
        out,
        "{:<13} {:>7} {:>6} {:>6} {:>6} {:>6} {:>5} {:>5} {:>11}",
        "platform", "stories", "first", "tied", "w/ WB", "before", "same", "after", "gap vs WB"
    );
    for row in &g.per_platform {
        let weibo = row.platform == Platform::Weibo;
        let dash = |n: usize| {
            if weibo {
                "-".to_string()
            } else {
                n.to_string()
            }
        };
        let _ = writeln!(
            out,
            "{:<13} {:>7} {:>6} {:>6} {:>6} {:>6} {:>5} {:>5} {:>11}",
            row.platform.id(),
            row.stories,
            row.first_alone,
            row.first_tied,
            dash(row.with_weibo),
            dash(row.before_weibo),
            dash(row.same_as_weibo),
            dash(row.after_weibo),
            if weibo {
                "-".to_string()
            } else {
                minutes_or_dash(row.median_gap_to_weibo_min)
            }
        );
    }
    let _ = writeln!(
        out,
        "first: carried before every other platform; tied: first together with another; gap: \
         median of (its first sighting − Weibo's), negative = before Weibo; all pairs: {}",
        minutes_or_dash(g.median_gap_to_weibo_min)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_story_rule_needs_four_shared_bigrams_and_sixty_percent_of_the_shorter_title() {
        // Same story, worded differently on Weibo and Douyin (2025-10-15, 16:40).
        assert!(same_story(
            "蔡国强烟花秀调查情况",
            "官方通报蔡国强烟花秀调查情况"
        ));
        // Case, width and punctuation do not count.
        assert!(same_story("T1战胜iG", "T1战胜IG晋级瑞士轮"));
        // 3 shared bigrams (县委 委书 书记) are too few, whatever the share.
        assert_eq!(
            shared(&bigrams("县委书记"), &bigrams("西藏江孜县委书记被免职")),
            3
        );
        assert!(!same_story("县委书记", "西藏江孜县委书记被免职"));
        // 5 shared of the shorter title's 10: below 60 %.
        let (a, b) = (
            "西藏江孜县委书记被免职",
            "官方问责蔡国强烟花秀：县委书记被免",
        );
        assert_eq!(shared(&bigrams(a), &bigrams(b)), 5);
        assert_eq!(bigrams(a).len(), 10);
        assert!(!same_story(a, b));
    }
}
