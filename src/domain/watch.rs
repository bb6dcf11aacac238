//! Brand watch (issue 20, point 1): the watched terms and the posts found for them.
//! Platform-independent values: the config builds terms, `sources::watch` finds posts, the
//! store keeps them once by id.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

use super::Platform;
use super::normalize::normalize_text;
use super::post::{Author, Entry, EntryKind, RichText};
use super::text::SafeText;

/// One watched term: a brand, product, person or competitor. The search asks for `name` and
/// each alias; a post whose text contains an exclusion is dropped.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchTerm {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

impl WatchTerm {
    pub fn named(name: &str) -> WatchTerm {
        WatchTerm {
            name: name.to_string(),
            aliases: Vec::new(),
            exclude: Vec::new(),
        }
    }

    /// What is searched: the name, then each alias (once, blanks dropped).
    pub fn queries(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for q in std::iter::once(&self.name).chain(&self.aliases) {
            let q = q.trim();
            if !q.is_empty() && !out.contains(&q) {
                out.push(q);
            }
        }
        out
    }

    /// Does `text` contain an exclusion (compared in the matching form: NFKC, case-folded)?
    pub fn excludes(&self, text: &str) -> bool {
        let t = normalize_text(text);
        self.exclude
            .iter()
            .map(|x| normalize_text(x.trim()))
            .any(|x| !x.is_empty() && t.contains(&x))
    }

    /// The term's identity: its name in the matching form (terms from the config and the
    /// watchlist are joined by it).
    pub fn key(&self) -> String {
        normalize_text(self.name.trim())
    }
}

/// A sentinel account (issue 20, point 2): a Weibo user whose timeline is followed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sentinel {
    /// Weibo uid (digits).
    pub uid: String,
    /// Screen name, as configured or as the platform sent it.
    pub name: String,
}

impl Sentinel {
    pub fn new(uid: &str, name: &str) -> Sentinel {
        Sentinel {
            uid: uid.trim().to_string(),
            name: name.trim().to_string(),
        }
    }

    /// What its posts are stored under in `watch_posts.term`: `@` and the screen name. A
    /// watched term may not start with `@` (the config refuses it), so the two never mix.
    pub fn term(&self) -> String {
        format!("{SENTINEL_PREFIX}{}", self.name)
    }
}

/// The first character of a sentinel's stored term.
pub const SENTINEL_PREFIX: char = '@';

/// Is this stored term a sentinel's (`@name`)?
pub fn is_sentinel_term(term: &str) -> bool {
    term.starts_with(SENTINEL_PREFIX)
}

/// The terms to watch: `configured`, then the watchlist's keywords not already among them
/// (compared in the matching form), each once; blanks and `@…` (sentinel) names dropped.
pub fn merge_terms(
    configured: &[WatchTerm],
    watchlist: impl IntoIterator<Item = String>,
) -> Vec<WatchTerm> {
    let mut seen = std::collections::HashSet::new();
    let listed = watchlist.into_iter().map(|k| WatchTerm::named(&k));
    configured
        .iter()
        .cloned()
        .chain(listed)
        .filter(|t| {
            let name = t.name.trim();
            !name.is_empty() && !is_sentinel_term(name) && seen.insert(t.key())
        })
        .collect()
}

/// A post found for a watched term, as stored (one row per platform and id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchPost {
    pub platform: Platform,
    /// Platform id (Weibo mid).
    pub id: String,
    /// The watched term's name it was found for (the first, when several match).
    pub term: String,
    pub author: String,
    pub author_id: Option<String>,
    /// Weibo `verified_type` (`None`: not sent; ≥ 0 verified).
    pub verified_type: Option<i64>,
    pub followers: Option<u64>,
    pub reposts: Option<u64>,
    pub comments: Option<u64>,
    pub likes: Option<u64>,
    /// `None` when the platform sent no readable time.
    pub created_at: Option<DateTime<FixedOffset>>,
    /// Sanitised plain text.
    pub text: String,
    /// When this build first saw it.
    pub first_seen: DateTime<FixedOffset>,
}

impl WatchPost {
    /// A post with what every platform gives — id, term, author, time, text — and no
    /// verification, follower or engagement figures (set them after, where known).
    pub fn new(
        platform: Platform,
        id: &str,
        term: &str,
        author: &str,
        created_at: Option<DateTime<FixedOffset>>,
        text: &str,
        first_seen: DateTime<FixedOffset>,
    ) -> WatchPost {
        WatchPost {
            platform,
            id: id.to_string(),
            term: term.to_string(),
            author: author.to_string(),
            author_id: None,
            verified_type: None,
            followers: None,
            reposts: None,
            comments: None,
            likes: None,
            created_at,
            text: text.to_string(),
            first_seen,
        }
    }

    /// A drill-down entry (from the shared mblog parser) as a watch post.
    pub fn from_entry(
        platform: Platform,
        term: &str,
        e: &Entry,
        first_seen: DateTime<FixedOffset>,
    ) -> WatchPost {
        WatchPost {
            platform,
            id: e.id.clone(),
            term: term.to_string(),
            author: e.author.name.as_str().to_string(),
            author_id: e.author.id.clone(),
            verified_type: e.author.verified_type,
            followers: e.author.followers,
            reposts: e.reposts,
            comments: e.replies,
            likes: e.likes,
            created_at: e.created_at,
            text: SafeText::multiline(&e.text.to_plain()).into_string(),
            first_seen,
        }
    }

    pub fn is_verified(&self) -> bool {
        self.verified_type.is_some_and(|v| v >= 0)
    }

    /// As a drill-down entry (the post shown above its comments). Its text is the stored plain
    /// text: hashtags and emoticons read as text.
    pub fn as_entry(&self) -> Entry {
        let author = Author {
            id: self.author_id.clone(),
            verified_type: self.verified_type,
            followers: self.followers,
            ..Author::named(&self.author)
        };
        let mut e = Entry::new(
            EntryKind::WeiboPost,
            &self.id,
            author,
            RichText::plain(&self.text),
        );
        e.created_at = self.created_at;
        e.reposts = self.reposts;
        e.replies = self.comments;
        e.likes = self.likes;
        e.url = self.url();
        e
    }

    /// The post's page (`m.weibo.cn/status/<mid>`); `None` for a platform without one here.
    pub fn url(&self) -> Option<String> {
        (self.platform == Platform::Weibo).then(|| format!("https://m.weibo.cn/status/{}", self.id))
    }
}
