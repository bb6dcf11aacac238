//! The brand view's worker (issue 20, point 5): a std thread that keeps the last week of
//! watched posts (each scored once on arrival), and after each batch of inputs sends a fresh
//! [`TermSummary`] per term. Sentiment scoring and the aggregates stay off the UI thread; the
//! app only swaps the summaries in.

use std::collections::HashMap;
use std::sync::mpsc::{Sender, channel};

use chrono::{DateTime, Duration, FixedOffset};

use super::term_summary::{ScoredPost, TermSummary, mentions, summarize};
use crate::domain::watch::{WatchPost, WatchTerm};
use crate::sentiment::Scorer;

/// Posts older than this (by creation time, against the clock) are dropped.
const KEEP_DAYS: i64 = 8;
/// At most this many posts are kept (the oldest go first): a bound on memory for a term that
/// floods.
const MAX_POSTS: usize = 50_000;

/// What the worker is sent.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchInput {
    /// The watched terms (replaces the set; the summaries follow it).
    Terms(Vec<WatchTerm>),
    /// Posts found or read from the store (a post already held is kept once, by id).
    Posts(Vec<WatchPost>),
    /// The time the summaries are as of: the lists' clock (a replay's is its own), going
    /// back only when a replay starts its day again.
    Clock(DateTime<FixedOffset>),
}

/// The worker's state: terms, posts by (platform, id), the clock.
pub struct WatchBoard {
    scorer: Scorer,
    spike: super::mentions::SpikeConfig,
    terms: Vec<WatchTerm>,
    posts: HashMap<(crate::domain::Platform, String), ScoredPost>,
    clock: Option<DateTime<FixedOffset>>,
}

impl WatchBoard {
    pub fn new(scorer: Scorer) -> WatchBoard {
        WatchBoard {
            scorer,
            spike: Default::default(),
            terms: Vec::new(),
            posts: HashMap::new(),
            clock: None,
        }
    }

    /// Spikes marked with these settings (`[watch.alerts]`, as the alerts use them).
    pub fn with_spikes(mut self, spike: super::mentions::SpikeConfig) -> WatchBoard {
        self.spike = spike;
        self
    }

    /// Apply one input; true when the summaries may have changed.
    pub fn apply(&mut self, input: WatchInput) -> bool {
        match input {
            WatchInput::Terms(t) => {
                let changed = t != self.terms;
                self.terms = t;
                changed
            }
            WatchInput::Posts(ps) => {
                let mut changed = false;
                for p in ps {
                    let key = (p.platform, p.id.clone());
                    if !self.posts.contains_key(&key) {
                        self.posts.insert(key, ScoredPost::score(p, &self.scorer));
                        changed = true;
                    }
                }
                changed
            }
            WatchInput::Clock(t) => {
                // Lists of several platforms arrive a little out of order: the clock only
                // moves on — unless it goes back by more than an hour, a replay starting its
                // day again, which the view follows.
                let back = self.clock.is_some_and(|c| t < c - Duration::hours(1));
                if self.clock.is_some_and(|c| c >= t) && !back {
                    return false;
                }
                self.clock = Some(t);
                true
            }
        }
    }

    /// The clock, or (before the first list) the newest post's time.
    fn until(&self) -> Option<DateTime<FixedOffset>> {
        self.clock
            .or_else(|| self.posts.values().filter_map(|p| p.post.created_at).max())
    }

    /// Drop what no summary can show any more.
    fn prune(&mut self) {
        let Some(until) = self.until() else { return };
        let cutoff = until - Duration::days(KEEP_DAYS);
        self.posts
            .retain(|_, p| p.post.created_at.is_none_or(|t| t >= cutoff));
        if self.posts.len() > MAX_POSTS {
            let mut times: Vec<_> = self
                .posts
                .iter()
                .map(|(k, p)| (p.post.created_at, k.clone()))
                .collect();
            times.sort();
            for (_, k) in times.into_iter().take(self.posts.len() - MAX_POSTS) {
                self.posts.remove(&k);
            }
        }
    }

