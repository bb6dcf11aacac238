//! Team alert deliveries in the app (issue 19): what the store's delivery queue says was sent,
//! is waiting for a retry, or failed — for the deliveries view (`D`) and the status bar.
//!
//! The queue is written by the one sender (the team collector, or a single user's TUI) into
//! the history store; the app reads its newest rows through the history service
//! ([`HistoryCmd::RecentPushes`]) at start, every [`STATUS_EVERY_SECS`], and every
//! [`OPEN_EVERY_SECS`] while the view is open — on the 1 s tick, whose time comes in the
//! message. A team viewer reads the collector's rows the same way. Stored text is sanitised
//! here, where it enters the state: a webhook can echo anything into an error.
//!
//! A failure is announced in the status bar once: a row that became `failed`, or a waiting
//! row whose attempts went up with an error. Each is known by (row, attempts, state).

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};

use super::msg::Effect;
use super::state::AppState;
use crate::domain::{SafeText, Tier, cst};
use crate::history::HistoryCmd;
use crate::store::{PushRecord, PushState};

/// Deliveries read each time (the view lists them; the status bar looks for new failures).
pub const RECENT: u32 = 50;
/// How often the deliveries are read while the view is closed (new failures for the status bar).
pub const STATUS_EVERY_SECS: i64 = 20;
/// How often they are read while the view is open.
pub const OPEN_EVERY_SECS: i64 = 3;
/// A read still unanswered after this long is asked again (the service may have been busy).
const ANSWER_TIMEOUT_SECS: i64 = 60;
/// Failures older than this (by the row's last change) are listed, not announced: a restart
/// does not replay yesterday's failures in the status bar.
pub const ANNOUNCE_WITHIN_SECS: i64 = 3_600;

/// One delivery as the view shows it: a stored row with its text sanitised (the message body
/// itself is not kept).
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: i64,
    pub channel: SafeText,
    pub rule: SafeText,
    /// `None` when the stored tier is not one of 蓝/黄/橙/红 (shown as `?`).
    pub tier: Option<Tier>,
    pub title: SafeText,
    pub state: PushState,
    /// Parts of a split message delivered so far.
    pub parts_done: u32,
    pub attempts: u32,
    pub last_error: Option<SafeText>,
    /// When a waiting delivery is tried next.
    pub next_at: DateTime<FixedOffset>,
    /// When the row last changed (the list's order, the time column).
    pub updated_at: DateTime<FixedOffset>,
}

impl Delivery {
    pub fn from_record(r: &PushRecord) -> Delivery {
        Delivery {
            id: r.id,
            channel: SafeText::line(&r.channel),
            rule: SafeText::line(&r.rule),
            tier: Tier::ALL.into_iter().find(|t| t.id() == r.tier),
            title: SafeText::line(&r.title),
            state: r.state,
            parts_done: r.parts_done,
            attempts: r.attempts,
            last_error: r
                .last_error
                .as_deref()
                .map(SafeText::line)
                .filter(|e| !e.is_empty()),
            next_at: r.next_at,
            updated_at: r.updated_at,
        }
    }

    /// A failure worth a status-bar line: given up, or waiting after an attempt that erred.
    pub fn is_problem(&self) -> bool {
        match self.state {
            PushState::Failed => true,
            PushState::Pending => self.attempts > 0 && self.last_error.is_some(),
            PushState::Delivered => false,
        }
    }

    /// What one announcement is about: the row, its attempts and its state.
    fn problem_key(&self) -> (i64, u32, PushState) {
        (self.id, self.attempts, self.state)
    }

    /// The status-bar line: `push ✗ <channel>: <error> — <title>` or
    /// `push ↻ <channel> retrying HH:MM: <error>`.
    pub fn notice(&self) -> String {
        let error = self.last_error.as_ref().map_or("", SafeText::as_str);
        match self.state {
            PushState::Failed => {
                let error = if error.is_empty() { "gave up" } else { error };
                format!("push ✗ {}: {error} — {}", self.channel, self.title)
            }
            _ => format!(
                "push ↻ {} retrying {}: {error}",
                self.channel,
                self.next_at.with_timezone(&cst()).format("%H:%M")
            ),
        }
    }
}

/// The deliveries as last read, the view's cursor, and what the status bar has said.
#[derive(Debug, Clone, Default)]
pub struct Deliveries {
    /// The deliveries view (`D`) is open.
    pub open: bool,
    /// Newest first, as the store listed them.
    pub rows: Vec<Delivery>,
    /// The store has answered at least once (until then the view says it is reading).
    pub loaded: bool,
    /// The last read failed: why (the rows of the read before stay listed).
    pub read_error: Option<String>,
    /// Index of the selected delivery; it follows its row when a read reorders the list.
    pub selected: usize,
    /// First delivery shown.
    pub offset: usize,
    /// When the last read was asked for.
    pub asked_at: Option<DateTime<FixedOffset>>,
    /// A read was asked for and not answered yet.
    pub awaiting: bool,
    /// When the last answer came (the app's clock then).
    pub read_at: Option<DateTime<FixedOffset>>,
    /// Failed deliveries announced since the view was last opened: the status bar keeps a
    /// `push ✗N` mark until the view is opened.
    pub unseen_failed: usize,
    /// Whether any push channel and rule are configured (`None`: not known to the app); the
    /// empty view says how to set them up when they are not.
    pub configured: Option<bool>,
    /// Failures already seen, by (row, attempts, state): each is announced once. Holds only
    /// keys of rows in the last read.
    seen: HashSet<(i64, u32, PushState)>,
}

