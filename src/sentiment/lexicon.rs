//! The dictionary the scorer matches against: embedded lists (data/sentiment/, NOTES.md there)
//! and the user's lexicon file (`word weight` a line).

use std::collections::HashMap;

use super::text::normalize;

const NTUSD_POSITIVE: &str = include_str!("../../data/sentiment/ntusd_positive.txt");
const NTUSD_NEGATIVE: &str = include_str!("../../data/sentiment/ntusd_negative.txt");
const SLANG: &str = include_str!("../../data/sentiment/slang.txt");
const NEUTRAL: &str = include_str!("../../data/sentiment/neutral.txt");
const NEGATORS: &str = include_str!("../../data/sentiment/negators.txt");
const DEGREE: &str = include_str!("../../data/sentiment/degree.txt");
const CONTRAST: &str = include_str!("../../data/sentiment/contrast.txt");
const EMOTICONS: &str = include_str!("../../data/sentiment/emoticons.txt");

/// Weight of an NTUSD word (±). NTUSD is broad and unweighted (it lists 还是, 觉得, 第一 as
/// positive); resou's own, curated lists weigh 1–2. Chosen on the gold set's training half.
pub(crate) const NTUSD_WEIGHT: f32 = 0.5;

/// Longest dictionary word matched, in characters (NTUSD's longest is 5).
pub(crate) const MAX_WORD_CHARS: usize = 8;

/// What a dictionary word is. A word can be several things (`好`: sentiment and degree).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Entry {
    /// Polarity weight; `Some(0.0)` for a neutral word (it still blocks shorter matches).
    pub sentiment: Option<f32>,
    pub degree: Option<f32>,
    pub negator: bool,
    pub contrast: bool,
}

impl Entry {
    pub fn is_sentiment(&self) -> bool {
        self.sentiment.is_some_and(|v| v != 0.0)
    }
}

/// The merged dictionary and emoticon table.
#[derive(Debug, Clone)]
pub(crate) struct Dict {
    pub words: HashMap<Box<str>, Entry>,
    pub emoticons: HashMap<Box<str>, f32>,
    /// Longest word, in characters (bounded by [`MAX_WORD_CHARS`]).
    pub max_chars: usize,
}

fn lines(src: &str) -> impl Iterator<Item = &str> {
    src.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
}

/// `word weight` lines of an embedded list (a build defect panics in the tests, not here:
/// a malformed line is skipped).
fn weighted(src: &str) -> impl Iterator<Item = (String, f32)> + '_ {
    lines(src).filter_map(|l| {
        let mut f = l.split_whitespace();
        let w = normalize(f.next()?);
        let v = f.next()?.parse::<f32>().ok().filter(|v| v.is_finite())?;
        Some((w, v))
    })
}

impl Dict {
    /// The embedded lists. Later lists win: NTUSD (positive, then negative), neutral words,
    /// resou's slang. Negators, degree adverbs and contrast markers are added to whatever
    /// entry the word already has.
    pub fn embedded() -> Dict {
        let mut words: HashMap<Box<str>, Entry> = HashMap::with_capacity(21_000);
        let mut set = |w: String, v: f32| {
            words.entry(w.into_boxed_str()).or_default().sentiment = Some(v);
        };
        for w in NTUSD_POSITIVE
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            set(normalize(w), NTUSD_WEIGHT);
        }
        for w in NTUSD_NEGATIVE
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            set(normalize(w), -NTUSD_WEIGHT);
        }
        for w in lines(NEUTRAL) {
            set(normalize(w), 0.0);
        }
        for (w, v) in weighted(SLANG) {
            set(w, v);
        }
        for w in lines(NEGATORS) {
            words
                .entry(normalize(w).into_boxed_str())
                .or_default()
                .negator = true;
        }
        for w in lines(CONTRAST) {
            words
                .entry(normalize(w).into_boxed_str())
                .or_default()
                .contrast = true;
        }
        for (w, v) in weighted(DEGREE) {
            words.entry(w.into_boxed_str()).or_default().degree = Some(v);
        }
        let emoticons = weighted(EMOTICONS)
            .map(|(w, v)| (w.into_boxed_str(), v))
            .collect();
        let mut d = Dict {
            words,
            emoticons,
            max_chars: 1,
        };
        d.fix_max();
        d
    }

    fn fix_max(&mut self) {
        self.max_chars = self
            .words
            .keys()
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(1)
            .clamp(1, MAX_WORD_CHARS);
    }

    /// User entries win over everything embedded: a word's weight replaces its sentiment (0
    /// makes it neutral); `[名]` sets an emoticon's weight.
    pub fn apply(&mut self, user: &UserLexicon) {
        for (w, v) in &user.entries {
            if let Some(name) = w.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
                self.emoticons.insert(name.into(), *v);
            } else {
                self.words.entry(w.as_str().into()).or_default().sentiment = Some(*v);
            }
        }
        self.fix_max();
    }
}

