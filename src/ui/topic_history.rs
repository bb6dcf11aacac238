//! The topic history pane (`H`): a popup over the board with what the store knows of one
//! topic — first and last seen, peak rank and heat, a heat sparkline over every stored poll,
//! and the rank path (only the polls where the rank changed). Scrolls with the board keys.

use chrono::{DateTime, FixedOffset};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::Theme;
use super::help::popup_frame;
use super::text::{display_width, truncate};
use crate::app::history::DetailPane;
use crate::domain::num::format_heat;
use crate::history::TeamMark;
use crate::store::TopicHistory;

const LABEL_W: usize = 11;

pub(super) fn render(
    screen: Rect,
    buf: &mut Buffer,
    pane: &DetailPane,
    team: &[TeamMark],
    now: TopicNow<'_>,
    travelled: Option<DateTime<FixedOffset>>,
    theme: &Theme,
) {
    let w = screen.width.saturating_sub(4).min(90);
    let h = screen.height.saturating_sub(4).max(3);
    let popup = Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + (screen.height.saturating_sub(h)) / 2,
        w,
        h,
    );
    let title = truncate(
        &format!(" history · {} ", pane.title),
        w.saturating_sub(4) as usize,
    );
    let inner = popup_frame(popup, buf, theme.border, Span::styled(title, theme.title));
    let mut shown = now_lines(now, inner.width as usize, theme);
    shown.extend(team_lines(team, theme));
    shown.extend(match &pane.history {
        None => vec![Line::styled("loading…", theme.muted)],
        Some(Err(e)) => vec![Line::styled(
            format!("history unavailable: {e}"),
            theme.error,
        )],
        Some(Ok(None)) => vec![Line::styled(
            "not in the history yet (it is stored from its first poll on)",
            theme.muted,
        )],
        // While travelling, the topic as it stood at the moment viewed, not as of now.
        Some(Ok(Some(h))) => match travelled {
            None => lines(h, inner.width as usize, theme),
            Some(at) => {
                let mut out = vec![Line::styled(
                    format!("as of {} (time travel)", stamp(at)),
                    theme.warn,
                )];
                match h.as_of(at) {
                    Some(past) => out.extend(lines(&past, inner.width as usize, theme)),
                    None => out.push(Line::styled(
                        format!("not seen yet (first seen {})", stamp(h.first_seen)),
                        theme.muted,
                    )),
                }
                out
            }
        },
    });
    // Last line: the keys; the rest scrolls.
    let body = inner.height.saturating_sub(1) as usize;
    let max_offset = shown.len().saturating_sub(body);
    let offset = pane.offset.min(max_offset);
    for (i, line) in shown.into_iter().skip(offset).take(body).enumerate() {
        line.render(Rect::new(inner.x, inner.y + i as u16, inner.width, 1), buf);
    }
    let more = if max_offset > 0 {
        format!("  {}/{}", offset + 1, max_offset + 1)
    } else {
        String::new()
    };
    Line::styled(format!("j/k scroll · H or esc closes{more}"), theme.muted).render(
        Rect::new(
            inner.x,
            inner.y + inner.height.saturating_sub(1),
            inner.width,
            1,
        ),
        buf,
    );
}

/// What the analysis says of the topic now: its story across lists (first seen on each in
/// order) and its list-dynamics marks.
#[derive(Clone, Copy)]
pub(super) struct TopicNow<'a> {
    pub event: Option<&'a crate::analysis::events::Event>,
    pub marks: &'a [crate::analysis::dynamics::Candidate],
}

