//! The board: one aligned row per `state.board.rows` entry, title column taking the remaining width.
//! Rising keywords are highlighted inside titles; rows mentioning KOLs get a badge column.

use chrono::{DateTime, FixedOffset};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Widget;
use std::ops::Range;

use super::Theme;
use super::text::{center, display_width, truncate, truncate_marked};
use crate::analysis::dynamics::Kind;
use crate::app::state::{AppState, BoardRow, Focus, Tab};
use crate::domain::num::format_heat;

const MOVE_W: usize = 4; // ↑123, NEW
const HEAT_W: usize = 6; // 156.5万, 1.3亿
const LABEL_W: usize = 2; // one wide char
const TAG_W: usize = 4; // 微博
const AGE_W: usize = 6; // 12h05m
const TREND_W: usize = 8; // ▁▂▃▅▇█ over the last stored polls
const KOL_NAME_W: usize = 12; // @人民日报+1
const KOL_COUNT_W: usize = 3; // @2
/// Columns are dropped until the title gets at least this many cells.
const TITLE_MIN_W: usize = 16;
/// The KOL badge names the KOL only while the title keeps this many cells; else it is a count.
const TITLE_WITH_KOL_NAME_W: usize = 30;

/// How the KOL badge column is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KolBadge {
    Hidden,
    /// `@2`
    Count,
    /// `@人民日报`, `@人民日报+1`
    Name,
}

impl KolBadge {
    fn width(self) -> usize {
        match self {
            KolBadge::Hidden => 0,
            KolBadge::Count => KOL_COUNT_W,
            KolBadge::Name => KOL_NAME_W,
        }
    }
}

/// Which optional columns are shown and how wide the variable ones are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Columns {
    rank: usize,
    movement: bool,
    kol: KolBadge,
    tag: bool,
    age: bool,
    /// The heat sparkline (only when history gave some row two points or more).
    trend: bool,
    title: usize,
}

impl Columns {
    /// Fit the columns into `width`. The KOL badge (when any row has one) shrinks to a count,
    /// then goes, before anything else; then time on list, then the platform tag on
    /// single-platform tabs (it is redundant there), then movement.
    pub(super) fn fit(width: usize, rank_w: usize, tab: Tab, kols: bool, trend: bool) -> Columns {
        let mut c = Columns {
            rank: rank_w,
            movement: true,
            kol: if kols {
                KolBadge::Name
            } else {
                KolBadge::Hidden
            },
            tag: true,
            age: true,
            trend,
            title: 0,
        };
        // The sparkline is the first to go: the title matters more.
        if c.trend && c.title_width(width) < TITLE_WITH_KOL_NAME_W {
            c.trend = false;
        }
        c.title = c.title_width(width);
        if c.kol == KolBadge::Name && c.title < TITLE_WITH_KOL_NAME_W {
            c.kol = KolBadge::Count;
            c.title = c.title_width(width);
        }
        if c.kol == KolBadge::Count && c.title < TITLE_MIN_W {
            c.kol = KolBadge::Hidden;
        }
        let drops: [fn(&mut Columns); 3] =
            [|c| c.age = false, |c| c.tag = false, |c| c.movement = false];
        c.title = c.title_width(width);
        for (i, drop) in drops.iter().enumerate() {
            if c.title >= TITLE_MIN_W {
                break;
            }
            if i == 1 && tab == Tab::All {
                continue; // on All the tag is the only way to tell platforms apart
            }
            drop(&mut c);
            c.title = c.title_width(width);
        }
        c
    }

