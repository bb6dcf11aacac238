//! Events: one story across platforms and over time.
//!
//! Each poll's ranked rows go through [`EventGrouper::observe`]. A title already known (its
//! [`TopicKey`] is a member of a live event) only updates that member: rank, heat, last seen.
//! A new title is turned into a feature vector and joins the live event it is most similar
//! to, or starts an event of its own. Members never move: an event's history is what the
//! lists showed when its titles arrived, so first-seen times stay put.
//!
//! **Features** of a title (its query too when that differs, e.g. Bilibili's keyword):
//! - words from the shared jieba [`Tokenizer`] (stop-words, numbers and single characters
//!   already dropped), weight 1; names — `#hashtags#` and words jieba tags as a person,
//!   place, organisation or other proper noun (`nr`/`ns`/`nt`/`nz`, Latin words, user
//!   dictionary and KOL names) — weight [`EventConfig::name_weight`];
//! - character bigrams of the CJK runs, weight [`EventConfig::bigram_weight`]: they carry
//!   short titles (`金价`, `下雪`) and words segmented differently on different lists
//!   (`国乒男团` / `国乒`+`男团`);
//! - numbers of two or more characters (`4.49`, `2360`, `41`), weight 1: amounts repeat across
//!   the retellings of one story.
//!
//! Each weight is multiplied by the feature's inverse document frequency,
//! `ln(1 + N / df)`, over the distinct titles seen (decayed with a one-day half-life, so the
//! table stays bounded and follows the news), and the vector is L2-normalised. Words that
//! are in every other title (`回应`, `中国`) count for little; names and rare words for a lot.
//!
//! **Similarity** of a new title `v` to a live event: its cosine with the event's centroid
//! (the sum of the members' vectors) and its best cosine with any one member. It joins the
//! event with the highest `max(centroid / join_centroid, member / join_member)` when that
//! reaches 1. The centroid lets a title join through the story's vocabulary as a whole
//! (`日本男团输国乒后集体沉默一动不动` shares little with `日本队被中国逆转后集体“凝固”`, but
//! both share most of theirs with the other titles of the match); the member test lets a
//! near-copy join a large event whose centroid it only partly covers. A title with the
//! platform id of a member (a Douyin or Zhihu item retitled) joins that member's event.
//! The thresholds were chosen on the tuning half of the labelled 2025-10-15 sample
//! (`tests/fixtures/events/README.md`): the defaults below are its best pairwise F1.
//!
//! **Cost**: features are computed once per new title (titles repeat across polls);
//! candidate events come from an inverted index feature → live events, skipping features
//! shared by more than [`MAX_POSTINGS`] events, so a poll never compares against all of
//! history. An event ends when none of its titles has been on a list for
//! [`EventConfig::end_after_min`]: its titles are forgotten and a title seen again later
//! starts (or joins) a new event. Deterministic: the same polls in the same order give the
//! same events and ids.
//!
//! **Scores**: heats are not comparable across platforms (Weibo 热度 vs Tieba discussions vs
//! none at all), so [`Event::heat`] (the sum of each platform's largest member heat) is
//! shown, not ranked by; events are ordered by platforms present, then by
//! [`Event::score`] = Σ over platforms of `1 / √(best rank there)`.

use std::hash::{Hash, Hasher};

use chrono::{DateTime, FixedOffset};
use rustc_hash::{FxHashMap, FxHasher};
use serde::Serialize;

use super::engine::minutes;
use super::headless::sorted_lines;
use super::tokenize::Tokenizer;
use crate::domain::normalize::{is_cjk, normalize_title};
use crate::domain::snapshot_file::SnapshotLine;
use crate::domain::{Platform, Snapshot, Topic, TopicKey};

/// An event's id: assigned in order of creation, never reused within a grouper's timeline.
pub type EventId = u64;

/// Candidate generation skips a feature that is in more live events than this: it says
/// nothing about which story a title belongs to, and its posting list would cost the most.
pub const MAX_POSTINGS: usize = 200;

