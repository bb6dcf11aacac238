//! Naive Bayes over character 1–2-grams and emoticon tokens (reference §6.2), trained from
//! labelled texts (the gold set's training half): binarised multinomial, Laplace smoothing.

use std::collections::{HashMap, HashSet};

use super::text::{Prepared, prepare};
use super::{Label, Scored, Text};

/// Laplace smoothing.
const ALPHA: f64 = 1.0;
/// Evidence features kept per text.
const MAX_WHY: usize = 5;

#[derive(Debug, Clone, Default)]
pub struct NaiveBayes {
    /// Per feature: documents of each class that have it.
    counts: HashMap<String, [u32; 3]>,
    /// Feature occurrences per class (binarised per document).
    totals: [u64; 3],
    docs: [u32; 3],
}

/// Binarised features of a text: chars and adjacent-char bigrams inside clauses (spaces and
/// punctuation break them), plus `[名]` per emoticon.
fn features(p: &Prepared) -> HashSet<String> {
    let mut f = HashSet::new();
    let mut prev: Option<char> = None;
    for c in p.text.chars() {
        if c.is_whitespace() || c.is_ascii_punctuation() || is_cjk_punct(c) {
            prev = None;
            continue;
        }
        f.insert(c.to_string());
        if let Some(a) = prev {
            f.insert(format!("{a}{c}"));
        }
        prev = Some(c);
    }
    for e in &p.emoticons {
        f.insert(format!("[{e}]"));
    }
    f
}

fn is_cjk_punct(c: char) -> bool {
    matches!(
        c,
        '、' | '。' | '“' | '”' | '「' | '」' | '【' | '】' | '《' | '》' | '…' | '—'
    )
}

impl NaiveBayes {
    /// Train on labelled texts.
    pub fn train<'a>(items: impl IntoIterator<Item = (&'a Text, Label)>) -> NaiveBayes {
        let mut nb = NaiveBayes::default();
        for (t, l) in items {
            let k = l.index();
            nb.docs[k] += 1;
            for f in features(&prepare(t)) {
                nb.counts.entry(f).or_default()[k] += 1;
                nb.totals[k] += 1;
            }
        }
        nb
    }

    /// Log-posterior (unnormalised) per class, over the features seen in training.
    fn log_posteriors(&self, f: &HashSet<String>) -> [f64; 3] {
        let n_docs: u32 = self.docs.iter().sum();
        let vocab = self.counts.len() as f64;
        let mut lp = [0.0f64; 3];
        for (k, lp) in lp.iter_mut().enumerate() {
            *lp = ((self.docs[k] as f64 + ALPHA) / (n_docs as f64 + 3.0 * ALPHA)).ln();
        }
        for feat in f {
            if let Some(c) = self.counts.get(feat) {
                for (k, lp) in lp.iter_mut().enumerate() {
                    *lp += ((c[k] as f64 + ALPHA) / (self.totals[k] as f64 + ALPHA * vocab)).ln();
                }
            }
        }
        lp
    }

    /// Classify: the most probable class; `score` = P(pos) − P(neg); `why` = the features
    /// that most favour the chosen class.
    pub fn classify(&self, t: &Text) -> Scored {
        let f = features(&prepare(t));
        let lp = self.log_posteriors(&f);
        let max = lp.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = lp.iter().map(|v| (v - max).exp()).collect();
        let z: f64 = exp.iter().sum();
        let prob: Vec<f64> = exp.iter().map(|e| e / z).collect();
        let k = (0..3)
            .max_by(|&a, &b| prob[a].total_cmp(&prob[b]))
            .unwrap_or(1);
        let label = Label::ALL[k];
        let vocab = self.counts.len() as f64;
        let p = |c: &[u32; 3], j: usize| {
            (c[j] as f64 + ALPHA) / (self.totals[j] as f64 + ALPHA * vocab)
        };
        let mut ev: Vec<(f64, &String)> = f
            .iter()
            .filter_map(|feat| {
                let c = self.counts.get(feat)?;
                let others = (0..3).filter(|&j| j != k).map(|j| p(c, j)).sum::<f64>() / 2.0;
                Some(((p(c, k) / others).ln(), feat))
            })
            .filter(|(r, _)| *r > 0.0)
            .collect();
        ev.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        Scored {
            label,
            score: (prob[Label::Pos.index()] - prob[Label::Neg.index()]) as f32,
            why: ev
                .iter()
                .take(MAX_WHY)
                .map(|(r, f)| format!("{f} {:+.2}", r))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_from_its_examples() {
        let data = [
            (Text::line("太好看了"), Label::Pos),
            (Text::line("好看 喜欢"), Label::Pos),
            (Text::line("难看死了"), Label::Neg),
            (Text::line("真难看"), Label::Neg),
            (Text::line("今天发布"), Label::Neu),
            (Text::line("明天发布"), Label::Neu),
        ];
        let nb = NaiveBayes::train(data.iter().map(|(t, l)| (t, *l)));
        assert_eq!(nb.classify(&Text::line("好看")).label, Label::Pos);
        assert_eq!(nb.classify(&Text::line("难看")).label, Label::Neg);
        assert_eq!(nb.classify(&Text::line("后天发布")).label, Label::Neu);
    }
}
