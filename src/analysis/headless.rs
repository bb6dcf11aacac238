//! Replay snapshot files through the production path (`resou analyze`): one JSON line or
//! one table line per processed poll.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::engine::{AnalysisConfig, AnalysisUpdate, Analyzer};
use crate::domain::Platform;
use crate::domain::snapshot_file::SnapshotLine;

/// One ▲ entry of the keyword panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RisingRow {
    /// The entry's label.
    pub keyword: String,
    /// The other terms of its titles.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<String>,
    pub score: f64,
    /// Rising since.
    pub since: Option<DateTime<FixedOffset>>,
    pub platforms: Vec<Platform>,
    pub titles: u32,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cross_platform: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KolRow {
    pub topic: String,
    pub platform: Platform,
    pub kol: String,
    /// Byte range in the title.
    pub span: [usize; 2],
}

/// One processed poll; serialises to one JSON line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PollAnalysis {
    pub at: DateTime<FixedOffset>,
    pub platform: Platform,
    pub rising: Vec<RisingRow>,
    pub onsets: Vec<String>,
    pub kols: Vec<KolRow>,
}

impl PollAnalysis {
    pub fn from_update(u: &AnalysisUpdate) -> PollAnalysis {
        PollAnalysis {
            at: u.at,
            platform: u.platform,
            rising: u
                .entries
                .iter()
                .filter(|r| r.rising())
                .map(|r| RisingRow {
                    keyword: r.label.to_string(),
                    with: r.others.iter().map(|k| k.to_string()).collect(),
                    score: (r.score * 100.0).round() / 100.0,
                    since: r.since,
                    platforms: r.platforms.to_vec(),
                    titles: r.titles.total(),
                    cross_platform: r.cross_platform,
                })
                .collect(),
            onsets: u.onsets.clone(),
            kols: u
                .kol_mentions
                .iter()
                .flat_map(|t| {
                    t.mentions.iter().map(|m| KolRow {
                        topic: t.title.clone(),
                        platform: t.topic.platform,
                        kol: m.name.clone(),
                        span: [m.span.start, m.span.end],
                    })
                })
                .collect(),
        }
    }

    pub fn to_json_line(&self) -> String {
        // Serialising plain strings, numbers and enums cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Lines in timestamp order (stable for equal times), as a live poller would deliver them.
pub fn sorted_lines(lines: &[SnapshotLine]) -> Vec<&SnapshotLine> {
    let mut v: Vec<&SnapshotLine> = lines.iter().collect();
    v.sort_by_key(|l| l.captured_at);
    v
}

/// Replay `lines` through a fresh [`Analyzer`] (the same code the worker runs).
pub fn analyze_snapshots(lines: &[SnapshotLine], cfg: &AnalysisConfig) -> Vec<PollAnalysis> {
    // The output lists rising entries only, and rising and cooling rows are always built.
    let cfg = AnalysisConfig {
        max_rows: Some(0),
        ..cfg.clone()
    };
    let mut a = Analyzer::new(&cfg);
    // Convert as we go: full updates carry every keyword row and its history.
    sorted_lines(lines)
        .into_iter()
        .map(|l| PollAnalysis::from_update(&a.process(&l.to_snapshot())))
        .collect()
}

/// Replay with an existing analyser (keeps its tokeniser cache).
pub fn replay(a: &mut Analyzer, lines: &[SnapshotLine]) -> Vec<AnalysisUpdate> {
    sorted_lines(lines)
        .into_iter()
        .map(|l| a.process(&l.to_snapshot()))
        .collect()
}

/// Human-readable table: one line per poll with its rising keywords and KOL mentions.
pub fn format_table(polls: &[PollAnalysis]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<16} {:<6} rising (score/titles, * = new, ⇄ = both platforms)",
        "at", "list"
    );
    for p in polls {
        let rising: Vec<String> = p
            .rising
            .iter()
            .map(|r| {
                let new = if p.onsets.contains(&r.keyword)
                    || r.with.iter().any(|w| p.onsets.contains(w))
                {
                    "*"
                } else {
                    ""
                };
                let x = if r.cross_platform { "⇄" } else { "" };
                let with = if r.with.is_empty() {
                    String::new()
                } else {
                    format!("({})", r.with.join(" "))
                };
                format!("{new}{x}{}{with} {:.1}/{}", r.keyword, r.score, r.titles)
            })
            .collect();
        let _ = writeln!(
            out,
            "{:<16} {:<6} {}",
            p.at.format("%Y-%m-%d %H:%M"),
            p.platform.name(),
            if rising.is_empty() {
                "-".to_string()
            } else {
                rising.join("  ")
            }
        );
        if !p.kols.is_empty() {
            let mut names: Vec<&str> = p.kols.iter().map(|k| k.kol.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            let _ = writeln!(out, "{:<23} KOL: {}", "", names.join(", "));
        }
    }
    out
}
