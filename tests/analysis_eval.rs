//! Evaluation on the real 2026-08-15 Weibo archives (trend-detection.md §7).

use std::io::BufReader;

use resou::analysis::{AnalysisConfig, EvalReport, evaluate, format_eval_report};
use resou::domain::snapshot_file::{SnapshotLine, read_lines};

fn fixture(name: &str) -> Vec<SnapshotLine> {
    let path = format!("{}/tests/fixtures/analysis/{name}", env!("CARGO_MANIFEST_DIR"));
    let f = std::fs::File::open(&path).unwrap();
    read_lines(BufReader::new(f), &path).unwrap()
}

const SWEEP: [f64; 8] = [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0];

fn run(name: &str) -> EvalReport {
    let r = evaluate(&fixture(name), &AnalysisConfig::default(), &SWEEP);
    println!("{name}\n{}", format_eval_report(&r));
    r
}

#[test]
fn print_reports() {
    run("weibo_nateafish_2026-08-15.jsonl");
    run("weibo_arandomguyhere_2026-08-15.jsonl");
}

#[test]
fn print_no_kleinberg() {
    let mut cfg = AnalysisConfig::default();
    cfg.detector.kleinberg = false;
    for n in ["weibo_nateafish_2026-08-15.jsonl", "weibo_arandomguyhere_2026-08-15.jsonl"] {
        let r = evaluate(&fixture(n), &cfg, &SWEEP);
        println!("NO KB {n}\n{}", format_eval_report(&r));
    }
}
