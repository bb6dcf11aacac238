//! Evaluation protocol of trend-detection.md §7, measured on the keyword panel as the user
//! sees it (issue 16).
//!
//! **Events** are titles first reaching the Weibo top 10 (`T_e`), with the title's terms `K_e`;
//! titles already in the top 10 of the first Weibo list are left-censored and excluded.
//!
//! **Polls** are the distinct snapshot times; the panel of a poll is the update after every
//! list of that time was processed (Weibo and Tieba lists of one time are one poll). A
//! **▲ entry** is a [`PanelEntry`](super::PanelEntry) with trend `Rising`; its terms are its
//! label and its other terms, as the panel shows them.
//!
//! **Specificity.** `df(k, t)` = distinct normalised titles (ranked rows of every list in the
//! file; pinned rows are editorial and carry no signal) first seen in `(t − 24 h, t]` whose
//! terms contain `k`. A term is *specific* at `t` when `df(k, t) ≤ D` ([`SPECIFIC_DF_MAX`]).
//! Only an entry's specific terms can detect or confirm anything: a ▲ entry that contains
//! 中国 does not detect every later title about China.
//!
//! Panel metrics at each θ_on:
//! - *early recall*: share of events with a ▲ entry containing a term of `K_e` that is
//!   specific at that poll, at a poll `t < T_e` within the 24 h before; detection time = the
//!   first such poll, lead = `T_e − t` (a lower bound in units of the archive spacing);
//! - *▲ onsets*: entries none of whose terms were ▲ (rising now) at the previous poll;
//!   *false flags/hour* = ▲ onsets with no Weibo top-10 title containing one of the entry's
//!   specific terms in `[t, t + 6 h]`, per hour replayed;
//! - *panel precision@6h*: share of (poll, ▲ entry) pairs with a Weibo top-10 title in
//!   `(t, t + 6 h]` that contains one of the entry's specific terms and was not in the top 10
//!   of the poll's own Weibo list;
//! - ▲ entries per poll (median, max); *stale* = (poll, ▲ entry) pairs whose score is below
//!   the θ_off in use (`min(θ_off, θ_on)`); *fragment* = (poll, ▲ entry) pairs whose current
//!   title set is contained in another ▲ entry's title set at the same poll. The title sets
//!   are re-derived here from the lists (the titles containing one of the entry's keys), not read
//!   from the engine; [`EvalPoint::title_set_mismatches`] counts entries whose re-derived set
//!   size differs from the engine's count (0 when the two agree).
//!
//! The previous protocol's figures (term onsets, any term, no specificity) are kept in
//! [`TermOnsetPoint`] so the change stays visible.
//!
//! [`cross`] compares the detector fed Weibo alone with the detector fed every list of a
//! multi-platform file, and measures which platform carries a story first (issue 18).

pub mod cross;
pub mod lead;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;

use super::engine::{AnalysisConfig, Analyzer, TitleInfo, list_is_live, minutes};
use super::headless::sorted_lines;
use crate::domain::Platform;
use crate::domain::normalize::normalize_title;
use crate::domain::snapshot_file::SnapshotLine;

const TOP: u32 = 10;
const LOOKBACK_MIN: f64 = 24.0 * 60.0;
const PRECISION_WINDOW_MIN: f64 = 6.0 * 60.0;
/// Window of the document frequency.
pub const DF_WINDOW_MIN: f64 = 24.0 * 60.0;
/// The default θ_on sweep of `resou eval`.
pub const SWEEP: [f64; 10] = [1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0];
/// False flags per hour allowed at the operating point.
pub const MAX_FALSE_FLAGS_PER_HOUR: f64 = 2.0;

/// `D`: a term is specific at `t` when at most this many distinct titles first seen in the
/// last 24 h contain it.
///
/// Chosen on the hourly tuning archive (weibo_nateafish_2026-08-15) from the df of each event's
/// terms at `T_e`: of the 223 (event, term) pairs, 154 have df 1 and 215 (96 %) df ≤ 5; the eight
/// above are 中国 (6, 7), 旺旺 (8) and 牛来 (8–13), a story with a dozen titles that day. Over
/// the day the generic words the reference names climb to 中国 9 and 日本 8 (回应, 网友, 男子
/// are stop-words, never terms), while story names stay low: 靖国神社 3, 石平 1, 小泉进次郎 1,
/// 胖东来 4, 王俊凯 5. 5 keeps every name of that list specific and lets 中国 and 日本 exceed
/// it by the afternoon. The choice does not move the operating point: D from 2 to 1,000 picks
/// θ_on = 1.0, and D from 4 to 1,000 gives the same recall there (42.6 %), because on a file
/// of one day the 24 h window is still filling (中国 has df 2 until 09:00); the `strict`
/// figures ([`EvalPoint::recall_strict`]) show what a filled window would remove.
pub const SPECIFIC_DF_MAX: u32 = 5;

