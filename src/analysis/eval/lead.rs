//! The brand watch's lead figure (issue 20): on archived topic posts, did the topic's term
//! show a mention spike before the topic first appeared on the hot list, and how long before?
//!
//! Each topic's dated posts are replayed hour by hour through [`SpikeTracker`] as the live
//! watcher would have seen them: a spike counts from the post that made the hour in
//! progress flag (`peek`), not from the hour's end. The term is taken as watched, with no
//! mentions, for a day before its first post (what a watch on a new term's hashtag sees).
//! The naive baseline is the moment `min_count` posts fall in one clock hour.

use chrono::{DateTime, FixedOffset};

use crate::analysis::mentions::{SpikeConfig, SpikeTracker, hour_floor, hour_number};

/// Zero hours the tracker is fed before a topic's first post.
pub const WATCHED_BEFORE_HOURS: i64 = 24;

/// One topic as archived.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicInput {
    pub term: String,
    /// Creation times of its posts with an absolute time.
    pub posts: Vec<DateTime<FixedOffset>>,
    /// Posts with only a relative time (`5分钟前`, `今天 12:30`: relative to a capture time
    /// the archive does not keep) or none.
    pub undated: usize,
    /// The first list of the archive that shows it.
    pub listed_at: Option<DateTime<FixedOffset>>,
    /// The list before that one (it entered between the two: snapshot spacing).
    pub unlisted_at: Option<DateTime<FixedOffset>>,
}

/// Why a topic could not be measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unmeasured {
    /// On the archive's first list: it entered at an unknown time before (left-censored).
    ListedAtStart,
    /// Its first dated post is after it was listed: the archive's posts do not reach back
    /// to the entry (collected later, or capped), so a spike before it cannot be seen.
    PostsAfterListing,
    /// No post with an absolute time.
    NoDatedPosts,
    /// Never among the ranked rows of the archive's lists (a pinned row is placed there by
    /// the platform, not ranked by attention: it is no entry to measure).
    NeverListed,
}

impl Unmeasured {
    pub fn describe(self) -> &'static str {
        match self {
            Unmeasured::ListedAtStart => "on the archive's first list (left-censored)",
            Unmeasured::PostsAfterListing => "first dated post after the listing",
            Unmeasured::NoDatedPosts => "no post with an absolute time",
            Unmeasured::NeverListed => "never a ranked row of the archive's lists",
        }
    }
}

/// What a method said about one measurable topic: when it fired, if it did before the end
/// of the posts, and the lead (listing − firing; negative: after the listing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fired {
    pub at: DateTime<FixedOffset>,
    /// Up to the first list showing it: an upper bound, the entry was at or before it.
    pub lead_minutes: i64,
    /// Fired before the last list without it: a lead however the spacing is read.
    pub sure: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Measured {
        listed_at: DateTime<FixedOffset>,
        detector: Option<Fired>,
        naive: Option<Fired>,
    },
    Unmeasured(Unmeasured),
}

/// When the live detector first flags a spike onset on these posts.
pub fn detection_time(
    posts: &[DateTime<FixedOffset>],
    cfg: &SpikeConfig,
) -> Option<DateTime<FixedOffset>> {
    let mut sorted = posts.to_vec();
    sorted.sort();
    let first = hour_number(*sorted.first()?);
    let last = hour_number(*sorted.last()?);
    let mut tr = SpikeTracker::default();
    let mut i = 0;
    for h in first - WATCHED_BEFORE_HOURS..=last {
        let start = i;
        while i < sorted.len() && hour_number(sorted[i]) == h {
            i += 1;
        }
        let hour = &sorted[start..i];
        for k in 1..=hour.len() {
            let n = u32::try_from(k).unwrap_or(u32::MAX);
            if tr.peek(h, n, cfg).is_some_and(|s| s.onset) {
                return Some(hour[k - 1]);
            }
        }
        tr.observe(h, u32::try_from(hour.len()).unwrap_or(u32::MAX), cfg);
    }
    None
}

/// The naive baseline: the first moment `min_count` posts fall in one clock hour.
pub fn naive_time(
    posts: &[DateTime<FixedOffset>],
    min_count: u32,
) -> Option<DateTime<FixedOffset>> {
    let mut sorted = posts.to_vec();
    sorted.sort();
    let need = usize::try_from(min_count.max(1)).unwrap_or(usize::MAX);
    let mut run = 0;
    let mut hour = None;
    for &t in &sorted {
        let h = hour_floor(t);
        if hour != Some(h) {
            (hour, run) = (Some(h), 0);
        }
        run += 1;
        if run == need {
            return Some(t);
        }
    }
    None
}

