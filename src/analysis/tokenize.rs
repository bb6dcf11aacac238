//! Title → terms: hashtags, whitespace split, NFKC + lowercase, jieba `cut` with HMM,
//! stop-words, punctuation, numbers and single characters dropped (trend-detection.md §3).

use std::collections::HashSet;
use std::io::BufReader;

use jieba_rs::Jieba;

use crate::domain::normalize::{Normalized, normalize_text};

const DEFAULT_STOPWORDS: &str = include_str!("../../data/analysis/stopwords.txt");
const DEFAULT_USER_DICT: &str = include_str!("../../data/analysis/userdict.txt");
/// jieba's main dictionary (jieba-rs 0.11 `src/data/dict.txt`, MIT; 349,045 words, of which
/// [`PrunedDict`] loads 246,833), gzipped.
/// Streamed line by line into the segmenter: the crate's embedded copy would be decompressed
/// into a 5 MB string that stays allocated for the life of the process.
const JIEBA_DICT_GZ: &[u8] = include_bytes!("../../data/analysis/jieba-dict.txt.gz");

/// The segmenter with jieba's dictionary. A shipped dictionary that does not load is a build
/// defect (a test loads it); the session then segments with HMM only instead of stopping.
pub fn base_segmenter() -> Jieba {
    let mut dict = PrunedDict {
        inner: BufReader::new(flate2::read::GzDecoder::new(JIEBA_DICT_GZ)),
        line: String::new(),
        pos: 0,
    };
    Jieba::with_dict(&mut dict).unwrap_or_else(|e| {
        tracing::error!("jieba dictionary did not load ({e}); segmenting without it");
        Jieba::empty()
    })
}

/// Words at jieba's floor frequency are left out of the loaded dictionary unless they are
/// names, idioms or set phrases: see [`pruned`].
const PRUNE_MAX_FREQ: u64 = 3;
/// Parts of speech kept at any frequency: idioms (`i`), set phrases (`l`) and names (persons,
/// places, organisations, other proper nouns), which keywords and stories are made of.
const PRUNE_KEEP_TAGS: [&str; 6] = ["i", "l", "nr", "ns", "nt", "nz"];

/// Whether a dictionary line is left out: a word of two or more characters with a frequency
/// of at most [`PRUNE_MAX_FREQ`] and no tag of [`PRUNE_KEEP_TAGS`]. jieba's segmenter keeps
/// every word in a hash-table trie sized in powers of two at ≤ 75 % load: the full
/// dictionary's 498,113 prefixes need 2^20 slots (16.8 MB); without these 102,212 rare
/// generic words 362,992 prefixes fit 2^19 (8.4 MB), and the per-word records shrink by
/// 30 %: ~13 MB less resident for the life of the process. On the three archives the keyword
/// panel's figures and the story grouping's are those of the full dictionary (BENCHMARKS.md,
/// "Every list (issue 18)"); such a word in a title is segmented into its parts, as one the
/// dictionary never had would be.
fn pruned(line: &str) -> bool {
    let mut f = line.split_whitespace();
    let long = f.next().is_some_and(|w| w.chars().count() >= 2);
    let rare = f
        .next()
        .and_then(|x| x.parse::<u64>().ok())
        .is_some_and(|x| x <= PRUNE_MAX_FREQ);
    let kept = f
        .next()
        .is_some_and(|t| PRUNE_KEEP_TAGS.iter().any(|k| t.starts_with(k)));
    long && rare && !kept
}

/// The dictionary's lines without the [`pruned`] words, as jieba's loader reads them.
struct PrunedDict<R> {
    inner: R,
    line: String,
    pos: usize,
}

impl<R: std::io::BufRead> std::io::Read for PrunedDict<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let b = std::io::BufRead::fill_buf(self)?;
            let n = b.len().min(buf.len());
            buf[..n].copy_from_slice(&b[..n]);
            n
        };
        std::io::BufRead::consume(self, n);
        Ok(n)
    }
}

