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
    let filter = state
        .board
        .filter
        .as_deref()
        .filter(|f| !f.trim().is_empty());
    // Room for the tabs: the live marker (or HISTORY) takes the right edge.
    let room = (area.width as usize).saturating_sub(left.width() + 10);
    left.0.extend(tab_parts(state, theme, filter, room).0);
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

/// How much the tab bar says, densest last: every tab with its row count; counts only on the
/// selected tab; only the selected tab and its neighbours with the position (`‹ 贴吧 30 › 3/9`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TabForm {
    Counts,
    Names,
    Window,
}

/// The tab bar in the densest form that fits in `room` cells.
fn tab_parts(state: &AppState, theme: &Theme, filter: Option<&str>, room: usize) -> Parts {
    let tabs = state.tabs();
    let matcher = filter.map(|_| Highlighter::new(&state.filter_words()));
    let label = |tab: Tab, count: bool| {
        let n = if !count {
            None
        } else if filter.is_some() && tab == state.board.tab {
            // What the board shows, exactly.
            Some(state.board.rows.len())
        } else {
            tab_count(state, tab, matcher.as_ref())
        };
        match n {
            Some(n) => format!("{} {n}", tab.title()),
            None => tab.title().to_string(),
        }
    };
    let build = |form: TabForm| {
        let mut parts = Parts::default();
        let active = tabs.iter().position(|t| *t == state.board.tab).unwrap_or(0);
        let shown: Vec<usize> = match form {
            TabForm::Window => (active.saturating_sub(1)..(active + 2).min(tabs.len())).collect(),
            _ => (0..tabs.len()).collect(),
        };
        if form == TabForm::Window && shown.first().is_some_and(|&i| i > 0) {
            parts.push("‹ ", theme.muted);
        }
        for (k, &i) in shown.iter().enumerate() {
            let tab = tabs[i];
            if k > 0 {
                let sep = if form == TabForm::Counts {
                    theme.symbols.sep
                } else {
                    " "
                };
                parts.push(sep, theme.muted);
            }
            if i == active {
                parts.push(format!(" {} ", label(tab, true)), theme.tab_active);
            } else {
                parts.push(label(tab, form == TabForm::Counts), theme.header);
            }
        }
        if form == TabForm::Window {
            if shown.last().is_some_and(|&i| i + 1 < tabs.len()) {
                parts.push(" ›", theme.muted);
            }
            parts.push(format!(" {}/{}", active + 1, tabs.len()), theme.muted);
        }
        parts
    };
    [TabForm::Counts, TabForm::Names]
        .into_iter()
        .map(build)
        .find(|p| p.width() <= room)
        .unwrap_or_else(|| build(TabForm::Window))
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