    /// Cells left for the title: margins of 1 on both sides and one space after each column.
    fn title_width(&self, width: usize) -> usize {
        let optional = [
            (self.movement, MOVE_W),
            (self.kol != KolBadge::Hidden, self.kol.width()),
            (self.tag, TAG_W),
            (self.age, AGE_W),
            (self.trend, TREND_W),
        ];
        let fixed = 2
            + (self.rank + 1)
            + (HEAT_W + 1)
            + LABEL_W
            + optional
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, w)| w + 1)
                .sum::<usize>();
        width.saturating_sub(fixed + 1)
    }

    /// Shown columns left to right with their x offset (from the row start) and width.
    /// One cell of margin on each side of the row, one space between columns.
    fn slots(&self) -> Vec<(Slot, u16, usize)> {
        let shown = [
            (Slot::Rank, true, self.rank),
            (Slot::Move, self.movement, MOVE_W),
            (Slot::Title, true, self.title),
            (Slot::Kol, self.kol != KolBadge::Hidden, self.kol.width()),
            (Slot::Heat, true, HEAT_W),
            (Slot::Trend, self.trend, TREND_W),
            (Slot::Label, true, LABEL_W),
            (Slot::Tag, self.tag, TAG_W),
            (Slot::Age, self.age, AGE_W),
        ];
        let mut x = 1usize;
        let mut out = Vec::with_capacity(shown.len());
        for (slot, on, w) in shown {
            if on {
                out.push((slot, u16::try_from(x).unwrap_or(u16::MAX), w));
                x += w + 1;
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Rank,
    Move,
    Title,
    Kol,
    Heat,
    Trend,
    Label,
    Tag,
    Age,
}

impl Slot {
    fn right_aligned(self) -> bool {
        matches!(self, Slot::Rank | Slot::Heat | Slot::Age)
    }

    fn heading(self) -> &'static str {
        match self {
            Slot::Rank => "#",
            Slot::Move => "move",
            Slot::Title => "topic",
            Slot::Kol => "kol",
            Slot::Heat => "heat",
            Slot::Trend => "trend",
            Slot::Label => "",
            Slot::Tag => "site",
            Slot::Age => "listed",
        }
    }
}

pub(super) fn render(
    columns_area: Rect,
    area: Rect,
    buf: &mut Buffer,
    state: &AppState,
    theme: &Theme,
) {
    let rank_w = state
        .board
        .rows
        .iter()
        .filter_map(|r| r.topic.rank)
        .max()
        .map_or(0, |r| r.to_string().len())
        .max(theme.symbols.pinned.len())
        .max(3);
    let any_kols = state.board.rows.iter().any(|r| !r.kols.is_empty());
    let any_trend = state.board.rows.iter().any(|r| r.trend.len() >= 2);
    let cols = Columns::fit(
        area.width as usize,
        rank_w,
        state.board.tab,
        any_kols,
        any_trend,
    );
    let slots = cols.slots();
    if !columns_area.is_empty() {
        for &(slot, x, w) in &slots {
            put(
                buf,
                columns_area,
                x,
                w,
                slot,
                slot.heading(),
                theme.column_header,
            );
        }
    }

    if state.board.rows.is_empty() {
        render_empty(area, buf, state, theme);
        return;
    }
    let offset = state.board.selection.offset.min(state.board.rows.len() - 1);
    let selected = state.board.selection.key.as_ref();
    let selection = if state.input.focus == Focus::Board {
        theme.selection
    } else {
        theme.selection_unfocused
    };
    for (i, row) in state.board.rows[offset..]
        .iter()
        .take(area.height as usize)
        .enumerate()
    {
        let rect = Rect::new(area.x, area.y + i as u16, area.width, 1);
        for &(slot, x, w) in &slots {
            if slot == Slot::Title {
                put_title(buf, rect, x, w, row, theme);
            } else {
                let (text, style) = cell(row, slot, w, theme);
                put(buf, rect, x, w, slot, &text, style);
            }
        }
        if row.marks.muted {
            buf.set_style(rect, theme.muted);
        }
        if row.marks.visual {
            buf.set_style(rect, theme.selection_unfocused);
        }
        if row.marks.new {
            // New since the last look: the title stands out (bold survives NO_COLOR).
            buf.set_style(rect, theme.new_item);
        }
        if selected == Some(&row.key) {
            buf.set_style(rect, selection);
        }
    }
}

/// Draw `text` in the column at `x` (relative to `row`) of width `w`, truncated by display
/// width and aligned; the cells around it stay blank from the frame's reset, so no padding is
/// drawn.
fn put(buf: &mut Buffer, row: Rect, x: u16, w: usize, slot: Slot, text: &str, style: Style) {
    let text = truncate(text, w);
    let free = w.saturating_sub(display_width(&text));
    let x = if slot.right_aligned() {
        x.saturating_add(free as u16)
    } else {
        x
    };
    let x = row.x.saturating_add(x);
    if x < row.right() && row.y < row.bottom() {
        let max = (row.right() - x) as usize;
        buf.set_stringn(x, row.y, text, w.min(max), style);
    }
}

/// The title at `x` in `row`, cut to `w` cells, with the rising keywords of `data` in the
/// `rising` style.
fn put_title(buf: &mut Buffer, row: Rect, x: u16, w: usize, data: &BoardRow, theme: &Theme) {
    // Triage marks go first, inside the title cell, so the columns never move.
    let m = data.marks;
    let marks: String = [
        (m.flagged, theme.symbols.flag),
        (m.noted, theme.symbols.note),
        (m.new, theme.symbols.new_item),
        (m.muted, theme.symbols.muted),
        (m.team, theme.symbols.team),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, s)| format!("{s} "))
    .collect();
    let (x, w) = if marks.is_empty() || w <= display_width(&marks) + 4 {
        (x, w)
    } else {
        put(buf, row, x, w, Slot::Title, &marks, theme.flag);
        let mw = display_width(&marks);
        (x.saturating_add(mw as u16), w - mw)
    };
    // The story is on other lists too: `⇄5` at the cell's right end (its event's platforms).
    let w = if data.event_platforms >= 2 && w > 12 {
        let badge = format!("⇄{}", data.event_platforms);
        let bw = display_width(&badge);
        put(
            buf,
            row,
            x.saturating_add((w - bw) as u16),
            bw,
            Slot::Title,
            &badge,
            theme.cross_platform,
        );
        w - bw - 1
    } else {
        w
    };
    let title = data.topic.title.as_str();
    let shown = display_range(title);
    if data.highlights.is_empty() {
        put(buf, row, x, w, Slot::Title, &title[shown], theme.topic);
        return;
    }
    // Highlights index the full title; move them onto the shown part (ranges over the stripped
    // `#` become empty).
    let ranges: Vec<Range<usize>> = data
        .highlights
        .iter()
        .map(|r| r.start.saturating_sub(shown.start)..r.end.saturating_sub(shown.start))
        .collect();
    let mut x = row.x.saturating_add(x);
    let end = row.right().min(x.saturating_add(w as u16));
    if row.y >= row.bottom() {
        return;
    }
    for (text, marked) in truncate_marked(&title[shown], w, &ranges) {
        if x >= end {
            break;
        }
        let style = if marked { theme.rising } else { theme.topic };
        x = buf.set_stringn(x, row.y, text, (end - x) as usize, style).0;
    }
}