/// One topic's outcome; `archive_start` is the time of the archive's first list.
pub fn evaluate(
    t: &TopicInput,
    archive_start: DateTime<FixedOffset>,
    cfg: &SpikeConfig,
) -> Outcome {
    let Some(listed_at) = t.listed_at else {
        return Outcome::Unmeasured(Unmeasured::NeverListed);
    };
    if listed_at <= archive_start {
        return Outcome::Unmeasured(Unmeasured::ListedAtStart);
    }
    let Some(&first) = t.posts.iter().min() else {
        return Outcome::Unmeasured(Unmeasured::NoDatedPosts);
    };
    if first > listed_at {
        return Outcome::Unmeasured(Unmeasured::PostsAfterListing);
    }
    let fired = |at: Option<DateTime<FixedOffset>>| {
        at.map(|at| Fired {
            at,
            lead_minutes: (listed_at - at).num_minutes(),
            sure: t.unlisted_at.is_some_and(|u| at < u),
        })
    };
    Outcome::Measured {
        listed_at,
        detector: fired(detection_time(&t.posts, cfg)),
        naive: fired(naive_time(&t.posts, cfg.min_count)),
    }
}

/// One method over the measured topics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MethodSummary {
    /// Fired before the listing (lead > 0), and the leads in minutes, sorted.
    pub before: usize,
    pub leads: Vec<i64>,
    /// Of `before`, fired before the last list without the topic.
    pub sure: usize,
    /// Fired at or after the listing.
    pub after: usize,
    /// Never fired.
    pub never: usize,
}

impl MethodSummary {
    fn add(&mut self, f: Option<Fired>) {
        match f {
            Some(f) if f.lead_minutes > 0 => {
                self.before += 1;
                self.sure += usize::from(f.sure);
                let at = self.leads.partition_point(|&l| l < f.lead_minutes);
                self.leads.insert(at, f.lead_minutes);
            }
            Some(_) => self.after += 1,
            None => self.never += 1,
        }
    }

    /// The `q`-quantile of the leads (nearest rank), in minutes.
    pub fn quantile(&self, q: f64) -> Option<i64> {
        if self.leads.is_empty() {
            return None;
        }
        let n = self.leads.len();
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        Some(self.leads[rank - 1])
    }
}

/// Every topic's outcome, counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub topics: usize,
    pub measured: usize,
    /// Unmeasured topics by reason.
    pub unmeasured: Vec<(Unmeasured, usize)>,
    pub detector: MethodSummary,
    pub naive: MethodSummary,
    /// Posts left out for having no absolute time.
    pub undated_posts: usize,
    pub dated_posts: usize,
}

pub fn summarise(
    topics: &[TopicInput],
    archive_start: DateTime<FixedOffset>,
    cfg: &SpikeConfig,
) -> Summary {
    let mut s = Summary {
        topics: topics.len(),
        ..Summary::default()
    };
    for t in topics {
        s.undated_posts += t.undated;
        s.dated_posts += t.posts.len();
        match evaluate(t, archive_start, cfg) {
            Outcome::Measured {
                detector, naive, ..
            } => {
                s.measured += 1;
                s.detector.add(detector);
                s.naive.add(naive);
            }
            Outcome::Unmeasured(u) => match s.unmeasured.iter_mut().find(|(k, _)| *k == u) {
                Some((_, n)) => *n += 1,
                None => s.unmeasured.push((u, 1)),
            },
        }
    }
    s.unmeasured.sort();
    s
}

