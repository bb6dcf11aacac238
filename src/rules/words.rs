//! TrendRadar's `frequency_words.txt`, read and matched exactly as TrendRadar does
//! (sansan0/TrendRadar `trendradar/core/frequency.py` @60feb50; team-alerts.md §10), so a
//! team can point resou at the keyword file it already keeps.
//!
//! Where Python and Rust differ the Python behaviour is reproduced: universal newlines
//! (`\r\n` and `\r` read as `\n`), `str.strip`'s notion of white space, `str.lower` (Rust's
//! Unicode `to_lowercase`, not ASCII), `re` syntax through `fancy-regex` (look-around and
//! back-references work). One deliberate difference: a UTF-8 byte-order mark is dropped
//! (Python's `utf-8` codec keeps it glued to the first word, which then never matches).

use fancy_regex::Regex;

const GLOBAL_FILTER: &str = "GLOBAL_FILTER";
const WORD_GROUPS: &str = "WORD_GROUPS";

/// One word of the file: a literal (matched as a lowercase substring) or a regex.
#[derive(Debug, Clone)]
pub struct Word {
    /// The literal, or the regex's pattern without slashes (what group keys are made of).
    pub text: String,
    /// Right of `=>`, when given.
    pub display: Option<String>,
    /// 1-based line in the file.
    pub line: usize,
    matcher: Matcher,
}

#[derive(Debug, Clone)]
enum Matcher {
    /// Already lowercased.
    Literal(String),
    Regex(Regex),
}

impl Word {
    /// Whether the word occurs in `lower` (a lowercased title). A regex that exceeds
    /// fancy-regex's backtracking limit counts as no match rather than an error.
    fn hits(&self, lower: &str) -> bool {
        match &self.matcher {
            Matcher::Literal(w) => lower.contains(w.as_str()),
            Matcher::Regex(re) => re.is_match(lower).unwrap_or(false),
        }
    }

    pub fn is_regex(&self) -> bool {
        matches!(self.matcher, Matcher::Regex(_))
    }
}

/// A keyword group (a block of the `WORD_GROUPS` section).
#[derive(Debug, Clone)]
pub struct Group {
    pub normal: Vec<Word>,
    pub required: Vec<Word>,
    /// Normal words joined by a space (required words when there are none).
    pub key: String,
    /// `[alias]`, else the words' display names joined by ` / `.
    pub display: String,
    /// `@N`: most titles shown for this group (0: the caller's default).
    pub max_count: usize,
    /// Line of the block's first word.
    pub line: usize,
}

impl Group {
    fn hits(&self, lower: &str) -> bool {
        self.required.iter().all(|w| w.hits(lower))
            && (self.normal.is_empty() || self.normal.iter().any(|w| w.hits(lower)))
    }
}

/// A `/regex/` that does not compile; TrendRadar then matches the line as literal text,
/// slashes included (and prints a warning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexFallback {
    pub line: usize,
    /// The line's word, slashes included.
    pub word: String,
    pub problem: String,
}

/// Which group a title belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// The file has no groups: every title not filtered matches.
    Any,
    /// Index into [`FrequencyWords::groups`]: the first group that matches.
    Group(usize),
}

/// A parsed `frequency_words.txt`.
#[derive(Debug, Clone, Default)]
pub struct FrequencyWords {
    pub groups: Vec<Group>,
    /// `!` words of every group: TrendRadar pools them, so each applies to all groups.
    pub filters: Vec<Word>,
    /// `[GLOBAL_FILTER]` words.
    pub global: Vec<Word>,
}

/// Python's `str.isspace`: Unicode white space plus the four information separators.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn py_strip(s: &str) -> &str {
    s.trim_matches(py_space)
}

/// `[x]` → `x` (no trimming: `[ GLOBAL_FILTER ]` is not a section marker in TrendRadar).
fn bracketed(line: &str) -> Option<&str> {
    line.strip_prefix('[')?.strip_suffix(']')
}

