//! Popups: help (typing filters it; it lists the keys of the layer it was opened over first)
//! and a link shown for manual copying. Both close on `Back`; only global keys reach past them.

use super::super::state::AppState;
use crate::config::keymap::{Keymap, Resolved};
use crate::input::{Action, Key, KeyCode, Layer};

pub(super) fn toggle_help(state: &mut AppState) {
    state.popups.show_help = !state.popups.show_help;
    state.popups.help_query.clear();
}

/// While help is open: printable keys type into the filter and backspace deletes from it.
/// Returns false for keys the keymap should handle: the help toggle (`?`), esc, and
/// backspace on an empty filter, so they still close the popup.
pub(super) fn edit_help_query(state: &mut AppState, keymap: &Keymap, key: Key) -> bool {
    if !state.input.pending.is_empty() {
        return false;
    }
    if keymap.resolve(Layer::Help, &[], key) == Resolved::Action(Action::ToggleHelp) {
        return false;
    }
    match key.code {
        KeyCode::Char(c) if !key.ctrl && !key.alt => state.popups.help_query.push(c),
        KeyCode::Backspace if !state.popups.help_query.is_empty() => {
            state.popups.help_query.pop();
        }
        _ => return false,
    }
    true
}
