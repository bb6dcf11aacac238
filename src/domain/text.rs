//! `SafeText`: remote text after HTML decoding and removal of everything that could
//! drive a terminal (escape sequences, C0/C1 controls, bidi overrides, invisibles).
//! The UI only accepts this type, so unsanitised remote text cannot reach the screen.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_width::UnicodeWidthChar;

/// Most characters scanned into one field (bounds the work on hostile input such as stacked
/// combining marks); longer remote strings are cut.
pub const MAX_FIELD_CHARS: usize = 4096;
/// Widest single-line field (titles, names, labels) in terminal columns; longer ones end in `…`.
pub const MAX_LINE_WIDTH: usize = 1024;
/// Widest multi-line field (post bodies) in columns, line breaks not counted; cut with `…`.
pub const MAX_TEXT_WIDTH: usize = 8192;
/// Appended to a field that was cut.
pub const ELLIPSIS: char = '\u{2026}';

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SafeText(String);

impl SafeText {
    /// Sanitise a single-line field: newlines and tabs become spaces, runs of spaces collapse.
    pub fn line(raw: &str) -> SafeText {
        SafeText(sanitize(raw, false))
    }

    /// Sanitise a multi-line field (post bodies): newlines kept, tabs become spaces.
    pub fn multiline(raw: &str) -> SafeText {
        SafeText(sanitize(raw, true))
    }

    /// Decode HTML (tags dropped, entities unescaped) and then sanitise as a line.
    /// Entities are decoded first because an entity can encode ESC.
    pub fn from_html_line(raw: &str) -> SafeText {
        SafeText::line(&strip_tags(&decode_entities(raw)))
    }

