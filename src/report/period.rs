//! What a report covers: `day` (the 24 h before its end), `shift` (since the previous
//! scheduled report time) or a span (`6h`, `90m`, `2d`); and the schedule of report times
//! (`[report] at`, China time) that a shift starts from and a collector reports at.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, TimeZone};
use serde::Serialize;

use crate::domain::cst;

type At = DateTime<FixedOffset>;

/// A shift without a schedule to start from is this long.
pub const DEFAULT_SHIFT_HOURS: i64 = 12;
/// The longest span a report may cover (a month of minute polls is a lot to replay).
pub const MAX_SPAN_DAYS: i64 = 31;

/// How long a report reaches back, before it is placed at an end time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodSpec {
    /// The 24 h ending at the report time.
    Day,
    /// Since the previous scheduled report time ([`Schedule`]); 12 h without a schedule.
    Shift,
    /// A fixed span, in minutes.
    Span { minutes: i64 },
}

impl PeriodSpec {
    /// `day`, `shift`, or a span: a whole number with `m`, `h` or `d` (`90m`, `6h`, `2d`),
    /// up to 31 days.
    pub fn parse(s: &str) -> Result<PeriodSpec, String> {
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "day" => return Ok(PeriodSpec::Day),
            "shift" => return Ok(PeriodSpec::Shift),
            _ => {}
        }
        let bad = || {
            format!(
                "period `{s}`: give day, shift or a span such as 90m, 6h or 2d (at most {MAX_SPAN_DAYS}d)"
            )
        };
        let unit = t.chars().last().ok_or_else(bad)?;
        let per_unit = match unit {
            'm' => 1,
            'h' => 60,
            'd' => 24 * 60,
            _ => return Err(bad()),
        };
        let n: i64 = t[..t.len() - 1].parse().map_err(|_| bad())?;
        let minutes = n.checked_mul(per_unit).ok_or_else(bad)?;
        if minutes <= 0 || minutes > MAX_SPAN_DAYS * 24 * 60 {
            return Err(bad());
        }
        Ok(PeriodSpec::Span { minutes })
    }

    /// The name a report shows: `day`, `shift`, `6h`, `90m`, `2d`.
    pub fn name(&self) -> String {
        match *self {
            PeriodSpec::Day => "day".into(),
            PeriodSpec::Shift => "shift".into(),
            PeriodSpec::Span { minutes } if minutes % (24 * 60) == 0 => {
                format!("{}d", minutes / (24 * 60))
            }
            PeriodSpec::Span { minutes } if minutes % 60 == 0 => format!("{}h", minutes / 60),
            PeriodSpec::Span { minutes } => format!("{minutes}m"),
        }
    }

    /// The period that ends at `until`.
    pub fn ending_at(&self, until: At, schedule: &Schedule) -> Period {
        let until = until.with_timezone(&cst());
        let from = match *self {
            PeriodSpec::Day => until - Duration::hours(24),
            PeriodSpec::Span { minutes } => until - Duration::minutes(minutes),
            PeriodSpec::Shift => schedule
                .previous_before(until)
                .unwrap_or(until - Duration::hours(DEFAULT_SHIFT_HOURS)),
        };
        Period {
            spec: *self,
            from,
            to: until,
        }
    }
}

/// The stretch of time a report covers: `from..=to`, China time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub spec: PeriodSpec,
    pub from: At,
    pub to: At,
}

impl Period {
    pub fn minutes(&self) -> i64 {
        (self.to - self.from).num_minutes()
    }

    /// `2026-08-15 09:00 – 18:00` (the date again when the period crosses midnight).
    pub fn label(&self) -> String {
        let to = if self.from.date_naive() == self.to.date_naive() {
            self.to.format("%H:%M")
        } else {
            self.to.format("%Y-%m-%d %H:%M")
        };
        format!("{} – {to}", self.from.format("%Y-%m-%d %H:%M"))
    }
}

/// Daily report times, China time (`[report] at = ["09:00", "18:00"]`), sorted, each once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    times: Vec<NaiveTime>,
}

impl Schedule {
    /// `HH:MM` times; the error names the first bad one.
    pub fn parse<S: AsRef<str>>(times: &[S]) -> Result<Schedule, String> {
        let mut out = Vec::with_capacity(times.len());
        for t in times {
            let t = t.as_ref().trim();
            let time = NaiveTime::parse_from_str(t, "%H:%M")
                .map_err(|_| format!("report time `{t}`: give HH:MM (China time), e.g. 09:00"))?;
            out.push(time);
        }
        out.sort();
        out.dedup();
        Ok(Schedule { times: out })
    }

    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// The times as `HH:MM`.
    pub fn times(&self) -> Vec<String> {
        self.times
            .iter()
            .map(|t| t.format("%H:%M").to_string())
            .collect()
    }

