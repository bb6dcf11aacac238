//! History in the app: what the store said (poll times, sparkline series, a topic's detail),
//! time travel over stored polls, and write failures. The store itself runs on the history
//! service's thread ([`crate::history`]); this module only turns its events into state and
//! key presses into its commands.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, FixedOffset};

use super::msg::Effect;
use super::state::{AppState, PlatformBoard};
use crate::domain::{Platform, Snapshot, TopicKey};
use crate::history::{HistoryCmd, HistoryEvent, PastBoard, SERIES_POINTS};
use std::sync::Arc;

use crate::analysis::events::{Events, StoredTitle};
use crate::store::{COMPACT_AFTER_SECS, HistoryPoint, StoryTitle, TopicHistory};

/// Viewing the boards of a past moment instead of the live ones.
#[derive(Debug, Clone, Default)]
pub struct Travel {
    /// The stored poll time being viewed.
    pub at: DateTime<FixedOffset>,
    /// The boards as of `at` (empty until the store answers).
    pub boards: BTreeMap<Platform, PlatformBoard>,
    /// Waiting for the store's answer for `at`.
    pub loading: bool,
    /// The stories of the boards' topics as stored, as of `at` (the events view, `⇄N`, `H`).
    pub events: Arc<Events>,
}

/// The topic detail pane (`H`).
#[derive(Debug, Clone, PartialEq)]
pub struct DetailPane {
    pub key: TopicKey,
    pub title: String,
    /// `None` while loading; `Some(Err)` when the store could not answer.
    pub history: Option<Result<Option<TopicHistory>, String>>,
    /// First visible line (the pane scrolls).
    pub offset: usize,
    /// The topic's stories as stored (for a topic no event on screen has: one that left the
    /// lists, a viewer's, a past one).
    pub stories: Arc<Events>,
}

#[derive(Debug, Clone, Default)]
pub struct HistoryState {
    /// Where the history lives (a file, or the team server); `None`: no store open.
    pub source: Option<String>,
    /// A viewer reads a collector's polls; it never records them again.
    pub viewer: bool,
    /// Last write failure, shown in the status bar until a write succeeds.
    pub write_error: Option<String>,
    /// Viewer: the collector's live feed is down, and why (reconnecting meanwhile).
    pub feed_problem: Option<String>,
    /// Team mode: the others' flags and notes by triage entry key.
    pub team: HashMap<String, Vec<crate::history::TeamMark>>,
    /// Every stored poll time, ascending (unix seconds), plus live polls since.
    pub times: Vec<i64>,
    pub travel: Option<Travel>,
    /// Recent heat/rank points per topic, oldest first, for sparklines.
    pub series: HashMap<TopicKey, Vec<HistoryPoint>>,
    /// Topics whose stored series was asked for (each once per session).
    requested: HashSet<TopicKey>,
    pub detail: Option<DetailPane>,
}

impl HistoryState {
    /// The boards on screen: the past ones while travelling, else the live ones.
    pub fn shown<'a>(
        &'a self,
        live: &'a BTreeMap<Platform, PlatformBoard>,
    ) -> &'a BTreeMap<Platform, PlatformBoard> {
        self.travel.as_ref().map_or(live, |t| &t.boards)
    }

    /// Heat points of a topic up to the moment on screen, for its sparkline.
    pub fn trend(&self, key: &TopicKey, until: Option<DateTime<FixedOffset>>) -> Vec<f64> {
        let Some(points) = self.series.get(key) else {
            return Vec::new();
        };
        let shown = points.iter().filter(|p| until.is_none_or(|u| p.at <= u));
        // Heat where the platform gave it (polls without it are left out rather than mixed
        // in on another scale); for topics never given heat, the place: higher is taller.
        let values: Vec<f64> = if points.iter().any(|p| p.heat.is_some()) {
            shown.filter_map(|p| p.heat.map(|h| h as f64)).collect()
        } else {
            shown
                .map(|p| p.rank.map_or(0.0, |r| f64::from(60u32.saturating_sub(r))))
                .collect()
        };
        // A flat zero line (pinned rows) says nothing: no sparkline.
        if values.iter().all(|&v| v <= 0.0) {
            return Vec::new();
        }
        values
    }
}