/// Titles an event keeps. A story that never leaves every list (a title that stays on its
/// list, a month-long story retold every day) gains titles for as long as it lives; past this
/// many, the title last seen longest ago is retired ([`EventGrouper::retire_oldest`]): its
/// platform's first sighting, best rank and heat stay in the event's spans, its words leave the
/// centroid. Without it the grouper's memory and each poll's view of the events grew for as
/// long as the app ran (the 30-day soak of eleven lists: one event at 65 titles by day 2 and
/// growing ~30 a day). The largest event of the real 2025-10-15 day has fewer.
pub const MAX_MEMBERS: usize = 64;

/// A platform's list counts as current until it is older than this, or 1.5 of the platform's
/// polling gap (archives poll every 30 minutes, the app every minute or two).
const CURRENT_LIST_MIN: f64 = 90.0;

/// Feature kinds (hashed with the text, so a word and a bigram that read the same differ).
const WORD: u8 = 0;
const BIGRAM: u8 = 1;
const NUMBER: u8 = 2;

/// The grouper's settings. The defaults are the tuned ones (see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub struct EventConfig {
    /// Join an event whose centroid has at least this cosine with the title.
    pub join_centroid: f32,
    /// Join an event one of whose members has at least this cosine with the title.
    pub join_member: f32,
    /// Weight of a character bigram relative to a word.
    pub bigram_weight: f32,
    /// Weight of a name (hashtag, person, place, organisation) relative to a word.
    pub name_weight: f32,
    /// Minutes off every list after which an event ends.
    pub end_after_min: f64,
}

impl Default for EventConfig {
    fn default() -> EventConfig {
        EventConfig {
            join_centroid: 0.25,
            join_member: 0.35,
            bigram_weight: 0.5,
            name_weight: 1.0,
            end_after_min: 6.0 * 60.0,
        }
    }
}

/// One title of an event, as of the last poll.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventMember {
    pub platform: Platform,
    /// Rank on its platform's current list; `None` when it is not on it now.
    pub rank: Option<u32>,
    pub best_rank: u32,
    pub title: String,
    #[serde(skip)]
    pub key: TopicKey,
    pub first_seen: DateTime<FixedOffset>,
    pub last_seen: DateTime<FixedOffset>,
    /// Largest heat the platform gave it (`None` for lists without heat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heat: Option<u64>,
}

/// An event on one platform.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformSpan {
    pub platform: Platform,
    /// When the first of its titles on this platform was first seen.
    pub first_seen: DateTime<FixedOffset>,
    pub best_rank: u32,
    /// Largest heat of its titles on this platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heat: Option<u64>,
    /// One of its titles is on this platform's current list.
    pub on_list: bool,
}

/// One story: titles from one or more platforms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: EventId,
    /// A representative title: the member closest to the event's centroid.
    pub label: String,
    /// Per platform, in order of first appearance (抖音 09:12 → 微博 09:55 → 百度 10:30).
    pub platforms: Vec<PlatformSpan>,
    /// In order of first appearance.
    pub members: Vec<EventMember>,
    pub first_seen: DateTime<FixedOffset>,
    pub last_seen: DateTime<FixedOffset>,
    /// One of its titles is on a current list.
    pub on_lists: bool,
    /// Minutes with at least one title on a list (between consecutive polls that both
    /// showed it; overlapping platforms counted once).
    pub listed_min: u32,
    /// Σ over platforms of the largest member heat there; not comparable across platforms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heat: Option<u64>,
    /// Rank-based score: Σ over platforms of `1 / √(best rank)`.
    pub score: f64,
}

/// The live events as of one poll, ordered by platforms present, then score.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Events {
    pub at: Option<DateTime<FixedOffset>>,
    pub events: Vec<Event>,
    /// Each member's topic → index in `events`.
    #[serde(skip)]
    topics: FxHashMap<TopicKey, usize>,
}

impl Events {
    /// The event a topic belongs to.
    pub fn of(&self, key: &TopicKey) -> Option<&Event> {
        self.topics.get(key).map(|&i| &self.events[i])
    }

    /// How many platforms a topic's event spans (0 for a topic no event has, e.g. pinned).
    pub fn platform_count(&self, key: &TopicKey) -> usize {
        self.of(key).map_or(0, |e| e.platforms.len())
    }

