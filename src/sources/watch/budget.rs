//! The brand watch's request budget (issue 20, point 1): one first-page request per term every
//! `every`, at most `max_per_hour` requests of any kind in any 60 minutes, and exponential
//! back-off (capped) after refusals. Pure: the caller passes the time, so tests drive it with
//! a controlled clock and nothing here sleeps.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::sources::SourceError;

/// The budget's settings (`[watch]` in the config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetConfig {
    /// A term's first page is asked for at most this often.
    pub every: Duration,
    /// Requests (first and later pages, every term) in any 60 minutes.
    pub max_per_hour: u32,
    /// The first back-off after a refusal; doubled for each refusal in a row.
    pub backoff: Duration,
    /// The longest back-off.
    pub max_backoff: Duration,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        BudgetConfig {
            every: Duration::from_secs(5 * 60),
            max_per_hour: 60,
            backoff: Duration::from_secs(60),
            max_backoff: Duration::from_secs(60 * 60),
        }
    }
}

/// What a request may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    /// Go: the request is counted.
    Granted,
    /// Not before this time (nothing was counted).
    WaitUntil(DateTime<FixedOffset>),
}

/// Does this failure mean the platform refuses us (back off), rather than a passing fault?
/// 432/418/403/429, a login wall, a captcha.
pub fn is_refusal(e: &SourceError) -> bool {
    matches!(
        e,
        SourceError::Status(403 | 418 | 429 | 432)
            | SourceError::LoginRequired { .. }
            | SourceError::Captcha
    )
}

const HOUR: Duration = Duration::from_secs(3600);

