//! Width-aware text helpers: every column in the UI is measured in terminal cells, never chars or
//! bytes. Widths are computed per grapheme the same way ratatui's buffer does, so a string we say
//! is N cells wide occupies exactly N cells once drawn.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// The ellipsis appended by [`truncate`]; one cell wide.
pub const ELLIPSIS: &str = "…";

/// Cells one grapheme occupies, as ratatui's `Buffer::set_stringn` counts them: control
/// graphemes are skipped (0), and halfwidth katakana sound marks get their own cell.
pub fn grapheme_width(g: &str) -> usize {
    if g.contains(char::is_control) {
        return 0;
    }
    let sound_marks = g
        .chars()
        .filter(|c| matches!(c, '\u{FF9E}' | '\u{FF9F}'))
        .count();
    g.width() + sound_marks
}

/// Display width of a string in terminal cells.
pub fn display_width(s: &str) -> usize {
    if s.is_ascii() {
        // Fast path: printable ASCII is one cell each; controls none.
        return s.bytes().filter(|b| !b.is_ascii_control()).count();
    }
    s.graphemes(true).map(grapheme_width).sum()
}

/// Cut `s` to at most `max_width` cells. When something is cut, the result ends with `…` and is
/// exactly `max_width` cells wide: a wide char that would straddle the limit is dropped and the
/// freed cell becomes a space after the ellipsis, so columns stay aligned. Graphemes (emoji ZWJ
/// sequences, VS16, combining marks) are never split.
pub fn truncate(s: &str, max_width: usize) -> String {
    if display_width(s) <= max_width {
        return s.to_string();
    }
    if max_width == 0 {
        return String::new();
    }
    with_ellipsis(take_width(s, max_width - 1), max_width)
}

/// The longest prefix of `s` (whole graphemes) at most `max_width` cells wide.
pub fn take_width(s: &str, max_width: usize) -> &str {
    let mut used = 0;
    let mut end = 0;
    for (i, g) in s.grapheme_indices(true) {
        let w = grapheme_width(g);
        if used + w > max_width {
            break;
        }
        used += w;
        end = i + g.len();
    }
    &s[..end]
}

