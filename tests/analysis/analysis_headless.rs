//! Headless replay, the worker thread, persistence across restarts, cross-platform flags.

use crate::analysis_support;

use std::time::Duration;

use analysis_support::fixture;
use resou::analysis::headless::RisingRow;
use resou::analysis::{
    AnalysisConfig, AnalysisEvent, Analyzer, Kol, analyze_snapshots, format_table, spawn_worker,
};
use resou::domain::Platform;

const TRENDRADAR: &str = "trendradar_weibo_tieba_2025-10-15.jsonl";
const NATEAFISH: &str = "weibo_nateafish_2026-08-15.jsonl";

#[test]
fn json_lines_have_the_documented_shape() {
    let lines = fixture(NATEAFISH);
    let polls = analyze_snapshots(&lines, &AnalysisConfig::default());
    assert_eq!(polls.len(), lines.len());
    let p = polls
        .iter()
        .find(|p| !p.rising.is_empty())
        .expect("something rises");
    let v: serde_json::Value = serde_json::from_str(&p.to_json_line()).unwrap();
    assert!(v["at"].as_str().unwrap().starts_with("2026-08-15T"));
    let r = &v["rising"][0];
    assert!(r["keyword"].is_string() && r["score"].is_f64() && r["titles"].as_u64() >= Some(1));
    assert_eq!(r["platforms"][0], "weibo");
    assert!(v["kols"].is_array());
    // Warm-up: the first poll never flags.
    assert!(polls[0].rising.is_empty());
    let table = format_table(&polls);
    assert_eq!(
        table
            .lines()
            .filter(|l| l.starts_with("2026-08-15"))
            .count(),
        lines.len()
    );
}

#[test]
fn rank_only_lists_and_cross_platform_corroboration() {
    // TrendRadar lists of 2025-10-15 have ranks only (rank weights); Weibo and Tieba sections
    // of the same files. The LoL Worlds teams trended on both (100T beat BLG at 19:00).
    let polls = analyze_snapshots(&fixture(TRENDRADAR), &AnalysisConfig::default());
    let cross: Vec<&RisingRow> = polls
        .iter()
        .flat_map(|p| p.rising.iter().filter(|r| r.cross_platform))
        .collect();
    let terms = |r: &&RisingRow| {
        std::iter::once(r.keyword.clone())
            .chain(r.with.iter().cloned())
            .collect::<Vec<_>>()
    };
    let row = cross
        .iter()
        .find(|r| terms(r).iter().any(|k| k == "blg"))
        .unwrap_or_else(|| panic!("{cross:?}"));
    assert_eq!(row.platforms, vec![Platform::Weibo, Platform::Tieba]);
    assert!(row.titles >= 2, "{row:?}");
}

#[test]
fn kol_mentions_reported_per_topic_and_over_time() {
    let lines = fixture(NATEAFISH);
    let cfg = AnalysisConfig {
        kols: vec![Kol::new("石平"), Kol::new("汪苏泷")],
        ..AnalysisConfig::default()
    };
    let mut a = Analyzer::new(&cfg);
    let mut last = None;
    for l in &lines {
        let u = a.process(&l.to_snapshot());
        for t in &u.kol_mentions {
            for m in &t.mentions {
                assert_eq!(
                    &t.title[m.span.clone()],
                    m.name,
                    "span in the original title"
                );
            }
        }
        last = Some(u);
    }
    let u = last.unwrap();
    let trend = u
        .kol_trends
        .iter()
        .find(|k| k.name == "汪苏泷")
        .expect("汪苏泷 mentioned");
    assert!(trend.history.iter().sum::<u32>() >= 3, "{trend:?}");
    assert!(trend.history.len() <= 48);
    let polls = analyze_snapshots(&lines, &cfg);
    assert!(polls.iter().any(|p| p.kols.iter().any(|k| k.kol == "石平")));
}

#[test]
fn keyword_rows_carry_history_counts_and_direction() {
    let lines = fixture(NATEAFISH);
    let mut a = Analyzer::new(&AnalysisConfig::default());
    let updates: Vec<_> = lines.iter().map(|l| a.process(&l.to_snapshot())).collect();
    let u = updates.last().unwrap();
    assert!(u.keywords.iter().all(|r| r.history.len() <= 48));
    // Rising rows come first, and `rising` lists exactly them.
    let n = u.keywords.iter().take_while(|r| r.rising).count();
    assert_eq!(u.rising.len(), n);
    let some = u
        .keywords
        .iter()
        .find(|r| r.titles.get(Platform::Weibo) > 0)
        .unwrap();
    assert_eq!(some.platforms, vec![Platform::Weibo]);
    assert_eq!(
        *some.history.last().unwrap() as f64,
        some.share as f32 as f64
    );
}

fn recv(rx: &std::sync::mpsc::Receiver<AnalysisEvent>) -> AnalysisEvent {
    rx.recv_timeout(Duration::from_secs(60))
        .expect("worker answers")
}

#[test]
fn worker_matches_headless_and_persists_baselines() {
    let lines = fixture(NATEAFISH);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("detector.json");
    let cfg = AnalysisConfig {
        state_path: Some(state.clone()),
        ..AnalysisConfig::default()
    };
    let (half_a, half_b) = lines.split_at(12);

    // First run: half a day, then stop (drop the sender) → the worker saves its state.
    let (tx, rx) = spawn_worker(cfg.clone());
    assert_eq!(recv(&rx), AnalysisEvent::DictionaryReady);
    let mut from_worker = Vec::new();
    for l in half_a {
        tx.send(l.to_snapshot().into()).unwrap();
        match recv(&rx) {
            AnalysisEvent::Update(u) => from_worker.push(u.rising.clone()),
            other => panic!("{other:?}"),
        }
    }
    drop(tx);
    // The event channel closes once the worker has saved and exited.
    assert!(rx.iter().all(|e| !matches!(e, AnalysisEvent::Warning(_))));
    assert!(state.exists());

    // Same path as the worker: identical rising lists.
    let mut a = Analyzer::new(&AnalysisConfig::default());
    let headless: Vec<_> = half_a
        .iter()
        .map(|l| a.process(&l.to_snapshot()).rising)
        .collect();
    assert_eq!(from_worker, headless);

    // Second run resumes the baselines: same result as one uninterrupted run.
    let (tx, rx) = spawn_worker(cfg);
    assert_eq!(recv(&rx), AnalysisEvent::DictionaryReady);
    let mut resumed = Vec::new();
    for l in half_b {
        tx.send(l.to_snapshot().into()).unwrap();
        if let AnalysisEvent::Update(u) = recv(&rx) {
            resumed.push(u.onsets.clone());
        }
    }
    drop(tx);
    let continued: Vec<_> = half_b
        .iter()
        .map(|l| a.process(&l.to_snapshot()).onsets)
        .collect();
    assert_eq!(resumed, continued);
}

#[test]
fn worker_warns_on_corrupt_state_and_carries_on() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("detector.json");
    std::fs::write(&state, "garbage").unwrap();
    let (tx, rx) = spawn_worker(AnalysisConfig {
        state_path: Some(state),
        ..AnalysisConfig::default()
    });
    match recv(&rx) {
        AnalysisEvent::Warning(w) => assert!(w.contains("detector.json"), "{w}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(recv(&rx), AnalysisEvent::DictionaryReady);
    tx.send(fixture(NATEAFISH)[0].to_snapshot().into()).unwrap();
    assert!(matches!(recv(&rx), AnalysisEvent::Update(_)));
}