/// The text and style of one cell (`w` cells wide) of a board row.
fn cell(row: &BoardRow, slot: Slot, w: usize, theme: &Theme) -> (String, Style) {
    let t = &row.topic;
    match slot {
        Slot::Rank => match t.rank {
            Some(r) if !t.pinned => (r.to_string(), theme.rank),
            _ => (theme.symbols.pinned.to_string(), theme.pinned),
        },
        // A list-dynamics mark says more than the rank change: 锚 held at one rank while the
        // list moved (anchored), 升级 a label step (新→热→沸→爆) of the last half hour.
        Slot::Move => match row.dynamics {
            Some(Kind::Anchored) => ("锚".to_string(), theme.warn),
            Some(Kind::LabelStep) => ("升级".to_string(), theme.label_hot),
            _ => (
                theme.movement_text(row.movement),
                theme.movement(row.movement),
            ),
        },
        Slot::Title => (
            t.title.as_str()[display_range(t.title.as_str())].to_string(),
            theme.topic,
        ),
        Slot::Kol => (kol_badge(&row.kols, w, theme), theme.kol),
        Slot::Heat => match t.heat {
            Some(h) => (format_heat(h), theme.heat),
            None => (theme.symbols.no_heat.to_string(), theme.muted),
        },
        Slot::Trend => (
            super::spark::sparkline(&row.trend, w, &theme.symbols.spark),
            theme.heat,
        ),
        Slot::Label => (t.label.as_str().to_string(), theme.label(t.label)),
        Slot::Tag => (t.platform.tag().to_string(), theme.platform(t.platform)),
        Slot::Age => (time_on_list(row.on_list_since, row.data_at), theme.muted),
    }
}

