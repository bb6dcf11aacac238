//! Which-key popup: while a multi-key prefix (`g`) is pending, the keys that can follow it
//! and what they do, in the bottom-right corner above the status bar.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::Theme;
use super::help::popup_frame;
use super::text::{display_width, pad_right, truncate};
use crate::app::state::AppState;

/// Wider descriptions are cut with an ellipsis.
const MAX_W: usize = 48;

pub(super) fn render(screen: Rect, buf: &mut Buffer, state: &AppState, theme: &Theme) {
    if state.input.pending.is_empty() || state.input.which_key.is_empty() {
        return;
    }
    let keys_w = state
        .input
        .which_key
        .iter()
        .map(|(k, _)| display_width(k))
        .max()
        .unwrap_or(0);
    let content_w = state
        .input
        .which_key
        .iter()
        .map(|(_, d)| keys_w + 2 + display_width(d))
        .max()
        .unwrap_or(0)
        .max(display_width(&state.input.pending_keys) + 4)
        .min(MAX_W);
    // Borders and one cell of padding each side; keep the status bar (last row) visible.
    let w = (content_w as u16).saturating_add(4).min(screen.width);
    let h = (state.input.which_key.len() as u16)
        .saturating_add(2)
        .min(screen.height.saturating_sub(1));
    if w < 6 || h < 3 {
        return;
    }
    let popup = Rect::new(
        screen.right().saturating_sub(w),
        screen.bottom().saturating_sub(h + 1),
        w,
        h,
    );
    let title = Span::styled(format!(" {} … ", state.input.pending_keys), theme.header);
    let inner = popup_frame(popup, buf, theme.border, title);
    let desc_w = (inner.width as usize).saturating_sub(keys_w + 2);
    for (i, (keys, desc)) in state
        .input
        .which_key
        .iter()
        .take(inner.height as usize)
        .enumerate()
    {
        let line = Line::from(vec![
            Span::styled(pad_right(keys, keys_w), theme.key),
            Span::raw("  "),
            Span::raw(truncate(desc, desc_w)),
        ]);
        line.render(Rect::new(inner.x, inner.y + i as u16, inner.width, 1), buf);
    }
}
