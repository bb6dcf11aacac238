//! The events view (`E`): one story across platforms per entry, two lines each — the story
//! (platform count, representative title, combined heat, time on lists) and its propagation
//! (`抖音 09:12 #2 → 微博 09:55 #1 → 百度 10:30 #5`, first seen on each platform in order, with
//! its best rank there). `Enter` lists the member titles; a member opens like a board row.

use chrono::{DateTime, FixedOffset};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;

use super::text::{display_width, truncate};
use super::{Parts, Theme, draw_line, draw_spans};
use crate::analysis::events::Event;
use crate::app::state::AppState;
use crate::domain::num::format_heat;

/// Lines an event takes in the list.
pub const EVENT_LINES: usize = 2;

pub(super) fn render(area: Rect, buf: &mut Buffer, state: &AppState, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let view = &state.events_view;
    let events = &state.events().events;
    let now = state.events().at;
    let width = area.width as usize;
    let title_row = Rect::new(area.x, area.y, area.width, 1);
    let body = Rect::new(
        area.x,
        area.y + 1,
        area.width,
        area.height.saturating_sub(1),
    );
    if let Some(ev) = view
        .members_of
        .and_then(|id| events.iter().find(|e| e.id == id))
    {
        let mut head = Parts::default();
        head.push(" story · ", theme.muted)
            .push(truncate(&ev.label, width.saturating_sub(30)), theme.title)
            .push(
                format!(" · {} titles · enter opens · esc back", ev.members.len()),
                theme.muted,
            );
        draw_line(title_row, buf, head, Parts::default());
        members(body, buf, ev, view.member_selected, now, theme);
        return;
    }
    let multi = events.iter().filter(|e| e.platforms.len() >= 2).count();
    let mut head = Parts::default();
    head.push(" events", theme.title).push(
        format!(
            " · {} stories, {multi} on two or more lists · enter: titles · esc back",
            events.len()
        ),
        theme.muted,
    );
    draw_line(title_row, buf, head, Parts::default());
    if events.is_empty() {
        let msg = if state.analysis.ready {
            "no stories yet: they are grouped from the lists as polls arrive"
        } else {
            "loading dictionary…"
        };
        draw_spans(
            Rect::new(body.x + 1, body.y, body.width.saturating_sub(1), 1),
            buf,
            [Span::styled(msg, theme.muted)],
        );
        return;
    }
    let per_page = (body.height as usize / EVENT_LINES).max(1);
    let offset = scroll_offset(view.selected, view.offset, per_page, events.len());
    for (slot, (i, ev)) in events
        .iter()
        .enumerate()
        .skip(offset)
        .take(per_page)
        .enumerate()
    {
        let y = body.y + (slot * EVENT_LINES) as u16;
        let selected = i == view.selected;
        let (line1, line2) = event_lines(ev, width, now, theme);
        let style_of = |s: Style| {
            if selected {
                s.patch(theme.selection)
            } else {
                s
            }
        };
        for (k, parts) in [line1, line2].into_iter().enumerate() {
            let row = Rect::new(body.x, y + k as u16, body.width, 1);
            if selected {
                buf.set_style(row, theme.selection);
            }
            draw_spans(
                row,
                buf,
                parts
                    .truncated(width)
                    .into_iter()
                    .map(|(s, st)| Span::styled(s, style_of(st))),
            );
        }
    }
}

/// The first visible event for `selected`: the stored offset, moved just enough to show it.
pub fn scroll_offset(selected: usize, offset: usize, per_page: usize, len: usize) -> usize {
    let mut o = offset.min(len.saturating_sub(1));
    if selected < o {
        o = selected;
    } else if selected >= o + per_page {
        o = selected + 1 - per_page;
    }
    o
}

