//! The production path: one snapshot in, one `AnalysisUpdate` out. Owns the tokeniser
//! (with a per-title cache: titles repeat across polls), the KOL matcher and the detector.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::detect::{Detector, DetectorConfig, TermInput, platform_index};
use super::kol::{Kol, KolMatcher, KolSpan};
use super::signal::item_weights;
use super::tokenize::{DictWord, Tokenizer};
use crate::domain::{Platform, Snapshot, Topic, TopicKey, normalise_title};

/// Cached titles before the older generation is dropped (bounds memory over weeks).
const CACHE_GENERATION: usize = 20_000;

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
}

/// Tokens and KOL mentions of one title, computed once and cached.
#[derive(Debug, Clone, Default)]
pub struct TitleInfo {
    pub terms: Vec<String>,
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

/// Title counts per platform.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformCounts {
    pub weibo: u32,
    pub tieba: u32,
}

impl PlatformCounts {
    pub fn get(&self, p: Platform) -> u32 {
        match p {
            Platform::Weibo => self.weibo,
            Platform::Tieba => self.tieba,
        }
    }

    fn bump(&mut self, p: Platform) {
        match p {
            Platform::Weibo => self.weibo += 1,
            Platform::Tieba => self.tieba += 1,
        }
    }

    pub fn total(&self) -> u32 {
        self.weibo + self.tieba
    }

    pub fn platforms(&self) -> Vec<Platform> {
        Platform::ALL
            .into_iter()
            .filter(|&p| self.get(p) > 0)
            .collect()
    }
}

/// One keyword row for the keywords view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeywordRow {
    pub keyword: String,
    /// Significance z of the combined heat share.
    pub score: f64,
    /// Current combined heat share.
    pub share: f64,
    pub rising: bool,
    /// Rising on both Weibo and Tieba.
    pub cross_platform: bool,
    pub direction: Direction,
    pub platforms: Vec<Platform>,
    pub titles: PlatformCounts,
    /// Last heat shares, oldest first (bounded by `history_len`).
    pub history: Vec<f32>,
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
    /// Titles mentioning the KOL in the current lists.
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
    /// Keyword rows: rising first, then by score.
    pub keywords: Vec<KeywordRow>,
    /// Rising keywords, by score.
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
}

struct ListItem {
    info: Arc<TitleInfo>,
    weight: f64,
}

struct PlatformList {
    at: f64,
    items: Vec<ListItem>,
}

/// Two-generation cache: bounded, and titles still in use survive a flush.
#[derive(Default)]
struct TitleCache {
    current: HashMap<String, Arc<TitleInfo>>,
    previous: HashMap<String, Arc<TitleInfo>>,
}

impl TitleCache {
    fn get(&mut self, key: &str) -> Option<Arc<TitleInfo>> {
        if let Some(v) = self.current.get(key) {
            return Some(v.clone());
        }
        let v = self.previous.remove(key)?;
        self.insert(key.to_string(), v.clone());
        Some(v)
    }

    fn insert(&mut self, key: String, v: Arc<TitleInfo>) {
        if self.current.len() >= CACHE_GENERATION {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(key, v);
    }
}

/// Snapshot time in minutes (the detector's clock).
pub fn minutes(at: &DateTime<FixedOffset>) -> f64 {
    at.timestamp() as f64 / 60.0 + f64::from(at.timestamp_subsec_millis()) / 60_000.0
}

pub struct Analyzer {
    tokenizer: Tokenizer,
    matcher: KolMatcher,
    detector: Detector,
    cache: TitleCache,
    lists: [Option<PlatformList>; 2],
    kol_history: HashMap<usize, VecDeque<u32>>,
    max_rows: usize,
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
            lists: [None, None],
            kol_history: HashMap::new(),
            max_rows: cfg.max_rows.unwrap_or(300),
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
        self.detector = d;
    }

    /// Start over with a new detector config, keeping the tokeniser and its cache.
    pub fn reset(&mut self, cfg: DetectorConfig) {
        self.detector = Detector::new(cfg);
        self.lists = [None, None];
        self.kol_history.clear();
    }

    /// Terms and KOL mentions of a topic (cached).
    pub fn title_info(&mut self, title: &str, query: Option<&str>) -> Arc<TitleInfo> {
        let key = format!("{title}\u{1}{}", query.unwrap_or(""));
        if let Some(v) = self.cache.get(&key) {
            return v;
        }
        // The query adds terms only when it differs from the title (`#x#` vs `x` does not).
        let q = query.filter(|q| normalise_title(q) != normalise_title(title));
        let toks = self.tokenizer.tokenize(title);
        let kols = self.matcher.find(&toks.norm, |b| toks.is_boundary(b));
        let mut terms = toks.terms;
        if let Some(q) = q {
            for t in self.tokenizer.tokenize(q).terms {
                if !terms.contains(&t) {
                    terms.push(t);
                }
            }
        }
        let v = Arc::new(TitleInfo { terms, kols });
        self.cache.insert(key, v.clone());
        v
    }

    fn topic_info(&mut self, t: &Topic) -> Arc<TitleInfo> {
        self.title_info(t.title.as_str(), t.query.as_ref().map(|q| q.as_str()))
    }