impl<R: std::io::BufRead> std::io::BufRead for PrunedDict<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.pos >= self.line.len() {
            self.line.clear();
            self.pos = 0;
            if self.inner.read_line(&mut self.line)? == 0 {
                break;
            }
            if pruned(&self.line) {
                self.line.clear();
            }
        }
        Ok(&self.line.as_bytes()[self.pos..])
    }
    fn consume(&mut self, n: usize) {
        self.pos += n;
    }
}

/// Longest hashtag kept as a term of its own (longer ones are sentences, not names).
const MAX_HASHTAG_CHARS: usize = 30;

/// One dictionary entry: `word [freq] [tag]`, jieba's dictionary line format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DictWord {
    pub word: String,
    pub freq: Option<usize>,
    pub tag: Option<String>,
}

/// Parse a user dictionary (one word per line, `#` comments). Never fails: the word is
/// the first field, and a second field that is not a number is taken as the tag.
pub fn parse_dictionary(text: &str) -> Vec<DictWord> {
    text.lines()
        .filter_map(|l| {
            let l = l.split('#').next().unwrap_or("").trim();
            let mut f = l.split_whitespace();
            let word = f.next()?.to_string();
            let (mut freq, mut tag) = (None, None);
            for x in f {
                match x.parse::<usize>() {
                    Ok(n) if freq.is_none() && tag.is_none() => freq = Some(n),
                    _ if tag.is_none() => tag = Some(x.to_string()),
                    _ => {}
                }
            }
            Some(DictWord { word, freq, tag })
        })
        .collect()
}

/// Parse a stop-word list (one per line, `#` comments); entries are normalised.
pub fn parse_word_list(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(normalize_text)
        .collect()
}

/// The result of tokenising one text.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    /// The normalised text the tokens refer to, with a map back to the original.
    pub norm: Normalized,
    /// Filtered terms, de-duplicated, in order of first appearance.
    pub terms: Vec<String>,
    /// Per term: a name — a hashtag, or a word jieba tags as a person, place, organisation,
    /// other proper noun or Latin word (user-dictionary and KOL words are proper nouns). What
    /// a story is about, so the panel prefers it as a label.
    pub names: Vec<bool>,
    /// Every token boundary (byte offsets into `norm.text`), sorted, including dropped tokens.
    pub boundaries: Vec<usize>,
}

impl Tokens {
    pub fn is_boundary(&self, b: usize) -> bool {
        self.boundaries.binary_search(&b).is_ok()
    }
}

/// Jieba plus the filters. Build it off the UI thread: loading the dictionary takes a while.
pub struct Tokenizer {
    jieba: Jieba,
    stopwords: HashSet<String>,
    /// One-character words that are kept (from the user dictionary).
    singles: HashSet<String>,
}

impl Tokenizer {
    /// Default dictionary + the shipped user dictionary and stop-words + extras.
    pub fn new(extra_words: &[DictWord], extra_stopwords: &[String]) -> Tokenizer {
        let mut t = Tokenizer {
            jieba: base_segmenter(),
            stopwords: parse_word_list(DEFAULT_STOPWORDS).into_iter().collect(),
            singles: HashSet::new(),
        };
        t.stopwords
            .extend(extra_stopwords.iter().map(|s| normalize_text(s)));
        for w in parse_dictionary(DEFAULT_USER_DICT)
            .iter()
            .chain(extra_words)
        {
            t.add_word(&w.word, w.freq, w.tag.as_deref());
        }
        t
    }

    /// Add a word that must never be split (user dictionary, KOL names).
    pub fn add_word(&mut self, word: &str, freq: Option<usize>, tag: Option<&str>) {
        let w = normalize_text(word.trim());
        if w.is_empty() || w.chars().any(char::is_whitespace) {
            return;
        }
        self.jieba.add_word(&w, freq, Some(tag.unwrap_or("nr")));
        if w.chars().count() == 1 {
            self.singles.insert(w.clone());
        }
        // A dictionary word is a deliberate term even if it is also listed as a stop-word.
        self.stopwords.remove(&w);
    }