/// The byte range of `title` that is shown: hashtag titles lose their surrounding `#`, and
/// whitespace at the ends goes.
fn display_range(title: &str) -> Range<usize> {
    let inner = match title.strip_prefix('#').and_then(|t| t.strip_suffix('#')) {
        Some(_) => 1..title.len() - 1,
        None => 0..title.len(),
    };
    let s = &title[inner.clone()];
    let start = inner.start + (s.len() - s.trim_start().len());
    let end = inner.end - (s.len() - s.trim_end().len());
    start..end.max(start)
}

/// `@人民日报`, `@人民日报+1` in `w` cells (the name is cut, never the `+1`), or `@2` when only a
/// count fits; empty without KOLs.
fn kol_badge(kols: &[String], w: usize, theme: &Theme) -> String {
    let at = theme.symbols.kol;
    let Some(first) = kols.first() else {
        return String::new();
    };
    if w < KOL_NAME_W {
        return format!("{at}{}", kols.len().min(99));
    }
    let more = match kols.len() {
        1 => String::new(),
        n => format!("+{}", (n - 1).min(99)),
    };
    let name = truncate(&format!("{at}{first}"), w - display_width(&more));
    format!("{}{more}", name.trim_end())
}

/// `45m`, `3h12m`, `2d`; never negative.
pub(super) fn time_on_list(since: DateTime<FixedOffset>, at: DateTime<FixedOffset>) -> String {
    let mins = (at - since).num_minutes().max(0);
    match mins {
        m if m < 60 => format!("{m}m"),
        m if m < 24 * 60 => format!("{}h{:02}m", m / 60, m % 60),
        m => format!("{}d", m / (24 * 60)),
    }
}