/// The user's lexicon file (`$XDG_CONFIG_HOME/resou/sentiment.txt`, loaded by `config`):
/// `word weight` per line, `#` starts a comment, `[名] weight` for an emoticon. Entries win
/// over the embedded lists; weight 0 makes a word neutral.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserLexicon {
    /// Normalised word (or `[name]`) and weight, in file order (a later line wins).
    pub entries: Vec<(String, f32)>,
}

/// A bad line in a lexicon file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}:{line}: {problem}")]
pub struct LexiconError {
    pub path: String,
    pub line: usize,
    pub problem: String,
}

/// Largest weight accepted (the embedded lists use ±2 at most).
const MAX_USER_WEIGHT: f32 = 10.0;

impl UserLexicon {
    /// Parse a lexicon file's text; `path` names it in errors (`path:line: problem`).
    pub fn parse(src: &str, path: &str) -> Result<UserLexicon, LexiconError> {
        let mut entries = Vec::new();
        for (i, raw) in src.lines().enumerate() {
            let err = |problem: String| LexiconError {
                path: path.to_string(),
                line: i + 1,
                problem,
            };
            let l = raw.split('#').next().unwrap_or("").trim();
            if l.is_empty() {
                continue;
            }
            let f: Vec<&str> = l.split_whitespace().collect();
            let [word, weight] = f[..] else {
                return Err(err(format!(
                    "expected `word weight`, found {} field(s): `{l}`",
                    f.len()
                )));
            };
            let v: f32 = weight
                .parse()
                .map_err(|_| err(format!("weight `{weight}` is not a number")))?;
            if !v.is_finite() || v.abs() > MAX_USER_WEIGHT {
                return Err(err(format!(
                    "weight {weight} is outside -{MAX_USER_WEIGHT}..={MAX_USER_WEIGHT}"
                )));
            }
            let w = normalize(word);
            let chars = w.chars().count();
            let emoticon = w.starts_with('[') && w.ends_with(']') && chars > 2;
            if !emoticon && chars > MAX_WORD_CHARS {
                return Err(err(format!(
                    "`{word}` is longer than {MAX_WORD_CHARS} characters"
                )));
            }
            entries.push((w, v));
        }
        Ok(UserLexicon { entries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_lists_load_with_their_precedence() {
        let d = Dict::embedded();
        assert!(d.words.len() > 20_000);
        // NTUSD says 呵呵 is positive; the slang list wins.
        assert!(d.words["呵呵"].sentiment.unwrap() < 0.0);
        assert_eq!(d.words["时间"].sentiment, Some(0.0));
        assert!(d.words["不太"].negator);
        let hao = d.words["好"];
        assert!(hao.sentiment.unwrap() > 0.0 && hao.degree.is_some());
        assert!(d.words["但是"].contrast);
        assert_eq!(d.emoticons["微笑"], -0.5);
        assert_eq!(d.emoticons["ok"], 0.5, "names are normalised");
        for src in [SLANG, DEGREE, EMOTICONS] {
            assert_eq!(
                lines(src).count(),
                weighted(src).count(),
                "every line parses"
            );
        }
    }

    #[test]
    fn user_lexicon_errors_name_file_and_line() {
        let e = UserLexicon::parse("# brand words\n旺仔 1\n\n翻车了 -x\n", "sentiment.txt")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "sentiment.txt:4: weight `-x` is not a number"
        );
        let e = UserLexicon::parse("好 1 2\n", "f").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.problem.contains("3 field"));
        assert!(UserLexicon::parse("好 inf\n", "f").is_err());
        assert!(UserLexicon::parse("好 99\n", "f").is_err());
        assert!(UserLexicon::parse("一二三四五六七八九 1\n", "f").is_err());
        let ok = UserLexicon::parse("ＹＹＤＳ 2 # full width\n[吃瓜] -0.5\n", "f").unwrap();
        assert_eq!(
            ok.entries,
            vec![("yyds".to_string(), 2.0), ("[吃瓜]".to_string(), -0.5)]
        );
    }
}