/// `h:mm` for a lead in minutes.
pub fn hours(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.unsigned_abs();
    format!("{sign}{}:{:02}", m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    /// `n` posts a second apart from `from`.
    fn burst(from: &str, n: i64) -> Vec<DateTime<FixedOffset>> {
        (0..n).map(|i| at(from) + Duration::seconds(i)).collect()
    }

    fn topic(posts: Vec<DateTime<FixedOffset>>, listed: Option<&str>) -> TopicInput {
        TopicInput {
            term: "某话题".into(),
            posts,
            undated: 0,
            listed_at: listed.map(at),
            unlisted_at: listed.map(|l| at(l) - Duration::minutes(30)),
        }
    }

    const START: &str = "2026-08-15T00:05:00+08:00";

    #[test]
    fn a_spike_three_hours_before_the_listing_leads_by_three_hours() {
        let cfg = SpikeConfig::default();
        let mut posts = burst("2026-08-15T09:00:00+08:00", 12);
        posts.extend(burst("2026-08-15T12:30:00+08:00", 20));
        // The 5th post (09:00:04) makes the hour flag; listed at 12:00:04.
        let t = topic(posts, Some("2026-08-15T12:00:04+08:00"));
        let Outcome::Measured {
            detector, naive, ..
        } = evaluate(&t, at(START), &cfg)
        else {
            panic!("not measured")
        };
        let d = detector.unwrap();
        assert_eq!(d.at, at("2026-08-15T09:00:04+08:00"));
        assert_eq!(d.lead_minutes, 180);
        assert!(d.sure, "fired before the list half an hour earlier");
        assert_eq!(naive.unwrap().lead_minutes, 180);
    }

    #[test]
    fn from_a_silent_watch_the_first_jump_fires_both_methods_alike() {
        let cfg = SpikeConfig::default();
        // Six posts every hour for a day, on a term watched in silence before.
        let mut posts = Vec::new();
        for h in 0..24 {
            let from = at("2026-08-14T08:00:00+08:00") + Duration::hours(h);
            posts.extend((0..6).map(|i| from + Duration::minutes(i * 9)));
        }
        let t = topic(posts, Some("2026-08-15T07:30:00+08:00"));
        let Outcome::Measured {
            detector, naive, ..
        } = evaluate(&t, at(START), &cfg)
        else {
            panic!("not measured")
        };
        let (d, n) = (detector.unwrap(), naive.unwrap());
        assert_eq!(n.at, at("2026-08-14T08:36:00+08:00"));
        // From a watched-but-silent baseline the first 5 posts are a jump for both methods.
        assert_eq!(d.at, n.at);
    }

    #[test]
    fn censored_and_unmeasurable_topics_are_counted_not_measured() {
        let cfg = SpikeConfig::default();
        let s = at(START);
        let posts = burst("2026-08-15T09:00:00+08:00", 10);
        let cases = [
            (topic(posts.clone(), Some(START)), Unmeasured::ListedAtStart),
            (
                topic(posts.clone(), Some("2026-08-15T08:30:00+08:00")),
                Unmeasured::PostsAfterListing,
            ),
            (
                topic(Vec::new(), Some("2026-08-15T10:00:00+08:00")),
                Unmeasured::NoDatedPosts,
            ),
            (topic(posts, None), Unmeasured::NeverListed),
        ];
        for (t, why) in &cases {
            assert_eq!(evaluate(t, s, &cfg), Outcome::Unmeasured(*why));
        }
        let topics: Vec<TopicInput> = cases.into_iter().map(|(t, _)| t).collect();
        let sum = summarise(&topics, s, &cfg);
        assert_eq!((sum.topics, sum.measured), (4, 0));
        assert_eq!(sum.unmeasured.iter().map(|(_, n)| n).sum::<usize>(), 4);
        assert!(sum.detector.leads.is_empty());
    }

    #[test]
    fn too_few_posts_never_fire_and_late_spikes_count_as_after() {
        let cfg = SpikeConfig::default();
        let quiet = topic(
            burst("2026-08-15T09:00:00+08:00", 4),
            Some("2026-08-15T10:00:00+08:00"),
        );
        let mut late_posts = burst("2026-08-15T09:00:00+08:00", 1);
        late_posts.extend(burst("2026-08-15T11:00:00+08:00", 8));
        let late = topic(late_posts, Some("2026-08-15T10:00:00+08:00"));
        // Fired 10 minutes before the listing, after the list half an hour before it: a
        // lead, but not a sure one.
        let close = topic(
            burst("2026-08-15T09:50:00+08:00", 6),
            Some("2026-08-15T10:00:00+08:00"),
        );
        let c = summarise(std::slice::from_ref(&close), at(START), &cfg);
        assert_eq!((c.detector.before, c.detector.sure), (1, 0));
        assert_eq!(c.detector.leads, [9]);
        let sum = summarise(&[quiet, late], at(START), &cfg);
        assert_eq!(sum.measured, 2);
        assert_eq!(
            (sum.detector.before, sum.detector.after, sum.detector.never),
            (0, 1, 1)
        );
        assert_eq!(sum.detector.quantile(0.5), None);
    }

    #[test]
    fn quantiles_by_nearest_rank() {
        let m = MethodSummary {
            before: 4,
            leads: vec![10, 20, 30, 40],
            ..MethodSummary::default()
        };
        assert_eq!(m.quantile(0.25), Some(10));
        assert_eq!(m.quantile(0.5), Some(20));
        assert_eq!(m.quantile(0.75), Some(30));
        assert_eq!(hours(125), "2:05");
        assert_eq!(hours(-5), "-0:05");
    }
}