    /// Sanitise one piece of a longer multi-line text (a run between links): as `multiline`,
    /// but whitespace at either end is kept as one `\n` (when it held a line break) or one space,
    /// so runs joined again keep their line breaks and word gaps.
    pub fn multiline_fragment(raw: &str) -> SafeText {
        let edge = |ws: &str| {
            if ws.contains(['\n', '\r']) {
                "\n"
            } else if ws.is_empty() {
                ""
            } else {
                " "
            }
        };
        let is_ws = |c: char| c.is_whitespace() || c == '\u{3000}';
        let core = sanitize(raw, true);
        let lead_len = raw.len() - raw.trim_start_matches(is_ws).len();
        let lead = edge(&raw[..lead_len]);
        if core.is_empty() {
            return SafeText(lead.to_string());
        }
        let trail = edge(&raw[raw.trim_end_matches(is_ws).len()..]);
        SafeText(format!("{lead}{core}{trail}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for SafeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for SafeText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for SafeText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for SafeText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(SafeText::line(&s))
    }
}

/// A remote URL fit to keep, open or copy: http(s) only, parsed and re-serialised (so anything
/// outside printable ASCII ends up percent-encoded), and rejected if a control character or
/// space is still in it.
pub fn safe_url(raw: &str) -> Option<String> {
    let u = url::Url::parse(raw.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let s = u.to_string();
    s.bytes().all(|b| b.is_ascii_graphic()).then_some(s)
}

/// Unescape HTML entities. Numeric ones are decoded here for every code point (html-escape
/// leaves control characters such as `&#27;` encoded, and they must reach the sanitiser as
/// characters to be removed); named ones go through html-escape's full table.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let end = after.find(';').filter(|&e| e <= 12);
        match end {
            Some(e) => {
                let ent = &after[..=e];
                let body = &ent[1..e];
                let num = body
                    .strip_prefix("#x")
                    .or_else(|| body.strip_prefix("#X"))
                    .map(|h| u32::from_str_radix(h, 16))
                    .or_else(|| body.strip_prefix('#').map(|d| d.parse::<u32>()));
                match num {
                    Some(Ok(cp)) => out.push(char::from_u32(cp).unwrap_or('\u{FFFD}')),
                    Some(Err(_)) => out.push_str(ent),
                    None => out.push_str(&html_escape::decode_html_entities(ent)),
                }
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Remove HTML tags, keeping `alt` text of images (Weibo emoji: `<img alt=[偷笑]>`).
pub fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt..];
        match after.find('>') {
            Some(gt) => {
                let tag = &after[1..gt];
                let lower = tag.to_ascii_lowercase();
                if lower.starts_with("img")
                    && let Some(alt) = attr_value(tag, "alt")
                {
                    out.push_str(&alt);
                } else if lower.starts_with("br") || lower.starts_with("/p") {
                    out.push('\n');
                }
                rest = &after[gt + 1..];
            }
            None => {
                // An unclosed '<' is text, not a tag.
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn attr_value(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let pos = lower.find(&format!("{name}="))?;
    let v = &tag[pos + name.len() + 1..];
    let v = v.trim_start();
    let (quote, body) = match v.chars().next()? {
        q @ ('"' | '\'') => (Some(q), &v[1..]),
        _ => (None, v),
    };
    let end = match quote {
        Some(q) => body.find(q).unwrap_or(body.len()),
        None => body
            .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .unwrap_or(body.len()),
    };
    Some(body[..end].to_string())
}

fn is_invisible_or_bidi(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'   // zero-width space/non-joiner/joiner, LRM, RLM (ZWJ in emoji kept, see below)
        | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // bidi isolates
        | '\u{061C}'              // Arabic letter mark
        | '\u{FEFF}'              // BOM / zero-width no-break space
        | '\u{FFF9}'..='\u{FFFB}' // interlinear annotation controls
        | '\u{E0000}'..='\u{E007F}' // tag characters
    )
}

/// Pictographic code points that may be joined by ZWJ into one emoji.
fn is_emoji(c: char) -> bool {
    matches!(c, '\u{1F300}'..='\u{1FAFF}' | '\u{2600}'..='\u{27BF}' | '\u{1F000}'..='\u{1F2FF}')
}

/// The sanitiser (tui-conventions.md §7): ESC sequences removed whole, C0/C1/DEL removed,
/// bidi and invisibles removed, NFC, trimmed (incl. U+3000), capped by characters and by
/// display width ([`MAX_LINE_WIDTH`], [`MAX_TEXT_WIDTH`]) with a trailing `…` when cut.
pub fn sanitize(raw: &str, keep_newlines: bool) -> String {
    let max_width = if keep_newlines {
        MAX_TEXT_WIDTH
    } else {
        MAX_LINE_WIDTH
    };
    let mut out = String::with_capacity(raw.len().min(MAX_FIELD_CHARS * 4));
    let mut chars = raw.chars().peekable();
    let mut count = 0usize;
    let mut width = 0usize;
    let mut cut = false;
    while let Some(c) = chars.next() {
        if count >= MAX_FIELD_CHARS {
            cut = true;
            break;
        }
        match c {
            '\u{1B}' => skip_escape(&mut chars),
            // 8-bit CSI / OSC / DCS / SOS / PM / APC introducers: skip their bodies too.
            '\u{9B}' => skip_csi(&mut chars),
            '\u{9D}' | '\u{90}' | '\u{98}' | '\u{9E}' | '\u{9F}' => skip_string(&mut chars),
            '\n' | '\r' | '\u{2028}' | '\u{2029}' if keep_newlines => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    continue;
                }
                out.push('\n');
                count += 1;
            }
            // Line and paragraph separators break lines in some terminals: spaces in a line.
            '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => {
                out.push(' ');
                count += 1;
                width += 1;
            }
            c if (c as u32) < 0x20 || c == '\u{7F}' || ('\u{80}'..='\u{9F}').contains(&c) => {}
            // A ZWJ joining two emoji (👨‍👩‍👧) is part of one glyph; anywhere else it is dropped.
            '\u{200D}'
                if out.chars().next_back().is_some_and(is_emoji)
                    && chars.peek().is_some_and(|n| is_emoji(*n)) =>
            {
                out.push('\u{200D}');
            }
            c if is_invisible_or_bidi(c) => {}
            c => {
                let w = c.width().unwrap_or(0);
                // Room is kept for the ellipsis (one column).
                if width + w >= max_width {
                    cut = true;
                    break;
                }
                out.push(c);
                count += 1;
                width += w;
            }
        }
    }
    let nfc: String = out.nfc().collect();
    let collapsed = if keep_newlines {
        collapse_spaces_multiline(&nfc)
    } else {
        collapse_spaces(&nfc)
    };
    let mut t = collapsed
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
        .to_string();
    if cut {
        // A cut emoji sequence must not end in a dangling joiner.
        while t.ends_with('\u{200D}') {
            t.pop();
        }
        t.push(ELLIPSIS);
    }
    t
}

fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_space = false;
    for c in s.chars() {
        if c == ' ' {
            if !prev_space {
                out.push(' ');
            }
            prev_space = true;
        } else {
            out.push(c);
            prev_space = false;
        }
    }
    out
}

fn collapse_spaces_multiline(s: &str) -> String {
    s.split('\n')
        .map(|l| collapse_spaces(l).trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => skip_string(chars),
        // Two-byte sequence ESC x (or a lone ESC at the end): the next char is consumed.
        _ => {}
    }
}

/// CSI: parameters and intermediates up to a final byte 0x40–0x7E.
fn skip_csi(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7E}').contains(&c) {
            return;
        }
        if !('\u{20}'..='\u{3F}').contains(&c) {
            // Malformed: stop at anything outside the CSI alphabet (the char is dropped).
            return;
        }
    }
}