    /// The events with a title on a current list.
    pub fn on_lists(&self) -> impl Iterator<Item = &Event> {
        self.events.iter().filter(|e| e.on_lists)
    }
}

/// A sparse vector: (feature, value), sorted by feature.
type Vector = Vec<(u64, f32)>;

struct MemberState {
    key: TopicKey,
    title: String,
    platform_id: Option<String>,
    first_seen: DateTime<FixedOffset>,
    last_seen: DateTime<FixedOffset>,
    rank: u32,
    best_rank: u32,
    heat: Option<u64>,
    vector: Vector,
}

struct EventState {
    members: Vec<MemberState>,
    centroid: FxHashMap<u64, f32>,
    /// Squared length of `centroid`.
    norm2: f32,
    /// Index of the label member.
    label: usize,
    /// Latest time any member was seen (minutes).
    last: f64,
    listed_min: f64,
    /// End of the listed time counted so far (minutes).
    covered_until: f64,
    /// Per platform, what its retired titles showed (see [`MAX_MEMBERS`]).
    retired: Vec<Retired>,
}

/// The part of retired titles an event still shows: their platform's first sighting, best rank
/// and heat.
struct Retired {
    platform: Platform,
    first_seen: DateTime<FixedOffset>,
    best_rank: u32,
    heat: Option<u64>,
}

impl EventState {
    /// The label: the member closest to the centroid (the earliest of equals).
    fn relabel(&mut self) {
        let closeness = |m: &MemberState| dot_map(&m.vector, &self.centroid);
        let mut label = 0;
        for (i, m) in self.members.iter().enumerate().skip(1) {
            if closeness(m) > closeness(&self.members[label]) {
                label = i;
            }
        }
        self.label = label;
    }

    /// Count `[from, to]` as listed time, once across platforms.
    fn listed(&mut self, from: f64, to: f64) {
        self.listed_min += (to - from.max(self.covered_until)).max(0.0);
        self.covered_until = self.covered_until.max(to);
    }
}

/// A platform's last two polls.
#[derive(Debug, Clone, Copy, Default)]
struct Polls {
    last: Option<DateTime<FixedOffset>>,
    prev: Option<DateTime<FixedOffset>>,
}

/// The incremental grouper (see the module doc). Feed it every poll in time order.
pub struct EventGrouper {
    cfg: EventConfig,
    next_id: EventId,
    events: FxHashMap<EventId, EventState>,
    /// Live member topics → (event, member index).
    topics: FxHashMap<TopicKey, (EventId, usize)>,
    /// (platform, platform id) of live members → event.
    ids: FxHashMap<(Platform, String), EventId>,
    /// Feature → live events whose centroid has it.
    index: FxHashMap<u64, Vec<EventId>>,
    /// Decayed document frequency per feature, and the decayed number of titles.
    df: FxHashMap<u64, f32>,
    stories: f32,
    decayed_at: Option<f64>,
    polls: [Polls; Platform::COUNT],
    clock: Option<DateTime<FixedOffset>>,
}

impl Default for EventGrouper {
    fn default() -> EventGrouper {
        EventGrouper::new(EventConfig::default())
    }
}

impl EventGrouper {
    pub fn new(cfg: EventConfig) -> EventGrouper {
        EventGrouper {
            cfg,
            next_id: 1,
            events: FxHashMap::default(),
            topics: FxHashMap::default(),
            ids: FxHashMap::default(),
            index: FxHashMap::default(),
            df: FxHashMap::default(),
            stories: 0.0,
            decayed_at: None,
            polls: Default::default(),
            clock: None,
        }
    }

    pub fn config(&self) -> &EventConfig {
        &self.cfg
    }

    /// Forget everything (a new timeline); ids continue from where they were.
    pub fn reset(&mut self) {
        let next_id = self.next_id;
        *self = EventGrouper::new(self.cfg.clone());
        self.next_id = next_id;
    }

    /// Live events (not ended).
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The live event a topic belongs to.
    pub fn event_of(&self, key: &TopicKey) -> Option<EventId> {
        self.topics.get(key).map(|&(id, _)| id)
    }

