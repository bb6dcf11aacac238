//! The view: a pure function of `AppState` (no I/O, no clock reads, no panics at any size).
//!
//! Screen layout, top to bottom: header (1 line), column headings (1), board rows, status bar
//! (1 line on short terminals, 2 otherwise). The keyword panel sits right of the board on wide
//! terminals, below it on narrower tall ones, and is hidden otherwise; the KOL panel is a popup
//! over the board so it never changes either page size. `board_page_rows` and
//! `keyword_page_rows` come from the same `Areas` that `render` draws, so paging in the app always
//! matches the screen.

mod board;
pub mod brand;
pub mod deliveries;
pub mod events;
mod header;
pub mod help;
mod keywords;
mod kols;
pub mod spark;
mod status;
pub mod text;
pub mod theme;
pub mod thread;
mod topic_history;
mod whichkey;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::state::{AppState, Focus};
pub use theme::Theme;

/// Below this size only "terminal too small" is drawn.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// From this height on the status bar gets a second line.
const TWO_LINE_STATUS_HEIGHT: u16 = 16;
/// From this width on the keyword panel sits right of the board.
pub const SIDE_PANEL_MIN_WIDTH: u16 = 120;
/// Below `SIDE_PANEL_MIN_WIDTH`, from this height on the keyword panel sits below the board.
pub const BELOW_PANEL_MIN_HEIGHT: u16 = 30;
/// Height of the keyword panel below the board: its title line and 8 keywords.
const BELOW_PANEL_HEIGHT: u16 = 9;

/// Where the keyword panel is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    Side,
    Below,
    /// Small terminals: the panel takes the board's place while it has the keyboard (`l`).
    Instead,
}

/// The keyword panel's area; its first line is the title, the rest are keyword rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Panel {
    area: Rect,
    placement: Placement,
}

/// Areas of one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Areas {
    header: Rect,
    columns: Rect,
    board: Rect,
    status: Rect,
    panel: Option<Panel>,
}

impl Areas {
    /// `None` when the terminal is below the minimum size.
    fn of(area: Rect) -> Option<Areas> {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            return None;
        }
        let status_h = if area.height >= TWO_LINE_STATUS_HEIGHT {
            2
        } else {
            1
        };
        let row = |y: u16, h: u16| Rect::new(area.x, y, area.width, h);
        let body_h = area.height.saturating_sub(2 + status_h);
        let mut areas = Areas {
            header: row(area.y, 1),
            columns: row(area.y + 1, 1),
            board: row(area.y + 2, body_h),
            status: row(area.y + 2 + body_h, status_h),
            panel: None,
        };
        if area.width >= SIDE_PANEL_MIN_WIDTH {
            // 36 columns at 120, 44 from 147 on: room for a label, score, since when,
            // sparkline and counts.
            let w = (area.width * 3 / 10).clamp(36, 44);
            let board_w = area.width - w;
            areas.columns.width = board_w;
            areas.board.width = board_w;
            areas.panel = Some(Panel {
                area: Rect::new(area.x + board_w, area.y + 1, w, body_h + 1),
                placement: Placement::Side,
            });
        } else if area.height >= BELOW_PANEL_MIN_HEIGHT {
            let board_h = body_h - BELOW_PANEL_HEIGHT;
            areas.board.height = board_h;
            areas.panel = Some(Panel {
                area: row(area.y + 2 + board_h, BELOW_PANEL_HEIGHT),
                placement: Placement::Below,
            });
        } else {
            areas.panel = Some(Panel {
                area: row(area.y + 1, body_h + 1),
                placement: Placement::Instead,
            });
        }
        Some(areas)
    }
}

/// How many board rows fit in a terminal of this size (0 below the minimum size).
pub fn board_page_rows(area: Rect) -> usize {
    Areas::of(area).map_or(0, |a| a.board.height as usize)
}

/// How many keyword rows the keyword panel shows in a terminal of this size (0 when the panel is
/// hidden). While the rising/steady separator is in view it takes one of these rows; the view
/// then scrolls one further on its own so the selected keyword stays visible.
pub fn keyword_page_rows(area: Rect) -> usize {
    Areas::of(area)
        .and_then(|a| a.panel)
        .map_or(0, |p| keywords::body(p).height as usize)
}

/// Draw the whole screen from `state` with the default theme.
pub fn render(frame: &mut Frame, state: &AppState) {
    render_with(frame, state, &Theme::default());
}

