//! What the brand view shows of one watched term (issue 20, point 5), computed from its
//! stored posts off the render path: volume (24 h and 7 d), tone counts with NSR and negative
//! share and their intervals (sentiment.md §6.3), the newest posts, the most negative ones,
//! the top authors. Posts are scored once, when they arrive ([`ScoredPost::score`]).

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset};

use super::mentions::{SpikeConfig, hourly_counts, spikes};
use crate::domain::normalize::normalize_text;
use crate::domain::watch::{WatchPost, WatchTerm};
use crate::sentiment::{Label, Scorer, Text, eval::wilson};

/// Newest posts kept in a summary (the view scrolls through them).
pub const NEWEST: usize = 60;
/// Most negative posts kept.
pub const MOST_NEGATIVE: usize = 5;
/// Top authors kept.
pub const TOP_AUTHORS: usize = 5;
/// Below this many polar posts (P + N) the NSR is shown greyed: its interval is too wide to
/// read a direction into (sentiment.md §6.3, a choice).
pub const NSR_MIN_POLAR: u32 = 30;

/// A watched post with its sentiment.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredPost {
    pub post: WatchPost,
    pub label: Label,
    /// In (−1, 1).
    pub score: f32,
    /// The words and emoticons that drove the score.
    pub why: Vec<String>,
}

impl ScoredPost {
    pub fn score(post: WatchPost, scorer: &Scorer) -> ScoredPost {
        let s = scorer.score(&Text::line(&post.text));
        ScoredPost {
            post,
            label: s.label,
            score: s.score,
            why: s.why,
        }
    }

    /// Reposts + comments + likes: how far it reached.
    pub fn reach(&self) -> u64 {
        let p = &self.post;
        [p.reposts, p.comments, p.likes]
            .iter()
            .map(|c| c.unwrap_or(0))
            .fold(0u64, u64::saturating_add)
    }
}

/// Tone counts of a set of posts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tone {
    pub pos: u32,
    pub neu: u32,
    pub neg: u32,
}

impl Tone {
    pub fn add(&mut self, l: Label) {
        match l {
            Label::Pos => self.pos += 1,
            Label::Neu => self.neu += 1,
            Label::Neg => self.neg += 1,
        }
    }

    pub fn of<'a>(labels: impl IntoIterator<Item = &'a Label>) -> Tone {
        let mut t = Tone::default();
        for l in labels {
            t.add(*l);
        }
        t
    }

    pub fn total(&self) -> u32 {
        self.pos + self.neu + self.neg
    }

    pub fn polar(&self) -> u32 {
        self.pos + self.neg
    }

    /// NSR = (P − N) / (P + N), neutral excluded; `None` without polar posts.
    pub fn nsr(&self) -> Option<f64> {
        let d = self.polar();
        (d > 0).then(|| (self.pos as f64 - self.neg as f64) / d as f64)
    }

    /// 95 % interval of the NSR: the Wilson interval of P / (P + N), mapped by 2p − 1.
    pub fn nsr_interval(&self) -> Option<(f64, f64)> {
        let d = self.polar();
        (d > 0).then(|| {
            let (lo, hi) = wilson(self.pos as usize, d as usize);
            (2.0 * lo - 1.0, 2.0 * hi - 1.0)
        })
    }

    /// Enough polar posts for the NSR to be read ([`NSR_MIN_POLAR`]).
    pub fn nsr_readable(&self) -> bool {
        self.polar() >= NSR_MIN_POLAR
    }

    /// Negative share N / (P + N + U) with its Wilson interval; `None` without posts.
    pub fn neg_share(&self) -> Option<(f64, (f64, f64))> {
        let n = self.total();
        (n > 0).then(|| {
            (
                self.neg as f64 / n as f64,
                wilson(self.neg as usize, n as usize),
            )
        })
    }
}

/// An author of the term's posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub name: String,
    pub posts: u32,
    pub followers: Option<u64>,
    pub verified_type: Option<i64>,
    /// Reach of their posts (reposts + comments + likes).
    pub reach: u64,
}

