//! Evaluation protocol of trend-detection.md §7: events are titles first reaching the Weibo
//! top 10; a keyword onset of one of the title's terms before that is an early detection.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use serde::Serialize;

use super::engine::{AnalysisConfig, Analyzer, minutes};
use super::headless::sorted_lines;
use crate::domain::Platform;
use crate::domain::snapshot_file::SnapshotLine;

const TOP: u32 = 10;
const LOOKBACK_MIN: f64 = 24.0 * 60.0;
const PRECISION_WINDOW_MIN: f64 = 6.0 * 60.0;
/// False flags per hour allowed at the operating point.
pub const MAX_FALSE_FLAGS_PER_HOUR: f64 = 2.0;

/// Metrics at one θ_on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalPoint {
    pub theta_on: f64,
    pub onsets: usize,
    /// Events with an onset at least one poll before they reached the top 10.
    pub early: usize,
    /// Events whose first onset came in the same poll as the top-10 entry.
    pub same_poll: usize,
    pub recall: f64,
    /// Median lead over early detections, minutes.
    pub median_lead_min: Option<f64>,
    pub false_flags_per_hour: f64,
    pub precision_6h: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    pub snapshots: usize,
    pub hours: f64,
    /// Titles first reaching the top 10 after the first snapshot.
    pub events: usize,
    /// Titles already in the top 10 in the first snapshot (excluded).
    pub left_censored: usize,
    pub sweep: Vec<EvalPoint>,
    /// Index into `sweep`: best recall with ≤ 2 false flags per hour.
    pub operating: Option<usize>,
}

impl EvalReport {
    pub fn operating_point(&self) -> Option<&EvalPoint> {
        self.operating.and_then(|i| self.sweep.get(i))
    }
}

struct Event {
    at: f64,
    terms: Vec<String>,
}

/// Replay `lines` once per θ_on in `thresholds` through the production path and score it.
pub fn evaluate(lines: &[SnapshotLine], cfg: &AnalysisConfig, thresholds: &[f64]) -> EvalReport {
    let lines = sorted_lines(lines);
    let snaps: Vec<_> = lines.iter().map(|l| l.to_snapshot()).collect();
    let mut analyzer = Analyzer::new(cfg);

    // Ground truth from the Weibo lists.
    let mut events = Vec::new();
    let mut seen_top: HashSet<String> = HashSet::new();
    let mut top_times: HashMap<String, Vec<f64>> = HashMap::new();
    let mut left_censored = 0;
    let mut first_weibo = true;
    for s in snaps.iter().filter(|s| s.platform == Platform::Weibo) {
        let t = minutes(&s.captured_at);
        for topic in s.ranked.iter().filter(|x| x.rank.is_some_and(|r| r <= TOP)) {
            let info = analyzer.title_info(
                topic.title.as_str(),
                topic.query.as_ref().map(|q| q.as_str()),
            );
            for term in &info.terms {
                top_times.entry(term.clone()).or_default().push(t);
            }
            if seen_top.insert(topic.key().norm) {
                if first_weibo {
                    left_censored += 1;
                } else {
                    events.push(Event {
                        at: t,
                        terms: info.terms.clone(),
                    });
                }
            }
        }
        first_weibo = false;
    }
    let (t0, t1) = match (snaps.first(), snaps.last()) {
        (Some(a), Some(b)) => (minutes(&a.captured_at), minutes(&b.captured_at)),
        _ => (0.0, 0.0),
    };
    let hours = ((t1 - t0) / 60.0).max(f64::MIN_POSITIVE);

    let mut sweep = Vec::new();
    for &theta in thresholds {
        let mut dcfg = cfg.detector.clone();
        dcfg.theta_on = theta;
        dcfg.theta_off = dcfg.theta_off.min(theta);
        analyzer.reset(dcfg);
        let mut onsets: Vec<(String, f64)> = Vec::new();
        for s in &snaps {
            let u = analyzer.process(s);
            let t = minutes(&s.captured_at);
            onsets.extend(u.onsets.into_iter().map(|k| (k, t)));
        }
        sweep.push(score(theta, &events, &onsets, &top_times, hours));
    }
    let operating = sweep
        .iter()
        .enumerate()
        .filter(|(_, p)| p.false_flags_per_hour <= MAX_FALSE_FLAGS_PER_HOUR)
        .max_by(|(_, a), (_, b)| {
            a.recall
                .total_cmp(&b.recall)
                .then(b.false_flags_per_hour.total_cmp(&a.false_flags_per_hour))
        })
        .map(|(i, _)| i);
    EvalReport {
        snapshots: snaps.len(),
        hours,
        events: events.len(),
        left_censored,
        sweep,
        operating,
    }
}

fn score(
    theta: f64,
    events: &[Event],
    onsets: &[(String, f64)],
    top_times: &HashMap<String, Vec<f64>>,
    hours: f64,
) -> EvalPoint {
    let mut by_term: HashMap<&str, Vec<f64>> = HashMap::new();
    for (k, t) in onsets {
        by_term.entry(k.as_str()).or_default().push(*t);
    }
    let (mut early, mut same) = (0, 0);
    let mut leads = Vec::new();
    for e in events {
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
            top_times
                .get(k.as_str())
                .is_some_and(|ts| ts.iter().any(|&x| x >= *t && x - t <= PRECISION_WINDOW_MIN))
        })
        .count();
    let n = onsets.len();
    EvalPoint {
        theta_on: theta,
        onsets: n,
        early,
        same_poll: same,
        recall: if events.is_empty() {
            0.0
        } else {
            early as f64 / events.len() as f64
        },
        median_lead_min: median(&mut leads),
        false_flags_per_hour: (n - true_flags) as f64 / hours,
        precision_6h: if n == 0 {
            0.0
        } else {
            true_flags as f64 / n as f64
        },
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

/// Text report: the sweep as a table, the operating point marked.
pub fn format_eval_report(r: &EvalReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} snapshots over {:.1} h; {} events (titles first reaching the Weibo top {TOP}), {} left-censored",
        r.snapshots, r.hours, r.events, r.left_censored
    );
    let _ = writeln!(
        out,
        "{:>6} {:>7} {:>6} {:>5} {:>7} {:>11} {:>9} {:>8}",
        "θ_on", "onsets", "early", "same", "recall", "median lead", "false/h", "prec@6h"
    );
    for (i, p) in r.sweep.iter().enumerate() {
        let mark = if r.operating == Some(i) {
            " ◀ operating point"
        } else {
            ""
        };
        let lead = p
            .median_lead_min
            .map_or("-".to_string(), |m| format!("{m:.0} min"));
        let _ = writeln!(
            out,
            "{:>6.2} {:>7} {:>6} {:>5} {:>6.1}% {:>11} {:>9.2} {:>7.1}%{mark}",
            p.theta_on,
            p.onsets,
            p.early,
            p.same_poll,
            p.recall * 100.0,
            lead,
            p.false_flags_per_hour,
            p.precision_6h * 100.0
        );
    }
    if r.operating.is_none() {
        let _ = writeln!(
            out,
            "no θ_on kept false flags at or below {MAX_FALSE_FLAGS_PER_HOUR}/h"
        );
    }
    out
}
