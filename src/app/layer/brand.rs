//! The brand view (`B`): movement walks the posts of the list with the cursor, tab / shift-tab
//! (or l / h) change term, `n` switches newest ↔ most negative, Enter opens a post's comments.

use super::super::brand;
use super::super::msg::Effect;
use super::super::state::AppState;
use super::Move;
use crate::input::Action;

pub(super) fn act(state: &mut AppState, action: Action) -> Vec<Effect> {
    if let Some(m) = Move::of(action) {
        brand::select(state, |cur, page, last| m.apply(cur, page, last));
        return Vec::new();
    }
    match action {
        Action::ShowBrand => brand::toggle(state),
        Action::NextTab => {
            brand::cycle_term(state, 1);
            Vec::new()
        }
        Action::PrevTab => {
            brand::cycle_term(state, -1);
            Vec::new()
        }
        Action::BrandList => {
            brand::cycle_list(state);
            Vec::new()
        }
        Action::Open => brand::open_selected(state),
        Action::OpenLink | Action::CopyLink => {
            let link = brand::selected_link(state);
            super::board::link_effect(state, action, link)
        }
        _ => Vec::new(),
    }
}
