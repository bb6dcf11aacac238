//! The brand view in the app (issue 20, point 5): what the watch loop reports (its budget, its
//! failures), the summaries the brand worker sends, and the view's cursor.
//!
//! Posts reach the worker two ways: a TUI that searches itself (single user, the demo) hands
//! each page to the store and the worker as it arrives; a team viewer reads the collector's
//! posts from the store after each list the collector stored. Summaries are as of the lists'
//! clock (a replay's own time), sent to the worker with every fresh list.

use chrono::{DateTime, Duration, FixedOffset};

use super::msg::Effect;
use super::state::AppState;
use crate::analysis::term_summary::{ScoredPost, TermSummary};
use crate::analysis::watch_worker::WatchInput;
use crate::history::HistoryCmd;
use crate::sources::watch::{BudgetStatus, WatchEvent};

/// How far back the store is read when the app starts (the 7-day sparkline's span).
pub const SEED_DAYS: i64 = 7;
/// How far back a viewer reads again after each list: a search can find a post hours after
/// it was written, so reading on from the last post's time would miss it (kept once by id).
pub const REREAD_HOURS: i64 = 24;

/// Which list of the selected term has the cursor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BrandList {
    #[default]
    Newest,
    MostNegative,
}

/// How this app gets its watched posts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WatchSource {
    /// No watched terms: the view says how to add some.
    #[default]
    Off,
    /// This app searches (its own watch loop).
    Searching,
    /// The team collector searches; this viewer reads its posts from the store.
    Store,
}

#[derive(Debug, Clone, Default)]
pub struct Brand {
    pub open: bool,
    pub source: WatchSource,
    /// The watched terms' names, in order (the view's tabs before any summary arrives).
    pub terms: Vec<String>,
    /// The terms from the config (and the demo's); the watchlist's keywords join them.
    pub configured: Vec<crate::domain::watch::WatchTerm>,
    /// This app runs the search loop (not a viewer).
    pub searches: bool,
    /// One per term, as the worker last sent them.
    pub summaries: Vec<TermSummary>,
    /// The selected term (index into `summaries`).
    pub term: usize,
    pub list: BrandList,
    pub selected: usize,
    pub offset: usize,
    /// The watch loop's budget as last reported.
    pub budget: Option<BudgetStatus>,
    /// The last failed search, in words, and when (the app's clock, when it has one).
    pub failure: Option<(String, Option<DateTime<FixedOffset>>)>,
    /// The demo or a replay: the lists' clock is in the past, so the store is read whole.
    pub replay: bool,
    /// The sentinel accounts followed (their stored posts are under `@name`).
    pub sentinels: Vec<String>,
    /// Tags several sentinels started using, as of the last list.
    pub sentinel_flags: Vec<crate::analysis::sentinel::SentinelFlag>,
    /// With `[sentinel] discovered`: the sentinel set, which topic pages' hosts and media
    /// accounts join (up to `max`).
    pub discovery: Option<Discovery>,
}

/// The sentinel set that discovered accounts join.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discovery {
    pub accounts: Vec<crate::domain::watch::Sentinel>,
    pub max: usize,
}

impl Brand {
    pub fn summary(&self) -> Option<&TermSummary> {
        self.summaries.get(self.term)
    }

    /// The posts of the list with the cursor.
    pub fn posts(&self) -> &[ScoredPost] {
        match (self.summary(), self.list) {
            (Some(s), BrandList::Newest) => &s.newest,
            (Some(s), BrandList::MostNegative) => &s.most_negative,
            (None, _) => &[],
        }
    }

    pub fn selected_post(&self) -> Option<&ScoredPost> {
        self.posts().get(self.selected)
    }
}

/// What the watch loop reported.
pub fn on_watch(state: &mut AppState, ev: WatchEvent) -> (Vec<Effect>, bool) {
    match ev {
        WatchEvent::Posts { term, posts, .. } => {
            if posts.is_empty() {
                return (Vec::new(), false);
            }
            let fx = vec![
                Effect::History(HistoryCmd::RecordWatch(posts.clone())),
                Effect::Brand(WatchInput::Posts(posts.clone())),
                Effect::WatchPage { term, posts },
            ];
            (fx, false)
        }
        WatchEvent::SentinelPosts { posts, .. } => {
            if posts.is_empty() {
                return (Vec::new(), false);
            }
            let fx = vec![
                Effect::History(HistoryCmd::RecordWatch(posts.clone())),
                Effect::SentinelPosts(posts),
            ];
            (fx, false)
        }
        WatchEvent::Failed {
            term,
            page,
            error,
            refused,
            ..
        } => {
            let then = if refused {
                "backing off"
            } else {
                "its next round retries"
            };
            state.brand.failure = Some((format!("{term} p{page}: {error} — {then}"), state.now));
            (Vec::new(), state.brand.open)
        }
        WatchEvent::Budget(b) => {
            state.brand.budget = Some(b);
            (Vec::new(), state.brand.open)
        }
    }
}