fn add(t: DateTime<FixedOffset>, d: Duration) -> DateTime<FixedOffset> {
    t + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// The budget's state.
#[derive(Debug, Clone)]
pub struct Budget {
    cfg: BudgetConfig,
    /// Per term key: when its next first page may go.
    due: HashMap<String, DateTime<FixedOffset>>,
    /// Keys with their own interval instead of `every` (sentinel accounts).
    every_for: HashMap<String, Duration>,
    /// Start times of the requests of the last hour, oldest first.
    sent: VecDeque<DateTime<FixedOffset>>,
    /// Refusals in a row.
    refusals: u32,
    /// No request before this (back-off).
    blocked_until: Option<DateTime<FixedOffset>>,
}

impl Budget {
    pub fn new(cfg: BudgetConfig) -> Budget {
        Budget {
            cfg,
            due: HashMap::new(),
            every_for: HashMap::new(),
            sent: VecDeque::new(),
            refusals: 0,
            blocked_until: None,
        }
    }

    pub fn config(&self) -> &BudgetConfig {
        &self.cfg
    }

    /// Give `key` its own interval between first pages (the hourly cap and back-off still
    /// hold for it like for every request).
    pub fn set_every(&mut self, key: &str, every: Duration) {
        self.every_for.insert(key.to_string(), every);
    }

    /// The interval between `key`'s first pages.
    pub fn every(&self, key: &str) -> Duration {
        self.every_for.get(key).copied().unwrap_or(self.cfg.every)
    }

    /// Requests counted in the 60 minutes before `now`.
    pub fn used_this_hour(&mut self, now: DateTime<FixedOffset>) -> u32 {
        self.forget(now);
        u32::try_from(self.sent.len()).unwrap_or(u32::MAX)
    }

    /// Refusals in a row (0 when the last request was answered).
    pub fn refusals(&self) -> u32 {
        self.refusals
    }

    /// Until when requests wait after refusals, if they do.
    pub fn backing_off_until(&self, now: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        self.blocked_until.filter(|b| *b > now)
    }

    fn forget(&mut self, now: DateTime<FixedOffset>) {
        let horizon = now - chrono::Duration::from_std(HOUR).unwrap_or(chrono::Duration::MAX);
        while self.sent.front().is_some_and(|t| *t <= horizon) {
            self.sent.pop_front();
        }
    }

    /// When any request may go next, as far as the global limits say (cap and back-off).
    fn global_free_at(&mut self, now: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        self.forget(now);
        let mut at = now;
        if let Some(b) = self.blocked_until {
            at = at.max(b);
        }
        let cap = self.cfg.max_per_hour as usize;
        if cap == 0 {
            return DateTime::<FixedOffset>::MAX_UTC.fixed_offset();
        }
        if self.sent.len() >= cap {
            // The request that leaves the window makes room.
            let i = self.sent.len() - cap;
            at = at.max(add(self.sent[i], HOUR));
        }
        at
    }

    /// May the first page of `term` go at `now`? Counted when granted; the term is then due
    /// again its interval later.
    pub fn first_page(&mut self, term: &str, now: DateTime<FixedOffset>) -> Permit {
        let due = self.due.get(term).copied().unwrap_or(now);
        let at = self.global_free_at(now).max(due);
        if at > now {
            return Permit::WaitUntil(at);
        }
        self.due
            .insert(term.to_string(), add(now, self.every(term)));
        self.sent.push_back(now);
        Permit::Granted
    }

    /// May a later page (of a round already started) go at `now`? Counted when granted.
    pub fn next_page(&mut self, now: DateTime<FixedOffset>) -> Permit {
        let at = self.global_free_at(now);
        if at > now {
            return Permit::WaitUntil(at);
        }
        self.sent.push_back(now);
        Permit::Granted
    }

    /// The last request was answered (whatever it held): back-off ends.
    pub fn answered(&mut self) {
        self.refusals = 0;
        self.blocked_until = None;
    }

    /// The last request was refused at `now`: nothing goes for `backoff × 2^(n-1)` (capped),
    /// `n` the refusals in a row.
    pub fn refused(&mut self, now: DateTime<FixedOffset>) {
        self.refusals = self.refusals.saturating_add(1);
        let factor = 2u32.saturating_pow(self.refusals.saturating_sub(1).min(30));
        let wait = self
            .cfg
            .backoff
            .saturating_mul(factor)
            .min(self.cfg.max_backoff);
        self.blocked_until = Some(add(now, wait));
    }

    /// Which of `terms` goes first and when: the one due soonest (ties: list order), no
    /// earlier than the global limits allow. `None` without terms.
    pub fn next_request_at(
        &mut self,
        terms: &[String],
        now: DateTime<FixedOffset>,
    ) -> Option<(usize, DateTime<FixedOffset>)> {
        let global = self.global_free_at(now);
        terms
            .iter()
            .enumerate()
            .map(|(i, t)| (i, self.due.get(t).copied().unwrap_or(now).max(global)))
            .min_by_key(|&(i, at)| (at, i))
    }

    /// When `term`'s next first page is due (now when never asked).
    pub fn term_due(&self, term: &str) -> Option<DateTime<FixedOffset>> {
        self.due.get(term).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<FixedOffset> {
        crate::domain::from_unix(1_786_700_000).unwrap_or_else(|| unreachable!())
    }

    fn secs(s: i64) -> chrono::Duration {
        chrono::Duration::seconds(s)
    }

    fn cfg(every_min: u64, cap: u32) -> BudgetConfig {
        BudgetConfig {
            every: Duration::from_secs(every_min * 60),
            max_per_hour: cap,
            backoff: Duration::from_secs(60),
            max_backoff: Duration::from_secs(16 * 60),
        }
    }

    #[test]
    fn a_term_goes_once_per_interval() {
        let mut b = Budget::new(cfg(5, 60));
        let now = t0();
        assert_eq!(b.first_page("胖东来", now), Permit::Granted);
        assert_eq!(
            b.first_page("胖东来", now + secs(10)),
            Permit::WaitUntil(now + secs(300))
        );
        // Another term is not held by it.
        assert_eq!(b.first_page("旺旺", now + secs(10)), Permit::Granted);
        assert_eq!(b.first_page("胖东来", now + secs(300)), Permit::Granted);
        assert_eq!(b.used_this_hour(now + secs(300)), 3);
        // An hour later the first two have left the window.
        assert_eq!(b.used_this_hour(now + secs(3_611)), 1);
    }

    #[test]
    fn the_hourly_cap_holds_and_frees_as_requests_age() {
        let mut b = Budget::new(cfg(1, 3));
        let now = t0();
        assert_eq!(b.first_page("a", now), Permit::Granted);
        assert_eq!(b.next_page(now + secs(5)), Permit::Granted);
        assert_eq!(b.next_page(now + secs(10)), Permit::Granted);
        // Full: the first request leaves the window at now + 1 h.
        assert_eq!(
            b.next_page(now + secs(15)),
            Permit::WaitUntil(now + secs(3_600))
        );
        assert_eq!(
            b.first_page("b", now + secs(20)),
            Permit::WaitUntil(now + secs(3_600))
        );
        let terms = vec!["a".to_string(), "b".to_string()];
        assert_eq!(
            b.next_request_at(&terms, now + secs(20)),
            Some((0, now + secs(3_600)))
        );
        assert_eq!(b.first_page("b", now + secs(3_600)), Permit::Granted);
        assert_eq!(b.used_this_hour(now + secs(3_600)), 3);
    }

    #[test]
    fn refusals_back_off_exponentially_capped_and_an_answer_ends_it() {
        let mut b = Budget::new(cfg(1, 1000));
        let now = t0();
        let mut waits = Vec::new();
        let mut t = now;
        for _ in 0..8 {
            b.refused(t);
            let until = b.backing_off_until(t).unwrap();
            waits.push((until - t).num_seconds());
            assert_eq!(b.next_page(t + secs(1)), Permit::WaitUntil(until));
            t = until;
        }
        assert_eq!(waits, [60, 120, 240, 480, 960, 960, 960, 960]);
        assert_eq!(b.refusals(), 8);
        b.answered();
        assert_eq!(b.refusals(), 0);
        assert_eq!(b.backing_off_until(t), None);
        assert_eq!(b.next_page(t), Permit::Granted);
    }

    #[test]
    fn refusal_kinds() {
        for s in [403, 418, 429, 432] {
            assert!(is_refusal(&SourceError::Status(s)), "{s}");
        }
        assert!(is_refusal(&SourceError::Captcha));
        assert!(is_refusal(&SourceError::LoginRequired { hint: "x".into() }));
        assert!(!is_refusal(&SourceError::Status(500)));
        assert!(!is_refusal(&SourceError::Other("timeout".into())));
    }

    /// A client that asks as often as it can — every 7 s, retrying at once after each
    /// failure, paging as deep as it likes, with refusals at random — over 12 simulated hours:
    /// no 60-minute window holds more than the cap, no term's rounds start closer than the
    /// interval, and nothing goes while backing off.
    #[test]
    fn never_more_requests_than_allowed_even_under_retries_and_refusals() {
        fastrand::seed(20);
        for (every, cap) in [(5, 60), (1, 20), (10, 7), (2, 1000)] {
            let c = cfg(every, cap);
            let mut b = Budget::new(c.clone());
            let terms: Vec<String> = ["胖东来", "旺旺", "茅台", "蜜雪冰城"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            let mut sent: Vec<DateTime<FixedOffset>> = Vec::new();
            let mut rounds: HashMap<String, Vec<DateTime<FixedOffset>>> = HashMap::new();
            let mut blocked: Option<DateTime<FixedOffset>> = None;
            let mut t = t0();
            let end = t0() + secs(12 * 3600);
            while t < end {
                let term = &terms[fastrand::usize(..terms.len())];
                let permit = if fastrand::bool() {
                    b.first_page(term, t)
                } else {
                    b.next_page(t)
                };
                if permit == Permit::Granted {
                    assert!(blocked.is_none_or(|u| t >= u), "sent while backing off");
                    sent.push(t);
                    if fastrand::u8(..10) == 0 {
                        b.refused(t);
                        blocked = b.backing_off_until(t);
                    } else {
                        b.answered();
                        blocked = None;
                    }
                } else if let Permit::WaitUntil(u) = permit {
                    assert!(u > t);
                }
                // Record first pages by watching the term's due time move.
                if let Some(due) = b.term_due(term) {
                    let starts = rounds.entry(term.clone()).or_default();
                    let start = due - chrono::Duration::from_std(c.every).unwrap();
                    if starts.last() != Some(&start) {
                        starts.push(start);
                    }
                }
                t += secs(7);
            }
            for (i, s) in sent.iter().enumerate() {
                let in_hour = sent[i..]
                    .iter()
                    .take_while(|x| **x < *s + secs(3600))
                    .count();
                assert!(
                    in_hour <= cap as usize,
                    "{in_hour} requests in the hour from {s} (cap {cap})"
                );
            }
            for starts in rounds.values() {
                for w in starts.windows(2) {
                    assert!(
                        w[1] - w[0] >= chrono::Duration::from_std(c.every).unwrap(),
                        "rounds {} and {} closer than {every} min",
                        w[0],
                        w[1]
                    );
                }
            }
            assert!(!sent.is_empty());
        }
    }

    /// Terms and sentinel accounts (their own, longer interval) under one budget, asked as
    /// often as a client can — every 11 s, at random, first pages and later pages alike,
    /// retrying at once after failures, refusals at random — over 12 simulated hours: no
    /// 60-minute window holds more than the cap, and no key's rounds start closer than its
    /// own interval.
    #[test]
    fn terms_and_sentinels_together_never_exceed_the_cap() {
        fastrand::seed(2020);
        for cap in [60, 12, 5] {
            let mut b = Budget::new(cfg(5, cap));
            let terms = ["胖东来", "旺旺"];
            let sentinels = ["@京东健康", "@中国环境", "@人民日报", "@新华社"];
            for s in sentinels {
                b.set_every(s, Duration::from_secs(3600));
            }
            let keys: Vec<String> = terms
                .iter()
                .chain(&sentinels)
                .map(|s| s.to_string())
                .collect();
            let mut sent: Vec<DateTime<FixedOffset>> = Vec::new();
            let mut rounds: HashMap<String, Vec<DateTime<FixedOffset>>> = HashMap::new();
            let mut t = t0();
            let end = t0() + secs(12 * 3600);
            while t < end {
                let key = &keys[fastrand::usize(..keys.len())];
                let first = fastrand::u8(..3) != 0;
                let permit = if first {
                    b.first_page(key, t)
                } else {
                    b.next_page(t)
                };
                if permit == Permit::Granted {
                    sent.push(t);
                    if first {
                        rounds.entry(key.clone()).or_default().push(t);
                    }
                    if fastrand::u8(..8) == 0 {
                        b.refused(t);
                    } else {
                        b.answered();
                    }
                }
                t += secs(11);
            }
            for (i, s) in sent.iter().enumerate() {
                let in_hour = sent[i..]
                    .iter()
                    .take_while(|x| **x < *s + secs(3600))
                    .count();
                assert!(
                    in_hour <= cap as usize,
                    "{in_hour} in the hour from {s} (cap {cap})"
                );
            }
            for (key, starts) in &rounds {
                let every = chrono::Duration::from_std(b.every(key)).unwrap();
                assert!(
                    starts.windows(2).all(|w| w[1] - w[0] >= every),
                    "{key}: rounds closer than {every}"
                );
            }
            // Both kinds got rounds, sentinels at most one an hour each.
            for s in sentinels {
                let n = rounds.get(s).map_or(0, Vec::len);
                assert!((1..=12).contains(&n), "{s}: {n} rounds in 12 h");
            }
            assert!(rounds.get("胖东来").is_some_and(|r| r.len() > 12) || cap < 60);
        }
    }
}
