//! Triage state kept across restarts (`$XDG_DATA_HOME/resou/triage.json`): what the user saw,
//! flagged, noted and muted, the watchlists, and when they last looked.
//!
//! A corrupt file is never overwritten silently: [`Triage::load_or_empty`] hands back an empty
//! state that remembers it, and the first [`Triage::save`] moves the bad file aside as
//! `triage.json.bad-<timestamp>` before writing.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::domain::normalize::{Normalized, normalize_text};
use crate::domain::{Platform, SafeText, Topic, TopicKey};

pub const FILE_NAME: &str = "triage.json";
/// Notes are one line of at most this many characters.
pub const NOTE_MAX_CHARS: usize = 200;
/// Entries neither flagged nor noted, and neither seen nor on a list for this long, are
/// pruned.
pub const RETENTION_DAYS: i64 = 30;
/// Entries nobody touched (never flagged, noted or seen) go sooner: three days after they
/// left the lists. They only remember first sighting and peaks, which the history store keeps
/// anyway, and with every list on (~1,400 new topics a day) each day of them is ~1,400
/// entries of ~0.6 KB in ~5 small blocks, resident for the whole session (issue 18's RSS
/// budget: 30 days were ~40,000 entries, 7 days ~10,700). A topic back on a list after that
/// is new again, which is what a re-emerging story is to a reader.
pub const UNTOUCHED_DAYS: i64 = 3;
/// Keywords and KOLs kept per entry for export.
const CONTEXT_MAX: usize = 16;
/// Most topic entries kept: a session that runs for weeks observes every topic of every
/// list; past this count the entries neither flagged nor noted that were observed longest
/// ago go first (≈ 1,400 new topics a day on all eleven lists stays well under it within
/// [`UNTOUCHED_DAYS`]; the cap guards against a source that churns far faster).
pub const MAX_TOPICS: usize = 20_000;
/// A running session prunes at most this often (by the data's clock).
pub const PRUNE_EVERY_SECS: i64 = 3_600;

/// `$XDG_DATA_HOME/resou/triage.json`.
pub fn default_path() -> Option<PathBuf> {
    crate::paths::data_dir().map(|d| d.join(FILE_NAME))
}

/// The stable string form of a topic key used in the file: `weibo:旺旺配料表`.
pub fn entry_key(key: &TopicKey) -> String {
    format!("{}:{}", key.platform.name().to_ascii_lowercase(), key.norm)
}

#[derive(Debug, thiserror::Error)]
pub enum TriageError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a valid triage file (line {line}, column {column}): {message}")]
    Corrupt {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

/// A board row's triage marks (see [`Triage::marks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Marks {
    pub flagged: bool,
    pub noted: bool,
    /// First seen after the last look and not marked seen since.
    pub new: bool,
    /// The topic, or a keyword in its title, is muted.
    pub muted: bool,
}

/// What is remembered about one topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicEntry {
    pub platform: Platform,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub first_seen: DateTime<FixedOffset>,
    /// Capture time of the last poll that had the topic on a list.
    pub last_observed: DateTime<FixedOffset>,
    /// Capture time of the data the user last saw the topic in (mark seen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rank: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_heat: Option<u64>,
    #[serde(default)]
    pub flagged: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Rising keywords and KOLs last shown with the topic, for export after it left the list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kols: Vec<String>,
}

impl TopicEntry {
    fn new(topic: &Topic, at: DateTime<FixedOffset>) -> TopicEntry {
        TopicEntry {
            platform: topic.platform,
            title: topic.title.as_str().to_string(),
            url: None,
            first_seen: at,
            last_observed: at,
            seen_at: None,
            peak_rank: None,
            peak_heat: None,
            flagged: false,
            note: None,
            keywords: Vec::new(),
            kols: Vec::new(),
        }
    }