/// Draw the whole screen from `state` with `theme`.
pub fn render_with(frame: &mut Frame, state: &AppState, theme: &Theme) {
    let area = frame.area();
    let buf = frame.buffer_mut();
    if !state.views.stack.is_empty() {
        thread::render(area, buf, state, theme);
        overlays(area, buf, state, theme);
        return;
    }
    let Some(areas) = Areas::of(area) else {
        too_small(area, buf, theme);
        return;
    };
    header::render(areas.header, buf, state, theme);
    if state.brand.open || state.events_view.open {
        // The brand and events views take the board's and the panel's room.
        let body = Rect::new(
            area.x,
            areas.header.bottom(),
            area.width,
            areas.status.y.saturating_sub(areas.header.bottom()),
        );
        if state.brand.open {
            brand::render(body, buf, state, theme);
        } else {
            events::render(body, buf, state, theme);
        }
        status::render(areas.status, buf, state, theme);
        overlays(area, buf, state, theme);
        return;
    }
    let instead = areas
        .panel
        .filter(|p| p.placement == Placement::Instead && state.input.focus == Focus::Keywords);
    match instead {
        Some(panel) => keywords::render(panel, buf, state, theme),
        None => {
            board::render(areas.columns, areas.board, buf, state, theme);
            if let Some(panel) = areas.panel.filter(|p| p.placement != Placement::Instead) {
                keywords::render(panel, buf, state, theme);
            }
        }
    }
    status::render(areas.status, buf, state, theme);
    if state.panel.show_kols {
        kols::render(areas.board, buf, &state.analysis.kols, theme);
    }
    overlays(area, buf, state, theme);
}

/// Popups over any screen, lowest first: the topic pane, the deliveries, help, sources, a link
/// shown for manual copying, the which-key list.
fn overlays(area: Rect, buf: &mut Buffer, state: &AppState, theme: &Theme) {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return;
    }
    if let Some(pane) = state
        .history
        .detail
        .as_ref()
        .filter(|_| state.views.stack.is_empty())
    {
        let team = state
            .history
            .team
            .get(&crate::triage::entry_key(&pane.key))
            .map_or(&[][..], |v| v.as_slice());
        // this topic's list-dynamics marks and its story across lists
        let marks: Vec<crate::analysis::dynamics::Candidate> = state
            .analysis
            .dynamics
            .get(&pane.key.platform)
            .into_iter()
            .flatten()
            .filter(|c| c.key == pane.key)
            .cloned()
            .collect();
        let now = topic_history::TopicNow {
            event: state
                .events()
                .of(&pane.key)
                .or_else(|| pane.stories.of(&pane.key)),
            marks: &marks,
        };
        let travelled = state.history.travel.as_ref().map(|t| t.at);
        topic_history::render(area, buf, pane, team, now, travelled, theme);
    }
    if state.deliveries.open {
        deliveries::render(area, buf, state, theme);
    }
    if state.popups.show_help {
        let layers: Vec<&str> = crate::app::layer::under_help(state)
            .chain()
            .iter()
            .map(|l| l.name())
            .collect();
        help::render(
            area,
            buf,
            &state.popups.help,
            &state.popups.help_query,
            &layers,
            theme,
        );
    }
    if state.popups.show_sources {
        help::lines_popup(
            area,
            buf,
            " sources ",
            status::source_lines(state, theme),
            theme,
        );
    }
    if let Some(url) = &state.popups.link_popup {
        help::link_popup(area, buf, url, theme);
    }
    whichkey::render(area, buf, state, theme);
}

fn too_small(area: Rect, buf: &mut Buffer, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let need = format!("(need {MIN_WIDTH}×{MIN_HEIGHT})");
    let one = format!("terminal too small {need}");
    // Split over two lines rather than cut off the size that is needed.
    let lines = if text::display_width(&one) <= area.width as usize || area.height < 2 {
        vec![one]
    } else {
        vec!["terminal too small".to_string(), need]
    };
    let top = area.y + area.height.saturating_sub(lines.len() as u16) / 2;
    for (i, l) in lines.iter().enumerate() {
        let line = Line::from(Span::styled(
            text::center(l, area.width as usize),
            theme.warn,
        ));
        line.render(Rect::new(area.x, top + i as u16, area.width, 1), buf);
    }
}

/// A run of styled text parts laid out left to right in one line.
#[derive(Debug, Default)]
struct Parts(Vec<(String, Style)>);

impl Parts {
    fn push(&mut self, s: impl Into<String>, style: Style) -> &mut Self {
        self.0.push((s.into(), style));
        self
    }

    fn width(&self) -> usize {
        self.0.iter().map(|(s, _)| text::display_width(s)).sum()
    }

    /// Cut to `max` cells. When anything is cut, the text ends with `…` (in the style of the part
    /// cut), so a dropped trailing part never goes unnoticed.
    fn truncated(self, max: usize) -> Vec<(String, Style)> {
        if self.width() <= max {
            return self.0;
        }
        let Some(mut left) = max.checked_sub(1) else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(self.0.len());
        for (s, style) in self.0 {
            let w = text::display_width(&s);
            if w <= left {
                left -= w;
                out.push((s, style));
            } else {
                let kept = text::take_width(&s, left);
                out.push((text::with_ellipsis(kept, left + 1), style));
                break;
            }
        }
        out
    }
}

