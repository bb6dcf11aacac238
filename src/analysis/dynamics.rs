//! List dynamics: what the sequence of one platform's lists says about single rows. Three
//! kinds of *candidates* — rows for a person to look at, never proof of anything:
//!
//! - **withdrawn**: a row of the top [`DynamicsConfig::top_n`], hot for its list, is gone at
//!   the next poll (a possible 撤热搜). Only two consecutive successful polls count (a failed
//!   or late poll is a gap, not a disappearance), and exits are discounted when many top rows
//!   left at once (a reshuffle), when the row was low in heat for its list, commercial (商),
//!   placed (anchored when it left, or a newcomer took its exact place: a slot that rotates),
//!   already fading, seemingly reworded (a newcomer with a similar title), or had left and come
//!   back before (a rotating row);
//! - **anchored**: a row held at one rank of the top N for many polls while most of the rows
//!   around it moved (placed rows: Weibo's 3rd and 4th places on the 2026-08-15 lists);
//! - **label step**: Weibo's label went up 新 → 热 → 沸 → 爆 (data-sources.md §2: 新 for a
//!   new term, then 热, 沸, 爆 with growing heat; 商 and unlabelled rows are no step), with
//!   the time of each label.
//!
//! [`Dynamics`] is fed every successful poll (the analysis worker does, `engine.rs`) and
//! answers with the poll's candidates and the topics marked now, in O(list) per poll.
//! [`topic_candidates`] reads one topic's stored points for the `H` pane; [`run_lines`]
//! replays snapshot files for `resou dynamics`.

use std::collections::VecDeque;
use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset};
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::domain::num::format_heat;
use crate::domain::snapshot_file::SnapshotLine;
use crate::domain::{Label, Platform, Snapshot, TopicKey};

type At = DateTime<FixedOffset>;

/// Thresholds of the three kinds. The defaults were set on the two archive days of the demo
/// (hourly and ~30-minute Weibo lists with heat, eleven ~30-minute rank-only lists); live
/// polling every minute sees shorter events than those lists can.
#[derive(Debug, Clone, PartialEq)]
pub struct DynamicsConfig {
    /// Ranks watched for withdrawals and anchoring: 1..=`top_n`. Default 10.
    pub top_n: u32,
    /// Lists with heat: a leaving row is hot when its heat is at least this multiple of the
    /// list's median heat (a low-heat row in a high place is placed, not popular). Lists
    /// without heat rely on the rank alone. Default 1.5.
    pub hot_ratio: f64,
    /// Two polls are consecutive when the second comes at most this multiple of the platform's
    /// usual spacing (the median of its last gaps) after the first; a longer gap hides a failed
    /// or missed poll. Default 1.5.
    pub gap_factor: f64,
    /// A reshuffle: at least this share of the previous top N left at once (two rows at
    /// least); its exits are no candidates. Default 0.3 (3 of the top 10).
    pub reshuffle_share: f64,
    /// A list shorter than this share of the previous one is not compared with it (a
    /// truncated answer, or another endpoint of the fallback chain). Default 0.8.
    pub min_len_share: f64,
    /// Fading, not pulled: within `decline_window_min` the row had lost this share of its peak
    /// heat... Default 0.3.
    pub decline_heat_loss: f64,
    /// ...or this many places from its best rank. Default 4.
    pub decline_places: u32,
    /// Minutes of a row's past the decline looks at. Default 120.
    pub decline_window_min: i64,
    /// A newcomer whose title shares at least this Dice coefficient of character pairs with
    /// the leaving row is the same topic reworded. Default 0.5.
    pub rename_similarity: f64,
    /// Anchored: the same rank for at least this many consecutive polls... Default 4.
    pub anchor_polls: u32,
    /// ...spanning at least this many minutes (live polls come every minute)... Default 60.
    pub anchor_min_minutes: i64,
    /// ...while on average at least this share of the other top-N rows changed rank (or were
    /// new) at each poll, against the list `anchor_compare_min` before. Default 0.5.
    pub anchor_moved_share: f64,
    /// Movement is measured against the newest list at least this many minutes older, so that
    /// it means the same whether polls come every minute or every half hour. Default 20.
    pub anchor_compare_min: i64,
    /// Lists with heat: rank 1 is not anchored while its heat leads rank 2's by this factor
    /// (a clear leader holds the top by heat). Lists without heat: rank 1 is never anchored
    /// (the day's biggest story stays on top; without heat that cannot be told from a
    /// placement). Default 1.2.
    pub leader_margin: f64,
    /// Minutes a withdrawal (while the row stays gone) or a label step (while the row is
    /// listed) stays marked. Default 120.
    pub mark_minutes: i64,
}

impl Default for DynamicsConfig {
    fn default() -> Self {
        DynamicsConfig {
            top_n: 10,
            hot_ratio: 1.5,
            gap_factor: 1.5,
            reshuffle_share: 0.3,
            min_len_share: 0.8,
            decline_heat_loss: 0.3,
            decline_places: 4,
            decline_window_min: 120,
            rename_similarity: 0.5,
            anchor_polls: 4,
            anchor_min_minutes: 60,
            anchor_moved_share: 0.5,
            anchor_compare_min: 20,
            leader_margin: 1.2,
            mark_minutes: 120,
        }
    }
}