/// Stories from stored titles as of `at`, with where each title stood on `boards`.
pub fn stored_events(
    at: DateTime<FixedOffset>,
    stories: &[StoryTitle],
    boards: &BTreeMap<Platform, PlatformBoard>,
) -> Arc<Events> {
    // Each listed row's key once (a key is a normalised title), not once per stored title.
    let listed: HashMap<TopicKey, (u32, Option<u64>)> = boards
        .values()
        .filter_map(|b| b.current.as_ref())
        .flat_map(|snap| &snap.ranked)
        .filter_map(|t| Some((t.key(), (t.rank?, t.heat))))
        .collect();
    let titles: Vec<StoredTitle> = stories
        .iter()
        .map(|s| {
            let listed = listed.get(&s.key).copied();
            StoredTitle {
                story: s.story.clone(),
                key: s.key.clone(),
                title: s.title.clone(),
                first_seen: s.first_seen,
                last_seen: s.last_seen,
                best_rank: s.best_rank,
                listed,
            }
        })
        .collect();
    Arc::new(Events::from_stored(at, &titles))
}

/// Live time: the newest capture among the live boards.
pub fn live_at(state: &AppState) -> Option<DateTime<FixedOffset>> {
    state
        .lists
        .boards
        .values()
        .filter_map(|b| b.current.as_ref().map(|s| s.captured_at))
        .max()
}

/// A store event. Returns effects and whether to redraw.
pub fn on_event(state: &mut AppState, ev: HistoryEvent) -> (Vec<Effect>, bool) {
    let h = &mut state.history;
    match ev {
        HistoryEvent::Opened { source, latest } => {
            h.source = Some(source);
            // The last stored lists fill the board until the first poll (never over live data).
            let mut fx = Vec::new();
            for past in latest {
                let board = state.lists.boards.entry(past.current.platform).or_default();
                if board.current.is_some() {
                    continue;
                }
                install(board, past);
                if let Some(s) = &board.current {
                    fx.extend(request_series(&mut state.history, s));
                    let health = state.lists.health.entry(s.platform).or_default();
                    health.data_at.get_or_insert(s.captured_at);
                }
            }
            super::update::invalidate_rows(state);
            fx.extend(super::brand::on_store_opened(state));
            (fx, true)
        }
        HistoryEvent::Times(mut times) => {
            // Live polls recorded before the answer came are in both: merge.
            times.append(&mut h.times);
            times.sort_unstable();
            times.dedup();
            h.times = times;
            (Vec::new(), h.travel.is_some())
        }
        HistoryEvent::Boards {
            at,
            boards,
            stories,
        } => {
            let Some(travel) = h.travel.as_mut().filter(|t| t.at == at) else {
                return (Vec::new(), false); // an answer for a step already passed
            };
            travel.loading = false;
            travel.boards.clear();
            for past in boards {
                let board = travel.boards.entry(past.current.platform).or_default();
                install(board, past);
            }
            travel.events = stored_events(at, &stories, &travel.boards);
            let mut fx = Vec::new();
            let snaps: Vec<Snapshot> = travel
                .boards
                .values()
                .filter_map(|b| b.current.clone())
                .collect();
            for s in &snaps {
                fx.extend(request_series(&mut state.history, s));
            }
            super::update::invalidate_rows(state);
            (fx, true)
        }
        HistoryEvent::Series(list) => {
            // An answer for topics that left the boards meanwhile is not kept (bounded memory:
            // only listed topics have series; `requested` follows the boards).
            for (key, points) in list {
                if h.requested.contains(&key) {
                    h.series.insert(key, points);
                }
            }
            super::update::invalidate_rows(state);
            (Vec::new(), true)
        }
        HistoryEvent::Detail(key, result, stories) => {
            if h.detail.as_ref().is_none_or(|d| d.key != key) {
                return (Vec::new(), false);
            }
            let at = h.travel.as_ref().map(|t| t.at).or(live_at(state));
            let at = at.or_else(|| stories.iter().map(|s| s.first_seen).max());
            let h = &state.history;
            let events = at.map(|at| stored_events(at, &stories, h.shown(&state.lists.boards)));
            match state.history.detail.as_mut() {
                Some(d) => {
                    d.history = Some(result);
                    d.stories = events.unwrap_or_default();
                    (Vec::new(), true)
                }
                None => (Vec::new(), false),
            }
        }
        HistoryEvent::WriteFailed(msg) => {
            let changed = h.write_error.as_deref() != Some(msg.as_str());
            h.write_error = Some(msg);
            (Vec::new(), changed)
        }
        HistoryEvent::WriteRecovered => {
            h.write_error = None;
            state.status.flash = Some("history: writes work again".into());
            (Vec::new(), true)
        }
        HistoryEvent::Unavailable(msg) => {
            h.write_error = Some(format!("history off: {msg}"));
            (Vec::new(), true)
        }
        HistoryEvent::Live(snapshot) => (super::update::on_collector_list(state, *snapshot), true),
        HistoryEvent::Team(marks) => {
            h.team = marks;
            super::update::invalidate_rows(state);
            (Vec::new(), true)
        }
        HistoryEvent::Feed(problem) => {
            let changed = h.feed_problem != problem;
            h.feed_problem = problem;
            (Vec::new(), changed)
        }
        HistoryEvent::RecentPushes(answer) => {
            (Vec::new(), super::deliveries::on_answer(state, answer))
        }
        HistoryEvent::WatchPosts(answer) => (super::brand::on_stored_posts(state, answer), false),
        HistoryEvent::ReadFailed(msg) => {
            if let Some(t) = h.travel.as_mut() {
                t.loading = false;
            }
            state.status.flash = Some(format!("history: {msg}"));
            (Vec::new(), true)
        }
    }
}

