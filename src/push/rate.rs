//! Per-destination rate limits (team-alerts.md §9) as a pure struct: the caller passes the
//! time in, so tests drive it with a controlled clock. "N per window" limits are sliding
//! windows over the last N sends (a token bucket refilling N per window would let N + 1
//! through in some window); ntfy's documented "60 burst, then 1 per 5 s" is a token bucket.

use std::collections::VecDeque;
use std::time::Duration;

/// One documented limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// At most `max` requests in any `per`.
    Window { max: u32, per: Duration },
    /// Up to `burst` at once, one more every `every`.
    Bucket { burst: u32, every: Duration },
}

#[derive(Debug, Clone)]
enum State {
    Window {
        max: u32,
        per: Duration,
        sent: VecDeque<Duration>,
    },
    Bucket {
        burst: u32,
        every: Duration,
        tokens: u32,
        refilled: Duration,
    },
}

/// All limits of one destination; a request goes only when every limit allows it. Times are
/// offsets from any fixed origin (the sender uses the Unix epoch); a clock that steps back is
/// treated as standing still.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    limits: Vec<State>,
    /// After the service said "retry after", nothing goes before this.
    held_until: Duration,
    latest: Duration,
}

impl RateLimiter {
    pub fn new(limits: &[Limit]) -> Self {
        let limits = limits
            .iter()
            .map(|l| match *l {
                Limit::Window { max, per } => State::Window {
                    max,
                    per,
                    sent: VecDeque::new(),
                },
                Limit::Bucket { burst, every } => State::Bucket {
                    burst,
                    every,
                    tokens: burst,
                    refilled: Duration::ZERO,
                },
            })
            .collect();
        RateLimiter {
            limits,
            held_until: Duration::ZERO,
            latest: Duration::ZERO,
        }
    }

    /// Take one request's allowance at `now`, or say how long to wait (nothing is taken then).
    pub fn try_acquire(&mut self, now: Duration) -> Result<(), Duration> {
        let now = now.max(self.latest);
        self.latest = now;
        let mut wait = self.held_until.saturating_sub(now);
        for l in &mut self.limits {
            wait = wait.max(l.wait(now));
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        for l in &mut self.limits {
            l.take(now);
        }
        Ok(())
    }

    /// The service asked for a pause (WeCom 45009, DingTalk's 10-minute throttle, 429s).
    pub fn hold(&mut self, now: Duration, after: Duration) {
        self.held_until = self.held_until.max(now.max(self.latest) + after);
    }
}

impl State {
    /// Time until this limit allows one more request (zero: now); refreshes the state.
    fn wait(&mut self, now: Duration) -> Duration {
        match self {
            State::Window { max, per, sent } => {
                while sent.front().is_some_and(|&t| now.saturating_sub(t) >= *per) {
                    sent.pop_front();
                }
                match sent.front() {
                    Some(&oldest) if sent.len() >= *max as usize => (oldest + *per) - now,
                    _ => Duration::ZERO,
                }
            }
            State::Bucket {
                burst,
                every,
                tokens,
                refilled,
            } => {
                let elapsed = now.saturating_sub(*refilled);
                let earned = (elapsed.as_nanos() / every.as_nanos().max(1)) as u32;
                if *tokens + earned >= *burst {
                    *tokens = *burst;
                    *refilled = now;
                } else {
                    *tokens += earned;
                    *refilled += *every * earned;
                }
                if *tokens > 0 {
                    Duration::ZERO
                } else {
                    (*refilled + *every).saturating_sub(now)
                }
            }
        }
    }

    fn take(&mut self, now: Duration) {
        match self {
            State::Window { sent, .. } => sent.push_back(now),
            State::Bucket { tokens, .. } => *tokens -= 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    /// Drive the limiter with a request attempt every `step` for `total`; return send times.
    fn drive(limits: &[Limit], step: Duration, total: Duration) -> Vec<Duration> {
        let mut l = RateLimiter::new(limits);
        let mut sent = Vec::new();
        let mut t = Duration::from_secs(1_000);
        let end = t + total;
        while t < end {
            if l.try_acquire(t).is_ok() {
                sent.push(t);
            }
            t += step;
        }
        sent
    }

    fn max_in_any(sent: &[Duration], window: Duration) -> usize {
        sent.iter()
            .map(|&start| {
                sent.iter()
                    .filter(|&&t| t >= start && t < start + window)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn wecom_window_never_exceeds_20_per_minute() {
        let limits = [Limit::Window {
            max: 20,
            per: 60 * S,
        }];
        let sent = drive(&limits, Duration::from_millis(250), 600 * S);
        assert_eq!(max_in_any(&sent, 60 * S), 20);
        assert_eq!(sent.len(), 200); // and it does use the whole allowance
    }

    #[test]
    fn feishu_two_windows_both_hold() {
        let limits = [
            Limit::Window { max: 5, per: S },
            Limit::Window {
                max: 100,
                per: 60 * S,
            },
        ];
        let sent = drive(&limits, Duration::from_millis(50), 300 * S);
        assert!(max_in_any(&sent, S) <= 5);
        assert!(max_in_any(&sent, 60 * S) <= 100);
        assert_eq!(sent.len(), 500);
    }

    #[test]
    fn ntfy_bucket_burst_then_one_per_five_seconds() {
        let limits = [Limit::Bucket {
            burst: 60,
            every: 5 * S,
        }];
        let sent = drive(&limits, Duration::from_millis(10), 100 * S);
        // 60 at once, then one per 5 s over the remaining 100 s.
        assert_eq!(
            sent.iter()
                .filter(|&&t| t < Duration::from_secs(1_001))
                .count(),
            60
        );
        assert!(sent.len() <= 60 + 20);
        assert!(sent.len() >= 60 + 19);
    }

    #[test]
    fn denial_reports_the_wait_and_takes_nothing() {
        let mut l = RateLimiter::new(&[Limit::Window { max: 1, per: S }]);
        let t0 = Duration::from_secs(50);
        assert!(l.try_acquire(t0).is_ok());
        assert_eq!(
            l.try_acquire(t0 + Duration::from_millis(400)),
            Err(Duration::from_millis(600))
        );
        assert!(l.try_acquire(t0 + S).is_ok());
    }

    #[test]
    fn hold_blocks_until_the_service_said_and_a_backward_clock_does_not_free_it() {
        let mut l = RateLimiter::new(&[]);
        let t0 = Duration::from_secs(100);
        l.hold(t0, 600 * S);
        assert_eq!(l.try_acquire(t0 + 10 * S), Err(590 * S));
        assert_eq!(l.try_acquire(t0), Err(590 * S)); // clock stepped back: no earlier release
        assert!(l.try_acquire(t0 + 600 * S).is_ok());
    }
}
