//! Sparklines: one cell per point, scaled to the series' own maximum.

/// The last `width` points of `values` as bars from `bars` (lowest first), right-aligned: the
/// newest point is in the last cell and missing history is blank on the left. Negative, NaN or
/// infinite points draw as the lowest bar; a series with no positive point is all lowest bars.
pub fn sparkline(values: &[f64], width: usize, bars: &[&str; 8]) -> String {
    let shown = &values[values.len().saturating_sub(width)..];
    let clean = |v: f64| if v.is_finite() && v > 0.0 { v } else { 0.0 };
    let max = shown.iter().copied().map(clean).fold(0.0, f64::max);
    let mut out = String::with_capacity(width * 3);
    out.extend(std::iter::repeat_n(' ', width - shown.len()));
    for &v in shown {
        let level = if max > 0.0 {
            // ok: clean(v)/max is in [0, 1], so the index is in 0..=7
            ((clean(v) / max) * 7.0).round() as usize
        } else {
            0
        };
        out.push_str(bars[level.min(7)]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BARS: [&str; 8] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

    #[test]
    fn scales_to_the_series_max_and_keeps_the_newest() {
        assert_eq!(sparkline(&[0.0, 1.0, 2.0, 4.0], 4, &BARS), "▁▃▅█");
        // Only the last 3 fit; the max is taken over what is shown.
        assert_eq!(sparkline(&[100.0, 0.0, 1.0, 2.0], 3, &BARS), "▁▅█");
        assert_eq!(sparkline(&[3.0, 3.0], 5, &BARS), "   ██");
    }

    #[test]
    fn hostile_points_are_lowest_bars() {
        assert_eq!(
            sparkline(&[f64::NAN, -1.0, f64::INFINITY, 2.0], 4, &BARS),
            "▁▁▁█"
        );
        assert_eq!(sparkline(&[0.0, 0.0], 2, &BARS), "▁▁");
        assert_eq!(sparkline(&[], 3, &BARS), "   ");
        assert_eq!(sparkline(&[1.0], 0, &BARS), "");
    }
}
