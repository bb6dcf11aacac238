//! Who has the keyboard. [`active`] names the top layer from the state; a key resolves in that
//! layer's keymap tables (its chain, then global) and the layer's own handler acts on it.
//! Handlers: one module per layer. `Back` closes the top layer, whatever it is.

mod board;
mod brand;
mod deliveries;
mod detail;
mod events;
mod keywords;
mod popups;
mod prompt;
mod views;
mod visual;

use super::msg::Effect;
use super::state::{AppState, Focus};
use crate::config::keymap::{Keymap, Resolved};
use crate::input::{Action, Key, Layer};
use crate::sources::SourceCmd;

pub(super) use board::select_index;

/// The layer that has the keyboard: the topmost of the stack
/// prompt › link popup › sources › help › deliveries › views › brand view › events › detail
/// pane › keyword panel › visual selection › board. Drill-down views sit above the brand view:
/// a post's comments open from it and `Back` returns to it.
pub fn active(state: &AppState) -> Layer {
    if state.input.prompt.is_some() {
        Layer::Input
    } else if state.popups.link_popup.is_some() {
        Layer::Link
    } else if state.popups.show_sources {
        Layer::Sources
    } else if state.popups.show_help {
        Layer::Help
    } else {
        under_help(state)
    }
}

/// The layer below the help popup (the one whose keys help lists first).
pub fn under_help(state: &AppState) -> Layer {
    if state.deliveries.open {
        Layer::Deliveries
    } else if !state.views.stack.is_empty() {
        Layer::Thread
    } else if state.brand.open {
        Layer::Brand
    } else if state.events_view.open {
        Layer::Events
    } else if state.history.detail.is_some() {
        Layer::Detail
    } else if state.input.focus == Focus::Keywords {
        Layer::Keywords
    } else if state.board.visual.is_some() {
        Layer::Visual
    } else {
        Layer::Board
    }
}

/// A key press: typed into a prompt or the help filter, part of a sequence, or an action for
/// the top layer.
pub fn on_key(state: &mut AppState, keymap: &Keymap, key: Key) -> (Vec<Effect>, bool) {
    let layer = active(state);
    if layer == Layer::Input {
        return prompt::key(state, keymap, key);
    }
    if layer == Layer::Help && popups::edit_help_query(state, keymap, key) {
        return (Vec::new(), true);
    }
    let had_pending = !state.input.pending.is_empty();
    match keymap.resolve(layer, &state.input.pending, key) {
        Resolved::Pending => {
            state.input.pending.push(key.normalized());
            state.input.which_key = keymap.continuations(layer, &state.input.pending);
            state.input.pending_keys = crate::input::seq_string(&state.input.pending);
            (Vec::new(), true)
        }
        Resolved::Unbound => {
            clear_pending(state);
            (Vec::new(), had_pending)
        }
        Resolved::Action(a) => {
            clear_pending(state);
            (act(state, layer, a), true)
        }
    }
}

fn clear_pending(state: &mut AppState) {
    state.input.pending.clear();
    state.input.pending_keys.clear();
    state.input.which_key.clear();
}

/// An action in `layer`: the global ones here, the rest by the layer's handler.
pub fn act(state: &mut AppState, layer: Layer, action: Action) -> Vec<Effect> {
    state.status.flash = None;
    match action {
        Action::Quit => {
            state.quit = true;
            Vec::new()
        }
        Action::Back => back(state, layer),
        Action::ToggleHelp => {
            popups::toggle_help(state);
            Vec::new()
        }
        Action::ShowSources => {
            state.popups.show_sources = !state.popups.show_sources;
            Vec::new()
        }
        Action::RefreshNow => refresh_all(state),
        Action::ToggleLive => {
            state.lists.paused = !state.lists.paused;
            state.status.flash = Some(
                if state.lists.paused {
                    "polling paused — p to resume"
                } else {
                    "polling resumed"
                }
                .into(),
            );
            vec![Effect::Source(SourceCmd::SetPaused(state.lists.paused))]
        }
        // Prompt keys outside a prompt do nothing; noop only unbinds.
        Action::Submit
        | Action::Cancel
        | Action::DeleteBack
        | Action::ClearInput
        | Action::Noop => Vec::new(),
        _ => match layer {
            Layer::Board | Layer::Global => board::act(state, action),
            Layer::Visual => visual::act(state, action),
            Layer::Keywords => keywords::act(state, action),
            Layer::Thread => views::act(state, action),
            Layer::Detail => detail::act(state, action),
            Layer::Events => events::act(state, action),
            Layer::Deliveries => deliveries::act(state, action),
            Layer::Brand => brand::act(state, action),
            // Popups and prompts own only `Back` (above) and their typing.
            Layer::Link | Layer::Sources | Layer::Help | Layer::Input => Vec::new(),
        },
    }
}

/// Close the top layer; at the bare board, peel search, filter and time travel, then quit.
fn back(state: &mut AppState, layer: Layer) -> Vec<Effect> {
    match layer {
        Layer::Input => prompt::cancel(state),
        Layer::Link => state.popups.link_popup = None,
        Layer::Sources => state.popups.show_sources = false,
        Layer::Deliveries => deliveries::back(state),
        Layer::Brand => state.brand.open = false,
        Layer::Help => state.popups.show_help = false,
        Layer::Thread => return super::drill::back(state),
        Layer::Detail => state.history.detail = None,
        Layer::Events => events::back(state),
        Layer::Visual => super::triage_actions::toggle_visual(state),
        Layer::Keywords => keywords::back(state),
        Layer::Board | Layer::Global => board::back(state),
    }
    Vec::new()
}

/// A cursor move, as the six movement actions ask for it; each layer applies it to its own
/// cursor (board row, keyword entry, view entry, detail scroll).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    /// One row down (1) or up (-1).
    Step(isize),
    /// One page down (1) or up (-1).
    Page(isize),
    First,
    Last,
}

impl Move {
    fn of(action: Action) -> Option<Move> {
        Some(match action {
            Action::SelectNext => Move::Step(1),
            Action::SelectPrev => Move::Step(-1),
            Action::PageDown => Move::Page(1),
            Action::PageUp => Move::Page(-1),
            Action::SelectFirst => Move::First,
            Action::SelectLast => Move::Last,
            _ => return None,
        })
    }

    /// The new position from `cur` with `page` rows a page and `last` the last position.
    fn apply(self, cur: usize, page: usize, last: usize) -> usize {
        let delta = match self {
            Move::Step(d) => d,
            Move::Page(d) => d * page.max(1) as isize,
            Move::First => return 0,
            Move::Last => return last,
        };
        cur.saturating_add_signed(delta).min(last)
    }
}

fn refresh_all(state: &mut AppState) -> Vec<Effect> {
    state.status.flash = Some("refreshing all sources…".into());
    vec![Effect::Source(SourceCmd::RefreshNow)]
}

/// An action as if its key were pressed now (in the top layer): the mouse wheel, tests.
pub fn apply(state: &mut AppState, action: Action) -> Vec<Effect> {
    let fx = act(state, active(state), action);
    super::update::refresh_rows(state);
    fx
}
