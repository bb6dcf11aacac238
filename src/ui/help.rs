//! Help popup: the resolved keymap's entries grouped by mode, centred and clamped to the screen.
//! Typing while it is open filters the rows (the help layer's handler edits the query).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::Theme;
use super::text::{ELLIPSIS, display_width, pad_right};
use crate::app::state::HelpEntry;

/// The keys column never takes more than this, so descriptions stay readable.
const KEYS_MAX_W: usize = 18;

/// Entries whose keys, description or mode contain `query` (case-insensitive).
pub fn filtered(entries: &[HelpEntry], query: &str) -> Vec<HelpEntry> {
    let q = query.to_lowercase();
    entries
        .iter()
        .filter(|e| {
            q.is_empty()
                || [&e.keys, &e.desc, &e.mode]
                    .iter()
                    .any(|f| f.to_lowercase().contains(&q))
        })
        .cloned()
        .collect()
}

/// The help popup: global keys, then the keys of `layers` (the tables of the layer it was
/// opened over, most specific first), then the rest.
pub(super) fn render(
    screen: Rect,
    buf: &mut Buffer,
    entries: &[HelpEntry],
    query: &str,
    layers: &[&str],
    theme: &Theme,
) {
    // Global keys (help, back, quit, pause) are few and matter everywhere, so they come first
    // and stay visible when the list overflows; typing finds the rest.
    let rank = |e: &HelpEntry| match layers.iter().position(|l| *l == e.mode) {
        _ if e.mode == "global" => 0,
        Some(i) => 1 + i,
        None => 1 + layers.len(),
    };
    let mut ordered = filtered(entries, query);
    ordered.sort_by_key(rank); // stable: the keymap's order within each mode
    let entries = &ordered[..];
    let keys_w = entries
        .iter()
        .map(|e| display_width(&e.keys))
        .max()
        .unwrap_or(0)
        .min(KEYS_MAX_W);
    let mut lines = vec![query_line(query, theme)];
    lines.extend(help_lines(entries, keys_w, theme));
    let content_w = lines.iter().map(Line::width).max().unwrap_or(0);

    // Borders take 2 cells each way; one cell of padding inside left and right.
    let w = (content_w as u16).saturating_add(4).min(screen.width);
    let h = (lines.len() as u16).saturating_add(2).min(screen.height);
    let popup = Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + (screen.height - h) / 2,
        w,
        h,
    );
    if popup.width < 3 || popup.height < 3 {
        return;
    }
    let inner = popup_frame(
        popup,
        buf,
        theme.muted,
        Span::styled(" help · ? or esc closes ", theme.header),
    );

    let room = inner.height as usize;
    let overflow = lines.len() > room;
    let shown = if overflow {
        room.saturating_sub(1)
    } else {
        room
    };
    for (i, line) in lines.into_iter().take(shown).enumerate() {
        let rect = Rect::new(inner.x, inner.y + i as u16, inner.width, 1);
        fit(line, inner.width as usize).render(rect, buf);
    }
    if overflow && room > 0 {
        let rect = Rect::new(inner.x, inner.y + shown as u16, inner.width, 1);
        Span::styled(ELLIPSIS, theme.muted).render(rect, buf);
    }
}

/// The filter line at the top: what was typed, or a hint.
fn query_line<'a>(query: &'a str, theme: &Theme) -> Line<'a> {
    if query.is_empty() {
        Line::from(Span::styled("type to filter", theme.muted))
    } else {
        Line::from(vec![
            Span::styled("filter: ", theme.muted),
            Span::styled(query, theme.key),
        ])
    }
}

fn help_lines<'a>(entries: &'a [HelpEntry], keys_w: usize, theme: &Theme) -> Vec<Line<'a>> {
    if entries.is_empty() {
        return vec![Line::from(Span::styled("no matching keys", theme.muted))];
    }
    // Modes in order of first appearance, entries in their given order within a mode.
    let mut modes: Vec<&str> = Vec::new();
    for e in entries {
        if !modes.contains(&e.mode.as_str()) {
            modes.push(&e.mode);
        }
    }
    let mut lines = Vec::with_capacity(entries.len() + modes.len() * 2);
    for (i, mode) in modes.iter().enumerate() {
        if i > 0 {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(*mode, theme.title)));
        for e in entries.iter().filter(|e| e.mode == *mode) {
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(pad_right(&e.keys, keys_w), theme.key),
                Span::raw("  "),
                Span::styled(e.desc.as_str(), Style::new()),
            ]));
        }
    }
    lines
}

