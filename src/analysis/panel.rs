//! One story, one entry: the keyword panel groups terms that come from the same titles.
//!
//! A nine-term headline yields nine terms with the same title set; shown one per row they
//! bury everything else under fragments of one story. Here terms with identical title sets
//! form one group; a group whose titles are all inside another group's titles joins that
//! group when the other is at least as hot (a rising fragment never disappears into a steady
//! one); and of two rising groups that share a title, the one labelled by the less specific
//! word joins the other. Each remaining group becomes one entry, labelled by its most telling
//! term; the label's titles are the entry's titles (what `Enter` filters the board to).

use serde::{Deserialize, Serialize};

/// What the panel says of a term or entry, hottest first: the order (`Rising < Cooling <
/// Steady`) is the panel's section order and "at least as hot" is `<=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    /// ▲ taking off now.
    Rising,
    /// ▽ was rising, no longer growing or no longer significant.
    Cooling,
    Steady,
}

/// One candidate term, as grouping needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Member<'a> {
    /// Current titles containing the term: indices into the poll's lists, sorted, distinct.
    pub titles: &'a [u32],
    pub trend: Trend,
    /// Significance (ranks terms within a group for the label).
    pub score: f64,
    /// A `#hashtag#` term: the platform's own name for the story, the preferred label.
    pub hashtag: bool,
    /// A name (person, place, organisation, brand, Latin word): what a story is about.
    pub name: bool,
    /// Characters in the term (longer names are more specific: 靖国神社 over 参拜).
    pub chars: usize,
    /// Titles of about the last day containing the term: generic words (一名, 回应, 中国) are in
    /// many, the name a story is about in few.
    pub df: f32,
}

/// One panel entry: indices into the members given to [`group`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The entry's trend: its hottest member's.
    pub trend: Trend,
    /// The label: the most telling member among the hottest ones with the entry's titles.
    pub label: usize,
    /// The other members, the ones with the label's titles first, then those whose titles are
    /// a part of them, then the members of the stories that joined it; each part by score.
    pub others: Vec<usize>,
    /// The members whose titles together are the entry's titles: the label, then the label of
    /// each story that joined it.
    pub keys: Vec<usize>,
}

/// Label preference among terms with the same titles: hashtag, then a name, then the term in
/// fewer titles of the last day (whole titles: the decayed count's fraction is noise), then
/// the longer word, then the score.
fn more_telling(a: &Member, b: &Member) -> std::cmp::Ordering {
    let df = |m: &Member| m.df.max(0.0).floor() as u32;
    a.hashtag
        .cmp(&b.hashtag)
        .then(a.name.cmp(&b.name))
        .then(df(b).cmp(&df(a)))
        .then(a.chars.cmp(&b.chars))
        .then(a.score.total_cmp(&b.score))
}

/// Is sorted `a` a proper subset of sorted `b`?
fn proper_subset(a: &[u32], b: &[u32]) -> bool {
    if a.len() >= b.len() {
        return false;
    }
    let mut j = 0;
    for x in a {
        while j < b.len() && b[j] < *x {
            j += 1;
        }
        if j == b.len() || b[j] != *x {
            return false;
        }
        j += 1;
    }
    true
}

