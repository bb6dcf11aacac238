//! Evaluation on a labelled set (reference §4.3): accuracy, macro-F1, per-class precision and
//! recall, confusion matrix, Wilson 95 % intervals, coverage, the majority baseline.

use std::fmt::{self, Write as _};

use super::{Label, NaiveBayes, Scorer, Text};

/// Which half of the gold set an item is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    Test,
}

/// One labelled item (`tests/fixtures/sentiment/labels.jsonl`).
#[derive(Debug, Clone)]
pub struct Gold {
    pub id: String,
    pub source: String,
    pub text: Text,
    pub label: Label,
    pub split: Split,
}

#[derive(serde::Deserialize)]
struct Line {
    id: String,
    #[serde(default)]
    source: String,
    text: String,
    #[serde(default)]
    emoticons: Vec<String>,
    label: String,
    split: String,
}

/// Parse a gold file (JSON Lines); errors name the line.
pub fn parse_gold(src: &str) -> Result<Vec<Gold>, String> {
    let mut out = Vec::new();
    for (i, l) in src.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let e = |m: String| format!("line {}: {m}", i + 1);
        let x: Line = serde_json::from_str(l).map_err(|err| e(err.to_string()))?;
        let label = Label::parse(&x.label).ok_or_else(|| e(format!("label `{}`", x.label)))?;
        let split = match x.split.as_str() {
            "train" => Split::Train,
            "test" => Split::Test,
            s => return Err(e(format!("split `{s}`"))),
        };
        out.push(Gold {
            id: x.id,
            source: x.source,
            text: Text::new(x.text, x.emoticons),
            label,
            split,
        });
    }
    Ok(out)
}

/// A 3×3 confusion matrix, `m[gold][predicted]` in [`Label::ALL`] order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Confusion {
    pub m: [[usize; 3]; 3],
}

impl Confusion {
    pub fn add(&mut self, gold: Label, predicted: Label) {
        self.m[gold.index()][predicted.index()] += 1;
    }

    pub fn n(&self) -> usize {
        self.m.iter().flatten().sum()
    }

    pub fn correct(&self) -> usize {
        (0..3).map(|k| self.m[k][k]).sum()
    }

    pub fn accuracy(&self) -> f64 {
        ratio(self.correct(), self.n())
    }

    pub fn precision(&self, l: Label) -> f64 {
        let k = l.index();
        ratio(self.m[k][k], (0..3).map(|g| self.m[g][k]).sum())
    }

    pub fn recall(&self, l: Label) -> f64 {
        let k = l.index();
        ratio(self.m[k][k], self.m[k].iter().sum())
    }

    pub fn f1(&self, l: Label) -> f64 {
        let (p, r) = (self.precision(l), self.recall(l));
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Unweighted mean of the three classes' F1.
    pub fn macro_f1(&self) -> f64 {
        Label::ALL.iter().map(|&l| self.f1(l)).sum::<f64>() / 3.0
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Wilson score interval (95 %) for `k` successes in `n`.
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = 1.959_964f64;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let d = 1.0 + z * z / n;
    let c = p + z * z / (2.0 * n);
    let h = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    ((c - h) / d, (c + h) / d)
}

/// The most frequent label (ties: `ALL` order).
pub fn majority<'a>(labels: impl IntoIterator<Item = &'a Label>) -> Label {
    let mut c = [0usize; 3];
    for l in labels {
        c[l.index()] += 1;
    }
    let mut best = Label::Neu;
    for l in Label::ALL {
        if c[l.index()] > c[best.index()] {
            best = l;
        }
    }
    best
}

/// Confusion of a predictor on the items of one split.
pub fn confusion(gold: &[Gold], split: Split, predict: impl Fn(&Text) -> Label) -> Confusion {
    let mut c = Confusion::default();
    for g in gold.iter().filter(|g| g.split == split) {
        c.add(g.label, predict(&g.text));
    }
    c
}

/// Macro-F1 and accuracy of the lexicon scorer on `split` for each neutral band.
pub fn sweep_band(
    gold: &[Gold],
    split: Split,
    scorer: &Scorer,
    bands: &[f32],
) -> Vec<(f32, f64, f64)> {
    let raw: Vec<(Label, f32)> = gold
        .iter()
        .filter(|g| g.split == split)
        .map(|g| (g.label, (scorer.raw(&g.text).0 / 2.0).tanh()))
        .collect();
    bands
        .iter()
        .map(|&b| {
            let s = scorer.clone().with_band(b);
            let mut c = Confusion::default();
            for (l, score) in &raw {
                c.add(*l, s.label_of(*score));
            }
            (b, c.macro_f1(), c.accuracy())
        })
        .collect()
}

/// The held-out comparison: lexicon, naive Bayes (trained on the training half), majority.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub n_train: usize,
    pub n_test: usize,
    pub band: f32,
    pub lexicon: Confusion,
    /// Test items on which some word or emoticon fired.
    pub lexicon_fired: usize,
    pub bayes: Confusion,
    pub majority_label: Label,
    pub majority: Confusion,
}