/// The pattern inside `^/(.+)/[a-z]*$` (flags accepted and ignored). The greedy `.+` ends at
/// the last slash, so only that slash can be followed by flags alone.
fn regex_body(word: &str) -> Option<&str> {
    let rest = word.strip_prefix('/')?;
    let slash = rest.rfind('/')?;
    let (body, flags) = (&rest[..slash], &rest[slash + 1..]);
    let ok =
        !body.is_empty() && !body.contains('\n') && flags.bytes().all(|b| b.is_ascii_lowercase());
    ok.then_some(body)
}

/// Split `left => display` on the first `=>` and the white space around it (`\s*=>\s*`).
fn split_display(line: &str) -> (&str, Option<&str>) {
    match line.split_once("=>") {
        Some((left, right)) => {
            let right = py_strip(right);
            (py_strip(left), (!right.is_empty()).then_some(right))
        }
        None => (py_strip(line), None),
    }
}

/// TrendRadar's `_parse_word`: display name, then `/regex/` (case-insensitive) or literal.
fn parse_word(line: &str, at: usize, fallbacks: &mut Vec<RegexFallback>) -> Word {
    let (word, display) = split_display(line);
    let display = display.map(str::to_string);
    if let Some(body) = regex_body(word) {
        match Regex::new(&format!("(?i){body}")) {
            Ok(re) => {
                return Word {
                    text: body.to_string(),
                    display,
                    line: at,
                    matcher: Matcher::Regex(re),
                };
            }
            Err(e) => fallbacks.push(RegexFallback {
                line: at,
                word: word.to_string(),
                problem: e.to_string(),
            }),
        }
    }
    Word {
        text: word.to_string(),
        display,
        line: at,
        matcher: Matcher::Literal(word.to_lowercase()),
    }
}

/// The blocks of the file: runs of lines between empty lines, each line with its number,
/// comments and blank lines dropped. Python splits on `"\n\n"`; an empty line is exactly
/// where such a split can fall (a line of spaces is not one), and the empty blocks extra
/// splits would make are dropped either way.
fn blocks(text: &str) -> Vec<Vec<(usize, &str)>> {
    let mut out = vec![Vec::new()];
    for (i, raw) in text.split('\n').enumerate() {
        if raw.is_empty() {
            out.push(Vec::new());
            continue;
        }
        let line = py_strip(raw);
        if !line.is_empty()
            && !line.starts_with('#')
            && let Some(block) = out.last_mut()
        {
            block.push((i + 1, line));
        }
    }
    out.retain(|b| !b.is_empty());
    out
}

impl FrequencyWords {
    /// Parse a file's text. Never fails, as in TrendRadar: a `/regex/` that does not compile
    /// becomes a literal and is reported in the second value (callers decide whether that
    /// is an error).
    pub fn parse(text: &str) -> (FrequencyWords, Vec<RegexFallback>) {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let mut out = FrequencyWords::default();
        let mut fallbacks = Vec::new();
        let mut section = WORD_GROUPS;
        for block in blocks(&text) {
            let mut lines = block.as_slice();
            if let Some(&(_, first)) = lines.first()
                && let Some(name) = bracketed(first)
            {
                let name = name.to_uppercase();
                if name == GLOBAL_FILTER || name == WORD_GROUPS {
                    section = if name == GLOBAL_FILTER {
                        GLOBAL_FILTER
                    } else {
                        WORD_GROUPS
                    };
                    lines = &lines[1..];
                }
            }
            if section == GLOBAL_FILTER {
                for &(at, line) in lines {
                    if !line.starts_with(['!', '+', '@']) {
                        out.global.push(parse_word(line, at, &mut fallbacks));
                    }
                }
                continue;
            }
            let mut alias = None;
            if let Some(&(_, first)) = lines.first()
                && let Some(name) = bracketed(first).map(py_strip)
            {
                let upper = name.to_uppercase();
                if upper != GLOBAL_FILTER && upper != WORD_GROUPS {
                    // An empty `[]` is dropped too, and then names nothing.
                    alias = (!name.is_empty()).then(|| name.to_string());
                    lines = &lines[1..];
                }
            }
            let (mut normal, mut required, mut max_count) = (Vec::new(), Vec::new(), 0);
            for &(at, line) in lines {
                if let Some(n) = line.strip_prefix('@') {
                    // Python's int(): surrounding white space allowed; only positive counts.
                    if let Ok(n) = py_strip(n).parse::<i64>()
                        && n > 0
                    {
                        max_count = usize::try_from(n).unwrap_or(usize::MAX);
                    }
                } else if let Some(w) = line.strip_prefix('!') {
                    out.filters.push(parse_word(w, at, &mut fallbacks));
                } else if let Some(w) = line.strip_prefix('+') {
                    required.push(parse_word(w, at, &mut fallbacks));
                } else {
                    normal.push(parse_word(line, at, &mut fallbacks));
                }
            }
            let Some(line) = normal.first().or(required.first()).map(|w| w.line) else {
                continue;
            };
            let key_words = if normal.is_empty() {
                &required
            } else {
                &normal
            };
            let key = key_words
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let display = alias.unwrap_or_else(|| {
                normal
                    .iter()
                    .chain(&required)
                    .map(|w| w.display.as_deref().unwrap_or(&w.text))
                    .collect::<Vec<_>>()
                    .join(" / ")
            });
            out.groups.push(Group {
                normal,
                required,
                key,
                display,
                max_count,
                line,
            });
        }
        (out, fallbacks)
    }

