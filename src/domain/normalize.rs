//! The two normal forms of text, side by side because they differ on purpose:
//!
//! - [`normalize_title`]: a topic's identity (`TopicKey`, the stores' `norm` column): no
//!   surrounding `#`, collapsed whitespace, lowercase. No NFKC: stored keys must not change.
//! - [`normalize_text`] / [`Normalized`]: the matching form (per-char NFKC + lowercase), with a
//!   map back to the original byte offsets, shared by the tokeniser (terms), the KOL matcher
//!   (highlight spans in the original title), search and triage filters.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;

/// Normalised text plus, for every normalised char piece, the original byte range it came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Normalized {
    pub text: String,
    /// `(normalised byte start, original byte range)`, ascending; one entry per original char.
    pieces: Vec<(usize, Range<usize>)>,
}

impl Normalized {
    /// Per-char NFKC (full-width → half-width, compatibility forms) and lowercase.
    /// Normalising char by char keeps an exact offset map; titles carry no combining sequences
    /// that would compose across chars after SafeText's NFC.
    pub fn new(original: &str) -> Normalized {
        let mut text = String::with_capacity(original.len());
        let mut pieces = Vec::with_capacity(original.len() / 2);
        for (i, c) in original.char_indices() {
            let start = text.len();
            for n in std::iter::once(c).nfkc() {
                text.extend(n.to_lowercase());
            }
            if text.len() > start {
                pieces.push((start, i..i + c.len_utf8()));
            }
        }
        Normalized { text, pieces }
    }

    /// Map a byte range of the normalised text back to the original string.
    pub fn original_range(&self, r: Range<usize>) -> Option<Range<usize>> {
        if r.start >= r.end {
            return None;
        }
        let piece_at = |b: usize| match self.pieces.binary_search_by(|p| p.0.cmp(&b)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let first = self.pieces.get(piece_at(r.start))?;
        let last = self.pieces.get(piece_at(r.end - 1))?;
        Some(first.1.start..last.1.end)
    }
}

/// The matching form without the map (dictionary words, stop-words, KOL names, queries).
pub fn normalize_text(s: &str) -> String {
    Normalized::new(s).text
}

/// Title normal form used for identity: no surrounding `#`, collapsed whitespace, lowercase Latin.
pub fn normalize_title(title: &str) -> String {
    let t = title.trim().trim_matches('#').trim();
    let mut out = String::with_capacity(t.len());
    let mut last_space = false;
    for c in t.chars() {
        if c.is_whitespace() {
            if !last_space && !out.is_empty() {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.extend(c.to_lowercase());
            last_space = false;
        }
    }
    out.trim_end().to_string()
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_maps_back() {
        let orig = "ＡＢＣ中国";
        let n = Normalized::new(orig);
        assert_eq!(n.text, "abc中国");
        let r = n.original_range(0..3).unwrap();
        assert_eq!(&orig[r], "ＡＢＣ");
        let r = n.original_range(3..9).unwrap();
        assert_eq!(&orig[r], "中国");
    }

    #[test]
    fn title_normal_form_joins_hashtag_and_plain() {
        assert_eq!(
            normalize_title("#旺旺 配料表#"),
            normalize_title("旺旺  配料表")
        );
        assert_eq!(normalize_title(" 中国China成为潮流 "), "中国china成为潮流");
    }
}