/// The kind of a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Withdrawn,
    Anchored,
    LabelStep,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Withdrawn, Kind::Anchored, Kind::LabelStep];

    /// The name in JSON and tables.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Withdrawn => "withdrawn",
            Kind::Anchored => "anchored",
            Kind::LabelStep => "label_step",
        }
    }
}

/// A label step: the earlier label and the new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LabelStep {
    pub from: Label,
    pub to: Label,
}

/// One candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub platform: Platform,
    pub kind: Kind,
    /// Serialised as the normalised title.
    #[serde(serialize_with = "key_norm")]
    pub key: TopicKey,
    pub title: String,
    /// Withdrawn: the first poll without the row; anchored: the poll that completed the hold
    /// (marks: the latest poll); label step: the poll that showed the new label.
    pub at: At,
    /// Withdrawn: the last poll with the row; anchored: held since; label step: since when
    /// the earlier label was shown.
    pub since: At,
    /// Withdrawn: the rank it left from; anchored: the rank held; label step: its rank then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heat: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<LabelStep>,
    /// Withdrawn: when the row was back on the list (known only later: see
    /// [`PollDynamics::returned`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returned: Option<At>,
    /// What the lists showed, in words.
    pub evidence: String,
}

fn key_norm<S: serde::Serializer>(k: &TopicKey, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&k.norm)
}

/// What one poll brought.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PollDynamics {
    /// Candidates of this poll.
    pub candidates: Vec<Candidate>,
    /// Topics of this platform marked now: anchored rows of the list (their hold so far),
    /// withdrawals of the last `mark_minutes` whose row is still gone, label steps of the last
    /// `mark_minutes` of rows still listed.
    pub marked: Vec<Candidate>,
    /// Earlier withdrawal candidates whose row is back in this poll (`returned` set).
    pub returned: Vec<Candidate>,
}

impl PollDynamics {
    /// The marks of one topic (for a badge).
    pub fn marks_of(&self, key: &TopicKey) -> Vec<&Candidate> {
        self.marked.iter().filter(|c| &c.key == key).collect()
    }
}

/// Why top rows that left were or were not candidates, per platform.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DynamicsStats {
    pub polls: u32,
    /// Pairs of polls compared: consecutive, and the later list not much shorter.
    pub compared: u32,
    /// Pairs not compared: a gap (a failed, missed or late poll)...
    pub gaps: u32,
    /// ...or a much shorter list.
    pub short_lists: u32,
    /// Compared pairs where too many top rows left at once.
    pub reshuffles: u32,
    /// Top-N rows gone at the next compared poll; of those, discounted:
    pub left_top: u32,
    /// in a reshuffle,
    pub in_reshuffle: u32,
    /// heat low for the list,
    pub cool: u32,
    /// commercial (商),
    pub commercial: u32,
    /// placed: anchored when it left, or a newcomer took its exact place,
    pub placed: u32,
    /// fading before they left,
    pub declining: u32,
    /// a newcomer with a similar title,
    pub renamed: u32,
    /// had left and come back before.
    pub rotating: u32,
}

/// One observation of a topic: a poll time and where it stood (`rank` `None`: pinned). What
/// the store's `HistoryPoint` holds; the app converts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub at: At,
    pub rank: Option<u32>,
    pub heat: Option<u64>,
}

/// Recent gaps a platform's spacing is judged on.
const SPACING_GAPS: usize = 9;

/// A platform's recent poll spacing, to tell the next poll from a late one.
#[derive(Debug, Clone, Default)]
struct Spacing {
    gaps: VecDeque<i64>,
}

impl Spacing {
    /// Record a gap; is it a step to the next poll (at most `factor` × the median of the recent
    /// gaps, this one included — so a platform whose interval changes is followed)?
    fn step(&mut self, secs: i64, factor: f64) -> bool {
        if self.gaps.len() == SPACING_GAPS {
            self.gaps.pop_front();
        }
        self.gaps.push_back(secs);
        let mut v: Vec<i64> = self.gaps.iter().copied().collect();
        v.sort_unstable();
        let median = v[(v.len() - 1) / 2];
        secs > 0 && secs as f64 <= factor * median as f64
    }
}

/// Most points a trail keeps (the window usually bounds it first).
const TRAIL_CAP: usize = 64;

/// A row's current stay on the list: its recent points (within the decline window) and since
/// when it has been listed.
#[derive(Debug, Clone, Default)]
struct Trail {
    points: VecDeque<Point>,
    since: Option<At>,
    polls: u32,
}

impl Trail {
    fn push(&mut self, p: Point, window_min: i64) {
        if self.since.is_none() {
            self.since = Some(p.at);
        }
        self.polls += 1;
        // Room is made before the push, so a long stay's buffer stays at TRAIL_CAP points
        // instead of doubling past it (hundreds of listed rows hold one each).
        if self.points.len() >= TRAIL_CAP {
            self.points.pop_front();
        }
        self.points.push_back(p);
        let from = p.at - chrono::Duration::minutes(window_min);
        while self.points.len() > 1 && self.points.front().is_some_and(|q| q.at < from) {
            self.points.pop_front();
        }
    }

    fn clear(&mut self) {
        *self = Trail::default();
    }

    fn last(&self) -> Option<&Point> {
        self.points.back()
    }

    fn best_rank(&self) -> Option<u32> {
        self.points.iter().filter_map(|p| p.rank).min()
    }