fn now_lines(now: TopicNow<'_>, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if let Some(ev) = now.event.filter(|e| e.platforms.len() >= 2) {
        // One sighting per chunk; the line wraps between chunks, under the first.
        let mut spans = vec![Span::styled(format!("{:<LABEL_W$}", "story"), theme.key)];
        let mut used = LABEL_W;
        for (i, p) in ev.platforms.iter().enumerate() {
            let arrow = if i > 0 { " → " } else { "" };
            let when = format!(
                " {}{}",
                p.first_seen.format("%m-%d %H:%M"),
                super::events::best_rank(p.best_rank)
            );
            let w = display_width(arrow) + display_width(p.platform.tag()) + display_width(&when);
            if i > 0 && used + w > width {
                out.push(Line::from(std::mem::take(&mut spans)));
                spans.push(Span::raw(" ".repeat(LABEL_W)));
                used = LABEL_W;
            }
            spans.push(Span::styled(arrow, theme.muted));
            spans.push(Span::styled(p.platform.tag(), theme.platform(p.platform)));
            spans.push(Span::styled(when, theme.header));
            used += w;
        }
        out.push(Line::from(spans));
    }
    for c in now.marks {
        let what = match c.kind {
            crate::analysis::dynamics::Kind::Withdrawn => "撤?",
            crate::analysis::dynamics::Kind::Anchored => "anchored",
            crate::analysis::dynamics::Kind::LabelStep => "label",
        };
        out.push(Line::from(vec![
            Span::styled(format!("{what:<LABEL_W$}"), theme.warn),
            Span::styled(c.evidence.clone(), theme.header),
        ]));
    }
    if !out.is_empty() {
        out.push(Line::raw(""));
    }
    out
}

/// The team's flags and notes on this topic (shared triage), one line per user.
fn team_lines(team: &[TeamMark], theme: &Theme) -> Vec<Line<'static>> {
    let mut out: Vec<Line> = team
        .iter()
        .map(|m| {
            let mut spans = vec![Span::styled(format!("{:<LABEL_W$}", m.user), theme.key)];
            if m.flagged {
                spans.push(Span::styled(format!("{} ", theme.symbols.flag), theme.flag));
            }
            if let Some(n) = &m.note {
                spans.push(Span::styled(n.clone(), theme.header));
            }
            Line::from(spans)
        })
        .collect();
    if !out.is_empty() {
        out.insert(0, Line::styled("team", theme.column_header));
        out.push(Line::raw(""));
    }
    out
}

fn stamp(t: DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn rank_text(rank: Option<u32>) -> String {
    rank.map_or_else(|| "pinned".into(), |r| format!("#{r}"))
}

fn lines(h: &TopicHistory, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let field = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<LABEL_W$}"), theme.muted),
            Span::styled(value, theme.header),
        ])
    };
    let on_list = h.last_seen - h.first_seen;
    let mut out = vec![
        field("first seen", stamp(h.first_seen)),
        field(
            "last seen",
            format!(
                "{}  (on and off the list for {})",
                stamp(h.last_seen),
                super::board::time_on_list(h.first_seen, h.first_seen + on_list)
            ),
        ),
        field(
            "peak",
            format!(
                "rank {}   heat {}",
                h.peak_rank.map_or_else(|| "—".into(), |r| format!("#{r}")),
                h.peak_heat.map_or_else(|| "—".into(), format_heat)
            ),
        ),
    ];
    let heat: Vec<f64> = h
        .points
        .iter()
        .map(|p| p.heat.map_or(0.0, |v| v as f64))
        .collect();
    if heat.iter().any(|&v| v > 0.0) {
        let spark_w = width.saturating_sub(LABEL_W).min(heat.len()).max(1);
        out.push(Line::from(vec![
            Span::styled(format!("{:<LABEL_W$}", "heat"), theme.muted),
            Span::styled(
                super::spark::sparkline(&heat, spark_w, &theme.symbols.spark),
                theme.heat,
            ),
        ]));
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        format!("rank path ({} stored polls; changes only)", h.points.len()),
        theme.column_header,
    ));
    let mut last: Option<Option<u32>> = None;
    for p in &h.points {
        if last == Some(p.rank) {
            continue;
        }
        let change = match (last.flatten(), p.rank) {
            (Some(a), Some(b)) if b < a => Span::styled(format!("↑{}", a - b), theme.move_up),
            (Some(a), Some(b)) if b > a => Span::styled(format!("↓{}", b - a), theme.move_down),
            _ => Span::raw(""),
        };
        let heat = p.heat.map(format_heat).unwrap_or_default();
        out.push(Line::from(vec![
            Span::styled(format!("{}  ", stamp(p.at)), theme.muted),
            Span::styled(format!("{:>7}  ", rank_text(p.rank)), theme.rank),
            Span::styled(format!("{heat:>7}  "), theme.heat),
            change,
        ]));
        last = Some(p.rank);
    }
    out
}
