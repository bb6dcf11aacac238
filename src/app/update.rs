//! `update`: the pure state transition. No I/O, no clock reads: time arrives in messages.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset};

use super::drill;
use super::history;
use super::msg::{AppMsg, Effect, MouseInput};
use super::state::{
    AppState, BoardRow, Focus, Movement, PlatformBoard, RowMarks, SourceHealth, TopicForms,
};
use crate::analysis::dynamics::Kind;
use crate::analysis::{AccountRecord, AccountRole, AnalysisEvent, AnalysisUpdate, Highlighter};
use crate::config::keymap::Keymap;
use crate::domain::{Platform, Snapshot, TopicKey};
use crate::input::Action;
use crate::sources::{PollOutcome, PollReport, SourceEvent};

/// Apply one message. Returns the effects to run and whether anything visible changed.
/// Derived rows are rebuilt once, at the end, if anything they depend on changed.
pub fn update(state: &mut AppState, keymap: &Keymap, msg: AppMsg) -> (Vec<Effect>, bool) {
    let out = handle(state, keymap, msg);
    refresh_rows(state);
    out
}

/// The board rows depend on something that changed: they are rebuilt once, when this update
/// ends (or at once by [`refresh_rows`] where a handler needs them).
pub(crate) fn invalidate_rows(state: &mut AppState) {
    state.board.rows_stale = true;
}

/// Rebuild the rows if they are stale, then remember what was shown with each topic (the
/// rising words and KOLs), so an export after it left the list still has them. The rebuild
/// itself writes no stored state.
pub(crate) fn refresh_rows(state: &mut AppState) {
    if !std::mem::take(&mut state.board.rows_stale) {
        return;
    }
    for (key, words, kols) in rebuild_rows(state) {
        state.triage.annotate(&key, &words, &kols);
    }
}

