//! Events: one story across platforms and over time.
//!
//! Each poll's ranked rows go through [`EventGrouper::observe`] (or [`EventGrouper::observe_with`],
//! with the analysis engine's cached words). A title already known (its [`TopicKey`] is a
//! member of a live event) only updates that member: rank, heat, last seen. A new title is
//! turned into a feature vector and joins the live event it is most similar to, or starts an
//! event of its own. Members never move to another event, so first-seen times stay put. The
//! view ([`Events`], what the analysis worker sends with every update) is rebuilt per poll
//! only for the events that poll changed.
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
//! Each weight is multiplied by the feature's inverse document frequency, `ln(1 + N / df)`,
//! where `df` counts the *events* whose vocabulary has the feature and `N` the events (both
//! decayed with a one-day half-life, so the table stays bounded and follows the news). Per
//! event, not per title: a story told twenty times (`国乒` on every list) is one document, so
//! its own words stay telling, while words of many stories (`回应`, `中国`, `如何评价`) count for
//! little. The vector is L2-normalised.
//!
//! **Similarity** of a new title `v` to a live event: its cosine with the event's centroid
//! (the sum of the members' vectors) and its best cosine with any one member. It joins the
//! event with the highest `max(centroid / join_centroid, member / join_member)` when that
//! reaches 1 (the oldest of equals). The centroid lets a title join through the story's
//! vocabulary as a whole (`国乒男团3:2战胜日本` and `日本男团输国乒后集体沉默一动不动` share little
//! but both share most of theirs with the match's other titles); the member test lets a
//! near-copy join a large event whose centroid it only partly covers. A title with the
//! platform id of a member (a Douyin or Zhihu item retitled) joins that member's event.
//!
//! **Thresholds**: chosen on the tuning half of the labelled 2025-10-15 sample
//! (`tests/fixtures/events/README.md`, `tune_event_grouping` in `tests/analysis`) by a rule
//! fixed beforehand: the best pairwise recall at a precision of at least 0.8. That gave
//! `join_centroid` 0.25, `join_member` 0.35, bigrams at half a word, and names at the weight
//! of any word: boosting jieba's names (1.25–2×) joined more titles that share a person but
//! not a story (`高市早苗…` ×4). What stays hard for a lexical grouper: paraphrase (`集体凝固`
//! / `集体沉默一动不动` stay apart) and same-template stories (`S15瑞士轮TES战胜G2` /
//! `S15瑞士轮T1战胜FLY` join); the figures are in README "Event grouping".
//!
//! **Cost**: features are computed once per new title (titles repeat across polls);
//! candidate events come from an inverted index feature → live events, skipping features
//! shared by more than [`MAX_POSTINGS`] events, so a poll never compares against all of
//! history. A title off the lists for [`EventConfig::end_after_min`] leaves its event (its
//! platform keeps its first-seen time and best rank), so an event's vocabulary is that of its
//! recent titles and a story on the lists for weeks stays as small as its current titles; an
//! event ends when all its titles have left, and a title seen again later starts (or joins)
//! a new event. Deterministic: the same polls in the same order give the same events and ids.
//!
//! **Scores**: heats are not comparable across platforms (Weibo 热度 vs Tieba discussions vs
//! none at all), so [`Event::heat`] (the sum of each platform's largest member heat) is
//! shown, not ranked by; events are ordered by platforms present, then by
//! [`Event::score`] = Σ over platforms of `1 / √(best rank there)`.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use rustc_hash::{FxHashMap, FxHasher};
use serde::Serialize;

use super::engine::{TitleInfo, minutes};
use super::headless::sorted_lines;
use super::tokenize::Tokenizer;
use crate::domain::normalize::{is_cjk, normalize_text, normalize_title};
use crate::domain::snapshot_file::SnapshotLine;
use crate::domain::{Platform, Snapshot, Topic, TopicKey};

/// An event's id: assigned in order of creation, never reused within a grouper's timeline.
pub type EventId = u64;