/// The previous protocol at one θ_on: term onsets (off → on), any term, no specificity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermOnsetPoint {
    pub onsets: usize,
    /// Events with an onset of one of their terms at least one poll before the top 10.
    pub early: usize,
    /// Events whose first onset came in the same poll as the top-10 entry.
    pub same_poll: usize,
    pub recall: f64,
    /// Median lead over early detections, minutes.
    pub median_lead_min: Option<f64>,
    pub false_flags_per_hour: f64,
    pub precision_6h: f64,
}

/// Metrics at one θ_on (see the module doc for the definitions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalPoint {
    pub theta_on: f64,
    /// θ_off in use: `min(θ_off, θ_on)`.
    pub theta_off: f64,
    /// Events detected early by a ▲ entry with a specific term of theirs.
    pub early: usize,
    /// Events first shown by such an entry in the poll where they reached the top 10.
    pub same_poll: usize,
    pub recall: f64,
    /// Median lead over early detections, minutes.
    pub median_lead_min: Option<f64>,
    /// Early detections by a term that stays specific (df ≤ `D`) throughout the file. The
    /// others rest only on terms above `D` somewhere in the file: generic words that looked
    /// specific while the 24 h window was filling (中国 at the start of a file) and story names
    /// that grew past `D` (旺旺, 牛来).
    pub early_strict: usize,
    /// Recall counting only those: the lower bound of `recall`.
    pub recall_strict: f64,
    /// ▲ entry onsets.
    pub entry_onsets: usize,
    /// ▲ entry onsets without a later top-10 title containing a specific term of theirs.
    pub false_onsets: usize,
    pub false_flags_per_hour: f64,
    /// (poll, ▲ entry) pairs.
    pub rising_pairs: usize,
    /// Share of (poll, ▲ entry) pairs confirmed by a title new to the top 10 within 6 h.
    pub panel_precision_6h: f64,
    /// Share of (poll, ▲ entry) pairs with a specific term in any Weibo top-10 title in
    /// `[t, t + 6 h]`, new or already there (shows how many ▲ entries are stories already at
    /// the top, which panel precision does not credit).
    pub in_top10_6h: f64,
    pub median_rising_per_poll: f64,
    pub max_rising_per_poll: usize,
    /// (poll, ▲ entry) pairs with a score below θ_off.
    pub stale: usize,
    /// (poll, ▲ entry) pairs whose titles lie inside another ▲ entry's titles.
    pub fragment: usize,
    /// ▲ entries whose re-derived title set size differs from the engine's title count.
    pub title_set_mismatches: usize,
    /// ▲ entries shown after an earlier list of a poll's time (Weibo and Tieba lists with the
    /// same timestamp) and gone after its last list: the panel lost them within the poll.
    pub superseded: usize,
    /// Early detections counting the ▲ entries after every list of a poll's time, not only
    /// the last (equals `early` when each time has one list).
    pub early_any_list: usize,
    /// The previous protocol's figures at this θ_on.
    pub term: TermOnsetPoint,
}

/// How the operating point was set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Operating {
    /// Chosen on this file: best early recall at ≤ 2 false flags/hour, then panel precision
    /// (tuning).
    ChooseHere,
    /// Given (held-out evaluation): this θ_on, chosen elsewhere; `source` says where.
    Fixed { theta_on: f64, source: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    pub snapshots: usize,
    /// Distinct snapshot times.
    pub polls: usize,
    pub hours: f64,
    /// Titles first reaching the top 10 after the first snapshot.
    pub events: usize,
    /// Titles already in the top 10 in the first snapshot (excluded).
    pub left_censored: usize,
    /// `D` of the specificity rule.
    pub specific_df_max: u32,
    pub sweep: Vec<EvalPoint>,
    /// How the operating point was set.
    pub operating_rule: Operating,
    /// Index into `sweep` of the operating point.
    pub operating: Option<usize>,
    /// Index into `sweep` the selection rule picks on this file alone (equals `operating`
    /// when tuning; for a held-out file, for reference only).
    pub best_here: Option<usize>,
}

impl EvalReport {
    pub fn operating_point(&self) -> Option<&EvalPoint> {
        self.operating.and_then(|i| self.sweep.get(i))
    }

    pub fn point(&self, theta_on: f64) -> Option<&EvalPoint> {
        self.sweep.iter().find(|p| p.theta_on == theta_on)
    }
}

struct Event {
    at: f64,
    title: String,
    terms: Vec<String>,
}

