//! The visual selection: the board's keys move the cursor (extending the selection) and its
//! triage keys act on every selected row (see `triage_actions::targets`); `Back` ends it.

use super::super::msg::Effect;
use super::super::state::AppState;
use crate::input::Action;

pub(super) fn act(state: &mut AppState, action: Action) -> Vec<Effect> {
    super::board::act(state, action)
}