/// `kept` + `…`, padded with spaces to exactly `width` cells (`kept` must be narrower).
/// Trailing spaces of `kept` are moved after the ellipsis: a gap before it reads oddly.
pub fn with_ellipsis(kept: &str, width: usize) -> String {
    let kept = kept.trim_end_matches(' ');
    let mut out = String::with_capacity(kept.len() + 3 + width);
    out.push_str(kept);
    out.push_str(ELLIPSIS);
    let w = display_width(&out);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// `s` cut to `max_width` cells exactly as [`truncate`] cuts it, as runs of `(text, marked)`.
/// A grapheme is marked when any of `ranges` (byte ranges into `s`) overlaps it, so a mark always
/// covers whole graphemes; ranges may be unsorted, overlapping, reversed, mid-character or out of
/// bounds. The ellipsis and its padding are never marked.
pub fn truncate_marked(s: &str, max_width: usize, ranges: &[Range<usize>]) -> Vec<(String, bool)> {
    let fits = display_width(s) <= max_width;
    if !fits && max_width == 0 {
        return Vec::new();
    }
    let kept = if fits {
        s
    } else {
        take_width(s, max_width - 1).trim_end_matches(' ')
    };
    let mut runs: Vec<(String, bool)> = Vec::new();
    for (i, g) in kept.grapheme_indices(true) {
        let end = i + g.len();
        let marked = ranges
            .iter()
            .any(|r| r.start < r.end && r.start < end && i < r.end);
        match runs.last_mut() {
            Some((text, m)) if *m == marked => text.push_str(g),
            _ => runs.push((g.to_string(), marked)),
        }
    }
    if !fits {
        let tail = with_ellipsis("", max_width - display_width(kept));
        runs.push((tail, false));
    }
    runs
}

/// Truncate to `width`, then pad with spaces on the right to exactly `width` cells.
pub fn pad_right(s: &str, width: usize) -> String {
    let t = truncate(s, width);
    let w = display_width(&t);
    let mut out = t;
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// Truncate to `width`, then pad with spaces on the left to exactly `width` cells.
pub fn pad_left(s: &str, width: usize) -> String {
    let t = truncate(s, width);
    let w = display_width(&t);
    let mut out = String::with_capacity(t.len() + width.saturating_sub(w));
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out.push_str(&t);
    out
}

/// Centre `s` in `width` cells (truncating when it does not fit); extra space goes right.
pub fn center(s: &str, width: usize) -> String {
    let t = truncate(s, width);
    let free = width.saturating_sub(display_width(&t));
    let left = free / 2;
    let mut out = String::with_capacity(t.len() + free);
    out.extend(std::iter::repeat_n(' ', left));
    out.push_str(&t);
    out.extend(std::iter::repeat_n(' ', free - left));
    out
}

#[cfg(test)]
// Single and reversed ranges are the point of the highlight tests.
#[allow(clippy::single_range_in_vec_init, clippy::reversed_empty_ranges)]
mod tests {
    use super::*;

    #[test]
    fn widths_of_cjk_latin_emoji_and_fullwidth_punctuation() {
        assert_eq!(display_width(""), 0);
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("热搜"), 4);
        assert_eq!(display_width("中国China成为潮流"), 5 + 2 * 6);
        assert_eq!(display_width("反的是绿玩？"), 12); // full-width question mark is wide
        assert_eq!(display_width("（）《》，"), 10);
        assert_eq!(display_width("🔥"), 2);
        // ZWJ family and VS16 heart render as one wide glyph each.
        assert_eq!(display_width("👨‍👩‍👧"), 2);
        assert_eq!(display_width("❤️"), 2);
        assert_eq!(display_width("e\u{301}"), 1); // combining acute
        assert_eq!(display_width("a\tb"), 2); // controls are not drawn
    }

    #[test]
    fn widths_agree_with_ratatui_buffer() {
        use ratatui::buffer::CellWidth;
        use unicode_segmentation::UnicodeSegmentation;
        for s in [
            "中国China成为潮流",
            "👨‍👩‍👧 ❤️ 🔥",
            "ｶﾞｷﾞ",
            "腾讯反作弊,反的是绿玩？",
            "é",
        ] {
            let ratatui: usize = s.graphemes(true).map(|g| g.cell_width() as usize).sum();
            assert_eq!(display_width(s), ratatui, "{s}");
        }
    }

    #[test]
    fn truncate_keeps_fitting_text_whole() {
        assert_eq!(truncate("热搜", 4), "热搜");
        assert_eq!(truncate("abc", 10), "abc");
    }

    #[test]
    fn truncate_cjk_with_ellipsis_and_pad_space() {
        // 5 cells: 2 wide chars (4) + ellipsis (1).
        assert_eq!(truncate("共绘美丽中国新画卷", 5), "共绘…");
        // 6 cells: the third wide char would need 2 of the 1 left; it becomes a pad space.
        assert_eq!(truncate("共绘美丽中国新画卷", 6), "共绘… ");
        assert_eq!(display_width(&truncate("共绘美丽中国新画卷", 6)), 6);
        assert_eq!(truncate("热搜", 1), "…");
        assert_eq!(truncate("热搜", 0), "");
    }

    #[test]
    fn truncate_mixed_latin_never_splits_a_wide_char() {
        let t = truncate("中国China成为潮流", 10);
        assert_eq!(t, "中国China…");
        let t = truncate("中国China成为潮流", 9);
        assert_eq!(t, "中国Chin…");
        for w in 0..20 {
            let t = truncate("中国China成为潮流", w);
            assert!(display_width(&t) <= w, "{w}: {t}");
        }
    }

    #[test]
    fn truncate_never_splits_emoji_sequences() {
        let s = "家👨‍👩‍👧在❤️这";
        for w in 0..=display_width(s) {
            let t = truncate(s, w);
            assert!(display_width(&t) <= w);
            // Every grapheme kept is one of the original graphemes, whole.
            for g in t.graphemes(true) {
                assert!(s.contains(g) || g == ELLIPSIS || g == " ", "split: {g:?}");
            }
        }
        assert_eq!(truncate(s, 5), "家👨‍👩‍👧…");
        assert_eq!(truncate(s, 4), "家… ");
    }

    #[test]
    fn truncate_drops_trailing_space_before_ellipsis() {
        assert_eq!(truncate("旺旺 配料表", 4), "旺… ");
        assert_eq!(truncate("旺旺 配料表", 6), "旺旺… ");
    }

    fn joined(runs: &[(String, bool)]) -> String {
        runs.iter().map(|(t, _)| t.as_str()).collect()
    }

    fn marked(runs: &[(String, bool)]) -> Vec<&str> {
        runs.iter()
            .filter(|(_, m)| *m)
            .map(|(t, _)| t.as_str())
            .collect()
    }

    #[test]
    fn marked_runs_follow_the_ranges() {
        let s = "网友集体呼吁旺旺减糖";
        let at = s.find("旺旺").unwrap();
        let runs = truncate_marked(s, 40, &[at..at + "旺旺".len()]);
        assert_eq!(joined(&runs), s);
        assert_eq!(marked(&runs), vec!["旺旺"]);
    }

    #[test]
    fn marked_runs_truncate_like_truncate() {
        let s = "网友集体呼吁旺旺减糖";
        let at = s.find("旺旺").unwrap();
        for w in 0..=22 {
            let runs = truncate_marked(s, w, &[at..at + 6]);
            assert_eq!(joined(&runs), truncate(s, w), "width {w}");
        }
        // Cut inside the keyword: the visible half stays marked, the ellipsis does not.
        let runs = truncate_marked(s, 15, &[at..at + 6]);
        assert_eq!(joined(&runs), "网友集体呼吁旺…");
        assert_eq!(marked(&runs), vec!["旺"]);
    }

    #[test]
    fn hostile_ranges_mark_whole_graphemes_and_never_panic() {
        let s = "旺👨‍👩‍👧旺";
        // Mid-character start inside the first 旺 and a range ending inside the ZWJ family.
        let runs = truncate_marked(s, 20, &[1..2, 5..6]);
        assert_eq!(marked(&runs), vec!["旺👨‍👩‍👧"]);
        let runs = truncate_marked(s, 20, &[9..3, 100..200, usize::MAX - 1..usize::MAX]);
        assert!(marked(&runs).is_empty());
        assert_eq!(joined(&runs), s);
        let runs = truncate_marked(s, 20, &[0..usize::MAX, 2..1]);
        assert_eq!(marked(&runs), vec![s]);
    }

    #[test]
    fn pads_by_display_width() {
        assert_eq!(pad_right("热", 4), "热  ");
        assert_eq!(pad_left("热", 4), "  热");
        assert_eq!(pad_left("1.2万", 6), " 1.2万");
        assert_eq!(pad_right("中国China成为潮流", 8), "中国Chi…");
        assert_eq!(display_width(&pad_right("中国China成为潮流", 8)), 8);
        assert_eq!(display_width(&pad_right("反的是绿玩？", 7)), 7);
        assert_eq!(center("ab", 6), "  ab  ");
        assert_eq!(center("热", 5), " 热  ");
    }
}

/// One unit of wrapping: a grapheme run that must stay on one line, with its width.
struct Piece<'a> {
    text: &'a str,
    width: usize,
    /// Whitespace: may be dropped at a line start.
    space: bool,
    newline: bool,
}