/// Candidate generation skips a feature that is in more live events than this: it says
/// nothing about which story a title belongs to, and its posting list would cost the most.
/// (64, 32 and 200 give the same groups on the labelled sample.)
pub const MAX_POSTINGS: usize = 64;

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
    /// Minutes off the lists after which a title leaves its event; an event ends when all
    /// its titles have left.
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
    #[serde(skip)]
    key_hash: u64,
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
    /// The titles seen in the last `end_after_min` (6 h), in order of first appearance;
    /// older titles are dropped (their platforms stay in `platforms`).
    pub members: Vec<EventMember>,
    /// When its first title was first seen.
    pub first_seen: DateTime<FixedOffset>,
    /// When one of its titles was last on a list.
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

/// The live events as of one poll, ordered by platforms present, then score. Events that did
/// not change since the previous poll are the same `Arc`s as in the previous `Events`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Events {
    pub at: Option<DateTime<FixedOffset>>,
    pub events: Vec<Arc<Event>>,
    /// The titles that joined an event in the poll these are as of (what the history store
    /// records: each title once per event).
    pub joined: Vec<Joined>,
    /// Hash of each member's topic → index in `events`. A lookup checks the member, so a
    /// 64-bit collision could only make a topic look event-less, never give a wrong event.
    topics: FxHashMap<u64, u32>,
}

impl Events {
    fn new(at: Option<DateTime<FixedOffset>>, mut events: Vec<Arc<Event>>) -> Events {
        events.sort_by(|a, b| {
            b.platforms
                .len()
                .cmp(&a.platforms.len())
                .then(b.score.total_cmp(&a.score))
                .then(a.first_seen.cmp(&b.first_seen))
                .then(a.id.cmp(&b.id))
        });
        let members = events.iter().map(|e| e.members.len()).sum();
        let mut topics = FxHashMap::with_capacity_and_hasher(members, Default::default());
        for (i, e) in events.iter().enumerate() {
            for m in &e.members {
                // ok: fewer events than u32::MAX
                topics.insert(m.key_hash, i as u32);
            }
        }
        Events {
            at,
            events,
            joined: Vec::new(),
            topics,
        }
    }

    /// The event a topic belongs to.
    pub fn of(&self, key: &TopicKey) -> Option<&Event> {
        let e = self
            .events
            .get(*self.topics.get(&topic_hash(key))? as usize)?;
        e.members.iter().any(|m| m.key == *key).then_some(&**e)
    }

    /// How many platforms a topic's event spans (0 for a topic no event has, e.g. pinned).
    pub fn platform_count(&self, key: &TopicKey) -> usize {
        self.of(key).map_or(0, |e| e.platforms.len())
    }

    /// The events with a title on a current list.
    pub fn on_lists(&self) -> impl Iterator<Item = &Event> {
        self.events.iter().map(|e| &**e).filter(|e| e.on_lists)
    }
}

/// A title that joined an event.
#[derive(Debug, Clone, PartialEq)]
pub struct Joined {
    pub event: EventId,
    pub key: TopicKey,
    pub title: String,
    pub first_seen: DateTime<FixedOffset>,
}

/// A best rank the history no longer has (its polls expired): shown without a number.
pub const UNKNOWN_RANK: u32 = 0;

/// A story title as the history store keeps it (`store::StoryTitle`), with where it stood at
/// the moment asked for: time travel and `H` rebuild stories from these.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTitle {
    /// The stored story it was grouped into (one grouping run's event).
    pub story: String,
    pub key: TopicKey,
    pub title: String,
    pub first_seen: DateTime<FixedOffset>,
    /// Last stored sighting by the moment asked for.
    pub last_seen: Option<DateTime<FixedOffset>>,
    /// Best rank by the moment asked for; `None` once its polls expired.
    pub best_rank: Option<u32>,
    /// Rank and heat on its list at that moment; `None` when not listed then.
    pub listed: Option<(u32, Option<u64>)>,
}

