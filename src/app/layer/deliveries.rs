//! The deliveries view (`D`): movement walks the deliveries, `D` or `Back` closes it.

use super::super::deliveries;
use super::super::msg::Effect;
use super::super::state::AppState;
use super::Move;
use crate::input::Action;

pub(super) fn act(state: &mut AppState, action: Action) -> Vec<Effect> {
    if let Some(m) = Move::of(action) {
        deliveries::select(state, |cur, page, last| m.apply(cur, page, last));
        return Vec::new();
    }
    match action {
        Action::ShowDeliveries => deliveries::toggle(state),
        _ => Vec::new(),
    }
}

/// `Back`: close the view.
pub(super) fn back(state: &mut AppState) {
    state.deliveries.open = false;
}