/// Document frequency of terms over a file (see [`SPECIFIC_DF_MAX`]).
#[derive(Debug, Clone, Default)]
pub struct DocFreq {
    /// Per term, the first-seen times of the titles containing it, sorted.
    times: HashMap<String, Vec<f64>>,
}

impl DocFreq {
    /// Distinct titles first seen in `(t − 24 h, t]` whose terms contain `k`.
    pub fn df(&self, k: &str, t: f64) -> u32 {
        let Some(v) = self.times.get(k) else {
            return 0;
        };
        let hi = v.partition_point(|&x| x <= t);
        let lo = v.partition_point(|&x| x <= t - DF_WINDOW_MIN);
        // ok: a file holds far fewer than u32::MAX titles
        (hi - lo) as u32
    }

    /// The largest `df(k, t)` anywhere in the file: a term above `D` somewhere is generic
    /// there, and was specific elsewhere only because its window held fewer titles.
    pub fn max_df(&self, k: &str) -> u32 {
        let Some(v) = self.times.get(k) else {
            return 0;
        };
        let mut lo = 0;
        let mut best = 0;
        for (hi, &t) in v.iter().enumerate() {
            while v[lo] <= t - DF_WINDOW_MIN {
                lo += 1;
            }
            best = best.max(hi + 1 - lo);
        }
        // ok: a file holds far fewer than u32::MAX titles
        best as u32
    }

    /// Specific at `t` under `D = df_max`.
    pub fn specific(&self, k: &str, t: f64, df_max: u32) -> bool {
        self.df(k, t) <= df_max
    }
}

/// One Weibo list's top 10: normalised title and terms.
struct TopList {
    at: f64,
    titles: Vec<(String, Arc<TitleInfo>)>,
}

/// What the sweep needs of the file, computed once.
struct Truth {
    events: Vec<Event>,
    left_censored: usize,
    /// Per snapshot (sorted order): the terms of its ranked rows, in order.
    terms: Vec<Vec<Arc<TitleInfo>>>,
    top: Vec<TopList>,
    df: DocFreq,
    /// Per term: times it was in a Weibo top-10 title (previous protocol).
    top_times: HashMap<String, Vec<f64>>,
}

/// Which lists' titles the document frequency counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DfScope {
    /// Every list of the file (the protocol above).
    AllLists,
    /// Weibo's lists only: the specificity rule stays the one of a Weibo-only file whatever
    /// else the detector is fed ([`cross`]).
    Weibo,
}

fn ground_truth(
    analyzer: &mut Analyzer,
    snaps: &[crate::domain::Snapshot],
    scope: DfScope,
) -> Truth {
    let mut events = Vec::new();
    let mut seen_top: HashSet<String> = HashSet::new();
    let mut top_times: HashMap<String, Vec<f64>> = HashMap::new();
    let mut left_censored = 0;
    let mut first_weibo = true;
    let mut terms = Vec::with_capacity(snaps.len());
    let mut top = Vec::new();
    // Normalised title → (first seen, union of its terms over its sightings).
    let mut titles: HashMap<String, (f64, HashSet<String>)> = HashMap::new();
    for s in snaps {
        let t = minutes(&s.captured_at);
        let infos: Vec<Arc<TitleInfo>> = s
            .ranked
            .iter()
            .map(|x| analyzer.title_info(x.title.as_str(), x.query.as_ref().map(|q| q.as_str())))
            .collect();
        let counted = scope == DfScope::AllLists || s.platform == Platform::Weibo;
        for (topic, info) in s.ranked.iter().zip(&infos).filter(|_| counted) {
            let e = titles
                .entry(normalize_title(topic.title.as_str()))
                .or_insert_with(|| (t, HashSet::new()));
            e.1.extend(info.terms.iter().cloned());
        }
        if s.platform == Platform::Weibo {
            let mut list = TopList {
                at: t,
                titles: Vec::new(),
            };
            for (topic, info) in s.ranked.iter().zip(&infos) {
                if topic.rank.is_none_or(|r| r > TOP) {
                    continue;
                }
                for term in &info.terms {
                    top_times.entry(term.clone()).or_default().push(t);
                }
                list.titles
                    .push((normalize_title(topic.title.as_str()), info.clone()));
                if seen_top.insert(topic.key().norm) {
                    if first_weibo {
                        left_censored += 1;
                    } else {
                        events.push(Event {
                            at: t,
                            title: topic.title.as_str().to_string(),
                            terms: info.terms.clone(),
                        });
                    }
                }
            }
            top.push(list);
            first_weibo = false;
        }
        terms.push(infos);
    }
    let mut df = DocFreq::default();
    for (first, ks) in titles.into_values() {
        for k in ks {
            df.times.entry(k).or_default().push(first);
        }
    }
    for v in df.times.values_mut() {
        v.sort_by(f64::total_cmp);
    }
    Truth {
        events,
        left_censored,
        terms,
        top,
        df,
        top_times,
    }
}