    /// One summary per term, in the terms' order.
    pub fn summaries(&mut self) -> Vec<TermSummary> {
        self.prune();
        let Some(until) = self.until() else {
            return Vec::new();
        };
        self.terms
            .iter()
            .map(|t| {
                let posts: Vec<&ScoredPost> = self
                    .posts
                    .values()
                    .filter(|p| mentions(t, &p.post))
                    .collect();
                summarize(&t.name, &posts, until, &self.spike)
            })
            .collect()
    }
}

/// Start the worker. Summaries go to `sink` after each batch of inputs that changed
/// something; it stops when `sink` says the other side is gone, or when its input closes.
pub fn spawn_watch_worker(
    board: WatchBoard,
    sink: impl Fn(Vec<TermSummary>) -> bool + Send + 'static,
) -> Sender<WatchInput> {
    let (in_tx, in_rx) = channel::<WatchInput>();
    let spawned = std::thread::Builder::new()
        .name("resou-brand".into())
        .spawn(move || {
            let mut board = board;
            while let Ok(first) = in_rx.recv() {
                let mut changed = board.apply(first);
                // Everything already queued goes into one summary.
                while let Ok(more) = in_rx.try_recv() {
                    changed |= board.apply(more);
                }
                if changed && !sink(board.summaries()) {
                    return;
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("brand view thread failed to start: {e}");
    }
    in_tx
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Platform;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn post(id: &str, term: &str, created: &str, text: &str) -> WatchPost {
        let seen = at("2026-08-15T12:00:00+08:00");
        WatchPost::new(
            Platform::Weibo,
            id,
            term,
            "甲",
            Some(at(created)),
            text,
            seen,
        )
    }

    #[test]
    fn worker_summarises_each_term_once_per_post_on_the_lists_clock() {
        let (out, rx) = std::sync::mpsc::channel();
        let tx = spawn_watch_worker(WatchBoard::new(Scorer::new()), move |s| out.send(s).is_ok());
        tx.send(WatchInput::Terms(vec![
            WatchTerm::named("胖东来"),
            WatchTerm::named("旺旺"),
        ]))
        .unwrap();
        let first = rx.recv().unwrap();
        assert!(
            first.is_empty(),
            "no clock and no posts: nothing to summarise"
        );
        let p1 = post("1", "胖东来", "2026-08-15T10:00:00+08:00", "胖东来和旺旺");
        tx.send(WatchInput::Posts(vec![p1.clone(), p1.clone()]))
            .unwrap();
        tx.send(WatchInput::Clock(at("2026-08-15T11:00:00+08:00")))
            .unwrap();
        let mut s = rx.recv().unwrap();
        while let Ok(newer) = rx.try_recv() {
            s = newer;
        }
        // The batch may have been split; wait until the clock is in.
        while s
            .first()
            .is_none_or(|t| t.until != at("2026-08-15T11:00:00+08:00"))
        {
            s = rx.recv().unwrap();
        }
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].term, "胖东来");
        assert_eq!(s[0].total_24h, 1, "one post, sent twice, kept once");
        assert_eq!(s[1].total_24h, 1, "found for 胖东来, it mentions 旺旺 too");
        // A clock going back a little changes nothing; a replay starting again is followed.
        let mut b = WatchBoard::new(Scorer::new());
        assert!(b.apply(WatchInput::Clock(at("2026-08-15T11:00:00+08:00"))));
        assert!(!b.apply(WatchInput::Clock(at("2026-08-15T10:30:00+08:00"))));
        assert!(b.apply(WatchInput::Clock(at("2026-08-15T02:00:00+08:00"))));
        assert_eq!(b.clock, Some(at("2026-08-15T02:00:00+08:00")));
    }

    #[test]
    fn old_posts_are_dropped_against_the_clock() {
        let mut b = WatchBoard::new(Scorer::new());
        b.apply(WatchInput::Terms(vec![WatchTerm::named("胖东来")]));
        b.apply(WatchInput::Posts(vec![
            post("1", "胖东来", "2026-08-01T10:00:00+08:00", "胖东来"),
            post("2", "胖东来", "2026-08-15T10:00:00+08:00", "胖东来"),
        ]));
        b.apply(WatchInput::Clock(at("2026-08-15T11:00:00+08:00")));
        let s = b.summaries();
        assert_eq!(s[0].total_7d, 1);
        assert_eq!(b.posts.len(), 1);
    }
}
