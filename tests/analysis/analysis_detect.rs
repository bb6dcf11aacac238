//! Detector maths (trend-detection.md §5–6) on hand-built inputs.

use std::collections::HashMap;

use resou::analysis::detect::{
    Detector, DetectorConfig, Ewma, Kleinberg, TermInput, Transition, alpha,
};
use resou::domain::Platform;

/// The detector takes a slice; tests build maps for readability.
fn step(
    d: &mut Detector,
    t: f64,
    p: Platform,
    m: &HashMap<&str, TermInput>,
    n: u32,
) -> resou::analysis::detect::StepResult {
    let v: Vec<(&str, TermInput)> = m.iter().map(|(k, v)| (*k, *v)).collect();
    d.step(t, p, &v, n)
}

fn cfg() -> DetectorConfig {
    DetectorConfig {
        warmup_min: 0.0,
        kleinberg: false,
        ..DetectorConfig::default()
    }
}

/// A detector that has seen one (empty) list of each platform at t = −1: terms that appear
/// later are news, not the cold-start baseline.
fn primed(c: DetectorConfig) -> Detector {
    let mut d = Detector::new(c);
    for p in [Platform::Weibo, Platform::Tieba] {
        d.step(-1.0, p, &[], 80);
    }
    d
}

fn input(share: f64) -> TermInput {
    TermInput {
        share,
        titles: u32::from(share > 0.0),
        platform_share: share,
    }
}

/// Feed one term's share series at the given minutes; returns the transitions.
fn run(d: &mut Detector, series: &[(f64, f64)]) -> Vec<(f64, &'static str)> {
    let mut out = Vec::new();
    for &(t, x) in series {
        let mut m = HashMap::new();
        if x > 0.0 {
            m.insert("k", input(x));
        }
        let r = step(d, t, Platform::Weibo, &m, 80);
        if !r.onsets.is_empty() {
            out.push((t, "on"));
        }
        if !r.offsets.is_empty() {
            out.push((t, "off"));
        }
    }
    out
}

#[test]
fn cold_start_threshold_is_one_plus_theta_times_beta() {
    let c = cfg();
    let edge = (1.0 + c.theta_on) * c.beta; // 0.04
    let mut below = Ewma::new(edge - 1e-6, 0.0);
    assert_eq!(below.step(edge - 1e-6, 1.0, &c, true), Transition::None);
    let mut above = Ewma::new(edge + 1e-6, 0.0);
    assert_eq!(above.step(edge + 1e-6, 1.0, &c, true), Transition::On);
    assert!((above.z - c.theta_on).abs() < 1e-3, "z = {}", above.z);
}

#[test]
fn alpha_is_time_aware() {
    assert!((alpha(120.0, 120.0) - 0.5).abs() < 1e-12);
    assert!((alpha(240.0, 120.0) - 0.75).abs() < 1e-12);
    assert_eq!(alpha(0.0, 120.0), 0.0);
    // Irregular gaps: one 10-minute step moves the baseline as far as ten 1-minute steps.
    let c = cfg();
    let (mut a, mut b) = (Ewma::new(0.05, 0.0), Ewma::new(0.05, 0.0));
    a.step(0.05, 10.0, &c, false);
    for t in 1..=10 {
        b.step(0.05, f64::from(t), &c, false);
    }
    assert!((a.mu - b.mu).abs() < 1e-12, "{} vs {}", a.mu, b.mu);
}

#[test]
fn hysteresis_needs_m_polls_below_theta_off() {
    let c = cfg();
    // 30-minute polls (archive spacing): baseline 0.01 for 10 h, a burst to 0.08 for 3 h, then back.
    let series: Vec<f64> = (0..20)
        .map(|_| 0.01)
        .chain((0..6).map(|_| 0.08))
        .chain((0..12).map(|_| 0.01))
        .collect();
    let mut e = Ewma::new(series[0], 0.0);
    let (mut on, mut off, mut below) = (None, None, 0);
    for (i, &x) in series.iter().enumerate() {
        let was = e.flagged;
        let tr = e.step(x, i as f64 * 30.0, &c, true);
        if was {
            below = if e.z < c.theta_off { below + 1 } else { 0 };
            // Leaves exactly at the m-th consecutive poll below θ_off, never before.
            assert_eq!(
                tr == Transition::Off,
                below == c.off_polls as usize,
                "poll {i}"
            );
        } else if tr == Transition::On {
            assert!(e.z >= c.theta_on && e.f >= c.x_min);
            on.get_or_insert(i);
            below = 0;
        }
        if tr == Transition::Off {
            off.get_or_insert(i);
        }
    }
    let (on, off) = (on.expect("flags the burst"), off.expect("leaves after it"));
    assert_eq!(on, 20, "flags at the first burst poll");
    assert!(off >= 20 + 2, "off at {off}: needs m polls below θ_off");
}