/// A successful live poll: record it (unless a viewer), extend the series, ask for the stored
/// series of topics seen for the first time.
pub fn on_live_poll(state: &mut AppState, snap: &Snapshot, endpoint: &'static str) -> Vec<Effect> {
    let h = &mut state.history;
    let at = snap.captured_at;
    let mut fx = Vec::new();
    if !h.viewer {
        fx.push(Effect::History(HistoryCmd::Record {
            snapshot: Box::new(snap.clone()),
            endpoint,
        }));
    }
    if h.times.last().is_none_or(|&t| t < at.timestamp()) {
        h.times.push(at.timestamp());
        if h.times.len() > MAX_TIMES {
            thin_times(&mut h.times);
        }
    }
    for t in snap.pinned.iter().chain(&snap.ranked) {
        let points = h.series.entry(t.key()).or_default();
        if points.last().is_none_or(|p| p.at < at) {
            // Room first, so the buffer never grows past SERIES_POINTS.
            let cut = (points.len() + 1).saturating_sub(SERIES_POINTS);
            points.drain(..cut);
            points.push(HistoryPoint {
                at,
                rank: if t.pinned { None } else { t.rank },
                heat: t.heat,
            });
        }
    }
    fx.extend(request_series(h, snap));
    prune_series(state);
    fx
}

/// Steady keywords stored per poll besides the rising ones (the series stay small).
const STORED_STEADY: usize = 20;

/// Keyword series and KOL mentions of one analysed poll, for the store (a viewer leaves that
/// to nobody: the lists are the collector's, the analysis is its own and not shared).
pub fn analysis_series(state: &AppState, u: &crate::analysis::AnalysisUpdate) -> Option<Effect> {
    if state.history.source.is_none() || state.history.viewer {
        return None;
    }
    // Stories are stored from the start (a seeded grouping has the stored polls' times); the
    // series only from live, warmed-up analysis.
    let series = !(u.warming_up || u.seeded);
    let mut steady = 0;
    let keywords: Vec<crate::store::KeywordPoint> = u
        .keywords
        .iter()
        .filter(|_| series)
        .filter(|k| {
            k.rising || {
                steady += 1;
                steady <= STORED_STEADY
            }
        })
        .map(|k| crate::store::KeywordPoint {
            keyword: k.keyword.as_str().to_string(),
            at: u.at,
            share: k.share,
            score: k.score,
            rising: k.rising,
        })
        .collect();
    let mut by_kol: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for t in u.kol_mentions.iter().filter(|_| series) {
        for m in &t.mentions {
            let titles = by_kol.entry(m.name.as_str()).or_default();
            if !titles.contains(&t.title) {
                titles.push(t.title.clone());
            }
        }
    }
    let kols = by_kol
        .into_iter()
        .map(|(name, titles)| crate::store::KolMention {
            name: name.to_string(),
            at: u.at,
            titles,
        })
        .collect::<Vec<_>>();
    if keywords.is_empty() && kols.is_empty() && u.events.joined.is_empty() {
        return None;
    }
    Some(Effect::History(HistoryCmd::Analysis {
        keywords,
        kols,
        joined: u.events.joined.clone(),
    }))
}

/// Poll times kept for time travel. A session polling every minute adds 1,440 a day; the
/// store keeps minute polls for [`COMPACT_AFTER_SECS`] and one per hour before that, so
/// past this count the list is thinned the same way (≈ 2,900 + 24 per retained day), and
/// if still too long (very long retention), the oldest go.
pub const MAX_TIMES: usize = 8_192;