/// `5⇄ 蔡国强烟花秀…   1.2亿  3h20m` and `   抖音 09:12 #2 → 微博 09:55 #1 → …`.
fn event_lines(
    ev: &Event,
    width: usize,
    now: Option<DateTime<FixedOffset>>,
    theme: &Theme,
) -> (Parts, Parts) {
    let n = ev.platforms.len();
    let count_style = if n >= 2 {
        theme.cross_platform
    } else {
        theme.muted
    };
    let heat = ev.heat.map(format_heat).unwrap_or_else(|| "—".into());
    let listed = duration(ev.listed_min);
    let tail = format!("  {heat:>6}  {listed:>6} ");
    let label_w = width.saturating_sub(5 + display_width(&tail));
    let mut one = Parts::default();
    one.push(format!(" {n:>2}⇄ "), count_style);
    let label = truncate(&ev.label, label_w);
    let pad = label_w.saturating_sub(display_width(&label));
    let label_style = if ev.on_lists {
        theme.topic
    } else {
        theme.muted
    };
    one.push(label, label_style)
        .push(" ".repeat(pad), theme.topic)
        .push(tail, theme.muted);
    let mut two = Parts::default();
    two.push("     ", theme.muted);
    for (k, span) in ev.platforms.iter().enumerate() {
        if k > 0 {
            two.push(" → ", theme.muted);
        }
        two.push(span.platform.tag(), theme.platform(span.platform))
            .push(format!(" {}", clock(span.first_seen, now)), theme.header)
            .push(best_rank(span.best_rank), theme.muted);
    }
    (one, two)
}

/// ` #3`; nothing for a rank the history no longer has.
pub(super) fn best_rank(rank: u32) -> String {
    if rank == crate::analysis::events::UNKNOWN_RANK {
        String::new()
    } else {
        format!(" #{rank}")
    }
}

/// The member titles of one event, first seen first.
fn members(
    area: Rect,
    buf: &mut Buffer,
    ev: &Event,
    selected: usize,
    now: Option<DateTime<FixedOffset>>,
    theme: &Theme,
) {
    let per_page = area.height as usize;
    let offset = scroll_offset(selected, 0, per_page.max(1), ev.members.len());
    for (slot, (i, m)) in ev
        .members
        .iter()
        .enumerate()
        .skip(offset)
        .take(per_page)
        .enumerate()
    {
        let row = Rect::new(area.x, area.y + slot as u16, area.width, 1);
        let mut p = Parts::default();
        let rank = m
            .rank
            .map(|r| format!("#{r:<3}"))
            .unwrap_or_else(|| "off ".into());
        p.push(" ", theme.muted)
            .push(
                format!("{:<4}", m.platform.tag()),
                theme.platform(m.platform),
            )
            .push(format!(" {rank} "), theme.muted)
            .push(format!("{} ", clock(m.first_seen, now)), theme.header)
            .push(
                m.title.as_str(),
                if m.rank.is_some() {
                    theme.topic
                } else {
                    theme.muted
                },
            );
        if i == selected {
            buf.set_style(row, theme.selection);
        }
        let spans = p.truncated(area.width as usize);
        draw_spans(
            row,
            buf,
            spans.into_iter().map(|(s, st)| {
                let st = if i == selected {
                    st.patch(theme.selection)
                } else {
                    st
                };
                Span::styled(s, st)
            }),
        );
    }
}

/// `09:12`, or `10-14 23:50` for another day than the poll's.
fn clock(t: DateTime<FixedOffset>, now: Option<DateTime<FixedOffset>>) -> String {
    if now.is_none_or(|n| n.date_naive() == t.date_naive()) {
        t.format("%H:%M").to_string()
    } else {
        t.format("%m-%d %H:%M").to_string()
    }
}

/// `45m`, `3h20m`, `2d4h`.
fn duration(min: u32) -> String {
    match min {
        m if m < 60 => format!("{m}m"),
        m if m < 24 * 60 => format!("{}h{:02}m", m / 60, m % 60),
        m => format!("{}d{}h", m / (24 * 60), (m % (24 * 60)) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_keep_the_selection_in_view() {
        assert_eq!(scroll_offset(0, 0, 5, 20), 0);
        assert_eq!(scroll_offset(7, 0, 5, 20), 3);
        assert_eq!(scroll_offset(2, 3, 5, 20), 2);
        assert_eq!(scroll_offset(4, 3, 5, 20), 3);
    }

    #[test]
    fn durations() {
        assert_eq!(duration(45), "45m");
        assert_eq!(duration(200), "3h20m");
        assert_eq!(duration(3000), "2d2h");
    }
}
