//! Triage on the board: seen / new since last look, flags, mutes (topics and keywords), notes,
//! watchlists, a visual selection for bulk actions, and export. The state lives in
//! `AppState::triage` (persisted by the loop through `Effect::SaveTriage`).

use super::msg::Effect;
use super::state::{AppState, Focus, Prompt, PromptKind};
use super::update::{invalidate_rows, refresh_rows};
use crate::domain::TopicKey;
use crate::export::ExportRow;

/// The rows an action applies to: the visual selection when one is open, else the selected row.
fn targets(state: &AppState) -> Vec<TopicKey> {
    let Some(cur) = state.selected_index() else {
        return Vec::new();
    };
    let anchor = state
        .board
        .visual
        .as_ref()
        .and_then(|k| state.board.rows.iter().position(|r| &r.key == k));
    let (a, b) = match anchor {
        Some(a) => (a.min(cur), a.max(cur)),
        None => (cur, cur),
    };
    state.board.rows[a..=b]
        .iter()
        .map(|r| r.key.clone())
        .collect()
}

fn save(state: &AppState) -> Vec<Effect> {
    vec![Effect::SaveTriage(Box::new(state.triage.clone()))]
}

/// A bulk action ends the visual selection.
fn done(state: &mut AppState, msg: String) -> Vec<Effect> {
    state.board.visual = None;
    invalidate_rows(state);
    refresh_rows(state);
    // After the rebuild, whose own notices (a muted row leaving) this replaces.
    state.status.flash = Some(msg);
    save(state)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

pub fn toggle_flag(state: &mut AppState) -> Vec<Effect> {
    let keys = targets(state);
    // Flag all unless all are flagged already (then unflag all).
    let all_flagged = keys
        .iter()
        .all(|k| state.triage.entry(k).is_some_and(|e| e.flagged));
    let mut n = 0;
    for k in &keys {
        n += usize::from(state.triage.set_flag(k, !all_flagged));
    }
    let verb = if all_flagged { "unflagged" } else { "flagged" };
    done(state, format!("{verb} {n} topic{}", plural(n)))
}

pub fn toggle_seen(state: &mut AppState) -> Vec<Effect> {
    let keys = targets(state);
    let mut n = 0;
    for k in &keys {
        if let Some(at) = state
            .board
            .rows
            .iter()
            .find(|r| &r.key == k)
            .map(|r| r.data_at)
        {
            n += usize::from(state.triage.mark_seen(k, at));
        }
    }
    done(state, format!("marked {n} topic{} seen", plural(n)))
}

pub fn mark_all_seen(state: &mut AppState) -> Vec<Effect> {
    let rows: Vec<(TopicKey, _)> = state
        .board
        .rows
        .iter()
        .map(|r| (r.key.clone(), r.data_at))
        .collect();
    for (k, at) in &rows {
        state.triage.mark_seen(k, *at);
    }
    done(
        state,
        format!("marked all {} shown topics seen", rows.len()),
    )
}

pub fn mute(state: &mut AppState) -> Vec<Effect> {
    if state.input.focus == Focus::Keywords {
        let Some(k) = state.analysis.entries.get(state.panel.selected) else {
            return Vec::new();
        };
        let k = k.label.to_string();
        let msg = if state.triage.mute_keyword(&k) {
            format!("muted keyword “{k}” — titles with it are hidden")
        } else {
            state.triage.unmute_keyword(&k);
            format!("unmuted keyword “{k}”")
        };
        return done(state, msg);
    }
    let keys = targets(state);
    let mut muted = 0;
    let mut unmuted = 0;
    for k in &keys {
        if state.triage.is_muted(k) {
            unmuted += usize::from(state.triage.unmute(k));
        } else {
            muted += usize::from(state.triage.mute_topic(k));
        }
    }
    let total = state.triage.muted_count();
    let msg = if unmuted > 0 && muted == 0 {
        format!("unmuted {unmuted} topic{}", plural(unmuted))
    } else {
        format!(
            "muted {muted} topic{} ({total} muted; X shows them)",
            plural(muted)
        )
    };
    done(state, msg)
}

pub fn watch(state: &mut AppState) -> Vec<Effect> {
    let msg = if state.input.focus == Focus::Keywords {
        let Some(k) = state.analysis.entries.get(state.panel.selected) else {
            return Vec::new();
        };
        let k = k.label.to_string();
        let msg = if state.triage.watch_keyword(&k) {
            format!("watching “{k}”: an alert fires when it rises; B shows what Weibo says of it")
        } else {
            state.triage.unwatch_keyword(&k);
            format!("stopped watching “{k}”")
        };
        state.status.flash = Some(msg);
        let mut fx = save(state);
        fx.extend(super::brand::watchlist_changed(state));
        return fx;
    } else {
        let Some(kol) = state
            .selected_index()
            .and_then(|i| state.board.rows[i].kols.first().cloned())
        else {
            state.status.flash =
                Some("no KOL on this topic to watch (w on a keyword watches it)".into());
            return Vec::new();
        };
        if state.triage.watch_kol(&kol) {
            format!("watching @{kol}: an alert fires when it appears")
        } else {
            state.triage.unwatch_kol(&kol);
            format!("stopped watching @{kol}")
        }
    };
    state.status.flash = Some(msg);
    save(state)
}

pub fn edit_note(state: &mut AppState) -> Vec<Effect> {
    let Some(i) = state.selected_index() else {
        return Vec::new();
    };
    let key = state.board.rows[i].key.clone();
    let text = state
        .triage
        .entry(&key)
        .and_then(|e| e.note.clone())
        .unwrap_or_default();
    state.input.prompt = Some(Prompt {
        kind: PromptKind::Note(key),
        text,
        before: None,
    });
    Vec::new()
}

pub fn submit_note(state: &mut AppState, key: &TopicKey, text: &str) -> Vec<Effect> {
    let msg = match state.triage.set_note(key, text) {
        Some(_) => "note saved",
        None => "note cleared",
    };
    done(state, msg.into())
}

pub fn toggle_visual(state: &mut AppState) {
    if state.board.visual.take().is_some() {
        state.status.flash = Some("visual selection ended".into());
    } else {
        state.board.visual = state.board.selection.key.clone();
        state.status.flash =
            Some("visual: move to extend, then f flag · m seen · x mute · v ends".into());
    }
    invalidate_rows(state);
}

/// Flagged topics (from the triage file, also those that left the list), else the rows shown.
pub fn export_rows(state: &AppState) -> Vec<ExportRow> {
    let mut rows = export_topics(state);
    // Stories as on screen (live, or as stored at the moment travelled to).
    let events = state.events();
    for r in &mut rows {
        r.story = crate::export::story_of(events.of(&TopicKey::new(r.platform, &r.title)));
    }
    rows
}

fn export_topics(state: &AppState) -> Vec<ExportRow> {
    let flagged = crate::export::rows_from_triage(&state.triage, true);
    if !flagged.is_empty() {
        return flagged;
    }
    state
        .board
        .rows
        .iter()
        .map(|r| match state.triage.entry(&r.key) {
            Some(e) => ExportRow::from(e),
            None => ExportRow {
                title: r.topic.title.to_string(),
                platform: r.topic.platform,
                url: r.topic.url.clone(),
                keywords: Vec::new(),
                kols: r.kols.clone(),
                note: None,
                first_seen: Some(r.on_list_since),
                peak_rank: r.topic.rank,
                peak_heat: r.topic.heat,
                flagged: false,
                story: Vec::new(),
            },
        })
        .collect()
}