/// Nothing to list yet: the enabled sources' errors for this tab, or a waiting note.
fn render_empty(area: Rect, buf: &mut Buffer, state: &AppState, theme: &Theme) {
    let mut lines: Vec<(String, Style)> = state
        .lists
        .health
        .iter()
        .filter(|(p, h)| h.enabled && state.board.tab.includes(**p))
        .filter_map(|(p, h)| {
            Some((
                format!("{}: {}", p.name(), h.error.as_deref()?),
                theme.error,
            ))
        })
        .collect();
    if lines.is_empty() {
        lines.push(("waiting for first poll…".to_string(), theme.muted));
    }
    let height = (lines.len() as u16).min(area.height);
    let top = area.y + area.height.saturating_sub(height) / 2;
    for (i, (text, style)) in lines.into_iter().take(height as usize).enumerate() {
        let rect = Rect::new(area.x, top + i as u16, area.width, 1);
        Span::styled(center(&text, area.width as usize), style).render(rect, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Platform, cst};
    use chrono::TimeZone;

    #[test]
    fn columns_drop_by_priority() {
        let wide = Columns::fit(200, 3, Tab::All, true, false);
        assert!(wide.age && wide.tag && wide.movement && wide.kol == KolBadge::Name);
        let c80 = Columns::fit(80, 3, Tab::All, true, false);
        assert!(c80.age && c80.tag && c80.movement && c80.kol == KolBadge::Name);
        assert!(c80.title >= TITLE_WITH_KOL_NAME_W);
        // The badge shrinks, then goes, before any other column.
        let c = Columns::fit(60, 3, Tab::All, true, false);
        assert!(c.age && c.kol == KolBadge::Count, "{c:?}");
        let c = Columns::fit(49, 3, Tab::All, true, false);
        assert!(c.age && c.kol == KolBadge::Hidden, "{c:?}");
        assert_eq!(
            Columns::fit(200, 3, Tab::All, false, false).kol,
            KolBadge::Hidden
        );
        let c80 = Columns::fit(80, 3, Tab::All, false, false);
        assert!(c80.age && c80.tag && c80.movement && c80.title >= TITLE_MIN_W);
        // Narrow single-platform tab: time goes, then the tag, then movement.
        let mut seen = Vec::new();
        for w in (20..=80).rev() {
            let c = Columns::fit(w, 3, Tab::Only(Platform::Weibo), false, false);
            seen.push((c.age, c.tag, c.movement));
        }
        let order: Vec<_> = seen
            .windows(2)
            .filter(|p| p[0] != p[1])
            .map(|p| p[1])
            .collect();
        assert_eq!(
            order,
            vec![
                (false, true, true),
                (false, false, true),
                (false, false, false)
            ]
        );
        // On All the tag survives and movement goes instead.
        let c = Columns::fit(30, 3, Tab::All, false, false);
        assert!(c.tag && !c.movement && !c.age);
        // The sparkline shows when there is room and goes before anything else.
        let c = Columns::fit(120, 3, Tab::All, true, true);
        assert!(c.trend && c.kol == KolBadge::Name && c.age, "{c:?}");
        let c = Columns::fit(80, 3, Tab::All, true, true);
        assert!(!c.trend && c.kol == KolBadge::Name && c.age, "{c:?}");
        let c = Columns::fit(80, 3, Tab::All, false, true);
        assert!(c.trend && c.title >= TITLE_WITH_KOL_NAME_W, "{c:?}");
    }

    #[test]
    fn title_fills_the_rest_exactly() {
        for w in [40usize, 60, 80, 120, 200] {
            for (kols, trend) in [(false, false), (true, false), (false, true), (true, true)] {
                let c = Columns::fit(w, 3, Tab::All, kols, trend);
                let (_, x, last_w) = *c.slots().last().unwrap();
                // One cell of right margin after the last column.
                assert_eq!(x as usize + last_w + 1, w, "width {w}");
            }
        }
    }

    #[test]
    fn time_on_list_forms() {
        let t0 = cst().with_ymd_and_hms(2026, 8, 15, 12, 0, 0).unwrap();
        let f = |m: i64| time_on_list(t0, t0 + chrono::Duration::minutes(m));
        assert_eq!(f(45), "45m");
        assert_eq!(f(192), "3h12m");
        assert_eq!(f(60 * 49), "2d");
        assert_eq!(f(-5), "0m");
    }

    #[test]
    fn hashtag_titles_lose_their_hashes_only_when_wrapped() {
        let shown = |t: &'static str| &t[display_range(t)];
        assert_eq!(shown("#旺旺 配料表#"), "旺旺 配料表");
        assert_eq!(display_range("#旺旺#"), 1..7);
        assert_eq!(shown("C#"), "C#");
        assert_eq!(shown("# 牛来 #"), "牛来");
        assert_eq!(shown("#"), "#");
        assert_eq!(shown("##"), "");
        assert_eq!(shown("  "), "");
    }

    #[test]
    fn kol_badge_forms() {
        let t = Theme::default();
        let one = vec!["人民日报".to_string()];
        let two = vec!["人民日报".to_string(), "央视新闻".to_string()];
        assert_eq!(kol_badge(&one, KOL_NAME_W, &t), "@人民日报");
        assert_eq!(kol_badge(&two, KOL_NAME_W, &t), "@人民日报+1");
        assert_eq!(kol_badge(&two, KOL_COUNT_W, &t), "@2");
        assert_eq!(kol_badge(&[], KOL_NAME_W, &t), "");
        let long = vec!["中国消费者协会".to_string(), "x".to_string()];
        let b = kol_badge(&long, KOL_NAME_W, &t);
        assert_eq!(b, "@中国消费…+1");
        assert!(display_width(&b) <= KOL_NAME_W);
    }
}
