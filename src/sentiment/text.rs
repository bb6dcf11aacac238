//! What is scored: [`Text`] in, the author's own words out ([`prepare`], reference §5 "Whose text").

use unicode_normalization::UnicodeNormalization;

use crate::domain::post::{Entry, MAX_EMOTICON_CHARS, RichText, Run, emoticon_name};

/// A post, comment or floor to score: its plain text and the emoticon names found in its raw
/// markup (bare names: `偷笑`, `滑稽`). `[名]` tokens left in `plain` count as emoticons too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    pub plain: String,
    pub emoticons: Vec<String>,
}

impl Text {
    pub fn new(plain: impl Into<String>, emoticons: Vec<String>) -> Text {
        Text {
            plain: plain.into(),
            emoticons,
        }
    }

    /// A line of plain text (`resou sentiment`): `[偷笑]` tokens in it are emoticons.
    pub fn line(line: &str) -> Text {
        Text::new(line, Vec::new())
    }

    /// Display runs: text and emoticons kept (an emoticon as `[名]`), hashtags, mentions and
    /// links dropped (they are not the author's evaluation).
    pub fn from_rich(rich: &RichText) -> Text {
        Text::new(runs_text(rich, true), Vec::new())
    }

    /// An entry: its runs, with [`Entry::emoticons`] (names read from the markup, e.g. Tieba
    /// smileys shown as `[表情]`) in place of its emoticon runs when the parser recorded them.
    pub fn from_entry(e: &Entry) -> Text {
        if e.emoticons.is_empty() {
            Text::from_rich(&e.text)
        } else {
            Text::new(runs_text(&e.text, false), e.emoticons.clone())
        }
    }
}

fn runs_text(rich: &RichText, emoji: bool) -> String {
    let mut s = String::new();
    for r in &rich.0 {
        match r {
            Run::Text(t) => s.push_str(t.as_str()),
            Run::Emoji(t) if emoji => s.push_str(t.as_str()),
            // A gap where a hashtag, mention or link was, so words on both sides stay apart.
            _ => s.push(' '),
        }
    }
    s
}

/// The author's segment, normalised, and every emoticon name (markup first, then `[名]` tokens
/// in text order), normalised the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prepared {
    /// NFKC, lowercase; clause breaks (punctuation, spaces) kept; removed parts leave a space.
    pub text: String,
    pub emoticons: Vec<String>,
}

/// Longest `@name` removed (Weibo screen names are at most 30 characters).
const MAX_MENTION_CHARS: usize = 30;
/// Longest `#话题#` removed; a longer run between two `#` is text.
const MAX_HASHTAG_CHARS: usize = 80;
/// Longest name in a `回复 名 :` prefix.
const MAX_REPLY_NAME_CHARS: usize = 40;

/// Reduce a text to what its author wrote and said (reference §5): see the module docs.
pub fn prepare(t: &Text) -> Prepared {
    let norm = normalize(&t.plain);
    let own = norm.split("//@").next().unwrap_or("");
    let own = strip_reply(own);
    let own = strip_hashtags(own);
    let own = strip_urls(&own);
    let own = strip_mentions(&own);
    let own = strip_video_trailers(&own);
    let mut emoticons: Vec<String> = t
        .emoticons
        .iter()
        .map(|e| normalize(e))
        .map(|e| e.trim_matches(['[', ']']).trim().to_string())
        .filter(|e| !e.is_empty())
        .collect();
    let text = take_bracket_emoticons(&own, &mut emoticons);
    Prepared { text, emoticons }
}

/// Per-char NFKC and lowercase; control, zero-width, bidi and other format characters become
/// nothing (format) or a space (controls, so `a\tb` stays two words). An ESC sequence's
/// printable tail (`[31m`) is left as harmless text; the ESC itself never survives.
pub(crate) fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.push(if c == '\n' { '\n' } else { ' ' });
            continue;
        }
        if is_format(c) {
            continue;
        }
        for n in std::iter::once(c).nfkc() {
            out.extend(n.to_lowercase());
        }
    }
    out
}

/// Unicode format characters that matter here: zero-width, joiners, bidi embeddings,
/// overrides and isolates, BOM, soft hyphen, word joiner and invisible operators.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// `回复@名:` (Weibo) or `回复 名 :` (Tieba) at the start.
fn strip_reply(s: &str) -> &str {
    let t = s.trim_start();
    let Some(rest) = t.strip_prefix("回复") else {
        return s;
    };
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('@').unwrap_or(rest);
    for (n, (i, c)) in rest.char_indices().enumerate() {
        if n > MAX_REPLY_NAME_CHARS || c == '\n' {
            break;
        }
        if c == ':' {
            return &rest[i + 1..];
        }
    }
    s
}