fn handle(state: &mut AppState, keymap: &Keymap, msg: AppMsg) -> (Vec<Effect>, bool) {
    match msg {
        AppMsg::Key(key) => super::layer::on_key(state, keymap, key),
        AppMsg::Resize {
            page_rows,
            keyword_rows,
            size,
        } => {
            state.size = size;
            for v in &mut state.views.stack {
                drill::scroll_into_view(v, &visible_in(size));
            }
            state.board.page_rows = page_rows;
            state.panel.page_rows = keyword_rows;
            if keyword_rows == 0 {
                state.input.focus = Focus::Board;
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
                state.enrich.topic_accounts.insert(norm.clone(), names);
                state.enrich.topic_details.insert(norm, detail.clone());
                invalidate_rows(state);
                let records: Vec<AccountRecord> = detail.accounts().map(account_record).collect();
                let mut fx = super::brand::on_discovered(state, &records);
                fx.push(Effect::TopicAccounts {
                    topic: hashtag,
                    records,
                });
                (fx, true)
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
            state.status.flash = Some(notice);
            state.popups.link_popup = show;
            (Vec::new(), true)
        }
        AppMsg::Tick(now) => {
            state.now = Some(now);
            // Countdowns are the only thing a tick changes (the next polls; the brand view's
            // next search); paused hides the polls'.
            let visible = (!state.lists.paused
                && state
                    .lists
                    .health
                    .values()
                    .any(|h| h.next_poll_at.is_some()))
                || (state.brand.open && state.brand.budget.is_some());
            // Team alert deliveries are read when due (their answer redraws if needed).
            (super::deliveries::on_tick(state, now), visible)
        }
        AppMsg::Quit => {
            state.quit = true;
            (Vec::new(), false)
        }
        AppMsg::Mouse(m) => (mouse(state, m), true),
        AppMsg::History(ev) => history::on_event(state, ev),
        AppMsg::Watch(ev) => super::brand::on_watch(state, ev),
        AppMsg::Brand(summaries) => (Vec::new(), super::brand::on_summaries(state, summaries)),
    }
}

/// Minimal scroll so the selected row is on screen.
pub(super) fn scroll_into_view(state: &mut AppState) {
    let page = state.board.page_rows.max(1);
    let max_offset = state.board.rows.len().saturating_sub(page);
    if let Some(i) = state.selected_index() {
        if i < state.board.selection.offset {
            state.board.selection.offset = i;
        } else if i >= state.board.selection.offset + page {
            state.board.selection.offset = i + 1 - page;
        }
    }
    state.board.selection.offset = state.board.selection.offset.min(max_offset);
}

/// Returns the new snapshot (for the analysis worker) and the history effects when the poll
/// succeeded.
fn on_poll(state: &mut AppState, report: PollReport) -> Option<(Snapshot, Vec<Effect>)> {
    state.now = Some(report.at);
    let next_at = chrono::Duration::from_std(report.next_in)
        .ok()
        .map(|d| report.at + d);
    let health = state
        .lists
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
    if state.enrich.topic_details.len() < MAX_TOPIC_DETAILS
        && state.enrich.topic_accounts.len() < MAX_TOPIC_DETAILS
    {
        return;
    }
    let mut keep: std::collections::HashSet<String> = state
        .lists
        .boards
        .values()
        .flat_map(|b| b.forms().into_owned())
        .map(|f| f.key.norm)
        .collect();
    keep.extend(state.views.stack.iter().map(|v| v.topic.norm.clone()));
    state.enrich.topic_details.retain(|k, _| keep.contains(k));
    state.enrich.topic_accounts.retain(|k, _| keep.contains(k));
    // A board larger than the cap (never seen): start over rather than exceed it.
    if state.enrich.topic_details.len() >= MAX_TOPIC_DETAILS {
        state.enrich.topic_details.clear();
        state.enrich.topic_accounts.clear();
    }
}

/// A new live list (polled, or a collector's in team mode): triage, board, history.
fn install_live(state: &mut AppState, snapshot: &Snapshot, endpoint: &'static str) -> Vec<Effect> {
    for t in snapshot.pinned.iter().chain(&snapshot.ranked) {
        state.triage.observe(t, snapshot.captured_at);
    }
    // Weeks-long sessions forget old topics as they go, not only at exit (bounded memory).
    state.triage.prune_due(snapshot.captured_at);
    let board = state.lists.boards.entry(snapshot.platform).or_default();
    apply_snapshot(board, snapshot.clone());
    let fx = history::on_live_poll(state, snapshot, endpoint);
    invalidate_rows(state);
    fx
}

/// What a fresh list sets off: topic pages for Weibo topics (hosts and media accounts, top
/// ranks first; the fetcher de-duplicates, caches and spaces them — not for team viewers,
/// which never poll the platforms), and the analysis.
fn fresh_list_effects(
    state: &mut AppState,
    fresh: Snapshot,
    mut effects: Vec<Effect>,
) -> Vec<Effect> {
    if fresh.platform == Platform::Weibo && !state.history.viewer {
        effects.extend(fresh.ranked.iter().map(|t| Effect::FetchTopic(t.hashtag())));
    }
    effects.extend(super::brand::on_fresh_list(state, fresh.captured_at));
    effects.push(Effect::Analyze(Box::new(fresh)));
    effects
}

/// Team viewer: a list the collector stored, shown as the live board.
pub(super) fn on_collector_list(state: &mut AppState, snapshot: Snapshot) -> Vec<Effect> {
    let health = state.lists.health.entry(snapshot.platform).or_default();
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
            state.status.flash = Some(format!("analysis: {w}"));
            state.analysis.warning = Some(w);
        }
        AnalysisEvent::Update(u) => apply_analysis(state, *u),
        // Memory reports (the soak harness asks for them); nothing to show.
        AnalysisEvent::Stats(_) => {}
        AnalysisEvent::Sentinels(flags) => state.brand.sentinel_flags = flags,
        AnalysisEvent::Kols(names) => {
            state.enrich.kol_names = names;
            super::drill::remark_views(state);
        }
    }
}

