//! `resou snapshot`: one poll of each platform through its fallback chain, printed as JSON,
//! CSV or an aligned table. A platform that fails is named on stderr; the others still print.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::AllFailed;
use crate::cli::SnapshotFormat;
use crate::domain::num::format_heat;
use crate::domain::snapshot_file::{SnapshotItem, SnapshotLine};
use crate::domain::{Platform, Snapshot};
use crate::export::csv_field;
use crate::sources::chain::endpoint_url;
use crate::sources::{Endpoint, PollOutcome, SourceError, SourcesConfig, poller};

/// One platform's list as it was fetched.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub line: SnapshotLine,
    pub endpoint: Endpoint,
}

/// What one poll of every platform gave, in platform order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Board {
    pub lists: Vec<Listed>,
    pub errors: Vec<(Platform, SourceError)>,
}

/// Poll each platform once, concurrently, through the same fallback chains and HTTP client
/// setup as the pollers.
pub async fn poll_board(cfg: &SourcesConfig) -> anyhow::Result<Board> {
    let client = Arc::new(super::client(cfg)?);
    let polls = super::chains(&cfg.platforms).into_iter().map(|chain| {
        let client = Arc::clone(&client);
        async move { (chain.platform(), poller::poll_once(&chain, &client).await.0) }
    });
    let mut board = Board::default();
    for (platform, outcome) in futures_util::future::join_all(polls).await {
        match outcome {
            PollOutcome::Ok { snapshot, endpoint } => board.lists.push(Listed {
                line: SnapshotLine::from_snapshot(&snapshot),
                endpoint,
            }),
            PollOutcome::Failed { error } => board.errors.push((platform, error)),
        }
    }
    Ok(board)
}

/// `resou snapshot` from the command line (`--origin`/`--platform` before the subcommand
/// count too).
pub fn main(cli: &crate::cli::Cli, a: &crate::cli::SnapshotArgs) -> anyhow::Result<()> {
    let _log = crate::logging::init(cli.log_file.as_deref());
    let cfg = super::common::sources_config(
        cli.config.as_deref(),
        a.origin.as_deref().or(cli.origin.as_deref()),
        a.platform.as_deref().or(cli.platform.as_deref()),
    )?;
    run(&cfg, a.format)
}

/// Print the board to stdout, each failed platform on stderr; an error
/// ([`AllFailed`], exit code 1) when no platform gave a list.
pub fn run(cfg: &SourcesConfig, format: SnapshotFormat) -> anyhow::Result<()> {
    let board = super::runtime()?.block_on(poll_board(cfg))?;
    for (p, e) in &board.errors {
        eprintln!("resou: {}: {e}", id(*p));
    }
    if board.lists.is_empty() {
        return Err(AllFailed(format!(
            "no list fetched: every platform failed ({})",
            board
                .errors
                .iter()
                .map(|(p, e)| format!("{}: {e}", id(*p)))
                .collect::<Vec<_>>()
                .join("; ")
        ))
        .into());
    }
    let mut out = std::io::stdout().lock();
    out.write_all(render(&board, format).as_bytes())?;
    out.flush()?;
    Ok(())
}

pub fn render(board: &Board, format: SnapshotFormat) -> String {
    match format {
        SnapshotFormat::Json => json(board),
        SnapshotFormat::Csv => csv(board),
        SnapshotFormat::Table => table(board),
    }
}

/// The platform's id as the CLI and files spell it.
fn id(p: Platform) -> &'static str {
    p.id()
}

fn time(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

// --- JSON ---

/// A list in the document: the snapshot file's item format, with where it came from.
#[derive(Serialize)]
struct JsonList<'a> {
    platform: Platform,
    captured_at: DateTime<FixedOffset>,
    endpoint: &'static str,
    url: String,
    items: &'a [SnapshotItem],
}

#[derive(Serialize)]
struct JsonError {
    platform: Platform,
    error: String,
}

#[derive(Serialize)]
struct JsonBoard<'a> {
    lists: Vec<JsonList<'a>>,
    errors: Vec<JsonError>,
}