/// `#话题#` pairs removed (a lone `#` stays).
fn strip_hashtags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('#') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .char_indices()
            .take(MAX_HASHTAG_CHARS + 1)
            .find(|&(_, c)| c == '#' || c == '\n');
        match close {
            Some((i, '#')) if i > 0 => {
                out.push(' ');
                rest = &after[i + 1..];
            }
            _ => {
                out.push('#');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `http://…` / `https://…` up to whitespace or the first non-ASCII character.
fn strip_urls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    loop {
        let at = match (rest.find("http://"), rest.find("https://")) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => break,
        };
        out.push_str(&rest[..at]);
        out.push(' ');
        let tail = &rest[at..];
        let end = tail
            .char_indices()
            .find(|&(_, c)| c.is_whitespace() || !c.is_ascii())
            .map_or(tail.len(), |(i, _)| i);
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '·')
}

/// `@名` removed: `@` and up to 30 name characters.
fn strip_mentions(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '@' {
            out.push(c);
            continue;
        }
        let mut n = 0;
        while n < MAX_MENTION_CHARS && chars.peek().is_some_and(|&c| name_char(c)) {
            chars.next();
            n += 1;
        }
        out.push(' ');
    }
    out
}

/// `某某的微博视频` (a video card's caption: the uploader's name, which may hold any word) and
/// the link words Weibo inserts (`网页链接`, `收起全文`) removed.
fn strip_video_trailers(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("的微博视频") {
        let before = &rest[..at];
        let name_start = before
            .char_indices()
            .rev()
            .find(|&(_, c)| c.is_whitespace())
            .map_or(0, |(i, c)| i + c.len_utf8());
        out.push_str(&before[..name_start]);
        out.push(' ');
        rest = &rest[at + "的微博视频".len()..];
    }
    out.push_str(rest);
    for w in ["网页链接", "收起全文", "展开全文"] {
        if out.contains(w) {
            out = out.replace(w, " ");
        }
    }
    out
}

/// `[名]` tokens (≤ 8 characters inside) move to `emoticons`; a clause break is left.
fn take_bracket_emoticons(s: &str, emoticons: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let close = after
            .char_indices()
            .take(MAX_EMOTICON_CHARS + 2)
            .find(|&(_, c)| c == ']')
            .map(|(i, _)| i);
        match close {
            Some(i) => {
                let token = &after[..=i];
                if let Some(name) = emoticon_name(token) {
                    emoticons.push(name.to_string());
                }
                out.push(' ');
                rest = &after[i + 1..];
            }
            None => {
                out.push('[');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Prepared {
        prepare(&Text::line(s))
    }

    #[test]
    fn repost_keeps_only_the_authors_segment() {
        let x = p("说得对//@某人:垃圾产品//@另一个:退钱");
        assert_eq!(x.text.trim(), "说得对");
    }

    #[test]
    fn hashtags_urls_mentions_and_video_captions_go() {
        let x = p("#某某塌房#真的 http://t.cn/abc 好@张三 看 幸运的小虾米呀的微博视频");
        assert!(!x.text.contains("塌房"), "{}", x.text);
        assert!(!x.text.contains("t.cn"));
        assert!(!x.text.contains("张三"));
        assert!(!x.text.contains("幸运"));
        assert!(x.text.contains("真的") && x.text.contains('好') && x.text.contains('看'));
        // A lone `#` is text.
        assert!(p("第#1名").text.contains('#'));
    }

    #[test]
    fn reply_prefixes_go() {
        assert_eq!(p("回复@小王:太差了").text, "太差了");
        assert_eq!(p("回复 国际体坛巨星 :吃多了").text, "吃多了");
        // Not a prefix: kept.
        assert_eq!(p("我回复了他").text, "我回复了他");
    }

    #[test]
    fn bracket_tokens_are_emoticons_and_fullwidth_is_folded() {
        let x = p("ＡＢＣ好[偷笑][表情]【新闻】");
        assert_eq!(x.emoticons, vec!["偷笑"]);
        assert!(x.text.starts_with("abc好"));
        assert!(x.text.contains("【新闻】"));
        let t = Text::new("好", vec!["[允悲]".into(), "滑稽".into()]);
        assert_eq!(prepare(&t).emoticons, vec!["允悲", "滑稽"]);
    }

    #[test]
    fn controls_and_bidi_never_survive() {
        let x = p("\u{1b}[31m好\u{202e}差\u{200b}\u{7}");
        assert!(!x.text.chars().any(|c| c.is_control() || is_format(c)));
        assert!(x.text.contains("好差"));
    }
}