impl Events {
    /// The stories of stored titles as of `at`. Stories that share a title are one (each run
    /// of the app groups anew, so a story that outlived a restart is stored under two names).
    /// What the store does not keep is approximated and said so here: heat is each title's
    /// heat at `at` (none when not listed then), and time on lists spans each title's first to
    /// last stored sighting, gaps included.
    pub fn from_stored(at: DateTime<FixedOffset>, titles: &[StoredTitle]) -> Events {
        // Union the stories that share a topic.
        let mut story_ix: FxHashMap<&str, usize> = FxHashMap::default();
        for t in titles {
            let n = story_ix.len();
            story_ix.entry(t.story.as_str()).or_insert(n);
        }
        let mut parent: Vec<usize> = (0..story_ix.len()).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        let mut by_topic: FxHashMap<&TopicKey, usize> = FxHashMap::default();
        for t in titles {
            let s = story_ix[t.story.as_str()];
            if let Some(&other) = by_topic.get(&t.key) {
                let (a, b) = (root(&mut parent, s), root(&mut parent, other));
                parent[a.max(b)] = a.min(b);
            } else {
                by_topic.insert(&t.key, s);
            }
        }
        // One member per topic per group: the earliest sighting, the best rank.
        let mut groups: BTreeMap<usize, Vec<EventMember>> = BTreeMap::new();
        for t in titles.iter().filter(|t| t.first_seen <= at) {
            let g = root(&mut parent, story_ix[t.story.as_str()]);
            let members = groups.entry(g).or_default();
            let best = t
                .best_rank
                .into_iter()
                .chain(t.listed.map(|l| l.0))
                .min()
                .unwrap_or(UNKNOWN_RANK);
            match members.iter_mut().find(|m| m.key == t.key) {
                Some(m) => {
                    m.first_seen = m.first_seen.min(t.first_seen);
                    if best != UNKNOWN_RANK {
                        m.best_rank = if m.best_rank == UNKNOWN_RANK {
                            best
                        } else {
                            m.best_rank.min(best)
                        };
                    }
                }
                None => members.push(EventMember {
                    platform: t.key.platform,
                    rank: t.listed.map(|l| l.0),
                    best_rank: best,
                    title: t.title.clone(),
                    key: t.key.clone(),
                    key_hash: topic_hash(&t.key),
                    first_seen: t.first_seen,
                    last_seen: t.last_seen.unwrap_or(t.first_seen).max(t.first_seen),
                    heat: t.listed.and_then(|l| l.1),
                }),
            }
        }
        let events = groups
            .into_values()
            .enumerate()
            .map(|(id, mut members)| {
                members.sort_by(|a, b| (a.first_seen, &a.key).cmp(&(b.first_seen, &b.key)));
                Arc::new(stored_event(id as EventId, members))
            })
            .collect();
        Events::new(Some(at), events)
    }
}

