//! What the board shows and in which order: search, filters (rising-only, KOL-only, label,
//! keyword), mutes, and sort modes. Pure functions over rows, applied by `rebuild_rows`.

use std::cmp::Reverse;

use crate::domain::Label;

use super::state::BoardRow;

/// Board order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortMode {
    /// Platform rank (platforms interleaved).
    #[default]
    Rank,
    Heat,
    /// Highest score among the rising keywords in the title.
    Rising,
    /// Longest on the list first.
    TimeOnList,
    /// Newest on the list first.
    FirstSeen,
}

impl SortMode {
    pub const ALL: [SortMode; 5] = [
        SortMode::Rank,
        SortMode::Heat,
        SortMode::Rising,
        SortMode::TimeOnList,
        SortMode::FirstSeen,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SortMode::Rank => "rank",
            SortMode::Heat => "heat",
            SortMode::Rising => "rising",
            SortMode::TimeOnList => "time on list",
            SortMode::FirstSeen => "first seen",
        }
    }

    pub fn next(self) -> SortMode {
        let i = SortMode::ALL.iter().position(|m| *m == self).unwrap_or(0);
        SortMode::ALL[(i + 1) % SortMode::ALL.len()]
    }
}

/// Labels the label filter cycles through (then back to any).
pub const LABEL_CYCLE: [Label; 4] = [Label::New, Label::Hot, Label::Boiling, Label::Explosive];

/// The board's filters; `Default` shows everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub rising_only: bool,
    pub kol_only: bool,
    pub label: Option<Label>,
    pub sort: SortMode,
    /// Muted topics and keywords are shown (dimmed) instead of hidden.
    pub show_muted: bool,
}

impl Filters {
    pub fn next_label(&mut self) {
        self.label = match self.label {
            None => Some(LABEL_CYCLE[0]),
            Some(l) => LABEL_CYCLE
                .iter()
                .position(|x| *x == l)
                .and_then(|i| LABEL_CYCLE.get(i + 1).copied()),
        };
    }

    /// The active filters in words, for the status bar (empty when none).
    pub fn describe(&self, search: Option<&str>, keyword: Option<&str>) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(q) = search.filter(|q| !q.is_empty()) {
            out.push(format!("/{q}"));
        }
        if let Some(k) = keyword {
            out.push(format!("keyword “{k}”"));
        }
        if self.rising_only {
            out.push("rising only".into());
        }
        if self.kol_only {
            out.push("KOL only".into());
        }
        if let Some(l) = self.label {
            out.push(format!("label {}", l.as_str()));
        }
        if self.sort != SortMode::Rank {
            out.push(format!("sort: {}", self.sort.name()));
        }
        if self.show_muted {
            out.push("showing muted".into());
        }
        out
    }

    /// Keep the rows the filters let through (search and mutes are applied by the caller).
    pub fn retain(&self, rows: &mut Vec<BoardRow>) {
        rows.retain(|r| {
            (!self.rising_only || r.rising_score.is_some())
                && (!self.kol_only || !r.kols.is_empty())
                && self.label.is_none_or(|l| r.topic.label == l)
        });
    }

    /// Order rows by the sort mode; ties keep rank order (the sort is stable).
    pub fn sort(&self, rows: &mut [BoardRow]) {
        match self.sort {
            SortMode::Rank => {}
            SortMode::Heat => rows.sort_by_key(|r| Reverse(r.topic.heat.unwrap_or(0))),
            SortMode::Rising => rows.sort_by(|a, b| {
                let s = |r: &BoardRow| r.rising_score.unwrap_or(f64::NEG_INFINITY);
                s(b).total_cmp(&s(a))
            }),
            SortMode::TimeOnList => rows.sort_by_key(|r| r.on_list_since),
            SortMode::FirstSeen => rows.sort_by_key(|r| Reverse(r.on_list_since)),
        }
    }
}
