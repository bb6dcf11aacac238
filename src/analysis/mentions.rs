//! Mention volume of watched terms (issue 20, point 3): posts per hour, by the post's own
//! creation time (not when this build first saw it, so a late page does not look like a spike).
//! Pure functions over stored [`WatchPost`]s; the brand view draws them and the spike
//! detector reads them.

use chrono::{DateTime, Duration, FixedOffset, Timelike};

use crate::domain::watch::WatchPost;

/// The start of the hour holding `t`.
pub fn hour_floor(t: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    t.with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

/// Posts per hour over the `hours` hours ending with the hour holding `until` (oldest first;
/// the last slot is the hour in progress). Posts without a time, or outside the span, are not
/// counted.
pub fn hourly_counts<'a>(
    posts: impl IntoIterator<Item = &'a WatchPost>,
    until: DateTime<FixedOffset>,
    hours: usize,
) -> Vec<u32> {
    let mut out = vec![0u32; hours];
    if hours == 0 {
        return out;
    }
    let last = hour_floor(until);
    let first = last - Duration::hours(hours as i64 - 1);
    for p in posts {
        let Some(at) = p.created_at else { continue };
        if at < first || at > until {
            continue;
        }
        let i = (hour_floor(at) - first).num_hours();
        if let Some(slot) = usize::try_from(i).ok().and_then(|i| out.get_mut(i)) {
            *slot = slot.saturating_add(1);
        }
    }
    out
}

/// Sum consecutive groups of `width` slots (hourly → per `width` hours), keeping the newest
/// group aligned to the end: a 7-day sparkline from 168 hourly counts with `width` 6.
pub fn rebin(counts: &[u32], width: usize) -> Vec<u32> {
    if width <= 1 {
        return counts.to_vec();
    }
    let head = counts.len() % width;
    let mut out = Vec::with_capacity(counts.len() / width + 1);
    if head > 0 {
        out.push(counts[..head].iter().sum());
    }
    out.extend(counts[head..].chunks(width).map(|c| c.iter().sum::<u32>()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Platform;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn post(id: &str, created: Option<&str>) -> WatchPost {
        WatchPost {
            platform: Platform::Weibo,
            id: id.into(),
            term: "胖东来".into(),
            author: "a".into(),
            author_id: None,
            verified_type: None,
            followers: None,
            reposts: None,
            comments: None,
            likes: None,
            created_at: created.map(at),
            text: "胖东来".into(),
            first_seen: at("2026-08-15T12:00:00+08:00"),
        }
    }

    #[test]
    fn counts_by_creation_hour_ending_with_the_hour_in_progress() {
        let posts = [
            post("1", Some("2026-08-15T09:59:59+08:00")),
            post("2", Some("2026-08-15T10:00:00+08:00")),
            post("3", Some("2026-08-15T10:30:00+08:00")),
            post("4", Some("2026-08-15T11:05:00+08:00")),
            post("5", Some("2026-08-15T11:40:00+08:00")), // after `until`: not yet
            post("6", None),
            post("7", Some("2026-08-15T06:00:00+08:00")), // before the span
        ];
        let c = hourly_counts(&posts, at("2026-08-15T11:30:00+08:00"), 3);
        assert_eq!(c, vec![1, 2, 1]);
    }

    #[test]
    fn rebin_keeps_the_newest_group_whole() {
        assert_eq!(rebin(&[1, 2, 3, 4, 5], 2), vec![1, 5, 9]);
        assert_eq!(rebin(&[1, 2, 3, 4], 2), vec![3, 7]);
        assert_eq!(rebin(&[1, 2], 1), vec![1, 2]);
    }
}
