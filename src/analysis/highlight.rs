//! Keyword highlighting for the UI: byte ranges of the original title, found on the
//! normalised text (full-width, case) so `ＣＨＩＮＡ` lights up for `china`.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::domain::normalize::{Normalized, normalize_text};

/// A reusable matcher for one keyword set (build once per update, apply to every row).
#[derive(Clone)]
pub struct Highlighter {
    ac: Option<AhoCorasick>,
}

impl Highlighter {
    pub fn new<S: AsRef<str>>(keywords: &[S]) -> Highlighter {
        let pats: Vec<String> = keywords
            .iter()
            .map(|k| normalize_text(k.as_ref().trim()))
            .filter(|k| !k.is_empty())
            .collect();
        let ac = (!pats.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&pats)
                    .ok()
            })
            .flatten();
        Highlighter { ac }
    }

    /// Sorted, non-overlapping byte ranges of `title` to highlight.
    pub fn spans(&self, title: &str) -> Vec<Range<usize>> {
        if self.ac.is_none() {
            return Vec::new();
        }
        self.spans_of(&Normalized::new(title))
    }

    /// [`Highlighter::spans`] of a title already normalised (ranges in the original title).
    pub fn spans_of(&self, norm: &Normalized) -> Vec<Range<usize>> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        let mut out: Vec<Range<usize>> = Vec::new();
        for m in ac.find_iter(&norm.text) {
            let Some(r) = norm.original_range(m.range()) else {
                continue;
            };
            match out.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => out.push(r),
            }
        }
        out
    }
}

/// The matchers the board's rows are annotated with: the highlighter of the rising keywords
/// and filter words, and which rising keywords each title holds. Built for one keyword set
/// and kept while the set stays the same (a poll refreshes the rows without changing it).
#[derive(Default)]
pub struct RowMatchers {
    rising: Vec<String>,
    filter: Vec<String>,
    highlighter: Option<Highlighter>,
    /// Every occurrence of every rising keyword (overlapping): pattern `i` is `rising[i]`'s
    /// normal form.
    contains: Option<AhoCorasick>,
    /// Pattern → index in `rising`.
    pattern_of: Vec<usize>,
}

impl RowMatchers {
    /// Matchers for `rising` keywords (in panel order) and `filter` words.
    pub fn new(rising: &[&str], filter: &[&str]) -> RowMatchers {
        let mut words: Vec<&str> = rising.to_vec();
        words.extend_from_slice(filter);
        let highlighter = (!words.is_empty()).then(|| Highlighter::new(&words));
        let (pats, pattern_of): (Vec<String>, Vec<usize>) = rising
            .iter()
            .enumerate()
            .map(|(i, k)| (normalize_text(k.trim()), i))
            .filter(|(p, _)| !p.is_empty())
            .unzip();
        let contains = (!pats.is_empty())
            .then(|| AhoCorasick::new(&pats).ok())
            .flatten();
        RowMatchers {
            rising: rising.iter().map(|s| s.to_string()).collect(),
            filter: filter.iter().map(|s| s.to_string()).collect(),
            highlighter,
            contains,
            pattern_of,
        }
    }

    /// Built for these keyword sets.
    pub fn is_for(&self, rising: &[&str], filter: &[&str]) -> bool {
        self.rising
            .iter()
            .map(String::as_str)
            .eq(rising.iter().copied())
            && self
                .filter
                .iter()
                .map(String::as_str)
                .eq(filter.iter().copied())
    }

    /// Highlight ranges of a normalised title (see [`Highlighter::spans`]).
    pub fn spans(&self, norm: &Normalized) -> Vec<Range<usize>> {
        self.highlighter
            .as_ref()
            .map(|h| h.spans_of(norm))
            .unwrap_or_default()
    }

    /// Indexes (into the rising keywords, ascending) of those whose normal form is in the
    /// normalised title.
    pub fn rising_in(&self, norm: &Normalized) -> Vec<usize> {
        let Some(ac) = &self.contains else {
            return Vec::new();
        };
        let mut out: Vec<usize> = ac
            .find_overlapping_iter(&norm.text)
            .map(|m| self.pattern_of[m.pattern().as_usize()])
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl std::fmt::Debug for RowMatchers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowMatchers")
            .field("rising", &self.rising)
            .field("filter", &self.filter)
            .finish()
    }
}

impl PartialEq for RowMatchers {
    fn eq(&self, other: &RowMatchers) -> bool {
        self.rising == other.rising && self.filter == other.filter
    }
}

/// One-off form of [`Highlighter::spans`].
pub fn highlight_spans<S: AsRef<str>>(title: &str, keywords: &[S]) -> Vec<Range<usize>> {
    Highlighter::new(keywords).spans(title)
}
