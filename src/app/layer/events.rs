//! The events view (`E`): movement walks the stories (or a story's titles), `Enter` opens a
//! story's titles and then a title as the board would (posts, threads), `Back` steps out.

use super::super::msg::Effect;
use super::super::state::AppState;
use super::Move;
use crate::input::Action;

pub(crate) fn toggle(state: &mut AppState) {
    let v = &mut state.events_view;
    v.open = !v.open;
    v.members_of = None;
    v.member_selected = 0;
}

pub(super) fn act(state: &mut AppState, action: Action) -> Vec<Effect> {
    let events = state.events().clone();
    let events = &events.events;
    let page = (state.board.page_rows / crate::ui::events::EVENT_LINES).max(1);
    let v = &mut state.events_view;
    if let Some(m) = Move::of(action) {
        match v
            .members_of
            .and_then(|id| events.iter().find(|e| e.id == id))
        {
            Some(ev) => {
                v.member_selected = m.apply(
                    v.member_selected,
                    state.board.page_rows,
                    ev.members.len().saturating_sub(1),
                )
            }
            None => {
                v.selected = m.apply(v.selected, page, events.len().saturating_sub(1));
                v.offset =
                    crate::ui::events::scroll_offset(v.selected, v.offset, page, events.len());
            }
        }
        return Vec::new();
    }
    match action {
        Action::ToggleEvents => toggle(state),
        Action::Open => return open(state),
        _ => {}
    }
    Vec::new()
}

/// `Enter`: a story's titles; on a title, the title as the board opens it.
fn open(state: &mut AppState) -> Vec<Effect> {
    let events = state.events().clone();
    let v = &mut state.events_view;
    let Some(id) = v.members_of else {
        if let Some(ev) = events.events.get(v.selected) {
            v.members_of = Some(ev.id);
            v.member_selected = 0;
        }
        return Vec::new();
    };
    let Some(member) = events
        .events
        .iter()
        .find(|e| e.id == id)
        .and_then(|e| e.members.get(v.member_selected))
    else {
        return Vec::new();
    };
    match super::super::update::row_of(state, &member.key) {
        Some(row) => super::super::drill::open_topic(state, &row),
        None => {
            state.status.flash = Some(format!(
                "{} is no longer on the {} list; its story stays here",
                member.title,
                member.platform.tag()
            ));
            Vec::new()
        }
    }
}

/// `Back`: from a story's titles to the stories, from the stories to the board.
pub(super) fn back(state: &mut AppState) {
    let v = &mut state.events_view;
    if v.members_of.is_some() {
        v.members_of = None;
    } else {
        v.open = false;
    }
}
