//! The topic history pane (`H`): movement scrolls it, `H` closes it; the board's other keys
//! still act on the topic underneath.

use super::super::msg::Effect;
use super::super::state::AppState;
use crate::input::Action;

pub(super) fn act(state: &mut AppState, action: Action) -> Vec<Effect> {
    let page = state.board.page_rows.max(1);
    let scroll = |offset: usize| match action {
        Action::SelectNext => Some(offset + 1),
        Action::SelectPrev => Some(offset.saturating_sub(1)),
        Action::PageDown => Some(offset + page),
        Action::PageUp => Some(offset.saturating_sub(page)),
        Action::SelectFirst => Some(0),
        // The view clamps to the last line.
        Action::SelectLast => Some(usize::MAX / 2),
        _ => None,
    };
    match (state.history.detail.as_mut(), action) {
        (Some(_), Action::TopicHistory) => state.history.detail = None,
        (Some(d), _) if scroll(d.offset).is_some() => d.offset = scroll(d.offset).unwrap_or(0),
        _ => return super::board::act(state, action),
    }
    Vec::new()
}
