//! Header line: app name, tabs with row counts, keyword filter, banner; live/paused flush right.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::{Parts, Theme, draw_line};
use crate::analysis::Highlighter;
use crate::app::state::{AppState, Tab};
use crate::domain::Platform;

/// Below this width the app name is left out so the tabs stay readable.
const NAME_MIN_WIDTH: u16 = 60;
/// While travelling, the app name shows only from this width on.
const TRAVEL_NAME_MIN_WIDTH: u16 = 100;

pub(super) fn render(area: Rect, buf: &mut Buffer, state: &AppState, theme: &Theme) {
    let mut left = Parts::default();
    // Time travel needs the room for its banner on narrow terminals: the app name goes first.
    let travelling = state.history.travel.is_some();
    if area.width >= NAME_MIN_WIDTH && !(travelling && area.width < TRAVEL_NAME_MIN_WIDTH) {
        left.push("resou 热搜", theme.title)
            .push("  ", theme.header);
    }
    let tabs = [
        Tab::All,
        Tab::Only(Platform::Weibo),
        Tab::Only(Platform::Tieba),
    ];
    let filter = state
        .board
        .filter
        .as_deref()
        .filter(|f| !f.trim().is_empty());
    let matcher = filter.map(|_| Highlighter::new(&state.filter_words()));
    for (i, tab) in tabs.into_iter().enumerate() {
        if i > 0 {
            left.push(theme.symbols.sep, theme.muted);
        }
        let count = if filter.is_some() && tab == state.board.tab {
            // What the board shows, exactly.
            Some(state.board.rows.len())
        } else {
            tab_count(state, tab, matcher.as_ref())
        };
        let label = match count {
            Some(n) => format!("{} {n}", tab.title()),
            None => tab.title().to_string(),
        };
        if tab == state.board.tab {
            left.push(format!(" {label} "), theme.tab_active);
        } else {
            left.push(label, theme.header);
        }
    }
    if let Some(f) = filter {
        left.push("  ", theme.header)
            .push(format!("filter: {f}"), theme.filter);
    }
    let mut right = Parts::default();
    if let Some(t) = &state.history.travel {
        // Time travel owns the banner: nobody should mistake the past for the live board.
        let live_at = crate::app::history::live_at(state);
        let live = live_at
            .map(|l| format!(" — live is {}", l.format("%H:%M")))
            .unwrap_or_default();
        // The date only when it is not the live day.
        let same_day = live_at.is_some_and(|l| l.date_naive() == t.at.date_naive());
        let when = t.at.format(if same_day { "%H:%M" } else { "%m-%d %H:%M" });
        let loading = if t.loading { " (loading…)" } else { "" };
        left.push("  ", theme.header)
            .push(format!(" viewing {when}{live}{loading} "), theme.travel);
        left.push("  [ ] step · L live", theme.muted);
        right.push("HISTORY", theme.travel);
    } else if let Some(banner) = state.status.banner.as_deref().filter(|b| !b.is_empty()) {
        left.push("   ", theme.header).push(banner, theme.banner);
    }
    if state.history.travel.is_none() {
        if state.lists.paused {
            right.push(theme.symbols.paused, theme.paused);
        } else {
            right.push(theme.symbols.live, theme.live);
        }
    }
    draw_line(area, buf, left, right);
}

/// Rows the tab would show, from the current snapshots (only titles containing the filter
/// keyword when `filter` is given, matched as the highlights are); `None` before any data.
fn tab_count(state: &AppState, tab: Tab, filter: Option<&Highlighter>) -> Option<usize> {
    Platform::ALL
        .into_iter()
        .filter(|p| tab.includes(*p))
        .filter_map(|p| {
            state
                .history
                .shown(&state.lists.boards)
                .get(&p)?
                .current
                .as_ref()
        })
        .map(|s| match filter {
            None => s.ranked.len() + s.pinned.len(),
            Some(m) => s
                .pinned
                .iter()
                .chain(&s.ranked)
                .filter(|t| !m.spans(t.title.as_str()).is_empty())
                .count(),
        })
        .reduce(|a, b| a + b)
}
