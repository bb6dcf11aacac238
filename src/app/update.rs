//! `update`: the pure state transition. No I/O, no clock reads: time arrives in messages.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};

use super::action::Action;
use super::drill;
use super::filters::Filters;
use super::history;
use super::msg::{AppMsg, Effect, MouseInput};
use super::state::{
    AppState, BoardRow, Focus, Movement, PlatformBoard, Prompt, PromptKind, RowMarks, SourceHealth,
    Tab,
};
use super::triage_actions;
use crate::analysis::{AccountRecord, AccountRole, AnalysisEvent, AnalysisUpdate, Highlighter};
use crate::config::keymap::{Key, KeyCode, Keymap, Mode, Resolved};
use crate::domain::{Platform, Snapshot, TopicKey};
use crate::sources::{PollOutcome, PollReport, SourceCmd, SourceEvent};

/// Apply one message. Returns the effects to run and whether anything visible changed.
pub fn update(state: &mut AppState, keymap: &Keymap, msg: AppMsg) -> (Vec<Effect>, bool) {
    match msg {
        AppMsg::Key(key) => {
            if state.prompt.is_some() {
                return prompt_key(state, keymap, key);
            }
            let modes: &[Mode] = if state.show_help {
                &[Mode::Help]
            } else if !state.views.is_empty() {
                &[Mode::Thread]
            } else if state.focus == Focus::Keywords {
                &[Mode::Keywords]
            } else {
                &[Mode::Board]
            };
            // Help search: printable keys and backspace edit the help filter.
            if state.show_help && crate::ui::help::edit_query(state, keymap, key) {
                return (Vec::new(), true);
            }
            let had_pending = !state.pending.is_empty();
            match keymap.resolve(modes, &state.pending, key) {
                Resolved::Pending => {
                    state.pending.push(key.normalised());
                    state.which_key = keymap.continuations(modes, &state.pending);
                    state.pending_keys = state
                        .pending
                        .iter()
                        .map(|k| k.to_string())
                        .collect::<Vec<_>>()
                        .join(" ");
                    (Vec::new(), true)
                }
                Resolved::Unbound => {
                    state.pending.clear();
                    state.pending_keys.clear();
                    state.which_key.clear();
                    (Vec::new(), had_pending)
                }
                Resolved::Action(a) => {
                    state.pending.clear();
                    state.pending_keys.clear();
                    state.which_key.clear();
                    let effects = apply_action(state, a);
                    (effects, true)
                }
            }
        }
        AppMsg::Resize {
            page_rows,
            keyword_rows,
            size,
        } => {
            state.size = size;
            for v in &mut state.views {
                drill::scroll_into_view(v, &visible_in(size));
            }
            state.page_rows = page_rows;
            state.keyword_page_rows = keyword_rows;
            if keyword_rows == 0 {
                state.focus = Focus::Board;
            }
            clamp_keyword_selection(state);
            scroll_into_view(state);
            (Vec::new(), true)
        }
        AppMsg::Source(SourceEvent::Poll(report)) => {
            let Some((fresh, effects)) = on_poll(state, report) else {
                return (Vec::new(), true);
            };
            (fresh_list_effects(state, fresh, effects), true)
        }
        AppMsg::Analysis(ev) => {
            let fx = match &ev {
                AnalysisEvent::Update(u) => {
                    let mut fx = alerts(state, u);
                    fx.extend(history::analysis_series(state, u));
                    fx
                }
                _ => Vec::new(),
            };
            on_analysis(state, ev);
            (fx, true)
        }
        AppMsg::Source(SourceEvent::TopicDetail(hashtag, result)) => match result {
            Ok(detail) => {
                // Host first, then media accounts: the accounts that move opinion on this topic.
                let mut names: Vec<String> = Vec::new();
                for a in detail.host.iter().chain(&detail.media) {
                    let n = a.name.as_str().to_string();
                    if !n.is_empty() && !names.contains(&n) {
                        names.push(n);
                    }
                }
                if names.is_empty() {
                    return (Vec::new(), false);
                }
                let norm = crate::domain::normalize::normalize_title(&hashtag);
                cap_topic_details(state);
                state.topic_accounts.insert(norm.clone(), names);
                state.topic_details.insert(norm, detail.clone());
                rebuild_rows(state);
                let records = detail.accounts().map(account_record).collect();
                let effect = Effect::TopicAccounts {
                    topic: hashtag,
                    records,
                };
                (vec![effect], true)
            }
            // Topic stats are an enrichment: a failure costs only the badge (the fetcher retries).
            Err(e) => {
                tracing::debug!(%hashtag, error = %e, "topic detail unavailable");
                (Vec::new(), false)
            }
        },
        AppMsg::Source(SourceEvent::Drill {
            id,
            request,
            result,
        }) => drill::on_drill(state, id, request, result),
        AppMsg::Desktop { notice, show } => {
            state.flash = Some(notice);
            state.link_popup = show;
            (Vec::new(), true)
        }
        AppMsg::Tick(now) => {
            state.now = Some(now);
            // Countdowns are the only thing a tick changes; paused hides them.
            let visible = !state.paused && state.health.values().any(|h| h.next_poll_at.is_some());
            (Vec::new(), visible)
        }
        AppMsg::Quit => {
            state.quit = true;
            (Vec::new(), false)
        }
        AppMsg::Mouse(m) => (mouse(state, m), true),
        AppMsg::History(ev) => history::on_event(state, ev),
    }
}

