//! The production path: one snapshot in, one `AnalysisUpdate` out. Owns the tokeniser
//! (with a per-title cache: titles repeat across polls), the KOL matcher and the detector.

use std::collections::VecDeque;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::detect::{Detector, DetectorConfig, TermInput};
use super::dynamics::{Dynamics, DynamicsConfig, PollDynamics};
use super::events::{EventGrouper, Events};
use super::kol::{AccountRecord, AccountRole, Kol, KolMatcher, KolSpan, discover_kols};
use super::panel::{Member, Trend};
use super::row::{History, Keyword, Platforms};
use super::signal::item_weights_into;
use super::tokenize::{DictWord, Tokenizer};
use crate::domain::normalize::{normalize_text, normalize_title};
use crate::domain::{Platform, Snapshot, TopicKey};

/// Cached titles before the older generation is dropped (bounds memory over weeks). All
/// eleven lists bring ~1,400 new titles a day and a title costs ~0.4 KB cached in ~9 blocks;
/// the titles of the current lists (≤ ~550) survive a flush, so 2 × 1,024 keeps the last
/// day or so of titles in < 1 MB (4,096 held ~3.3 MB in 72,000 small blocks with every list
/// on, scattered over the heap). A miss costs a re-tokenisation (tens of µs), not a
/// different result.
pub const CACHE_GENERATION: usize = 1_024;
/// Topics whose hosts are remembered before the map starts over (topic pages are re-fetched).
const MAX_HOSTED_TOPICS: usize = 4_096;
/// Most KOLs the matcher holds (watchlist and discovered). Topic pages and drill-downs name
/// new verified accounts every day; each becomes a jieba word, a matcher pattern and a trend
/// slot, and indices must stay put, so past this count discovery stops adding (a restart
/// discovers afresh).
pub const MAX_KOLS: usize = 2_000;

/// Everything the analysis needs; the integrator fills it from config files.
#[derive(Debug, Clone, Default)]
pub struct AnalysisConfig {
    pub detector: DetectorConfig,
    /// Extra user-dictionary words (on top of the shipped list).
    pub dictionary: Vec<DictWord>,
    /// Extra stop-words (on top of the shipped list).
    pub stopwords: Vec<String>,
    /// Watchlist and discovered KOLs; their names join the jieba dictionary.
    pub kols: Vec<Kol>,
    /// Detector state file: loaded at start when present, saved when the worker stops.
    pub state_path: Option<PathBuf>,
    /// Cap on keyword rows per update (rising rows always come first).
    pub max_rows: Option<usize>,
    /// Thresholds of the list dynamics (withdrawn, anchored, label steps).
    pub dynamics: DynamicsConfig,
}

/// Tokens and KOL mentions of one title, computed once and cached.
#[derive(Debug, Clone, Default)]
pub struct TitleInfo {
    pub terms: Vec<String>,
    /// Per term: a name (see `Tokens::names`).
    pub names: Vec<bool>,
    pub kols: Vec<KolSpan>,
}

/// Which way a term's level is moving against its baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Flat,
    Down,
}

/// Title counts per platform. Serialised as `{"weibo": 3, "douyin": 1}` (platforms with a
/// count only), which reads files written when there were two fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlatformCounts([u32; Platform::COUNT]);

impl PlatformCounts {
    /// Counts from `(platform, n)` pairs (later pairs of one platform win).
    pub fn of(pairs: impl IntoIterator<Item = (Platform, u32)>) -> PlatformCounts {
        let mut c = PlatformCounts::default();
        for (p, n) in pairs {
            c.set(p, n);
        }
        c
    }

    pub fn get(&self, p: Platform) -> u32 {
        self.0[p.index()]
    }

    pub fn set(&mut self, p: Platform, n: u32) {
        self.0[p.index()] = n;
    }

    fn bump(&mut self, p: Platform) {
        self.0[p.index()] += 1;
    }

    pub fn total(&self) -> u32 {
        self.0.iter().sum()
    }

    pub fn platforms(&self) -> Platforms {
        Platform::ALL
            .into_iter()
            .filter(|&p| self.get(p) > 0)
            .collect()
    }
}

impl Serialize for PlatformCounts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        for p in Platform::ALL {
            if self.get(p) > 0 {
                m.serialize_entry(&p, &self.get(p))?;
            }
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for PlatformCounts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let m = std::collections::BTreeMap::<Platform, u32>::deserialize(d)?;
        let mut c = PlatformCounts::default();
        for (p, n) in m {
            c.set(p, n);
        }
        Ok(c)
    }
}

/// One keyword row: a term's state at this poll.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeywordRow {
    pub keyword: Keyword,
    /// Significance z of the combined heat share.
    pub score: f64,
    /// Current combined heat share.
    pub share: f64,
    /// Rising *now* (▲): in a rising episode, in the lists, significant and still growing.
    pub rising: bool,
    /// In a rising episode but no longer rising now (▽ cooling).
    pub cooling: bool,
    /// Start of the rising episode (rising and cooling rows).
    pub since: Option<DateTime<FixedOffset>>,
    /// Rising on two or more platforms' own lists (corroborated).
    pub cross_platform: bool,
    /// The platforms on whose own lists the term is rising now ("rising on N platforms").
    pub rising_on: Platforms,
    pub direction: Direction,
    pub platforms: Platforms,
    pub titles: PlatformCounts,
    /// Last heat shares, oldest first (bounded by `history_len`).
    pub history: History,
}

