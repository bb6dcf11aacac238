//! `resou sentiment`: score standard-input lines offline, one JSON object a line; or, with
//! `--eval FILE`, print the held-out figures of a labelled set.

use std::io::{BufRead, Write};

use anyhow::Context;

use crate::cli::SentimentArgs;
use crate::sentiment::{Scorer, Text, eval};

/// Longest line scored, in bytes; the rest of a longer line is ignored (a post is far shorter).
const MAX_LINE: usize = 64 * 1024;

pub fn main(a: &SentimentArgs) -> anyhow::Result<()> {
    let mut scorer = Scorer::new();
    if !a.no_user_lexicon
        && let Some(user) = crate::config::sentiment::user_lexicon(a.lexicon.as_deref())?
    {
        scorer = scorer.with_user(&user);
    }
    if let Some(path) = &a.eval {
        let src =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let gold =
            eval::parse_gold(&src).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        print!("{}", eval::evaluate(&gold, &scorer));
        return Ok(());
    }
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    run(&scorer, stdin.lock(), stdout.lock())
}

/// Score every line of `input` (bytes: invalid UTF-8 is replaced, never fatal) to `out`.
/// An empty line scores `neu` 0: every input line has its output line.
pub fn run(scorer: &Scorer, mut input: impl BufRead, out: impl Write) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(out);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        while buf.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
            buf.pop();
        }
        buf.truncate(MAX_LINE);
        let line = String::from_utf8_lossy(&buf);
        let s = scorer.score(&Text::line(&line));
        let v = serde_json::json!({
            "label": s.label.as_str(),
            "score": rounded(s.score),
            "why": s.why,
        });
        match writeln!(out, "{v}") {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            r => r?,
        }
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

/// Three decimals, and no `-0`.
fn rounded(x: f32) -> f64 {
    let r = (f64::from(x) * 1000.0).round() / 1000.0;
    if r == 0.0 { 0.0 } else { r }
}
