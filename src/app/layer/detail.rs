//! The topic history pane (`H`): movement scrolls it, `H` closes it; the board's other keys
//! still act on the topic underneath.

use super::super::msg::Effect;
use super::super::state::AppState;
use super::Move;
use crate::input::Action;

pub(super) fn act(state: &mut AppState, action: Action) -> Vec<Effect> {
    let page = state.board.page_rows;
    match (state.history.detail.as_mut(), Move::of(action)) {
        // The view clamps to the last line.
        (Some(d), Some(m)) => d.offset = m.apply(d.offset, page, usize::MAX / 2),
        (Some(_), None) if action == Action::TopicHistory => state.history.detail = None,
        _ => return super::board::act(state, action),
    }
    Vec::new()
}