/// One entry of the keyword panel: one story, its terms grouped (see [`super::panel`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelEntry {
    /// The most telling term (a hashtag when there is one).
    pub label: Keyword,
    /// The other terms of the same titles, and of titles that are part of the story.
    pub others: Vec<Keyword>,
    /// The terms whose titles are the entry's titles (the label, then the label of any story
    /// that joined it): `Enter` filters the board to titles containing one of them.
    pub keys: Vec<Keyword>,
    pub trend: Trend,
    /// The label's significance.
    pub score: f64,
    /// The label's heat share.
    pub share: f64,
    /// Rising entries: since when (the earliest rising member's episode start).
    pub since: Option<DateTime<FixedOffset>>,
    pub cross_platform: bool,
    /// The platforms on whose own lists a rising member is rising now.
    pub rising_on: Platforms,
    pub direction: Direction,
    /// The entry's titles per platform.
    pub titles: PlatformCounts,
    pub platforms: Platforms,
    /// The label's heat shares, oldest first.
    pub history: History,
}

impl PanelEntry {
    pub fn rising(&self) -> bool {
        self.trend == Trend::Rising
    }

    /// The label and the other terms.
    pub fn terms(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.label.as_str()).chain(self.others.iter().map(|k| k.as_str()))
    }
}

/// KOL mentions in one topic of the processed list.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicKols {
    pub topic: TopicKey,
    pub title: String,
    pub mentions: Vec<KolSpan>,
}

/// Titles mentioning one KOL over the last polls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KolTrend {
    pub name: String,
    /// Titles in the current lists that mention the KOL or that it hosts.
    pub now: u32,
    /// Per processed poll, oldest first (bounded by `history_len`).
    pub history: Vec<u32>,
}

/// The result of one processed poll.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisUpdate {
    pub at: DateTime<FixedOffset>,
    /// The platform whose list triggered this update.
    pub platform: Platform,
    /// Keyword rows: rising first, then cooling, then steady; by score.
    pub keywords: Vec<KeywordRow>,
    /// The keyword panel: rising entries by score, cooling entries by score, then the steady
    /// entries with the largest heat share.
    pub entries: Vec<PanelEntry>,
    /// Rising keywords (▲ now), by score.
    pub rising: Vec<String>,
    /// Keywords that started rising at this poll.
    pub onsets: Vec<String>,
    /// Keywords rising on both platforms.
    pub cross_platform: Vec<String>,
    /// KOL mentions per topic of the processed list.
    pub kol_mentions: Vec<TopicKols>,
    pub kol_trends: Vec<KolTrend>,
    /// True while the detector is still in its warm-up window (no flags yet).
    pub warming_up: bool,
    /// When flags may start (the end of the warm-up).
    pub flags_from: Option<DateTime<FixedOffset>>,
    /// Built from stored history at start-up, not from a live poll (nothing to alert or store).
    pub seeded: bool,
    /// List dynamics of this platform: this poll's candidates and the topics marked now.
    pub dynamics: PollDynamics,
    /// Stories across platforms as of this poll (see [`super::events`]); empty unless the
    /// analyser groups events ([`Analyzer::set_events`]).
    pub events: Arc<Events>,
}

/// One title of a platform's current list: its weight and its slices of the list's
/// flat term-id and KOL arrays.
struct ListItem {
    /// Pinned rows are editorial (the platform's 置顶 / government headline), not attention:
    /// their terms are tokenised for the board but carry no signal (see `process`).
    pinned: bool,
    /// First seen now (counts towards its terms' document frequency).
    new: bool,
    weight: f64,
    terms: Range<usize>,
    kols: Range<usize>,
}

/// A platform's last list, as term ids (buffers reused from poll to poll).
#[derive(Default)]
struct PlatformList {
    at: f64,
    /// Minutes between this platform's last two lists (how often it is polled).
    gap: f64,
    live: bool,
    items: Vec<ListItem>,
    ids: Vec<u32>,
    /// Per entry of `ids`: a name in that title.
    names: Vec<bool>,
    kols: Vec<usize>,
}

/// A title's analysis as the per-poll path needs it: term ids in the detector's table and
/// the distinct KOLs mentioned; `info` keeps the strings for `title_info` and the output.
struct CachedTitle {
    info: Arc<TitleInfo>,
    ids: Box<[u32]>,
    kols: Box<[usize]>,
}

/// Two-generation cache: bounded, and titles still in use survive a flush. Entries live in
/// a slab so that a lookup is one hash probe returning an index.
#[derive(Default)]
struct TitleCache {
    entries: Vec<CachedTitle>,
    /// Slab slots of dropped entries, reused by the next inserts.
    free: Vec<u32>,
    current: FxHashMap<Box<str>, u32>,
    previous: FxHashMap<Box<str>, u32>,
    /// A generation was dropped: term ids only it referenced can be released.
    flushed: bool,
}

impl TitleCache {
    fn get(&mut self, key: &str) -> Option<u32> {
        if let Some(&i) = self.current.get(key) {
            return Some(i);
        }
        let (k, i) = self.previous.remove_entry(key)?;
        self.link(k, i);
        Some(i)
    }

    fn insert(&mut self, key: Box<str>, v: CachedTitle) -> u32 {
        let i = match self.free.pop() {
            Some(i) => {
                self.entries[i as usize] = v;
                i
            }
            None => {
                self.entries.push(v);
                // ok: a generation holds at most CACHE_GENERATION entries, two of them fit u32
                (self.entries.len() - 1) as u32
            }
        };
        self.link(key, i);
        i
    }

    fn link(&mut self, key: Box<str>, i: u32) {
        if self.current.len() >= CACHE_GENERATION {
            let dropped = std::mem::replace(&mut self.previous, std::mem::take(&mut self.current));
            self.free.extend(dropped.into_values());
            self.flushed = true;
        }
        self.current.insert(key, i);
    }

    fn entry(&self, i: u32) -> &CachedTitle {
        &self.entries[i as usize]
    }