/// New summaries from the worker: the cursor stays on the same term and post when they are
/// still there.
pub fn on_summaries(state: &mut AppState, summaries: Vec<TermSummary>) -> bool {
    let b = &mut state.brand;
    let term = b.summary().map(|s| s.term.clone());
    let post = b.selected_post().map(|p| p.post.id.clone());
    b.summaries = summaries;
    if let Some(t) = term {
        b.term = b.summaries.iter().position(|s| s.term == t).unwrap_or(0);
    }
    b.term = b.term.min(b.summaries.len().saturating_sub(1));
    let n = b.posts().len();
    b.selected = post
        .and_then(|id| b.posts().iter().position(|p| p.post.id == id))
        .unwrap_or(b.selected)
        .min(n.saturating_sub(1));
    b.offset = b.offset.min(b.selected);
    b.open
}

/// The lists' clock moved (a fresh list): the summaries follow it; a viewer reads the
/// collector's newer posts.
pub fn on_fresh_list(state: &mut AppState, captured_at: DateTime<FixedOffset>) -> Vec<Effect> {
    let mut fx = Vec::new();
    if state.brand.source == WatchSource::Off {
        return fx;
    }
    fx.push(Effect::Brand(WatchInput::Clock(captured_at)));
    if state.brand.source == WatchSource::Store {
        let since = Some(captured_at - Duration::hours(REREAD_HOURS));
        fx.push(read_store(state, since, Some(captured_at)));
    }
    fx
}

/// The history store opened: read the last week of watched posts (a restart shows what was
/// found before; a viewer sees the collector's).
pub fn on_store_opened(state: &mut AppState) -> Vec<Effect> {
    if state.brand.source == WatchSource::Off {
        return Vec::new();
    }
    let mut fx = Vec::new();
    // The lists it shows (the stored ones, until the first poll) set the clock.
    let shown = state
        .lists
        .boards
        .values()
        .filter_map(|b| b.current.as_ref().map(|s| s.captured_at))
        .max();
    if let Some(t) = shown {
        fx.push(Effect::Brand(WatchInput::Clock(t)));
    }
    // A replay's posts are dated on its own day, in the past: read them all (the worker
    // shows them as its clock reaches them). `update` reads no clock: without the first
    // tick's time the store reads up to its own now.
    let since = state
        .now
        .filter(|_| !state.brand.replay)
        .map(|now| now - Duration::days(SEED_DAYS));
    fx.push(read_store(state, since, None));
    fx
}

fn read_store(
    state: &AppState,
    since: Option<DateTime<FixedOffset>>,
    until: Option<DateTime<FixedOffset>>,
) -> Effect {
    let sentinels = state.brand.sentinels.iter().map(|n| format!("@{n}"));
    Effect::History(HistoryCmd::WatchPosts {
        terms: state.brand.terms.iter().cloned().chain(sentinels).collect(),
        since,
        until,
    })
}

/// Posts read from the store.
pub fn on_stored_posts(
    state: &mut AppState,
    posts: Result<Vec<crate::domain::watch::WatchPost>, String>,
) -> Vec<Effect> {
    match posts {
        Ok(posts) => {
            let (sentinel, watched): (Vec<_>, Vec<_>) = posts
                .into_iter()
                .partition(|p| crate::domain::watch::is_sentinel_term(&p.term));
            let mut fx = Vec::new();
            if !watched.is_empty() {
                fx.push(Effect::Brand(WatchInput::Posts(watched)));
            }
            if !sentinel.is_empty() {
                fx.push(Effect::SentinelPosts(sentinel));
            }
            fx
        }
        Err(e) => {
            state.brand.failure = Some((format!("reading watched posts: {e}"), state.now));
            Vec::new()
        }
    }
}