/// Is this grapheme a place a line may break before/after on its own (CJK and other wide
/// characters, emoji, punctuation), rather than part of a Latin word?
fn breaks_alone(g: &str) -> bool {
    let word_char = |c: char| {
        (c.is_alphanumeric() && grapheme_width(g) < 2)
            || matches!(
                c,
                '\'' | '-' | '_' | '.' | '/' | ':' | '%' | '&' | '?' | '='
            )
    };
    g.chars().next().is_some_and(|c| !word_char(c))
}

fn flush_word<'a, S: Copy>(
    pieces: &mut Vec<(Piece<'a>, S)>,
    text: &'a str,
    word: &mut Option<(usize, usize)>,
    end: usize,
    style: S,
) {
    if let Some((start, width)) = word.take() {
        let piece = Piece {
            text: &text[start..end],
            width,
            space: false,
            newline: false,
        };
        pieces.push((piece, style));
    }
}

/// Wrap styled text to `width` cells: CJK breaks anywhere, Latin words (and URLs) move whole to
/// the next line unless longer than a line, spaces at a line start are dropped, `\n` breaks.
/// Every returned line is at most `width` cells wide (for `width` ≥ 2: a wide glyph needs two).
pub fn wrap_styled<S: Copy + PartialEq>(
    segments: &[(String, S)],
    width: usize,
) -> Vec<Vec<(String, S)>> {
    let width = width.max(1);
    // Pieces with their segment's style; Latin words are merged across graphemes.
    let mut pieces: Vec<(Piece<'_>, S)> = Vec::new();
    for (text, style) in segments {
        let mut word_start: Option<(usize, usize)> = None; // (byte start, width)
        for (i, g) in text.grapheme_indices(true) {
            let w = grapheme_width(g);
            if g == "\n" || g == "\r\n" {
                flush_word(&mut pieces, text, &mut word_start, i, *style);
                pieces.push((
                    Piece {
                        text: "",
                        width: 0,
                        space: false,
                        newline: true,
                    },
                    *style,
                ));
            } else if g.chars().all(char::is_whitespace) || breaks_alone(g) {
                flush_word(&mut pieces, text, &mut word_start, i, *style);
                pieces.push((
                    Piece {
                        text: g,
                        width: w,
                        space: g.chars().all(char::is_whitespace),
                        newline: false,
                    },
                    *style,
                ));
            } else {
                match &mut word_start {
                    Some((_, ww)) => *ww += w,
                    None => word_start = Some((i, w)),
                }
            }
        }
        flush_word(&mut pieces, text, &mut word_start, text.len(), *style);
    }

    let mut lines: Vec<Vec<(String, S)>> = vec![Vec::new()];
    let mut used = 0usize;
    let push = |lines: &mut Vec<Vec<(String, S)>>, s: &str, style: S| {
        let line = lines
            .last_mut()
            .unwrap_or_else(|| unreachable!("never empty"));
        line.push((s.to_string(), style));
    };
    for (p, style) in pieces {
        if p.newline {
            lines.push(Vec::new());
            used = 0;
            continue;
        }
        if p.space && used == 0 {
            continue;
        }
        if used + p.width > width {
            if p.space {
                // A space at the break is dropped.
                lines.push(Vec::new());
                used = 0;
                continue;
            }
            if p.width <= width || used > 0 {
                lines.push(Vec::new());
                used = 0;
            }
        }
        if p.width <= width - used {
            push(&mut lines, p.text, style);
            used += p.width;
        } else {
            // A word longer than a line: cut it grapheme by grapheme.
            for g in p.text.graphemes(true) {
                let w = grapheme_width(g);
                if used + w > width {
                    lines.push(Vec::new());
                    used = 0;
                }
                push(&mut lines, g, style);
                used += w;
            }
        }
    }
    // Merge neighbouring parts of the same style (fewer spans to draw).
    for line in &mut lines {
        let mut merged: Vec<(String, S)> = Vec::with_capacity(line.len());
        for (s, st) in line.drain(..) {
            match merged.last_mut() {
                Some((prev, pst)) if *pst == st => prev.push_str(&s),
                _ => merged.push((s, st)),
            }
        }
        *line = merged;
    }
    lines
}

#[cfg(test)]
mod wrap_tests {
    use super::*;

    fn wrap(s: &str, w: usize) -> Vec<String> {
        wrap_styled(&[(s.to_string(), ())], w)
            .into_iter()
            .map(|l| l.into_iter().map(|(t, _)| t).collect())
            .collect()
    }

    #[test]
    fn cjk_breaks_anywhere_latin_at_spaces() {
        assert_eq!(
            wrap("旺旺配料表上热搜了", 8),
            vec!["旺旺配料", "表上热搜", "了"]
        );
        assert_eq!(wrap("hello world again", 11), vec!["hello world", "again"]);
        assert_eq!(
            wrap("中文English混排测试", 10),
            vec!["中文", "English混", "排测试"]
        );
        assert_eq!(wrap("第一行\n第二行", 20), vec!["第一行", "第二行"]);
        assert_eq!(
            wrap("supercalifragilistic", 8),
            vec!["supercal", "ifragili", "stic"]
        );
        assert_eq!(wrap("看👨‍👩‍👧好，", 4), vec!["看👨‍👩‍👧", "好，"]);
    }

    #[test]
    fn no_line_is_wider_than_asked() {
        let text = "【#旺旺配料表#】网友称 Want Want 的配料表“很长”，😀😀 https://m.weibo.cn/detail/5332222609720246 全文";
        for w in 2..40 {
            for line in wrap(text, w) {
                assert!(display_width(&line) <= w, "{w}: {line:?}");
            }
        }
    }
}
