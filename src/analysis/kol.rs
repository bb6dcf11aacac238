//! KOLs: the watchlist file, discovery from topic host/media accounts, and an Aho–Corasick
//! matcher over normalised raw text that reports spans in the original string.

use std::collections::HashSet;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};

use crate::domain::normalize::{Normalized, is_cjk, normalize_text};
use crate::domain::{SafeText, line_of};

/// One watched account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kol {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weibo_uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tieba_portrait: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Match two-character CJK names anywhere, not only at word boundaries.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_short: bool,
}

impl Kol {
    pub fn new(name: &str) -> Kol {
        Kol {
            name: name.to_string(),
            aliases: Vec::new(),
            weibo_uid: None,
            tieba_portrait: None,
            note: None,
            allow_short: false,
        }
    }

    /// Name and aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{path}:{line}: {msg}")]
pub struct KolFileError {
    pub path: String,
    pub line: usize,
    pub msg: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KolFile {
    #[serde(default)]
    kol: Vec<toml::Spanned<KolEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KolEntry {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    weibo_uid: Option<String>,
    tieba_portrait: Option<String>,
    note: Option<String>,
    #[serde(default)]
    allow_short: bool,
}

/// Parse a watchlist (`[[kol]]` tables: name, aliases, weibo_uid, tieba_portrait, note,
/// allow_short). Errors name the file and line; empty and duplicate names are errors.
pub fn parse_kol_file(text: &str, path: &str) -> Result<Vec<Kol>, KolFileError> {
    let err = |byte: usize, msg: String| KolFileError {
        path: path.to_string(),
        line: line_of(text, byte),
        msg,
    };
    let file: KolFile = toml::from_str(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        err(at, e.message().to_string())
    })?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(file.kol.len());
    for entry in file.kol {
        let at = entry.span().start;
        let e = entry.into_inner();
        let name = SafeText::line(&e.name).into_string();
        if name.trim().is_empty() {
            return Err(err(at, "kol name is empty".into()));
        }
        if !seen.insert(normalize_text(&name)) {
            return Err(err(at, format!("duplicate kol name `{name}`")));
        }
        out.push(Kol {
            name,
            aliases: e
                .aliases
                .iter()
                .map(|a| SafeText::line(a).into_string())
                .filter(|a| !a.trim().is_empty())
                .collect(),
            weibo_uid: e.weibo_uid,
            tieba_portrait: e.tieba_portrait,
            note: e.note,
            allow_short: e.allow_short,
        });
    }
    Ok(out)
}

/// Why an account was seen next to a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountRole {
    Host,
    Media,
    Author,
}

/// An account record from a topic page (`host`, `media_info.users[]`, post authors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    pub name: String,
    pub uid: Option<String>,
    /// Weibo `verified_type`: −1 none, 0 personal, 1–7 organisations (3 media, 7 …).
    pub verified_type: Option<i64>,
    pub role: AccountRole,
}

/// KOL candidates from topic accounts: hosts always, media and authors only when verified.
/// De-duplicated by uid, then by normalised name; names already in `known` are skipped.
pub fn discover_kols(records: &[AccountRecord], known: &[Kol]) -> Vec<Kol> {
    let mut names: HashSet<String> = known
        .iter()
        .flat_map(|k| k.names().map(normalize_text).collect::<Vec<_>>())
        .collect();
    let mut uids: HashSet<String> = known.iter().filter_map(|k| k.weibo_uid.clone()).collect();
    let mut out = Vec::new();
    for r in records {
        let name = SafeText::line(&r.name).into_string();
        let name = name.trim_matches(|c: char| c.is_whitespace()).to_string();
        let verified = r.verified_type.is_some_and(|v| v >= 0);
        if name.is_empty() || (r.role != AccountRole::Host && !verified) {
            continue;
        }
        let uid = r.uid.clone().filter(|u| !u.trim().is_empty());
        if uid.as_ref().is_some_and(|u| uids.contains(u)) || !names.insert(normalize_text(&name)) {
            continue;
        }
        if let Some(u) = &uid {
            uids.insert(u.clone());
        }
        let role = match r.role {
            AccountRole::Host => "host",
            AccountRole::Media => "media",
            AccountRole::Author => "author",
        };
        out.push(Kol {
            weibo_uid: uid,
            note: Some(match r.verified_type {
                Some(v) => format!("discovered: topic {role}, verified_type {v}"),
                None => format!("discovered: topic {role}"),
            }),
            ..Kol::new(&name)
        });
    }
    out
}

/// One KOL mention in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KolSpan {
    /// Index into the matcher's KOL list.
    pub kol: usize,
    /// The KOL's display name.
    pub name: String,
    /// Byte range in the ORIGINAL text.
    pub span: Range<usize>,
}

/// Leftmost-longest matcher over every name and alias.
pub struct KolMatcher {
    kols: Vec<Kol>,
    ac: Option<AhoCorasick>,
    /// Per pattern: (kol index, needs a token boundary).
    patterns: Vec<(usize, bool)>,
}

impl KolMatcher {
    pub fn new(kols: Vec<Kol>) -> KolMatcher {
        let mut pats = Vec::new();
        let mut patterns = Vec::new();
        for (i, k) in kols.iter().enumerate() {
            for n in k.names() {
                let p = normalize_text(n.trim());
                if p.is_empty() {
                    continue;
                }
                let short = p.chars().count() <= 2 && p.chars().all(is_cjk);
                patterns.push((i, short && !k.allow_short));
                pats.push(p);
            }
        }
        // Building only fails for absurd pattern sizes; then there is simply no matcher.
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&pats)
            .ok()
            .filter(|_| !pats.is_empty());
        KolMatcher { kols, ac, patterns }
    }

    pub fn kols(&self) -> &[Kol] {
        &self.kols
    }

    /// Matches in `norm` (normalised text); `is_boundary` decides the short-name rule.
    /// Spans are mapped back to the original text.
    pub fn find(&self, norm: &Normalized, is_boundary: impl Fn(usize) -> bool) -> Vec<KolSpan> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in ac.find_iter(&norm.text) {
            let Some(&(kol, needs_boundary)) = self.patterns.get(m.pattern().as_usize()) else {
                continue;
            };
            if needs_boundary && !(is_boundary(m.start()) && is_boundary(m.end())) {
                continue;
            }
            if let Some(span) = norm.original_range(m.range()) {
                out.push(KolSpan {
                    kol,
                    name: self.kols[kol].name.clone(),
                    span,
                });
            }
        }
        out
    }
}
