//! Mention volume of watched terms (issue 20, point 3): posts per hour, by the post's own
//! creation time (not when this build first saw it, so a late page does not look like a spike).
//! Pure functions over stored [`WatchPost`]s; the brand view draws them and the spike
//! detector reads them.
//!
//! Spikes: the keywords' detector ([`Ewma`]: EWMA/EWMVar significance, hysteresis θ_on/θ_off,
//! support `x_min`) run on hourly counts, one step per hour ([`SpikeTracker`], [`spikes`]),
//! with a warm-up counted in hours and a minimum count per hour ([`SpikeConfig`]).

use chrono::{DateTime, Duration, FixedOffset, Timelike};
use serde::{Deserialize, Serialize};

use crate::analysis::detect::{DetectorConfig, Ewma, Transition};
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

/// Minutes per step of the detector: one hour.
const HOUR_MIN: f64 = 60.0;

/// The spike detector's settings, in posts per hour and hours. They become the keyword
/// detector's [`DetectorConfig`] (one step per hour), so the same machinery flags both; the
/// keys are the spike's own so a config table that sets one keeps the others' spike defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpikeConfig {
    /// Fewer posts than this in an hour is never a spike (the detector's `x_min`). 5: a term
    /// that usually gets one post an hour reaches 5 by chance with p ≈ 0.4 % (Poisson,
    /// λ = 1), about once in 11 days per term; below it a "spike" is a handful of posts a
    /// team cannot act on.
    pub min_count: u32,
    /// Hysteresis: a spike starts at z ≥ `theta_on` and ends after `off_hours` hours below
    /// `theta_off` (the keyword detector's reference θ_on and θ_off).
    pub theta_on: f64,
    pub theta_off: f64,
    pub off_hours: u32,
    /// No spike in the first hours of a term's series: the baseline needs a few steps.
    pub warmup_hours: f64,
    /// Half-life of the baseline: half a day keeps the night from making every morning a
    /// spike while a week-old level is forgotten.
    pub baseline_half_life_hours: f64,
    /// Noise floor β in posts per hour: counts are Poisson-like, so a term with no baseline
    /// needs `min_count` posts and a clear jump to flag.
    pub beta: f64,
}

impl Default for SpikeConfig {
    fn default() -> Self {
        SpikeConfig {
            min_count: 5,
            theta_on: 3.0,
            theta_off: 1.5,
            off_hours: 2,
            warmup_hours: 6.0,
            baseline_half_life_hours: 12.0,
            beta: 1.0,
        }
    }
}

impl SpikeConfig {
    /// The keyword detector's parameters for hourly counts.
    pub fn detector(&self) -> DetectorConfig {
        DetectorConfig {
            half_life_slow_min: self.baseline_half_life_hours * HOUR_MIN,
            // One step per hour: the hour's count is the level (α = 1 exactly, so 5 posts
            // are 5, not 4.999, against `x_min`), no smoothing.
            half_life_fast_min: 0.0,
            half_life_mid_min: 2.0 * HOUR_MIN,
            beta: self.beta,
            x_min: f64::from(self.min_count),
            theta_on: self.theta_on,
            theta_off: self.theta_off,
            off_polls: self.off_hours,
            warmup_min: self.warmup_hours * HOUR_MIN,
            ..DetectorConfig::default()
        }
    }
}

/// One flagged hour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spike {
    /// Index of the hour in the series given to [`spikes`] (or the tracker's hour number).
    pub hour_index: i64,
    pub count: u32,
    /// The baseline (posts per hour) the count was scored against.
    pub baseline: f64,
    pub z: f64,
    /// The first hour of this spike (a spike lasts until `off_polls` quiet hours).
    pub onset: bool,
}

/// A term's spike state, fed one complete hour at a time (hours numbered by the caller:
/// consecutive integers, e.g. hours since the epoch). Serialisable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SpikeTracker {
    ewma: Option<Ewma>,
    /// The first hour seen (warm-up counts from it) and the last hour stepped.
    first: Option<i64>,
    last: Option<i64>,
}

/// Hours with no post between two observations are stepped as zeros, at most this many (a
/// longer gap starts over: the old baseline says nothing any more).
const MAX_GAP_HOURS: i64 = 7 * 24;

impl SpikeTracker {
    /// The last hour stepped.
    pub fn last_hour(&self) -> Option<i64> {
        self.last
    }

    pub fn flagged(&self) -> bool {
        self.ewma.as_ref().is_some_and(|e| e.flagged)
    }

    /// Step the complete hour `hour` with `count` posts (hours without an observation since
    /// the last one step with 0). An hour at or before the last one is ignored. Returns the
    /// hour as a [`Spike`] when it is flagged.
    pub fn observe(&mut self, hour: i64, count: u32, cfg: &SpikeConfig) -> Option<Spike> {
        let det = cfg.detector();
        if self.last.is_some_and(|l| hour <= l) {
            return None;
        }
        if self.last.is_some_and(|l| hour - l > MAX_GAP_HOURS) {
            *self = SpikeTracker::default();
        }
        if let Some(last) = self.last {
            for h in last + 1..hour {
                self.step(h, 0, &det);
            }
        }
        self.step(hour, count, &det)
    }

    /// What [`SpikeTracker::observe`] would say of `count` posts so far in the hour in
    /// progress, without changing the state: a live spike is seen before its hour ends.
    pub fn peek(&self, hour: i64, count: u32, cfg: &SpikeConfig) -> Option<Spike> {
        self.clone().observe(hour, count, cfg)
    }