/// An event from its stored members (first seen first; at least one).
fn stored_event(id: EventId, members: Vec<EventMember>) -> Event {
    let mut platforms: Vec<PlatformSpan> = Vec::new();
    for m in &members {
        match platforms.iter_mut().find(|p| p.platform == m.platform) {
            Some(p) => {
                p.first_seen = p.first_seen.min(m.first_seen);
                if m.best_rank != UNKNOWN_RANK
                    && (p.best_rank == UNKNOWN_RANK || m.best_rank < p.best_rank)
                {
                    p.best_rank = m.best_rank;
                }
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
    let heat = platforms
        .iter()
        .any(|p| p.heat.is_some())
        .then(|| platforms.iter().filter_map(|p| p.heat).sum());
    let score = platforms
        .iter()
        .map(|p| 1.0 / f64::from(p.best_rank.max(1)).sqrt())
        .sum();
    // Minutes covered by some title's first-to-last sighting.
    let mut spans: Vec<_> = members
        .iter()
        .map(|m| (m.first_seen, m.last_seen))
        .collect();
    spans.sort();
    let mut listed_secs = 0i64;
    let mut open: Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)> = None;
    for (a, b) in spans {
        match open {
            Some((s, e)) if a <= e => open = Some((s, e.max(b))),
            _ => {
                if let Some((s, e)) = open {
                    listed_secs += (e - s).num_seconds();
                }
                open = Some((a, b));
            }
        }
    }
    if let Some((s, e)) = open {
        listed_secs += (e - s).num_seconds();
    }
    let label = members
        .iter()
        .min_by_key(|m| (m.rank.is_none(), m.best_rank == UNKNOWN_RANK, m.best_rank))
        .map(|m| m.title.clone())
        .unwrap_or_default();
    Event {
        id,
        label,
        on_lists: members.iter().any(|m| m.rank.is_some()),
        first_seen: members
            .iter()
            .map(|m| m.first_seen)
            .min()
            .unwrap_or_default(),
        last_seen: members
            .iter()
            .map(|m| m.last_seen)
            .max()
            .unwrap_or_default(),
        listed_min: u32::try_from(listed_secs / 60).unwrap_or(u32::MAX),
        platforms,
        members,
        heat,
        score,
    }
}

fn topic_hash(key: &TopicKey) -> u64 {
    let mut h = FxHasher::default();
    key.hash(&mut h);
    h.finish()
}

/// A sparse vector: (feature, value), sorted by feature.
type Vector = Vec<(u64, f32)>;

#[derive(Clone)]
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

#[derive(Clone)]
struct EventState {
    /// The titles seen within `end_after_min` (older ones are dropped, see `end_events`).
    members: Vec<MemberState>,
    /// Per platform since the event began, dropped titles included.
    spans: Vec<Span>,
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

/// An event on one platform since it began.
#[derive(Clone)]
struct Span {
    platform: Platform,
    first_seen: DateTime<FixedOffset>,
    best_rank: u32,
    heat: Option<u64>,
}

/// A platform's last two polls.
#[derive(Debug, Clone, Copy, Default)]
struct Polls {
    last: Option<DateTime<FixedOffset>>,
    prev: Option<DateTime<FixedOffset>>,
}

/// The incremental grouper (see the module doc). Feed it every poll in time order.
#[derive(Clone)]
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
    /// Decayed number of events per feature (its document frequency), and of events.
    df: FxHashMap<u64, f32>,
    stories: f32,
    decayed_at: Option<f64>,
    polls: [Polls; Platform::COUNT],
    clock: Option<DateTime<FixedOffset>>,
    /// Per platform: the events with a title on its last list, and whether that list was
    /// current when the views were last built.
    on_last: [(Vec<EventId>, bool); Platform::COUNT],
    /// The view of each live event, rebuilt when it changes.
    views: FxHashMap<EventId, Arc<Event>>,
    view: Arc<Events>,
    /// Titles that joined an event in the poll being taken in.
    joined: Vec<Joined>,
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
            on_last: Default::default(),
            views: FxHashMap::default(),
            view: Arc::default(),
            joined: Vec::new(),
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

    /// Take in one poll, tokenising its new titles. A poll not newer than the platform's last
    /// one is ignored (a list shown again); one from long before the newest poll starts a new
    /// timeline (a replay that wrapped around).
    pub fn observe(&mut self, snap: &Snapshot, tok: &Tokenizer) {
        self.observe_words(snap, &mut |_, t| Arc::new(title_words(tok, t)));
    }

    /// [`EventGrouper::observe`] with the words of each ranked row already at hand
    /// (`words[i]` for `snap.ranked[i]`: the analysis engine's per-title cache).
    pub fn observe_with(&mut self, snap: &Snapshot, words: &[Arc<TitleInfo>]) {
        self.observe_words(snap, &mut |i, _| words.get(i).cloned().unwrap_or_default());
    }

    /// `words(i, row)`: the words of ranked row `i`, asked for the new titles only.
    fn observe_words(
        &mut self,
        snap: &Snapshot,
        words: &mut dyn FnMut(usize, &Topic) -> Arc<TitleInfo>,
    ) {
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
            // Nothing joined in a poll not taken in.
            if !self.view.joined.is_empty() {
                Arc::make_mut(&mut self.view).joined.clear();
            }
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
        for (i, topic) in snap.ranked.iter().enumerate() {
            let key = topic.key();
            let rank = topic.rank.unwrap_or(u32::MAX);
            let seen = match self.topics.get(&key) {
                Some(&(id, member)) => self.events.get_mut(&id).map(|ev| {
                    let m = &mut ev.members[member];
                    let continued = prev == Some(m.last_seen);
                    m.last_seen = at;
                    m.rank = rank;
                    m.best_rank = m.best_rank.min(rank);
                    m.heat = m.heat.max(topic.heat);
                    ev.last = ev.last.max(t);
                    if let Some(s) = ev.spans.iter_mut().find(|s| s.platform == snap.platform) {
                        s.best_rank = s.best_rank.min(rank);
                        s.heat = s.heat.max(topic.heat);
                    }
                    (id, continued)
                }),
                None => None,
            };
            touched.push(seen.unwrap_or_else(|| {
                let info = words(i, topic);
                (self.add(topic, &info, key, at), false)
            }));
        }
        touched.sort_unstable();
        touched.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            kept.1 |= same && later.1;
            same
        });
        if let Some(p) = prev {
            let from = minutes(&p);
            for &(id, continued) in &touched {
                if let Some(ev) = self.events.get_mut(&id).filter(|_| continued) {
                    ev.listed(from, t);
                }
            }
        }
        let mut dirty = self.end_events(t);
        let now: Vec<EventId> = touched.into_iter().map(|(id, _)| id).collect();
        dirty.extend(std::mem::replace(
            &mut self.on_last[snap.platform.index()].0,
            now,
        ));
        self.refresh_views(snap.platform, dirty);
    }

    /// Rebuild the views of the events that changed — those on this poll's list or on the
    /// platform's previous one (`dirty`), and those of a list that went stale — and the
    /// sorted [`Events`].
    fn refresh_views(&mut self, platform: Platform, mut dirty: Vec<EventId>) {
        dirty.extend_from_slice(&self.on_last[platform.index()].0);
        for p in Platform::ALL {
            let current = self.list_current(p);
            let (events, was) = &mut self.on_last[p.index()];
            if *was != current {
                *was = current;
                dirty.extend_from_slice(events);
            }
        }
        dirty.sort_unstable();
        dirty.dedup();
        for id in dirty {
            if let Some(ev) = self.events.get(&id) {
                self.views.insert(id, Arc::new(self.view(id, ev)));
            }
        }
        self.views.retain(|id, _| self.events.contains_key(id));
        let mut view = Events::new(self.clock, self.views.values().cloned().collect());
        view.joined = std::mem::take(&mut self.joined);
        self.view = Arc::new(view);
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
        // ok: a whole number of hours, at most a month's
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
        words: &TitleInfo,
        key: TopicKey,
        at: DateTime<FixedOffset>,
    ) -> EventId {
        let raw = raw_features(words, topic.title.as_str(), &self.cfg);
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
        self.joined.push(Joined {
            event: id,
            key: key.clone(),
            title: topic.title.as_str().to_string(),
            first_seen: at,
        });
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
                spans: Vec::new(),
                centroid: FxHashMap::default(),
                norm2: 0.0,
                label: 0,
                last: f64::NEG_INFINITY,
                listed_min: 0.0,
                covered_until: f64::NEG_INFINITY,
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
        match ev.spans.iter_mut().find(|s| s.platform == m.key.platform) {
            Some(s) => {
                s.best_rank = s.best_rank.min(m.best_rank);
                s.heat = s.heat.max(m.heat);
            }
            None => ev.spans.push(Span {
                platform: m.key.platform,
                first_seen: m.first_seen,
                best_rank: m.best_rank,
                heat: m.heat,
            }),
        }
        self.topics.insert(m.key.clone(), (id, ev.members.len()));
        if let Some(pid) = &m.platform_id {
            self.ids.insert((m.key.platform, pid.clone()), id);
        }
        ev.members.push(m);
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

    /// End the events none of whose titles has been seen for `end_after_min`, and drop the
    /// titles of live events not seen for that long (their platforms keep their first-seen
    /// time and best rank): an event's vocabulary is that of its recent titles, and a story
    /// on the lists for weeks stays as small as its current titles. Returns the events that
    /// dropped titles.
    fn end_events(&mut self, t: f64) -> Vec<EventId> {
        let limit = t - self.cfg.end_after_min;
        let mut ended: Vec<EventId> = Vec::new();
        let mut pruned: Vec<EventId> = Vec::new();
        for (&id, e) in &self.events {
            if e.last < limit {
                ended.push(id);
            } else if e.members.iter().any(|m| minutes(&m.last_seen) < limit) {
                pruned.push(id);
            }
        }
        ended.sort_unstable();
        pruned.sort_unstable();
        for id in ended {
            let Some(ev) = self.events.remove(&id) else {
                continue;
            };
            self.unindex(id, ev.centroid.keys());
            for m in &ev.members {
                self.topics.remove(&m.key);
            }
        }
        for &id in &pruned {
            let Some(ev) = self.events.get_mut(&id) else {
                continue;
            };
            let (keep, gone): (Vec<MemberState>, Vec<MemberState>) =
                std::mem::take(&mut ev.members)
                    .into_iter()
                    .partition(|m| minutes(&m.last_seen) >= limit);
            ev.members = keep;
            // The centroid of the remaining titles, summed afresh (no drift from subtracting).
            let mut centroid: FxHashMap<u64, f32> = FxHashMap::default();
            for m in &ev.members {
                for &(f, x) in &m.vector {
                    *centroid.entry(f).or_default() += x;
                }
            }
            let old = std::mem::replace(&mut ev.centroid, centroid);
            ev.norm2 = ev.centroid.values().map(|x| x * x).sum();
            ev.relabel();
            for (i, m) in ev.members.iter().enumerate() {
                self.topics.insert(m.key.clone(), (id, i));
            }
            let dropped: Vec<u64> = old
                .into_keys()
                .filter(|f| !ev.centroid.contains_key(f))
                .collect();
            for m in gone {
                self.topics.remove(&m.key);
            }
            self.unindex(id, dropped.iter());
        }
        if self.ids.len() > 2 * self.topics.len() + 64 {
            let events = &self.events;
            self.ids.retain(|_, id| events.contains_key(id));
        }
        pruned
    }

    /// Take event `id` off the postings of `features`.
    fn unindex<'a>(&mut self, id: EventId, features: impl Iterator<Item = &'a u64>) {
        for f in features {
            if let Some(p) = self.index.get_mut(f) {
                p.retain(|&e| e != id);
                if p.is_empty() {
                    self.index.remove(f);
                }
            }
        }
    }

    /// Is a platform's last list still current (not overdue for a newer one)?
    fn list_current(&self, p: Platform) -> bool {
        let polls = self.polls[p.index()];
        let (Some(last), Some(now)) = (polls.last, self.clock) else {
            return false;
        };
        let gap = polls
            .prev
            .map_or(0.0, |prev| minutes(&last) - minutes(&prev));
        minutes(&now) - minutes(&last) <= CURRENT_LIST_MIN.max(1.5 * gap)
    }

    /// Is a member on its platform's current list?
    fn on_list(&self, m: &MemberState) -> bool {
        let p = m.key.platform;
        self.polls[p.index()].last == Some(m.last_seen) && self.list_current(p)
    }

    /// The live events as of the last poll, ordered by platforms present, then score (built
    /// when the poll was taken in; this is a reference count).
    pub fn events(&self) -> Arc<Events> {
        self.view.clone()
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
                key_hash: topic_hash(&m.key),
                first_seen: m.first_seen,
                last_seen: m.last_seen,
                heat: m.heat,
            })
            .collect();
        let mut platforms: Vec<PlatformSpan> = ev
            .spans
            .iter()
            .map(|s| PlatformSpan {
                platform: s.platform,
                first_seen: s.first_seen,
                best_rank: s.best_rank,
                heat: s.heat,
                on_list: members
                    .iter()
                    .any(|m| m.platform == s.platform && m.rank.is_some()),
            })
            .collect();
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
        let first_seen = platforms.iter().map(|p| p.first_seen).min();
        let last_seen = members.iter().map(|m| m.last_seen).max();
        let (Some(first_seen), Some(last_seen)) = (first_seen, last_seen) else {
            unreachable!("a live event has a title seen within end_after_min")
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
) -> Arc<Events> {
    let mut g = EventGrouper::new(cfg);
    for l in sorted_lines(lines) {
        if until.is_some_and(|u| l.captured_at > u) {
            break;
        }
        g.observe(&l.to_snapshot(), tok);
    }
    g.events()
}