    /// Entries still reachable from a key.
    fn live(&self) -> impl Iterator<Item = &CachedTitle> {
        let slots = self.current.values().chain(self.previous.values());
        slots.map(|&i| self.entry(i))
    }

    fn entries_mut(&mut self) -> impl Iterator<Item = &mut CachedTitle> {
        self.entries.iter_mut()
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.free.clear();
        self.current.clear();
        self.previous.clear();
    }
}

/// Snapshot time in minutes (the detector's clock).
pub fn minutes(at: &DateTime<FixedOffset>) -> f64 {
    at.timestamp() as f64 / 60.0 + f64::from(at.timestamp_subsec_millis()) / 60_000.0
}

/// Sizes of an analyser's bounded structures: tracked terms (bounded by eviction), interned
/// names (tracked terms + terms of cached titles), cached titles (two generations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalyzerStats {
    pub tracked_terms: usize,
    pub interned_terms: usize,
    pub cached_titles: usize,
    /// KOLs matched (watchlist and discovered; at most [`MAX_KOLS`]).
    pub kols: usize,
    /// Topics whose hosts are remembered.
    pub hosted_topics: usize,
}

/// One term's accumulated input for the current poll.
struct Acc {
    id: u32,
    inp: TermInput,
    counts: PlatformCounts,
    /// Its slice of `Scratch::sets`: the poll's title indices containing it.
    set: Range<usize>,
    /// A name in one of its titles (see `Tokens::names`).
    name: bool,
}

/// A keyword-row candidate: the sort key and what the row needs, without strings.
struct Candidate {
    /// Row order as an integer: rising first, then score descending, then the name's first
    /// bytes (see [`sort_key`]); the full names decide only beyond that.
    key: u128,
    id: u32,
    trend: Trend,
    /// Index into `Scratch::acc`.
    acc: usize,
    /// Rising on two or more platforms (read while the state is at hand).
    cross: bool,
    rising_on: Platforms,
    score: f64,
    share: f64,
    counts: PlatformCounts,
}

/// The first 8 bytes of a name, zero-padded, big-endian: comparing these orders names like
/// `str::cmp` except when they are equal, where the full names must decide.
fn name_prefix(name: &str) -> u64 {
    let mut b = [0u8; 8];
    let n = name.len().min(8);
    b[..n].copy_from_slice(&name.as_bytes()[..n]);
    u64::from_be_bytes(b)
}

/// An integer that orders like (trend, value desc by `f64::total_cmp`): the sort compares
/// integers and looks at names only for exact ties.
fn row_key(trend: Trend, value: f64) -> u128 {
    // `total_cmp`'s own trick: flip the magnitude bits of negatives, then the sign bit
    // makes the order unsigned.
    let bits = value.to_bits() as i64;
    let ordered = (bits ^ ((((bits >> 63) as u64) >> 1) as i64)) as u64 ^ (1 << 63);
    // `Trend` is declared hottest first: its discriminant is the panel's section order.
    ((trend as u128) << 64) | u128::from(!ordered)
}

/// [`row_key`] of (trend, score — or share for steady terms) and the top 62 bits of
/// [`name_prefix`] in one integer (the row key uses 66 bits): it orders like the pair, except
/// that names equal on those bits compare equal and the full names decide, which
/// [`name_prefix`] never contradicts.
fn sort_key(trend: Trend, score: f64, share: f64, name: &str) -> u128 {
    let value = if trend == Trend::Steady { share } else { score };
    (row_key(trend, value) << 62) | u128::from(name_prefix(name) >> 2)
}

/// Per-poll scratch buffers, kept to avoid reallocating every poll.
#[derive(Default)]
struct Scratch {
    /// Per term id: index into `acc`, or `NONE`.
    slot: Vec<u32>,
    acc: Vec<Acc>,
    inputs: Vec<(u32, TermInput)>,
    cands: Vec<Candidate>,
    /// Title indices per term (see `Acc::set`), and a fill cursor per term.
    sets: Vec<u32>,
    fill: Vec<usize>,
    kol_now: Vec<u32>,
    key: String,
    weights: Vec<f64>,
    /// The words of this poll's ranked rows, for the events.
    words: Vec<Arc<TitleInfo>>,
}

const NONE: u32 = u32::MAX;

pub struct Analyzer {
    tokenizer: Tokenizer,
    matcher: KolMatcher,
    detector: Detector,
    cache: TitleCache,
    lists: [PlatformList; Platform::COUNT],
    /// Per KOL index: titles mentioning it at each of the last polls (None: not active).
    kol_history: Vec<Option<VecDeque<u32>>>,
    /// Per normalised Weibo title: the KOLs hosting it (from topic pages).
    hosts: FxHashMap<String, Box<[usize]>>,
    max_rows: usize,
    scratch: Scratch,
    dynamics: Dynamics,
    events: Option<EventGrouper>,
}

/// Does a platform's list of `age` minutes still count, given its platform's spacing `gap`?
/// Until a newer one is overdue: `stale_after_min`, or half a gap more than the spacing
/// (archives of 2-hourly lists). The eval replays lists by the same rule.
pub fn list_is_live(age: f64, gap: f64, cfg: &DetectorConfig) -> bool {
    age <= cfg.stale_after_min.max(1.5 * gap)
}

/// Titles unseen this long count as new again.
const SEEN_TITLE_MIN: f64 = 24.0 * 60.0;

/// Minutes → a time in the offset of `like`.
fn at_minutes(m: f64, like: &DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let secs = (m * 60.0).round();
    if !secs.is_finite() || secs.abs() > 1e15 {
        return None;
    }
    // ok: bounded just above
    DateTime::from_timestamp(secs as i64, 0).map(|d| d.with_timezone(like.offset()))
}

