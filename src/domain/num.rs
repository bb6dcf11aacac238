//! Lenient numbers: platforms send counts as ints, floats, strings, or Chinese
//! magnitudes ("1.2万", "100万+", "1亿", Kuaishou's "3.5千"), sometimes with a category prefix
//! ("综艺 850468").

use serde::{Deserialize, Deserializer};

/// Parse a count as shown by the platforms. Returns `None` for anything that is not a count.
pub fn parse_count(s: &str) -> Option<u64> {
    let s = s.trim().trim_end_matches('+').trim();
    if s.is_empty() {
        return None;
    }
    let (digits, mult) = if let Some(d) = s.strip_suffix("亿") {
        (d, 100_000_000f64)
    } else if let Some(d) = s.strip_suffix('万') {
        (d, 10_000f64)
    } else if let Some(d) = s.strip_suffix(['w', 'W']) {
        (d, 10_000f64)
    } else if let Some(d) = s.strip_suffix('千') {
        (d, 1_000f64)
    } else {
        (s, 1f64)
    };
    let digits = digits.trim().replace(',', "");
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    if mult == 1.0 && !digits.contains('.') {
        return digits.parse::<u64>().ok();
    }
    let v: f64 = digits.parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    let r = (v * mult).round();
    if r > u64::MAX as f64 {
        None
    } else {
        Some(r as u64)
    }
}

/// A heat cell that may carry a category prefix: `"综艺 850468"` → (Some("综艺"), 850468).
pub fn parse_prefixed_count(s: &str) -> (Option<String>, Option<u64>) {
    let s = s.trim();
    if let Some(n) = parse_count(s) {
        return (None, Some(n));
    }
    // Split at the first char that starts a trailing number.
    let idx = s
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i);
    match idx {
        Some(i) if i > 0 => {
            let prefix = s[..i].trim();
            let n = parse_count(&s[i..]);
            (
                if prefix.is_empty() {
                    None
                } else {
                    Some(prefix.to_string())
                },
                n,
            )
        }
        _ => (None, None),
    }
}

/// Format a heat figure the way Chinese UIs do: 9999, 1.2万, 356万, 1.3亿.
pub fn format_heat(n: u64) -> String {
    if n >= 100_000_000 {
        let v = n as f64 / 100_000_000.0;
        if v >= 100.0 {
            format!("{:.0}亿", v)
        } else {
            format!("{:.1}亿", v)
        }
    } else if n >= 10_000 {
        let v = n as f64 / 10_000.0;
        if v >= 100.0 {
            format!("{:.0}万", v.floor())
        } else {
            format!("{:.1}万", v)
        }
    } else {
        n.to_string()
    }
}

/// serde helper: accept a number, a numeric string, a magnitude string, or null.
pub fn de_opt_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(value_count(&v))
}

/// Interpret any JSON value as a count, leniently.
pub fn value_count(v: &serde_json::Value) -> Option<u64> {
    match v {
        serde_json::Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_i64().and_then(|i| u64::try_from(i).ok()))
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && *f >= 0.0 && *f < 1.8e19)
                    .map(|f| f.round() as u64)
            }),
        serde_json::Value::String(s) => parse_count(s).or_else(|| parse_prefixed_count(s).1),
        _ => None,
    }
}

/// Interpret any JSON value as an integer flag/code (`1`, `"1"`, `true`).
pub fn value_i64(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        serde_json::Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(parse_count("1565465"), Some(1_565_465));
        assert_eq!(parse_count("1.2万"), Some(12_000));
        assert_eq!(parse_count("100万+"), Some(1_000_000));
        assert_eq!(parse_count("1亿"), Some(100_000_000));
        assert_eq!(parse_count("1029.3万"), Some(10_293_000));
        assert_eq!(parse_count("3.5千"), Some(3_500));
        assert_eq!(parse_count("3,293,622"), Some(3_293_622));
        assert_eq!(parse_count(""), None);
        assert_eq!(parse_count("热"), None);
        assert_eq!(parse_count("-5"), None);
        assert_eq!(
            parse_prefixed_count("综艺 850468"),
            (Some("综艺".into()), Some(850_468))
        );
        assert_eq!(parse_prefixed_count("剧集"), (None, None));
    }

    #[test]
    fn json_values() {
        use serde_json::json;
        assert_eq!(value_count(&json!(12)), Some(12));
        assert_eq!(value_count(&json!("3293622")), Some(3_293_622));
        assert_eq!(value_count(&json!(1.5)), Some(2));
        assert_eq!(value_count(&json!(null)), None);
        assert_eq!(value_count(&json!(-3)), None);
        assert_eq!(value_i64(&json!("1")), Some(1));
    }

    #[test]
    fn heat_format() {
        assert_eq!(format_heat(9_999), "9999");
        assert_eq!(format_heat(12_345), "1.2万");
        assert_eq!(format_heat(1_565_465), "156万");
        assert_eq!(format_heat(130_000_000), "1.3亿");
    }
}
