//! `resou events`: snapshot files replayed through the event grouper up to one poll; the events
//! on the lists then, as one JSON document or a table readable at 80 columns.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::anyhow;
use chrono::{DateTime, FixedOffset, NaiveTime, TimeZone};

use super::common::{headless_analysis_config, read_snapshots};
use crate::analysis::Analyzer;
use crate::analysis::events::{self, Event, EventConfig};
use crate::cli::{Cli, EventsArgs, EventsFormat};
use crate::domain::cst;
use crate::domain::num::format_heat;
use crate::domain::time::{format_minutes as duration, parse_time};
use crate::ui::text::{display_width, pad_left, pad_right, truncate};

/// The table's width.
const WIDTH: usize = 80;
/// Indent of an event's detail lines.
const INDENT: &str = "    ";

pub fn main(cli: &Cli, args: &EventsArgs) -> anyhow::Result<()> {
    let lines = read_snapshots(&args.snapshots)?;
    let last = lines
        .iter()
        .map(|l| l.captured_at)
        .max()
        .ok_or_else(|| anyhow!("no lists in the snapshot files"))?;
    let until = match &args.at {
        Some(raw) => Some(parse_at(raw, last).ok_or_else(|| {
            anyhow!("--at `{raw}`: give HH:MM, YYYY-MM-DD HH:MM or an RFC 3339 time")
        })?),
        None => None,
    };
    // The tokeniser with the configured dictionary and KOL names, as the app's.
    let analyzer = Analyzer::new(&headless_analysis_config(cli)?);
    let events = events::replay(&lines, until, analyzer.tokenizer(), EventConfig::default());
    let at = events
        .at
        .ok_or_else(|| anyhow!("no list at or before --at"))?;
    let shown: Vec<&Event> = events
        .on_lists()
        .filter(|e| e.platforms.len() >= args.min_platforms)
        .collect();
    let multi = events.on_lists().filter(|e| e.platforms.len() > 1).count();
    let mut out = std::io::stdout().lock();
    match args.format {
        EventsFormat::Json => {
            /// The document, fields in this order (a `json!` map would sort them).
            #[derive(serde::Serialize)]
            struct Doc<'a> {
                at: DateTime<FixedOffset>,
                events: &'a [&'a Event],
            }
            let doc = serde_json::to_string(&Doc { at, events: &shown })?;
            writeln!(out, "{doc}")?;
        }
        EventsFormat::Table => {
            let mut head = format!(
                "{} · {} events on the lists · {multi} on 2+ platforms",
                at.format("%Y-%m-%d %H:%M"),
                events.on_lists().count(),
            );
            if args.min_platforms > 2 {
                let _ = write!(head, " · {} on {}+", shown.len(), args.min_platforms);
            }
            out.write_all(table(&head, at, &shown).as_bytes())?
        }
    }
    out.flush()?;
    Ok(())
}

/// `HH:MM[:SS]` on the day of the last poll, else any absolute form `parse_time` reads.
fn parse_at(raw: &str, last: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let raw = raw.trim();
    let clock = NaiveTime::parse_from_str(raw, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(raw, "%H:%M:%S"));
    match clock {
        Ok(t) => {
            let day = last.with_timezone(&cst()).date_naive();
            cst().from_local_datetime(&day.and_time(t)).single()
        }
        Err(_) => parse_time(raw, last),
    }
}

/// `head`, then per event: `[platforms] label`, the platforms in order of first appearance,
/// score and time on lists, and each title with its platform and current rank (`-` when it
/// has left its list).
fn table(head: &str, at: DateTime<FixedOffset>, events: &[&Event]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", truncate(head, WIDTH));
    let when = |t: DateTime<FixedOffset>| {
        if t.date_naive() == at.date_naive() {
            t.format("%H:%M").to_string()
        } else {
            t.format("%m-%d %H:%M").to_string()
        }
    };
    for e in events {
        out.push('\n');
        let head = format!("[{}] ", e.platforms.len());
        let label = truncate(&e.label, WIDTH - display_width(&head));
        let _ = writeln!(out, "{head}{label}");
        let steps: Vec<String> = e
            .platforms
            .iter()
            .map(|p| format!("{} {}", p.platform.tag(), when(p.first_seen)))
            .collect();
        wrap_chain(&mut out, &steps);
        let mut stats = format!(
            "{INDENT}score {:.2} · on lists {}",
            e.score,
            duration(e.listed_min)
        );
        if let Some(h) = e.heat {
            let _ = write!(stats, " · heat {}", format_heat(h));
        }
        let _ = writeln!(out, "{stats}");
        for m in &e.members {
            let rank = m.rank.map_or("-".to_string(), |r| r.to_string());
            let lead = format!(
                "{INDENT}{} {} ",
                pad_right(m.platform.tag(), 4),
                pad_left(&rank, 3)
            );
            let title = truncate(&m.title, WIDTH - display_width(&lead));
            let _ = writeln!(out, "{lead}{title}");
        }
    }
    out
}

/// `百度 08:18 → 头条 08:48 → …`, wrapped at the table's width.
fn wrap_chain(out: &mut String, steps: &[String]) {
    let mut line = INDENT.to_string();
    for (i, s) in steps.iter().enumerate() {
        let piece = if i == 0 {
            s.clone()
        } else {
            format!(" → {s}")
        };
        if i > 0 && display_width(&line) + display_width(&piece) > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = format!("{INDENT}→ {s}");
        } else {
            line.push_str(&piece);
        }
    }
    out.push_str(&line);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_reads_a_clock_on_the_last_polls_day_and_absolute_times() {
        let last = DateTime::parse_from_rfc3339("2025-10-15T23:35:00+08:00").unwrap();
        let shown = |raw: &str| parse_at(raw, last).map(|t| t.to_rfc3339());
        assert_eq!(shown("12:05").as_deref(), Some("2025-10-15T12:05:00+08:00"));
        assert_eq!(
            shown("2025-10-14 21:13").as_deref(),
            Some("2025-10-14T21:13:00+08:00")
        );
        assert_eq!(
            shown("2025-10-15T04:05:00Z").as_deref(),
            Some("2025-10-15T12:05:00+08:00")
        );
        assert_eq!(shown("soon"), None);
    }

    #[test]
    fn long_platform_chains_wrap_within_the_width() {
        let steps: Vec<String> = (0..9).map(|i| format!("澎湃 1{i}:05")).collect();
        let mut out = String::new();
        wrap_chain(&mut out, &steps);
        assert!(out.lines().count() > 1);
        assert!(out.lines().all(|l| display_width(l) <= WIDTH), "{out}");
        assert_eq!(out.matches("澎湃").count(), 9);
    }
}