    /// Had the row been fading within the window? Why, when it had.
    fn declining(&self, cfg: &DynamicsConfig) -> Option<String> {
        let last = self.last()?;
        let peak = self.points.iter().filter_map(|p| p.heat).max();
        if let (Some(h), Some(peak)) = (last.heat, peak)
            && (h as f64) < (1.0 - cfg.decline_heat_loss) * peak as f64
        {
            return Some(format!(
                "heat down from {} to {}",
                format_heat(peak),
                format_heat(h)
            ));
        }
        match (last.rank, self.best_rank()) {
            (Some(r), Some(best)) if r >= best + cfg.decline_places => {
                Some(format!("down from #{best} to #{r}"))
            }
            _ => None,
        }
    }

    /// The last moves in words: heat when the last two points have it, else the rank.
    fn trend(&self) -> String {
        let pts: Vec<&Point> = self.points.iter().collect();
        if pts.len() < 2 {
            return "first seen at the poll before".into();
        }
        let by_heat = pts[pts.len() - 2..].iter().all(|p| p.heat.is_some());
        // Higher is better: heat, or minus the rank.
        let value = |p: &Point| -> Option<i64> {
            if by_heat {
                p.heat.map(|h| h as i64)
            } else {
                p.rank.map(|r| -i64::from(r))
            }
        };
        let what = if by_heat { "heat" } else { "rank" };
        let run = |up: bool| {
            pts.windows(2)
                .rev()
                .take_while(|w| match (value(w[0]), value(w[1])) {
                    (Some(a), Some(b)) => (b > a) == up && b != a,
                    _ => false,
                })
                .count()
        };
        let (up, down) = (run(true), run(false));
        if up > 0 {
            format!("{what} rising over the last {up} poll{}", plural(up))
        } else if down > 0 {
            format!("{what} falling over the last {down} poll{}", plural(down))
        } else {
            format!("{what} steady at the last poll")
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A row's hold on one rank of the top N.
#[derive(Debug, Clone, Default)]
struct Hold {
    rank: u32,
    since: Option<At>,
    polls: u32,
    /// Sum over the hold's steps of the share of the other top rows that moved.
    moved: f64,
    /// Steps whose movement is known (a topic's stored history does not know it).
    measured: u32,
    announced: bool,
}

impl Hold {
    /// Another poll at `rank`: `kept` when the previous poll was consecutive and had it there;
    /// `moved`, the share of the other top rows that moved at this step (when known).
    fn step(&mut self, rank: u32, at: At, kept: bool, moved: Option<f64>) {
        if kept && self.rank == rank && self.since.is_some() {
            self.polls += 1;
            if let Some(m) = moved {
                self.moved += m;
                self.measured += 1;
            }
        } else {
            *self = Hold {
                rank,
                since: Some(at),
                polls: 1,
                ..Hold::default()
            };
        }
    }

    fn mean_moved(&self) -> Option<f64> {
        (self.measured > 0).then(|| self.moved / f64::from(self.measured))
    }

    /// Long enough, and the rows around it moved enough (`measured`: a topic's stored history
    /// cannot tell, and then length alone decides).
    fn anchored(&self, at: At, cfg: &DynamicsConfig, measured: bool) -> bool {
        let Some(since) = self.since else {
            return false;
        };
        let moved = match self.mean_moved() {
            Some(m) => m >= cfg.anchor_moved_share,
            None => !measured,
        };
        self.polls >= cfg.anchor_polls
            && (at - since).num_minutes() >= cfg.anchor_min_minutes
            && moved
    }
}

/// What a platform remembers of one topic.
#[derive(Debug, Clone)]
struct TopicTrack {
    title: String,
    trail: Trail,
    hold: Hold,
    /// The highest of 新 < 热 < 沸 < 爆 shown so far, and since when.
    label: Option<(Label, At)>,
    /// The last poll (number) and time the row was listed.
    seen: u64,
    seen_at: At,
    /// Its withdrawal candidate while the row is gone.
    withdrawn: Option<Box<Candidate>>,
    /// It left as a candidate and came back: a rotating placed row, not withdrawn.
    came_back: bool,
}

/// 新 < 热 < 沸 < 爆; 0 for no step label (none, 商).
fn level(l: Label) -> u8 {
    match l {
        Label::New => 1,
        Label::Hot => 2,
        Label::Boiling => 3,
        Label::Explosive => 4,
        Label::None | Label::Commercial => 0,
    }
}

/// A ranked row of the previous poll.
#[derive(Debug, Clone)]
struct Row {
    key: TopicKey,
    rank: u32,
    heat: Option<u64>,
    label: Label,
}

/// Most recent top lists kept for movement: 21 minutes of the fastest polling (5 s); faster
/// polls find no reference and measure no movement.
const TOPS_CAP: usize = 256;
/// Topics unseen this long are forgotten (labels and came-back flags included).
const FORGET_MIN: i64 = 24 * 60;
/// A replay that jumps back more than this starts a new timeline (the demo loops its day);
/// less is a list out of order, shown but not counted.
const REWIND_MIN: i64 = 6 * 60;

/// One platform's tracker.
#[derive(Debug, Clone)]
pub struct PlatformDynamics {
    platform: Platform,
    cfg: DynamicsConfig,
    last_at: Option<At>,
    spacing: Spacing,
    /// Polls taken (numbers the polls for `TopicTrack::seen`).
    poll: u64,
    /// The previous list's ranked rows (top N first) and its length.
    prev_top: Vec<Row>,
    prev_len: usize,
    /// Every key of the previous list → its rank (0: pinned).
    prev_keys: FxHashMap<TopicKey, u32>,
    /// The previous list's median heat, when most of its rows have heat.
    prev_median: Option<u64>,
    /// Recent lists' top N (time, key → rank), oldest first: the newest one at least
    /// `anchor_compare_min` old and every later one.
    tops: VecDeque<(At, Vec<(TopicKey, u32)>)>,
    topics: FxHashMap<TopicKey, TopicTrack>,
    /// Withdrawals and label steps still within the mark window.
    recent: Vec<Candidate>,
    /// Topic count above which the map is pruned next (amortised O(1) a row).
    prune_at: usize,
    stats: DynamicsStats,
}

impl PlatformDynamics {
    pub fn new(platform: Platform, cfg: DynamicsConfig) -> PlatformDynamics {
        PlatformDynamics {
            platform,
            cfg,
            last_at: None,
            spacing: Spacing::default(),
            poll: 0,
            prev_top: Vec::new(),
            prev_len: 0,
            prev_keys: FxHashMap::default(),
            prev_median: None,
            tops: VecDeque::new(),
            topics: FxHashMap::default(),
            recent: Vec::new(),
            prune_at: 256,
            stats: DynamicsStats::default(),
        }
    }

    pub fn stats(&self) -> DynamicsStats {
        self.stats
    }

    /// Take one successful poll of this platform. A poll at the time of the last one (the
    /// same list again) or a little before it brings no candidates, only the marks.
    pub fn observe(&mut self, snap: &Snapshot) -> PollDynamics {
        let t = snap.captured_at;
        if let Some(l) = self.last_at
            && t <= l
        {
            if (l - t).num_minutes() <= REWIND_MIN {
                return PollDynamics {
                    marked: self.marked(t),
                    ..PollDynamics::default()
                };
            }
            *self = PlatformDynamics::new(self.platform, self.cfg.clone());
        }
        let cfg = self.cfg.clone();
        self.stats.polls += 1;
        self.poll += 1;
        let consecutive = match self.last_at {
            Some(l) => self.spacing.step((t - l).num_seconds(), cfg.gap_factor),
            None => false,
        };
        let comparable =
            consecutive && snap.ranked.len() as f64 >= cfg.min_len_share * self.prev_len as f64;
        if self.last_at.is_some() {
            match (consecutive, comparable) {
                (false, _) => self.stats.gaps += 1,
                (true, false) => self.stats.short_lists += 1,
                (true, true) => self.stats.compared += 1,
            }
        }
        let mut now: FxHashMap<TopicKey, u32> = FxHashMap::default();
        let mut rows: Vec<Row> = Vec::with_capacity(snap.ranked.len());
        for (i, topic) in snap.ranked.iter().enumerate() {
            // ok: a list has far fewer than u32::MAX rows
            let rank = topic.rank.unwrap_or(i as u32 + 1);
            let key = topic.key();
            now.insert(key.clone(), rank);
            rows.push(Row {
                key,
                rank,
                heat: topic.heat,
                label: topic.label,
            });
        }
        for topic in &snap.pinned {
            now.entry(topic.key()).or_insert(0);
        }

        let mut out = PollDynamics::default();
        if comparable {
            self.withdrawals(&now, &rows, t, &mut out.candidates);
        }

        // Rows that kept their rank since the previous poll (when compared) hold it; top rows
        // that moved against the reference list (see `anchor_compare_min`) count as movement.
        let n_top = rows.iter().filter(|r| r.rank <= cfg.top_n).count();
        let kept: Vec<bool> = rows
            .iter()
            .map(|r| comparable && self.prev_keys.get(&r.key) == Some(&r.rank))
            .collect();
        let from = t - chrono::Duration::minutes(cfg.anchor_compare_min);
        let reference = self.tops.iter().rev().find(|(at, _)| *at <= from);
        let moved: Vec<bool> = rows
            .iter()
            .map(|r| {
                reference
                    .is_some_and(|(_, top)| !top.iter().any(|(k, n)| *k == r.key && *n == r.rank))
            })
            .collect();
        let changed = rows
            .iter()
            .zip(&moved)
            .filter(|(r, m)| r.rank <= cfg.top_n && **m)
            .count();
        let median = median_heat(&rows);
        let leader = self.clear_leader(&rows, median.is_some());
        for (((row, topic), kept), own) in rows.iter().zip(&snap.ranked).zip(kept).zip(moved) {
            let track = self
                .topics
                .entry(row.key.clone())
                .or_insert_with(|| TopicTrack {
                    title: topic.title.as_str().to_string(),
                    trail: Trail::default(),
                    hold: Hold::default(),
                    label: None,
                    seen: 0,
                    seen_at: t,
                    withdrawn: None,
                    came_back: false,
                });
            if let Some(c) = track.withdrawn.take() {
                track.came_back = true;
                out.returned.push(Candidate {
                    returned: Some(t),
                    ..*c
                });
            }
            if track.seen + 1 != self.poll {
                track.trail.clear();
            }
            track.trail.push(
                Point {
                    at: t,
                    rank: Some(row.rank),
                    heat: row.heat,
                },
                cfg.decline_window_min,
            );
            if row.rank <= cfg.top_n {
                // The share of the *other* top rows that moved.
                let others = n_top.saturating_sub(1).max(1) as f64;
                let share = (changed - usize::from(own)) as f64 / others;
                track
                    .hold
                    .step(row.rank, t, kept, reference.is_some().then_some(share));
                let is_leader = leader.is_some_and(|k| k == &row.key);
                if !track.hold.announced && !is_leader && track.hold.anchored(t, &cfg, true) {
                    track.hold.announced = true;
                    out.candidates
                        .push(anchored(self.platform, &row.key, track, t, &cfg));
                }
            } else {
                track.hold = Hold::default();
            }
            out.candidates
                .extend(label_step(self.platform, row, track, t));
            track.seen = self.poll;
            track.seen_at = t;
            track.title = topic.title.as_str().to_string();
        }

        self.prev_median = median;
        // The top of this list, for later movement (kept while it may still be a reference).
        let top: Vec<(TopicKey, u32)> = rows
            .iter()
            .filter(|r| r.rank <= cfg.top_n)
            .map(|r| (r.key.clone(), r.rank))
            .collect();
        self.tops.push_back((t, top));
        while self.tops.len() > TOPS_CAP || self.tops.get(1).is_some_and(|(at, _)| *at <= from) {
            self.tops.pop_front();
        }
        self.prev_len = rows.len();
        rows.truncate(rows.partition_point(|r| r.rank <= cfg.top_n));
        self.prev_top = rows;
        self.prev_keys = now;
        self.last_at = Some(t);
        let window = chrono::Duration::minutes(cfg.mark_minutes);
        self.recent.retain(|c| t - c.at <= window);
        self.recent.extend(
            out.candidates
                .iter()
                .filter(|c| c.kind != Kind::Anchored)
                .cloned(),
        );
        self.prune(t);
        out.marked = self.marked(t);
        out
    }

    /// Exits of the previous top N, judged (the previous list and trails are still as of it).
    fn withdrawals(
        &mut self,
        now: &FxHashMap<TopicKey, u32>,
        rows: &[Row],
        t: At,
        out: &mut Vec<Candidate>,
    ) {
        let cfg = &self.cfg;
        let left: Vec<&Row> = self
            .prev_top
            .iter()
            .filter(|r| !now.contains_key(&r.key))
            .collect();
        if left.is_empty() {
            return;
        }
        let s = &mut self.stats;
        s.left_top += left.len() as u32;
        if left.len() >= 2 && left.len() as f64 >= cfg.reshuffle_share * self.prev_top.len() as f64
        {
            s.reshuffles += 1;
            s.in_reshuffle += left.len() as u32;
            return;
        }
        let newcomers: Vec<&Row> = rows
            .iter()
            .filter(|r| !self.prev_keys.contains_key(&r.key))
            .collect();
        let Some(last) = self.last_at else { return };
        for row in left {
            let Some(track) = self.topics.get_mut(&row.key) else {
                continue;
            };
            let ratio = match (row.heat, self.prev_median) {
                (Some(h), Some(m)) if m > 0 => Some(h as f64 / m as f64),
                _ => None,
            };
            if ratio.is_some_and(|r| r < cfg.hot_ratio) {
                s.cool += 1;
                continue;
            }
            if row.label == Label::Commercial {
                s.commercial += 1;
                continue;
            }
            if track.hold.announced || newcomers.iter().any(|n| n.rank == row.rank) {
                s.placed += 1;
                continue;
            }
            if track.trail.declining(cfg).is_some() {
                s.declining += 1;
                continue;
            }
            if newcomers
                .iter()
                .any(|n| similarity(&n.key.norm, &row.key.norm) >= cfg.rename_similarity)
            {
                s.renamed += 1;
                continue;
            }
            if track.came_back {
                s.rotating += 1;
                continue;
            }
            let heat_words = match (row.heat, ratio, self.prev_median) {
                (Some(h), Some(r), _) => {
                    format!(" at {} heat ({r:.1}× the list median)", format_heat(h))
                }
                (None, _, Some(_)) => " (its row showed no heat)".into(),
                _ => " (a list without heat)".into(),
            };
            let c = Candidate {
                platform: self.platform,
                kind: Kind::Withdrawn,
                key: row.key.clone(),
                title: track.title.clone(),
                at: t,
                since: last,
                rank: Some(row.rank),
                heat: row.heat,
                step: None,
                returned: None,
                evidence: withdrawn_words(row.rank, &heat_words, &track.trail, last, t),
            };
            track.withdrawn = Some(Box::new(c.clone()));
            out.push(c);
        }
    }

    /// Rank 1 when it holds the top by heat (or the list has none): never anchored.
    fn clear_leader<'a>(&self, rows: &'a [Row], heat: bool) -> Option<&'a TopicKey> {
        match rows {
            [a, ..] if !heat => Some(&a.key),
            [a, b, ..] => match (a.heat, b.heat) {
                (Some(x), Some(y)) if x as f64 >= self.cfg.leader_margin * y as f64 => Some(&a.key),
                _ => None,
            },
            _ => None,
        }
    }

    /// The topics marked as of `t` (see [`PollDynamics::marked`]).
    pub fn marked(&self, t: At) -> Vec<Candidate> {
        let mut out: Vec<Candidate> = self
            .prev_top
            .iter()
            .filter_map(|r| {
                let track = self.topics.get(&r.key)?;
                track
                    .hold
                    .announced
                    .then(|| anchored(self.platform, &r.key, track, t, &self.cfg))
            })
            .collect();
        let window = chrono::Duration::minutes(self.cfg.mark_minutes);
        out.extend(
            self.recent
                .iter()
                .filter(|c| t - c.at <= window)
                .filter(|c| match c.kind {
                    Kind::Withdrawn => !self.prev_keys.contains_key(&c.key),
                    _ => self.prev_keys.contains_key(&c.key),
                })
                .cloned(),
        );
        out
    }

    /// Forget topics unseen for a day, once the map has doubled since the last pruning.
    fn prune(&mut self, t: At) {
        if self.topics.len() <= self.prune_at {
            return;
        }
        let horizon = t - chrono::Duration::minutes(FORGET_MIN);
        self.topics.retain(|_, tr| tr.seen_at >= horizon);
        self.prune_at = (2 * self.topics.len()).max(256);
    }
}

/// A step up 新 → 热 → 沸 → 爆 of a listed row (its label is the highest so far), remembered
/// in its track. Labels lower than the highest shown, 商 and none are no step (the
/// half-hourly archive has no labels at all: a list without them must not reset the level).
fn label_step(platform: Platform, row: &Row, track: &mut TopicTrack, t: At) -> Option<Candidate> {
    let lv = level(row.label);
    match track.label {
        Some((from, _)) if lv <= level(from) => None,
        None if lv == 0 => None,
        None => {
            track.label = Some((row.label, t));
            None
        }
        Some((from, since)) => {
            track.label = Some((row.label, t));
            let heat = row
                .heat
                .map(|h| format!(", heat {}", format_heat(h)))
                .unwrap_or_default();
            Some(Candidate {
                platform,
                kind: Kind::LabelStep,
                key: row.key.clone(),
                title: track.title.clone(),
                at: t,
                since,
                rank: Some(row.rank),
                heat: row.heat,
                step: Some(LabelStep {
                    from,
                    to: row.label,
                }),
                returned: None,
                evidence: format!(
                    "{}→{} at #{}{heat}; {} since {} ({})",
                    from.as_str(),
                    row.label.as_str(),
                    row.rank,
                    from.as_str(),
                    clock(since, t),
                    duration(since, t),
                ),
            })
        }
    }
}

/// An anchored candidate from a topic's hold.
fn anchored(
    platform: Platform,
    key: &TopicKey,
    track: &TopicTrack,
    t: At,
    cfg: &DynamicsConfig,
) -> Candidate {
    let h = &track.hold;
    let since = h.since.unwrap_or(t);
    let around = match h.mean_moved() {
        Some(m) => format!(
            " while on average {:.0}% of the other top-{} rows moved ({} min apart or more)",
            m * 100.0,
            cfg.top_n,
            cfg.anchor_compare_min
        ),
        None => " (whether the rows around it moved is not in one topic's history)".into(),
    };
    Candidate {
        platform,
        kind: Kind::Anchored,
        key: key.clone(),
        title: track.title.clone(),
        at: t,
        since,
        rank: Some(h.rank),
        heat: track.trail.last().and_then(|p| p.heat),
        step: None,
        returned: None,
        evidence: format!(
            "held #{} for {} polls since {} ({}){around}",
            h.rank,
            h.polls,
            clock(since, t),
            duration(since, t)
        ),
    }
}

fn withdrawn_words(rank: u32, heat_words: &str, trail: &Trail, last: At, t: At) -> String {
    let mut s = format!(
        "left from #{rank}{heat_words} between {} and {}",
        clock(last, t),
        clock(t, t)
    );
    if let Some(since) = trail.since {
        let _ = write!(
            s,
            "; listed {} poll{} since {}",
            trail.polls,
            plural(trail.polls as usize),
            clock(since, t)
        );
    }
    if let Some(best) = trail.best_rank() {
        let _ = write!(s, ", best #{best}");
    }
    let _ = write!(s, ", {}", trail.trend());
    s
}

/// `HH:MM`, with the date when it is not `now`'s.
fn clock(at: At, now: At) -> String {
    if at.date_naive() == now.date_naive() {
        at.format("%H:%M").to_string()
    } else {
        at.format("%m-%d %H:%M").to_string()
    }
}

fn duration(from: At, to: At) -> String {
    let m = (to - from).num_minutes().max(0);
    if m < 60 {
        format!("{m} min")
    } else {
        format!("{}h{:02}", m / 60, m % 60)
    }
}

/// The median heat of a list, when at least half its rows have heat.
fn median_heat(rows: &[Row]) -> Option<u64> {
    let mut v: Vec<u64> = rows.iter().filter_map(|r| r.heat).collect();
    if v.is_empty() || v.len() * 2 < rows.len() {
        return None;
    }
    let mid = v.len() / 2;
    Some(*v.select_nth_unstable(mid).1)
}

/// Dice coefficient of the character pairs of two titles (1.0: the same pairs).
fn similarity(a: &str, b: &str) -> f64 {
    let pairs = |s: &str| {
        let c: Vec<char> = s.chars().collect();
        c.windows(2).map(|w| (w[0], w[1])).collect::<Vec<_>>()
    };
    let (x, mut y) = (pairs(a), pairs(b));
    let total = x.len() + y.len();
    if total == 0 {
        return if a == b { 1.0 } else { 0.0 };
    }
    let mut common = 0;
    for p in &x {
        if let Some(i) = y.iter().position(|q| q == p) {
            y.swap_remove(i);
            common += 1;
        }
    }
    2.0 * f64::from(common) / total as f64
}

/// Trackers of every platform.
#[derive(Debug, Clone)]
pub struct Dynamics {
    platforms: Vec<PlatformDynamics>,
}

impl Default for Dynamics {
    fn default() -> Self {
        Dynamics::new(DynamicsConfig::default())
    }
}

impl Dynamics {
    pub fn new(cfg: DynamicsConfig) -> Dynamics {
        Dynamics {
            platforms: Platform::ALL
                .into_iter()
                .map(|p| PlatformDynamics::new(p, cfg.clone()))
                .collect(),
        }
    }