/// Truncate a line's spans to `width` cells with `…`, by display width.
fn fit(line: Line<'_>, width: usize) -> Line<'static> {
    let mut left = width;
    let mut spans = Vec::with_capacity(line.spans.len());
    for span in line.spans {
        if left == 0 {
            break;
        }
        let w = display_width(&span.content);
        let content = if w <= left {
            span.content.into_owned()
        } else {
            super::text::truncate(&span.content, left)
        };
        left = left.saturating_sub(w);
        spans.push(Span::styled(content, span.style));
    }
    Line::from(spans)
}

/// A wide glyph just left of the popup would cover its left border cell; blank it.
pub(super) fn clear_wide_glyphs_left_of(popup: Rect, buf: &mut Buffer) {
    if popup.x == 0 {
        return;
    }
    for y in popup.top()..popup.bottom() {
        if let Some(cell) = buf.cell_mut((popup.x - 1, y))
            && display_width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
    }
}

/// Draw a popup's frame over whatever is below (cleared first, wide glyphs at its left edge
/// too, so they cannot eat the border) and return the inner area with one column of padding.
pub(super) fn popup_frame(popup: Rect, buf: &mut Buffer, border: Style, title: Span<'_>) -> Rect {
    Clear.render(popup, buf);
    clear_wide_glyphs_left_of(popup, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(title);
    let inner = block.inner(popup);
    block.render(popup, buf);
    Rect::new(
        inner.x.saturating_add(1),
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    )
}

/// Styled lines in a centred popup titled `title`, each cut to the popup's width (the sources
/// list, `S`).
pub(super) fn lines_popup(
    screen: Rect,
    buf: &mut Buffer,
    title: &str,
    lines: Vec<Vec<(String, Style)>>,
    theme: &Theme,
) {
    let lines = lines
        .into_iter()
        .map(|l| PopupLine {
            left: super::Parts(l),
            ..PopupLine::default()
        })
        .collect();
    let mut footer = super::Parts::default();
    footer.push("esc closes", theme.muted);
    list_popup(
        screen,
        buf,
        Span::styled(title, theme.title),
        lines,
        footer,
        theme,
    );
}

/// One line of a list popup: parts from the left (cut with `…` to fit), parts flush right,
/// and a style laid under the whole line first (a selection).
#[derive(Debug, Default)]
pub(super) struct PopupLine {
    pub left: super::Parts,
    pub right: super::Parts,
    pub under: Option<Style>,
}

/// The widest a list popup gets.
pub(super) const LIST_POPUP_MAX_WIDTH: u16 = 110;

/// The area of a list popup of `lines` lines on `screen`: centred, at most
/// [`LIST_POPUP_MAX_WIDTH`] wide, as tall as its lines, a blank line and the footer need.
pub(super) fn list_popup_area(screen: Rect, lines: usize) -> Rect {
    let w = screen.width.saturating_sub(4).min(LIST_POPUP_MAX_WIDTH);
    let h = (lines as u16).saturating_add(4).min(screen.height);
    Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + (screen.height.saturating_sub(h)) / 2,
        w,
        h,
    )
}

/// Lines in a centred popup titled `title`, with `footer` on its last line (the sources
/// list, the deliveries).
pub(super) fn list_popup(
    screen: Rect,
    buf: &mut Buffer,
    title: Span<'_>,
    lines: Vec<PopupLine>,
    footer: super::Parts,
    theme: &Theme,
) {
    let popup = list_popup_area(screen, lines.len());
    let inner = popup_frame(popup, buf, theme.border, title);
    let rows = inner.height.saturating_sub(1) as usize;
    for (i, l) in lines.into_iter().take(rows).enumerate() {
        let rect = Rect::new(inner.x, inner.y + i as u16, inner.width, 1);
        if let Some(under) = l.under {
            buf.set_style(rect, under);
        }
        super::draw_line(rect, buf, l.left, l.right);
    }
    let last = Rect::new(
        inner.x,
        inner.y + inner.height.saturating_sub(1),
        inner.width,
        1,
    );
    super::draw_line(last, buf, footer, super::Parts::default());
}

/// A link the user can select with the mouse: no browser or clipboard could take it (SSH).
pub(super) fn link_popup(screen: Rect, buf: &mut Buffer, url: &str, theme: &Theme) {
    let w = screen.width.saturating_sub(4).min(100);
    // The URL wraps by cells over as many lines as it needs (up to 6).
    let inner_w = w.saturating_sub(4).max(1) as usize;
    let lines = super::text::wrap_styled(&[(url.to_string(), theme.link)], inner_w);
    let shown = lines.len().min(6);
    let h = (shown as u16 + 4).min(screen.height);
    let popup = Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + (screen.height.saturating_sub(h)) / 2,
        w,
        h,
    );
    let inner = popup_frame(
        popup,
        buf,
        theme.border,
        Span::styled(" link ", theme.title),
    );
    for (i, l) in lines.into_iter().take(shown).enumerate() {
        let spans: Vec<Span> = l.into_iter().map(|(s, st)| Span::styled(s, st)).collect();
        Line::from(spans).render(Rect::new(inner.x, inner.y + i as u16, inner.width, 1), buf);
    }
    let hint = "select to copy · esc closes";
    Line::from(Span::styled(hint, theme.muted)).render(
        Rect::new(
            inner.x,
            inner.y + inner.height.saturating_sub(1),
            inner.width,
            1,
        ),
        buf,
    );
}