/// The document frequency of a file's terms, as the evaluation computes it.
pub fn document_frequency(lines: &[SnapshotLine], cfg: &AnalysisConfig) -> DocFreq {
    let snaps: Vec<_> = sorted_lines(lines)
        .iter()
        .map(|l| l.to_snapshot())
        .collect();
    ground_truth(&mut Analyzer::new(cfg), &snaps, DfScope::AllLists).df
}

/// One ▲ entry at one poll, as the evaluation keeps it.
struct Shown {
    terms: Vec<String>,
    score: f64,
    /// Indices of the poll's live titles that contain the label, sorted.
    titles: Vec<u32>,
    engine_titles: u32,
}

struct Poll {
    at: f64,
    rising: Vec<Shown>,
    /// Terms rising now (▲) at this poll.
    rising_terms: HashSet<String>,
    /// ▲ entries after an earlier list of this time that are gone after the last one.
    superseded: usize,
    /// The terms of the ▲ entries after the earlier lists of this time.
    earlier: Vec<Vec<String>>,
}

/// Replay `lines` once per θ_on in `thresholds` through the production path and score it;
/// the operating point is chosen on this file (tuning).
pub fn evaluate(lines: &[SnapshotLine], cfg: &AnalysisConfig, thresholds: &[f64]) -> EvalReport {
    evaluate_at(lines, cfg, thresholds, Operating::ChooseHere)
}

/// [`evaluate`] with the operating point set by `operating`; a fixed θ_on missing from
/// `thresholds` is added to the sweep. The sweep runs in ascending θ_on.
pub fn evaluate_at(
    lines: &[SnapshotLine],
    cfg: &AnalysisConfig,
    thresholds: &[f64],
    operating: Operating,
) -> EvalReport {
    evaluate_with_df_max(lines, cfg, thresholds, operating, SPECIFIC_DF_MAX)
}

/// [`evaluate_at`] with another `D` (the study that chose [`SPECIFIC_DF_MAX`] on the tuning
/// file; not for held-out files).
pub fn evaluate_with_df_max(
    lines: &[SnapshotLine],
    cfg: &AnalysisConfig,
    thresholds: &[f64],
    operating: Operating,
    df_max: u32,
) -> EvalReport {
    run(lines, cfg, thresholds, operating, df_max, DfScope::AllLists).report
}

/// A report with what [`cross`] compares event by event.
struct Detailed {
    report: EvalReport,
    /// The events: (title, `T_e` in minutes since the epoch), in time order.
    events: Vec<(String, f64)>,
    /// Per sweep point, per event: the lead of its early detection in minutes (`None`: not
    /// detected early).
    leads: Vec<Vec<Option<f64>>>,
}

