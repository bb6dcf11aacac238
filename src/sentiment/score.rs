//! The lexicon scorer (reference §6.1): see the module docs of [`super`].

use super::lexicon::{Dict, Entry, UserLexicon};
use super::text::{Prepared, prepare};
use super::{Label, Scored, Text};

/// The neutral band τ: `|score| < τ` is `neu`. Chosen on the gold set's **training half** only
/// (the τ that maximised macro-F1 there; `tests/sentiment` prints the sweep).
pub const NEUTRAL_BAND: f32 = 0.3;

/// How far back (in tokens, same clause) a negator or degree adverb reaches.
const SCOPE: usize = 3;
/// A negated sentiment word: its value times this (不太好 = mildly negative, 不差 mildly positive).
const NEGATION: f32 = -0.5;
/// Contributions after a contrast marker in the sentence count this much…
const AFTER_CONTRAST: f32 = 1.5;
/// …and those before it this much.
const BEFORE_CONTRAST: f32 = 0.5;
/// Evidence entries kept per text.
const MAX_WHY: usize = 8;

/// Scores texts with the embedded lexicons (plus a user lexicon). Cheap to share: build once.
#[derive(Debug, Clone)]
pub struct Scorer {
    dict: Dict,
    band: f32,
}

impl Default for Scorer {
    fn default() -> Scorer {
        Scorer::new()
    }
}

/// One matched token of a clause.
#[derive(Clone, Copy)]
struct Tok<'a> {
    s: &'a str,
    entry: Option<Entry>,
}

/// One contribution to the sum.
struct Hit {
    surface: String,
    value: f32,
    /// Index of the sentence it belongs to (contrast scope).
    sentence: usize,
}

impl Scorer {
    /// The embedded lexicons, τ = [`NEUTRAL_BAND`].
    pub fn new() -> Scorer {
        Scorer {
            dict: Dict::embedded(),
            band: NEUTRAL_BAND,
        }
    }

    /// With the user's lexicon applied (its entries win).
    pub fn with_user(mut self, user: &UserLexicon) -> Scorer {
        self.dict.apply(user);
        self
    }

    /// With another neutral band (evaluation sweeps).
    pub fn with_band(mut self, band: f32) -> Scorer {
        self.band = band.max(0.0);
        self
    }

    pub fn band(&self) -> f32 {
        self.band
    }

    /// Score one text.
    pub fn score(&self, t: &Text) -> Scored {
        let p = prepare(t);
        let (sum, hits) = self.sum(&p);
        self.finish(sum, hits)
    }

    /// The raw sum for a text (before `tanh`), and whether any word or emoticon fired.
    pub fn raw(&self, t: &Text) -> (f32, bool) {
        let (sum, hits) = self.sum(&prepare(t));
        (sum, !hits.is_empty())
    }

    /// The label of a score under this scorer's band.
    pub fn label_of(&self, score: f32) -> Label {
        if score >= self.band {
            Label::Pos
        } else if score <= -self.band {
            Label::Neg
        } else {
            Label::Neu
        }
    }

    fn finish(&self, sum: f32, mut hits: Vec<Hit>) -> Scored {
        let score = (sum / 2.0).tanh();
        hits.retain(|h| h.value != 0.0);
        hits.sort_by(|a, b| b.value.abs().total_cmp(&a.value.abs()));
        hits.truncate(MAX_WHY);
        Scored {
            label: self.label_of(score),
            score,
            why: hits
                .iter()
                .map(|h| format!("{} {:+.2}", h.surface, h.value))
                .collect(),
        }
    }

    fn sum(&self, p: &Prepared) -> (f32, Vec<Hit>) {
        let mut hits: Vec<Hit> = Vec::new();
        let mut sentence = 0;
        // Per sentence: the multiplier for what follows (1, or 1.5 after a contrast).
        let mut after = 1.0f32;
        let mut toks: Vec<Tok<'_>> = Vec::new();
        for (clause, ends_sentence) in clauses(&p.text) {
            toks.clear();
            self.tokenize(clause, &mut toks);
            for i in 0..toks.len() {
                let Some(e) = toks[i].entry else { continue };
                if e.contrast {
                    for h in hits.iter_mut().filter(|h| h.sentence == sentence) {
                        h.value *= BEFORE_CONTRAST;
                    }
                    after = AFTER_CONTRAST;
                    continue;
                }
                // Negators are function words here even when NTUSD lists them (不太, 没有).
                let Some(v) = e.sentiment.filter(|&v| v != 0.0 && !e.negator) else {
                    continue;
                };
                // A word that is also a degree adverb (好) modifies a sentiment word right after it.
                if e.degree.is_some()
                    && toks
                        .get(i + 1)
                        .and_then(|t| t.entry)
                        .is_some_and(|n| n.is_sentiment())
                {
                    continue;
                }
                let (value, from) = self.modified(&toks, i, v);
                let surface: String = toks[from..=i].iter().map(|t| t.s).collect();
                hits.push(Hit {
                    surface,
                    value: value * after,
                    sentence,
                });
            }
            if ends_sentence {
                sentence += 1;
                after = 1.0;
            }
        }
        for name in &p.emoticons {
            if let Some(&v) = self.dict.emoticons.get(name.as_str()) {
                hits.push(Hit {
                    surface: format!("[{name}]"),
                    value: v,
                    sentence: usize::MAX,
                });
            }
        }
        let sum = hits.iter().map(|h| h.value).sum();
        (sum, hits)
    }

