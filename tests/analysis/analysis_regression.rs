//! Output stability: performance work on the analysis path (interned terms, top-N rows,
//! buffer reuse, the panel's grouping tables) must not change a single result. The digests
//! below were recorded when the keyword panel got its entries (issue 16: ▲ rising now, cooling,
//! one entry per story, the panel-level eval) and cover the headless JSON lines, every
//! field of every `AnalysisUpdate` (all keyword rows, histories, KOL trends) and the
//! evaluation reports, bit for bit (`{:?}` prints floats in their exact round-trip form).

use crate::analysis_support;

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
        // The `updates` digests print `AnalysisUpdate` with `{:?}`: they were re-recorded when
        // keyword rows gained `rising_on`, `PlatformCounts` became per-list and updates gained
        // the events and the list dynamics (issue 18), and again when events gained the titles
        // that joined a story (`joined`, stored in the history); the
        // headless and eval digests, which carry the results, did not change. All were re-recorded
        // when the segmenter's dictionary lost its rare generic words (issue 18's memory
        // budget): a title with such a word has other terms. The eval figures at the operating
        // point stayed those of the full dictionary (BENCHMARKS.md, "Every list (issue 18)").
        0xd263640ddbe960fe,
        0x82edecc8656897cc,
        0x826b851ec6d0646b,
        0xf0b4b82fe7ea8088,
        0xfe4ed5e16892a436,
        0x47488efb5d6009d3,
        0x7a9aaa8f45316a95,
        0xe6f8eee27aba279f,
        0xa4ebe07f78b85d2c,
        0x16366fbe68c409ad,
        0x207e30c4625ac1e1,
        0x0e97aa7bd23c9872,
        0xbb4c48771a6d38ae,
        0x82d10732ac02caa5,
    ];
    let got = digests();
    for (name, d) in &got {
        println!("{name}: {d:#018x}");
    }
    for ((name, d), e) in got.iter().zip(expected) {
        assert_eq!(*d, e, "{name} changed");
    }
    assert_eq!(got.len(), expected.len());
}