/// Train naive Bayes on the training half and evaluate everything on the test half.
pub fn evaluate(gold: &[Gold], scorer: &Scorer) -> Evaluation {
    let train: Vec<&Gold> = gold.iter().filter(|g| g.split == Split::Train).collect();
    let nb = NaiveBayes::train(train.iter().map(|g| (&g.text, g.label)));
    let majority_label = majority(train.iter().map(|g| &g.label));
    let lexicon = confusion(gold, Split::Test, |t| scorer.score(t).label);
    let lexicon_fired = gold
        .iter()
        .filter(|g| g.split == Split::Test && scorer.raw(&g.text).1)
        .count();
    Evaluation {
        n_train: train.len(),
        n_test: lexicon.n(),
        band: scorer.band(),
        lexicon,
        lexicon_fired,
        bayes: confusion(gold, Split::Test, |t| nb.classify(t).label),
        majority_label,
        majority: confusion(gold, Split::Test, |_| majority_label),
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}", 100.0 * x)
}

fn matrix(out: &mut String, name: &str, c: &Confusion) -> fmt::Result {
    writeln!(out, "\n{name} (rows: gold, columns: predicted)\n")?;
    writeln!(out, "| gold \\ predicted | pos | neu | neg |")?;
    writeln!(out, "|---|---|---|---|")?;
    for g in Label::ALL {
        let r = c.m[g.index()];
        writeln!(out, "| {} | {} | {} | {} |", g.as_str(), r[0], r[1], r[2])?;
    }
    Ok(())
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        writeln!(
            out,
            "Held-out half: {} items (trained/tuned on the other {}); neutral band τ = {}\n",
            self.n_test, self.n_train, self.band
        )?;
        writeln!(
            out,
            "| method | accuracy % [95 % CI] | macro-F1 | pos P/R | neu P/R | neg P/R |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        let rows = [
            ("lexicon (NTUSD + resou lists)", &self.lexicon),
            ("naive Bayes, char 1–2-grams", &self.bayes),
            (
                match self.majority_label {
                    Label::Pos => "majority baseline (pos)",
                    Label::Neu => "majority baseline (neu)",
                    Label::Neg => "majority baseline (neg)",
                },
                &self.majority,
            ),
        ];
        for (name, c) in rows {
            let (lo, hi) = wilson(c.correct(), c.n());
            let pr = |l: Label| format!("{:.2}/{:.2}", c.precision(l), c.recall(l));
            writeln!(
                out,
                "| {name} | {} [{}–{}] | {:.3} | {} | {} | {} |",
                pct(c.accuracy()),
                pct(lo),
                pct(hi),
                c.macro_f1(),
                pr(Label::Pos),
                pr(Label::Neu),
                pr(Label::Neg)
            )?;
        }
        let (lo, hi) = wilson(self.lexicon_fired, self.n_test);
        writeln!(
            out,
            "\nLexicon coverage (a word or emoticon fired): {}/{} = {} % [{}–{}]",
            self.lexicon_fired,
            self.n_test,
            pct(ratio(self.lexicon_fired, self.n_test)),
            pct(lo),
            pct(hi)
        )?;
        matrix(&mut out, "Lexicon", &self.lexicon)?;
        matrix(&mut out, "Naive Bayes", &self.bayes)?;
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_on_a_known_matrix() {
        let mut c = Confusion::default();
        for _ in 0..8 {
            c.add(Label::Pos, Label::Pos);
        }
        c.add(Label::Pos, Label::Neg);
        c.add(Label::Neg, Label::Neg);
        assert_eq!(c.n(), 10);
        assert!((c.accuracy() - 0.9).abs() < 1e-12);
        assert!((c.recall(Label::Pos) - 8.0 / 9.0).abs() < 1e-12);
        assert!((c.precision(Label::Neg) - 0.5).abs() < 1e-12);
        // neu never occurs: F1 0, so macro-F1 is the mean of pos and neg over three.
        let f_pos = 2.0 * 1.0 * (8.0 / 9.0) / (1.0 + 8.0 / 9.0);
        let f_neg = 2.0 * 0.5 * 1.0 / 1.5;
        assert!((c.macro_f1() - (f_pos + f_neg) / 3.0).abs() < 1e-12);
        let (lo, hi) = wilson(90, 100);
        assert!(
            (lo - 0.8256).abs() < 1e-3 && (hi - 0.9448).abs() < 1e-3,
            "{lo} {hi}"
        );
        assert_eq!(majority(&[Label::Neg, Label::Pos, Label::Neg]), Label::Neg);
    }

    #[test]
    fn gold_lines_parse_and_errors_name_the_line() {
        let g = parse_gold(
            "{\"id\":\"a\",\"text\":\"好\",\"emoticons\":[\"偷笑\"],\"label\":\"pos\",\"split\":\"test\"}\n",
        )
        .unwrap();
        assert_eq!(g[0].label, Label::Pos);
        assert_eq!(g[0].text.emoticons, vec!["偷笑"]);
        let e = parse_gold("\n{\"id\":\"a\",\"text\":\"\",\"label\":\"good\",\"split\":\"test\"}")
            .unwrap_err();
        assert!(e.starts_with("line 2:"), "{e}");
    }
}
