//! Evaluation of the keyword panel on the real archives (trend-detection.md §7, issue 16):
//! the operating point is chosen on the hourly archive (tuning) and the ~30-min and
//! 2025-10-15 Weibo+Tieba archives are evaluated at it (held out, never tuned on). Also the
//! reference's 靖国神社 / 旺旺 examples replayed through the production path.

use crate::analysis_support;

use analysis_support::fixture;
use resou::analysis::eval::{MAX_FALSE_FLAGS_PER_HOUR, SPECIFIC_DF_MAX, SWEEP};
use resou::analysis::{
    AnalysisConfig, EvalPoint, EvalReport, Operating, analyze_snapshots, document_frequency,
    evaluate, evaluate_at, format_eval_report,
};
use resou::config::{Config, KEYWORD_ROWS, OPERATING_THETA_ON};

const NATEAFISH: &str = "weibo_nateafish_2026-08-15.jsonl";
const ARANDOM: &str = "weibo_arandomguyhere_2026-08-15.jsonl";
const TRENDRADAR: &str = "trendradar_weibo_tieba_2025-10-15.jsonl";

/// What the app runs (and `resou eval` replays): its detector config (θ_on at the operating
/// point) and its keyword-panel size, without user dictionaries or KOL lists.
fn cfg() -> AnalysisConfig {
    AnalysisConfig {
        detector: Config::default().analysis.detector,
        max_rows: Some(KEYWORD_ROWS),
        ..AnalysisConfig::default()
    }
}

fn tune(name: &str) -> EvalReport {
    let r = evaluate(&fixture(name), &cfg(), &SWEEP);
    println!("{name} (tuning)\n{}", format_eval_report(&r));
    r
}

fn held_out(name: &str) -> EvalReport {
    let operating = Operating::Fixed {
        theta_on: OPERATING_THETA_ON,
        source: format!("chosen on {NATEAFISH}"),
    };
    let r = evaluate_at(&fixture(name), &cfg(), &SWEEP, operating);
    println!("{name} (held out)\n{}", format_eval_report(&r));
    r
}

/// What must hold at every θ_on: no ▲ entry below θ_off, no ▲ entry inside another, and the
/// title sets the evaluation re-derives agree with the engine's counts.
fn panel_invariants(r: &EvalReport) {
    assert!(!r.sweep.is_empty());
    for p in &r.sweep {
        assert_eq!(p.stale, 0, "θ_on {}: stale ▲ entries", p.theta_on);
        assert_eq!(p.fragment, 0, "θ_on {}: fragment ▲ entries", p.theta_on);
        assert_eq!(p.title_set_mismatches, 0, "θ_on {}", p.theta_on);
        assert!(p.early_strict <= p.early && p.early <= r.events);
        assert!(p.max_rising_per_poll as f64 >= p.median_rising_per_poll);
        assert!(p.early <= p.early_any_list);
    }
    // Something is measured at all: ▲ entries at the most permissive θ_on.
    assert!(r.sweep[0].rising_pairs > 0);
}

/// What both Weibo archives must keep at the operating point: false flags within the limit,
/// early recall, strict recall and panel precision at least these floors, a median lead of at
/// least 5 h, and at most 8 ▲ entries per poll (median).
fn floors(op: &EvalPoint, recall: f64, strict: f64, precision: f64) {
    assert!(op.false_flags_per_hour <= MAX_FALSE_FLAGS_PER_HOUR);
    assert!(op.recall >= recall, "recall {}", op.recall);
    assert!(
        op.recall_strict >= strict,
        "strict recall {}",
        op.recall_strict
    );
    assert!(
        op.median_lead_min.is_some_and(|m| m >= 300.0),
        "{:?}",
        op.median_lead_min
    );
    assert!(
        op.panel_precision_6h >= precision,
        "{}",
        op.panel_precision_6h
    );
    assert!(op.median_rising_per_poll <= 8.0);
}

/// Floors a little below the figures measured (hourly, θ_on = 1.0: early recall 42.6 %
/// (strict 25.0 %), median lead 600 min, 1.00 false/h, panel precision@6h 22.1 %, ▲ per poll
/// median 5 / max 12).
#[test]
fn hourly_archive_chooses_the_operating_point() {
    let r = tune(NATEAFISH);
    // Event counts match the reference's independent count (68 + 10 left-censored).
    assert_eq!((r.events, r.left_censored), (68, 10));
    assert_eq!(r.polls, 23);
    panel_invariants(&r);
    let op = r
        .operating_point()
        .expect("an operating point at ≤ 2 false flags/h");
    assert_eq!(
        op.theta_on, OPERATING_THETA_ON,
        "the app's θ_on is the one chosen on the hourly archive"
    );
    floors(op, 0.39, 0.22, 0.18);
    // One list per poll time: nothing is superseded within a poll.
    assert!(
        r.sweep
            .iter()
            .all(|p| p.superseded == 0 && p.early_any_list == p.early)
    );
    // More permissive θ, at least as many term onsets (the detector's own monotonicity).
    assert!(
        r.sweep
            .windows(2)
            .all(|w| w[0].term.onsets >= w[1].term.onsets)
    );
}