fn run(
    lines: &[SnapshotLine],
    cfg: &AnalysisConfig,
    thresholds: &[f64],
    operating: Operating,
    df_max: u32,
    scope: DfScope,
) -> Detailed {
    let lines = sorted_lines(lines);
    let snaps: Vec<_> = lines.iter().map(|l| l.to_snapshot()).collect();
    let mut analyzer = Analyzer::new(cfg);
    let truth = ground_truth(&mut analyzer, &snaps, scope);
    let (t0, t1) = match (snaps.first(), snaps.last()) {
        (Some(a), Some(b)) => (minutes(&a.captured_at), minutes(&b.captured_at)),
        _ => (0.0, 0.0),
    };
    let hours = ((t1 - t0) / 60.0).max(f64::MIN_POSITIVE);

    let mut thetas: Vec<f64> = thresholds
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    if let Operating::Fixed { theta_on, .. } = &operating {
        thetas.push(*theta_on);
    }
    thetas.sort_by(f64::total_cmp);
    thetas.dedup();

    let mut sweep = Vec::new();
    let mut leads = Vec::new();
    let mut polls_n = 0;
    for &theta in &thetas {
        let mut dcfg = cfg.detector.clone();
        dcfg.theta_on = theta;
        dcfg.theta_off = dcfg.theta_off.min(theta);
        let theta_off = dcfg.theta_off;
        analyzer.reset(dcfg.clone());
        let mut onsets: Vec<(String, f64)> = Vec::new();
        let mut polls: Vec<Poll> = Vec::new();
        // Per platform: the index of its last list (for the live titles of a poll).
        let mut last: [Option<usize>; Platform::COUNT] = [None; Platform::COUNT];
        // Per platform: minutes between its last two lists (a list counts until a newer one
        // is overdue, as in the engine).
        let mut gap = [0.0f64; Platform::COUNT];
        // Terms of the ▲ entries after an earlier list of the same time (label first).
        let mut earlier: Vec<Vec<String>> = Vec::new();
        for (i, s) in snaps.iter().enumerate() {
            let u = analyzer.process(s);
            let t = minutes(&s.captured_at);
            onsets.extend(u.onsets.iter().map(|k| (k.clone(), t)));
            let pi = s.platform.index();
            if let Some(j) = last[pi] {
                let g = t - minutes(&snaps[j].captured_at);
                if g > 0.0 {
                    gap[pi] = g;
                }
            }
            last[pi] = Some(i);
            if snaps
                .get(i + 1)
                .is_some_and(|n| n.captured_at == s.captured_at)
            {
                let shown = u.entries.iter().filter(|e| e.rising());
                earlier.extend(shown.map(|e| e.terms().map(str::to_string).collect()));
                continue;
            }
            // The live lists' ranked titles, as the panel groups them.
            let live: Vec<&Arc<TitleInfo>> = last
                .iter()
                .zip(gap)
                .filter_map(|(j, g)| Some((*j.as_ref()?, g)))
                .filter(|&(j, g)| list_is_live(t - minutes(&snaps[j].captured_at), g, &dcfg))
                .map(|(j, _)| j)
                .flat_map(|j| truth.terms[j].iter())
                .collect();
            let rising: Vec<Shown> = u
                .entries
                .iter()
                .filter(|e| e.rising())
                .map(|e| {
                    // The entry's titles: those containing one of its keys.
                    let titles = (0u32..)
                        .zip(&live)
                        .filter(|(_, info)| {
                            info.terms.iter().any(|k| e.keys.iter().any(|x| x == k))
                        })
                        .map(|(j, _)| j)
                        .collect();
                    Shown {
                        terms: e.terms().map(str::to_string).collect(),
                        score: e.score,
                        titles,
                        engine_titles: e.titles.total(),
                    }
                })
                .collect();
            let superseded = earlier
                .iter()
                .filter(|k| !rising.iter().any(|e| e.terms.contains(&k[0])))
                .count();
            polls.push(Poll {
                at: t,
                rising,
                rising_terms: u.rising.iter().cloned().collect(),
                superseded,
                earlier: std::mem::take(&mut earlier),
            });
        }
        polls_n = polls.len();
        let term = score_onsets(&truth, &onsets, hours);
        let (point, event_leads) =
            score_panel(theta, theta_off, df_max, &truth, &polls, hours, term);
        sweep.push(point);
        leads.push(event_leads);
    }
    let best_here = choose(&sweep);
    let op = match &operating {
        Operating::ChooseHere => best_here,
        Operating::Fixed { theta_on, .. } => sweep.iter().position(|p| p.theta_on == *theta_on),
    };
    let report = EvalReport {
        snapshots: snaps.len(),
        polls: polls_n,
        hours,
        events: truth.events.len(),
        left_censored: truth.left_censored,
        specific_df_max: df_max,
        sweep,
        operating_rule: operating,
        operating: op,
        best_here,
    };
    Detailed {
        report,
        events: truth.events.into_iter().map(|e| (e.title, e.at)).collect(),
        leads,
    }
}

/// The selection rule: best early recall with ≤ 2 false flags/hour; ties go to the higher
/// panel precision, then to fewer false flags.
pub fn choose(sweep: &[EvalPoint]) -> Option<usize> {
    sweep
        .iter()
        .enumerate()
        .filter(|(_, p)| p.false_flags_per_hour <= MAX_FALSE_FLAGS_PER_HOUR)
        .max_by(|(_, a), (_, b)| {
            a.recall
                .total_cmp(&b.recall)
                .then(a.panel_precision_6h.total_cmp(&b.panel_precision_6h))
                .then(b.false_flags_per_hour.total_cmp(&a.false_flags_per_hour))
        })
        .map(|(i, _)| i)
}

/// Does a Weibo top-10 title at a time in `window` (and, when `fresh_vs` is given, not in the
/// top 10 of that list) contain one of `terms`?
fn confirmed(
    truth: &Truth,
    terms: &[&str],
    from: f64,
    include_from: bool,
    fresh_vs: Option<&TopList>,
) -> bool {
    if terms.is_empty() {
        return false;
    }
    truth
        .top
        .iter()
        .filter(|l| {
            (l.at > from || (include_from && l.at == from)) && l.at - from <= PRECISION_WINDOW_MIN
        })
        .any(|l| {
            l.titles.iter().any(|(norm, info)| {
                fresh_vs.is_none_or(|f| !f.titles.iter().any(|(n, _)| n == norm))
                    && info.terms.iter().any(|k| terms.contains(&k.as_str()))
            })
        })
}

