//! Every timestamp form the platforms send (data-sources.md §7), read as China Standard Time.
//! Relative forms ("29分钟前", "昨天 12:01", "08-13") need the moment they were fetched.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
};

use super::{cst, from_unix};

/// Read `raw` as a point in time, relative to `now` (when the page was fetched).
/// `None` for empty, `null` or unrecognised text; callers then show the raw text.
pub fn parse_time(raw: &str, now: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let now = now.with_timezone(&cst());
    // "11分钟前 转赞人数超过60", "08月13日 17:37 转赞人数超过20": the suffix is not time.
    let s = raw.split("转赞").next().unwrap_or("").trim();
    if s.is_empty() || s == "null" {
        return None;
    }
    if s == "刚刚" {
        return Some(now);
    }
    if let Some(t) = relative(s, now) {
        return Some(t);
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%a %b %d %H:%M:%S %z %Y") {
        return Some(t.with_timezone(&cst()));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&cst()));
    }
    if s.len() <= 13 && s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        // 13 digits: milliseconds.
        return from_unix(if s.len() == 13 { n / 1000 } else { n });
    }
    if let Some(rest) = s.strip_prefix("今天") {
        return at_day(now.date_naive(), rest);
    }
    if let Some(rest) = s.strip_prefix("昨天") {
        return at_day(now.date_naive() - Duration::days(1), rest);
    }
    if let Some(rest) = s.strip_prefix("前天") {
        return at_day(now.date_naive() - Duration::days(2), rest);
    }
    absolute(s, now)
}

/// A length of time for tables and reports: `45 min`, `3 h`, `3 h 05 min`.
pub fn format_minutes(min: u32) -> String {
    match (min / 60, min % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m:02} min"),
    }
}

/// "57秒前", "29分钟前", "3小时前", "2天前".
fn relative(s: &str, now: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let body = s.strip_suffix('前')?.trim();
    let digits = body.find(|c: char| !c.is_ascii_digit())?;
    let n: i64 = body[..digits].parse().ok()?;
    // Checked all the way: a hostile "99999999999天前" must be `None`, not an overflow panic.
    let unit = match body[digits..].trim() {
        "秒" | "秒钟" => Duration::try_seconds(n),
        "分钟" | "分" => Duration::try_minutes(n),
        "小时" => Duration::try_hours(n),
        "天" => Duration::try_days(n),
        _ => return None,
    }?;
    now.checked_sub_signed(unit)
}

fn clock(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    NaiveTime::parse_from_str(s, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
        .ok()
}

fn at_day(day: NaiveDate, rest: &str) -> Option<DateTime<FixedOffset>> {
    let t = if rest.trim().is_empty() {
        NaiveTime::MIN
    } else {
        clock(rest)?
    };
    cst().from_local_datetime(&day.and_time(t)).single()
}

/// Dates with or without year and clock: "2024-8-6 22:11", "2026-08-14 15:36:53",
/// "2026.08.14", "06-14", "08月04日 23:02", "2025年10月15日".
fn absolute(s: &str, now: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let (date, time) = match s.split_once(' ') {
        Some((d, t)) => (d.trim(), Some(t)),
        None => (s, None),
    };
    let nums: Vec<u32> = date
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let time = match time {
        Some(t) => clock(t)?,
        None => NaiveTime::MIN,
    };
    let day = match *nums.as_slice() {
        [y, m, d] if y >= 1000 => NaiveDate::from_ymd_opt(y as i32, m, d)?,
        [m, d] => {
            // No year: this year, unless that lies in the future (then last year).
            let this = NaiveDate::from_ymd_opt(now.year(), m, d)?;
            if NaiveDateTime::new(this, time) > now.naive_local() + Duration::minutes(5) {
                NaiveDate::from_ymd_opt(now.year() - 1, m, d)?
            } else {
                this
            }
        }
        _ => return None,
    };
    cst().from_local_datetime(&day.and_time(time)).single()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<FixedOffset> {
        // ok: a fixed valid literal
        DateTime::parse_from_rfc3339("2026-08-15T12:00:00+08:00").unwrap()
    }

    fn at(s: &str) -> String {
        parse_time(s, now()).map_or("none".into(), |t| t.format("%Y-%m-%d %H:%M:%S").to_string())
    }

    #[test]
    fn every_documented_form() {
        assert_eq!(at("Sat Aug 15 01:05:59 +0800 2026"), "2026-08-15 01:05:59");
        assert_eq!(at("Fri Aug 14 17:05:59 +0000 2026"), "2026-08-15 01:05:59");
        assert_eq!(at("刚刚"), "2026-08-15 12:00:00");
        assert_eq!(at("57秒前"), "2026-08-15 11:59:03");
        assert_eq!(at("29分钟前"), "2026-08-15 11:31:00");
        assert_eq!(at("11分钟前 转赞人数超过60"), "2026-08-15 11:49:00");
        assert_eq!(at("3小时前"), "2026-08-15 09:00:00");
        assert_eq!(at("今天14:40"), "2026-08-15 14:40:00");
        assert_eq!(at("昨天 23:05"), "2026-08-14 23:05:00");
        assert_eq!(at("06-14"), "2026-06-14 00:00:00");
        assert_eq!(
            at("12-31"),
            "2025-12-31 00:00:00",
            "a future month-day is last year"
        );
        assert_eq!(at("08月04日 23:02"), "2026-08-04 23:02:00");
        assert_eq!(at("08月13日 17:37 转赞人数超过20"), "2026-08-13 17:37:00");
        assert_eq!(at("1786692843"), "2026-08-14 15:34:03");
        assert_eq!(at("1786692843000"), "2026-08-14 15:34:03");
        assert_eq!(at("2024-8-6 22:11"), "2024-08-06 22:11:00");
        assert_eq!(at("2026-08-14 15:36:53"), "2026-08-14 15:36:53");
        assert_eq!(at("2026-08-15T12:00:00Z"), "2026-08-15 20:00:00");
        assert_eq!(at("2026.08.14"), "2026-08-14 00:00:00");
    }

    #[test]
    fn junk_is_none_not_a_panic() {
        for s in [
            "",
            "null",
            "前",
            "分钟前",
            "99999999999999999999",
            "13-45",
            "2026-02-30 10:00",
            "昨天 25:99",
            "abc",
            "2315663340小时前",
            "99999999999999天前",
            "9223372036854775807秒前",
        ] {
            assert_eq!(at(s), "none", "{s:?}");
        }
    }
}