fn apply_analysis(state: &mut AppState, u: AnalysisUpdate) {
    // While the user is in the panel, the cursor follows its keyword when the list reorders;
    // otherwise it rests on the top row.
    let selected = (state.input.focus == Focus::Keywords)
        .then(|| {
            state
                .analysis
                .entries
                .get(state.panel.selected)
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

    // This platform's dynamics marks replace its previous ones; a new withdrawal from the top
    // five is said (lower ones stay in H and the alerts: a calm board).
    if let Some(c) = u
        .dynamics
        .candidates
        .iter()
        .find(|c| c.kind == Kind::Withdrawn && c.rank.is_some_and(|r| r <= 5))
        && !u.seeded
    {
        state.status.flash = Some(format!(
            "撤? {} {}: {}",
            c.platform.tag(),
            crate::domain::SafeText::line(&c.title),
            c.evidence
        ));
    }
    state
        .analysis
        .dynamics
        .insert(u.platform, u.dynamics.marked.clone());
    state.analysis.events = u.events.clone();
    let n = state.analysis.events.events.len();
    let v = &mut state.events_view;
    v.selected = v.selected.min(n.saturating_sub(1));
    // A story that ended or merged into another closes its titles list.
    if v.members_of
        .is_some_and(|id| state.analysis.events.events.iter().all(|e| e.id != id))
    {
        v.members_of = None;
        v.member_selected = 0;
    }

    // KOL mentions of this platform's topics replace the previous ones.
    state
        .enrich
        .topic_kols
        .retain(|k, _| k.platform != u.platform);
    for tk in u.kol_mentions {
        let mut names: Vec<String> = tk.mentions.into_iter().map(|m| m.name).collect();
        names.dedup();
        state.enrich.topic_kols.insert(tk.topic, names);
    }
    invalidate_rows(state);
}

pub(super) fn clamp_keyword_selection(state: &mut AppState) {
    let n = state.analysis.entries.len();
    let page = state.panel.page_rows.max(1);
    state.panel.selected = state.panel.selected.min(n.saturating_sub(1));
    let sel = state.panel.selected;
    if sel < state.panel.offset {
        state.panel.offset = sel;
    } else if sel >= state.panel.offset + page {
        state.panel.offset = sel + 1 - page;
    }
    state.panel.offset = state.panel.offset.min(n.saturating_sub(page));
}

/// Highlight spans of rising keywords (and the filter), the best rising score, and KOL badges
/// on every row; returns what was shown with each topic.
fn annotate_rows(state: &mut AppState) -> Shown {
    let mut shown = Shown::new();
    // Normalised once: a row asks "which rising keywords are in my title" with one
    // normalisation of the title and a substring test per keyword (a matcher per keyword
    // normalised every title once per keyword: 30 ms a poll with 200 rising keywords).
    let rising: Vec<(f64, &str)> = state
        .analysis
        .all_keywords
        .iter()
        .filter(|k| k.rising)
        .map(|k| (k.score, k.keyword.as_str()))
        .collect();
    let names: Vec<&str> = rising.iter().map(|(_, n)| *n).collect();
    let filter = state.filter_words();
    // Built once per keyword set: a poll that changes only the lists reuses them.
    let matchers = if state.analysis.row_matchers.is_for(&names, &filter) {
        state.analysis.row_matchers.clone()
    } else {
        std::sync::Arc::new(crate::analysis::highlight::RowMatchers::new(
            &names, &filter,
        ))
    };
    let rising: Vec<(f64, String)> = rising
        .into_iter()
        .map(|(s, n)| (s, n.to_string()))
        .collect();
    state.analysis.row_matchers = matchers.clone();
    let until = state.history.travel.as_ref().map(|t| t.at);
    let events = state.events().clone();
    for row in &mut state.board.rows {
        row.trend = state.history.trend(&row.key, until);
        // Once per row: the highlights and the rising keywords in the title both need it.
        let norm = row.norm.clone();
        row.highlights = matchers.spans(&norm);
        let mut kols = state
            .enrich
            .topic_kols
            .get(&row.key)
            .cloned()
            .unwrap_or_default();
        if row.topic.platform == Platform::Weibo
            && let Some(accounts) = state.enrich.topic_accounts.get(&row.key.norm)
        {
            for a in accounts {
                if !kols.contains(a) {
                    kols.push(a.clone());
                }
            }
        }
        row.kols = kols;
        row.event_platforms = events.platform_count(&row.key).min(255) as u8;
        // Anchoring says more than a label step when a row has both.
        row.dynamics = state
            .analysis
            .dynamics
            .get(&row.topic.platform)
            .and_then(|marks| {
                let mut kinds = marks.iter().filter(|c| c.key == row.key).map(|c| c.kind);
                kinds
                    .clone()
                    .find(|k| *k == Kind::Anchored)
                    .or_else(|| kinds.next())
            });
        let entry_key = crate::triage::entry_key(&row.key);
        let marks = state
            .triage
            .marks(&entry_key, &row.key, row.on_list_since, &norm);
        row.marks = RowMarks {
            flagged: marks.flagged,
            noted: marks.noted,
            new: marks.new,
            muted: marks.muted,
            visual: false,
            team: state.history.team.contains_key(&entry_key),
        };
        let in_title: Vec<(f64, &str)> = matchers
            .rising_in(&norm)
            .into_iter()
            .map(|i| (rising[i].0, rising[i].1.as_str()))
            .collect();
        row.rising_score = in_title.iter().map(|(s, _)| *s).reduce(f64::max);
        if !in_title.is_empty() || !row.kols.is_empty() {
            let words: Vec<String> = in_title.iter().map(|(_, n)| n.to_string()).collect();
            shown.push((row.key.clone(), words, row.kols.clone()));
        }
    }
    shown
}

/// Install a new snapshot. Ranks roll over only when the list actually changed, so
/// polling the same list twice doesn't wipe the movement arrows.
pub(super) fn apply_snapshot(board: &mut PlatformBoard, snap: Snapshot) {
    // Ranked topics only: pinned forms come first, ranked ones after them.
    let ranks = |board: &PlatformBoard| -> HashMap<TopicKey, u32> {
        let Some(s) = &board.current else {
            return HashMap::new();
        };
        s.ranked
            .iter()
            .zip(&board.forms()[s.pinned.len()..])
            .filter_map(|(t, f)| Some((f.key.clone(), t.rank?)))
            .collect()
    };
    let old_ranks = board.current.is_some().then(|| ranks(board));
    let at = snap.captured_at;
    board.set_current(snap);
    let new_ranks = ranks(board);
    if let Some(old_ranks) = old_ranks
        && old_ranks != new_ranks
    {
        board.previous_ranks = old_ranks;
    }
    let listed: HashSet<&TopicKey> = board.forms.iter().map(|f| &f.key).collect();
    for k in &listed {
        if !board.first_seen.contains_key(*k) {
            board.first_seen.insert((*k).clone(), at);
        }
    }
    // Bounded: forget topics that are no longer listed.
    board.first_seen.retain(|k, _| listed.contains(k));
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
    let forms = board.forms();
    let row = |(t, f): (&crate::domain::Topic, &TopicForms)| {
        let since: DateTime<FixedOffset> = t
            .onboard
            .or_else(|| board.first_seen.get(&f.key).copied())
            .unwrap_or(snap.captured_at);
        BoardRow {
            movement: movement(board, &f.key, t.rank, t.pinned),
            key: f.key.clone(),
            topic: t.clone(),
            norm: f.norm.clone(),
            on_list_since: since.min(snap.captured_at),
            data_at: snap.captured_at,
            highlights: Vec::new(),
            kols: Vec::new(),
            rising_score: None,
            marks: Default::default(),
            trend: Vec::new(),
            event_platforms: 0,
            dynamics: None,
        }
    };
    let (pinned_forms, ranked_forms) = forms.split_at(snap.pinned.len());
    (
        snap.pinned.iter().zip(pinned_forms).map(row).collect(),
        snap.ranked.iter().zip(ranked_forms).map(row).collect(),
    )
}

/// The board row of `key` as its platform's current list shows it (for opening a topic from
/// elsewhere: the events view).
pub(super) fn row_of(state: &AppState, key: &TopicKey) -> Option<BoardRow> {
    let board = state
        .history
        .shown(&state.lists.boards)
        .get(&key.platform)?;
    let (pinned, ranked) = rows_for(board);
    pinned.into_iter().chain(ranked).find(|r| &r.key == key)
}

/// What a rebuild saw shown with each topic: (topic, rising words in its title, KOLs).
type Shown = Vec<(TopicKey, Vec<String>, Vec<String>)>;

/// Rebuild the visible rows for the tab, keeping the selected topic at the same screen row.
fn rebuild_rows(state: &mut AppState) -> Shown {
    let old_index = state.selected_index();
    let old_screen = old_index.map(|i| i.saturating_sub(state.board.selection.offset));
    let was_at_top = state.board.selection.offset == 0;

    let mut pinned = Vec::new();
    let mut ranked = Vec::new();
    for (p, board) in state.history.shown(&state.lists.boards) {
        if state.board.tab.includes(*p) {
            let (pi, ra) = rows_for(board);
            pinned.extend(pi);
            ranked.extend(ra);
        }
    }
    // All: interleave platforms by rank (Weibo 1, Tieba 1, Weibo 2, …) so both stay in view.
    ranked.sort_by_key(|r| (r.topic.rank.unwrap_or(u32::MAX), r.topic.platform));
    pinned.extend(ranked);
    state.board.rows = pinned;
    let shown = annotate_rows(state);
    let words = state.filter_words();
    if !words.is_empty() {
        let hl = Highlighter::new(&words);
        state
            .board
            .rows
            .retain(|r| !hl.spans_of(&r.norm).is_empty());
    }
    if let Some(q) = state.board.search.as_deref() {
        // Titles and the row's KOL names, by text or pinyin (initials or full); `!` inverts.
        let query = crate::search::Query::parse(q);
        if !query.is_empty() {
            let m = crate::search::Matcher::new(&crate::search::Query {
                inverse: false,
                ..query.clone()
            });
            state.board.rows.retain(|r| {
                let hit = m.find(r.topic.title.as_str()).is_some()
                    || r.kols.iter().any(|k| m.find(k).is_some());
                hit != query.inverse
            });
        }
    }
    if !state.board.filters.show_muted {
        state.board.rows.retain(|r| !r.marks.muted);
    }
    state.board.filters.retain(&mut state.board.rows);
    state.board.filters.sort(&mut state.board.rows);
    filter_keywords(state);
    if !state.board.selection.chosen {
        // Nothing chosen yet: the selection rests on the first row.
        state.board.selection.key = state.board.rows.first().map(|r| r.key.clone());
        state.board.selection.offset = 0;
        return shown;
    }
    match (&state.board.selection.key, state.selected_index()) {
        (_, Some(new_index)) => {
            // A reader at the top of the board stays at the top as long as the selected
            // topic remains on screen; elsewhere the selected topic keeps its screen row.
            let stays_visible = new_index < state.board.page_rows.max(1);
            if was_at_top && stays_visible {
                state.board.selection.offset = 0;
            } else if let Some(screen) = old_screen {
                state.board.selection.offset = new_index.saturating_sub(screen);
            }
        }
        (Some(_), None) => {
            // The selected topic left the list: take its neighbour at the same position.
            let i = old_index
                .unwrap_or(0)
                .min(state.board.rows.len().saturating_sub(1));
            state.board.selection.key = state.board.rows.get(i).map(|r| r.key.clone());
            if state.board.selection.key.is_some() && old_index.is_some() {
                state.status.flash = Some("the selected topic left the list".into());
            }
        }
        (None, None) => state.board.selection.key = state.board.rows.first().map(|r| r.key.clone()),
    }
    scroll_into_view(state);
    shown
}

/// Mark configured platforms so the status bar shows them before their first poll.
pub fn enable_platforms(state: &mut AppState, platforms: &[Platform]) {
    for p in platforms {
        state.lists.health.entry(*p).or_default().enabled = true;
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
pub(super) fn visible_in(size: (u16, u16)) -> impl Fn(&drill::DrillView, usize) -> usize {
    move |view, offset| crate::ui::thread::entries_fitting(view, offset, size)
}

/// Lines the wheel moves per notch.
const WHEEL_STEP: isize = 3;

/// Wheel scrolls whatever has the keyboard; a click on a board row selects it.
fn mouse(state: &mut AppState, m: MouseInput) -> Vec<Effect> {
    if state.input.prompt.is_some() || state.popups.show_help {
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
            fx.extend(super::layer::act(state, super::layer::active(state), a));
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
            if state.views.stack.is_empty()
                && state.input.focus == Focus::Board
                && y >= first
                && y < first + state.board.page_rows
            {
                let i = state.board.selection.offset + (y - first);
                super::layer::select_index(state, i);
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
    let found = state.alerts.state.observe(u, &keywords, &kols);
    if found.is_empty() {
        return Vec::new();
    }
    let now = state.now.unwrap_or(u.at);
    let limiter = state
        .alerts
        .limiter
        .get_or_insert_with(|| crate::alerts::RateLimiter::from_config(&Default::default()));
    let passed = limiter.filter(found, now);
    let suppressed = limiter.take_suppressed();
    if let Some(first) = passed.first() {
        let more = match (passed.len(), suppressed) {
            (1, 0) => String::new(),
            (n, 0) => format!(" (+{} more)", n - 1),
            (n, s) => format!(" (+{} more, {s} suppressed)", n - 1),
        };
        state.status.flash = Some(format!("🔔 {}{more}", first.text));
    }
    passed.into_iter().map(Effect::Alert).collect()
}

/// The keyword panel shows what the search matches (keywords by text or pinyin) and hides
/// muted keywords unless muted items are shown; the selection stays on its keyword.
fn filter_keywords(state: &mut AppState) {
    let selected = state
        .analysis
        .entries
        .get(state.panel.selected)
        .map(|k| k.label.clone());
    let query = state
        .board
        .search
        .as_deref()
        .map(crate::search::Query::parse)
        .filter(|q| !q.is_empty());
    let m = query.as_ref().map(crate::search::Matcher::new);
    let triage = &state.triage;
    let show_muted = state.board.filters.show_muted;
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
    state.panel.selected = keyword
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
    fn rebuilding_rows_writes_no_stored_state_and_update_rebuilds_stale_rows() {
        let mut state = AppState::default();
        let at = crate::domain::from_unix(1_780_000_000).unwrap();
        let mut snap = Snapshot::new(Platform::Weibo, at);
        let topic = crate::domain::Topic::new(Platform::Weibo, Some(1), "某某回应");
        snap.ranked.push(topic.clone());
        state.triage.observe(&topic, at);
        state
            .lists
            .boards
            .entry(Platform::Weibo)
            .or_default()
            .set_current(snap.finish());
        state
            .enrich
            .topic_kols
            .insert(topic.key(), vec!["某某".into()]);
        let before = serde_json::to_string(&state.triage).unwrap();
        let shown = rebuild_rows(&mut state);
        assert_eq!(state.board.rows.len(), 1);
        assert_eq!(state.board.rows[0].kols, vec!["某某".to_string()]);
        assert_eq!(serde_json::to_string(&state.triage).unwrap(), before);
        assert_eq!(shown.len(), 1);

        // Stale rows are rebuilt when the update ends, and what they showed is remembered then.
        let keymap = Keymap::default_map();
        state.board.rows.clear();
        let (_, dirty) = update(
            &mut state,
            &keymap,
            AppMsg::Key(crate::input::Key::char('R')),
        );
        assert!(dirty && !state.board.rows_stale);
        assert!(state.board.rows.is_empty(), "rising-only hides the row");
        invalidate_rows(&mut state);
        update(
            &mut state,
            &keymap,
            AppMsg::Key(crate::input::Key::char('R')),
        );
        assert_eq!(state.board.rows.len(), 1);
        let e = state.triage.entry(&topic.key()).unwrap();
        assert_eq!(e.kols, vec!["某某".to_string()]);
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
        state
            .lists
            .boards
            .entry(Platform::Weibo)
            .or_default()
            .set_current(snap);
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
            assert!(state.enrich.topic_details.len() <= MAX_TOPIC_DETAILS);
            assert!(state.enrich.topic_accounts.len() <= MAX_TOPIC_DETAILS);
        }
        // The topic still on the board keeps its page through every eviction.
        assert!(state.enrich.topic_details.contains_key("在榜话题"));
        assert!(state.enrich.topic_accounts.contains_key("在榜话题"));
        // The newest page is there too.
        let last = format!("旧话题{}", MAX_TOPIC_DETAILS * 3 - 1);
        assert!(state.enrich.topic_details.contains_key(last.as_str()));
    }
}