/// Group the members into entries (see the module doc). Members without titles stay alone.
/// Entries come in no particular order; the caller sorts them.
pub fn group(members: &[Member]) -> Vec<Group> {
    // 1. Identical title sets: members sorted by their sets (then index), equal runs grouped;
    // no hashing and one allocation per table, as this runs every poll. `sets[s]` is a run of
    // `order`: members in index order; sets are numbered by their first member.
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_unstable_by(|&a, &b| members[a].titles.cmp(members[b].titles).then(a.cmp(&b)));
    let mut runs: Vec<(usize, usize)> = Vec::with_capacity(order.len());
    for (k, &i) in order.iter().enumerate() {
        let t = members[i].titles;
        match runs.last_mut() {
            Some(r) if !t.is_empty() && members[order[r.0]].titles == t => r.1 += 1,
            _ => runs.push((k, 1)),
        }
    }
    runs.sort_unstable_by_key(|r| order[r.0]);
    let sets: Vec<&[usize]> = runs.iter().map(|&(k, n)| &order[k..k + n]).collect();
    // A set is as hot as its hottest member.
    let trends: Vec<Trend> = sets
        .iter()
        .map(|set| {
            set.iter()
                .map(|&i| members[i].trend)
                .min()
                .unwrap_or(Trend::Steady)
        })
        .collect();
    let bests: Vec<f64> = sets
        .iter()
        .map(|set| {
            set.iter()
                .map(|&i| members[i].score)
                .fold(f64::NEG_INFINITY, f64::max)
        })
        .collect();
    let titles = |s: usize| members[sets[s][0]].titles;
    let trend = |s: usize| trends[s];
    // 2. Each set's parent: the smallest proper superset that is at least as hot (ties: the
    // hotter, then the higher score). Supersets are strictly larger, so parents form a forest.
    // Sets by title, as one flat table (title indices are small: the poll's list rows).
    let n_items = sets
        .iter()
        .flat_map(|set| members[set[0]].titles.last())
        .max()
        .map_or(0, |&x| x as usize + 1);
    let mut start = vec![0usize; n_items + 1];
    for s in 0..sets.len() {
        for &x in titles(s) {
            start[x as usize + 1] += 1;
        }
    }
    for i in 0..n_items {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut with_item = vec![0usize; start[n_items]];
    for s in 0..sets.len() {
        for &x in titles(s) {
            with_item[fill[x as usize]] = s;
            fill[x as usize] += 1;
        }
    }
    let sets_with = |x: u32| &with_item[start[x as usize]..start[x as usize + 1]];
    let parent: Vec<Option<usize>> = (0..sets.len())
        .map(|s| {
            let first = *titles(s).first()?;
            sets_with(first)
                .iter()
                .copied()
                .filter(|&p| p != s && trend(p) <= trend(s) && proper_subset(titles(s), titles(p)))
                .min_by(|&a, &b| {
                    titles(a)
                        .len()
                        .cmp(&titles(b).len())
                        .then(trend(a).cmp(&trend(b)))
                        .then(bests[b].total_cmp(&bests[a]))
                        .then(a.cmp(&b))
                })
        })
        .collect();
    let root = |mut s: usize| {
        while let Some(p) = parent[s] {
            s = p;
        }
        s
    };
    let by_score = |v: &mut Vec<usize>| {
        v.sort_by(|&a, &b| more_telling(&members[b], &members[a]).then(a.cmp(&b)));
    };
    // Each root set's label: the most telling member carrying the set's trend (so a ▲ entry
    // is labelled by a rising term).
    let labels: Vec<Option<usize>> = (0..sets.len())
        .map(|s| {
            if parent[s].is_some() {
                return None;
            }
            let h = trend(s);
            sets[s]
                .iter()
                .copied()
                .filter(|&i| members[i].trend == h)
                .max_by(|&a, &b| more_telling(&members[a], &members[b]).then(b.cmp(&a)))
        })
        .collect();
    // 3. Rising roots that share a title are one story told by a more and a less specific
    // word (a headline makes 日本 rise beside 靖国神社): the less specific one joins the more
    // specific one (fewer titles of the last day, then fewer titles now, then score). Joins go
    // strictly up that order, so they form a forest too.
    let rank = |s: usize| {
        let l = &members[labels[s].unwrap_or(sets[s][0])];
        (
            l.df.max(0.0).floor() as u32,
            titles(s).len(),
            std::cmp::Reverse(OrdF64(l.score)),
            s,
        )
    };
    let rising_root = |s: usize| labels[s].is_some() && trend(s) == Trend::Rising;
    let joined: Vec<Option<usize>> = (0..sets.len())
        .map(|a| {
            if !rising_root(a) {
                return None;
            }
            titles(a)
                .iter()
                .flat_map(|&x| sets_with(x))
                .map(|&b| root(b))
                .filter(|&b| b != a && rising_root(b) && rank(b) < rank(a))
                .min_by_key(|&b| rank(b))
        })
        .collect();
    let top = |mut s: usize| {
        while let Some(p) = joined[s] {
            s = p;
        }
        s
    };
    // 4. One entry per top set: its members, then those of the sets inside it, then those of
    // the sets that joined it.
    let mut inside: Vec<Vec<usize>> = vec![Vec::new(); sets.len()];
    let mut beside: Vec<Vec<usize>> = vec![Vec::new(); sets.len()];
    let mut keys: Vec<Vec<usize>> = vec![Vec::new(); sets.len()];
    for (s, set) in sets.iter().enumerate() {
        let r = root(s);
        let t = top(r);
        if r != s && t == r {
            inside[r].extend_from_slice(set);
        } else if t != s {
            beside[t].extend_from_slice(set);
            if let Some(l) = labels[s].filter(|_| r == s) {
                keys[t].push(l);
            }
        }
    }
    let mut out = Vec::new();
    for s in (0..sets.len()).filter(|&s| parent[s].is_none() && top(s) == s) {
        let Some(label) = labels[s] else {
            continue;
        };
        let mut own: Vec<usize> = sets[s].iter().copied().filter(|&i| i != label).collect();
        by_score(&mut own);
        for more in [&mut inside[s], &mut beside[s]] {
            by_score(more);
            own.append(more);
        }
        let mut k = vec![label];
        k.append(&mut keys[s]);
        out.push(Group {
            trend: members[label].trend,
            label,
            others: own,
            keys: k,
        });
    }
    out
}

/// `f64` ordered by `total_cmp`, for sort keys.
#[derive(Debug, Clone, Copy, PartialEq)]
struct OrdF64(f64);

impl Eq for OrdF64 {}

impl PartialOrd for OrdF64 {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for OrdF64 {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(titles: &[u32], trend: Trend, score: f64, chars: usize) -> Member<'_> {
        Member {
            titles,
            trend,
            score,
            hashtag: false,
            name: false,
            chars,
            df: 1.0,
        }
    }

    #[test]
    fn a_headline_is_one_entry_labelled_by_its_best_term() {
        let t = [7];
        let members: Vec<Member> = (0..9)
            .map(|i| m(&t, Trend::Rising, 1.9, 2 + usize::from(i == 4)))
            .collect();
        let g = group(&members);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].label, 4, "longest name wins a score tie");
        assert_eq!(g[0].others.len(), 8);
        assert_eq!(g[0].trend, Trend::Rising);
    }

    #[test]
    fn parts_join_the_story_they_belong_to_but_never_a_colder_one() {
        let wangwang = [1, 2, 3];
        let peiliao = [2];
        let zhongguo = [4, 5, 6, 9];
        let shiping = [9];
        let members = vec![
            m(&wangwang, Trend::Rising, 4.0, 2),
            m(&peiliao, Trend::Rising, 6.0, 3),
            m(&zhongguo, Trend::Steady, 0.2, 2),
            m(&shiping, Trend::Rising, 5.0, 2),
        ];
        let mut g = group(&members);
        g.sort_by_key(|g| g.label);
        assert_eq!(g.len(), 3);
        assert_eq!((g[0].label, g[0].others.clone()), (0, vec![1]));
        assert_eq!(g[1].label, 2);
        assert_eq!((g[2].label, g[2].trend), (3, Trend::Rising));
    }

    #[test]
    fn the_label_carries_the_entry_trend_and_hashtags_win() {
        let t = [3, 4];
        let mut tag = m(&t, Trend::Cooling, 0.5, 6);
        tag.hashtag = true;
        let members = vec![
            m(&t, Trend::Steady, 9.0, 2),
            tag,
            m(&t, Trend::Cooling, 3.0, 2),
        ];
        let g = group(&members);
        assert_eq!(g.len(), 1);
        assert_eq!((g[0].label, g[0].trend), (1, Trend::Cooling));
        assert_eq!(g[0].others, vec![0, 2]);
    }

    #[test]
    fn a_generic_word_rising_with_a_story_joins_it() {
        // 靖国神社 (new: few titles of the day) and 日本 (many) both rise with one headline (7).
        let headline = [7];
        let yasukuni = [3, 7];
        let japan = [5, 7];
        let other = [9];
        let mut members = vec![
            m(&headline, Trend::Rising, 3.0, 2),
            m(&yasukuni, Trend::Rising, 1.6, 4),
            m(&japan, Trend::Rising, 1.5, 2),
            m(&other, Trend::Rising, 2.0, 2),
        ];
        members[1].df = 2.0;
        members[2].df = 9.0;
        let mut g = group(&members);
        g.sort_by_key(|g| g.label);
        assert_eq!(g.len(), 2, "{g:?}");
        assert_eq!((g[0].label, g[0].others.clone()), (1, vec![0, 2]));
        assert_eq!(g[0].keys, vec![1, 2], "titles of 靖国神社 and of 日本");
        assert_eq!((g[1].label, g[1].keys.clone()), (3, vec![3]));
    }

    #[test]
    fn a_name_labels_the_story() {
        // 胖东来首批刑释职工30人无一离职: the brand over a new fragment and common words.
        let t = [2];
        let mut members = vec![
            m(&t, Trend::Rising, 4.0, 3),
            m(&t, Trend::Rising, 4.0, 3),
            m(&t, Trend::Rising, 4.0, 2),
        ];
        members[1].name = true;
        members[1].df = 3.0;
        let g = group(&members);
        assert_eq!(g[0].label, 1, "{g:?}");
    }

    #[test]
    fn terms_without_titles_stay_alone() {
        let members = vec![
            m(&[], Trend::Cooling, 2.0, 2),
            m(&[], Trend::Cooling, 2.0, 2),
        ];
        assert_eq!(group(&members).len(), 2);
    }

    #[test]
    fn subset_is_proper_and_sorted() {
        assert!(proper_subset(&[2], &[1, 2, 3]));
        assert!(proper_subset(&[], &[1]));
        assert!(!proper_subset(&[1, 2], &[1, 2]));
        assert!(!proper_subset(&[0], &[1, 2]));
        assert!(!proper_subset(&[3, 4], &[1, 2, 3]));
    }
}