/// One term's brand view, as of `until`.
#[derive(Debug, Clone, PartialEq)]
pub struct TermSummary {
    pub term: String,
    pub until: DateTime<FixedOffset>,
    /// Posts per hour, the last 24 hours (oldest first; the last is the hour in progress).
    pub hourly_24h: Vec<u32>,
    /// Posts per hour, the last 7 days (the view rebins it to its width).
    pub hourly_7d: Vec<u32>,
    pub total_24h: u32,
    pub total_7d: u32,
    pub tone_24h: Tone,
    pub tone_7d: Tone,
    /// Newest first (by creation time), at most [`NEWEST`], the last 7 days.
    pub newest: Vec<ScoredPost>,
    /// The last 24 h's negative posts, most negative score first, then widest reach.
    pub most_negative: Vec<ScoredPost>,
    /// The last 7 days' authors with most posts (then reach).
    pub top_authors: Vec<Author>,
    /// Hours of `hourly_7d` the spike detector flags (the alerts' detector, run over the
    /// week as it would have run live), for marks on the sparklines.
    pub spike_hours: Vec<usize>,
}

/// Does `post` mention `term` (its name or an alias, in the matching form)? A post found
/// for one term is counted for every term it mentions.
pub fn mentions(term: &WatchTerm, post: &WatchPost) -> bool {
    if post.term == term.name {
        return true;
    }
    let text = normalize_text(&post.text);
    term.queries()
        .iter()
        .map(|q| normalize_text(q))
        .any(|q| !q.is_empty() && text.contains(&q))
        && !term.excludes(&post.text)
}