/// Held out: evaluated at the θ_on chosen on the hourly archive. Floors a little below the
/// figures measured (θ_on = 1.0: early recall 38.6 % (strict 21.7 %), median lead 519 min,
/// 1.36 false/h, panel precision@6h 19.4 %, ▲ per poll median 5 / max 8). The goals
/// (recall ≥ 60 %, panel precision ≥ 70 %) are not reached; see README, "Evaluation".
#[test]
fn half_hourly_archive_at_the_hourly_operating_point() {
    let r = held_out(ARANDOM);
    assert_eq!((r.events, r.left_censored), (83, 10));
    assert_eq!(r.polls, 44);
    panel_invariants(&r);
    let op = r
        .operating_point()
        .expect("the hourly θ_on is in the sweep");
    assert_eq!(op.theta_on, OPERATING_THETA_ON);
    floors(op, 0.35, 0.19, 0.16);
    assert!(r.sweep.iter().all(|p| p.superseded == 0));
}

/// Held out, Weibo + Tieba by rank only, one list of each every ~2 h with the same timestamp.
/// The second list of a time corrects the level measured with the other platform's older list
/// (it used to be a second step scoring against the baseline just updated, which erased that
/// time's Weibo ▲ entries: 154 lost). Measured at θ_on = 1.0: 25 of 68 events (36.8 %) early,
/// 3 ▲ entries lost between same-time lists; a median of 18.5 ▲ entries per poll (2 h apart,
/// most titles of both lists are new at every poll: the goal of ≤ 8 is not met on this file).
#[test]
fn weibo_tieba_archive_at_the_hourly_operating_point() {
    let r = held_out(TRENDRADAR);
    assert_eq!((r.events, r.left_censored), (68, 10));
    assert_eq!((r.snapshots, r.polls), (24, 12));
    panel_invariants(&r);
    let op = r
        .operating_point()
        .expect("the hourly θ_on is in the sweep");
    assert_eq!(op.theta_on, OPERATING_THETA_ON);
    assert!(op.recall >= 0.30, "recall {}", op.recall);
    assert!(op.superseded <= 10, "{}", op.superseded);
    assert!(op.early_any_list >= 21, "{}", op.early_any_list);
}

/// `D` separates story names from generic words on the tuning archive (see
/// `SPECIFIC_DF_MAX`): the words the reference calls generic exceed it over the day, the
/// names of its example stories do not.
#[test]
fn specificity_threshold_separates_names_from_generic_words() {
    let lines = fixture(NATEAFISH);
    let df = document_frequency(&lines, &cfg());
    for generic in ["中国", "日本"] {
        assert!(df.max_df(generic) > SPECIFIC_DF_MAX, "{generic}");
    }
    for name in ["靖国神社", "石平", "小泉进次郎", "胖东来"] {
        assert!(df.max_df(name) <= SPECIFIC_DF_MAX, "{name}");
    }
}

/// Replaying with `Analyzer::reset` between thresholds gives what a fresh analyser gives.
#[test]
fn a_sweep_point_does_not_depend_on_the_thresholds_before_it() {
    let lines = fixture(NATEAFISH);
    let alone = evaluate(&lines, &cfg(), &[1.5]);
    let swept = evaluate(&lines, &cfg(), &[1.0, 1.5]);
    assert_eq!(alone.point(1.5), swept.point(1.5));
}

fn hour(p: &resou::analysis::PollAnalysis) -> u32 {
    use chrono::Timelike;
    p.at.hour()
}

#[test]
fn wangwang_is_a_rising_entry_while_it_sits_in_several_titles() {
    // 旺旺 sat in 2–5 simultaneous titles from 00:00 to 15:00; the panel shows it as one ▲
    // entry (label or one of its terms) over several titles.
    let polls = analyze_snapshots(&fixture(NATEAFISH), &cfg());
    let (poll, row) = polls
        .iter()
        .find_map(|p| {
            let row = p
                .rising
                .iter()
                .find(|r| r.keyword == "旺旺" || r.with.iter().any(|w| w == "旺旺"))?;
            Some((p, row))
        })
        .expect("旺旺 in a ▲ entry");
    assert!(hour(poll) < 6, "first ▲ at {}", poll.at);
    assert!(row.titles >= 2, "{row:?}");
}

#[test]
fn yasukuni_is_one_term_across_titles_and_flagged_by_its_peak() {
    // 09:00 rank 18 日本防相小泉进次郎参拜靖国神社, 12:00 rank 12 外交部回应日方政要参拜靖国神社,
    // 20:00 rank 1 汉奸石平参拜靖国神社.
    let lines = fixture(NATEAFISH);
    // Every keyword row (the app builds 60), to read the term's share at rank 18.
    let all_rows = AnalysisConfig {
        max_rows: None,
        ..cfg()
    };
    let mut a = resou::analysis::Analyzer::new(&all_rows);
    let mut shares = Vec::new();
    let mut onset = None;
    let mut panel_at_peak = false;
    for l in &lines {
        let u = a.process(&l.to_snapshot());
        let row = u.keywords.iter().find(|r| r.keyword == "靖国神社");
        shares.push((u.at, row.map_or(0.0, |r| r.share)));
        if onset.is_none() && u.onsets.iter().any(|k| k == "靖国神社") {
            onset = Some(u.at);
        }
        use chrono::Timelike;
        if u.at.hour() == 20 {
            panel_at_peak = u
                .entries
                .iter()
                .any(|e| e.rising() && e.terms().any(|k| k == "靖国神社"));
        }
    }
    let share_at = |h: u32| {
        use chrono::Timelike;
        shares
            .iter()
            .find(|(t, _)| t.hour() == h)
            .map_or(0.0, |s| s.1)
    };
    assert!(share_at(9) > 0.0 && share_at(12) > 0.0, "{shares:?}");
    assert!(share_at(20) > share_at(12));
    let onset = onset.expect("靖国神社 flagged");
    use chrono::Timelike;
    assert!(onset.hour() <= 20, "flagged at {onset}");
    assert!(panel_at_peak, "靖国神社 in a ▲ entry at 20:00");
}