    /// The first report time strictly after `now` (China time); `None` without times.
    pub fn next_after(&self, now: At) -> Option<At> {
        let now = now.with_timezone(&cst());
        let today = now.date_naive();
        [today, today.succ_opt()?]
            .into_iter()
            .flat_map(|d| self.times.iter().map(move |t| d.and_time(*t)))
            .filter_map(|naive| cst().from_local_datetime(&naive).single())
            .find(|t| *t > now)
    }

    /// The last report time strictly before `now` (China time): where a shift ending at
    /// `now` starts. `None` without times.
    pub fn previous_before(&self, now: At) -> Option<At> {
        let now = now.with_timezone(&cst());
        let today = now.date_naive();
        [today, today.pred_opt()?]
            .into_iter()
            .flat_map(|d| self.times.iter().rev().map(move |t| d.and_time(*t)))
            .filter_map(|naive| cst().from_local_datetime(&naive).single())
            .find(|t| *t < now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> At {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn spans_and_names() {
        assert_eq!(PeriodSpec::parse("day"), Ok(PeriodSpec::Day));
        assert_eq!(PeriodSpec::parse(" Shift "), Ok(PeriodSpec::Shift));
        assert_eq!(
            PeriodSpec::parse("90m"),
            Ok(PeriodSpec::Span { minutes: 90 })
        );
        assert_eq!(
            PeriodSpec::parse("6h"),
            Ok(PeriodSpec::Span { minutes: 360 })
        );
        assert_eq!(
            PeriodSpec::parse("2d"),
            Ok(PeriodSpec::Span { minutes: 2880 })
        );
        for bad in [
            "",
            "h",
            "0h",
            "-3h",
            "6",
            "6x",
            "1.5h",
            "32d",
            "99999999999999999d",
        ] {
            let e = PeriodSpec::parse(bad).unwrap_err();
            assert!(e.contains("day, shift or a span"), "{bad}: {e}");
        }
        for s in ["day", "shift", "90m", "6h", "2d"] {
            assert_eq!(PeriodSpec::parse(s).unwrap().name(), s);
        }
    }

    #[test]
    fn a_shift_starts_at_the_previous_report_time() {
        let s = Schedule::parse(&["18:00", "09:00", "09:00"]).unwrap();
        assert_eq!(s.times(), ["09:00", "18:00"]);
        let p = PeriodSpec::Shift.ending_at(t("2026-08-15T18:00:00+08:00"), &s);
        assert_eq!(p.from, t("2026-08-15T09:00:00+08:00"));
        // The night shift crosses midnight.
        let p = PeriodSpec::Shift.ending_at(t("2026-08-15T09:00:00+08:00"), &s);
        assert_eq!(p.from, t("2026-08-14T18:00:00+08:00"));
        // A report between times covers since the last one; times are China time.
        let p = PeriodSpec::Shift.ending_at(t("2026-08-15T04:30:00Z"), &s);
        assert_eq!(p.from, t("2026-08-15T09:00:00+08:00"));
        assert_eq!(p.to, t("2026-08-15T12:30:00+08:00"));
        // No schedule: 12 h.
        let p = PeriodSpec::Shift.ending_at(t("2026-08-15T18:00:00+08:00"), &Schedule::default());
        assert_eq!(p.from, t("2026-08-15T06:00:00+08:00"));
        let p = PeriodSpec::Day.ending_at(t("2026-08-15T18:00:00+08:00"), &s);
        assert_eq!(
            (p.from, p.minutes()),
            (t("2026-08-14T18:00:00+08:00"), 1440)
        );
        assert_eq!(p.label(), "2026-08-14 18:00 – 2026-08-15 18:00");
        let p = PeriodSpec::Span { minutes: 90 }.ending_at(t("2026-08-15T18:00:00+08:00"), &s);
        assert_eq!(p.label(), "2026-08-15 16:30 – 18:00");
    }

    #[test]
    fn next_and_previous_report_times() {
        let s = Schedule::parse(&["09:00", "18:00"]).unwrap();
        let at = t("2026-08-15T18:00:00+08:00");
        assert_eq!(s.next_after(at), Some(t("2026-08-16T09:00:00+08:00")));
        assert_eq!(s.previous_before(at), Some(t("2026-08-15T09:00:00+08:00")));
        let at = t("2026-08-15T08:59:59+08:00");
        assert_eq!(s.next_after(at), Some(t("2026-08-15T09:00:00+08:00")));
        assert_eq!(s.previous_before(at), Some(t("2026-08-14T18:00:00+08:00")));
        let empty = Schedule::default();
        assert_eq!(
            (empty.next_after(at), empty.previous_before(at)),
            (None, None)
        );
        let e = Schedule::parse(&["9am"]).unwrap_err();
        assert!(e.contains("`9am`") && e.contains("HH:MM"), "{e}");
        assert!(Schedule::parse(&["25:00"]).is_err());
    }
}
