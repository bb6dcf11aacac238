//! The board: one aligned row per `state.rows` entry, title column taking the remaining width.

use chrono::{DateTime, FixedOffset};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::Theme;
use super::text::{center, pad_left, pad_right};
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
        let drops: [fn(&mut Columns); 3] = [
            |c| c.age = false,
            |c| c.tag = false,
            |c| c.movement = false,
        ];
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

    fn line<'a>(&self, cells: Cells<'a>) -> Line<'a> {
        let mut spans = Vec::with_capacity(16);
        let sp = || Span::raw(" ");
        spans.push(sp());
        spans.push(cells.rank);
        spans.push(sp());
        if self.movement {
            spans.push(cells.movement);
            spans.push(sp());
        }
        spans.push(cells.title);
        spans.push(sp());
        spans.push(cells.heat);
        spans.push(sp());
        spans.push(cells.label);
        if self.tag {
            spans.push(sp());
            spans.push(cells.tag);
        }
        if self.age {
            spans.push(sp());
            spans.push(cells.age);
        }
        Line::from(spans)
    }
}

/// One row's cells, already padded to their column widths.
struct Cells<'a> {
    rank: Span<'a>,
    movement: Span<'a>,
    title: Span<'a>,
    heat: Span<'a>,
    label: Span<'a>,
    tag: Span<'a>,
    age: Span<'a>,
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
    render_headings(columns_area, buf, &cols, theme);

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
        cols.line(cells(row, &cols, theme)).render(rect, buf);
        if selected == Some(&row.key) {
            buf.set_style(rect, theme.selection);
        }
    }
}

fn render_headings(area: Rect, buf: &mut Buffer, cols: &Columns, theme: &Theme) {
    let s = |t: String| Span::styled(t, theme.column_header);
    let line = cols.line(Cells {
        rank: s(pad_left("#", cols.rank)),
        movement: s(pad_right("move", MOVE_W)),
        title: s(pad_right("topic", cols.title)),
        heat: s(pad_left("heat", HEAT_W)),
        label: s(pad_right("", LABEL_W)),
        tag: s(pad_right("site", TAG_W)),
        age: s(pad_left("listed", AGE_W)),
    });
    line.render(area, buf);
}

fn cells<'a>(row: &BoardRow, cols: &Columns, theme: &Theme) -> Cells<'a> {
    let t = &row.topic;
    let rank = match t.rank {
        Some(r) if !t.pinned => Span::styled(pad_left(&r.to_string(), cols.rank), theme.rank),
        _ => Span::styled(pad_left(theme.symbols.pinned, cols.rank), theme.pinned),
    };
    let heat = match t.heat {
        Some(h) => Span::styled(pad_left(&format_heat(h), HEAT_W), theme.heat),
        None => Span::styled(pad_left(theme.symbols.no_heat, HEAT_W), theme.muted),
    };
    Cells {
        rank,
        movement: Span::styled(
            pad_right(&theme.movement_text(row.movement), MOVE_W),
            theme.movement(row.movement),
        ),
        title: Span::styled(
            pad_right(display_title(t.title.as_str()), cols.title),
            theme.topic,
        ),
        heat,
        label: Span::styled(pad_right(t.label.as_str(), LABEL_W), theme.label(t.label)),
        tag: Span::styled(pad_right(t.platform.tag(), TAG_W), theme.platform(t.platform)),
        age: Span::styled(
            pad_left(&time_on_list(row.on_list_since, row.data_at), AGE_W),
            theme.muted,
        ),
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
        .filter_map(|(p, h)| Some((format!("{}: {}", p.name(), h.error.as_deref()?), theme.error)))
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
            vec![(false, true, true), (false, false, true), (false, false, false)]
        );
        // On All the tag survives and movement goes instead.
        let c = Columns::fit(30, 3, Tab::All);
        assert!(c.tag && !c.movement && !c.age);
    }

    #[test]
    fn title_fills_the_rest_exactly() {
        for w in [40usize, 80, 120, 200] {
            let c = Columns::fit(w, 3, Tab::All);
            let line = c.line(Cells {
                rank: Span::raw(pad_left("1", c.rank)),
                movement: Span::raw(pad_right("", MOVE_W)),
                title: Span::raw(pad_right("", c.title)),
                heat: Span::raw(pad_right("", HEAT_W)),
                label: Span::raw(pad_right("", LABEL_W)),
                tag: Span::raw(pad_right("", TAG_W)),
                age: Span::raw(pad_right("", AGE_W)),
            });
            assert_eq!(line.width() + 1, w, "width {w}");
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
