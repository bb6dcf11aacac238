//! Helpers the parser tests share: fixture text, row titles, finding a row, the sanitising
//! check.

use resou::domain::{Snapshot, Topic};

/// A fixture file under `tests/fixtures/{dir}/` (read at run time, for bodies built on).
pub fn fixture_in(dir: &str, name: &str) -> String {
    let path = format!("{}/tests/fixtures/{dir}/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn titles(ts: &[Topic]) -> Vec<&str> {
    ts.iter().map(|t| t.title.as_str()).collect()
}

/// The row titled `title`, ranked or pinned.
pub fn find<'a>(s: &'a Snapshot, title: &str) -> &'a Topic {
    s.ranked
        .iter()
        .chain(&s.pinned)
        .find(|t| t.title.as_str() == title)
        .unwrap_or_else(|| panic!("no row {title:?} in {:?}", titles(&s.ranked)))
}

/// No control, escape or bidi character survives into any text field.
pub fn assert_clean(s: &Snapshot) {
    for t in s.ranked.iter().chain(&s.pinned) {
        let fields = [Some(&t.title), t.query.as_ref(), t.category.as_ref()];
        for f in fields.into_iter().flatten() {
            assert!(
                !f.as_str()
                    .chars()
                    .any(|c| c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c)),
                "unsanitised {f:?}"
            );
        }
    }
}
