//! Output stability: the performance work on the analysis path (interned terms, top-N rows,
//! buffer reuse) must not change a single result. The digests below were recorded from the
//! implementation before that work (commit 81a0dbc) and cover the headless JSON lines, every
//! field of every `AnalysisUpdate` (all keyword rows, histories, KOL trends) and the
//! evaluation reports, bit for bit (`{:?}` prints floats in their exact round-trip form).

mod analysis_support;

use analysis_support::{fixture, kol_cfg};
use resou::analysis::{AnalysisConfig, Analyzer, analyze_snapshots, evaluate};
use resou::domain::snapshot_file::SnapshotLine;

const FIXTURES: [&str; 3] = [
    "weibo_nateafish_2026-08-15.jsonl",
    "weibo_arandomguyhere_2026-08-15.jsonl",
    "trendradar_weibo_tieba_2025-10-15.jsonl",
];

/// FNV-1a, 64 bit: a stable digest without another dependency.
fn fnv(h: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *h ^= u64::from(b);
        *h = h.wrapping_mul(0x0100_0000_01b3);
    }
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

fn headless_digest(lines: &[SnapshotLine], cfg: &AnalysisConfig) -> u64 {
    let mut h = FNV_START;
    for p in analyze_snapshots(lines, cfg) {
        fnv(&mut h, p.to_json_line().as_bytes());
        fnv(&mut h, b"\n");
    }
    h
}

fn updates_digest(lines: &[SnapshotLine], cfg: &AnalysisConfig) -> u64 {
    let mut a = Analyzer::new(cfg);
    let mut h = FNV_START;
    for l in lines {
        let u = a.process(&l.to_snapshot());
        fnv(&mut h, format!("{u:?}").as_bytes());
    }
    h
}

fn digests() -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for name in FIXTURES {
        let lines = fixture(name);
        out.push((
            format!("{name} headless default"),
            headless_digest(&lines, &AnalysisConfig::default()),
        ));
        out.push((
            format!("{name} headless kols"),
            headless_digest(&lines, &kol_cfg()),
        ));
        out.push((
            format!("{name} updates kols"),
            updates_digest(&lines, &kol_cfg()),
        ));
        let small = AnalysisConfig {
            max_rows: Some(12),
            ..kol_cfg()
        };
        out.push((
            format!("{name} updates kols max_rows 12"),
            updates_digest(&lines, &small),
        ));
    }
    for name in &FIXTURES[..2] {
        let r = evaluate(
            &fixture(name),
            &AnalysisConfig::default(),
            &[1.0, 1.5, 2.0, 3.0, 5.0],
        );
        let mut h = FNV_START;
        fnv(&mut h, format!("{r:?}").as_bytes());
        out.push((format!("{name} eval"), h));
    }
    out
}

#[test]
fn results_match_the_recorded_digests() {
    let expected: [u64; 14] = [
        0x703333d75a503b85,
        0xe63aeebf25669f0f,
        0x5606573b4f9e88d1,
        0xcd3aa9cfcf630d09,
        0x2c91b5f5a10cf683,
        0xdf2eb8a316510df6,
        0xf038bd60413e0a26,
        0x5c5baaab5f1092e0,
        0xca86400487b96d5c,
        0xbd3274682c4a35a9,
        0xf80b4e97cc5f7ee2,
        0x1674be19ef6eea3b,
        0xce05295a337e2587,
        0xe9214ad6a325bbae,
    ];
    let got = digests();
    for ((name, d), e) in got.iter().zip(expected) {
        println!("{name}: {d:#018x}");
        assert_eq!(*d, e, "{name} changed");
    }
    assert_eq!(got.len(), expected.len());
}