/// The store's compaction rule on the in-memory times: older than [`COMPACT_AFTER_SECS`]
/// before the newest, keep the last of each hour; then at most [`MAX_TIMES`], newest kept.
fn thin_times(times: &mut Vec<i64>) {
    let Some(&newest) = times.last() else {
        return;
    };
    let before = newest - COMPACT_AFTER_SECS;
    let mut out: Vec<i64> = Vec::with_capacity(times.len());
    for (i, &t) in times.iter().enumerate() {
        let next = times.get(i + 1).copied();
        let last_of_hour = next.is_none_or(|n| n.div_euclid(3600) != t.div_euclid(3600));
        if t >= before || last_of_hour {
            out.push(t);
        }
    }
    let cut = out.len().saturating_sub(MAX_TIMES);
    out.drain(..cut);
    *times = out;
}

/// Ask the store for the series of `snap`'s topics not asked for yet.
fn request_series(h: &mut HistoryState, snap: &Snapshot) -> Option<Effect> {
    h.source.as_ref()?;
    let keys: Vec<TopicKey> = snap
        .pinned
        .iter()
        .chain(&snap.ranked)
        .map(|t| t.key())
        .filter(|k| h.requested.insert(k.clone()))
        .collect();
    (!keys.is_empty()).then_some(Effect::History(HistoryCmd::Series(keys)))
}

/// Bounded memory: keep series only for topics on a board (live or travelled).
fn prune_series(state: &mut AppState) {
    let mut keep: HashSet<TopicKey> = HashSet::new();
    let travel = state.history.travel.as_ref().map(|t| &t.boards);
    for board in state
        .lists
        .boards
        .values()
        .chain(travel.into_iter().flat_map(|b| b.values()))
    {
        keep.extend(board.forms().iter().map(|f| f.key.clone()));
    }
    state.history.series.retain(|k, _| keep.contains(k));
    state.history.requested.retain(|k| keep.contains(k));
}

fn install(board: &mut PlatformBoard, past: PastBoard) {
    if let Some(prev) = past.previous {
        super::update::apply_snapshot(board, prev);
    }
    super::update::apply_snapshot(board, past.current);
}

/// `[` / `]`: step through stored polls. Forward past the last one returns to live.
pub fn step(state: &mut AppState, back: bool) -> Vec<Effect> {
    if state.history.source.is_none() {
        state.status.flash = Some("no history store open (see [history] in the config)".into());
        return Vec::new();
    }
    let live = live_at(state).map(|t| t.timestamp());
    let h = &state.history;
    // Only polls up to the live moment count (a demo rerun replays earlier archive times).
    let times: Vec<i64> = h
        .times
        .iter()
        .copied()
        .filter(|t| live.is_none_or(|l| *t <= l))
        .collect();
    let here = h.travel.as_ref().map(|t| t.at.timestamp()).or(live);
    let target = match (back, here) {
        (true, Some(here)) => times.iter().rev().find(|&&t| t < here).copied(),
        (true, None) => times.last().copied(),
        (false, Some(here)) => times.iter().find(|&&t| t > here).copied(),
        (false, None) => None,
    };
    let target = target.filter(|t| back || live.is_none_or(|l| *t < l));
    match target {
        Some(t) => go_to(state, t),
        None if back => {
            state.status.flash = Some("no earlier stored poll".into());
            Vec::new()
        }
        None => {
            go_live(state);
            Vec::new()
        }
    }
}

fn go_to(state: &mut AppState, secs: i64) -> Vec<Effect> {
    let Some(at) = crate::domain::from_unix(secs) else {
        return Vec::new();
    };
    let travel = state.history.travel.get_or_insert_with(Travel::default);
    travel.at = at;
    travel.loading = true;
    vec![Effect::History(HistoryCmd::Boards { at })]
}

/// `L`: back to the live boards.
pub fn go_live(state: &mut AppState) {
    if state.history.travel.take().is_some() {
        state.status.flash = Some("live".into());
        super::update::invalidate_rows(state);
    }
}

