//! KOL panel: a popup at the top right of the board listing the active KOLs (name, titles
//! mentioning them now, sparkline of mentions per poll). A popup rather than a split of the
//! keyword panel, so toggling it never changes how many board or keyword rows fit.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Widget;

use super::help::popup_frame;
use super::spark::sparkline;
use super::text::{display_width, pad_left, pad_right};
use super::{Theme, draw_spans};
use crate::analysis::KolTrend;

const NAME_MIN_W: usize = 4;
const NAME_MAX_W: usize = 12;
const NOW_W: usize = 3;
const SPARK_W: usize = 12;
const EMPTY: &str = "no KOLs active";

pub(super) fn render(board: Rect, buf: &mut Buffer, kols: &[KolTrend], theme: &Theme) {
    let name_w = kols
        .iter()
        .map(|k| display_width(&k.name))
        .max()
        .unwrap_or(0)
        .clamp(NAME_MIN_W, NAME_MAX_W);
    let content_w = if kols.is_empty() {
        display_width(EMPTY)
    } else {
        name_w + 1 + NOW_W + 1 + SPARK_W
    };
    // Borders and one cell of padding each side.
    // One column kept free on the right, so the popup's border never touches the panel's.
    let board = Rect {
        width: board.width.saturating_sub(1),
        ..board
    };
    let w = u16::try_from(content_w + 4)
        .unwrap_or(u16::MAX)
        .min(board.width);
    let h = u16::try_from(kols.len().max(1) + 2)
        .unwrap_or(u16::MAX)
        .min(board.height);
    if w < 8 || h < 3 {
        return;
    }
    let popup = Rect::new(board.right() - w, board.y, w, h);
    let inner = popup_frame(popup, buf, theme.border, Span::styled(" KOLs ", theme.kol));
    let row = |i: usize| Rect::new(inner.x, inner.y + i as u16, inner.width, 1);
    if kols.is_empty() {
        Span::styled(EMPTY, theme.muted).render(row(0), buf);
        return;
    }
    let room = inner.height as usize;
    let shown = if kols.len() > room {
        room.saturating_sub(1)
    } else {
        kols.len()
    };
    // What is left of the width after name and count goes to the sparkline.
    let spark_w = (inner.width as usize).saturating_sub(name_w + 1 + NOW_W + 1);
    for (i, k) in kols.iter().take(shown).enumerate() {
        let history: Vec<f64> = k.history.iter().map(|&n| f64::from(n)).collect();
        draw_spans(
            row(i),
            buf,
            [
                Span::styled(pad_right(&k.name, name_w), theme.kol),
                Span::raw(" "),
                Span::styled(pad_left(&k.now.to_string(), NOW_W), theme.heat),
                Span::raw(" "),
                Span::styled(
                    sparkline(&history, spark_w, &theme.symbols.spark),
                    theme.muted,
                ),
            ],
        );
    }
    if shown < kols.len() && room > 0 {
        let more = format!("… {} more", kols.len() - shown);
        Span::styled(more, theme.muted).render(row(shown), buf);
    }
}