    /// The underlying segmenter (benchmarks compare against raw `cut`).
    pub fn jieba(&self) -> &Jieba {
        &self.jieba
    }

    pub fn tokenize(&self, text: &str) -> Tokens {
        let norm = Normalized::new(text);
        let mut terms: Vec<String> = Vec::new();
        let mut names: Vec<bool> = Vec::new();
        let mut boundaries = Vec::new();
        let s = norm.text.as_str();
        let mut push = |terms: &mut Vec<String>, w: &str, name: bool| match terms
            .iter()
            .position(|t| t == w)
        {
            Some(i) => names[i] |= name,
            None => {
                terms.push(w.to_string());
                names.push(name);
            }
        };
        for tag in embedded_hashtags(s) {
            if tag.chars().count() <= MAX_HASHTAG_CHARS && self.keep(tag) {
                push(&mut terms, tag, true);
            }
        }
        for (off, part) in parts(s) {
            boundaries.push(off);
            // `tag` segments exactly as `cut` and adds the part of speech.
            for tok in self.jieba.tag(part, true) {
                boundaries.push(off + tok.byte_end);
                let w = tok.word.trim();
                if self.keep(w) {
                    push(&mut terms, w, is_name_tag(tok.tag));
                }
            }
        }
        boundaries.sort_unstable();
        boundaries.dedup();
        Tokens {
            norm,
            terms,
            names,
            boundaries,
        }
    }

    fn keep(&self, w: &str) -> bool {
        if w.is_empty()
            || !w.chars().any(char::is_alphabetic)
            || self.stopwords.contains(w)
            || quantity(w)
        {
            return false;
        }
        w.chars().count() >= 2 || self.singles.contains(w)
    }
}

/// Parts of speech of names: person, place, organisation, other proper noun, Latin word.
fn is_name_tag(tag: &str) -> bool {
    ["nr", "ns", "nt", "nz", "eng"]
        .iter()
        .any(|p| tag.starts_with(p))
}

/// Chinese numerals (`char::is_alphabetic` counts them as letters).
const NUMERALS: &str = "零〇一二两三四五六七八九十百千万亿几数";
/// Common measure words and units after a numeral.
const MEASURES: &str = "个名位只次件条年天月日元岁家种场起人层米分秒句";

/// A numeral, or numerals with one measure word (一名, 七个, 千万, 万元, 两岁): a quantity,
/// never what a story is about, yet new in every title that has one.
fn quantity(w: &str) -> bool {
    let chars: Vec<char> = w.chars().collect();
    let numerals = chars.iter().take_while(|c| NUMERALS.contains(**c)).count();
    numerals > 0
        && (numerals == chars.len()
            || (numerals + 1 == chars.len() && MEASURES.contains(chars[numerals])))
}

