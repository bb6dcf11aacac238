//! The keyword panel: moving over its entries, and `Enter` filtering the board to an entry's
//! titles. Search, mute, watch and the KOL panel act as on the board (mute and watch take the
//! panel's keyword when it has the keyboard).

use super::super::msg::Effect;
use super::super::state::{AppState, Focus};
use super::super::update::{clamp_keyword_selection, invalidate_rows};
use super::Move;
use crate::input::Action;

pub(super) fn act(state: &mut AppState, action: Action) -> Vec<Effect> {
    if let Some(m) = Move::of(action) {
        move_keyword(state, m);
    } else if action == Action::Open {
        filter_to_entry(state);
    } else {
        return super::board::act(state, action);
    }
    Vec::new()
}

/// `Back` in the panel: the search and the filter it set go first, then the keyboard returns
/// to the board.
pub(super) fn back(state: &mut AppState) {
    if !super::board::clear_search_or_filter(state) {
        state.input.focus = Focus::Board;
    }
}

fn filter_to_entry(state: &mut AppState) {
    let Some(k) = state.analysis.entries.get(state.panel.selected) else {
        return;
    };
    // The keys' titles are the entry's titles (see analysis::panel).
    let label = k.label.to_string();
    state.board.filter_terms = k.keys.iter().map(|k| k.to_string()).collect();
    state.status.flash = Some(format!(
        "showing the {} title{} of “{label}” — esc clears",
        k.titles.total(),
        if k.titles.total() == 1 { "" } else { "s" }
    ));
    state.board.filter = Some(label);
    state.board.selection.chosen = false;
    invalidate_rows(state);
}

fn move_keyword(state: &mut AppState, m: Move) {
    let n = state.analysis.entries.len();
    if n == 0 {
        return;
    }
    state.panel.selected = m.apply(state.panel.selected, state.panel.page_rows, n - 1);
    clamp_keyword_selection(state);
}