/// Draw `spans` left to right in the one-line `area`, cut at its right edge. Cheaper than
/// `Line::render`, whose per-span width bookkeeping dominated the keyword panel's cost.
fn draw_spans<'a>(area: Rect, buf: &mut Buffer, spans: impl IntoIterator<Item = Span<'a>>) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let mut x = area.x;
    for span in spans {
        if x >= area.right() {
            break;
        }
        let max = (area.right() - x) as usize;
        x = buf.set_stringn(x, area.y, &span.content, max, span.style).0;
    }
}

/// Draw `left` from the left edge and `right` flush right, in one line of `area`. The right part
/// wins when space is short (it holds short fixed hints); the left part is truncated to fit.
fn draw_line(area: Rect, buf: &mut Buffer, left: Parts, right: Parts) {
    if area.is_empty() {
        return;
    }
    let width = area.width as usize;
    let right_w = right.width();
    let (right, right_w) = if right_w + 1 < width {
        (right.0, right_w)
    } else {
        (Vec::new(), 0)
    };
    let left_max = width.saturating_sub(if right_w > 0 { right_w + 1 } else { 0 });
    let left = left.truncated(left_max);
    let left_w: usize = left.iter().map(|(s, _)| text::display_width(s)).sum();
    let mut spans: Vec<Span> = left
        .into_iter()
        .map(|(s, st)| Span::styled(s, st))
        .collect();
    if right_w > 0 {
        spans.push(Span::raw(" ".repeat(width - left_w - right_w)));
        spans.extend(right.into_iter().map(|(s, st)| Span::styled(s, st)));
    }
    Line::from(spans).render(Rect::new(area.x, area.y, area.width, 1), buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_rows_follow_the_layout() {
        assert_eq!(board_page_rows(Rect::new(0, 0, 80, 24)), 24 - 2 - 2);
        assert_eq!(board_page_rows(Rect::new(0, 0, 40, 10)), 10 - 2 - 1);
        assert_eq!(board_page_rows(Rect::new(0, 0, 39, 24)), 0);
        assert_eq!(board_page_rows(Rect::new(0, 0, 0, 0)), 0);
        // Side panel: the board keeps its height.
        assert_eq!(board_page_rows(Rect::new(0, 0, 120, 40)), 40 - 2 - 2);
        // Panel below: the board gives up its rows.
        assert_eq!(board_page_rows(Rect::new(0, 0, 100, 30)), 30 - 2 - 2 - 9);
    }

    #[test]
    fn keyword_panel_placement_by_size() {
        let panel = |w, h| Areas::of(Rect::new(0, 0, w, h)).and_then(|a| a.panel);
        let side = panel(120, 40).unwrap();
        assert_eq!(side.placement, Placement::Side);
        assert_eq!((side.area.x, side.area.width), (84, 36));
        assert_eq!(panel(200, 60).unwrap().area.width, 44);
        assert_eq!(panel(119, 30).unwrap().placement, Placement::Below);
        assert_eq!(panel(119, 29).unwrap().placement, Placement::Instead);
        assert_eq!(panel(80, 24).unwrap().placement, Placement::Instead);
        assert_eq!(keyword_page_rows(Rect::new(0, 0, 120, 40)), 40 - 2 - 2);
        assert_eq!(keyword_page_rows(Rect::new(0, 0, 100, 30)), 8);
        // 80×24: the panel replaces the board (title line + 20 rows below the header).
        assert_eq!(keyword_page_rows(Rect::new(0, 0, 80, 24)), 24 - 2 - 2);
        assert_eq!(keyword_page_rows(Rect::new(0, 0, 130, 9)), 0);
    }

    #[test]
    fn right_part_is_flush_right_and_left_truncated() {
        let area = Rect::new(0, 0, 12, 1);
        let mut buf = Buffer::empty(area);
        let mut l = Parts::default();
        l.push("热搜热搜热搜", Style::new());
        let mut r = Parts::default();
        r.push("? help", Style::new());
        draw_line(area, &mut buf, l, r);
        // Skip the cells hidden behind wide glyphs, as a terminal would.
        let mut row = String::new();
        let mut x = 0;
        while x < 12 {
            let sym = buf[(x, 0)].symbol();
            row.push_str(sym);
            x += text::display_width(sym).max(1) as u16;
        }
        assert_eq!(row, "热搜… ? help");
    }

    #[test]
    fn dropped_parts_leave_an_ellipsis() {
        let mut p = Parts::default();
        p.push("abc", Style::new()).push("def", Style::new());
        let cut = p.truncated(4);
        let joined: String = cut.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(joined, "abc…");
        let mut p = Parts::default();
        p.push("热搜", Style::new()).push("x", Style::new());
        let joined: String = p.truncated(4).iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(joined, "热… ");
    }
}