    /// The value of the sentiment word at `i` after the degree adverb and negators in the
    /// [`SCOPE`] tokens before it; and where the modified span starts.
    fn modified(&self, toks: &[Tok<'_>], i: usize, v: f32) -> (f32, usize) {
        let lo = i.saturating_sub(SCOPE);
        let mut value = v;
        let mut from = i;
        let mut degree_seen = false;
        let mut negators = 0;
        for j in (lo..i).rev() {
            let Some(e) = toks[j].entry else { continue };
            if e.contrast {
                break;
            }
            if e.negator {
                negators += 1;
                from = j;
            } else if let Some(d) = e.degree.filter(|_| !degree_seen) {
                // The nearest degree adverb only; a sentiment word in between ends the scope.
                value *= d;
                degree_seen = true;
                from = j;
            } else if e.is_sentiment() && e.degree.is_none() && !e.negator {
                break;
            }
        }
        if negators % 2 == 1 {
            value *= NEGATION;
        }
        (value, from)
    }

    /// Forward maximum matching: the longest dictionary word at each position, else one char.
    fn tokenize<'a>(&self, clause: &'a str, out: &mut Vec<Tok<'a>>) {
        let bounds: Vec<usize> = clause
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(clause.len()))
            .collect();
        let n = bounds.len() - 1;
        let mut i = 0;
        while i < n {
            let longest = self.dict.max_chars.min(n - i);
            let mut tok = Tok {
                s: &clause[bounds[i]..bounds[i + 1]],
                entry: None,
            };
            let mut step = 1;
            for len in (1..=longest).rev() {
                let s = &clause[bounds[i]..bounds[i + len]];
                if let Some(e) = self.dict.words.get(s) {
                    tok = Tok { s, entry: Some(*e) };
                    step = len;
                    break;
                }
            }
            // Latin/digit runs are one token (so `好` inside `okhao` never matches alone and
            // `yyds` is looked up whole).
            if tok.entry.is_none()
                && clause[bounds[i]..].starts_with(|c: char| c.is_ascii_alphanumeric())
            {
                let mut j = i;
                while j < n && clause[bounds[j]..].starts_with(|c: char| c.is_ascii_alphanumeric())
                {
                    j += 1;
                }
                let s = &clause[bounds[i]..bounds[j]];
                tok = Tok {
                    s,
                    entry: self.dict.words.get(s).copied(),
                };
                step = j - i;
            }
            out.push(tok);
            i += step;
        }
    }
}

/// Clauses of prepared text with whether each ends a sentence. Commas, semicolons, colons,
/// ellipses and spaces end a clause; 。！？!? and newlines end a sentence.
fn clauses(text: &str) -> impl Iterator<Item = (&str, bool)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let end = rest.char_indices().find(|&(_, c)| is_break(c));
            let (clause, sep, next) = match end {
                Some((i, c)) => (&rest[..i], Some(c), &rest[i + c.len_utf8()..]),
                None => (rest, None, ""),
            };
            rest = next;
            let ends = sep.is_none_or(|c| matches!(c, '。' | '!' | '！' | '?' | '？' | '\n' | '.'));
            if !clause.is_empty() {
                return Some((clause, ends));
            }
        }
    })
}

fn is_break(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ',' | '，'
                | '、'
                | '。'
                | '!'
                | '！'
                | '?'
                | '？'
                | '；'
                | '：'
                | ';'
                | ':'
                | '…'
                | '.'
                | '~'
                | '"'
                | '“'
                | '”'
                | '「'
                | '」'
                | '('
                | ')'
                | '【'
                | '】'
                | '《'
                | '》'
                | '|'
                | '/'
                | '\n'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Scored {
        Scorer::new().score(&Text::line(x))
    }

    #[test]
    fn clauses_split_and_mark_sentences() {
        let v: Vec<_> = clauses("好，差。 真的!").collect();
        assert_eq!(v, vec![("好", false), ("差", true), ("真的", true)]);
    }

    #[test]
    fn latin_runs_are_one_token() {
        assert_eq!(s("yyds").label, Label::Pos);
        assert!(s("okhao").why.is_empty());
    }
}