#[test]
fn flag_holds_while_z_stays_between_thresholds() {
    let c = cfg();
    let mut e = Ewma::new(0.0, 0.0);
    e.flagged = true;
    e.mu = 0.02;
    e.v = 0.0;
    e.f = 0.04; // z = (0.04 - 0.02) / 0.01 = 2 ∈ [θ_off, θ_on)
    e.t_last = 0.0;
    for t in 1..10 {
        e.mu = 0.02;
        e.v = 0.0;
        assert_eq!(
            e.step(0.04, f64::from(t) * 1e-9, &c, true),
            Transition::None
        );
        assert!(e.flagged);
    }
}

#[test]
fn warm_up_suppresses_flags() {
    let mut d = Detector::new(DetectorConfig {
        warmup_min: 30.0,
        ..cfg()
    });
    // A jump at minute 10 is inside warm-up; the same jump for a new term at 40 flags.
    let tr = run(&mut d, &[(0.0, 0.0), (10.0, 0.1)]);
    assert!(tr.is_empty(), "{tr:?}");
    assert!(d.in_warmup(29.0) && !d.in_warmup(30.0));
    let mut m = HashMap::new();
    m.insert("new", input(0.1));
    assert_eq!(
        step(&mut d, 40.0, Platform::Weibo, &m, 80).onsets,
        vec!["new".to_string()]
    );
}

#[test]
fn absent_terms_decay_and_are_evicted() {
    let c = cfg();
    let mut d = Detector::new(c.clone());
    run(&mut d, &[(0.0, 0.05)]);
    assert!(d.terms.contains_key("k"));
    // Absent for a day at hourly polls: updated with zero every poll, baseline decays.
    let mut t = 0.0;
    while t < c.evict_absent_min {
        t += 60.0;
        run(&mut d, &[(t, 0.0)]);
        if t < c.evict_absent_min {
            assert!(d.terms.contains_key("k"), "kept at {t}");
        }
    }
    run(&mut d, &[(t + 60.0, 0.0)]);
    assert!(
        !d.terms.contains_key("k"),
        "evicted after {} min absent",
        c.evict_absent_min
    );
}

#[test]
fn out_of_order_poll_is_ignored() {
    let mut d = Detector::new(cfg());
    run(&mut d, &[(100.0, 0.05)]);
    let before = d.clone();
    run(&mut d, &[(50.0, 0.5)]);
    assert_eq!(d, before);
}