fn score_panel(
    theta: f64,
    theta_off: f64,
    df_max: u32,
    truth: &Truth,
    polls: &[Poll],
    hours: f64,
    term: TermOnsetPoint,
) -> (EvalPoint, Vec<Option<f64>>) {
    let empty = TopList {
        at: f64::NEG_INFINITY,
        titles: Vec::new(),
    };
    let mut counts = Vec::with_capacity(polls.len());
    let (mut pairs, mut precise, mut stale, mut fragment, mut mismatch) = (0, 0, 0, 0, 0);
    let mut in_top = 0;
    let (mut entry_onsets, mut false_onsets) = (0, 0);
    // Per term: the polls where it was a specific term of a ▲ entry.
    let mut shown: HashMap<&str, Vec<f64>> = HashMap::new();
    // The same, counting the ▲ entries after the earlier lists of each time.
    let mut shown_any: HashMap<&str, Vec<f64>> = HashMap::new();
    let mut prev: Option<&HashSet<String>> = None;
    for p in polls {
        let t = p.at;
        for k in p.earlier.iter().flatten() {
            if truth.df.specific(k, t, df_max) {
                shown_any.entry(k).or_default().push(t);
            }
        }
        counts.push(p.rising.len() as f64);
        // The poll's own Weibo list: its top 10 is "already there".
        let own = truth.top.iter().rev().find(|l| l.at <= t).unwrap_or(&empty);
        for (i, e) in p.rising.iter().enumerate() {
            pairs += 1;
            if e.score < theta_off {
                stale += 1;
            }
            if p.rising
                .iter()
                .enumerate()
                .any(|(j, f)| j != i && e.titles.iter().all(|x| f.titles.binary_search(x).is_ok()))
            {
                fragment += 1;
            }
            if e.titles.len() != e.engine_titles as usize {
                mismatch += 1;
            }
            let specific: Vec<&str> = e
                .terms
                .iter()
                .map(String::as_str)
                .filter(|k| truth.df.specific(k, t, df_max))
                .collect();
            for &k in &specific {
                shown_any.entry(k).or_default().push(t);
                shown.entry(k).or_default().push(t);
            }
            if confirmed(truth, &specific, t, false, Some(own)) {
                precise += 1;
            }
            let any = confirmed(truth, &specific, t, true, None);
            if any {
                in_top += 1;
            }
            let onset = prev.is_none_or(|r| !e.terms.iter().any(|k| r.contains(k)));
            if onset {
                entry_onsets += 1;
                if !any {
                    false_onsets += 1;
                }
            }
        }
        prev = Some(&p.rising_terms);
    }
    let (mut early, mut same, mut strict) = (0, 0, 0);
    let mut leads = Vec::new();
    let mut event_leads = Vec::with_capacity(truth.events.len());
    let early_any_list = truth
        .events
        .iter()
        .filter(|e| {
            e.terms.iter().any(|k| {
                shown_any
                    .get(k.as_str())
                    .is_some_and(|v| v.iter().any(|&t| t < e.at && e.at - t <= LOOKBACK_MIN))
            })
        })
        .count();
    for e in &truth.events {
        let before = |k: &String| {
            shown
                .get(k.as_str())
                .into_iter()
                .flatten()
                .copied()
                .filter(|&t| t <= e.at && e.at - t <= LOOKBACK_MIN)
                .min_by(f64::total_cmp)
        };
        let first = e.terms.iter().filter_map(before).min_by(f64::total_cmp);
        event_leads.push(first.filter(|&t| t < e.at).map(|t| e.at - t));
        match first {
            Some(t) if t < e.at => {
                early += 1;
                leads.push(e.at - t);
                if e.terms
                    .iter()
                    .any(|k| before(k).is_some_and(|t| t < e.at) && truth.df.max_df(k) <= df_max)
                {
                    strict += 1;
                }
            }
            Some(_) => same += 1,
            None => {}
        }
    }
    let point = EvalPoint {
        theta_on: theta,
        theta_off,
        early,
        same_poll: same,
        recall: ratio(early, truth.events.len()),
        median_lead_min: median(&mut leads),
        early_strict: strict,
        recall_strict: ratio(strict, truth.events.len()),
        entry_onsets,
        false_onsets,
        false_flags_per_hour: false_onsets as f64 / hours,
        rising_pairs: pairs,
        panel_precision_6h: ratio(precise, pairs),
        in_top10_6h: ratio(in_top, pairs),
        median_rising_per_poll: median(&mut counts).unwrap_or(0.0),
        max_rising_per_poll: counts.iter().fold(0.0f64, |a, &b| a.max(b)) as usize,
        stale,
        fragment,
        title_set_mismatches: mismatch,
        superseded: polls.iter().map(|p| p.superseded).sum(),
        early_any_list,
        term,
    };
    (point, event_leads)
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The previous protocol: onsets of any term, no specificity.
fn score_onsets(truth: &Truth, onsets: &[(String, f64)], hours: f64) -> TermOnsetPoint {
    let mut by_term: HashMap<&str, Vec<f64>> = HashMap::new();
    for (k, t) in onsets {
        by_term.entry(k.as_str()).or_default().push(*t);
    }
    let (mut early, mut same) = (0, 0);
    let mut leads = Vec::new();
    for e in &truth.events {
        let first = e
            .terms
            .iter()
            .filter_map(|k| by_term.get(k.as_str()))
            .flatten()
            .copied()
            .filter(|&t| t <= e.at && e.at - t <= LOOKBACK_MIN)
            .min_by(f64::total_cmp);
        match first {
            Some(t) if t < e.at => {
                early += 1;
                leads.push(e.at - t);
            }
            Some(_) => same += 1,
            None => {}
        }
    }
    let true_flags = onsets
        .iter()
        .filter(|(k, t)| {
            truth
                .top_times
                .get(k.as_str())
                .is_some_and(|ts| ts.iter().any(|&x| x >= *t && x - t <= PRECISION_WINDOW_MIN))
        })
        .count();
    let n = onsets.len();
    TermOnsetPoint {
        onsets: n,
        early,
        same_poll: same,
        recall: ratio(early, truth.events.len()),
        median_lead_min: median(&mut leads),
        false_flags_per_hour: (n - true_flags) as f64 / hours,
        precision_6h: ratio(true_flags, n),
    }
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[m - 1] + v[m]) / 2.0
    } else {
        v[m]
    })
}