pub fn apply_action(state: &mut AppState, action: Action) -> Vec<Effect> {
    state.flash = None;
    match action {
        Action::Quit => state.quit = true,
        Action::Back => {
            // Peel one layer at a time: popups, views, filter, panel focus; quit at the bare board.
            if state.link_popup.is_some() {
                state.link_popup = None;
            } else if state.history.detail.is_some() {
                state.history.detail = None;
            } else if state.visual.is_some() {
                triage_actions::toggle_visual(state);
            } else if state.show_help {
                state.show_help = false;
            } else if !state.views.is_empty() {
                return drill::back(state);
            } else if state.search.is_some() {
                state.search = None;
                rebuild_rows(state);
            } else if state.filter.is_some() {
                state.filter = None;
                state.filter_terms.clear();
                rebuild_rows(state);
            } else if state.focus == Focus::Keywords {
                state.focus = Focus::Board;
            } else if state.history.travel.is_some() {
                history::go_live(state);
            } else {
                state.quit = true;
            }
        }
        Action::ToggleHelp => {
            state.show_help = !state.show_help;
            state.help_query.clear();
        }
        Action::RefreshNow => {
            state.flash = Some("refreshing all sources…".into());
            return vec![Effect::Source(SourceCmd::RefreshNow)];
        }
        Action::ToggleLive => {
            state.paused = !state.paused;
            state.flash = Some(
                if state.paused {
                    "polling paused — p to resume"
                } else {
                    "polling resumed"
                }
                .into(),
            );
            return vec![Effect::Source(SourceCmd::SetPaused(state.paused))];
        }
        Action::SelectNext
        | Action::SelectPrev
        | Action::PageDown
        | Action::PageUp
        | Action::SelectFirst
        | Action::SelectLast
            if state.history.detail.is_some() =>
        {
            if let Some(d) = state.history.detail.as_mut() {
                let page = state.page_rows.max(1);
                d.offset = match action {
                    Action::SelectNext => d.offset + 1,
                    Action::SelectPrev => d.offset.saturating_sub(1),
                    Action::PageDown => d.offset + page,
                    Action::PageUp => d.offset.saturating_sub(page),
                    Action::SelectFirst => 0,
                    // The view clamps to the last line.
                    _ => usize::MAX / 2,
                };
            }
        }
        Action::SelectNext
        | Action::SelectPrev
        | Action::PageDown
        | Action::PageUp
        | Action::SelectFirst
        | Action::SelectLast
            if !state.views.is_empty() =>
        {
            let vis = visible_in(state.size);
            let page = state.views.last().map_or(1, |v| vis(v, v.offset).max(1)) as isize;
            let delta = match action {
                Action::SelectNext => 1,
                Action::SelectPrev => -1,
                Action::PageDown => page,
                Action::PageUp => -page,
                Action::SelectFirst => isize::MIN / 2,
                _ => isize::MAX / 2,
            };
            return drill::move_selection(state, delta, vis);
        }
        Action::NextTab | Action::PrevTab if !state.views.is_empty() => {
            return drill::switch_tab(state);
        }
        Action::Open if !state.views.is_empty() => return drill::open_selected(state),
        Action::Reload => {
            if state.views.is_empty() {
                state.flash = Some("refreshing all sources…".into());
                return vec![Effect::Source(SourceCmd::RefreshNow)];
            }
            return drill::reload(state);
        }
        Action::OpenLink | Action::CopyLink => {
            let link = if state.views.is_empty() {
                state
                    .selected_index()
                    .and_then(|i| state.rows[i].topic.url.as_deref())
                    .and_then(drill::safe_url)
            } else {
                drill::current_link(state)
            };
            let Some(url) = link else {
                state.flash = Some("no link here".into());
                return Vec::new();
            };
            return vec![if action == Action::OpenLink {
                Effect::OpenUrl(url)
            } else {
                Effect::Copy(url)
            }];
        }
        Action::SelectNext
        | Action::SelectPrev
        | Action::PageDown
        | Action::PageUp
        | Action::SelectFirst
        | Action::SelectLast
            if state.focus == Focus::Keywords =>
        {
            move_keyword(state, action)
        }
        Action::SelectNext => move_selection(state, 1),
        Action::SelectPrev => move_selection(state, -1),
        Action::PageDown => move_selection(state, state.page_rows.max(1) as isize),
        Action::PageUp => move_selection(state, -(state.page_rows.max(1) as isize)),
        Action::SelectFirst => select_index(state, 0),
        Action::SelectLast => select_index(state, state.rows.len().saturating_sub(1)),
        Action::FocusKeywords => {
            if state.keyword_page_rows == 0 {
                // The panel is hidden on small terminals: don't send keys somewhere invisible.
                state.flash = Some("the terminal is too small for the keyword panel".into());
            } else {
                state.focus = Focus::Keywords;
            }
        }
        Action::FocusBoard => state.focus = Focus::Board,
        Action::ToggleKols => state.show_kols = !state.show_kols,
        Action::Open if state.focus == Focus::Board => {
            if let Some(i) = state.selected_index() {
                let row = state.rows[i].clone();
                return drill::open_topic(state, &row);
            }
        }
        Action::Open => {
            if state.focus == Focus::Keywords
                && let Some(k) = state.analysis.entries.get(state.keyword_selected)
            {
                // The keys' titles are the entry's titles (see analysis::panel).
                let label = k.label.to_string();
                state.filter_terms = k.keys.iter().map(|k| k.to_string()).collect();
                state.flash = Some(format!(
                    "showing the {} title{} of “{label}” — esc clears",
                    k.titles.total(),
                    if k.titles.total() == 1 { "" } else { "s" }
                ));
                state.filter = Some(label);
                state.selection.chosen = false;
                rebuild_rows(state);
            }
        }
        Action::NextTab | Action::PrevTab => {
            let order = [
                Tab::All,
                Tab::Only(Platform::Weibo),
                Tab::Only(Platform::Tieba),
            ];
            let i = order.iter().position(|t| *t == state.tab).unwrap_or(0);
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
        Action::Noop => {}
        Action::Search => {
            state.prompt = Some(Prompt {
                kind: PromptKind::Search,
                text: state.search.clone().unwrap_or_default(),
                before: state.search.clone(),
            });
        }
        Action::CycleSort => {
            state.filters.sort = state.filters.sort.next();
            state.flash = Some(format!("sorted by {}", state.filters.sort.name()));
            rebuild_rows(state);
        }
        Action::FilterRising => {
            state.filters.rising_only = !state.filters.rising_only;
            rebuild_rows(state);
        }
        Action::FilterKol => {
            state.filters.kol_only = !state.filters.kol_only;
            rebuild_rows(state);
        }
        Action::CycleLabel => {
            state.filters.next_label();
            rebuild_rows(state);
        }
        Action::ClearFilters => {
            state.filters = Filters {
                show_muted: state.filters.show_muted,
                ..Filters::default()
            };
            state.search = None;
            state.filter = None;
            state.filter_terms.clear();
            state.flash = Some("filters cleared".into());
            rebuild_rows(state);
        }
        // Prompt keys outside a prompt do nothing.
        Action::Submit | Action::Cancel | Action::DeleteBack | Action::ClearInput => {}
        // Triage acts on the board (and on keywords for mute/watch), never inside a view.
        _ if !state.views.is_empty() => {}
        Action::ToggleSeen => return triage_actions::toggle_seen(state),
        Action::MarkAllSeen => return triage_actions::mark_all_seen(state),
        Action::ToggleFlag => return triage_actions::toggle_flag(state),
        Action::Mute => return triage_actions::mute(state),
        Action::ShowMuted => {
            state.filters.show_muted = !state.filters.show_muted;
            let n = state.triage.muted_count();
            state.flash = Some(if state.filters.show_muted {
                format!("showing {n} muted (⊘); X hides them")
            } else {
                format!("{n} muted hidden")
            });
            rebuild_rows(state);
        }
        Action::EditNote => return triage_actions::edit_note(state),
        Action::Visual => triage_actions::toggle_visual(state),
        Action::Watch => return triage_actions::watch(state),
        Action::Export => {
            let rows = triage_actions::export_rows(state);
            if rows.is_empty() {
                state.flash = Some("nothing to export".into());
            } else {
                return vec![Effect::Export(rows)];
            }
        }
        Action::TravelBack => return history::step(state, true),
        Action::TravelForward => return history::step(state, false),
        Action::Live => history::go_live(state),
        Action::TopicHistory => {
            if state.history.detail.take().is_none() {
                return history::open_detail(state);
            }
        }
    }
    Vec::new()
}

fn set_tab(state: &mut AppState, tab: Tab) {
    if state.tab == tab {
        return;
    }
    // Keep the selected topic if the new tab shows it; otherwise the row of the same rank.
    let rank = state
        .selected_index()
        .and_then(|i| state.rows[i].topic.rank);
    state.tab = tab;
    rebuild_rows(state);
    if state.selected_index().is_none() || state.flash.is_some() {
        state.flash = None;
        let i = state
            .rows
            .iter()
            .position(|r| r.topic.rank >= rank)
            .unwrap_or(0);
        state.selection.key = state.rows.get(i).map(|r| r.key.clone());
        state.selection.offset = 0;
        scroll_into_view(state);
    }
}

fn move_selection(state: &mut AppState, delta: isize) {
    if state.rows.is_empty() {
        return;
    }
    let cur = state.selected_index().unwrap_or(0) as isize;
    let last = state.rows.len() as isize - 1;
    select_index(state, (cur + delta).clamp(0, last) as usize);
}

fn select_index(state: &mut AppState, i: usize) {
    if let Some(row) = state.rows.get(i) {
        state.selection.key = Some(row.key.clone());
        state.selection.chosen = true;
        scroll_into_view(state);
    }
}

/// Minimal scroll so the selected row is on screen.
fn scroll_into_view(state: &mut AppState) {
    let page = state.page_rows.max(1);
    let max_offset = state.rows.len().saturating_sub(page);
    if let Some(i) = state.selected_index() {
        if i < state.selection.offset {
            state.selection.offset = i;
        } else if i >= state.selection.offset + page {
            state.selection.offset = i + 1 - page;
        }
    }
    state.selection.offset = state.selection.offset.min(max_offset);
}

/// Returns the new snapshot (for the analysis worker) and the history effects when the poll
/// succeeded.
fn on_poll(state: &mut AppState, report: PollReport) -> Option<(Snapshot, Vec<Effect>)> {
    state.now = Some(report.at);
    let next_at = chrono::Duration::from_std(report.next_in)
        .ok()
        .map(|d| report.at + d);
    let health = state
        .health
        .entry(report.platform)
        .or_insert_with(|| SourceHealth {
            enabled: true,
            ..Default::default()
        });
    health.enabled = true;
    health.next_poll_at = next_at;
    health.failures = report.failures;
    let failed_steps: Vec<String> = report
        .attempts
        .iter()
        .filter_map(|a| {
            a.error
                .as_ref()
                .map(|e| format!("{}: {}", a.endpoint.label(), e))
        })
        .collect();
    match report.outcome {
        PollOutcome::Ok { snapshot, endpoint } => {
            health.last_ok = Some(report.at);
            health.data_at = Some(snapshot.captured_at);
            health.endpoint = Some(endpoint.label());
            health.error = None;
            health.degraded = (!failed_steps.is_empty()).then(|| failed_steps.join("; "));
            let fx = install_live(state, &snapshot, endpoint.label());
            Some((snapshot, fx))
        }
        PollOutcome::Failed { error } => {
            // Last good data stays on screen; only the health changes.
            health.error = Some(error.to_string());
            health.degraded = (failed_steps.len() > 1).then(|| failed_steps.join("; "));
            None
        }
    }
}

/// Topic pages (and their accounts) kept at most. Every Weibo topic that reaches the list has
/// its page fetched, so over weeks these maps would hold every topic ever listed; past the
/// cap, pages of topics no longer on a board (nor under an open view) are dropped. The
/// fetcher's TTL keeps them from being fetched again at once; a topic that returns later
/// gets its page again on a later fetch.
pub const MAX_TOPIC_DETAILS: usize = 512;

/// Make room for one more topic page (see [`MAX_TOPIC_DETAILS`]).
fn cap_topic_details(state: &mut AppState) {
    if state.topic_details.len() < MAX_TOPIC_DETAILS
        && state.topic_accounts.len() < MAX_TOPIC_DETAILS
    {
        return;
    }
    let mut keep: std::collections::HashSet<String> = state
        .boards
        .values()
        .filter_map(|b| b.current.as_ref())
        .flat_map(|s| s.pinned.iter().chain(&s.ranked))
        .map(|t| t.key().norm)
        .collect();
    keep.extend(state.views.iter().map(|v| v.topic.norm.clone()));
    state.topic_details.retain(|k, _| keep.contains(k));
    state.topic_accounts.retain(|k, _| keep.contains(k));
    // A board larger than the cap (never seen): start over rather than exceed it.
    if state.topic_details.len() >= MAX_TOPIC_DETAILS {
        state.topic_details.clear();
        state.topic_accounts.clear();
    }
}

/// A new live list (polled, or a collector's in team mode): triage, board, history.
fn install_live(state: &mut AppState, snapshot: &Snapshot, endpoint: &'static str) -> Vec<Effect> {
    for t in snapshot.pinned.iter().chain(&snapshot.ranked) {
        state.triage.observe(t, snapshot.captured_at);
    }
    // Weeks-long sessions forget old topics as they go, not only at exit (bounded memory).
    state.triage.prune_due(snapshot.captured_at);
    let board = state.boards.entry(snapshot.platform).or_default();
    apply_snapshot(board, snapshot.clone());
    let fx = history::on_live_poll(state, snapshot, endpoint);
    rebuild_rows(state);
    fx
}

/// What a fresh list sets off: topic pages for Weibo topics (hosts and media accounts, top
/// ranks first; the fetcher de-duplicates, caches and spaces them — not for team viewers,
/// which never poll the platforms), and the analysis.
fn fresh_list_effects(state: &AppState, fresh: Snapshot, mut effects: Vec<Effect>) -> Vec<Effect> {
    if fresh.platform == Platform::Weibo && !state.history.viewer {
        effects.extend(fresh.ranked.iter().map(|t| Effect::FetchTopic(t.hashtag())));
    }
    effects.push(Effect::Analyze(Box::new(fresh)));
    effects
}

/// Team viewer: a list the collector stored, shown as the live board.
pub(super) fn on_collector_list(state: &mut AppState, snapshot: Snapshot) -> Vec<Effect> {
    let health = state.health.entry(snapshot.platform).or_default();
    health.enabled = true;
    health.last_ok = state.now.max(Some(snapshot.captured_at));
    health.data_at = Some(snapshot.captured_at);
    health.endpoint = Some("team store");
    health.error = None;
    health.next_poll_at = None;
    let fx = install_live(state, &snapshot, "team store");
    fresh_list_effects(state, snapshot, fx)
}

/// Most keyword rows kept for the panel.
const MAX_KEYWORDS: usize = 200;

fn on_analysis(state: &mut AppState, ev: AnalysisEvent) {
    match ev {
        AnalysisEvent::DictionaryReady => state.analysis.ready = true,
        AnalysisEvent::Warning(w) => {
            state.flash = Some(format!("analysis: {w}"));
            state.analysis.warning = Some(w);
        }
        AnalysisEvent::Update(u) => apply_analysis(state, *u),
        // Memory reports (the soak harness asks for them); nothing to show.
        AnalysisEvent::Stats(_) => {}
        AnalysisEvent::Kols(names) => {
            state.kol_names = names;
            super::drill::remark_views(state);
        }
    }
}

fn apply_analysis(state: &mut AppState, u: AnalysisUpdate) {
    // While the user is in the panel, the cursor follows its keyword when the list reorders;
    // otherwise it rests on the top row.
    let selected = (state.focus == Focus::Keywords)
        .then(|| {
            state
                .analysis
                .entries
                .get(state.keyword_selected)
                .map(|k| k.label.clone())
        })
        .flatten();
    let a = &mut state.analysis;
    a.ready = true;
    a.warming_up = u.warming_up;
    a.flags_from = u.flags_from;
    a.at = Some(u.at);
    // Both come ordered: rising, cooling, steady.
    let mut keywords = u.keywords;
    keywords.truncate(MAX_KEYWORDS);
    a.all_keywords = keywords;
    let mut entries = u.entries;
    entries.truncate(MAX_KEYWORDS);
    a.all_entries = entries;
    a.kols = u.kol_trends.into_iter().filter(|k| k.now > 0).collect();
    a.kols
        .sort_by(|x, y| y.now.cmp(&x.now).then_with(|| x.name.cmp(&y.name)));
    filter_keywords(state);
    select_keyword(state, selected);

    // KOL mentions of this platform's topics replace the previous ones.
    state.topic_kols.retain(|k, _| k.platform != u.platform);
    for tk in u.kol_mentions {
        let mut names: Vec<String> = tk.mentions.into_iter().map(|m| m.name).collect();
        names.dedup();
        state.topic_kols.insert(tk.topic, names);
    }
    rebuild_rows(state);
}

fn move_keyword(state: &mut AppState, action: Action) {
    let n = state.analysis.entries.len();
    if n == 0 {
        return;
    }
    let page = state.keyword_page_rows.max(1);
    let cur = state.keyword_selected;
    state.keyword_selected = match action {
        Action::SelectNext => cur + 1,
        Action::SelectPrev => cur.saturating_sub(1),
        Action::PageDown => cur + page,
        Action::PageUp => cur.saturating_sub(page),
        Action::SelectFirst => 0,
        _ => n - 1,
    }
    .min(n - 1);
    clamp_keyword_selection(state);
}

fn clamp_keyword_selection(state: &mut AppState) {
    let n = state.analysis.entries.len();
    let page = state.keyword_page_rows.max(1);
    state.keyword_selected = state.keyword_selected.min(n.saturating_sub(1));
    let sel = state.keyword_selected;
    if sel < state.keyword_offset {
        state.keyword_offset = sel;
    } else if sel >= state.keyword_offset + page {
        state.keyword_offset = sel + 1 - page;
    }
    state.keyword_offset = state.keyword_offset.min(n.saturating_sub(page));
}

/// Highlight spans of rising keywords (and the filter), the best rising score, and KOL badges
/// on every row.
fn annotate_rows(state: &mut AppState) {
    // Normalised once: a row asks "which rising keywords are in my title" with one
    // normalisation of the title and a substring test per keyword (a matcher per keyword
    // normalised every title once per keyword: 30 ms a poll with 200 rising keywords).
    let rising: Vec<(String, f64, &str)> = state
        .analysis
        .all_keywords
        .iter()
        .filter(|k| k.rising)
        .map(|k| {
            let name = k.keyword.as_str();
            (
                crate::domain::normalize::normalize_text(name.trim()),
                k.score,
                name,
            )
        })
        .filter(|(n, _, _)| !n.is_empty())
        .collect();
    let mut words: Vec<&str> = state
        .analysis
        .all_keywords
        .iter()
        .filter(|k| k.rising)
        .map(|k| k.keyword.as_str())
        .collect();
    words.extend(state.filter_words());
    let hl = (!words.is_empty()).then(|| Highlighter::new(&words));
    let until = state.history.travel.as_ref().map(|t| t.at);
    for row in &mut state.rows {
        row.trend = state.history.trend(&row.key, until);
        row.highlights = hl
            .as_ref()
            .map(|h| h.spans(row.topic.title.as_str()))
            .unwrap_or_default();
        let mut kols = state.topic_kols.get(&row.key).cloned().unwrap_or_default();
        if row.topic.platform == Platform::Weibo
            && let Some(accounts) = state.topic_accounts.get(&row.key.norm)
        {
            for a in accounts {
                if !kols.contains(a) {
                    kols.push(a.clone());
                }
            }
        }
        row.kols = kols;
        let title = row.topic.title.as_str();
        let entry = state.triage.entry(&row.key);
        row.marks = RowMarks {
            flagged: entry.is_some_and(|e| e.flagged),
            noted: entry.is_some_and(|e| e.note.is_some()),
            new: state.triage.is_new(&row.key, row.on_list_since),
            muted: state.triage.is_muted(&row.key) || state.triage.is_muted_text(title),
            visual: false,
            team: state
                .history
                .team
                .contains_key(&crate::triage::entry_key(&row.key)),
        };
        let norm_title = crate::domain::normalize::normalize_text(title);
        let in_title: Vec<(f64, &str)> = rising
            .iter()
            .filter(|(k, _, _)| norm_title.contains(k.as_str()))
            .map(|(_, s, n)| (*s, *n))
            .collect();
        row.rising_score = in_title.iter().map(|(s, _)| *s).reduce(f64::max);
        // Remember what was shown with the topic, so an export after it left the list has it.
        if !in_title.is_empty() || !row.kols.is_empty() {
            let words: Vec<String> = in_title.iter().map(|(_, n)| n.to_string()).collect();
            state.triage.annotate(&row.key, &words, &row.kols);
        }
    }
}

/// Install a new snapshot. Ranks roll over only when the list actually changed, so
/// polling the same list twice doesn't wipe the movement arrows.
pub(super) fn apply_snapshot(board: &mut PlatformBoard, snap: Snapshot) {
    let ranks = |s: &Snapshot| -> HashMap<TopicKey, u32> {
        s.ranked
            .iter()
            .filter_map(|t| Some((t.key(), t.rank?)))
            .collect()
    };
    let new_ranks = ranks(&snap);
    if let Some(old) = &board.current {
        let old_ranks = ranks(old);
        if old_ranks != new_ranks {
            board.previous_ranks = old_ranks;
        }
    }
    for t in snap.ranked.iter().chain(&snap.pinned) {
        board.first_seen.entry(t.key()).or_insert(snap.captured_at);
    }
    // Bounded: forget topics that are no longer listed.
    board
        .first_seen
        .retain(|k, _| new_ranks.contains_key(k) || snap.pinned.iter().any(|t| &t.key() == k));
    board.current = Some(snap);
}

fn movement(board: &PlatformBoard, key: &TopicKey, rank: Option<u32>, pinned: bool) -> Movement {
    if pinned {
        return Movement::Pinned;
    }
    // The very first list has nothing to compare with: show no movement rather than all NEW.
    if board.previous_ranks.is_empty() {
        return Movement::Same;
    }
    match (board.previous_ranks.get(key), rank) {
        (None, _) => Movement::New,
        (Some(&old), Some(new)) if new < old => Movement::Up(old - new),
        (Some(&old), Some(new)) if new > old => Movement::Down(new - old),
        _ => Movement::Same,
    }
}

fn rows_for(board: &PlatformBoard) -> (Vec<BoardRow>, Vec<BoardRow>) {
    let Some(snap) = &board.current else {
        return (Vec::new(), Vec::new());
    };
    let row = |t: &crate::domain::Topic| {
        let key = t.key();
        let since: DateTime<FixedOffset> = t
            .onboard
            .or_else(|| board.first_seen.get(&key).copied())
            .unwrap_or(snap.captured_at);
        BoardRow {
            movement: movement(board, &key, t.rank, t.pinned),
            key,
            topic: t.clone(),
            on_list_since: since.min(snap.captured_at),
            data_at: snap.captured_at,
            highlights: Vec::new(),
            kols: Vec::new(),
            rising_score: None,
            marks: Default::default(),
            trend: Vec::new(),
        }
    };
    (
        snap.pinned.iter().map(row).collect(),
        snap.ranked.iter().map(row).collect(),
    )
}

/// Rebuild the visible rows for the tab, keeping the selected topic at the same screen row.
pub fn rebuild_rows(state: &mut AppState) {
    let old_index = state.selected_index();
    let old_screen = old_index.map(|i| i.saturating_sub(state.selection.offset));
    let was_at_top = state.selection.offset == 0;

    let mut pinned = Vec::new();
    let mut ranked = Vec::new();
    for (p, board) in state.history.shown(&state.boards) {
        if state.tab.includes(*p) {
            let (pi, ra) = rows_for(board);
            pinned.extend(pi);
            ranked.extend(ra);
        }
    }
    // All: interleave platforms by rank (Weibo 1, Tieba 1, Weibo 2, …) so both stay in view.
    ranked.sort_by_key(|r| (r.topic.rank.unwrap_or(u32::MAX), r.topic.platform));
    pinned.extend(ranked);
    state.rows = pinned;
    annotate_rows(state);
    let words = state.filter_words();
    if !words.is_empty() {
        let hl = Highlighter::new(&words);
        state
            .rows
            .retain(|r| !hl.spans(r.topic.title.as_str()).is_empty());
    }
    if let Some(q) = state.search.as_deref() {
        // Titles and the row's KOL names, by text or pinyin (initials or full); `!` inverts.
        let query = crate::search::Query::parse(q);
        if !query.is_empty() {
            let m = crate::search::Matcher::new(&crate::search::Query {
                inverse: false,
                ..query.clone()
            });
            state.rows.retain(|r| {
                let hit = m.find(r.topic.title.as_str()).is_some()
                    || r.kols.iter().any(|k| m.find(k).is_some());
                hit != query.inverse
            });
        }
    }
    if !state.filters.show_muted {
        state.rows.retain(|r| !r.marks.muted);
    }
    state.filters.retain(&mut state.rows);
    state.filters.sort(&mut state.rows);
    filter_keywords(state);
    if !state.selection.chosen {
        // Nothing chosen yet: the selection rests on the first row.
        state.selection.key = state.rows.first().map(|r| r.key.clone());
        state.selection.offset = 0;
        return;
    }
    match (&state.selection.key, state.selected_index()) {
        (_, Some(new_index)) => {
            // A reader at the top of the board stays at the top as long as the selected
            // topic remains on screen; elsewhere the selected topic keeps its screen row.
            let stays_visible = new_index < state.page_rows.max(1);
            if was_at_top && stays_visible {
                state.selection.offset = 0;
            } else if let Some(screen) = old_screen {
                state.selection.offset = new_index.saturating_sub(screen);
            }
        }
        (Some(_), None) => {
            // The selected topic left the list: take its neighbour at the same position.
            let i = old_index
                .unwrap_or(0)
                .min(state.rows.len().saturating_sub(1));
            state.selection.key = state.rows.get(i).map(|r| r.key.clone());
            if state.selection.key.is_some() && old_index.is_some() {
                state.flash = Some("the selected topic left the list".into());
            }
        }
        (None, None) => state.selection.key = state.rows.first().map(|r| r.key.clone()),
    }
    scroll_into_view(state);
}

/// Mark configured platforms so the status bar shows them before their first poll.
pub fn enable_platforms(state: &mut AppState, platforms: &[Platform]) {
    for p in platforms {
        state.health.entry(*p).or_default().enabled = true;
    }
}

/// A topic-page account as the KOL discovery sees it.
fn account_record(a: &crate::sources::topic::Account) -> AccountRecord {
    use crate::sources::topic::AccountRole as Page;
    AccountRecord {
        name: a.name.as_str().to_string(),
        uid: a.uid.clone(),
        verified_type: a.verified_type,
        role: match a.role {
            Page::Host => AccountRole::Host,
            Page::Media => AccountRole::Media,
            Page::Contributor => AccountRole::Author,
        },
    }
}

/// How many entries of a view fit from an offset, for a terminal of `size`.
fn visible_in(size: (u16, u16)) -> impl Fn(&drill::DrillView, usize) -> usize {
    move |view, offset| crate::ui::thread::entries_fitting(view, offset, size)
}

/// A key while a prompt is open: printable characters are text (IME and CJK input pass
/// through); named keys resolve in the `input` mode (then global: `ctrl-c` still quits).
fn prompt_key(state: &mut AppState, keymap: &Keymap, key: Key) -> (Vec<Effect>, bool) {
    state.pending.clear();
    state.pending_keys.clear();
    if let KeyCode::Char(c) = key.code
        && !key.ctrl
        && !key.alt
    {
        if let Some(p) = &mut state.prompt
            && p.text.chars().count() < MAX_PROMPT_CHARS
        {
            p.text.push(c);
        }
        prompt_changed(state);
        return (Vec::new(), true);
    }
    let action = match keymap.resolve(&[Mode::Input], &[], key) {
        Resolved::Action(a) => a,
        _ => return (Vec::new(), false),
    };
    match action {
        Action::Submit => {
            if let Some(p) = state.prompt.take() {
                return (submit_prompt(state, p), true);
            }
        }
        Action::Cancel | Action::Back => {
            if let Some(p) = state.prompt.take()
                && p.kind == PromptKind::Search
            {
                state.search = p.before;
                rebuild_rows(state);
            }
        }
        Action::DeleteBack => {
            if let Some(p) = &mut state.prompt {
                p.text.pop();
            }
            prompt_changed(state);
        }
        Action::ClearInput => {
            if let Some(p) = &mut state.prompt {
                p.text.clear();
            }
            prompt_changed(state);
        }
        Action::Quit => state.quit = true,
        _ => return (Vec::new(), false),
    }
    (Vec::new(), true)
}

/// Longest prompt text kept.
const MAX_PROMPT_CHARS: usize = 200;

/// The search applies while it is typed.
fn prompt_changed(state: &mut AppState) {
    if let Some(Prompt {
        kind: PromptKind::Search,
        text,
        ..
    }) = &state.prompt
    {
        state.search = (!text.is_empty()).then(|| text.clone());
        state.selection.chosen = false;
        rebuild_rows(state);
    }
}

fn submit_prompt(state: &mut AppState, p: Prompt) -> Vec<Effect> {
    match p.kind {
        PromptKind::Search => {
            state.search = (!p.text.trim().is_empty()).then_some(p.text);
            rebuild_rows(state);
            Vec::new()
        }
        PromptKind::Note(key) => triage_actions::submit_note(state, &key, &p.text),
    }
}

/// Lines the wheel moves per notch.
const WHEEL_STEP: isize = 3;

/// Wheel scrolls whatever has the keyboard; a click on a board row selects it.
fn mouse(state: &mut AppState, m: MouseInput) -> Vec<Effect> {
    if state.prompt.is_some() || state.show_help {
        return Vec::new();
    }
    let step = |state: &mut AppState, n: isize| {
        let a = if n > 0 {
            Action::SelectNext
        } else {
            Action::SelectPrev
        };
        let mut fx = Vec::new();
        for _ in 0..n.abs() {
            fx.extend(apply_action(state, a));
        }
        fx
    };
    match m {
        MouseInput::ScrollUp => step(state, -WHEEL_STEP),
        MouseInput::ScrollDown => step(state, WHEEL_STEP),
        MouseInput::Click { row, .. } => {
            // Board rows start below the header and the column headings.
            let first = 2usize;
            let y = row as usize;
            if state.views.is_empty()
                && state.focus == Focus::Board
                && y >= first
                && y < first + state.page_rows
            {
                let i = state.selection.offset + (y - first);
                select_index(state, i);
            }
            Vec::new()
        }
    }
}

/// Watched keywords rising and watched KOLs appearing, rate limited: a flash now, and the
/// bell / desktop notification / hook through `Effect::Alert`.
fn alerts(state: &mut AppState, u: &AnalysisUpdate) -> Vec<Effect> {
    let t = &state.triage;
    if t.watched_keywords.is_empty() && t.watched_kols.is_empty() {
        return Vec::new();
    }
    let keywords: Vec<String> = t.watched_keywords.iter().cloned().collect();
    let kols: Vec<String> = t.watched_kols.iter().cloned().collect();
    let found = state.alert_state.observe(u, &keywords, &kols);
    if found.is_empty() {
        return Vec::new();
    }
    let now = state.now.unwrap_or(u.at);
    let limiter = state
        .alert_limiter
        .get_or_insert_with(|| crate::alerts::RateLimiter::from_config(&Default::default()));
    let passed = limiter.filter(found, now);
    let suppressed = limiter.take_suppressed();
    if let Some(first) = passed.first() {
        let more = match (passed.len(), suppressed) {
            (1, 0) => String::new(),
            (n, 0) => format!(" (+{} more)", n - 1),
            (n, s) => format!(" (+{} more, {s} suppressed)", n - 1),
        };
        state.flash = Some(format!("🔔 {}{more}", first.text));
    }
    passed.into_iter().map(Effect::Alert).collect()
}

/// The keyword panel shows what the search matches (keywords by text or pinyin) and hides
/// muted keywords unless muted items are shown; the selection stays on its keyword.
fn filter_keywords(state: &mut AppState) {
    let selected = state
        .analysis
        .entries
        .get(state.keyword_selected)
        .map(|k| k.label.clone());
    let query = state
        .search
        .as_deref()
        .map(crate::search::Query::parse)
        .filter(|q| !q.is_empty());
    let m = query.as_ref().map(crate::search::Matcher::new);
    let triage = &state.triage;
    let show_muted = state.filters.show_muted;
    state.analysis.entries = state
        .analysis
        .all_entries
        .iter()
        .filter(|e| m.as_ref().is_none_or(|m| e.terms().any(|k| m.accepts(k))))
        .filter(|e| show_muted || !triage.is_muted_text(e.label.as_str()))
        .cloned()
        .collect();
    // (With no keyword selected the list was empty: the top row is right.)
    select_keyword(state, selected);
}

/// Put the panel's cursor on `keyword` (the top row when absent or gone).
fn select_keyword(state: &mut AppState, keyword: Option<crate::analysis::Keyword>) {
    state.keyword_selected = keyword
        .and_then(|sel| state.analysis.entries.iter().position(|k| k.label == sel))
        .unwrap_or(0);
    clamp_keyword_selection(state);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::topic::{Account, AccountRole as PageRole, TopicDetail};

    fn detail(title: &str) -> Box<TopicDetail> {
        Box::new(TopicDetail {
            hashtag: format!("#{title}#"),
            title: crate::domain::SafeText::line(title),
            topic_id: None,
            summary: None,
            category: None,
            created_at: None,
            reads: None,
            mentions: None,
            interactions: None,
            originals: None,
            host: Some(Account {
                uid: None,
                name: crate::domain::SafeText::line("主持人"),
                verified_type: Some(3),
                role: PageRole::Host,
            }),
            media: Vec::new(),
            contributors: Vec::new(),
        })
    }

    #[test]
    fn topic_pages_are_capped_and_the_listed_ones_survive() {
        let mut state = AppState::default();
        let at = crate::domain::from_unix(1_780_000_000).unwrap();
        let mut snap = Snapshot::new(Platform::Weibo, at);
        snap.ranked.push(crate::domain::Topic::new(
            Platform::Weibo,
            Some(1),
            "在榜话题",
        ));
        let snap = snap.finish();
        state.boards.entry(Platform::Weibo).or_default().current = Some(snap);
        let keymap = Keymap::default_map();
        let fetched = |state: &mut AppState, title: &str| {
            let msg = AppMsg::Source(SourceEvent::TopicDetail(
                format!("#{title}#"),
                Ok(detail(title)),
            ));
            update(state, &keymap, msg);
        };
        fetched(&mut state, "在榜话题");
        for i in 0..MAX_TOPIC_DETAILS * 3 {
            fetched(&mut state, &format!("旧话题{i}"));
            assert!(state.topic_details.len() <= MAX_TOPIC_DETAILS);
            assert!(state.topic_accounts.len() <= MAX_TOPIC_DETAILS);
        }
        // The topic still on the board keeps its page through every eviction.
        assert!(state.topic_details.contains_key("在榜话题"));
        assert!(state.topic_accounts.contains_key("在榜话题"));
        // The newest page is there too.
        let last = format!("旧话题{}", MAX_TOPIC_DETAILS * 3 - 1);
        assert!(state.topic_details.contains_key(last.as_str()));
    }
}
