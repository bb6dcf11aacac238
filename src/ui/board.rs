//! The board: one aligned row per `state.rows` entry, title column taking the remaining width.

use chrono::{DateTime, FixedOffset};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Widget;

use super::Theme;
use super::text::{center, display_width, truncate};
use crate::app::state::{AppState, BoardRow, Tab};
use crate::domain::num::format_heat;

const MOVE_W: usize = 4; // ↑123, NEW
const HEAT_W: usize = 6; // 156.5万, 1.3亿
const LABEL_W: usize = 2; // one wide char
const TAG_W: usize = 4; // 微博
const AGE_W: usize = 6; // 12h05m
/// Columns are dropped until the title gets at least this many cells.
const TITLE_MIN_W: usize = 16;

/// Which optional columns are shown and how wide the variable ones are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Columns {
    rank: usize,
    movement: bool,
    tag: bool,
    age: bool,
    title: usize,
}

impl Columns {
    /// Fit the columns into `width`, dropping time on list first, then the platform tag on
    /// single-platform tabs (it is redundant there), then movement.
    pub(super) fn fit(width: usize, rank_w: usize, tab: Tab) -> Columns {
        let mut c = Columns {
            rank: rank_w,
            movement: true,
            tag: true,
            age: true,
            title: 0,
        };
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
            (self.tag, TAG_W),
            (self.age, AGE_W),
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
            (Slot::Heat, true, HEAT_W),
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
    Heat,
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
            Slot::Heat => "heat",
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
        .rows
        .iter()
        .filter_map(|r| r.topic.rank)
        .max()
        .map_or(0, |r| r.to_string().len())
        .max(theme.symbols.pinned.len())
        .max(3);
    let cols = Columns::fit(area.width as usize, rank_w, state.tab);
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

    if state.rows.is_empty() {
        render_empty(area, buf, state, theme);
        return;
    }
    let offset = state.selection.offset.min(state.rows.len() - 1);
    let selected = state.selection.key.as_ref();
    for (i, row) in state.rows[offset..]
        .iter()
        .take(area.height as usize)
        .enumerate()
    {
        let rect = Rect::new(area.x, area.y + i as u16, area.width, 1);
        for &(slot, x, w) in &slots {
            let (text, style) = cell(row, slot, theme);
            put(buf, rect, x, w, slot, &text, style);
        }
        if selected == Some(&row.key) {
            buf.set_style(rect, theme.selection);
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

/// The text and style of one cell of a board row.
fn cell(row: &BoardRow, slot: Slot, theme: &Theme) -> (String, Style) {
    let t = &row.topic;
    match slot {
        Slot::Rank => match t.rank {
            Some(r) if !t.pinned => (r.to_string(), theme.rank),
            _ => (theme.symbols.pinned.to_string(), theme.pinned),
        },
        Slot::Move => (
            theme.movement_text(row.movement),
            theme.movement(row.movement),
        ),
        Slot::Title => (display_title(t.title.as_str()).to_string(), theme.topic),
        Slot::Heat => match t.heat {
            Some(h) => (format_heat(h), theme.heat),
            None => (theme.symbols.no_heat.to_string(), theme.muted),
        },
        Slot::Label => (t.label.as_str().to_string(), theme.label(t.label)),
        Slot::Tag => (t.platform.tag().to_string(), theme.platform(t.platform)),
        Slot::Age => (time_on_list(row.on_list_since, row.data_at), theme.muted),
    }
}

/// Hashtag titles are shown without their surrounding `#`.
fn display_title(title: &str) -> &str {
    title
        .strip_prefix('#')
        .and_then(|t| t.strip_suffix('#'))
        .unwrap_or(title)
        .trim()
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
        .health
        .iter()
        .filter(|(p, h)| h.enabled && state.tab.includes(**p))
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
        let wide = Columns::fit(200, 3, Tab::All);
        assert!(wide.age && wide.tag && wide.movement);
        let c80 = Columns::fit(80, 3, Tab::All);
        assert!(c80.age && c80.tag && c80.movement && c80.title >= TITLE_MIN_W);
        // Narrow single-platform tab: time goes, then the tag, then movement.
        let mut seen = Vec::new();
        for w in (20..=80).rev() {
            let c = Columns::fit(w, 3, Tab::Only(Platform::Weibo));
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
        let c = Columns::fit(30, 3, Tab::All);
        assert!(c.tag && !c.movement && !c.age);
    }

    #[test]
    fn title_fills_the_rest_exactly() {
        for w in [40usize, 80, 120, 200] {
            let c = Columns::fit(w, 3, Tab::All);
            let (_, x, last_w) = *c.slots().last().unwrap();
            // One cell of right margin after the last column.
            assert_eq!(x as usize + last_w + 1, w, "width {w}");
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
        assert_eq!(display_title("#旺旺 配料表#"), "旺旺 配料表");
        assert_eq!(display_title("C#"), "C#");
    }
}