/// A title's words as the analysis engine has them: the title's terms, then its query's
/// when that differs (Bilibili's keyword), with the name flags.
fn title_words(tok: &Tokenizer, topic: &Topic) -> TitleInfo {
    let title = topic.title.as_str();
    let t = tok.tokenize(title);
    let (mut terms, mut names) = (t.terms, t.names);
    let query = topic.query.as_ref().map(|q| q.as_str());
    if let Some(q) = query.filter(|q| normalize_title(q) != normalize_title(title)) {
        let qt = tok.tokenize(q);
        for (w, n) in qt.terms.into_iter().zip(qt.names) {
            match terms.iter().position(|x| *x == w) {
                Some(i) => names[i] |= n,
                None => {
                    terms.push(w);
                    names.push(n);
                }
            }
        }
    }
    TitleInfo {
        terms,
        names,
        kols: Vec::new(),
    }
}

/// A title's features with their weights before idf, sorted by feature (see the module doc).
fn raw_features(words: &TitleInfo, title: &str, cfg: &EventConfig) -> Vec<(u64, f32)> {
    let mut out: Vec<(u64, f32)> = Vec::new();
    for (w, &name) in words.terms.iter().zip(&words.names) {
        let weight = if name { cfg.name_weight } else { 1.0 };
        out.push((feature(WORD, w.as_bytes()), weight));
    }
    let text = normalize_text(title);
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
    use crate::domain::from_unix;

    impl EventGrouper {
        /// Every view built afresh (what the cached views must equal).
        fn rebuilt(&self) -> Events {
            let all = self.events.iter();
            let views = all.map(|(&id, ev)| Arc::new(self.view(id, ev))).collect();
            let mut e = Events::new(self.clock, views);
            e.joined = self.view.joined.clone();
            e
        }
    }

    /// Stored stories: two runs' stories sharing a title are one; platforms in first-seen
    /// order; the rank and heat of a title listed at the moment; a rank the history lost is
    /// unknown, not a number; titles first seen after the moment are left out.
    #[test]
    fn stored_titles_rebuild_one_story_across_restarts() {
        let t = |m: i64| from_unix(1_760_000_000 + m * 60).unwrap();
        let title =
            |story: &str, p: Platform, s: &str, first: i64, rank: Option<u32>| StoredTitle {
                story: story.into(),
                key: TopicKey::new(p, s),
                title: s.into(),
                first_seen: t(first),
                last_seen: Some(t(first + 30)),
                best_rank: rank,
                listed: None,
            };
        let mut titles = vec![
            title("1-4", Platform::Douyin, "烟花秀调查通报", 0, Some(3)),
            title("1-4", Platform::Weibo, "官方通报烟花秀调查", 20, Some(1)),
            title("2-1", Platform::Weibo, "官方通报烟花秀调查", 20, None),
            title("2-1", Platform::Baidu, "烟花秀多人被免职", 50, None),
            title("2-1", Platform::Zhihu, "烟花秀还有哪些信息", 500, Some(2)),
            title("2-2", Platform::Weibo, "另一个话题", 10, Some(5)),
        ];
        titles[3].listed = Some((4, Some(1000)));
        let events = Events::from_stored(t(100), &titles);
        assert_eq!(events.events.len(), 2);
        let e = events
            .of(&TopicKey::new(Platform::Baidu, "烟花秀多人被免职"))
            .unwrap();
        let order: Vec<_> = e
            .platforms
            .iter()
            .map(|p| (p.platform, p.first_seen, p.best_rank, p.on_list))
            .collect();
        assert_eq!(
            order,
            [
                (Platform::Douyin, t(0), 3, false),
                (Platform::Weibo, t(20), 1, false),
                (Platform::Baidu, t(50), 4, true),
            ]
        );
        assert_eq!(
            e.members.len(),
            3,
            "the Weibo title once, the later Zhihu one not yet"
        );
        assert_eq!(e.heat, Some(1000));
        assert!(e.on_lists);
        // Sightings 0–30, 20–50, 50–80 cover 80 minutes.
        assert_eq!(e.listed_min, 80);
        assert_eq!(e.label, "烟花秀多人被免职", "the listed title");
        let lost = Events::from_stored(t(100), &titles[3..4]);
        assert_eq!(lost.events[0].platforms[0].best_rank, 4);
        let mut unranked = titles[3].clone();
        unranked.listed = None;
        let lost = Events::from_stored(t(100), &[unranked]);
        assert_eq!(lost.events[0].platforms[0].best_rank, UNKNOWN_RANK);
    }

    fn poll(p: Platform, minute: i64, titles: &[&str]) -> (Snapshot, Vec<Arc<TitleInfo>>) {
        let mut s = Snapshot::new(p, from_unix(1_760_000_000 + minute * 60).unwrap());
        let mut words = Vec::new();
        for (i, t) in titles.iter().enumerate() {
            s.ranked.push(Topic::new(p, Some(i as u32 + 1), t));
            // One word per title: its first two characters.
            words.push(Arc::new(TitleInfo {
                terms: vec![t.chars().take(2).collect()],
                names: vec![false],
                kols: Vec::new(),
            }));
        }
        (s.finish(), words)
    }

    #[test]
    fn cached_views_equal_views_built_afresh() {
        let mut g = EventGrouper::default();
        let polls = [
            (
                Platform::Weibo,
                0,
                vec!["台风登陆广东", "金价创新高", "球队夺冠庆祝"],
            ),
            (Platform::Douyin, 1, vec!["台风登陆广东沿海", "新剧开播"]),
            (Platform::Weibo, 10, vec!["金价创新高", "台风登陆广东"]),
            (Platform::Douyin, 11, vec!["新剧开播"]),
            // Douyin stops; Weibo polls on until Douyin's list is stale.
            (Platform::Weibo, 60, vec!["金价创新高"]),
            (Platform::Weibo, 120, vec!["金价创新高", "新剧开播了"]),
            (Platform::Weibo, 200, vec!["球队夺冠庆祝"]),
        ];
        let mut known = std::collections::HashSet::new();
        for (p, m, titles) in polls {
            let (snap, words) = poll(p, m, &titles);
            g.observe_with(&snap, &words);
            assert_eq!(*g.events(), g.rebuilt(), "after {p:?} at +{m} min");
            // The titles new to the grouper joined, each with its event, seen now.
            let events = g.events();
            let joined: Vec<&str> = events.joined.iter().map(|j| j.title.as_str()).collect();
            let new: Vec<&str> = titles
                .iter()
                .copied()
                .filter(|t| known.insert(TopicKey::new(p, t)))
                .collect();
            assert_eq!(joined, new, "after {p:?} at +{m} min");
            for j in &events.joined {
                assert_eq!(events.of(&j.key).map(|e| e.id), Some(j.event));
                assert_eq!(j.first_seen, snap.captured_at);
            }
        }
        // A list shown again joins nothing.
        let (snap, words) = poll(Platform::Weibo, 200, &["新标题"]);
        g.observe_with(&snap, &words);
        assert!(g.events().joined.is_empty());
        // Douyin's last list (minute 11) is stale at minute 200: its titles are off the lists.
        let events = g.events();
        let drama = events
            .of(&TopicKey::new(Platform::Douyin, "新剧开播"))
            .expect("event");
        assert!(
            drama
                .members
                .iter()
                .all(|m| m.platform != Platform::Douyin || m.rank.is_none())
        );
    }

    #[test]
    fn titles_off_the_lists_for_long_leave_a_live_event_but_their_platform_stays() {
        let mut g = EventGrouper::default();
        let story = "台风登陆广东";
        let (weibo, words) = poll(Platform::Weibo, 0, &[story, "金价创新高"]);
        g.observe_with(&weibo, &words);
        // Douyin keeps the story on its list every hour; Weibo drops it after its first list.
        for hour in 0..8 {
            let (s, w) = poll(Platform::Douyin, 1 + 60 * hour, &[story]);
            g.observe_with(&s, &w);
            let (s, w) = poll(Platform::Weibo, 2 + 60 * hour, &["金价创新高"]);
            g.observe_with(&s, &w);
            assert_eq!(*g.events(), g.rebuilt(), "hour {hour}");
        }
        assert_eq!(g.event_of(&TopicKey::new(Platform::Weibo, story)), None);
        let events = g.events();
        let e = events
            .of(&TopicKey::new(Platform::Douyin, story))
            .expect("live");
        assert!(e.members.iter().all(|m| m.platform == Platform::Douyin));
        let spans: Vec<(Platform, bool)> = e
            .platforms
            .iter()
            .map(|p| (p.platform, p.on_list))
            .collect();
        assert_eq!(spans, [(Platform::Weibo, false), (Platform::Douyin, true)]);
        assert_eq!(e.first_seen, weibo.captured_at);
    }

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
            spans: Vec::new(),
            centroid: FxHashMap::default(),
            norm2: 0.0,
            label: 0,
            last: 0.0,
            listed_min: 0.0,
            covered_until: f64::NEG_INFINITY,
        };
        e.listed(0.0, 30.0);
        e.listed(10.0, 40.0);
        e.listed(100.0, 130.0);
        assert_eq!(e.listed_min, 70.0);
    }
}