    fn step(&mut self, hour: i64, count: u32, det: &DetectorConfig) -> Option<Spike> {
        let t = hour as f64 * HOUR_MIN;
        let x = f64::from(count);
        let first = *self.first.get_or_insert(hour);
        // The first hour seen is the term's normal level (as a cold start's list is for the
        // keywords), not news.
        let e = self
            .ewma
            .get_or_insert_with(|| Ewma::baseline(x, t - HOUR_MIN));
        let baseline = e.mu.max(det.beta);
        let may_flag = (hour - first) as f64 * HOUR_MIN >= det.warmup_min;
        let tr = e.step(x, t, det, may_flag);
        self.last = Some(hour);
        e.flagged.then(|| Spike {
            hour_index: hour,
            count,
            baseline,
            z: e.z,
            onset: tr == Transition::On,
        })
    }
}

/// Every flagged hour of an hourly series (oldest first; `hour_index` indexes `counts`), as
/// the detector would have flagged them hour by hour: the sparkline's marks.
pub fn spikes(counts: &[u32], cfg: &SpikeConfig) -> Vec<Spike> {
    let mut tr = SpikeTracker::default();
    counts
        .iter()
        .enumerate()
        .filter_map(|(i, &c)| tr.observe(i as i64, c, cfg))
        .collect()
}

/// The hour number (hours since the Unix epoch) holding `t`.
pub fn hour_number(t: DateTime<FixedOffset>) -> i64 {
    t.timestamp().div_euclid(3600)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Platform;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn post(id: &str, created: Option<&str>) -> WatchPost {
        let seen = at("2026-08-15T12:00:00+08:00");
        WatchPost::new(
            Platform::Weibo,
            id,
            "胖东来",
            "a",
            created.map(at),
            "胖东来",
            seen,
        )
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

    /// A day of a quiet term's real-looking rhythm: a few posts an hour, fewer at night.
    fn quiet_day() -> Vec<u32> {
        vec![
            1, 0, 0, 0, 0, 1, 1, 2, 3, 2, 3, 4, 3, 2, 3, 4, 3, 2, 2, 3, 2, 1, 1, 0,
        ]
    }

    #[test]
    fn a_flat_series_never_flags() {
        let cfg = SpikeConfig::default();
        assert!(spikes(&[12; 72], &cfg).is_empty());
        assert!(spikes(&[0; 72], &cfg).is_empty());
        let two_days: Vec<u32> = quiet_day().repeat(2);
        assert!(spikes(&two_days, &cfg).is_empty());
    }

    #[test]
    fn a_jump_above_the_minimum_flags_and_ends_after_quiet_hours() {
        let cfg = SpikeConfig::default();
        let mut c = quiet_day();
        c.extend([30, 45, 3, 2, 2, 2]);
        let s = spikes(&c, &cfg);
        assert_eq!(s[0].hour_index, 24, "{s:?}");
        assert!(s[0].onset && s[0].count == 30 && s[0].z >= cfg.theta_on);
        assert!(s[0].baseline < 5.0, "scored against the quiet level: {s:?}");
        assert!(s.iter().skip(1).all(|x| !x.onset));
        // Hysteresis: the spike lasts through the first quiet hour, ends after two.
        let hours: Vec<i64> = s.iter().map(|x| x.hour_index).collect();
        assert_eq!(hours, [24, 25, 26]);
    }

    #[test]
    fn below_the_minimum_count_never_flags() {
        let cfg = SpikeConfig::default();
        let mut c = vec![0; 24];
        c.push(4); // z is large on a zero baseline, but 4 posts are below min_count
        assert!(spikes(&c, &cfg).is_empty());
        let strict = SpikeConfig {
            min_count: 31,
            ..SpikeConfig::default()
        };
        let mut c = quiet_day();
        c.push(30);
        assert!(spikes(&c, &strict).is_empty());
        assert_eq!(spikes(&c, &SpikeConfig::default()).len(), 1);
    }

    #[test]
    fn warm_up_is_respected() {
        let cfg = SpikeConfig::default();
        // A jump in the third hour of tracking: inside the six-hour warm-up.
        assert!(spikes(&[1, 1, 40, 1, 1, 1, 1, 1], &cfg).is_empty());
        // The same jump after the warm-up flags.
        let s = spikes(&[1, 1, 1, 1, 1, 1, 1, 40], &cfg);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].hour_index, 7);
    }

    #[test]
    fn peek_sees_the_hour_in_progress_without_stepping() {
        let cfg = SpikeConfig::default();
        let mut tr = SpikeTracker::default();
        for (h, &c) in quiet_day().iter().enumerate() {
            tr.observe(h as i64, c, &cfg);
        }
        let before = tr.clone();
        assert!(tr.peek(24, 3, &cfg).is_none());
        assert!(tr.peek(24, 20, &cfg).is_some_and(|s| s.onset));
        assert_eq!(tr, before, "peek leaves the state alone");
        // Hours skipped step as zeros; an hour already stepped is ignored.
        assert!(tr.observe(30, 20, &cfg).is_some());
        assert_eq!(tr.last_hour(), Some(30));
        assert!(tr.observe(29, 50, &cfg).is_none());
        let json = serde_json::to_string(&tr).unwrap();
        assert_eq!(serde_json::from_str::<SpikeTracker>(&json).unwrap(), tr);
    }
}
