//! Offline sentiment of posts, comments and floors (issue 20 point 4; reference/sentiment.md §6).
//!
//! Pure: no I/O, no clock, no network; names only `domain`. A [`Text`] (the plain text and the
//! emoticon names read from the raw markup) goes through [`Scorer::score`]:
//!
//! 1. the author's segment ([`prepare`]): NFKC (full-width → half-width) and lowercase, control,
//!    zero-width and bidi characters dropped, text after the first `//@` cut, a `回复@名:` /
//!    `回复 名 :` prefix, `#话题#`, URLs, `@names` and `…的微博视频` trailers removed; `[名]`
//!    tokens become emoticons;
//! 2. clauses split on punctuation and spaces; each matched by forward maximum matching against
//!    one dictionary: NTUSD (MIT) ∪ resou's slang ∪ neutral words ∪ negators ∪ degree adverbs
//!    ∪ contrast markers, user lexicon entries winning;
//! 3. a sentiment word's value times the nearest degree adverb before it (≤ 3 tokens), times
//!    −0.5 when an odd number of negators precede it (≤ 3 tokens), contributions before a
//!    contrast marker in the sentence ×0.5 and after it ×1.5; emoticons add their table value;
//! 4. `score = tanh(sum / 2)`; `pos` when `score ≥ τ`, `neg` when `score ≤ −τ`, else `neu`
//!    ([`NEUTRAL_BAND`], chosen on the gold set's training half).
//!
//! [`Scored::why`] keeps the words and emoticons that drove the score with their contributions.
//! [`NaiveBayes`] is the trained alternative (char 1–2-grams); [`eval`] computes the figures.

mod bayes;
pub mod eval;
mod lexicon;
mod score;
mod text;

pub use bayes::NaiveBayes;
pub use lexicon::{LexiconError, UserLexicon};
pub use score::{NEUTRAL_BAND, Scorer};
pub use text::{Prepared, Text, prepare};

/// Polarity of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    Pos,
    Neu,
    Neg,
}

impl Label {
    pub const ALL: [Label; 3] = [Label::Pos, Label::Neu, Label::Neg];

    /// `pos`, `neu`, `neg` (the CLI's and the gold set's spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Pos => "pos",
            Label::Neu => "neu",
            Label::Neg => "neg",
        }
    }

    pub fn parse(s: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// Index into per-class arrays (`ALL` order).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A scored text.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub label: Label,
    /// In (−1, 1): `tanh(sum / 2)` for the lexicon scorer.
    pub score: f32,
    /// What drove the score: `"不太好 -0.50"`, `"[偷笑] +1.00"`, largest first.
    pub why: Vec<String>,
}
