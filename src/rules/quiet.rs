//! Quiet hours: `"23:00-07:00"` on some weekdays. Times are read on the wall clock of the
//! `now` passed in (the app passes CST), so a fixed offset, no DST.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveTime, TimeZone, Weekday};

const DAY_MIN: u32 = 24 * 60;

/// A daily window `start..end` in minutes of the day; `start > end` crosses midnight. A
/// window belongs to the weekday it starts on (Friday's 23:00-07:00 ends Saturday 07:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    start: u32,
    /// 1..=1440 (`24:00` allowed as an end).
    end: u32,
    /// Indexed by `Weekday::num_days_from_monday`.
    days: [bool; 7],
}

/// `"mon"` … `"sun"` (three letters, case-insensitive).
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    const DAYS: [(&str, Weekday); 7] = [
        ("mon", Weekday::Mon),
        ("tue", Weekday::Tue),
        ("wed", Weekday::Wed),
        ("thu", Weekday::Thu),
        ("fri", Weekday::Fri),
        ("sat", Weekday::Sat),
        ("sun", Weekday::Sun),
    ];
    DAYS.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(s.trim()))
        .map(|&(_, d)| d)
}

fn parse_hhmm(s: &str, allow_24: bool) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let ok = |p: &str| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit());
    if !ok(h) || !ok(m) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    let min = h * 60 + m;
    (m < 60 && (h < 24 || (allow_24 && min == DAY_MIN))).then_some(min)
}

impl QuietHours {
    /// `"HH:MM-HH:MM"`; `weekdays` empty means every day. The error says what is wrong.
    pub fn parse(window: &str, weekdays: &[Weekday]) -> Result<QuietHours, String> {
        let bad =
            || format!("quiet_hours `{window}` is not \"HH:MM-HH:MM\" (e.g. \"23:00-07:00\")");
        let (a, b) = window.split_once('-').ok_or_else(bad)?;
        let start = parse_hhmm(a, false).ok_or_else(bad)?;
        let end = parse_hhmm(b, true).ok_or_else(bad)?;
        if start == end {
            return Err(format!(
                "quiet_hours `{window}` is empty; \"00:00-24:00\" is the whole day"
            ));
        }
        let mut days = [weekdays.is_empty(); 7];
        for d in weekdays {
            days[d.num_days_from_monday() as usize] = true;
        }
        Ok(QuietHours { start, end, days })
    }

    /// The window of `day` as instants, if quiet hours apply that day.
    fn window(
        &self,
        day: chrono::NaiveDate,
        tz: FixedOffset,
    ) -> Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
        if !self.days[day.weekday().num_days_from_monday() as usize] {
            return None;
        }
        let midnight = tz
            .from_local_datetime(&day.and_time(NaiveTime::MIN))
            .single()?;
        let end_day = if self.start < self.end { 0 } else { DAY_MIN };
        let start = midnight.checked_add_signed(Duration::minutes(i64::from(self.start)))?;
        let end = midnight.checked_add_signed(Duration::minutes(i64::from(end_day + self.end)))?;
        Some((start, end))
    }

    /// When the quiet window `t` falls in ends (`None`: `t` is not quiet). Back-to-back
    /// windows (a quiet weekend) count as one.
    pub fn until(&self, t: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        let tz = *t.offset();
        let containing = |t: DateTime<FixedOffset>| {
            let today = t.date_naive();
            [today.pred_opt(), Some(today)]
                .into_iter()
                .flatten()
                .filter_map(|d| self.window(d, tz))
                .filter(|&(s, e)| s <= t && t < e)
                .map(|(_, e)| e)
                .max()
        };
        let mut end = containing(t)?;
        // A week of windows at most: all seven days quiet all day never ends; stop there.
        for _ in 0..8 {
            match containing(end) {
                Some(next) if next > end => end = next,
                _ => break,
            }
        }
        Some(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::tests::at;

    #[test]
    fn parse_errors_say_why() {
        assert!(QuietHours::parse("23:00-07:00", &[]).is_ok());
        assert!(QuietHours::parse("00:00-24:00", &[]).is_ok());
        for bad in [
            "23-07",
            "25:00-07:00",
            "23:00",
            "7:00-8:00",
            "23:00-07:60",
            "24:00-01:00",
        ] {
            let e = QuietHours::parse(bad, &[]).unwrap_err();
            assert!(e.contains("HH:MM"), "{bad}: {e}");
        }
        assert!(
            QuietHours::parse("07:00-07:00", &[])
                .unwrap_err()
                .contains("empty")
        );
        assert_eq!(parse_weekday(" Sat"), Some(Weekday::Sat));
        assert_eq!(parse_weekday("saturday"), None);
    }

    #[test]
    fn cross_midnight() {
        let q = QuietHours::parse("23:00-07:00", &[]).unwrap();
        assert_eq!(q.until(at("2026-12-07T22:59:00+08:00")), None);
        let end = Some(at("2026-12-08T07:00:00+08:00"));
        assert_eq!(q.until(at("2026-12-07T23:00:00+08:00")), end);
        assert_eq!(q.until(at("2026-12-08T03:00:00+08:00")), end);
        assert_eq!(q.until(at("2026-12-08T07:00:00+08:00")), None);
    }

    #[test]
    fn weekdays_own_the_window_they_start() {
        // Friday night only: Fri 23:00 → Sat 07:00 is quiet, Sat 23:00 is not.
        let q = QuietHours::parse("23:00-07:00", &[Weekday::Fri]).unwrap();
        // 2026-12-11 is a Friday.
        assert_eq!(
            q.until(at("2026-12-12T02:00:00+08:00")),
            Some(at("2026-12-12T07:00:00+08:00"))
        );
        assert_eq!(q.until(at("2026-12-12T23:30:00+08:00")), None);
        assert_eq!(
            q.until(at("2026-12-11T02:00:00+08:00")),
            None,
            "Thursday's night"
        );
    }

    #[test]
    fn whole_days_join_up() {
        let q = QuietHours::parse("00:00-24:00", &[Weekday::Sat, Weekday::Sun]).unwrap();
        assert_eq!(
            q.until(at("2026-12-12T10:00:00+08:00")),
            Some(at("2026-12-14T00:00:00+08:00"))
        );
        let always = QuietHours::parse("00:00-24:00", &[]).unwrap();
        assert!(always.until(at("2026-12-12T10:00:00+08:00")).is_some());
    }
}