fn lead(m: Option<f64>) -> String {
    m.map_or("-".to_string(), |m| format!("{m:.0} min"))
}

/// Text report: the sweep as two tables (the panel, then the previous term-onset protocol),
/// the operating point marked.
pub fn format_eval_report(r: &EvalReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} snapshots, {} polls over {:.1} h; {} events (titles first reaching the Weibo top {TOP}), {} left-censored",
        r.snapshots, r.polls, r.hours, r.events, r.left_censored
    );
    let mark = match &r.operating_rule {
        Operating::ChooseHere => {
            "◀ operating point (chosen on this file: best early recall at ≤ 2 false/h)".to_string()
        }
        Operating::Fixed { theta_on, source } => {
            format!("◀ operating point (θ_on = {theta_on}, {source})")
        }
    };
    let _ = writeln!(
        out,
        "\nkeyword panel: ▲ entries; a term is specific when df ≤ {} (distinct titles first seen in the last 24 h)",
        r.specific_df_max
    );
    let _ = writeln!(
        out,
        "{:>5} {:>5} {:>5} {:>4} {:>6} {:>7} {:>9} {:>8} {:>7} {:>8} {:>7} {:>7} {:>5} {:>5} {:>8}",
        "θ_on",
        "θ_off",
        "early",
        "same",
        "recall",
        "strict",
        "med lead",
        "▲ onsets",
        "false/h",
        "prec@6h",
        "in top",
        "▲/poll",
        "max▲",
        "stale",
        "fragment"
    );
    for (i, p) in r.sweep.iter().enumerate() {
        let m = if r.operating == Some(i) {
            mark.as_str()
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{:>5.2} {:>5.2} {:>5} {:>4} {:>5.1}% {:>6.1}% {:>9} {:>8} {:>7.2} {:>7.1}% {:>6.1}% {:>7.1} {:>5} {:>5} {:>8} {m}",
            p.theta_on,
            p.theta_off,
            p.early,
            p.same_poll,
            p.recall * 100.0,
            p.recall_strict * 100.0,
            lead(p.median_lead_min),
            p.entry_onsets,
            p.false_flags_per_hour,
            p.panel_precision_6h * 100.0,
            p.in_top10_6h * 100.0,
            p.median_rising_per_poll,
            p.max_rising_per_poll,
            p.stale,
            p.fragment
        );
    }
    let _ = writeln!(
        out,
        "strict: recall by terms specific throughout the file (no generic word that looked specific \
         while the 24 h df window filled, no story name that grew past D); in top: ▲ pairs with \
         a specific term in any top-10 title within 6 h, new or already there"
    );
    let _ = writeln!(
        out,
        "\nterm onsets (previous protocol: any term's off→on flag, no specificity)"
    );
    let _ = writeln!(
        out,
        "{:>5} {:>7} {:>5} {:>4} {:>6} {:>9} {:>7} {:>8}",
        "θ_on", "onsets", "early", "same", "recall", "med lead", "false/h", "prec@6h"
    );
    for (i, p) in r.sweep.iter().enumerate() {
        let m = if r.operating == Some(i) { "◀" } else { "" };
        let q = &p.term;
        let _ = writeln!(
            out,
            "{:>5.2} {:>7} {:>5} {:>4} {:>5.1}% {:>9} {:>7.2} {:>7.1}% {m}",
            p.theta_on,
            q.onsets,
            q.early,
            q.same_poll,
            q.recall * 100.0,
            lead(q.median_lead_min),
            q.false_flags_per_hour,
            q.precision_6h * 100.0
        );
    }
    if let Some(p) = r.operating_point().filter(|p| p.superseded > 0) {
        let _ = writeln!(
            out,
            "note: at θ_on = {}, {} ▲ entries shown after an earlier list of a poll's time were gone \
             after its last list (lists with the same timestamp); counting them, early recall would \
             be {:.1}% ({} events)",
            p.theta_on,
            p.superseded,
            ratio(p.early_any_list, r.events) * 100.0,
            p.early_any_list
        );
    }
    let mismatches: usize = r.sweep.iter().map(|p| p.title_set_mismatches).sum();
    if mismatches > 0 {
        let _ = writeln!(
            out,
            "warning: {mismatches} ▲ entries whose re-derived title set differs from the engine's count"
        );
    }
    match (&r.operating_rule, r.best_here) {
        (_, None) => {
            let _ = writeln!(
                out,
                "no θ_on kept false flags at or below {MAX_FALSE_FLAGS_PER_HOUR}/h on this file"
            );
        }
        (Operating::Fixed { .. }, Some(b)) if r.operating != Some(b) => {
            let _ = writeln!(
                out,
                "(for reference only, not used: on this file alone the rule would pick θ_on = {})",
                r.sweep[b].theta_on
            );
        }
        _ => {}
    }
    if r.operating.is_none()
        && let Operating::Fixed { theta_on, .. } = &r.operating_rule
    {
        let _ = writeln!(out, "θ_on = {theta_on} is not in the sweep");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn df_counts_titles_first_seen_in_the_last_day() {
        let mut d = DocFreq::default();
        d.times
            .insert("中国".into(), vec![0.0, 10.0, 1000.0, 1500.0]);
        assert_eq!(d.df("中国", 10.0), 2);
        assert_eq!(
            d.df("中国", 1440.0),
            2,
            "(t − 24 h, t]: the title at 0 has left"
        );
        assert_eq!(d.df("中国", 1500.0), 2);
        assert_eq!(d.df("旺旺", 1500.0), 0);
        assert!(d.specific("中国", 1500.0, 2));
        assert!(!d.specific("中国", 1500.0, 1));
        assert_eq!(d.max_df("中国"), 3, "10, 1000 and 1500 within one day");
        assert_eq!(d.max_df("旺旺"), 0);
    }

    #[test]
    fn the_rule_takes_best_recall_within_the_false_flag_budget() {
        let p = |theta: f64, recall: f64, fph: f64, prec: f64| EvalPoint {
            theta_on: theta,
            theta_off: 1.5,
            early: 0,
            same_poll: 0,
            recall,
            median_lead_min: None,
            early_strict: 0,
            recall_strict: 0.0,
            entry_onsets: 0,
            false_onsets: 0,
            false_flags_per_hour: fph,
            rising_pairs: 0,
            panel_precision_6h: prec,
            in_top10_6h: 0.0,
            median_rising_per_poll: 0.0,
            max_rising_per_poll: 0,
            stale: 0,
            fragment: 0,
            title_set_mismatches: 0,
            superseded: 0,
            early_any_list: 0,
            term: TermOnsetPoint {
                onsets: 0,
                early: 0,
                same_poll: 0,
                recall: 0.0,
                median_lead_min: None,
                false_flags_per_hour: 0.0,
                precision_6h: 0.0,
            },
        };
        let sweep = [
            p(1.0, 0.6, 2.5, 0.9),
            p(1.5, 0.5, 1.9, 0.7),
            p(2.0, 0.5, 1.0, 0.8),
            p(3.0, 0.2, 0.1, 0.95),
        ];
        assert_eq!(choose(&sweep), Some(2), "tie on recall: higher precision");
        assert_eq!(choose(&sweep[..1]), None);
    }
}