fn json(board: &Board) -> String {
    let doc = JsonBoard {
        lists: board
            .lists
            .iter()
            .map(|l| JsonList {
                platform: l.line.platform,
                captured_at: l.line.captured_at,
                endpoint: l.endpoint.label(),
                url: endpoint_url(l.endpoint),
                items: &l.line.items,
            })
            .collect(),
        errors: board
            .errors
            .iter()
            .map(|(p, e)| JsonError {
                platform: *p,
                error: e.to_string(),
            })
            .collect(),
    };
    // Serialising plain structs of strings and numbers cannot fail.
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

// --- CSV ---

const CSV_HEADERS: [&str; 10] = [
    "platform",
    "captured_at",
    "endpoint",
    "rank",
    "pinned",
    "title",
    "heat",
    "label",
    "query",
    "url",
];

fn csv(board: &Board) -> String {
    let mut out = String::new();
    push_csv_row(&mut out, CSV_HEADERS.map(str::to_string));
    for l in &board.lists {
        for it in &l.line.items {
            push_csv_row(
                &mut out,
                [
                    id(l.line.platform).to_string(),
                    time(l.line.captured_at),
                    l.endpoint.label().to_string(),
                    it.rank.map(|r| r.to_string()).unwrap_or_default(),
                    it.pinned.to_string(),
                    it.title.clone(),
                    it.heat.map(|h| h.to_string()).unwrap_or_default(),
                    it.label.clone().unwrap_or_default(),
                    it.query.clone().unwrap_or_default(),
                    it.url.clone().unwrap_or_default(),
                ],
            );
        }
    }
    out
}

fn push_csv_row(out: &mut String, cells: [String; 10]) {
    let cells: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

// --- table ---

/// What the rank column shows for a pinned row (as the board does).
const PINNED: &str = "TOP";

fn table(board: &Board) -> String {
    let mut out = String::new();
    for (i, l) in board.lists.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        table_list(&mut out, l);
    }
    out
}

fn table_list(out: &mut String, l: &Listed) {
    let snap: Snapshot = l.line.to_snapshot();
    let rows: Vec<[String; 4]> = l
        .line
        .items
        .iter()
        .map(|it| {
            [
                match it.rank {
                    Some(r) if !it.pinned => r.to_string(),
                    _ => PINNED.to_string(),
                },
                it.title.clone(),
                it.heat.map(format_heat).unwrap_or_default(),
                it.label.clone().unwrap_or_default(),
            ]
        })
        .collect();
    // ok: writing to a String cannot fail.
    let _ = writeln!(
        out,
        "{} {} · {} · {} · {} ranked, {} pinned",
        l.line.platform.tag(),
        id(l.line.platform),
        l.line.captured_at.format("%Y-%m-%d %H:%M:%S %:z"),
        l.endpoint.label(),
        snap.ranked.len(),
        snap.pinned.len(),
    );
    let header = ["rank", "title", "heat", "label"].map(str::to_string);
    let width = |col: usize| {
        rows.iter()
            .chain(std::iter::once(&header))
            .map(|r| r[col].width())
            .max()
            .unwrap_or(0)
    };
    let (w_rank, w_title, w_heat) = (width(0), width(1), width(2));
    for r in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        line.push_str(&pad_left(&r[0], w_rank));
        line.push_str("  ");
        line.push_str(&pad_right(&r[1], w_title));
        line.push_str("  ");
        line.push_str(&pad_left(&r[2], w_heat));
        line.push_str("  ");
        line.push_str(&r[3]);
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

fn pad_left(s: &str, width: usize) -> String {
    format!("{}{s}", " ".repeat(width.saturating_sub(s.width())))
}

fn pad_right(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(s.width())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board(titles: &[&str]) -> Board {
        let line = SnapshotLine {
            captured_at: DateTime::parse_from_rfc3339("2026-08-15T12:00:00+08:00").unwrap(),
            platform: Platform::Weibo,
            items: titles
                .iter()
                .enumerate()
                .map(|(i, t)| SnapshotItem {
                    rank: Some(i as u32 + 1),
                    title: t.to_string(),
                    query: None,
                    heat: Some(12_345),
                    label: Some("新".into()),
                    url: None,
                    pinned: false,
                    id: None,
                })
                .collect(),
        };
        Board {
            lists: vec![Listed {
                line,
                endpoint: Endpoint::WeiboHotSearch,
            }],
            errors: Vec::new(),
        }
    }

    #[test]
    fn table_aligns_by_display_width() {
        let t = table(&board(&["旺旺 配料表", "ab", "混合mixed标题"]));
        let lines: Vec<&str> = t.lines().skip(2).collect();
        // The heat column ends at the same display column on every row.
        let ends: Vec<usize> = lines
            .iter()
            .map(|l| l.find("1.2万").map(|i| l[..i].width()).unwrap())
            .collect();
        assert!(ends.windows(2).all(|w| w[0] == w[1]), "{t}");
    }

    #[test]
    fn csv_quotes_what_would_break_a_row() {
        let c = csv(&board(&["a,b", "say \"hi\"", "=cmd"]));
        let rows: Vec<&str> = c.split("\r\n").collect();
        assert!(rows[1].contains(",\"a,b\","), "{c}");
        assert!(rows[2].contains(",\"say \"\"hi\"\"\","), "{c}");
        assert!(rows[3].contains(",'=cmd,"), "{c}");
        assert_eq!(rows.len(), 5); // header, 3 rows, and the empty tail after the last CRLF
    }
}
