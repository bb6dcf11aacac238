//! Export of triaged topics to Markdown, CSV (RFC 4180) or JSON, for reports and chat.
//! Text was sanitised on the way in; every field is sanitised again here because exports end
//! up in spreadsheets and terminals that interpret control characters.

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde::Serialize;

use crate::domain::{Platform, SafeText};
use crate::triage::{TopicEntry, Triage};

/// One exported topic.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    pub title: String,
    pub platform: Platform,
    pub url: Option<String>,
    pub keywords: Vec<String>,
    pub kols: Vec<String>,
    pub note: Option<String>,
    pub first_seen: Option<DateTime<FixedOffset>>,
    pub peak_rank: Option<u32>,
    pub peak_heat: Option<u64>,
    pub flagged: bool,
    /// The topic's story across lists: each list with the time the story was first seen
    /// there, first first (empty when it was on one list only, or nothing is known).
    pub story: Vec<(Platform, DateTime<FixedOffset>)>,
}

/// A story's first sightings per list, when it reached two or more.
pub fn story_of(
    event: Option<&crate::analysis::events::Event>,
) -> Vec<(Platform, DateTime<FixedOffset>)> {
    event
        .filter(|e| e.platforms.len() >= 2)
        .map(|e| {
            e.platforms
                .iter()
                .map(|p| (p.platform, p.first_seen))
                .collect()
        })
        .unwrap_or_default()
}

impl From<&TopicEntry> for ExportRow {
    fn from(e: &TopicEntry) -> ExportRow {
        ExportRow {
            title: e.title.clone(),
            platform: e.platform,
            url: e.url.clone(),
            keywords: e.keywords.clone(),
            kols: e.kols.clone(),
            note: e.note.clone(),
            first_seen: Some(e.first_seen),
            peak_rank: e.peak_rank,
            peak_heat: e.peak_heat,
            flagged: e.flagged,
            story: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[value(name = "md", alias = "markdown")]
    Markdown,
    Csv,
    Json,
}

impl Format {
    /// Conventional file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// Topics known to the triage file (only flagged ones with `flagged_only`), oldest first.
pub fn rows_from_triage(triage: &Triage, flagged_only: bool) -> Vec<ExportRow> {
    let mut entries: Vec<&TopicEntry> = triage
        .topics
        .values()
        .filter(|e| e.flagged || !flagged_only)
        .collect();
    entries.sort_by(|a, b| {
        (a.first_seen, a.platform, &a.title).cmp(&(b.first_seen, b.platform, &b.title))
    });
    entries.into_iter().map(ExportRow::from).collect()
}

pub fn export(rows: &[ExportRow], fmt: Format) -> String {
    match fmt {
        Format::Markdown => markdown(rows),
        Format::Csv => csv(rows),
        Format::Json => json(rows),
    }
}

const HEADERS: [&str; 11] = [
    "title",
    "platform",
    "url",
    "keywords",
    "kols",
    "note",
    "first_seen",
    "peak_rank",
    "peak_heat",
    "flagged",
    "story",
];

/// One line, no control characters.
fn clean(s: &str) -> String {
    SafeText::line(s).into_string()
}

fn clean_opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(clean).filter(|s| !s.is_empty())
}

fn clean_list(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|s| clean(s))
        .filter(|s| !s.is_empty())
        .collect()
}

fn platform_id(p: Platform) -> &'static str {
    p.id()
}

fn rfc3339(t: &Option<DateTime<FixedOffset>>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// The row as cleaned text cells, in [`HEADERS`] order; lists joined with `sep`.
fn cells(r: &ExportRow, sep: &str) -> [String; 11] {
    [
        clean(&r.title),
        platform_id(r.platform).to_string(),
        clean_opt(&r.url).unwrap_or_default(),
        clean_list(&r.keywords).join(sep),
        clean_list(&r.kols).join(sep),
        clean_opt(&r.note).unwrap_or_default(),
        rfc3339(&r.first_seen).unwrap_or_default(),
        r.peak_rank.map(|n| n.to_string()).unwrap_or_default(),
        r.peak_heat.map(|n| n.to_string()).unwrap_or_default(),
        r.flagged.to_string(),
        story_text(&r.story),
    ]
}

/// `抖音 2025-10-15 09:12 → 微博 2025-10-15 09:55` (CST, as the lists give times).
fn story_text(story: &[(Platform, DateTime<FixedOffset>)]) -> String {
    story
        .iter()
        .map(|(p, t)| format!("{} {}", p.tag(), t.format("%Y-%m-%d %H:%M")))
        .collect::<Vec<_>>()
        .join(" → ")
}

// --- Markdown ---

fn markdown(rows: &[ExportRow]) -> String {
    let mut out = String::new();
    push_md_row(&mut out, HEADERS.iter().map(|h| h.to_string()));
    push_md_row(&mut out, HEADERS.iter().map(|_| "---".to_string()));
    for r in rows {
        push_md_row(&mut out, cells(r, ", ").into_iter().map(|c| md_escape(&c)));
    }
    out
}

fn push_md_row(out: &mut String, cells: impl Iterator<Item = String>) {
    out.push('|');
    for c in cells {
        out.push(' ');
        out.push_str(&c);
        out.push_str(" |");
    }
    out.push('\n');
}

/// A table cell: `\` and `|` escaped (GFM), line breaks as spaces (cells are one line).
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

// --- CSV ---

fn csv(rows: &[ExportRow]) -> String {
    let mut out = String::new();
    push_csv_row(&mut out, HEADERS.iter().map(|h| h.to_string()));
    for r in rows {
        push_csv_row(&mut out, cells(r, "; ").into_iter());
    }
    out
}

fn push_csv_row(out: &mut String, cells: impl Iterator<Item = String>) {
    for (i, c) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_field(&c));
    }
    out.push_str("\r\n");
}

/// RFC 4180 quoting, after the formula-injection guard: a cell a spreadsheet would evaluate
/// (`=`, `+`, `-`, `@`) gets a leading `'`.
pub fn csv_field(s: &str) -> String {
    let guarded: String = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

// --- JSON ---

/// Field order here is the key order in the output.
#[derive(Serialize)]
struct JsonRow {
    title: String,
    platform: &'static str,
    url: Option<String>,
    keywords: Vec<String>,
    kols: Vec<String>,
    note: Option<String>,
    first_seen: Option<String>,
    peak_rank: Option<u32>,
    peak_heat: Option<u64>,
    flagged: bool,
    story: Vec<JsonSighting>,
}

#[derive(Serialize)]
struct JsonSighting {
    platform: &'static str,
    first_seen: String,
}

fn json(rows: &[ExportRow]) -> String {
    let rows: Vec<JsonRow> = rows
        .iter()
        .map(|r| JsonRow {
            title: clean(&r.title),
            platform: platform_id(r.platform),
            url: clean_opt(&r.url),
            keywords: clean_list(&r.keywords),
            kols: clean_list(&r.kols),
            note: clean_opt(&r.note),
            first_seen: rfc3339(&r.first_seen),
            peak_rank: r.peak_rank,
            peak_heat: r.peak_heat,
            flagged: r.flagged,
            story: r
                .story
                .iter()
                .map(|&(p, t)| JsonSighting {
                    platform: platform_id(p),
                    first_seen: t.to_rfc3339_opts(SecondsFormat::Secs, true),
                })
                .collect(),
        })
        .collect();
    // Serialising plain strings, numbers and options cannot fail; fall back to an empty array.
    let mut s = serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}
