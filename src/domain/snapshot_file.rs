//! Snapshot files: JSON Lines, one hot list per line. Used by the demo, the replay
//! server, tests, `resou import`, and later history features.
//!
//! `{"captured_at":"2026-08-15T12:00:00+08:00","platform":"weibo","items":[{"rank":1,"title":"…",
//!   "query":"#…#","heat":1565465,"label":"新","url":"…","pinned":false}]}`

use std::io::{BufRead, Write};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::{Label, Platform, Snapshot, Topic};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotLine {
    pub captured_at: DateTime<FixedOffset>,
    pub platform: Platform,
    pub items: Vec<SnapshotItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotItem {
    /// 1-based rank; absent for pinned rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heat: Option<u64>,
    /// 新 / 热 / 沸 / 爆 / 商; absent or empty for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default)]
    pub pinned: bool,
    /// The platform's id of the item when it has one (Douyin `sentence_id`, Zhihu question id,
    /// Toutiao `ClusterIdStr`, Tieba `topic_id`): digits kept as a string, never a float.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotFileError {
    #[error("{path}:{line}: {msg}")]
    Parse {
        path: String,
        line: usize,
        msg: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Read every line of a snapshot file. Blank lines and `//` comments are skipped;
/// the first bad line is an error naming the file and line.
pub fn read_lines<R: BufRead>(
    reader: R,
    path: &str,
) -> Result<Vec<SnapshotLine>, SnapshotFileError> {
    let mut out = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| SnapshotFileError::Io {
            path: path.to_string(),
            source: e,
        })?;
        let t = line.trim();
        if t.is_empty() || t.starts_with("//") {
            continue;
        }
        let parsed: SnapshotLine =
            serde_json::from_str(t).map_err(|e| SnapshotFileError::Parse {
                path: path.to_string(),
                line: i + 1,
                msg: e.to_string(),
            })?;
        out.push(parsed);
    }
    Ok(out)
}

pub fn write_line<W: Write>(mut w: W, line: &SnapshotLine) -> std::io::Result<()> {
    serde_json::to_writer(&mut w, line)?;
    w.write_all(b"\n")
}

impl SnapshotLine {
    /// Domain snapshot from a file line (sanitising all text on the way in).
    pub fn to_snapshot(&self) -> Snapshot {
        let mut s = Snapshot::new(self.platform, self.captured_at);
        for it in &self.items {
            let mut t = Topic::new(self.platform, it.rank, &it.title);
            // As in the parsers: a title with nothing printable left is no topic (a blank row
            // on the board, and every such row would share one empty key).
            if t.title.is_empty() {
                continue;
            }
            t.query = it.query.as_deref().map(super::SafeText::line);
            t.heat = it.heat;
            t.label = it
                .label
                .as_deref()
                .map(Label::from_text)
                .unwrap_or_default();
            // Snapshot files come from other tools and archives: URLs are remote text too.
            t.url = it.url.as_deref().and_then(super::text::safe_url);
            t.pinned = it.pinned;
            t.platform_id = it
                .id
                .as_deref()
                .map(|id| super::SafeText::line(id).into_string())
                .filter(|id| !id.is_empty());
            if it.pinned {
                s.pinned.push(t)
            } else {
                s.ranked.push(t)
            }
        }
        s.finish()
    }

    pub fn from_snapshot(s: &Snapshot) -> SnapshotLine {
        let item = |t: &Topic| SnapshotItem {
            rank: t.rank,
            title: t.title.as_str().to_string(),
            query: t.query.as_ref().map(|q| q.as_str().to_string()),
            heat: t.heat,
            label: (!t.label.is_none()).then(|| t.label.as_str().to_string()),
            url: t.url.clone(),
            pinned: t.pinned,
            id: t.platform_id.clone(),
        };
        SnapshotLine {
            captured_at: s.captured_at,
            platform: s.platform,
            items: s
                .pinned
                .iter()
                .map(item)
                .chain(s.ranked.iter().map(item))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let src = r##"{"captured_at":"2026-08-15T12:00:00+08:00","platform":"weibo","items":[{"title":"让思想之光照亮强军征程","pinned":true},{"rank":1,"title":"旺旺 配料表","query":"旺旺 配料表","heat":1565465,"label":"新","url":"https://s.weibo.com/weibo?q=x"}]}

{"captured_at":"2025-10-15T08:00:00+08:00","platform":"tieba","items":[]}
"##;
        let lines = read_lines(src.as_bytes(), "t.jsonl").unwrap();
        assert_eq!(lines.len(), 2);
        let snap = lines[0].to_snapshot();
        assert_eq!(snap.pinned.len(), 1);
        assert_eq!(snap.ranked[0].heat, Some(1_565_465));
        assert_eq!(snap.ranked[0].label, Label::New);
        let back = SnapshotLine::from_snapshot(&snap);
        assert_eq!(back, lines[0]);

        let bad = "{\"captured_at\":\"x\"}\n";
        let err = read_lines(bad.as_bytes(), "bad.jsonl")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("bad.jsonl:1:"), "{err}");
    }

    #[test]
    fn hostile_lines_are_sanitised_on_the_way_in() {
        let src = r#"{"captured_at":"2026-08-15T12:00:00+08:00","platform":"weibo","items":[{"rank":1,"title":"\u001b[31m\u202e"},{"rank":2,"title":"标\u001b]0;x\u0007题","url":"\u009b2Jhttps://e.com/"},{"rank":3,"title":"三","url":"https://e.com/\u001b"}]}"#;
        let snap = read_lines(src.as_bytes(), "t.jsonl").unwrap()[0].to_snapshot();
        let titles: Vec<&str> = snap.ranked.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(titles, ["标题", "三"], "an all-control title is no topic");
        assert_eq!(
            snap.ranked[0].url, None,
            "not a URL once controls are counted"
        );
        assert_eq!(
            snap.ranked[1].url.as_deref(),
            Some("https://e.com/"),
            "trailing controls go"
        );
    }
}