fn direction(e: &super::detect::Ewma, cfg: &DetectorConfig) -> Direction {
    if e.growing {
        Direction::Up
    } else if e.falling(cfg) {
        Direction::Down
    } else {
        Direction::Flat
    }
}

fn trend_of(st: &super::detect::TermState) -> Trend {
    if st.now {
        Trend::Rising
    } else if st.cooling() {
        Trend::Cooling
    } else {
        Trend::Steady
    }
}

impl Analyzer {
    /// Build the tokeniser (slow: loads jieba's dictionary) with user words and KOL names.
    pub fn new(cfg: &AnalysisConfig) -> Analyzer {
        let mut tokenizer = Tokenizer::new(&cfg.dictionary, &cfg.stopwords);
        for k in &cfg.kols {
            for n in k.names() {
                tokenizer.add_word(n, None, Some("nr"));
            }
        }
        Analyzer {
            tokenizer,
            matcher: KolMatcher::new(cfg.kols.clone()),
            detector: Detector::new(cfg.detector.clone()),
            cache: TitleCache::default(),
            lists: Default::default(),
            kol_history: Vec::new(),
            hosts: FxHashMap::default(),
            max_rows: cfg.max_rows.unwrap_or(300),
            scratch: Scratch::default(),
            dynamics: Dynamics::new(cfg.dynamics.clone()),
            events: None,
        }
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    pub fn detector(&self) -> &Detector {
        &self.detector
    }

    /// Replace the detector state (restored baselines); the config stays this analyser's.
    pub fn set_detector(&mut self, mut d: Detector) {
        d.cfg = self.detector.cfg.clone();
        // Cached titles and lists hold ids of the old table: re-intern their names.
        let old = std::mem::replace(&mut self.detector, d);
        let map: Vec<u32> = (0..old.terms.interned())
            // ok: the id space is numbered below u32::MAX by `intern`
            .map(|i| self.detector.terms.intern(old.terms.name(i as u32)))
            .collect();
        self.remap_ids(|id| map.get(id as usize).copied().unwrap_or(NONE));
    }

    /// Start over with a new detector config, keeping the tokeniser and its cache.
    pub fn reset(&mut self, cfg: DetectorConfig) {
        self.detector.reset(cfg);
        for l in &mut self.lists {
            l.live = false;
        }
        self.kol_history.clear();
        if let Some(g) = &mut self.events {
            g.reset();
        }
        // (The detector's reset also forgets the seen titles: a reset replays like a fresh start.)
    }

    /// Sizes of the bounded structures (for memory reports).
    pub fn stats(&self) -> AnalyzerStats {
        AnalyzerStats {
            tracked_terms: self.detector.terms.len(),
            interned_terms: self.detector.terms.interned(),
            cached_titles: self.cache.current.len() + self.cache.previous.len(),
            kols: self.matcher.kols().len(),
            hosted_topics: self.hosts.len(),
        }
    }

    /// Accounts seen on a topic's page (host, media, post authors): new KOLs among them
    /// (see [`discover_kols`]) join the matcher and the jieba dictionary, and the host counts
    /// for the topic in the KOL trends. Returns the KOLs added.
    pub fn add_topic_accounts(&mut self, topic: &str, records: &[AccountRecord]) -> Vec<Kol> {
        let mut added = discover_kols(records, self.matcher.kols());
        added.truncate(MAX_KOLS.saturating_sub(self.matcher.kols().len()));
        if !added.is_empty() {
            for k in &added {
                for n in k.names() {
                    self.tokenizer.add_word(n, None, Some("nr"));
                }
            }
            // Indices of known KOLs stay put: lists and histories refer to them.
            let mut kols = self.matcher.kols().to_vec();
            kols.extend(added.iter().cloned());
            self.matcher = KolMatcher::new(kols);
            // Cached titles were segmented and matched without the new names.
            self.cache.clear();
        }
        let mut hosts: Vec<usize> = Vec::new();
        for r in records.iter().filter(|r| r.role == AccountRole::Host) {
            if let Some(i) = self.kol_index(&r.name, r.uid.as_deref())
                && !hosts.contains(&i)
            {
                hosts.push(i);
            }
        }
        if !hosts.is_empty() {
            if self.hosts.len() >= MAX_HOSTED_TOPICS {
                self.hosts.clear();
            }
            self.hosts.insert(normalize_title(topic), hosts.into());
        }
        added
    }

    /// Every name and alias of every KOL.
    pub fn kol_names(&self) -> Vec<String> {
        let kols = self.matcher.kols();
        kols.iter()
            .flat_map(|k| k.names().map(str::to_string))
            .collect()
    }

    /// The matcher index of a KOL by uid, else by name or alias.
    fn kol_index(&self, name: &str, uid: Option<&str>) -> Option<usize> {
        let kols = self.matcher.kols();
        let by_uid = uid.and_then(|u| kols.iter().position(|k| k.weibo_uid.as_deref() == Some(u)));
        let name = normalize_text(name.trim());
        by_uid.or_else(|| {
            kols.iter()
                .position(|k| k.names().any(|n| normalize_text(n.trim()) == name))
        })
    }

    /// Drop the per-title cache (benchmarks of the cold path); results do not change.
    pub fn clear_cache(&mut self) {
        self.cache.clear();
    }

    /// Terms and KOL mentions of a topic (cached).
    pub fn title_info(&mut self, title: &str, query: Option<&str>) -> Arc<TitleInfo> {
        let info = self.cached(title, query).info.clone();
        self.compact_if_flushed();
        info
    }

    /// The cache entry of a topic, tokenising and matching on a miss.
    fn cached(&mut self, title: &str, query: Option<&str>) -> &CachedTitle {
        let key = &mut self.scratch.key;
        key.clear();
        key.push_str(title);
        key.push('\u{1}');
        key.push_str(query.unwrap_or(""));
        let i = match self.cache.get(key) {
            Some(i) => i,
            None => {
                let v = self.analyse_title(title, query);
                self.cache.insert(self.scratch.key.as_str().into(), v)
            }
        };
        self.cache.entry(i)
    }

    fn analyse_title(&mut self, title: &str, query: Option<&str>) -> CachedTitle {
        // The query adds terms only when it differs from the title (`#x#` vs `x` does not).
        let q = query.filter(|q| normalize_title(q) != normalize_title(title));
        let toks = self.tokenizer.tokenize(title);
        let kols = self.matcher.find(&toks.norm, |b| toks.is_boundary(b));
        let (mut terms, mut names) = (toks.terms, toks.names);
        if let Some(q) = q {
            let qt = self.tokenizer.tokenize(q);
            for (t, n) in qt.terms.into_iter().zip(qt.names) {
                match terms.iter().position(|x| *x == t) {
                    Some(i) => names[i] |= n,
                    None => {
                        terms.push(t);
                        names.push(n);
                    }
                }
            }
        }
        let ids = terms
            .iter()
            .map(|t| self.detector.terms.intern(t))
            .collect();
        let mut distinct: Vec<usize> = Vec::new();
        for k in &kols {
            if !distinct.contains(&k.kol) {
                distinct.push(k.kol);
            }
        }
        CachedTitle {
            info: Arc::new(TitleInfo { terms, names, kols }),
            ids,
            kols: distinct.into(),
        }
    }

    /// After a cache generation was dropped, release the names no cached title, list or
    /// tracked term uses, so the id space stays bounded like the cache.
    fn compact_if_flushed(&mut self) {
        if !std::mem::take(&mut self.cache.flushed) {
            return;
        }
        let mut live = vec![false; self.detector.terms.interned()];
        let lists = self.lists.iter().flat_map(|l| l.ids.iter());
        let cached = self.cache.live();
        for &id in lists.chain(cached.flat_map(|c| c.ids.iter())) {
            if let Some(l) = live.get_mut(id as usize) {
                *l = true;
            }
        }
        let map = self
            .detector
            .terms
            .compact(|id| live.get(id as usize).copied().unwrap_or(false));
        self.remap_ids(|id| map.get(id as usize).copied().flatten().unwrap_or(NONE));
    }

    fn remap_ids(&mut self, f: impl Fn(u32) -> u32) {
        for c in self.cache.entries_mut() {
            c.ids.iter_mut().for_each(|id| *id = f(*id));
        }
        for l in &mut self.lists {
            l.ids.iter_mut().for_each(|id| *id = f(*id));
        }
        self.scratch.slot.clear();
    }

    /// Group titles into events from now on, or stop (the app's worker groups them; the replay
    /// tools, which print keywords, need not pay for it).
    pub fn set_events(&mut self, on: bool) {
        self.events = on.then(|| self.events.take().unwrap_or_default());
    }

    /// Take a poll into the events only (a stored poll the detector state already counted).
    pub fn observe_events(&mut self, snap: &Snapshot) {
        if let Some(g) = &mut self.events {
            g.observe(snap, &self.tokenizer);
        }
    }

    /// Process one poll of one platform.
    pub fn process(&mut self, snap: &Snapshot) -> AnalysisUpdate {
        self.ingest(snap, true)
    }

    /// Was this platform's poll at the snapshot's time already processed (by this analyser or
    /// the detector state it restored)?
    pub fn has_seen(&self, snap: &Snapshot) -> bool {
        let t = minutes(&snap.captured_at);
        !self.rewound(t)
            && self
                .detector
                .platform_last_poll
                .get(snap.platform)
                .is_some_and(|&l| t <= l)
    }

    /// A list from long before the detector's clock: a replay that wrapped around (the demo
    /// loops over its day) or a clock set back. Baselines from its future mean nothing there.
    fn rewound(&self, t: f64) -> bool {
        let d = &self.detector;
        d.last_poll.is_some_and(|l| l - t > d.cfg.reseed_after_min)
    }

    /// The update for a poll the detector has already taken in (a restart restoring its
    /// state): the lists are installed and the rows built, the detector is not stepped.
    pub fn present(&mut self, snap: &Snapshot) -> AnalysisUpdate {
        self.ingest(snap, false)
    }

    fn ingest(&mut self, snap: &Snapshot, step: bool) -> AnalysisUpdate {
        let t = minutes(&snap.captured_at);
        if step && self.rewound(t) {
            // A new timeline: start over, as at a first start.
            self.reset(self.detector.cfg.clone());
        }
        let pi = snap.platform.index();
        let mut weights = std::mem::take(&mut self.scratch.weights);
        item_weights_into(snap, &mut weights);
        let w = self.detector.cfg.platform_weights[pi];
        if w != 1.0 {
            weights.iter_mut().for_each(|x| *x *= w);
        }
        let mut kol_mentions = Vec::new();
        let mut list = std::mem::take(&mut self.lists[pi]);
        if list.live && t > list.at {
            list.gap = t - list.at;
        }
        list.at = t;
        list.live = true;
        list.items.clear();
        list.ids.clear();
        list.names.clear();
        list.kols.clear();
        let mut words = std::mem::take(&mut self.scratch.words);
        words.clear();
        let want_words = self.events.is_some();
        for (topic, &weight) in snap.pinned.iter().chain(&snap.ranked).zip(&weights) {
            let c = self.cached(
                topic.title.as_str(),
                topic.query.as_ref().map(|q| q.as_str()),
            );
            if !c.info.kols.is_empty() {
                kol_mentions.push(TopicKols {
                    topic: topic.key(),
                    title: topic.title.as_str().to_string(),
                    mentions: c.info.kols.clone(),
                });
            }
            if want_words && !topic.pinned {
                words.push(c.info.clone());
            }
            let (t0, k0) = (list.ids.len(), list.kols.len());
            list.ids.extend_from_slice(&c.ids);
            list.names.extend_from_slice(&c.info.names);
            list.kols.extend_from_slice(&c.kols);
            if !self.hosts.is_empty()
                && let Some(hosts) = self.hosts.get(&normalize_title(topic.title.as_str()))
            {
                for &h in hosts.iter() {
                    if !list.kols[k0..].contains(&h) {
                        list.kols.push(h);
                    }
                }
            }
            // Presented lists (a restart) are remembered as seen without counting them again.
            let key = title_hash(snap.platform, &self.scratch.key);
            let new = self.detector.seen_titles.insert(key, t).is_none() && step;
            list.items.push(ListItem {
                pinned: topic.pinned,
                new,
                weight,
                terms: t0..list.ids.len(),
                kols: k0..list.kols.len(),
            });
        }
        self.lists[pi] = list;
        self.scratch.weights = weights;
        self.scratch.words = words;
        if self.detector.seen_pruned_at.is_none_or(|p| t - p >= 60.0) {
            self.detector
                .seen_titles
                .retain(|_, &mut s| t - s <= SEEN_TITLE_MIN);
            self.detector.seen_pruned_at = Some(t);
        }

        let dcfg = &self.detector.cfg;
        let sc = &mut self.scratch;
        // One accumulator per term present in the current lists, in order of first
        // appearance (the sums add up in the same order as ever).
        sc.slot.resize(self.detector.terms.interned(), NONE);
        sc.acc.clear();
        sc.kol_now.clear();
        sc.kol_now.resize(self.matcher.kols().len(), 0);
        let mut d = 0u32;
        let live = |list: &PlatformList| list.live && list_is_live(t - list.at, list.gap, dcfg);
        for (p, list) in Platform::ALL.iter().zip(&self.lists) {
            if !live(list) {
                continue;
            }
            let own = *p == snap.platform;
            for it in &list.items {
                // Each KOL once per title (the cache holds them distinct).
                for &k in &list.kols[it.kols.clone()] {
                    if let Some(n) = sc.kol_now.get_mut(k) {
                        *n += 1;
                    }
                }
                if it.pinned {
                    continue;
                }
                d += 1;
                let names = &list.names[it.terms.clone()];
                for (&id, &name) in list.ids[it.terms.clone()].iter().zip(names) {
                    let s = &mut sc.slot[id as usize];
                    if *s == NONE {
                        // ok: at most one accumulator per interned id, below u32::MAX
                        *s = sc.acc.len() as u32;
                        sc.acc.push(Acc {
                            id,
                            inp: TermInput::default(),
                            counts: PlatformCounts::default(),
                            set: 0..0,
                            name: false,
                        });
                    }
                    let a = &mut sc.acc[*s as usize];
                    a.name |= name;
                    a.inp.share += it.weight;
                    a.inp.titles += 1;
                    if own {
                        a.inp.platform_share += it.weight;
                    }
                    a.counts.bump(*p);
                }
            }
        }
        // Each term's titles, as indices over the live lists' ranked rows (for grouping).
        let mut end = 0;
        for a in &mut sc.acc {
            a.set = end..end;
            end += a.inp.titles as usize;
        }
        sc.sets.clear();
        sc.sets.resize(end, 0);
        sc.fill.clear();
        sc.fill.extend(sc.acc.iter().map(|a| a.set.start));
        // Items are numbered Weibo's first: those below this are Weibo titles.
        let mut weibo_items = 0u32;
        let mut item = 0u32;
        for (p, list) in Platform::ALL
            .iter()
            .zip(&self.lists)
            .filter(|(_, l)| live(l))
        {
            if *p == Platform::Weibo {
                weibo_items = list.items.iter().filter(|it| !it.pinned).count() as u32;
            }
            for it in list.items.iter().filter(|it| !it.pinned) {
                for &id in &list.ids[it.terms.clone()] {
                    let s = sc.slot[id as usize] as usize;
                    sc.sets[sc.fill[s]] = item;
                    sc.fill[s] += 1;
                }
                item += 1;
            }
        }
        for (a, &f) in sc.acc.iter_mut().zip(&sc.fill) {
            a.set.end = f;
        }

        let stepped = if step {
            sc.inputs.clear();
            sc.inputs.extend(sc.acc.iter().map(|a| (a.id, a.inp)));
            let out = self.detector.step_ids(t, snap.platform, &sc.inputs, d);
            // Document frequency: new titles of this poll count for their terms.
            let list = &self.lists[pi];
            for it in list.items.iter().filter(|it| it.new && !it.pinned) {
                for &id in &list.ids[it.terms.clone()] {
                    if let Some(st) = self.detector.terms.state_mut(id) {
                        st.add_title(t);
                    }
                }
            }
            out
        } else {
            Default::default()
        };

        // Row candidates: the terms of the current lists. (A rising term that left every
        // list is not shown: nothing on the board carries it.)
        let cfg = &self.detector.cfg;
        let terms = &self.detector.terms;
        sc.cands.clear();
        for (i, a) in sc.acc.iter().enumerate() {
            if let Some(st) = terms.state(a.id) {
                let trend = trend_of(st);
                // Rising on a platform's own list, and on that list now.
                let rising_on: Platforms = st
                    .per_platform
                    .iter()
                    .filter(|(p, e)| e.flagged && a.counts.get(*p) > 0)
                    .map(|(p, _)| p)
                    .collect();
                sc.cands.push(Candidate {
                    key: sort_key(trend, st.all.z, a.inp.share, terms.name(a.id)),
                    id: a.id,
                    trend,
                    acc: i,
                    cross: rising_on.len() >= 2,
                    rising_on,
                    score: st.all.z,
                    share: a.inp.share,
                    counts: a.counts,
                });
            }
        }
        for a in &sc.acc {
            sc.slot[a.id as usize] = NONE;
        }
        // Rising, then cooling (by score), then steady (by share); names break exact ties.
        let order = |a: &Candidate, b: &Candidate| {
            a.key
                .cmp(&b.key)
                .then_with(|| terms.name(a.id).cmp(terms.name(b.id)))
        };
        let mut cross: Vec<&Candidate> = sc
            .cands
            .iter()
            .filter(|c| c.cross && c.trend == Trend::Rising)
            .collect();
        cross.sort_unstable_by(|a, b| order(a, b));
        let cross_platform: Vec<String> =
            cross.iter().map(|c| terms.name(c.id).to_string()).collect();
        let n_hot = sc.cands.iter().filter(|c| c.trend != Trend::Steady).count();
        let n_rising = sc.cands.iter().filter(|c| c.trend == Trend::Rising).count();
        // Only the rows that are output get sorted, grouped and built.
        let n = self.max_rows.max(n_hot);
        if sc.cands.len() > n {
            if n > 0 {
                sc.cands.select_nth_unstable_by(n - 1, order);
            }
            sc.cands.truncate(n);
        }
        sc.cands.sort_unstable_by(order);
        let at = snap.captured_at;
        let since = |st: &super::detect::TermState| st.since.and_then(|m| at_minutes(m, &at));
        let mut keywords: Vec<KeywordRow> = Vec::with_capacity(sc.cands.len());
        keywords.extend(sc.cands.iter().filter_map(|c| {
            let st = terms.state(c.id)?;
            Some(KeywordRow {
                keyword: terms.shared_name(c.id).into(),
                score: c.score,
                share: c.share,
                rising: c.trend == Trend::Rising,
                cooling: c.trend == Trend::Cooling,
                since: since(st),
                cross_platform: c.cross,
                rising_on: c.rising_on,
                direction: direction(&st.all, cfg),
                platforms: c.counts.platforms(),
                titles: c.counts,
                history: History::from(&st.history),
            })
        }));
        let rising: Vec<String> = keywords
            .iter()
            .take(n_rising)
            .map(|r| r.keyword.to_string())
            .collect();

        // The panel: the candidates grouped into stories.
        let members: Vec<Member> = sc
            .cands
            .iter()
            .map(|c| {
                let name = terms.name(c.id);
                Member {
                    titles: &sc.sets[sc.acc[c.acc].set.clone()],
                    trend: c.trend,
                    score: c.score,
                    hashtag: name.starts_with('#'),
                    name: sc.acc[c.acc].name,
                    chars: name.chars().count(),
                    df: terms.state(c.id).map_or(0.0, |st| st.df_at(t)),
                }
            })
            .collect();
        // (Rows and candidates correspond one to one: every candidate has a state.)
        let groups = if keywords.len() == members.len() {
            super::panel::group(&members)
        } else {
            Vec::new()
        };
        let mut entries: Vec<PanelEntry> = groups
            .into_iter()
            .map(|g| {
                let row = &keywords[g.label];
                // The entry's titles per platform: the label's, or the union of the keys'.
                let titles = if let [k] = g.keys[..] {
                    sc.acc[sc.cands[k].acc].counts
                } else {
                    let mut items: Vec<u32> = g
                        .keys
                        .iter()
                        .flat_map(|&k| sc.sets[sc.acc[sc.cands[k].acc].set.clone()].iter().copied())
                        .collect();
                    items.sort_unstable();
                    items.dedup();
                    let mut titles = PlatformCounts::default();
                    for &i in &items {
                        titles.bump(if i < weibo_items {
                            Platform::Weibo
                        } else {
                            Platform::Tieba
                        });
                    }
                    titles
                };
                let rising_members = || {
                    std::iter::once(g.label)
                        .chain(g.others.iter().copied())
                        .map(|i| &keywords[i])
                        .filter(|k| k.rising)
                };
                PanelEntry {
                    label: row.keyword.clone(),
                    others: g
                        .others
                        .iter()
                        .map(|&i| keywords[i].keyword.clone())
                        .collect(),
                    keys: g
                        .keys
                        .iter()
                        .map(|&i| keywords[i].keyword.clone())
                        .collect(),
                    trend: g.trend,
                    score: row.score,
                    share: row.share,
                    since: match g.trend {
                        Trend::Rising => rising_members().filter_map(|k| k.since).min(),
                        Trend::Cooling => row.since,
                        Trend::Steady => None,
                    },
                    cross_platform: g.trend == Trend::Rising
                        && rising_members().any(|k| k.cross_platform),
                    rising_on: rising_members()
                        .flat_map(|k| k.rising_on.iter().copied())
                        .collect(),
                    direction: row.direction,
                    platforms: titles.platforms(),
                    titles,
                    history: row.history.clone(),
                }
            })
            .collect();
        entries.sort_by(|a, b| {
            a.trend.cmp(&b.trend).then_with(|| match a.trend {
                Trend::Steady => b.share.total_cmp(&a.share),
                _ => b.score.total_cmp(&a.score),
            })
        });
        let hot_entries = entries.iter().filter(|e| e.trend != Trend::Steady).count();
        entries.truncate(hot_entries + self.max_rows);

        let hist_len = self.detector.cfg.history_len.max(1);
        let kol_now = &sc.kol_now;
        if self.kol_history.len() < kol_now.len() {
            self.kol_history.resize(kol_now.len(), None);
        }
        let mut kol_trends = Vec::new();
        for (k, slot) in self.kol_history.iter_mut().enumerate() {
            let now = kol_now.get(k).copied().unwrap_or(0);
            if now > 0 {
                slot.get_or_insert_with(VecDeque::new);
            }
            let Some(h) = slot else { continue };
            if h.len() >= hist_len {
                h.pop_front();
            }
            h.push_back(now);
            if !h.iter().any(|&n| n > 0) {
                *slot = None;
                continue;
            }
            if let Some(kol) = self.matcher.kols().get(k) {
                kol_trends.push(KolTrend {
                    name: kol.name.clone(),
                    now,
                    history: h.iter().copied().collect(),
                });
            }
        }
        kol_trends.sort_by(|a, b| b.now.cmp(&a.now).then(a.name.cmp(&b.name)));
        let warming_up = self.detector.in_warmup(t);
        let flags_from = self
            .detector
            .started_at
            .and_then(|s| at_minutes(s + self.detector.cfg.warmup_min, &at));
        self.compact_if_flushed();
        let events = match &mut self.events {
            Some(g) => {
                g.observe_with(snap, &self.scratch.words);
                g.events()
            }
            None => Arc::default(),
        };

        AnalysisUpdate {
            at: snap.captured_at,
            platform: snap.platform,
            keywords,
            entries,
            rising,
            onsets: stepped.onsets,
            cross_platform,
            kol_mentions,
            kol_trends,
            warming_up,
            flags_from,
            seeded: false,
            // A list shown again (same time) brings only the marks: the tracker judges by time.
            dynamics: self.dynamics.observe(snap),
            events,
        }
    }
}

/// A title's identity for the document frequency: platform and cache key.
fn title_hash(p: Platform, key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    p.index().hash(&mut h);
    key.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::{name_prefix, row_key, sort_key};

    #[test]
    fn the_title_cache_holds_at_most_two_generations() {
        use super::{AnalysisConfig, Analyzer, CACHE_GENERATION};
        let mut a = Analyzer::new(&AnalysisConfig::default());
        for i in 0..CACHE_GENERATION * 3 {
            a.title_info(&format!("第{i}个标题出现了"), None);
            assert!(a.stats().cached_titles <= 2 * CACHE_GENERATION);
        }
        assert!(a.stats().cached_titles > CACHE_GENERATION);
    }

    #[test]
    fn discovery_stops_at_the_kol_cap() {
        use super::{AccountRecord, AccountRole, AnalysisConfig, Analyzer, MAX_KOLS};
        let record = |i: usize| AccountRecord {
            name: format!("媒体账号{i}"),
            uid: Some(format!("{}", 5_000_000 + i)),
            verified_type: Some(3),
            role: AccountRole::Media,
        };
        let mut a = Analyzer::new(&AnalysisConfig::default());
        let first: Vec<AccountRecord> = (0..MAX_KOLS + 10).map(record).collect();
        assert_eq!(a.add_topic_accounts("话题", &first).len(), MAX_KOLS);
        assert_eq!(a.stats().kols, MAX_KOLS);
        let more: Vec<AccountRecord> = (MAX_KOLS + 10..MAX_KOLS + 20).map(record).collect();
        assert!(a.add_topic_accounts("另一个话题", &more).is_empty());
        assert_eq!(a.stats().kols, MAX_KOLS);
    }

    #[test]
    fn name_prefix_never_contradicts_str_order() {
        let names = [
            "",
            "a",
            "ab",
            "ab\0",
            "abcdefgh",
            "abcdefghi",
            "abcdefgi",
            "b",
            "旺旺",
            "旺旺都",
            "靖国神社",
        ];
        for a in names {
            for b in names {
                let (pa, pb) = (name_prefix(a), name_prefix(b));
                if pa != pb {
                    assert_eq!(pa.cmp(&pb), a.cmp(b), "{a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn sort_key_never_contradicts_the_key_pair() {
        use super::Trend::*;
        let names = [
            "",
            "a",
            "abcdefgh",
            "abcdefgi",
            "abcdefghi",
            "旺旺",
            "旺旺都",
        ];
        let value = |t, score, share| if t == Steady { share } else { score };
        for (ra, sa, a) in [
            (Rising, 1.0, "a"),
            (Steady, 1.0, "旺旺"),
            (Cooling, -2.0, ""),
        ] {
            for b in names {
                for (rb, sb) in [(Rising, 1.0), (Steady, 1.0), (Cooling, 3.0), (Steady, -2.0)] {
                    let (ka, kb) = (sort_key(ra, sa, 0.5, a), sort_key(rb, sb, 0.5, b));
                    let pair = |r, s, n| (row_key(r, value(r, s, 0.5)), name_prefix(n));
                    if ka != kb {
                        assert_eq!(ka.cmp(&kb), pair(ra, sa, a).cmp(&pair(rb, sb, b)));
                    } else {
                        assert_eq!((a, value(ra, sa, 0.5)), (b, value(rb, sb, 0.5)));
                    }
                }
            }
        }
    }

    #[test]
    fn row_key_orders_like_trend_then_total_cmp_descending() {
        let xs = [
            f64::NEG_INFINITY,
            -3.5,
            -0.0,
            0.0,
            1e-300,
            2.0,
            2.000_000_1,
            f64::INFINITY,
            f64::NAN,
        ];
        use super::Trend::*;
        for &ra in &[Rising, Cooling, Steady] {
            for &rb in &[Rising, Cooling, Steady] {
                for &a in &xs {
                    for &b in &xs {
                        let want = ra.cmp(&rb).then(b.total_cmp(&a));
                        assert_eq!(
                            row_key(ra, a).cmp(&row_key(rb, b)),
                            want,
                            "{ra:?} {a} {rb:?} {b}"
                        );
                    }
                }
            }
        }
    }
}
