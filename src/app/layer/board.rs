//! The board layer: moving over the rows, tabs, filters and sort, triage, time travel, and
//! opening a topic. The visual selection, the keyword panel and the detail pane hand the
//! actions they do not own to this handler.

use super::super::filters::Filters;
use super::super::msg::Effect;
use super::super::state::{AppState, Focus, Prompt, PromptKind, Tab};
use super::super::update::{invalidate_rows, refresh_rows, scroll_into_view};
use super::super::{drill, history, triage_actions};
use super::Move;
use crate::domain::Platform;
use crate::input::Action;

pub(super) fn act(state: &mut AppState, action: Action) -> Vec<Effect> {
    match action {
        Action::SelectNext
        | Action::SelectPrev
        | Action::PageDown
        | Action::PageUp
        | Action::SelectFirst
        | Action::SelectLast => {
            if let (Some(m), Some(last)) = (Move::of(action), state.board.rows.len().checked_sub(1))
            {
                let cur = state.selected_index().unwrap_or(0);
                select_index(state, m.apply(cur, state.board.page_rows, last));
            }
        }
        Action::Reload => return super::refresh_all(state),
        Action::OpenLink | Action::CopyLink => {
            let link = state
                .selected_index()
                .and_then(|i| state.board.rows[i].topic.url.as_deref())
                .and_then(drill::safe_url);
            return link_effect(state, action, link);
        }
        Action::FocusKeywords => {
            if state.panel.page_rows == 0 {
                // The panel is hidden on small terminals: don't send keys somewhere invisible.
                state.status.flash = Some("the terminal is too small for the keyword panel".into());
            } else {
                state.input.focus = Focus::Keywords;
            }
        }
        Action::FocusBoard => state.input.focus = Focus::Board,
        Action::ToggleKols => state.panel.show_kols = !state.panel.show_kols,
        Action::Open => {
            if let Some(i) = state.selected_index() {
                let row = state.board.rows[i].clone();
                return drill::open_topic(state, &row);
            }
        }
        Action::NextTab | Action::PrevTab => {
            let order = state.tabs();
            let i = order
                .iter()
                .position(|t| *t == state.board.tab)
                .unwrap_or(0);
            let n = order.len();
            let j = if action == Action::NextTab {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            set_tab(state, order[j]);
        }
        Action::TabAll => set_tab(state, Tab::All),
        Action::TabWeibo => set_tab(state, Tab::Only(Platform::Weibo)),
        Action::TabTieba => set_tab(state, Tab::Only(Platform::Tieba)),
        Action::TabBaidu => set_tab(state, Tab::Only(Platform::Baidu)),
        Action::TabDouyin => set_tab(state, Tab::Only(Platform::Douyin)),
        Action::TabZhihu => set_tab(state, Tab::Only(Platform::Zhihu)),
        Action::TabToutiao => set_tab(state, Tab::Only(Platform::Toutiao)),
        Action::TabBilibili => set_tab(state, Tab::Only(Platform::Bilibili)),
        Action::TabKuaishou => set_tab(state, Tab::Only(Platform::Kuaishou)),
        Action::Search => {
            state.input.prompt = Some(Prompt {
                kind: PromptKind::Search,
                text: state.board.search.clone().unwrap_or_default(),
                before: state.board.search.clone(),
            });
        }
        Action::CycleSort => {
            state.board.filters.sort = state.board.filters.sort.next();
            state.status.flash = Some(format!("sorted by {}", state.board.filters.sort.name()));
            invalidate_rows(state);
        }
        Action::FilterRising => {
            state.board.filters.rising_only = !state.board.filters.rising_only;
            invalidate_rows(state);
        }
        Action::FilterKol => {
            state.board.filters.kol_only = !state.board.filters.kol_only;
            invalidate_rows(state);
        }
        Action::CycleLabel => {
            state.board.filters.next_label();
            invalidate_rows(state);
        }
        Action::ClearFilters => {
            state.board.filters = Filters {
                show_muted: state.board.filters.show_muted,
                ..Filters::default()
            };
            state.board.search = None;
            state.board.filter = None;
            state.board.filter_terms.clear();
            state.status.flash = Some("filters cleared".into());
            invalidate_rows(state);
        }
        Action::ToggleSeen => return triage_actions::toggle_seen(state),
        Action::MarkAllSeen => return triage_actions::mark_all_seen(state),
        Action::ToggleFlag => return triage_actions::toggle_flag(state),
        Action::Mute => return triage_actions::mute(state),
        Action::ShowMuted => {
            state.board.filters.show_muted = !state.board.filters.show_muted;
            let n = state.triage.muted_count();
            state.status.flash = Some(if state.board.filters.show_muted {
                format!("showing {n} muted (⊘); X hides them")
            } else {
                format!("{n} muted hidden")
            });
            invalidate_rows(state);
        }
        Action::EditNote => return triage_actions::edit_note(state),
        Action::Visual => triage_actions::toggle_visual(state),
        Action::Watch => return triage_actions::watch(state),
        Action::Export => {
            let rows = triage_actions::export_rows(state);
            if rows.is_empty() {
                state.status.flash = Some("nothing to export".into());
            } else {
                return vec![Effect::Export(rows)];
            }
        }
        Action::TravelBack => return history::step(state, true),
        Action::TravelForward => return history::step(state, false),
        Action::Live => history::go_live(state),
        Action::TopicHistory => return history::open_detail(state),
        Action::ToggleEvents => super::events::toggle(state),
        Action::ShowDeliveries => return super::super::deliveries::toggle(state),
        Action::ShowBrand => return super::super::brand::toggle(state),
        // Drill-down and brand view actions.
        Action::BrandList | Action::ToggleTone => {}
        // Handled for every layer in `layer::act`.
        Action::Quit
        | Action::Back
        | Action::ToggleHelp
        | Action::ShowSources
        | Action::RefreshNow
        | Action::ToggleLive
        | Action::Submit
        | Action::Cancel
        | Action::DeleteBack
        | Action::ClearInput
        | Action::Noop => {}
    }
    Vec::new()
}

/// `Back` at the board: clear the search, then the keyword filter, then leave time travel;
/// quit when there is nothing left to peel.
pub(super) fn back(state: &mut AppState) {
    if !clear_search_or_filter(state) {
        if state.history.travel.is_some() {
            history::go_live(state);
        } else {
            state.quit = true;
        }
    }
}

/// Clears the search, else the keyword filter; false when neither was set.
pub(super) fn clear_search_or_filter(state: &mut AppState) -> bool {
    if state.board.search.is_some() {
        state.board.search = None;
    } else if state.board.filter.is_some() {
        state.board.filter = None;
        state.board.filter_terms.clear();
    } else {
        return false;
    }
    invalidate_rows(state);
    true
}

/// Open or copy a link, or say there is none.
pub(super) fn link_effect(
    state: &mut AppState,
    action: Action,
    link: Option<String>,
) -> Vec<Effect> {
    let Some(url) = link else {
        state.status.flash = Some("no link here".into());
        return Vec::new();
    };
    vec![if action == Action::OpenLink {
        Effect::OpenUrl(url)
    } else {
        Effect::Copy(url)
    }]
}

fn set_tab(state: &mut AppState, tab: Tab) {
    if state.board.tab == tab {
        return;
    }
    if let Tab::Only(p) = tab
        && !state.tabs().contains(&tab)
    {
        state.status.flash = Some(format!(
            "{} is not polled: add \"{}\" to platforms in [general] (or --platform)",
            p.tag(),
            p.id()
        ));
        return;
    }
    // Keep the selected topic if the new tab shows it; otherwise the row of the same rank.
    let rank = state
        .selected_index()
        .and_then(|i| state.board.rows[i].topic.rank);
    state.board.tab = tab;
    invalidate_rows(state);
    // The new tab's rows are needed now, to place the selection.
    refresh_rows(state);
    if state.selected_index().is_none() || state.status.flash.is_some() {
        state.status.flash = None;
        let i = state
            .board
            .rows
            .iter()
            .position(|r| r.topic.rank >= rank)
            .unwrap_or(0);
        state.board.selection.key = state.board.rows.get(i).map(|r| r.key.clone());
        state.board.selection.offset = 0;
        scroll_into_view(state);
    }
}

pub(in crate::app) fn select_index(state: &mut AppState, i: usize) {
    if let Some(row) = state.board.rows.get(i) {
        state.board.selection.key = Some(row.key.clone());
        state.board.selection.chosen = true;
        scroll_into_view(state);
    }
}