impl Deliveries {
    /// (delivered, waiting, failed) among the rows read.
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s: PushState| self.rows.iter().filter(|r| r.state == s).count();
        (
            n(PushState::Delivered),
            n(PushState::Pending),
            n(PushState::Failed),
        )
    }
}

/// The 1 s tick: read the deliveries when due (at once at start, every few seconds while the
/// view is open, else every [`STATUS_EVERY_SECS`]).
pub fn on_tick(state: &mut AppState, now: DateTime<FixedOffset>) -> Vec<Effect> {
    let d = &state.deliveries;
    let every = if d.open {
        OPEN_EVERY_SECS
    } else {
        STATUS_EVERY_SECS
    };
    let due = match d.asked_at {
        None => true,
        Some(at) => {
            let since = (now - at).num_seconds();
            // A clock set back reads at once rather than waiting for it to catch up.
            since < 0
                || if d.awaiting {
                    since >= ANSWER_TIMEOUT_SECS
                } else {
                    since >= every
                }
        }
    };
    if due {
        ask(state, Some(now))
    } else {
        Vec::new()
    }
}

fn ask(state: &mut AppState, now: Option<DateTime<FixedOffset>>) -> Vec<Effect> {
    let d = &mut state.deliveries;
    d.asked_at = now;
    d.awaiting = true;
    vec![Effect::History(HistoryCmd::RecentPushes { limit: RECENT })]
}

/// Open the view (reading the deliveries now) or close it.
pub fn toggle(state: &mut AppState) -> Vec<Effect> {
    let d = &mut state.deliveries;
    d.open = !d.open;
    if !d.open {
        return Vec::new();
    }
    d.selected = 0;
    d.offset = 0;
    d.unseen_failed = 0;
    if d.awaiting && d.asked_at.is_some() {
        // A read is under way; its answer fills the view.
        return Vec::new();
    }
    let now = state.now;
    ask(state, now)
}

/// The store's answer. Returns whether anything visible changed.
pub fn on_answer(state: &mut AppState, answer: Result<Vec<PushRecord>, String>) -> bool {
    let now = state.now;
    let d = &mut state.deliveries;
    d.awaiting = false;
    d.read_at = now;
    let records = match answer {
        Ok(r) => r,
        Err(e) => {
            let e = SafeText::line(&e).into_string();
            let changed = d.read_error.as_deref() != Some(e.as_str());
            if changed {
                state.status.flash = Some(format!("push: the deliveries could not be read: {e}"));
            }
            d.read_error = Some(e);
            d.loaded = true;
            return changed || d.open;
        }
    };
    let rows: Vec<Delivery> = records.iter().map(Delivery::from_record).collect();
    let notice = announce(d, &rows, now);

    // The selection stays on its delivery when newer ones push it down.
    let selected_id = d.rows.get(d.selected).map(|r| r.id);
    let mut changed = !d.loaded || d.read_error.is_some() || rows != d.rows || d.open;
    d.selected = selected_id
        .and_then(|id| rows.iter().position(|r| r.id == id))
        .unwrap_or(d.selected)
        .min(rows.len().saturating_sub(1));
    d.rows = rows;
    d.loaded = true;
    d.read_error = None;
    let body = crate::ui::deliveries::body_rows(state.size);
    d.offset = crate::ui::deliveries::scroll_offset(&d.rows, d.selected, d.offset, body);
    if let Some(n) = notice {
        state.status.flash = Some(n);
        changed = true;
    }
    changed
}

/// The status-bar line for failures not announced yet (the newest failure first, else the
/// newest retry; `(+N more)` for the rest), and the rows' failures remembered as seen.
fn announce(
    d: &mut Deliveries,
    rows: &[Delivery],
    now: Option<DateTime<FixedOffset>>,
) -> Option<String> {
    let recent =
        |r: &Delivery| now.is_none_or(|n| (n - r.updated_at).num_seconds() <= ANNOUNCE_WITHIN_SECS);
    let new: Vec<&Delivery> = rows
        .iter()
        .filter(|r| r.is_problem() && !d.seen.contains(&r.problem_key()) && recent(r))
        .collect();
    // Remember the failures listed now (old ones too, so they are never announced), and
    // forget rows no longer listed: the set stays as small as one read.
    d.seen = rows
        .iter()
        .filter(|r| r.is_problem())
        .map(Delivery::problem_key)
        .collect();
    let failed = new.iter().filter(|r| r.state == PushState::Failed).count();
    d.unseen_failed += failed;
    let first = new
        .iter()
        .find(|r| r.state == PushState::Failed)
        .or(new.first())?;
    let more = match new.len() {
        1 => String::new(),
        n => format!(" (+{} more · D lists them)", n - 1),
    };
    Some(format!("{}{more}", first.notice()))
}

/// Move the view's cursor by one of the movement actions, keeping it on screen.
pub fn select(state: &mut AppState, pos: impl FnOnce(usize, usize, usize) -> usize) {
    let body = crate::ui::deliveries::body_rows(state.size);
    let d = &mut state.deliveries;
    let Some(last) = d.rows.len().checked_sub(1) else {
        return;
    };
    // A page is about one screen of one-line entries.
    d.selected = pos(d.selected, body, last);
    d.offset = crate::ui::deliveries::scroll_offset(&d.rows, d.selected, d.offset, body);
}