    /// Take one successful poll (see [`PlatformDynamics::observe`]).
    pub fn observe(&mut self, snap: &Snapshot) -> PollDynamics {
        self.platforms[snap.platform.index()].observe(snap)
    }

    pub fn platform(&self, p: Platform) -> &PlatformDynamics {
        &self.platforms[p.index()]
    }
}

/// Candidates over one topic's stored history, for the `H` pane: withdrawals and anchored
/// holds as far as one topic's points show them. `polls` are the platform's stored poll times
/// over the topic's life and after it (`HistoryStore::polls_between(platform, first_seen,
/// last_seen + 2 h)`): a poll without a point is an absence, a long gap between polls is not.
/// One topic's history holds neither the list's median heat, nor whether the rows around it
/// moved, nor reshuffles, nor labels: withdrawals are judged on the rank and the row's own
/// decline, anchored holds on their length, and the evidence says so. Points at times that are
/// not in `polls` count as polls too.
pub fn topic_candidates(
    key: &TopicKey,
    title: &str,
    points: &[Point],
    polls: &[At],
    cfg: &DynamicsConfig,
) -> Vec<Candidate> {
    let mut points = points.to_vec();
    points.sort_by_key(|p| p.at);
    let mut times: Vec<At> = polls
        .iter()
        .copied()
        .chain(points.iter().map(|p| p.at))
        .collect();
    times.sort();
    times.dedup();
    let mut spacing = Spacing::default();
    let mut track = TopicTrack {
        title: title.to_string(),
        trail: Trail::default(),
        hold: Hold::default(),
        label: None,
        seen: 0,
        seen_at: times
            .first()
            .copied()
            .unwrap_or_else(crate::domain::now_cst),
        withdrawn: None,
        came_back: false,
    };
    let mut out: Vec<Candidate> = Vec::new();
    let mut open: Option<usize> = None;
    let mut next = points.iter().peekable();
    let mut prev: Option<(At, Option<Point>)> = None;
    for t in times {
        let here = next.next_if(|p| p.at == t).copied();
        let consecutive =
            prev.is_some_and(|(l, _)| spacing.step((t - l).num_seconds(), cfg.gap_factor));
        let before = prev.and_then(|(_, p)| p);
        match (before, here) {
            (Some(_), Some(p)) => track.trail.push(p, cfg.decline_window_min),
            (Some(b), None) => {
                let leaving = consecutive
                    && b.rank.is_some_and(|r| r <= cfg.top_n)
                    && track.trail.declining(cfg).is_none()
                    && !track.came_back;
                if let (true, Some(rank), Some((last, _))) = (leaving, b.rank, prev) {
                    let heat_words = match b.heat {
                        Some(h) => format!(
                            " at {} heat (the list's median heat is not in one topic's history)",
                            format_heat(h)
                        ),
                        None => String::new(),
                    };
                    open = Some(out.len());
                    out.push(Candidate {
                        platform: key.platform,
                        kind: Kind::Withdrawn,
                        key: key.clone(),
                        title: title.to_string(),
                        at: t,
                        since: last,
                        rank: Some(rank),
                        heat: b.heat,
                        step: None,
                        returned: None,
                        evidence: withdrawn_words(rank, &heat_words, &track.trail, last, t),
                    });
                }
                track.trail.clear();
                track.hold = Hold::default();
            }
            (None, Some(p)) => {
                if let Some(i) = open.take() {
                    out[i].returned = Some(t);
                    track.came_back = true;
                }
                track.trail.clear();
                track.trail.push(p, cfg.decline_window_min);
            }
            (None, None) => {}
        }
        if let Some(p) = here {
            match p.rank.filter(|&r| r <= cfg.top_n) {
                Some(r) => {
                    let kept = consecutive && before.and_then(|b| b.rank) == Some(r);
                    track.hold.step(r, t, kept, None);
                    if !track.hold.announced && track.hold.anchored(t, cfg, false) {
                        track.hold.announced = true;
                        out.push(anchored(key.platform, key, &track, t, cfg));
                    }
                }
                None => track.hold = Hold::default(),
            }
        }
        prev = Some((t, here));
    }
    out
}

/// Counts of one platform in a [`DynamicsReport`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformCount {
    pub platform: Platform,
    pub withdrawn: u32,
    /// Withdrawal candidates whose row came back later in the files.
    pub withdrawn_returned: u32,
    pub anchored: u32,
    pub label_step: u32,
    pub stats: DynamicsStats,
}