/// OSC/DCS/SOS/PM/APC: everything up to BEL, ST (ESC \) or 8-bit ST (0x9C).
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{07}' | '\u{9C}' => return,
            '\u{1B}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

/// The 1-based line holding byte `byte` of `src` (a TOML span's start, a parser's offset):
/// what config, keymap, watchlist and rules errors name. Offsets past the end count as the
/// last line.
pub fn line_of(src: &str, byte: usize) -> usize {
    src.as_bytes()[..byte.min(src.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escape_sequences_whole() {
        assert_eq!(SafeText::line("a\x1b[31mred\x1b[0m b").as_str(), "ared b");
        assert_eq!(SafeText::line("x\x1b]52;c;Zm9v\x07y").as_str(), "xy");
        assert_eq!(SafeText::line("x\x1b]0;title\x1b\\y").as_str(), "xy");
        assert_eq!(SafeText::line("x\x1bPq#0;2\x1b\\y").as_str(), "xy");
        assert_eq!(SafeText::line("x\u{9b}2Jy").as_str(), "xy");
        assert_eq!(SafeText::line("x\x1bcy").as_str(), "xy");
        assert_eq!(SafeText::line("end\x1b").as_str(), "end");
    }

    #[test]
    fn strips_controls_bidi_invisibles() {
        assert_eq!(
            SafeText::line("a\u{202E}b\u{2066}c\u{200B}d\u{FEFF}e\u{0007}f\u{7f}g\u{85}h").as_str(),
            "abcdefgh"
        );
        assert_eq!(SafeText::line("\u{3000}标题\u{3000}").as_str(), "标题");
        assert_eq!(SafeText::line("a\tb\nc").as_str(), "a b c");
        assert_eq!(SafeText::multiline("a\r\nb\n\nc").as_str(), "a\nb\n\nc");
    }

    #[test]
    fn entities_cannot_smuggle_escape() {
        assert_eq!(SafeText::from_html_line("a&#27;[31mb").as_str(), "ab");
        assert_eq!(
            SafeText::from_html_line("<b>粗</b>&amp;<img alt=[偷笑] src=x>").as_str(),
            "粗&[偷笑]"
        );
    }

    #[test]
    fn zwj_kept_only_inside_emoji_sequences() {
        assert_eq!(
            SafeText::line("家\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}").as_str(),
            "家👨‍👩‍👧"
        );
        assert_eq!(
            SafeText::line("a\u{200D}b\u{1F468}\u{200D}").as_str(),
            "ab👨"
        );
    }

    #[test]
    fn nfc_and_cap() {
        assert_eq!(SafeText::line("e\u{301}").as_str(), "\u{e9}");
        let long = "长".repeat(MAX_FIELD_CHARS + 100);
        let line = SafeText::line(&long).into_string();
        assert!(line.ends_with(ELLIPSIS), "a cut field says so");
        let w: usize = line.chars().map(|c| c.width().unwrap_or(0)).sum();
        assert!(w <= MAX_LINE_WIDTH && w > MAX_LINE_WIDTH - 3, "{w} columns");
        let text = SafeText::multiline(&long).into_string();
        let w: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
        assert!(
            text.ends_with(ELLIPSIS) && w <= MAX_TEXT_WIDTH,
            "{w} columns"
        );
        // Zero-width characters cannot get past the character cap.
        let zalgo = format!("a{}", "\u{301}".repeat(MAX_FIELD_CHARS * 2));
        assert!(SafeText::line(&zalgo).as_str().chars().count() <= MAX_FIELD_CHARS + 1);
        // Short fields are untouched.
        assert_eq!(SafeText::line("短标题").as_str(), "短标题");
    }

    #[test]
    fn urls_are_printable_ascii_http_or_dropped() {
        assert_eq!(safe_url("\u{9b}2Jhttps://s.weibo.com/weibo?q=%23x"), None);
        assert_eq!(
            safe_url(" https://s.weibo.com/weibo?q=%23x").as_deref(),
            Some("https://s.weibo.com/weibo?q=%23x")
        );
        assert_eq!(
            safe_url("https://e.com/a\x1b]52;c;x\x07\u{202e}").as_deref(),
            Some("https://e.com/a%1B]52;c;x%07%E2%80%AE")
        );
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("not a url"), None);
    }

    #[test]
    fn line_separators_are_not_line_breaks_in_a_line() {
        assert_eq!(SafeText::line("a\u{2028}b\u{2029}c").as_str(), "a b c");
        assert_eq!(SafeText::multiline("a\u{2028}b").as_str(), "a\nb");
    }
}