    /// Take in one poll. A poll not newer than the platform's last one is ignored (a list
    /// shown again); one from long before the newest poll starts a new timeline (a replay
    /// that wrapped around).
    pub fn observe(&mut self, snap: &Snapshot, tok: &Tokenizer) {
        let at = snap.captured_at;
        let t = minutes(&at);
        if self
            .clock
            .is_some_and(|c| t < minutes(&c) - self.cfg.end_after_min)
        {
            self.reset();
        }
        let polls = &mut self.polls[snap.platform.index()];
        if polls.last.is_some_and(|l| at <= l) {
            return;
        }
        let prev = polls.last;
        *polls = Polls {
            last: Some(at),
            prev,
        };
        self.clock = Some(self.clock.map_or(at, |c| c.max(at)));
        self.decay(t);
        // (event, also on this platform's previous list) for the listed time.
        let mut touched: Vec<(EventId, bool)> = Vec::with_capacity(snap.ranked.len());
        for topic in &snap.ranked {
            let key = topic.key();
            let rank = topic.rank.unwrap_or(u32::MAX);
            let seen = match self.topics.get(&key) {
                Some(&(id, i)) => self.events.get_mut(&id).map(|ev| {
                    let m = &mut ev.members[i];
                    let continued = prev == Some(m.last_seen);
                    m.last_seen = at;
                    m.rank = rank;
                    m.best_rank = m.best_rank.min(rank);
                    m.heat = m.heat.max(topic.heat);
                    ev.last = ev.last.max(t);
                    (id, continued)
                }),
                None => None,
            };
            touched.push(seen.unwrap_or_else(|| (self.add(topic, key, at, tok), false)));
        }
        if let Some(p) = prev {
            let from = minutes(&p);
            touched.sort_unstable();
            touched.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                kept.1 |= same && later.1;
                same
            });
            for (id, continued) in touched {
                if let Some(ev) = self.events.get_mut(&id).filter(|_| continued) {
                    ev.listed(from, t);
                }
            }
        }
        self.end_events(t);
    }

    /// Halve the document frequencies once a day of data time, in hourly steps; drop the
    /// features that have all but gone.
    fn decay(&mut self, t: f64) {
        const HOURLY: f32 = 0.971_532_9; // 0.5^(1/24)
        let Some(d) = self.decayed_at else {
            self.decayed_at = Some(t);
            return;
        };
        if t - d < 60.0 {
            return;
        }
        let steps = ((t - d) / 60.0).floor().min(24.0 * 30.0) as i32;
        let f = HOURLY.powi(steps);
        self.df.retain(|_, v| {
            *v *= f;
            *v >= 0.05
        });
        self.stories *= f;
        self.decayed_at = Some(d + 60.0 * f64::from(steps));
    }

    /// A new title: into the most similar live event, or a new one. Returns the event.
    fn add(
        &mut self,
        topic: &Topic,
        key: TopicKey,
        at: DateTime<FixedOffset>,
        tok: &Tokenizer,
    ) -> EventId {
        let raw = raw_features(tok, topic, &self.cfg);
        let vector = self.weigh(&raw);
        let known = topic
            .platform_id
            .as_ref()
            .and_then(|p| self.ids.get(&(topic.platform, p.clone())))
            .copied()
            .filter(|id| self.events.contains_key(id));
        let id = match known.or_else(|| self.best_event(&vector)) {
            Some(id) => id,
            None => self.new_event(),
        };
        let rank = topic.rank.unwrap_or(u32::MAX);
        self.push_member(
            id,
            MemberState {
                key,
                title: topic.title.as_str().to_string(),
                platform_id: topic.platform_id.clone(),
                first_seen: at,
                last_seen: at,
                rank,
                best_rank: rank,
                heat: topic.heat,
                vector,
            },
        );
        id
    }

    fn new_event(&mut self) -> EventId {
        let id = self.next_id;
        self.next_id += 1;
        self.stories += 1.0;
        self.events.insert(
            id,
            EventState {
                members: Vec::new(),
                centroid: FxHashMap::default(),
                norm2: 0.0,
                label: 0,
                last: f64::NEG_INFINITY,
                listed_min: 0.0,
                covered_until: f64::NEG_INFINITY,
                retired: Vec::new(),
            },
        );
        id
    }

    fn push_member(&mut self, id: EventId, m: MemberState) {
        let Some(ev) = self.events.get_mut(&id) else {
            return;
        };
        for &(f, x) in &m.vector {
            let c = ev.centroid.entry(f).or_insert_with(|| {
                self.index.entry(f).or_default().push(id);
                *self.df.entry(f).or_default() += 1.0;
                0.0
            });
            ev.norm2 += 2.0 * *c * x + x * x;
            *c += x;
        }
        ev.last = ev.last.max(minutes(&m.first_seen));
        self.topics.insert(m.key.clone(), (id, ev.members.len()));
        if let Some(pid) = &m.platform_id {
            self.ids.insert((m.key.platform, pid.clone()), id);
        }
        ev.members.push(m);
        ev.relabel();
        if ev.members.len() > MAX_MEMBERS {
            self.retire_oldest(id);
        }
    }

    /// Retire the title of event `id` seen longest ago (see [`MAX_MEMBERS`]): its platform's
    /// first sighting, best rank and heat are kept, the centroid is rebuilt without it.
    fn retire_oldest(&mut self, id: EventId) {
        let Some(ev) = self.events.get_mut(&id) else {
            return;
        };
        let oldest = (0..ev.members.len()).min_by_key(|&i| (ev.members[i].last_seen, i));
        let Some(i) = oldest else {
            return;
        };
        let m = ev.members.remove(i);
        match ev.retired.iter_mut().find(|r| r.platform == m.key.platform) {
            Some(r) => {
                r.first_seen = r.first_seen.min(m.first_seen);
                r.best_rank = r.best_rank.min(m.best_rank);
                r.heat = r.heat.max(m.heat);
            }
            None => ev.retired.push(Retired {
                platform: m.key.platform,
                first_seen: m.first_seen,
                best_rank: m.best_rank,
                heat: m.heat,
            }),
        }
        self.topics.remove(&m.key);
        for (j, later) in ev.members.iter().enumerate().skip(i) {
            if let Some(slot) = self.topics.get_mut(&later.key) {
                slot.1 = j;
            }
        }
        if let Some(pid) = m.platform_id {
            let k = (m.key.platform, pid);
            if self.ids.get(&k) == Some(&id) {
                self.ids.remove(&k);
            }
        }
        let mut centroid: FxHashMap<u64, f32> = FxHashMap::default();
        for member in &ev.members {
            for &(f, x) in &member.vector {
                *centroid.entry(f).or_default() += x;
            }
        }
        for f in ev.centroid.keys().filter(|f| !centroid.contains_key(f)) {
            if let Some(p) = self.index.get_mut(f) {
                p.retain(|&e| e != id);
                if p.is_empty() {
                    self.index.remove(f);
                }
            }
        }
        ev.norm2 = centroid.values().map(|c| c * c).sum();
        ev.centroid = centroid;
        ev.relabel();
    }

    /// Raw weights × idf, L2-normalised.
    fn weigh(&self, raw: &[(u64, f32)]) -> Vector {
        let n = self.stories.max(1.0);
        let mut v: Vector = raw
            .iter()
            .map(|&(f, w)| {
                let df = self.df.get(&f).copied().unwrap_or(0.0).max(1.0);
                (f, w * (1.0 + n / df).ln())
            })
            .collect();
        let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|(_, x)| *x /= norm);
        }
        v
    }

    /// The live event a title vector joins, if any (see the module doc).
    fn best_event(&self, v: &[(u64, f32)]) -> Option<EventId> {
        let mut cands: Vec<EventId> = Vec::new();
        for (f, _) in v {
            if let Some(p) = self.index.get(f).filter(|p| p.len() <= MAX_POSTINGS) {
                cands.extend_from_slice(p);
            }
        }
        cands.sort_unstable();
        cands.dedup();
        let mut best: Option<(f32, EventId)> = None;
        for id in cands {
            let Some(ev) = self.events.get(&id) else {
                continue;
            };
            let centroid = dot_map(v, &ev.centroid) / ev.norm2.max(f32::MIN_POSITIVE).sqrt();
            let member = ev
                .members
                .iter()
                .map(|m| dot(v, &m.vector))
                .fold(0.0, f32::max);
            let s = (centroid / self.cfg.join_centroid).max(member / self.cfg.join_member);
            // Candidates come in id order: the oldest of equals wins.
            if s >= 1.0 && best.is_none_or(|(b, _)| s > b) {
                best = Some((s, id));
            }
        }
        best.map(|(_, id)| id)
    }

    /// End the events none of whose titles has been seen for `end_after_min`.
    fn end_events(&mut self, t: f64) {
        let limit = t - self.cfg.end_after_min;
        let mut ended: Vec<EventId> = self
            .events
            .iter()
            .filter(|(_, e)| e.last < limit)
            .map(|(&id, _)| id)
            .collect();
        ended.sort_unstable();
        for id in ended {
            let Some(ev) = self.events.remove(&id) else {
                continue;
            };
            for f in ev.centroid.keys() {
                if let Some(p) = self.index.get_mut(f) {
                    p.retain(|&e| e != id);
                    if p.is_empty() {
                        self.index.remove(f);
                    }
                }
            }
            for m in &ev.members {
                self.topics.remove(&m.key);
            }
        }
        if self.ids.len() > 2 * self.topics.len() + 64 {
            let events = &self.events;
            self.ids.retain(|_, id| events.contains_key(id));
        }
    }

    /// Is a member on its platform's current list?
    fn on_list(&self, m: &MemberState) -> bool {
        let p = self.polls[m.key.platform.index()];
        let (Some(last), Some(now)) = (p.last, self.clock) else {
            return false;
        };
        let gap = p.prev.map_or(0.0, |prev| minutes(&last) - minutes(&prev));
        m.last_seen == last && minutes(&now) - minutes(&last) <= CURRENT_LIST_MIN.max(1.5 * gap)
    }

    /// The live events as of the last poll, ordered by platforms present, then score.
    pub fn events(&self) -> Events {
        let mut events: Vec<Event> = self
            .events
            .iter()
            .map(|(&id, ev)| self.view(id, ev))
            .collect();
        events.sort_by(|a, b| {
            b.platforms
                .len()
                .cmp(&a.platforms.len())
                .then(b.score.total_cmp(&a.score))
                .then(a.first_seen.cmp(&b.first_seen))
                .then(a.id.cmp(&b.id))
        });
        let mut topics = FxHashMap::default();
        for (i, e) in events.iter().enumerate() {
            for m in &e.members {
                topics.insert(m.key.clone(), i);
            }
        }
        Events {
            at: self.clock,
            events,
            topics,
        }
    }

    fn view(&self, id: EventId, ev: &EventState) -> Event {
        let members: Vec<EventMember> = ev
            .members
            .iter()
            .map(|m| EventMember {
                platform: m.key.platform,
                rank: self.on_list(m).then_some(m.rank),
                best_rank: m.best_rank,
                title: m.title.clone(),
                key: m.key.clone(),
                first_seen: m.first_seen,
                last_seen: m.last_seen,
                heat: m.heat,
            })
            .collect();
        let mut platforms: Vec<PlatformSpan> = ev
            .retired
            .iter()
            .map(|r| PlatformSpan {
                platform: r.platform,
                first_seen: r.first_seen,
                best_rank: r.best_rank,
                heat: r.heat,
                on_list: false,
            })
            .collect();
        for m in &members {
            match platforms.iter_mut().find(|p| p.platform == m.platform) {
                Some(p) => {
                    p.first_seen = p.first_seen.min(m.first_seen);
                    p.best_rank = p.best_rank.min(m.best_rank);
                    p.heat = p.heat.max(m.heat);
                    p.on_list |= m.rank.is_some();
                }
                None => platforms.push(PlatformSpan {
                    platform: m.platform,
                    first_seen: m.first_seen,
                    best_rank: m.best_rank,
                    heat: m.heat,
                    on_list: m.rank.is_some(),
                }),
            }
        }
        platforms.sort_by_key(|p| (p.first_seen, p.platform));
        let heats = platforms.iter().filter_map(|p| p.heat);
        let heat = platforms
            .iter()
            .any(|p| p.heat.is_some())
            .then(|| heats.sum());
        let score = platforms
            .iter()
            .map(|p| 1.0 / f64::from(p.best_rank.max(1)).sqrt())
            .sum();
        let first_seen = members
            .iter()
            .map(|m| m.first_seen)
            .chain(ev.retired.iter().map(|r| r.first_seen))
            .min();
        let last_seen = members.iter().map(|m| m.last_seen).max();
        let (Some(first_seen), Some(last_seen)) = (first_seen, last_seen) else {
            unreachable!("an event is created with its first member")
        };
        Event {
            id,
            label: ev.members[ev.label].title.clone(),
            on_lists: members.iter().any(|m| m.rank.is_some()),
            platforms,
            members,
            first_seen,
            last_seen,
            listed_min: ev.listed_min.round().clamp(0.0, f64::from(u32::MAX)) as u32,
            heat,
            score,
        }
    }
}