/// `H`: open the selected topic's history.
pub fn open_detail(state: &mut AppState) -> Vec<Effect> {
    let Some(row) = state.selected_index().map(|i| &state.board.rows[i]) else {
        return Vec::new();
    };
    if state.history.source.is_none() {
        state.status.flash = Some("no history store open (see [history] in the config)".into());
        return Vec::new();
    }
    let key = row.key.clone();
    state.history.detail = Some(DetailPane {
        key: key.clone(),
        title: row.topic.title.as_str().to_string(),
        history: None,
        offset: 0,
        stories: Arc::default(),
    });
    let at = state.history.travel.as_ref().map(|t| t.at);
    vec![Effect::History(HistoryCmd::Detail(key, at))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Platform, from_unix};

    fn point(secs: i64, rank: Option<u32>, heat: Option<u64>) -> HistoryPoint {
        HistoryPoint {
            at: from_unix(secs).unwrap(),
            rank,
            heat,
        }
    }

    #[test]
    fn trend_uses_one_scale_and_stops_at_the_moment_shown() {
        let key = TopicKey {
            platform: Platform::Weibo,
            norm: "x".into(),
        };
        let mut h = HistoryState::default();
        h.series.insert(
            key.clone(),
            vec![
                point(60, Some(5), Some(100)),
                point(120, Some(4), None), // heat missing: left out, not mixed in as a rank
                point(180, Some(3), Some(300)),
            ],
        );
        assert_eq!(h.trend(&key, None), vec![100.0, 300.0]);
        assert_eq!(h.trend(&key, from_unix(150)), vec![100.0]);
        // Never any heat: the place, higher is taller.
        h.series.insert(
            key.clone(),
            vec![point(60, Some(50), None), point(120, Some(1), None)],
        );
        assert_eq!(h.trend(&key, None), vec![10.0, 59.0]);
        // Pinned all along: nothing to draw.
        h.series.insert(key.clone(), vec![point(60, None, None)]);
        assert!(h.trend(&key, None).is_empty());
    }

    #[test]
    fn series_are_kept_only_for_listed_topics_even_when_answers_come_late() {
        let at = crate::domain::from_unix(1_780_000_000).unwrap();
        let list = |titles: &[&str], at| {
            let mut s = Snapshot::new(Platform::Weibo, at);
            for (i, t) in titles.iter().enumerate() {
                s.ranked.push(crate::domain::Topic::new(
                    Platform::Weibo,
                    Some(i as u32 + 1),
                    t,
                ));
            }
            s.finish()
        };
        let mut state = AppState::default();
        state.history.source = Some("test".into());
        let first = list(&["甲", "乙"], at);
        state
            .lists
            .boards
            .entry(Platform::Weibo)
            .or_default()
            .set_current(first.clone());
        on_live_poll(&mut state, &first, "test");
        // 乙 leaves the list before the store's answer for it arrives.
        let second = list(&["甲", "丙"], at + chrono::Duration::minutes(1));
        state
            .lists
            .boards
            .entry(Platform::Weibo)
            .or_default()
            .set_current(second.clone());
        on_live_poll(&mut state, &second, "test");
        let point = HistoryPoint {
            at,
            rank: Some(1),
            heat: Some(1),
        };
        let key = |t: &str| TopicKey::new(Platform::Weibo, t);
        let answer = ["甲", "乙", "丙"]
            .iter()
            .map(|t| (key(t), vec![point.clone()]))
            .collect();
        on_event(&mut state, HistoryEvent::Series(answer));
        let mut held: Vec<String> = state
            .history
            .series
            .keys()
            .map(|k| k.norm.clone())
            .collect();
        held.sort();
        assert_eq!(held, ["丙", "甲"]);
    }

    #[test]
    fn poll_times_are_thinned_like_the_store_and_capped() {
        // Ten days of minute polls, added one by one as live polls add them.
        let start = 1_780_000_000 - 1_780_000_000 % 3600;
        let mut h = HistoryState::default();
        for m in 0..10 * 1440 {
            h.times.push(start + m * 60);
            if h.times.len() > MAX_TIMES {
                thin_times(&mut h.times);
            }
            assert!(h.times.len() <= MAX_TIMES);
        }
        // Thinned whenever the cap is passed; right after a thinning, the store's shape.
        thin_times(&mut h.times);
        let newest = *h.times.last().unwrap();
        assert_eq!(newest, start + (10 * 1440 - 1) * 60);
        // The recent two days are whole; before them at most one per hour.
        let recent = h
            .times
            .iter()
            .filter(|&&t| t >= newest - COMPACT_AFTER_SECS)
            .count();
        assert!(recent >= 2 * 1440, "{recent}");
        let old: Vec<i64> = h
            .times
            .iter()
            .copied()
            .filter(|&t| t < newest - COMPACT_AFTER_SECS)
            .collect();
        let hours: std::collections::HashSet<i64> = old.iter().map(|t| t / 3600).collect();
        assert_eq!(hours.len(), old.len(), "one time per old hour");
        assert!(h.times.windows(2).all(|w| w[0] < w[1]));
        // A lone very long list is cut to the newest MAX_TIMES.
        let mut many: Vec<i64> = (0..(MAX_TIMES as i64 + 100)).map(|i| start + i).collect();
        thin_times(&mut many);
        assert_eq!(many.len(), MAX_TIMES);
        assert_eq!(*many.last().unwrap(), start + MAX_TIMES as i64 + 99);
    }
}
