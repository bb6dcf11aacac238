//! Drill-down views (posts, comments, threads, floors, replies): moving over entries, opening
//! the next level, the hot/real-time tab, reload and links. Board actions do not reach here.

use super::super::drill;
use super::super::msg::Effect;
use super::super::state::AppState;
use super::super::update::visible_in;
use super::Move;
use crate::input::Action;

pub(super) fn act(state: &mut AppState, action: Action) -> Vec<Effect> {
    if let Some(m) = Move::of(action) {
        let vis = visible_in(state.size);
        let page = state
            .views
            .stack
            .last()
            .map_or(1, |v| vis(v, v.offset).max(1)) as isize;
        let delta = match m {
            Move::Step(d) => d,
            Move::Page(d) => d * page,
            Move::First => isize::MIN / 2,
            Move::Last => isize::MAX / 2,
        };
        return drill::move_selection(state, delta, vis);
    }
    match action {
        Action::NextTab | Action::PrevTab => drill::switch_tab(state),
        Action::Open => drill::open_selected(state),
        Action::Reload => drill::reload(state),
        Action::ToggleTone => {
            state.views.show_tone = !state.views.show_tone;
            Vec::new()
        }
        Action::OpenLink | Action::CopyLink => {
            let link = drill::current_link(state);
            super::board::link_effect(state, action, link)
        }
        // Triage, filters and the rest act on the board, which is hidden under a view.
        _ => Vec::new(),
    }
}
