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
    let mut out = Vec::with_capacity(heats.len());
    impute_into(heats.len(), |i| heats[i], &mut out).then_some(out)
}

/// [`impute_heats`] over `n` rows read through `heat`, appended to `out` (no other
/// allocation); false, with nothing appended, when no row has heat.
fn impute_into(n: usize, heat: impl Fn(usize) -> Option<u64>, out: &mut Vec<f64>) -> bool {
    let known = |i: usize| heat(i).filter(|&h| h > 0).map(|h| h as f64);
    let next_known = |from: usize| (from..n).find_map(|j| Some((j, known(j)?)));
    let Some(first) = next_known(0) else {
        return false;
    };
    let last = (0..n)
        .rev()
        .find_map(|j| Some((j, known(j)?)))
        .unwrap_or(first);
    // The known rows around i: `lo` at or before it, `hi` the next one after `lo`.
    let mut lo = first;
    let mut hi = next_known(first.0 + 1);
    for i in 0..n {
        while let Some(h) = hi.filter(|h| h.0 <= i) {
            lo = h;
            hi = next_known(h.0 + 1);
        }
        let v = if i <= first.0 {
            first.1
        } else if i >= last.0 {
            last.1
        } else {
            let (i0, h0) = lo;
            match hi {
                _ if i == i0 => h0,
                Some((i1, h1)) => h0 + (h1 - h0) * (i - i0) as f64 / (i1 - i0) as f64,
                None => h0,
            }
        };
        out.push(v);
    }
    true
}

/// Weights of every row of the snapshot, pinned first, then ranked, into `out` (cleared);
/// they sum to 1 unless the list is empty. Pinned rows weigh nothing: their place is the
/// platform's editorial choice (Weibo's 置顶 government headline), not a measure of attention,
/// and the headline changes daily, so any weight makes each new one a burst of "rising" terms.
pub fn item_weights_into(s: &Snapshot, out: &mut Vec<f64>) {
    out.clear();
    let np = s.pinned.len();
    // Placeholder for the pinned rows, filled once the top ranked weight is known.
    out.resize(np, 0.0);
    if !impute_into(s.ranked.len(), |i| s.ranked[i].heat, out) {
        out.extend(
            s.ranked
                .iter()
                .enumerate()
                .map(|(i, t)| rank_weight(t.rank.unwrap_or(i as u32 + 1))),
        );
    }
    let total: f64 = out.iter().sum();
    if total <= 0.0 || !total.is_finite() {
        out.iter_mut().for_each(|w| *w = 0.0);
        return;
    }
    out.iter_mut().for_each(|w| *w /= total);
}

/// Every row of the snapshot (pinned first, then ranked) with its weight; weights sum to 1
/// unless the list is empty. Pinned rows weigh nothing (see [`item_weights_into`]).
pub fn item_weights(s: &Snapshot) -> Vec<(&Topic, f64)> {
    let mut w = Vec::new();
    item_weights_into(s, &mut w);
    s.pinned.iter().chain(&s.ranked).zip(w).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_runs_and_clamps_ends() {
        let h = impute_heats(&[None, Some(100), None, None, Some(40), None]).unwrap();
        assert_eq!(h, vec![100.0, 100.0, 80.0, 60.0, 40.0, 40.0]);
        assert!(impute_heats(&[None, None]).is_none());
        assert_eq!(
            impute_heats(&[Some(9), None, Some(0), Some(3)]).unwrap(),
            vec![9.0, 7.0, 5.0, 3.0]
        );
        assert_eq!(impute_heats(&[Some(5)]).unwrap(), vec![5.0]);
    }
}
