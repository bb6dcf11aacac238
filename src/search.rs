//! Incremental search over titles, keywords and KOL names: case- and width-folded substring,
//! plus pinyin for staff without an IME (over SSH): initials (`wwplb` → 旺旺配料表), full
//! syllables (`wangwang`), a partial last syllable (`wangw`), every reading of a heteronym
//! (`zhangrou` and `changrou` → 长肉), and Latin/digits/CJK mixed freely (`shyge`, `sg`, `shy哥`).
//!
//! Matching is per title: [`IndexedTitle`] holds its folded characters and their readings, built
//! once and cached by [`PinyinIndex`] because the same titles come back every poll.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use pinyin::ToPinyinMulti;

use crate::domain::normalize::{Normalized, is_cjk, normalize_text};

/// What the user typed after `/`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub text: String,
    /// `/!text`: keep what does *not* match (k9s style).
    pub inverse: bool,
}

impl Query {
    /// A leading `!` inverts the query; surrounding whitespace is ignored.
    pub fn parse(input: &str) -> Query {
        let t = input.trim();
        match t.strip_prefix('!') {
            Some(rest) => Query {
                text: rest.trim().to_string(),
                inverse: true,
            },
            None => Query {
                text: t.to_string(),
                inverse: false,
            },
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// One character of a title as the pinyin matcher sees it.
#[derive(Debug, Clone)]
struct Unit {
    /// Byte range in the original text.
    orig: Range<usize>,
    /// Folded form (NFKC, lowercase); empty for characters NFKC removes.
    folded: Box<str>,
    kind: UnitKind,
}

#[derive(Debug, Clone)]
enum UnitKind {
    /// A Han character: toneless readings, every heteronym (`长` → zhang, chang).
    Han(Vec<Cow<'static, str>>),
    /// Latin, digits, other scripts: matched literally.
    Literal,
    /// Whitespace and punctuation: matched literally or skipped inside a pinyin match,
    /// so `wwplb` also finds `旺旺·配料表`.
    Skippable,
}

/// A title prepared for matching: keep it (via [`PinyinIndex`]) while the title is on screen.
#[derive(Debug, Clone)]
pub struct IndexedTitle {
    text: String,
    norm: Normalized,
    units: Vec<Unit>,
}

impl IndexedTitle {
    pub fn new(text: &str) -> IndexedTitle {
        let units = text
            .char_indices()
            .map(|(i, c)| {
                let folded: String = normalize_text(c.encode_utf8(&mut [0u8; 4]));
                let kind = if is_cjk(c) {
                    UnitKind::Han(readings(c))
                } else if folded.chars().all(|f| f.is_alphanumeric()) && !folded.is_empty() {
                    UnitKind::Literal
                } else {
                    UnitKind::Skippable
                };
                Unit {
                    orig: i..i + c.len_utf8(),
                    folded: folded.into_boxed_str(),
                    kind,
                }
            })
            .collect();
        IndexedTitle {
            text: text.to_string(),
            norm: Normalized::new(text),
            units,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Toneless readings of a Han character, heteronyms included; `ü` also as `v` and `u`
/// (what people type for 绿/女 without an IME).
fn readings(c: char) -> Vec<Cow<'static, str>> {
    let mut out: Vec<Cow<'static, str>> = Vec::new();
    let mut push = |r: Cow<'static, str>| {
        if !r.is_empty() && r.is_ascii() && !out.contains(&r) {
            out.push(r);
        }
    };
    if let Some(multi) = c.to_pinyin_multi() {
        for p in multi {
            let plain = p.plain();
            if plain.contains('ü') {
                push(Cow::Owned(plain.replace('ü', "v")));
                push(Cow::Owned(plain.replace('ü', "u")));
            } else {
                push(Cow::Borrowed(plain));
            }
        }
    }
    out
}

/// Caches [`IndexedTitle`]s by text. Bounded: cleared when it outgrows `capacity`
/// (titles churn slowly; a rebuild costs a few microseconds per title).
#[derive(Debug)]
pub struct PinyinIndex {
    titles: HashMap<String, Arc<IndexedTitle>>,
    capacity: usize,
}

impl Default for PinyinIndex {
    fn default() -> Self {
        PinyinIndex::new()
    }
}

impl PinyinIndex {
    pub const DEFAULT_CAPACITY: usize = 4096;

    pub fn new() -> PinyinIndex {
        PinyinIndex::with_capacity(PinyinIndex::DEFAULT_CAPACITY)
    }

    pub fn with_capacity(capacity: usize) -> PinyinIndex {
        PinyinIndex {
            titles: HashMap::new(),
            capacity: capacity.max(1),
        }
    }

    /// The prepared form of `text`, built on first use.
    pub fn get(&mut self, text: &str) -> Arc<IndexedTitle> {
        if let Some(t) = self.titles.get(text) {
            return t.clone();
        }
        if self.titles.len() >= self.capacity {
            self.titles.clear();
        }
        let t = Arc::new(IndexedTitle::new(text));
        self.titles.insert(text.to_string(), t.clone());
        t
    }

    /// [`Matcher::find_in`] on the cached form of `text`.
    pub fn find(&mut self, matcher: &Matcher, text: &str) -> Option<Vec<Range<usize>>> {
        matcher.find_in(&self.get(text))
    }

    /// [`Matcher::accepts_in`] on the cached form of `text`.
    pub fn accepts(&mut self, matcher: &Matcher, text: &str) -> bool {
        matcher.accepts_in(&self.get(text))
    }

    pub fn len(&self) -> usize {
        self.titles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.titles.is_empty()
    }
}

/// A query compiled for matching many texts.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// Folded query for the substring pass.
    folded: String,
    /// Folded query without whitespace, for the pinyin pass.
    compact: Vec<u8>,
    inverse: bool,
}

impl Matcher {
    pub fn new(query: &Query) -> Matcher {
        let folded = normalize_text(query.text.trim());
        let compact = folded
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .into_bytes();
        Matcher {
            folded,
            compact,
            inverse: query.inverse,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.compact.is_empty()
    }

    pub fn inverse(&self) -> bool {
        self.inverse
    }

    /// Byte ranges of `text` to highlight (sorted, disjoint), `None` when it does not match.
    /// Ignores `inverse`; an empty query matches everything with nothing highlighted.
    pub fn find(&self, text: &str) -> Option<Vec<Range<usize>>> {
        if self.is_empty() {
            return Some(Vec::new());
        }
        self.find_in(&IndexedTitle::new(text))
    }

    /// [`Matcher::find`] on a prepared title.
    pub fn find_in(&self, title: &IndexedTitle) -> Option<Vec<Range<usize>>> {
        if self.is_empty() {
            return Some(Vec::new());
        }
        let sub = self.substring(title);
        if !sub.is_empty() {
            return Some(sub);
        }
        let py = self.pinyin(title);
        (!py.is_empty()).then_some(py)
    }

    /// Whether the row stays visible: a match, or a non-match for an inverse query.
    /// An empty query keeps everything.
    pub fn accepts(&self, text: &str) -> bool {
        self.is_empty() || self.find(text).is_some() != self.inverse
    }

    /// [`Matcher::accepts`] on a prepared title.
    pub fn accepts_in(&self, title: &IndexedTitle) -> bool {
        self.is_empty() || self.find_in(title).is_some() != self.inverse
    }

    fn substring(&self, title: &IndexedTitle) -> Vec<Range<usize>> {
        let hay = &title.norm.text;
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(pos) = hay.get(from..).and_then(|h| h.find(&self.folded)) {
            let start = from + pos;
            let end = start + self.folded.len();
            if let Some(r) = title.norm.original_range(start..end) {
                out.push(r);
            }
            from = end;
        }
        out
    }

    /// Leftmost non-overlapping pinyin matches, each a run of whole characters.
    fn pinyin(&self, title: &IndexedTitle) -> Vec<Range<usize>> {
        let units = &title.units;
        let mut search = PinyinSearch::new(&self.compact, units);
        let mut out = Vec::new();
        let mut start = 0;
        while start < units.len() {
            if matches!(units[start].kind, UnitKind::Skippable) && !search.literal(start, 0) {
                start += 1;
                continue;
            }
            match search.end_from(start, 0) {
                Some(last) => {
                    out.push(units[start].orig.start..units[last].orig.end);
                    start = last + 1;
                }
                None => start += 1,
            }
        }
        out
    }
}

/// Depth-first match of the compact query against consecutive units, with a memo of
/// `(unit, query position)` states known to fail, so heteronyms cannot blow up the search.
struct PinyinSearch<'a> {
    q: &'a [u8],
    units: &'a [Unit],
    failed: Vec<bool>,
}

impl<'a> PinyinSearch<'a> {
    fn new(q: &'a [u8], units: &'a [Unit]) -> PinyinSearch<'a> {
        PinyinSearch {
            q,
            units,
            failed: vec![false; (units.len() + 1) * (q.len() + 1)],
        }
    }

    fn literal(&self, u: usize, p: usize) -> bool {
        let f = self.units[u].folded.as_bytes();
        !f.is_empty() && self.q[p..].starts_with(f)
    }

    /// Index of the last unit of a match of `q[p..]` starting at unit `u`.
    fn end_from(&mut self, u: usize, p: usize) -> Option<usize> {
        if u >= self.units.len() {
            return None;
        }
        let slot = u * (self.q.len() + 1) + p;
        if self.failed[slot] {
            return None;
        }
        let found = self.try_unit(u, p);
        if found.is_none() {
            self.failed[slot] = true;
        }
        found
    }

    fn try_unit(&mut self, u: usize, p: usize) -> Option<usize> {
        let rest = &self.q[p..];
        let mut steps: [usize; 8] = [0; 8];
        let mut n = 0;
        let mut add = |len: usize| {
            if len > 0 && n < steps.len() && !steps[..n].contains(&len) {
                steps[n] = len;
                n += 1;
            }
        };
        let unit = &self.units[u];
        if self.literal(u, p) {
            add(unit.folded.len());
        }
        let mut skip = false;
        match &unit.kind {
            UnitKind::Han(readings) => {
                for r in readings {
                    let r = r.as_bytes();
                    if rest.starts_with(r) {
                        add(r.len());
                    } else if r.starts_with(rest) {
                        // The query ends inside this syllable (`wangw`).
                        add(rest.len());
                    }
                    if r.first() == rest.first() {
                        add(1);
                    }
                    // zh/ch/sh typed as one initial.
                    if r.len() > 2
                        && r[1] == b'h'
                        && matches!(r[0], b'z' | b'c' | b's')
                        && rest.starts_with(&r[..2])
                    {
                        add(2);
                    }
                }
            }
            UnitKind::Literal => {}
            UnitKind::Skippable => skip = true,
        }
        for &len in &steps[..n] {
            if len == rest.len() {
                return Some(u);
            }
        }
        for &len in &steps[..n] {
            if let Some(end) = self.end_from(u + 1, p + len) {
                return Some(end);
            }
        }
        if skip {
            return self.end_from(u + 1, p);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_include_heteronyms_and_u_variants() {
        let r = readings('长');
        assert!(r.iter().any(|x| x == "zhang") && r.iter().any(|x| x == "chang"));
        let r = readings('绿');
        assert!(r.iter().any(|x| x == "lv") && r.iter().any(|x| x == "lu"));
    }
}