    /// TrendRadar's `matches_word_groups`, also saying which group matched first (the one
    /// `count_word_frequency` files the title under).
    pub fn hit(&self, title: &str) -> Option<Hit> {
        if py_strip(title).is_empty() {
            return None;
        }
        let lower = title.to_lowercase();
        if self.global.iter().any(|w| w.hits(&lower)) {
            return None;
        }
        if self.groups.is_empty() {
            return Some(Hit::Any);
        }
        if self.filters.iter().any(|w| w.hits(&lower)) {
            return None;
        }
        self.groups
            .iter()
            .position(|g| g.hits(&lower))
            .map(Hit::Group)
    }

    pub fn matches(&self, title: &str) -> bool {
        self.hit(title).is_some()
    }

    /// `count_word_frequency`'s grouping: the indices of `titles` filed under each group
    /// (first matching group only), at most `@N` per group, else `default_max` (0:
    /// unlimited). Empty when the file has no groups.
    pub fn assign<'a>(
        &self,
        titles: impl IntoIterator<Item = &'a str>,
        default_max: usize,
    ) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); self.groups.len()];
        for (i, title) in titles.into_iter().enumerate() {
            if let Some(Hit::Group(g)) = self.hit(title) {
                out[g].push(i);
            }
        }
        for (group, titles) in self.groups.iter().zip(&mut out) {
            let cap = if group.max_count > 0 {
                group.max_count
            } else {
                default_max
            };
            if cap > 0 {
                titles.truncate(cap);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's example (team-alerts.md §10) with `[WORD_GROUPS]` before the group:
    /// as printed there, the `[教育]` block would still be in the sticky GLOBAL_FILTER
    /// section (see `the_reference_example_verbatim_is_all_global_filters`).
    const EXAMPLE: &str = "[GLOBAL_FILTER]\n广告\n/抽奖|转发送/\n\n[WORD_GROUPS]\n\n[教育]\n高考\n考研 => 研考\n+分数线\n!培训\n@5\n";

    fn parse(text: &str) -> FrequencyWords {
        let (words, fallbacks) = FrequencyWords::parse(text);
        assert!(fallbacks.is_empty(), "{fallbacks:?}");
        words
    }

    #[test]
    fn reference_example() {
        let w = parse(EXAMPLE);
        assert_eq!(w.global.len(), 2);
        assert!(w.global[1].is_regex());
        assert_eq!(w.groups.len(), 1);
        let g = &w.groups[0];
        assert_eq!(g.display, "教育");
        assert_eq!(g.key, "高考 考研");
        assert_eq!(g.max_count, 5);
        assert_eq!(g.line, 8);
        assert_eq!(g.normal[1].display.as_deref(), Some("研考"));
        assert_eq!(w.filters.len(), 1);
        assert_eq!(w.hit("2026高考分数线公布"), Some(Hit::Group(0)));
        assert!(w.matches("考研分数线出炉"));
        assert!(!w.matches("高考报名开始"), "required word missing");
        assert!(!w.matches("高考分数线培训班"), "filter word");
        assert!(!w.matches("高考分数线 广告"), "global filter");
        assert!(!w.matches("转发送 高考分数线"), "global regex filter");
        assert!(!w.matches("   "), "blank title");
    }

    #[test]
    fn the_reference_example_verbatim_is_all_global_filters() {
        let verbatim = EXAMPLE.replace("[WORD_GROUPS]\n\n", "");
        let w = parse(&verbatim);
        assert!(w.groups.is_empty() && w.filters.is_empty());
        let globals: Vec<_> = w.global.iter().map(|g| g.text.as_str()).collect();
        // `+`, `!` and `@` lines are skipped in GLOBAL_FILTER; `[教育]` is a word there.
        assert_eq!(globals, ["广告", "抽奖|转发送", "[教育]", "高考", "考研"]);
        assert!(!w.matches("高考分数线"));
        assert!(
            w.matches("考试"),
            "no groups: every unfiltered title matches"
        );
    }

    #[test]
    fn display_name_without_alias_joins_words_and_their_names() {
        let w = parse("考研 => 研考\n/ai|人工智能/i => AI\n+发布\n");
        assert_eq!(w.groups[0].display, "研考 / AI / 发布");
        assert_eq!(w.groups[0].key, "考研 ai|人工智能");
        assert!(w.matches("人工智能新品发布"));
        assert!(w.matches("OpenAI 发布"), "regex is case-insensitive");
    }

    #[test]
    fn required_only_group_keys_on_required_words() {
        let w = parse("+华为\n+发布会\n");
        assert_eq!(w.groups[0].key, "华为 发布会");
        assert!(w.matches("华为秋季发布会"));
        assert!(!w.matches("华为手机"));
    }

    #[test]
    fn crlf_and_lone_cr_are_newlines() {
        let w = parse("高考\r\n\r\n考研\r\r留学\r\n");
        let keys: Vec<_> = w.groups.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, ["高考", "考研", "留学"]);
    }

    #[test]
    fn a_line_of_spaces_does_not_separate_groups() {
        let w = parse("高考\n   \n考研\n\n\n\n留学");
        let keys: Vec<_> = w.groups.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, ["高考 考研", "留学"]);
        assert_eq!(w.groups[1].line, 7);
    }

    #[test]
    fn comments_are_dropped_before_section_markers() {
        let w = parse("# 全局\n[GLOBAL_FILTER]\n# 广告类\n广告\n\n  # indented comment\n高考\n");
        // The file's section stays GLOBAL_FILTER: 高考 is a global filter, and no groups.
        assert!(w.groups.is_empty());
        assert_eq!(w.global.len(), 2);
        assert!(!w.matches("高考"));
        assert!(
            w.matches("别的新闻"),
            "no groups: every unfiltered title matches"
        );
    }

    #[test]
    fn sections_are_sticky_and_case_insensitive() {
        let w = parse("[global_filter]\n广告\n\n推广\n\n[Word_Groups]\n高考\n\n考研\n");
        assert_eq!(w.global.len(), 2);
        assert_eq!(w.groups.len(), 2);
        // GLOBAL_FILTER ignores !, + and @ lines.
        let w = parse("[GLOBAL_FILTER]\n!a\n+b\n@3\nc\n");
        assert_eq!(w.global.len(), 1);
        assert_eq!(w.global[0].text, "c");
    }

    #[test]
    fn a_spaced_section_marker_is_a_word() {
        // `[ GLOBAL_FILTER ]` is neither a section (no trim) nor an alias (trimmed, it names
        // a section): TrendRadar keeps it as a normal word.
        let w = parse("[ GLOBAL_FILTER ]\n高考\n");
        assert_eq!(w.groups.len(), 1);
        assert_eq!(w.groups[0].normal[0].text, "[ GLOBAL_FILTER ]");
    }

    #[test]
    fn filter_words_are_pooled_across_groups() {
        let w = parse("[教育]\n高考\n!培训\n\n[科技]\n芯片\n");
        assert!(w.matches("芯片突破"));
        assert!(
            !w.matches("芯片培训"),
            "a `!` word of another group still filters"
        );
        // A block of only `!`/`@` lines makes no group but its filter still counts.
        let w = parse("高考\n\n!补习\n@3\n");
        assert_eq!(w.groups.len(), 1);
        assert!(!w.matches("高考补习"));
    }

    #[test]
    fn first_matching_group_wins_and_caps_apply() {
        let w = parse("[A]\n高考\n@1\n\n[B]\n分数线\n");
        assert_eq!(w.hit("高考分数线"), Some(Hit::Group(0)));
        assert_eq!(w.hit("考研分数线"), Some(Hit::Group(1)));
        let titles = ["高考一", "高考分数线", "分数线", "无关", "考研分数线"];
        assert_eq!(w.assign(titles, 0), vec![vec![0], vec![2, 4]]);
        assert_eq!(w.assign(titles, 1), vec![vec![0], vec![2]]);
    }

    #[test]
    fn at_counts_take_positive_ints_last_wins() {
        assert_eq!(parse("a\n@3\n@x\n@0\n@-2\n").groups[0].max_count, 3);
        assert_eq!(parse("a\n@3\n@ 7 \n").groups[0].max_count, 7);
    }

    #[test]
    fn invalid_regex_falls_back_to_a_literal_with_slashes() {
        let (w, fallbacks) = FrequencyWords::parse("/*C/\n\n/a(b/ => x\n");
        assert_eq!(fallbacks.len(), 2);
        assert_eq!((fallbacks[0].line, fallbacks[0].word.as_str()), (1, "/*C/"));
        assert_eq!(fallbacks[1].line, 3);
        assert!(!w.groups[0].normal[0].is_regex());
        assert!(
            w.matches("学 /*c/ 入门"),
            "literal, slashes included, lowercased"
        );
        assert!(!w.matches("学 C 入门"));
        assert_eq!(w.groups[1].display, "x");
    }

    #[test]
    fn regex_shapes() {
        assert_eq!(regex_body("/a/b/i"), Some("a/b"));
        assert_eq!(regex_body("/a/"), Some("a"));
        assert_eq!(regex_body("///"), Some("/"));
        assert_eq!(regex_body("//"), None);
        assert_eq!(regex_body("/a/I"), None, "flags are lowercase letters only");
        assert_eq!(regex_body("/a/ x"), None);
        assert_eq!(regex_body("a/b/"), None);
    }

    #[test]
    fn python_regex_features_work() {
        // look-ahead and a back-reference: not in the `regex` crate, fine in fancy-regex
        let w = parse("/苹果(?!手机)/\n\n/(哈)\\1/\n");
        assert_eq!(w.hit("苹果汁涨价"), Some(Hit::Group(0)));
        assert_eq!(w.hit("苹果手机"), None);
        assert_eq!(w.hit("哈哈大笑"), Some(Hit::Group(1)));
    }

    #[test]
    fn unicode_lowercase_and_display_split() {
        let w = parse("ÉCOLE =>  法国学校  \n");
        assert!(w.matches("l'école ferme"));
        assert_eq!(w.groups[0].display, "法国学校");
        // `=>` with nothing on the right: no display name.
        let w = parse("高考 =>\n");
        assert_eq!(w.groups[0].display, "高考");
    }

    #[test]
    fn empty_file_and_bom() {
        let w = parse("");
        assert!(w.matches("任何标题"));
        assert!(!w.matches(""));
        let w = parse("\u{feff}[GLOBAL_FILTER]\n广告\n");
        assert!(!w.matches("广告"));
        assert!(w.groups.is_empty());
    }

    #[test]
    fn empty_alias_is_dropped_and_names_nothing() {
        let w = parse("[]\n高考\n");
        assert_eq!(w.groups[0].display, "高考");
        assert_eq!(w.groups[0].normal.len(), 1);
    }
}
