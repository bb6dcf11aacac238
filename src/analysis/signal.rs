//! Item weights within one hot list (trend-detection.md §2): heat share, with missing heats
//! interpolated between ranked neighbours, or rank weights when a list has no heat at all.

use crate::domain::{Snapshot, Topic};

/// Rank weight `1 / log2(1 + r)` for lists without heat.
pub fn rank_weight(rank: u32) -> f64 {
    1.0 / (1.0 + f64::from(rank.max(1))).log2()
}

/// Heats for the ranked rows with gaps filled: linear interpolation between the nearest
/// ranked rows that have heat (heat is monotone in rank), nearest value at the ends.
/// `None` when no row has heat. Zero counts as missing (ad rows and placeholders).
pub fn impute_heats(heats: &[Option<u64>]) -> Option<Vec<f64>> {
    let known: Vec<(usize, f64)> = heats
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.filter(|&h| h > 0).map(|h| (i, h as f64)))
        .collect();
    let (first, last) = (known.first()?, known.last()?);
    let mut out = Vec::with_capacity(heats.len());
    let mut k = 0; // index into `known` of the last known row at or before i
    for i in 0..heats.len() {
        while k + 1 < known.len() && known[k + 1].0 <= i {
            k += 1;
        }
        let v = if i <= first.0 {
            first.1
        } else if i >= last.0 {
            last.1
        } else {
            let (i0, h0) = known[k];
            let (i1, h1) = known[k + 1];
            if i == i0 {
                h0
            } else {
                h0 + (h1 - h0) * (i - i0) as f64 / (i1 - i0) as f64
            }
        };
        out.push(v);
    }
    Some(out)
}

/// Every row of the snapshot (pinned first, then ranked) with its weight; weights sum to 1
/// unless the list is empty. Pinned rows get the rank-1 weight.
pub fn item_weights(s: &Snapshot) -> Vec<(&Topic, f64)> {
    let heats: Vec<Option<u64>> = s.ranked.iter().map(|t| t.heat).collect();
    let raw: Vec<f64> = match impute_heats(&heats) {
        Some(h) => h,
        None => s
            .ranked
            .iter()
            .enumerate()
            .map(|(i, t)| rank_weight(t.rank.unwrap_or(i as u32 + 1)))
            .collect(),
    };
    let top = raw.first().copied().unwrap_or_else(|| rank_weight(1));
    let rows: Vec<(&Topic, f64)> = s
        .pinned
        .iter()
        .map(|t| (t, top))
        .chain(s.ranked.iter().zip(raw))
        .collect();
    let total: f64 = rows.iter().map(|r| r.1).sum();
    if total <= 0.0 || !total.is_finite() {
        return rows.into_iter().map(|(t, _)| (t, 0.0)).collect();
    }
    rows.into_iter().map(|(t, w)| (t, w / total)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_runs_and_clamps_ends() {
        let h = impute_heats(&[None, Some(100), None, None, Some(40), None]).unwrap();
        assert_eq!(h, vec![100.0, 100.0, 80.0, 60.0, 40.0, 40.0]);
        assert!(impute_heats(&[None, None]).is_none());
    }
}
