//! One platform's snapshot list as the server walks through it, plus the facts the
//! wire formats need that a single snapshot lacks (when a topic first appeared).

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};

use crate::domain::normalize::normalize_title;
use crate::domain::snapshot_file::SnapshotLine;

pub(crate) struct Timeline {
    lines: Vec<SnapshotLine>,
    first_seen: HashMap<String, DateTime<FixedOffset>>,
}

impl Timeline {
    pub(crate) fn new(lines: Vec<SnapshotLine>) -> Timeline {
        let mut first_seen: HashMap<String, DateTime<FixedOffset>> = HashMap::new();
        for l in &lines {
            for it in &l.items {
                first_seen
                    .entry(normalize_title(&it.title))
                    .and_modify(|t| *t = (*t).min(l.captured_at))
                    .or_insert(l.captured_at);
            }
        }
        Timeline { lines, first_seen }
    }

    /// The snapshot served at clock tick `tick`: lists wrap around independently.
    pub(crate) fn at(&self, tick: usize) -> Option<&SnapshotLine> {
        if self.lines.is_empty() {
            None
        } else {
            self.lines.get(tick % self.lines.len())
        }
    }

    /// Unix seconds of the topic's first appearance anywhere in this list.
    pub(crate) fn first_seen(&self, title: &str) -> Option<i64> {
        self.first_seen
            .get(&normalize_title(title))
            .map(|t| t.timestamp())
    }
}
