//! Text prompts (search, note): printable characters are text (IME and CJK input pass
//! through); named keys resolve in the `input` table (then global: `ctrl-c` still quits).

use super::super::msg::Effect;
use super::super::state::{AppState, Prompt, PromptKind};
use super::super::triage_actions;
use super::super::update::invalidate_rows;
use crate::config::keymap::{Keymap, Resolved};
use crate::input::{Action, Key, KeyCode, Layer};

/// Longest prompt text kept.
const MAX_PROMPT_CHARS: usize = 200;

pub(super) fn key(state: &mut AppState, keymap: &Keymap, key: Key) -> (Vec<Effect>, bool) {
    state.input.pending.clear();
    state.input.pending_keys.clear();
    if let KeyCode::Char(c) = key.code
        && !key.ctrl
        && !key.alt
    {
        if let Some(p) = &mut state.input.prompt
            && p.text.chars().count() < MAX_PROMPT_CHARS
        {
            p.text.push(c);
        }
        changed(state);
        return (Vec::new(), true);
    }
    let action = match keymap.resolve(Layer::Input, &[], key) {
        Resolved::Action(a) => a,
        _ => return (Vec::new(), false),
    };
    match action {
        Action::Submit => {
            if let Some(p) = state.input.prompt.take() {
                return (submit(state, p), true);
            }
        }
        Action::Cancel | Action::Back => cancel(state),
        Action::DeleteBack => {
            if let Some(p) = &mut state.input.prompt {
                p.text.pop();
            }
            changed(state);
        }
        Action::ClearInput => {
            if let Some(p) = &mut state.input.prompt {
                p.text.clear();
            }
            changed(state);
        }
        Action::Quit => state.quit = true,
        _ => return (Vec::new(), false),
    }
    (Vec::new(), true)
}

/// Close the prompt; a search goes back to what it was before the prompt opened.
pub(super) fn cancel(state: &mut AppState) {
    if let Some(p) = state.input.prompt.take()
        && p.kind == PromptKind::Search
    {
        state.board.search = p.before;
        invalidate_rows(state);
    }
}

/// The search applies while it is typed.
fn changed(state: &mut AppState) {
    if let Some(Prompt {
        kind: PromptKind::Search,
        text,
        ..
    }) = &state.input.prompt
    {
        state.board.search = (!text.is_empty()).then(|| text.clone());
        state.board.selection.chosen = false;
        invalidate_rows(state);
    }
}

fn submit(state: &mut AppState, p: Prompt) -> Vec<Effect> {
    match p.kind {
        PromptKind::Search => {
            state.board.search = (!p.text.trim().is_empty()).then_some(p.text);
            invalidate_rows(state);
            Vec::new()
        }
        PromptKind::Note(key) => triage_actions::submit_note(state, &key, &p.text),
    }
}
