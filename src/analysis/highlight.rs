//! Keyword highlighting for the UI: byte ranges of the original title, found on the
//! normalised text (full-width, case) so `ＣＨＩＮＡ` lights up for `china`.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::domain::normalize::{Normalized, normalize_text};

/// A reusable matcher for one keyword set (build once per update, apply to every row).
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
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        let norm = Normalized::new(title);
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

/// One-off form of [`Highlighter::spans`].
pub fn highlight_spans<S: AsRef<str>>(title: &str, keywords: &[S]) -> Vec<Range<usize>> {
    Highlighter::new(keywords).spans(title)
}