    /// Kept by a prune at `now` (see [`RETENTION_DAYS`] and [`UNTOUCHED_DAYS`]).
    fn kept_at(&self, now: DateTime<FixedOffset>) -> bool {
        let cutoff = now
            - Duration::days(if self.seen_at.is_some() {
                RETENTION_DAYS
            } else {
                UNTOUCHED_DAYS
            });
        self.flagged
            || self.note.is_some()
            || self.last_observed >= cutoff
            || self.seen_at.is_some_and(|s| s >= cutoff)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Triage {
    /// By [`entry_key`].
    pub topics: BTreeMap<String, TopicEntry>,
    /// Entry keys of muted topics.
    pub muted_topics: BTreeSet<String>,
    /// Folded (NFKC, lowercase) keywords; a title containing one is muted.
    pub muted_keywords: BTreeSet<String>,
    pub watched_keywords: BTreeSet<String>,
    pub watched_kols: BTreeSet<String>,
    /// When the user last looked (the previous session's end), for "new since last look".
    pub last_look: Option<DateTime<FixedOffset>>,
    /// Loading found an unreadable file at this path: move it aside before the first save.
    #[serde(skip)]
    quarantine: Option<PathBuf>,
    /// When a running session last pruned (see [`Triage::prune_due`]).
    #[serde(skip)]
    pruned_at: Option<DateTime<FixedOffset>>,
}

impl Triage {
    /// Read a triage file; a missing file is an empty state.
    pub fn load(path: &Path) -> Result<Triage, TriageError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Triage::default()),
            Err(source) => {
                return Err(TriageError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        serde_json::from_slice(&bytes).map_err(|e| TriageError::Corrupt {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
    }

    /// The app's loader: on an error, an empty state (so the session goes on) plus the error
    /// to show; the unreadable file is moved aside, not overwritten, on the next save.
    pub fn load_or_empty(path: &Path) -> (Triage, Option<TriageError>) {
        match Triage::load(path) {
            Ok(t) => (t, None),
            Err(e) => (
                Triage {
                    quarantine: Some(path.to_path_buf()),
                    ..Triage::default()
                },
                Some(e),
            ),
        }
    }

    /// Write atomically: a temporary file in the same directory, fsync, rename over `path`.
    pub fn save(&self, path: &Path) -> Result<(), TriageError> {
        let io_err = |source| TriageError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io_err)?;
        }
        if self.quarantine.as_deref() == Some(path) {
            quarantine(path).map_err(io_err)?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(|e| io_err(std::io::Error::other(e)))?;
        let tmp = tmp_path(path);
        let written = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&json)?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)?;
            sync_dir(path);
            Ok(())
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.map_err(io_err)
    }

    // --- observation ---

    /// Record that `topic` is on a list captured at `at`: first seen, peaks, title and URL.
    pub fn observe(&mut self, topic: &Topic, at: DateTime<FixedOffset>) {
        let entry = self
            .topics
            .entry(entry_key(&topic.key()))
            .or_insert_with(|| TopicEntry::new(topic, at));
        entry.first_seen = entry.first_seen.min(at);
        entry.last_observed = entry.last_observed.max(at);
        // Replaced only when changed: every poll observes every listed topic, and fresh
        // copies of long-lived strings each time scatter them over the heap (a weeks-long
        // session's RSS creeps with the fragmentation).
        if entry.title != topic.title.as_str() {
            entry.title = topic.title.as_str().to_string();
        }
        if let Some(u) = topic
            .url
            .as_deref()
            .filter(|u| entry.url.as_deref() != Some(*u))
        {
            entry.url = Some(SafeText::line(u).into_string());
        }
        if let Some(r) = topic.rank.filter(|_| !topic.pinned) {
            entry.peak_rank = Some(entry.peak_rank.map_or(r, |p| p.min(r)));
        }
        if let Some(h) = topic.heat {
            entry.peak_heat = Some(entry.peak_heat.map_or(h, |p| p.max(h)));
        }
    }

    /// Remember the keywords and KOLs shown with a topic (capped), for export.
    pub fn annotate(&mut self, key: &TopicKey, keywords: &[String], kols: &[String]) {
        if let Some(e) = self.topics.get_mut(&entry_key(key)) {
            // Every board rebuild annotates every shown row: most are unchanged (and stored
            // clean), so compare before cleaning and allocating.
            if e.keywords != keywords {
                e.keywords = clean_list(keywords);
            }
            if e.kols != kols {
                e.kols = clean_list(kols);
            }
        }
    }

    pub fn entry(&self, key: &TopicKey) -> Option<&TopicEntry> {
        self.topics.get(&entry_key(key))
    }

    // --- per-topic marks (topics must have been observed first) ---

    /// Flip the flag; returns the new value (`None` for a topic never observed).
    pub fn toggle_flag(&mut self, key: &TopicKey) -> Option<bool> {
        let e = self.topics.get_mut(&entry_key(key))?;
        e.flagged = !e.flagged;
        Some(e.flagged)
    }

    pub fn set_flag(&mut self, key: &TopicKey, flagged: bool) -> bool {
        self.topics
            .get_mut(&entry_key(key))
            .map(|e| e.flagged = flagged)
            .is_some()
    }

    /// Set (or with blank text, clear) the one-line note; returns the stored note.
    pub fn set_note(&mut self, key: &TopicKey, note: &str) -> Option<String> {
        let e = self.topics.get_mut(&entry_key(key))?;
        e.note = clean_note(note);
        e.note.clone()
    }

    /// The user saw the topic in data captured at `at`.
    pub fn mark_seen(&mut self, key: &TopicKey, at: DateTime<FixedOffset>) -> bool {
        self.topics
            .get_mut(&entry_key(key))
            .map(|e| e.seen_at = Some(e.seen_at.map_or(at, |s| s.max(at))))
            .is_some()
    }

    /// New since last look: first seen after the previous look and not marked seen since.
    /// Topics the file does not know use `first_seen_this_session`; with no previous look
    /// nothing counts as new.
    pub fn is_new(&self, key: &TopicKey, first_seen_this_session: DateTime<FixedOffset>) -> bool {
        self.marks(
            &entry_key(key),
            key,
            first_seen_this_session,
            &Normalized::default(),
        )
        .new
    }

    /// A board row's marks with one lookup of its entry (`entry_key` is [`entry_key`] of
    /// `key`; `title` the title's matching form).
    pub fn marks(
        &self,
        entry_key: &str,
        key: &TopicKey,
        first_seen_this_session: DateTime<FixedOffset>,
        title: &Normalized,
    ) -> Marks {
        let entry = self.topics.get(entry_key);
        let new = self.last_look.is_some_and(|look| match entry {
            Some(e) => e.first_seen > look && e.seen_at.is_none_or(|s| s < e.first_seen),
            None => first_seen_this_session > look,
        });
        Marks {
            flagged: entry.is_some_and(|e| e.flagged),
            noted: entry.is_some_and(|e| e.note.is_some()),
            new,
            muted: self.muted_topics.contains(entry_key)
                || (!self.muted_keywords.is_empty()
                    && (self.is_muted_folded(&title.text)
                        || self.is_muted_folded(&normalize_text(&key.norm)))),
        }
    }

    pub fn set_last_look(&mut self, at: DateTime<FixedOffset>) {
        self.last_look = Some(at);
    }

    pub fn flagged(&self) -> impl Iterator<Item = &TopicEntry> {
        self.topics.values().filter(|e| e.flagged)
    }

    // --- killfile ---

    pub fn mute_topic(&mut self, key: &TopicKey) -> bool {
        self.muted_topics.insert(entry_key(key))
    }

    pub fn unmute(&mut self, key: &TopicKey) -> bool {
        self.muted_topics.remove(&entry_key(key))
    }

    /// Mute every title containing `keyword` (case- and width-insensitive).
    /// Returns false for a blank keyword or one already muted.
    pub fn mute_keyword(&mut self, keyword: &str) -> bool {
        fold_keyword(keyword).is_some_and(|k| self.muted_keywords.insert(k))
    }

    pub fn unmute_keyword(&mut self, keyword: &str) -> bool {
        fold_keyword(keyword).is_some_and(|k| self.muted_keywords.remove(&k))
    }

    /// The topic is muted itself or its title contains a muted keyword.
    pub fn is_muted(&self, key: &TopicKey) -> bool {
        self.muted_topics.contains(&entry_key(key)) || self.is_muted_text(&key.norm)
    }

    /// Some muted keyword occurs in `text` (for keyword and KOL panels as well as titles).
    pub fn is_muted_text(&self, text: &str) -> bool {
        !self.muted_keywords.is_empty() && self.is_muted_folded(&normalize_text(text))
    }

    /// Some muted keyword occurs in `folded`, text already in its matching form.
    fn is_muted_folded(&self, folded: &str) -> bool {
        self.muted_keywords
            .iter()
            .any(|k| folded.contains(k.as_str()))
    }

    /// How many muted items there are (topics + keywords), for the status bar.
    pub fn muted_count(&self) -> usize {
        self.muted_topics.len() + self.muted_keywords.len()
    }

    // --- watchlists ---

    pub fn watch_keyword(&mut self, keyword: &str) -> bool {
        fold_keyword(keyword).is_some_and(|k| self.watched_keywords.insert(k))
    }

    pub fn unwatch_keyword(&mut self, keyword: &str) -> bool {
        fold_keyword(keyword).is_some_and(|k| self.watched_keywords.remove(&k))
    }

    /// KOLs are kept as displayed (names are case-sensitive on the platforms), sanitised.
    pub fn watch_kol(&mut self, name: &str) -> bool {
        let n = SafeText::line(name).into_string();
        !n.is_empty() && self.watched_kols.insert(n)
    }

    pub fn unwatch_kol(&mut self, name: &str) -> bool {
        self.watched_kols.remove(SafeText::line(name).as_str())
    }

    // --- bounds ---

    /// Drop entries neither flagged, noted, seen nor observed in the last [`RETENTION_DAYS`]
    /// ([`UNTOUCHED_DAYS`] for entries never seen), then, past [`MAX_TOPICS`], the
    /// unflagged, unnoted ones observed longest ago. Returns how many went.
    pub fn prune(&mut self, now: DateTime<FixedOffset>) -> usize {
        let before = self.topics.len();
        self.topics.retain(|_, e| e.kept_at(now));
        if self.topics.len() > MAX_TOPICS {
            let mut loose: Vec<(DateTime<FixedOffset>, String)> = self
                .topics
                .iter()
                .filter(|(_, e)| !e.flagged && e.note.is_none())
                .map(|(k, e)| (e.last_observed, k.clone()))
                .collect();
            loose.sort_unstable();
            let excess = self.topics.len() - MAX_TOPICS;
            for (_, k) in loose.into_iter().take(excess) {
                self.topics.remove(&k);
            }
        }
        self.pruned_at = Some(now);
        before - self.topics.len()
    }

    /// [`Triage::prune`] when the last one was [`PRUNE_EVERY_SECS`] or more before `now`
    /// (a session that runs for weeks must not wait for its exit to forget old topics).
    pub fn prune_due(&mut self, now: DateTime<FixedOffset>) -> usize {
        let due = self
            .pruned_at
            .is_none_or(|p| (now - p).num_seconds() >= PRUNE_EVERY_SECS);
        if due { self.prune(now) } else { 0 }
    }
}

/// One sanitised line of at most [`NOTE_MAX_CHARS`]; blank → `None`.
pub fn clean_note(raw: &str) -> Option<String> {
    let line = SafeText::line(raw).into_string();
    let capped: String = line.chars().take(NOTE_MAX_CHARS).collect();
    let capped = capped.trim_end().to_string();
    (!capped.is_empty()).then_some(capped)
}

fn fold_keyword(raw: &str) -> Option<String> {
    let k = normalize_text(SafeText::line(raw).as_str());
    let k = k.trim();
    (!k.is_empty()).then(|| k.to_string())
}

fn clean_list(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in items {
        let s = SafeText::line(s).into_string();
        if !s.is_empty() && !out.contains(&s) && out.len() < CONTEXT_MAX {
            out.push(s);
        }
    }
    out
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

/// Move an unreadable file aside (`<name>.bad-<timestamp>`), unless it now parses (the
/// user repaired it) or is gone.
fn quarantine(path: &Path) -> std::io::Result<()> {
    if !path.exists() || Triage::load(path).is_ok() {
        return Ok(());
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(
        ".bad-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
    ));
    std::fs::rename(path, path.with_file_name(name))
}

/// Make the rename durable (POSIX needs the directory fsynced too); best effort.
fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(title: &str) -> Topic {
        Topic::new(Platform::Weibo, Some(1), title)
    }

    #[test]
    fn prune_caps_the_entries_keeping_flagged_and_the_most_recent() {
        let t0 = crate::domain::from_unix(1_780_000_000).unwrap();
        let mut tr = Triage::default();
        let extra = 50;
        for i in 0..MAX_TOPICS + extra {
            tr.observe(
                &topic(&format!("话题{i}")),
                t0 + Duration::seconds(i as i64),
            );
        }
        // The oldest topic is flagged: the cap never drops it.
        let oldest = topic("话题0").key();
        assert_eq!(tr.toggle_flag(&oldest), Some(true));
        let now = t0 + Duration::seconds((MAX_TOPICS + extra) as i64);
        assert_eq!(tr.prune_due(now), extra);
        assert_eq!(tr.topics.len(), MAX_TOPICS);
        assert!(tr.entry(&oldest).is_some());
        assert!(
            tr.entry(&topic("话题1").key()).is_none(),
            "oldest loose entries go first"
        );
        assert!(
            tr.entry(&topic(&format!("话题{}", MAX_TOPICS + extra - 1)).key())
                .is_some()
        );
        // Within the hour nothing is pruned again, whatever is added.
        tr.observe(&topic("又一个"), now);
        assert_eq!(tr.prune_due(now + Duration::seconds(60)), 0);
        assert_eq!(tr.topics.len(), MAX_TOPICS + 1);
        assert_eq!(tr.prune_due(now + Duration::seconds(PRUNE_EVERY_SECS)), 1);
    }
}