/// Every candidate of snapshot files, in time order, and the counts per platform.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DynamicsReport {
    pub candidates: Vec<Candidate>,
    pub counts: Vec<PlatformCount>,
}

/// Replay `lines` (any order: sorted by time here) through fresh trackers.
pub fn run_lines(lines: &[SnapshotLine], cfg: &DynamicsConfig) -> DynamicsReport {
    run_snapshots(
        super::headless::sorted_lines(lines)
            .into_iter()
            .map(SnapshotLine::to_snapshot),
        cfg,
    )
}

/// Replay polls, in time order (per platform at least), through fresh trackers: the
/// stored polls of a report's period, or snapshot files.
pub fn run_snapshots(
    snaps: impl IntoIterator<Item = Snapshot>,
    cfg: &DynamicsConfig,
) -> DynamicsReport {
    let mut d = Dynamics::new(cfg.clone());
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut open: FxHashMap<(Platform, TopicKey, At), usize> = FxHashMap::default();
    let mut seen = [false; Platform::COUNT];
    for snap in snaps {
        seen[snap.platform.index()] = true;
        let poll = d.observe(&snap);
        for r in poll.returned {
            if let Some(&i) = open.get(&(r.platform, r.key.clone(), r.at)) {
                candidates[i].returned = r.returned;
            }
        }
        for c in poll.candidates {
            if c.kind == Kind::Withdrawn {
                open.insert((c.platform, c.key.clone(), c.at), candidates.len());
            }
            candidates.push(c);
        }
    }
    candidates.sort_by(|a, b| {
        (a.at, a.platform, a.kind, a.rank).cmp(&(b.at, b.platform, b.kind, b.rank))
    });
    let counts = Platform::ALL
        .into_iter()
        .filter(|p| seen[p.index()])
        .map(|p| {
            let of = |k: Kind| {
                candidates
                    .iter()
                    .filter(|c| c.platform == p && c.kind == k)
                    .count() as u32
            };
            PlatformCount {
                platform: p,
                withdrawn: of(Kind::Withdrawn),
                withdrawn_returned: candidates
                    .iter()
                    .filter(|c| c.platform == p && c.returned.is_some())
                    .count() as u32,
                anchored: of(Kind::Anchored),
                label_step: of(Kind::LabelStep),
                stats: d.platform(p).stats(),
            }
        })
        .collect();
    DynamicsReport { candidates, counts }
}