/// `#…#` hashtags inside a longer text (post bodies). A text that is one hashtag is a
/// topic title in `#x#` form, not a text containing a hashtag, so it yields nothing.
fn embedded_hashtags(s: &str) -> Vec<&str> {
    let idx: Vec<usize> = s.match_indices('#').map(|(i, _)| i).collect();
    let tags: Vec<(usize, usize)> = idx
        .chunks_exact(2)
        .map(|p| (p[0], p[1]))
        .filter(|(a, b)| b > &(a + 1))
        .collect();
    let whole = tags.len() == 1 && s.trim().starts_with('#') && s.trim().ends_with('#');
    if whole {
        return Vec::new();
    }
    tags.iter()
        .map(|&(a, b)| s[a + 1..b].trim())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Whitespace- and `#`-separated parts with their byte offsets (queries like `旺旺 配料表`).
fn parts(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.split(|c: char| c.is_whitespace() || c == '#')
        .filter(|p| !p.is_empty())
        // ok: each part is a subslice of `s`, so the pointer difference is its byte offset
        .map(move |p| (p.as_ptr() as usize - s.as_ptr() as usize, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_dictionary_loads_to_its_end() {
        let j = base_segmenter();
        // The last line of the file, a name near it, and a common word (the first line,
        // `1号店 3 n`, is a pruned one).
        for w in ["龢", "龟龙麟凤", "我们"] {
            assert!(j.has_word(w), "{w} missing from the segmenter");
        }
        let words: Vec<&str> = j
            .cut("我们在北京天安门", false)
            .iter()
            .map(|t| t.word)
            .collect();
        assert_eq!(words, ["我们", "在", "北京", "天安门"]);
    }

    #[test]
    fn dictionary_lines() {
        let d = parse_dictionary("胖东来 nz\n# c\n\n汪苏泷 100 nr\n小泉进次郎");
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].tag.as_deref(), Some("nz"));
        assert_eq!(d[1].freq, Some(100));
        assert_eq!(d[2].word, "小泉进次郎");
    }

    #[test]
    fn hashtags_whole_vs_embedded() {
        assert!(embedded_hashtags("#旺旺 配料表#").is_empty());
        assert_eq!(
            embedded_hashtags("看 #台风白海豚# 和 #旺旺#"),
            vec!["台风白海豚", "旺旺"]
        );
    }

    #[test]
    fn quantities_are_not_terms() {
        for w in ["一名", "七个", "千万", "万元", "两岁", "三"] {
            assert!(quantity(w), "{w}");
        }
        for w in ["一滴", "万达", "千里", "一汽", "万元户", "名人", "三亚"] {
            assert!(!quantity(w), "{w}");
        }
    }

    #[test]
    fn rare_generic_words_are_left_out_of_the_dictionary() {
        let j = base_segmenter();
        // Generic words at the floor frequency (3): pruned.
        assert!(!j.has_word("一丁点"));
        assert!(!j.has_word("一一例"));
        // Idioms and names at it, and common words: kept.
        assert!(j.has_word("一丁不识"));
        assert!(j.has_word("东交民巷"));
        assert!(j.has_word("与此同时"));
    }

    #[test]
    fn the_loaded_dictionary_fits_the_smaller_trie() {
        use std::io::BufRead;
        // The saving holds while the kept words' prefixes stay under the trie's 75 % load of
        // 2^19 slots, with room for the KOL names added at run time (≤ 8 prefixes each).
        let dict = BufReader::new(flate2::read::GzDecoder::new(JIEBA_DICT_GZ));
        let mut prefixes: HashSet<String> = HashSet::new();
        let mut words = 0;
        for line in dict.lines() {
            let line = line.unwrap();
            if pruned(&line) {
                continue;
            }
            words += 1;
            let word = line.split_whitespace().next().unwrap_or_default();
            for (i, c) in word.char_indices() {
                prefixes.insert(word[..i + c.len_utf8()].to_string());
            }
        }
        assert_eq!(words, 246_833);
        let room = (1 << 19) * 6 / 8 - prefixes.len();
        assert!(
            room >= 8 * crate::analysis::engine::MAX_KOLS,
            "{} prefixes leave room for {room}",
            prefixes.len()
        );
    }

    #[test]
    fn names_are_tagged() {
        let t = Tokenizer::new(&[], &[]);
        let toks = t.tokenize("胖东来首批刑释职工30人无一离职");
        let name = |w: &str| {
            let i = toks
                .terms
                .iter()
                .position(|x| x == w)
                .unwrap_or_else(|| panic!("{w}: {:?}", toks.terms));
            toks.names[i]
        };
        assert!(name("胖东来"), "user-dictionary brand");
        assert!(!name("职工") && !name("离职"));
        let toks = t.tokenize("特朗普称将宣布霍尔木兹海峡为美领土");
        let i = toks.terms.iter().position(|x| x == "特朗普").unwrap();
        assert!(toks.names[i]);
        assert_eq!(toks.terms.len(), toks.names.len());
    }
}
