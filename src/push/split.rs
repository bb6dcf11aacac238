//! Size-aware splitting. A channel's limit applies to what it receives — the whole JSON body
//! after escaping for WeCom/Feishu/ntfy/DingTalk, the characters of one field for
//! Telegram/Slack — so the splitter does not count anything itself: it asks the channel to
//! measure a candidate part rendered in full, numbering included. Escaping only ever grows a
//! text, so "fits" is monotonic in the length of the part, which is what the greedy packing
//! and the binary search over an over-long line rely on.

/// Numbering of a part, `(index/total)`, both 1-based.
pub type PartNo = (usize, usize);

/// Why a message cannot be split to fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the message cannot fit the {limit} budget: its fixed parts alone measure {overhead}")]
pub struct SplitError {
    pub limit: usize,
    pub overhead: usize,
}

/// Cut `body` into parts that each measure at most `limit` when rendered, at line boundaries
/// where possible; a single line longer than a part is cut between characters (never inside
/// a UTF-8 sequence). `measure(part, numbering)` renders one part; `numbering` is `None` when
/// the message goes out whole.
pub fn split(
    body: &str,
    limit: usize,
    measure: impl Fn(&str, Option<PartNo>) -> usize,
) -> Result<Vec<String>, SplitError> {
    if measure(body, None) <= limit {
        return Ok(vec![body.to_string()]);
    }
    // Pack against the widest numbering of this many digits; when the parts outnumber it,
    // widen and pack again (the digits are ASCII, so a wider reserve only costs bytes).
    let mut widest = 9;
    loop {
        let fits = |s: &str| measure(s, Some((widest, widest))) <= limit;
        let parts = pack(body, &fits).ok_or_else(|| SplitError {
            limit,
            overhead: measure("", Some((widest, widest))),
        })?;
        if parts.len() <= widest {
            return Ok(parts);
        }
        widest = widest * 10 + 9;
    }
}

fn pack(body: &str, fits: &impl Fn(&str) -> bool) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut current = String::new();
    for line in body.split('\n') {
        let candidate = if current.is_empty() {
            line.to_string()
        } else {
            format!("{current}\n{line}")
        };
        if fits(&candidate) {
            current = candidate;
            continue;
        }
        flush(&mut current, &mut parts);
        let mut rest = line;
        while !fits(rest) {
            let cut = longest_fitting_prefix(rest, fits)?;
            parts.push(rest[..cut].to_string());
            rest = &rest[cut..];
        }
        current = rest.to_string();
    }
    flush(&mut current, &mut parts);
    Some(parts)
}

/// A part of only blank lines is not worth a message.
fn flush(current: &mut String, parts: &mut Vec<String>) {
    if !current.trim().is_empty() {
        parts.push(std::mem::take(current));
    }
    current.clear();
}

/// Byte length of the longest non-empty prefix of `line` that fits, cut at a char boundary;
/// `None` if not even one character fits.
fn longest_fitting_prefix(line: &str, fits: &impl Fn(&str) -> bool) -> Option<usize> {
    let ends: Vec<usize> = line.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
    // Binary search for the last end that fits (fits is monotonic in the prefix length).
    let (mut lo, mut hi) = (0, ends.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if fits(&line[..ends[mid]]) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    (lo > 0).then(|| ends[lo - 1])
}

/// `title (2/3)`, or the title alone for a message sent whole.
pub fn numbered(title: &str, no: Option<PartNo>) -> String {
    match no {
        Some((i, n)) => format!("{title} ({i}/{n})"),
        None => title.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_with_overhead(overhead: usize) -> impl Fn(&str, Option<PartNo>) -> usize {
        move |s, no| overhead + s.len() + numbered("", no).len()
    }

    #[test]
    fn short_text_is_one_unnumbered_part() {
        assert_eq!(
            split("热搜", 100, bytes_with_overhead(10)).unwrap(),
            ["热搜"]
        );
    }

    #[test]
    fn lines_pack_greedily_and_every_part_fits() {
        let body = (0..40)
            .map(|i| format!("{i}. 微博热搜第{i}名 🔥"))
            .collect::<Vec<_>>()
            .join("\n");
        let measure = bytes_with_overhead(20);
        let parts = split(&body, 200, &measure).unwrap();
        assert!(parts.len() > 1);
        let n = parts.len();
        for (i, p) in parts.iter().enumerate() {
            assert!(measure(p, Some((i + 1, n))) <= 200, "part {i}: {p}");
        }
        // Nothing lost, nothing cut mid-line.
        assert_eq!(parts.join("\n"), body);
    }

    #[test]
    fn an_over_long_line_is_cut_at_char_boundaries() {
        let line = "热😀".repeat(500); // 3 + 4 bytes per pair
        let measure = bytes_with_overhead(0);
        let parts = split(&line, 100, &measure).unwrap();
        assert_eq!(parts.concat(), line);
        for p in &parts {
            assert!(measure(p, Some((99, 99))) <= 100);
        }
    }

    #[test]
    fn numbering_widens_past_nine_parts() {
        let body = "x\n".repeat(200);
        let measure = bytes_with_overhead(0);
        let parts = split(&body, 12, &measure).unwrap();
        assert!(parts.len() > 9);
        let n = parts.len();
        for (i, p) in parts.iter().enumerate() {
            assert!(measure(p, Some((i + 1, n))) <= 12);
        }
    }

    #[test]
    fn overhead_over_budget_is_an_error() {
        let err = split("abc", 10, bytes_with_overhead(50)).unwrap_err();
        assert_eq!(err.limit, 10);
    }
}