/// The watchlist changed (`w`): the terms are the configured ones and the watchlist's
/// keywords again; the search loop and the worker follow (a viewer re-reads the store).
pub fn watchlist_changed(state: &mut AppState) -> Vec<Effect> {
    let terms = crate::domain::watch::merge_terms(
        &state.brand.configured,
        state.triage.watched_keywords.iter().cloned(),
    );
    let names: Vec<String> = terms.iter().map(|t| t.name.clone()).collect();
    if names == state.brand.terms {
        return Vec::new();
    }
    let b = &mut state.brand;
    b.terms = names;
    if b.source == WatchSource::Off && !b.terms.is_empty() {
        b.source = if b.searches {
            WatchSource::Searching
        } else {
            WatchSource::Store
        };
    }
    let mut fx = vec![Effect::WatchTerms(terms)];
    if let Some(at) = state
        .lists
        .boards
        .values()
        .filter_map(|b| b.current.as_ref().map(|s| s.captured_at))
        .max()
    {
        fx.push(Effect::Brand(WatchInput::Clock(at)));
        if state.brand.source == WatchSource::Store {
            let since = Some(at - Duration::days(SEED_DAYS));
            fx.push(read_store(state, since, Some(at)));
        }
    }
    fx
}

/// Accounts named on a topic page: with `[sentinel] discovered`, its host and media accounts
/// (with a usable uid) join the sentinels, up to the cap; the watch loop follows them.
pub fn on_discovered(
    state: &mut AppState,
    records: &[crate::analysis::AccountRecord],
) -> Vec<Effect> {
    use crate::analysis::AccountRole;
    let Some(d) = state.brand.discovery.as_mut() else {
        return Vec::new();
    };
    let before = d.accounts.len();
    for r in records
        .iter()
        .filter(|r| matches!(r.role, AccountRole::Host | AccountRole::Media))
    {
        let Some(uid) = r.uid.as_deref() else {
            continue;
        };
        if d.accounts.len() >= d.max {
            break;
        }
        let usable = crate::sources::watch::timeline::checked_uid(uid).is_ok();
        if usable && !d.accounts.iter().any(|a| a.uid == uid.trim()) {
            d.accounts
                .push(crate::domain::watch::Sentinel::new(uid, &r.name));
        }
    }
    if d.accounts.len() == before {
        return Vec::new();
    }
    let accounts = d.accounts.clone();
    state.brand.sentinels = accounts.iter().map(|a| a.name.clone()).collect();
    vec![Effect::WatchSentinels(accounts)]
}

/// `B`: open or close the view.
pub fn toggle(state: &mut AppState) -> Vec<Effect> {
    state.brand.open = !state.brand.open;
    Vec::new()
}

/// Next (1) or previous (-1) term.
pub fn cycle_term(state: &mut AppState, delta: isize) {
    let b = &mut state.brand;
    let n = b.summaries.len();
    if n == 0 {
        return;
    }
    b.term = (b.term as isize + delta).rem_euclid(n as isize) as usize;
    b.selected = 0;
    b.offset = 0;
}

/// Newest ↔ most negative.
pub fn cycle_list(state: &mut AppState) {
    let b = &mut state.brand;
    b.list = match b.list {
        BrandList::Newest => BrandList::MostNegative,
        BrandList::MostNegative => BrandList::Newest,
    };
    b.selected = 0;
    b.offset = 0;
}

/// Move the cursor in the list with `f(cur, page, last)`.
pub fn select(state: &mut AppState, f: impl Fn(usize, usize, usize) -> usize) {
    let page = crate::ui::brand::list_rows(state.size, &state.brand);
    let b = &mut state.brand;
    let n = b.posts().len();
    if n == 0 {
        return;
    }
    b.selected = f(b.selected, page, n - 1);
    if b.selected < b.offset {
        b.offset = b.selected;
    } else if b.selected >= b.offset + page.max(1) {
        b.offset = b.selected + 1 - page.max(1);
    }
}

/// `Enter`: the selected post's comments, in the drill-down views (Back returns here).
pub fn open_selected(state: &mut AppState) -> Vec<Effect> {
    let Some(p) = state.brand.selected_post().cloned() else {
        state.status.flash = Some("no post here to open".into());
        return Vec::new();
    };
    let term = state
        .brand
        .summary()
        .map(|s| s.term.clone())
        .unwrap_or_default();
    super::drill::open_watched_post(state, &p.post, &term)
}

/// The selected post's page (`o` / `y`).
pub fn selected_link(state: &AppState) -> Option<String> {
    let url = state.brand.selected_post()?.post.url()?;
    super::drill::safe_url(&url)
}