    /// Process one poll of one platform.
    pub fn process(&mut self, snap: &Snapshot) -> AnalysisUpdate {
        let t = minutes(&snap.captured_at);
        let pi = platform_index(snap.platform);
        let weighted = item_weights(snap);
        let mut items = Vec::with_capacity(weighted.len());
        let mut kol_mentions = Vec::new();
        for (topic, weight) in weighted {
            let info = self.topic_info(topic);
            if !info.kols.is_empty() {
                kol_mentions.push(TopicKols {
                    topic: topic.key(),
                    title: topic.title.as_str().to_string(),
                    mentions: info.kols.clone(),
                });
            }
            items.push(ListItem { info, weight });
        }
        self.lists[pi] = Some(PlatformList { at: t, items });

        let stale = self.detector.cfg.stale_after_min;
        // One accumulator per term present in the current lists.
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut acc: Vec<(&str, TermInput, PlatformCounts)> = Vec::new();
        let mut kol_now: HashMap<usize, u32> = HashMap::new();
        let mut d = 0u32;
        for (p, list) in Platform::ALL.iter().zip(&self.lists) {
            let Some(list) = list.as_ref().filter(|l| t - l.at <= stale) else {
                continue;
            };
            let own = *p == snap.platform;
            for it in &list.items {
                d += 1;
                for term in &it.info.terms {
                    let i = *index.entry(term.as_str()).or_insert_with(|| {
                        acc.push((
                            term.as_str(),
                            TermInput::default(),
                            PlatformCounts::default(),
                        ));
                        acc.len() - 1
                    });
                    let (_, inp, counts) = &mut acc[i];
                    inp.share += it.weight;
                    inp.titles += 1;
                    if own {
                        inp.platform_share += it.weight;
                    }
                    counts.bump(*p);
                }
                for (j, k) in it.info.kols.iter().enumerate() {
                    // Count each KOL once per title.
                    if !it.info.kols[..j].iter().any(|x| x.kol == k.kol) {
                        *kol_now.entry(k.kol).or_default() += 1;
                    }
                }
            }
        }
        let inputs: Vec<(&str, TermInput)> = acc.iter().map(|a| (a.0, a.1)).collect();
        let step = self.detector.step(t, snap.platform, &inputs, d);

        let beta = self.detector.cfg.beta;
        let terms = &self.detector.terms;
        let row = |k: &str, share: f64, titles: PlatformCounts| {
            let st = terms.get(k)?;
            let dev = st.all.deviation(beta);
            Some(KeywordRow {
                keyword: k.to_string(),
                score: st.all.z,
                share,
                rising: st.rising,
                cross_platform: st.cross_platform(),
                direction: if st.all.z >= 1.0 {
                    Direction::Up
                } else if dev <= -1.0 {
                    Direction::Down
                } else {
                    Direction::Flat
                },
                platforms: titles.platforms(),
                titles,
                history: st.history.iter().copied().collect(),
            })
        };
        let mut keywords: Vec<KeywordRow> = acc
            .iter()
            .filter_map(|(k, inp, c)| row(k, inp.share, *c))
            .collect();
        // Rising terms absent from the current lists (still in hysteresis).
        for (k, st) in terms {
            if st.rising && !index.contains_key(k.as_str()) {
                keywords.extend(row(k, 0.0, PlatformCounts::default()));
            }
        }
        keywords.sort_by(|a, b| {
            b.rising
                .cmp(&a.rising)
                .then(b.score.total_cmp(&a.score))
                .then(a.keyword.cmp(&b.keyword))
        });
        let rising: Vec<String> = keywords
            .iter()
            .filter(|r| r.rising)
            .map(|r| r.keyword.clone())
            .collect();
        let cross_platform = keywords
            .iter()
            .filter(|r| r.cross_platform)
            .map(|r| r.keyword.clone())
            .collect();
        keywords.truncate(self.max_rows.max(rising.len()));

        let hist_len = self.detector.cfg.history_len.max(1);
        for k in kol_now.keys() {
            self.kol_history.entry(*k).or_default();
        }
        let mut kol_trends = Vec::new();
        self.kol_history.retain(|k, h| {
            let now = kol_now.get(k).copied().unwrap_or(0);
            if h.len() >= hist_len {
                h.pop_front();
            }
            h.push_back(now);
            h.iter().any(|&n| n > 0)
        });
        for (k, h) in &self.kol_history {
            if let Some(kol) = self.matcher.kols().get(*k) {
                kol_trends.push(KolTrend {
                    name: kol.name.clone(),
                    now: kol_now.get(k).copied().unwrap_or(0),
                    history: h.iter().copied().collect(),
                });
            }
        }
        kol_trends.sort_by(|a, b| b.now.cmp(&a.now).then(a.name.cmp(&b.name)));

        AnalysisUpdate {
            at: snap.captured_at,
            platform: snap.platform,
            keywords,
            rising,
            onsets: step.onsets,
            cross_platform,
            kol_mentions,
            kol_trends,
            warming_up: self.detector.in_warmup(t),
        }
    }
}