/// The summary of `term` from `posts` (any order; a post counted once per id).
pub fn summarize(
    term: &str,
    posts: &[&ScoredPost],
    until: DateTime<FixedOffset>,
    spike: &SpikeConfig,
) -> TermSummary {
    let week = until - Duration::days(7);
    let day = until - Duration::hours(24);
    let in_span = |p: &&ScoredPost, from: DateTime<FixedOffset>| {
        p.post.created_at.is_some_and(|t| t > from && t <= until)
    };
    let mut week_posts: Vec<&ScoredPost> =
        posts.iter().copied().filter(|p| in_span(p, week)).collect();
    week_posts.sort_by(|a, b| {
        b.post
            .created_at
            .cmp(&a.post.created_at)
            .then_with(|| b.post.id.cmp(&a.post.id))
    });
    let day_posts: Vec<&ScoredPost> = week_posts
        .iter()
        .copied()
        .filter(|p| in_span(p, day))
        .collect();

    let mut most_negative: Vec<&ScoredPost> = day_posts
        .iter()
        .copied()
        .filter(|p| p.label == Label::Neg)
        .collect();
    most_negative.sort_by(|a, b| {
        a.score
            .total_cmp(&b.score)
            .then_with(|| b.reach().cmp(&a.reach()))
    });
    most_negative.truncate(MOST_NEGATIVE);

    let mut authors: HashMap<&str, Author> = HashMap::new();
    for p in &week_posts {
        let a = authors
            .entry(p.post.author.as_str())
            .or_insert_with(|| Author {
                name: p.post.author.clone(),
                posts: 0,
                followers: None,
                verified_type: None,
                reach: 0,
            });
        a.posts += 1;
        a.reach = a.reach.saturating_add(p.reach());
        a.followers = a.followers.max(p.post.followers);
        a.verified_type = a.verified_type.or(p.post.verified_type);
    }
    let mut top_authors: Vec<Author> = authors
        .into_values()
        .filter(|a| !a.name.is_empty())
        .collect();
    top_authors.sort_by(|a, b| {
        b.posts
            .cmp(&a.posts)
            .then_with(|| b.reach.cmp(&a.reach))
            .then_with(|| a.name.cmp(&b.name))
    });
    top_authors.truncate(TOP_AUTHORS);

    let hourly_24h = hourly_counts(day_posts.iter().map(|p| &p.post), until, 24);
    let hourly_7d = hourly_counts(week_posts.iter().map(|p| &p.post), until, 24 * 7);
    let spike_hours = spikes(&hourly_7d, spike)
        .iter()
        .filter_map(|s| usize::try_from(s.hour_index).ok())
        .collect();
    TermSummary {
        spike_hours,
        term: term.to_string(),
        until,
        total_24h: day_posts.len() as u32,
        total_7d: week_posts.len() as u32,
        hourly_24h,
        hourly_7d,
        tone_24h: Tone::of(day_posts.iter().map(|p| &p.label)),
        tone_7d: Tone::of(week_posts.iter().map(|p| &p.label)),
        newest: week_posts
            .iter()
            .take(NEWEST)
            .map(|p| (*p).clone())
            .collect(),
        most_negative: most_negative.into_iter().cloned().collect(),
        top_authors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Platform;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn post(id: &str, author: &str, created: &str, text: &str, likes: u64) -> WatchPost {
        let seen = at("2026-08-15T12:00:00+08:00");
        WatchPost {
            likes: Some(likes),
            ..WatchPost::new(
                Platform::Weibo,
                id,
                "胖东来",
                author,
                Some(at(created)),
                text,
                seen,
            )
        }
    }

    #[test]
    fn nsr_and_negative_share_with_intervals() {
        let t = Tone {
            pos: 30,
            neu: 50,
            neg: 10,
        };
        assert!((t.nsr().unwrap() - 0.5).abs() < 1e-9);
        let (lo, hi) = t.nsr_interval().unwrap();
        assert!(lo < 0.5 && 0.5 < hi && lo > -1.0 && hi < 1.0, "{lo} {hi}");
        let (share, (slo, shi)) = t.neg_share().unwrap();
        assert!((share - 10.0 / 90.0).abs() < 1e-9);
        assert!(slo < share && share < shi);
        assert!(t.nsr_readable());
        let thin = Tone {
            pos: 3,
            neu: 0,
            neg: 1,
        };
        assert!(!thin.nsr_readable());
        assert_eq!(Tone::default().nsr(), None);
        assert_eq!(Tone::default().neg_share(), None);
    }

    #[test]
    fn summary_counts_windows_orders_and_picks_the_most_negative() {
        let scorer = Scorer::new();
        let until = at("2026-08-15T12:30:00+08:00");
        let raw = [
            post(
                "1",
                "甲",
                "2026-08-15T12:10:00+08:00",
                "胖东来服务太好了，点赞",
                5,
            ),
            post(
                "2",
                "乙",
                "2026-08-15T11:10:00+08:00",
                "胖东来太坑了，垃圾，失望",
                50,
            ),
            post(
                "3",
                "乙",
                "2026-08-15T10:10:00+08:00",
                "胖东来太坑了，垃圾，失望",
                500,
            ),
            post("4", "丙", "2026-08-12T10:10:00+08:00", "胖东来开门了", 1),
            post("5", "丁", "2026-08-01T10:10:00+08:00", "胖东来很差", 1), // older than 7 d
            post("6", "戊", "2026-08-15T13:10:00+08:00", "胖东来很差", 1), // after `until`
        ];
        let scored: Vec<ScoredPost> = raw
            .into_iter()
            .map(|p| ScoredPost::score(p, &scorer))
            .collect();
        let refs: Vec<&ScoredPost> = scored.iter().collect();
        let s = summarize("胖东来", &refs, until, &SpikeConfig::default());
        assert!(s.spike_hours.is_empty(), "a handful of posts is no spike");
        assert_eq!(s.total_24h, 3);
        assert_eq!(s.total_7d, 4);
        assert_eq!(s.hourly_24h.len(), 24);
        assert_eq!(s.hourly_24h[23], 1);
        assert_eq!(s.hourly_24h[22], 1);
        assert_eq!(s.hourly_7d.iter().sum::<u32>(), 4);
        let ids: Vec<&str> = s.newest.iter().map(|p| p.post.id.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3", "4"]);
        assert_eq!(s.tone_24h.total(), 3);
        assert_eq!(s.tone_24h.neg, 2, "{:?}", s.newest);
        // Equal scores: the wider reach first.
        let neg: Vec<&str> = s.most_negative.iter().map(|p| p.post.id.as_str()).collect();
        assert_eq!(neg, ["3", "2"]);
        assert_eq!(s.top_authors[0].name, "乙");
        assert_eq!(s.top_authors[0].posts, 2);
        assert_eq!(s.top_authors[0].reach, 550);
    }

    #[test]
    fn a_post_counts_for_every_term_it_mentions_but_not_an_excluded_one() {
        let p = post(
            "1",
            "甲",
            "2026-08-15T12:10:00+08:00",
            "胖东来和旺旺都来了",
            0,
        );
        let mut ww = WatchTerm::named("旺旺");
        assert!(mentions(&ww, &p));
        ww.exclude = vec!["都来了".into()];
        assert!(!mentions(&ww, &p));
        assert!(!mentions(&WatchTerm::named("小米"), &p));
    }
}