/// Replay snapshot lines in time order through a fresh grouper, up to `until` (inclusive;
/// every line when `None`): the events as of the last poll taken in (`resou events`).
pub fn replay(
    lines: &[SnapshotLine],
    until: Option<DateTime<FixedOffset>>,
    tok: &Tokenizer,
    cfg: EventConfig,
) -> Events {
    let mut g = EventGrouper::new(cfg);
    for l in sorted_lines(lines) {
        if until.is_some_and(|u| l.captured_at > u) {
            break;
        }
        g.observe(&l.to_snapshot(), tok);
    }
    g.events()
}

/// A title's features with their weights before idf, sorted by feature (see the module doc).
fn raw_features(tok: &Tokenizer, topic: &Topic, cfg: &EventConfig) -> Vec<(u64, f32)> {
    let title = topic.title.as_str();
    let mut out: Vec<(u64, f32)> = Vec::new();
    let toks = tok.tokenize(title);
    let mut words = |terms: &[String], names: &[bool]| {
        for (w, &name) in terms.iter().zip(names) {
            let weight = if name { cfg.name_weight } else { 1.0 };
            out.push((feature(WORD, w.as_bytes()), weight));
        }
    };
    words(&toks.terms, &toks.names);
    let query = topic.query.as_ref().map(|q| q.as_str());
    if let Some(q) = query.filter(|q| normalize_title(q) != normalize_title(title)) {
        let qt = tok.tokenize(q);
        words(&qt.terms, &qt.names);
    }
    let text = toks.norm.text.as_str();
    let mut prev: Option<char> = None;
    for c in text.chars() {
        if let Some(p) = prev.filter(|&p| is_cjk(p) && is_cjk(c)) {
            let mut b = [0u8; 8];
            p.encode_utf8(&mut b[..4]);
            c.encode_utf8(&mut b[4..]);
            out.push((feature(BIGRAM, &b), cfg.bigram_weight));
        }
        prev = Some(c);
    }
    for n in text.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
        let n = n.trim_matches('.');
        if n.len() >= 2 {
            out.push((feature(NUMBER, n.as_bytes()), 1.0));
        }
    }
    // One entry per feature, with its largest weight (a name that is also a plain word).
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    out.dedup_by_key(|f| f.0);
    out
}