#[test]
fn persistence_round_trip() {
    let mut d = Detector::new(cfg());
    run(&mut d, &[(0.0, 0.01), (60.0, 0.02), (120.0, 0.09)]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/detector.json");
    d.save(&path).unwrap();
    let back = Detector::load(&path, cfg()).unwrap();
    // JSON keeps floats to within an ulp; flags, clocks and history exactly.
    assert_eq!(back.terms.len(), d.terms.len());
    let (x, y) = (&back.terms["k"], &d.terms["k"]);
    assert!((x.all.mu - y.all.mu).abs() < 1e-15 && (x.all.v - y.all.v).abs() < 1e-15);
    assert_eq!(
        (x.rising, &x.history, back.last_poll),
        (y.rising, &y.history, d.last_poll)
    );
    // The restored detector continues exactly like the original.
    let (mut a, mut b) = (d, back);
    assert_eq!(run(&mut a, &[(180.0, 0.01)]), run(&mut b, &[(180.0, 0.01)]));
    assert_eq!(a.terms["k"].all.flagged, b.terms["k"].all.flagged);
    // A corrupt file is a clear error naming it.
    std::fs::write(&path, "{not json").unwrap();
    let err = Detector::load(&path, cfg()).unwrap_err().to_string();
    assert!(err.contains("detector.json"), "{err}");
}

#[test]
fn kleinberg_switches_after_about_six_polls() {
    // Reference example: d = 80, p0 = 0.5/80, s = 3, a term in 2 titles per 1-minute poll,
    // τ01 = ln 1440 ≈ 7.3, ≈ 1.2 nats gained per poll.
    let c = DetectorConfig {
        kleinberg_s: 3.0,
        ..cfg()
    };
    let tau = 1440f64.ln();
    let mut k = Kleinberg::new(0.0, tau);
    let mut switched = None;
    for poll in 1..=20 {
        k.step(2, 80, f64::from(poll), tau, &c);
        if k.burst() {
            switched = Some(poll);
            break;
        }
    }
    let n = switched.expect("bursts");
    assert!((6..=7).contains(&n), "switched after {n} polls");
    // Zero counts bring it back to the base state.
    for poll in 21..30 {
        k.step(0, 80, f64::from(poll), tau, &c);
    }
    assert!(!k.burst());
}

#[test]
fn kleinberg_flags_low_count_terms_through_the_detector() {
    let c = DetectorConfig {
        kleinberg: true,
        theta_on: 1e9,
        ..cfg()
    };
    let mut d = primed(c);
    let mut on = None;
    for t in 0..20 {
        let mut m = HashMap::new();
        m.insert(
            "k",
            TermInput {
                share: 0.005 + 0.0001 * f64::from(t),
                titles: 2,
                platform_share: 0.005,
            },
        );
        if !step(&mut d, f64::from(t), Platform::Weibo, &m, 80)
            .onsets
            .is_empty()
        {
            on = Some(t);
            break;
        }
    }
    // The EWMA cannot flag (θ_on huge); only the Kleinberg fallback can.
    assert!(on.is_some_and(|t| (4..=8).contains(&t)), "{on:?}");
}

#[test]
fn cross_platform_needs_both_platform_flags() {
    let mut d = primed(cfg());
    let mut m = HashMap::new();
    m.insert("k", input(0.1));
    step(&mut d, 0.0, Platform::Weibo, &m, 80);
    assert!(d.terms["k"].flagged_on(Platform::Weibo) && !d.terms["k"].cross_platform());
    step(&mut d, 1.0, Platform::Tieba, &m, 80);
    assert!(d.terms["k"].cross_platform());
}

#[test]
fn lazy_catch_up_of_absent_terms_equals_stepping_every_poll() {
    // The detector skips quiet absent terms and catches them up when they reappear; the
    // baseline must equal stepping an Ewma with x = 0 at every poll in between.
    let c = cfg();
    let mut d = primed(c.clone());
    let series = [
        (0.0, 0.03),
        (60.0, 0.02),
        (90.0, 0.0),
        (200.0, 0.0),
        (230.0, 0.0),
        (300.0, 0.05),
    ];
    // New at t = 0 (first seen in the poll after the primed one at −1).
    let mut eager = Ewma::new(series[0].1, -1.0);
    for &(t, x) in &series {
        let mut m = HashMap::new();
        m.insert("k", input(x));
        // A second, always-present term keeps the polls going while `k` is absent.
        m.insert("other", input(0.01));
        if x == 0.0 {
            m.remove("k");
        }
        step(&mut d, t, Platform::Weibo, &m, 80);
        eager.step(x, t, &c, true);
    }
    let lazy = &d.terms["k"].all;
    assert!(
        (lazy.mu - eager.mu).abs() < 1e-12,
        "{} vs {}",
        lazy.mu,
        eager.mu
    );
    assert!((lazy.v - eager.v).abs() < 1e-12 && (lazy.f - eager.f).abs() < 1e-12);
    assert!((lazy.z - eager.z).abs() < 1e-9);
    assert!((lazy.m - eager.m).abs() < 1e-12 && lazy.growing == eager.growing);
    // History has one point per poll, zeros while absent.
    let h: Vec<f32> = d.terms["k"].history.iter().copied().collect();
    assert_eq!(h, vec![0.03, 0.02, 0.0, 0.0, 0.0, 0.05]);
}