/// Human-readable: one line per candidate, then the counts per platform.
pub fn format_table(r: &DynamicsReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<16} {:<12} {:<10} {:>4}  title — evidence",
        "at", "list", "kind", "rank"
    );
    for c in &r.candidates {
        let back = c
            .returned
            .map(|b| format!(" [back {}]", clock(b, c.at)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<16} {:<12} {:<10} {:>4}  {} — {}{back}",
            c.at.format("%Y-%m-%d %H:%M"),
            c.platform.name(),
            c.kind.id(),
            c.rank.map(|r| format!("#{r}")).unwrap_or_default(),
            c.title,
            c.evidence
        );
    }
    let _ = writeln!(
        out,
        "\n{:<12} {:>5} {:>9} {:>6} {:>8} {:>10}  top exits discounted (reshuffle/cool/商/placed/fading/renamed/rotating), gaps",
        "list", "polls", "withdrawn", "(back)", "anchored", "label_step"
    );
    for c in &r.counts {
        let s = &c.stats;
        let _ = writeln!(
            out,
            "{:<12} {:>5} {:>9} {:>6} {:>8} {:>10}  {}/{}/{}/{}/{}/{}/{}, {}",
            c.platform.name(),
            s.polls,
            c.withdrawn,
            c.withdrawn_returned,
            c.anchored,
            c.label_step,
            s.in_reshuffle,
            s.cool,
            s.commercial,
            s.placed,
            s.declining,
            s.renamed,
            s.rotating,
            s.gaps + s.short_lists
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_takes_the_median_of_recent_gaps() {
        let mut s = Spacing::default();
        assert!(s.step(1800, 1.5), "a first gap is its own spacing");
        assert!(s.step(1700, 1.5));
        assert!(!s.step(3700, 1.5), "one missed poll");
        assert!(s.step(1800, 1.5));
        assert!(!s.step(0, 1.5), "the same time is no step");
    }

    #[test]
    fn similarity_of_reworded_titles() {
        assert!(similarity("旺旺都不好卖了", "旺旺都不好卖了吗") > 0.8);
        assert!(similarity("台风白海豚", "湖州暴雨") < 0.1);
        assert_eq!(similarity("a", "a"), 1.0);
    }

    #[test]
    fn median_needs_heat_on_half_the_rows() {
        let row = |heat| Row {
            key: TopicKey::new(Platform::Weibo, "x"),
            rank: 1,
            heat,
            label: Label::None,
        };
        assert_eq!(
            median_heat(&[row(Some(3)), row(Some(1)), row(None)]),
            Some(3)
        );
        assert_eq!(median_heat(&[row(Some(3)), row(None), row(None)]), None);
    }
}
