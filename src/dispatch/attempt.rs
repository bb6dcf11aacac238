//! What one attempt at a queued delivery means for its row: delivered when every part went
//! through; otherwise the parts that did are kept, and the rest is tried again after the
//! service's wait or a growing back-off — or given up on a permanent refusal, or when it has
//! failed for a day.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::push::Outcome;
use crate::store::{PushRecord, PushState, PushUpdate};

/// A delivery still failing this long after it was queued is given up (the news is stale).
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);
const FIRST_WAIT: Duration = Duration::from_secs(30);
const MAX_WAIT: Duration = Duration::from_secs(30 * 60);

/// The wait before attempt `attempts + 1`: 30 s, doubling, at most 30 min.
pub fn backoff(attempts: u32) -> Duration {
    let doubled = FIRST_WAIT.saturating_mul(1 << attempts.saturating_sub(1).min(16));
    doubled.min(MAX_WAIT)
}

/// The row after an attempt at `now` whose requests (after the `parts_done` already sent)
/// came back as `outcomes`.
pub fn judge(r: &PushRecord, outcomes: &[Outcome], now: DateTime<FixedOffset>) -> PushUpdate {
    let delivered = outcomes.iter().take_while(|o| o.is_delivered()).count();
    let parts_done = r
        .parts_done
        .saturating_add(u32::try_from(delivered).unwrap_or(u32::MAX));
    let attempts = r.attempts.saturating_add(1);
    let update = |state, last_error, next_at| PushUpdate {
        state,
        parts_done,
        attempts,
        last_error,
        next_at,
        updated_at: now,
    };
    match outcomes.get(delivered) {
        None | Some(Outcome::Delivered) => update(PushState::Delivered, None, now),
        // The channel's own limit: not an attempt, not an error — just later.
        Some(Outcome::Wait { after }) => PushUpdate {
            attempts: r.attempts,
            last_error: r.last_error.clone(),
            ..update(
                PushState::Pending,
                None,
                now + chrono::Duration::from_std(*after).unwrap_or_default(),
            )
        },
        Some(Outcome::Permanent { reason }) => update(PushState::Failed, Some(reason.clone()), now),
        Some(Outcome::Retry { after, reason }) => {
            let age = (now - r.created_at).to_std().unwrap_or_default();
            if age >= GIVE_UP_AFTER {
                let reason = format!("given up after 24 h of failures: {reason}");
                return update(PushState::Failed, Some(reason), now);
            }
            let wait = (*after).max(backoff(attempts));
            let next = now + chrono::Duration::from_std(wait).unwrap_or_default();
            update(PushState::Pending, Some(reason.clone()), next)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2025-10-15T23:40:00+08:00").unwrap()
            + chrono::Duration::seconds(secs)
    }

    fn record(parts_done: u32, attempts: u32) -> PushRecord {
        PushRecord {
            id: 1,
            channel: "ding".into(),
            rule: "r".into(),
            tier: "red".into(),
            title: "台风".into(),
            message: "{}".into(),
            state: PushState::Pending,
            parts_done,
            attempts,
            last_error: None,
            created_at: t(0),
            next_at: t(0),
            updated_at: t(0),
        }
    }

    fn retry(secs: u64) -> Outcome {
        Outcome::Retry {
            after: Duration::from_secs(secs),
            reason: "DingTalk 130101: send too fast".into(),
        }
    }

    #[test]
    fn back_off_doubles_up_to_half_an_hour() {
        let waits: Vec<u64> = (1..=8).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1800, 1800]);
        assert_eq!(backoff(u32::MAX), MAX_WAIT);
    }

    #[test]
    fn parts_that_went_through_are_kept_and_the_rest_waits() {
        let u = judge(
            &record(1, 0),
            &[Outcome::Delivered, retry(0), retry(0)],
            t(10),
        );
        assert_eq!(
            (u.state, u.parts_done, u.attempts),
            (PushState::Pending, 2, 1)
        );
        assert_eq!(u.next_at, t(40), "30 s back-off for the first failure");
        assert_eq!(
            u.last_error.as_deref(),
            Some("DingTalk 130101: send too fast")
        );
        // The service's own wait wins when longer (DingTalk's 10-minute penalty).
        let u = judge(&record(0, 0), &[retry(600)], t(10));
        assert_eq!(u.next_at, t(610));
    }

    #[test]
    fn every_part_delivered_is_done_and_a_permanent_refusal_is_failed() {
        let u = judge(&record(2, 3), &[Outcome::Delivered], t(5));
        assert_eq!(
            (u.state, u.parts_done, u.attempts),
            (PushState::Delivered, 3, 4)
        );
        assert_eq!(u.last_error, None);
        let refused = Outcome::Permanent {
            reason: "DingTalk 310000: sign mismatch".into(),
        };
        let u = judge(&record(0, 0), &[refused], t(5));
        assert_eq!(u.state, PushState::Failed);
        assert_eq!(
            u.last_error.as_deref(),
            Some("DingTalk 310000: sign mismatch")
        );
    }

    #[test]
    fn a_local_rate_limit_wait_is_neither_an_attempt_nor_an_error() {
        let mut r = record(1, 2);
        r.last_error = Some("earlier".into());
        let wait = Outcome::Wait {
            after: Duration::from_secs(45),
        };
        let u = judge(&r, &[wait], t(10));
        assert_eq!(
            (u.state, u.parts_done, u.attempts),
            (PushState::Pending, 1, 2)
        );
        assert_eq!(u.next_at, t(55));
        assert_eq!(u.last_error.as_deref(), Some("earlier"));
    }

    #[test]
    fn a_day_of_transient_failures_gives_up() {
        let u = judge(&record(0, 40), &[retry(0)], t(24 * 3600));
        assert_eq!(u.state, PushState::Failed);
        assert!(u.last_error.unwrap().starts_with("given up after 24 h"));
    }
}