fn feature(kind: u8, bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    kind.hash(&mut h);
    bytes.hash(&mut h);
    h.finish()
}

/// Dot product of two sorted sparse vectors.
fn dot(a: &[(u64, f32)], b: &[(u64, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

fn dot_map(a: &[(u64, f32)], m: &FxHashMap<u64, f32>) -> f32 {
    a.iter().filter_map(|(f, x)| m.get(f).map(|y| x * y)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_dot_matches_the_map_dot() {
        let a = vec![(1, 0.5), (3, 0.5), (7, 0.7)];
        let b = vec![(2, 1.0), (3, 0.4), (7, 0.1), (9, 3.0)];
        let m: FxHashMap<u64, f32> = b.iter().copied().collect();
        assert!((dot(&a, &b) - 0.27).abs() < 1e-6);
        assert!((dot_map(&a, &m) - 0.27).abs() < 1e-6);
    }

    #[test]
    fn listed_time_counts_overlaps_once() {
        let mut e = EventState {
            members: Vec::new(),
            centroid: FxHashMap::default(),
            norm2: 0.0,
            label: 0,
            last: 0.0,
            listed_min: 0.0,
            covered_until: f64::NEG_INFINITY,
            retired: Vec::new(),
        };
        e.listed(0.0, 30.0);
        e.listed(10.0, 40.0);
        e.listed(100.0, 130.0);
        assert_eq!(e.listed_min, 70.0);
    }

    /// A story that never leaves the lists, retold on another list every hour for a month:
    /// the event keeps its id and its first sightings, and at most `MAX_MEMBERS` titles.
    #[test]
    fn a_story_that_never_ends_keeps_at_most_max_members_titles() {
        use crate::domain::snapshot_file::{SnapshotItem, SnapshotLine};
        let tok = Tokenizer::new(&[], &[]);
        let t0 = chrono::DateTime::parse_from_rfc3339("2025-10-15T08:00:00+08:00").unwrap();
        let list = |p: Platform, at: DateTime<FixedOffset>, title: &str| {
            SnapshotLine {
                captured_at: at,
                platform: p,
                items: vec![SnapshotItem {
                    rank: Some(1),
                    title: title.into(),
                    query: None,
                    heat: Some(1000),
                    label: None,
                    url: None,
                    pinned: false,
                    id: Some(format!("id-{title}")),
                }],
            }
            .to_snapshot()
        };
        let stays = "蔡国强烟花秀事件通报多人被免职";
        let retold = |h: i64| format!("蔡国强烟花秀事件多人被免职后续第{h}次通报");
        let mut g = EventGrouper::default();
        let mut id = None;
        let hours = 24 * 30;
        for h in 0..hours {
            let at = t0 + chrono::Duration::hours(h);
            g.observe(&list(Platform::Weibo, at, stays), &tok);
            g.observe(&list(Platform::Douyin, at, &retold(h)), &tok);
            let ev = g.event_of(&TopicKey::new(Platform::Douyin, &retold(h)));
            assert!(ev.is_some());
            assert_eq!(
                *id.get_or_insert(ev),
                ev,
                "hour {h}: the retelling joins the story"
            );
            let live: usize = g.events.values().map(|e| e.members.len()).sum();
            assert!(live <= MAX_MEMBERS, "hour {h}: {live} titles");
        }
        let id = id.flatten().unwrap();
        let state = &g.events[&id];
        assert_eq!(state.members.len(), MAX_MEMBERS);
        // The centroid holds the words of the kept titles only.
        let kept: std::collections::HashSet<u64> = state
            .members
            .iter()
            .flat_map(|m| m.vector.iter().map(|(f, _)| *f))
            .collect();
        assert_eq!(state.centroid.len(), kept.len());
        assert!(g.index.values().all(|p| p.len() == 1));
        assert_eq!(g.topics.len(), MAX_MEMBERS);
        assert!(g.ids.len() <= MAX_MEMBERS);
        // The title that never left is kept; the oldest retellings went.
        assert_eq!(g.event_of(&TopicKey::new(Platform::Weibo, stays)), Some(id));
        assert_eq!(
            g.event_of(&TopicKey::new(Platform::Douyin, &retold(0))),
            None
        );
        let view = g.events();
        let e = view.events.iter().find(|e| e.id == id).unwrap();
        assert_eq!(e.members.len(), MAX_MEMBERS);
        // First sightings stay those of the first titles, retired or not.
        assert_eq!(e.first_seen, t0);
        let first_on = |p| e.platforms.iter().find(|s| s.platform == p).unwrap();
        assert_eq!(first_on(Platform::Weibo).first_seen, t0);
        assert_eq!(first_on(Platform::Douyin).first_seen, t0);
        assert_eq!(first_on(Platform::Douyin).best_rank, 1);
        assert!(first_on(Platform::Douyin).on_list);
        assert_eq!(e.platforms.len(), 2);
    }
}
