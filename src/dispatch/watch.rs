//! Watched topics as alert subjects: the keywords and KOLs on the team's watchlists (`w` in
//! the TUI, stored with each user's triage) turn the topics they appear in into `watched`
//! candidates, so a rule with `kinds = ["watched"]` follows what the team follows.

use serde::Deserialize;

use crate::domain::normalize::normalize_text;
use crate::rules::{Candidate, Kind};
use crate::store::TriageRecord;

/// The union of every user's watchlists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Watchlist {
    /// Folded (NFKC, lowercase), as the triage stores them.
    keywords: Vec<String>,
    kols: Vec<String>,
}

/// The two fields of a stored triage this needs (the rest is skipped unread).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Lists {
    watched_keywords: Vec<String>,
    watched_kols: Vec<String>,
}

impl Watchlist {
    /// From the stored triage of every user; an unreadable record is skipped and named.
    pub fn from_records(records: &[TriageRecord]) -> (Watchlist, Vec<String>) {
        let mut w = Watchlist::default();
        let mut problems = Vec::new();
        for r in records {
            match serde_json::from_str::<Lists>(&r.json) {
                Ok(l) => {
                    w.keywords.extend(l.watched_keywords);
                    w.kols.extend(l.watched_kols);
                }
                Err(e) => problems.push(format!("watchlist of {}: {e}", r.user)),
            }
        }
        for v in [&mut w.keywords, &mut w.kols] {
            v.retain(|s| !s.trim().is_empty());
            v.sort();
            v.dedup();
        }
        (w, problems)
    }

    pub fn is_empty(&self) -> bool {
        self.keywords.is_empty() && self.kols.is_empty()
    }

    /// A `watched` candidate for each topic that names a watched keyword or involves a
    /// watched KOL (`topics` are the list's topic candidates).
    pub fn watched(&self, topics: &[Candidate]) -> Vec<Candidate> {
        if self.is_empty() {
            return Vec::new();
        }
        topics
            .iter()
            .filter(|c| c.kind == Kind::Topic)
            .filter(|c| {
                let title = normalize_text(&c.title);
                self.keywords.iter().any(|k| title.contains(k.as_str()))
                    || c.kols.iter().any(|k| self.kols.contains(k))
            })
            .map(|c| Candidate {
                key: format!("watched:{}", c.key),
                kind: Kind::Watched,
                ..c.clone()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Platform;

    fn topic(title: &str, kols: &[&str]) -> Candidate {
        Candidate {
            key: format!("topic:weibo:{title}"),
            kind: Kind::Topic,
            title: title.into(),
            texts: Vec::new(),
            platforms: vec![Platform::Weibo],
            kols: kols.iter().map(|k| k.to_string()).collect(),
            signals: Default::default(),
        }
    }

    fn record(user: &str, json: &str) -> TriageRecord {
        TriageRecord {
            user: user.into(),
            json: json.into(),
            updated_at: chrono::DateTime::parse_from_rfc3339("2026-08-15T00:00:00+08:00").unwrap(),
        }
    }

    #[test]
    fn topics_naming_a_watched_keyword_or_kol_become_watched() {
        let (w, problems) = Watchlist::from_records(&[
            record("wang", r#"{"watched_keywords":["胖东来"],"topics":{}}"#),
            record(
                "li",
                r#"{"watched_kols":["人民日报"],"watched_keywords":["iphone"]}"#,
            ),
            record("bad", "not json"),
        ]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("watchlist of bad"));
        let topics = [
            topic("胖东来房东逻辑", &[]),
            topic("ＩＰＨＯＮＥ 18 发布", &[]),
            topic("台风白海豚", &["人民日报"]),
            topic("旺旺都不好卖了", &[]),
        ];
        let got = w.watched(&topics);
        let titles: Vec<&str> = got.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(
            titles,
            ["胖东来房东逻辑", "ＩＰＨＯＮＥ 18 发布", "台风白海豚"]
        );
        assert!(got.iter().all(|c| c.kind == Kind::Watched));
        assert_eq!(got[0].key, "watched:topic:weibo:胖东来房东逻辑");
        assert!(Watchlist::default().watched(&topics).is_empty());
    }
}
