//! What the routes answer, built from what the store returns: the JSON shapes and the feed
//! items made from the same values.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::domain::num::format_heat;
use crate::domain::{Platform, SafeText, Snapshot, Tier, Topic};
use crate::report::{CrossEvent, RisingKeyword};
use crate::rules::{Signals, TierConfig};
use crate::store::{PushRecord, PushState, TriageRecord};
use crate::triage::Triage;

use super::feed::Item;

/// One stored board.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct List {
    pub platform: Platform,
    pub name: &'static str,
    pub captured_at: DateTime<FixedOffset>,
    pub items: Vec<Row>,
    pub pinned: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    /// `None` for pinned rows.
    pub rank: Option<u32>,
    pub title: String,
    pub heat: Option<u64>,
    /// `heat` as the platforms show it (`356万`).
    pub heat_text: Option<String>,
    /// `新`, `热`, `沸`, `爆`, `商`; absent when the row has none.
    pub label: Option<&'static str>,
    pub url: Option<String>,
}

impl Row {
    fn of(t: &Topic) -> Row {
        Row {
            rank: t.rank,
            title: t.title.as_str().to_string(),
            heat: t.heat,
            heat_text: t.heat.map(format_heat),
            label: (!t.label.is_none()).then(|| t.label.as_str()),
            url: t.url.clone(),
        }
    }
}

impl List {
    /// The board with at most `limit` ranked rows (pinned rows always).
    pub fn of(s: &Snapshot, limit: usize) -> List {
        List {
            platform: s.platform,
            name: s.platform.name(),
            captured_at: s.captured_at,
            items: s.ranked.iter().take(limit).map(Row::of).collect(),
            pinned: s.pinned.iter().map(Row::of).collect(),
        }
    }
}

/// A topic someone flagged, with what every user said about it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Flagged {
    pub platform: Platform,
    pub title: String,
    pub url: Option<String>,
    pub first_seen: DateTime<FixedOffset>,
    pub last_seen: DateTime<FixedOffset>,
    pub peak_rank: Option<u32>,
    pub peak_heat: Option<u64>,
    /// Users who flagged it, in name order.
    pub flagged_by: Vec<String>,
    /// Every user's note on it, flagged or not, in name order.
    pub notes: Vec<Note>,
    /// The latest save of a triage that flags it: when it was (last) flagged, at the latest.
    pub updated_at: DateTime<FixedOffset>,
    /// The triage key (`weibo:标题`): stable, for feed ids.
    #[serde(skip)]
    pub key: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Note {
    pub user: String,
    pub note: String,
}

/// The flagged topics of every user's stored triage, most recently flagged first. A triage
/// that does not parse is skipped (one user's bad row must not hide the others') and named
/// in the log. User names and notes are typed by people and pass through `SafeText` like
/// remote text does (the TUI's team view does the same).
pub(crate) fn flagged(records: &[TriageRecord]) -> Vec<Flagged> {
    let mut by_key: BTreeMap<String, Flagged> = BTreeMap::new();
    let mut parsed = Vec::new();
    for r in records {
        match serde_json::from_str::<Triage>(&r.json) {
            Ok(t) => parsed.push((SafeText::line(&r.user).into_string(), r.updated_at, t)),
            Err(e) => tracing::warn!(user = %r.user, "serve: stored triage does not parse: {e}"),
        }
    }
    // Flags first, so a topic only noted by someone is not listed.
    for (user, updated_at, t) in &parsed {
        for (key, e) in t.topics.iter().filter(|(_, e)| e.flagged) {
            let f = by_key.entry(key.clone()).or_insert_with(|| Flagged {
                platform: e.platform,
                title: e.title.clone(),
                url: e.url.clone(),
                first_seen: e.first_seen,
                last_seen: e.last_observed,
                peak_rank: e.peak_rank,
                peak_heat: e.peak_heat,
                flagged_by: Vec::new(),
                notes: Vec::new(),
                updated_at: *updated_at,
                key: key.clone(),
            });
            if *updated_at > f.updated_at {
                f.updated_at = *updated_at;
                f.title = e.title.clone();
            }
            f.url = f.url.take().or_else(|| e.url.clone());
            f.first_seen = f.first_seen.min(e.first_seen);
            f.last_seen = f.last_seen.max(e.last_observed);
            f.peak_rank = min_some(f.peak_rank, e.peak_rank);
            f.peak_heat = f.peak_heat.max(e.peak_heat);
            f.flagged_by.push(user.clone());
        }
    }
    for (user, _, t) in &parsed {
        for (key, e) in &t.topics {
            if let (Some(f), Some(note)) = (by_key.get_mut(key), &e.note) {
                f.notes.push(Note {
                    user: user.clone(),
                    note: SafeText::line(note).into_string(),
                });
            }
        }
    }
    let mut out: Vec<Flagged> = by_key.into_values().collect();
    for f in &mut out {
        f.title = SafeText::line(&f.title).into_string();
        f.flagged_by.sort();
        f.notes.sort_by(|a, b| a.user.cmp(&b.user));
    }
    out.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(a.key.cmp(&b.key)));
    out
}

fn min_some(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// `urn:resou:<kind>:<key>`: ids readers keep across requests, whatever `public_url` is.
pub(crate) fn item_id(kind: &str, key: &str) -> String {
    let key = percent_encoding::utf8_percent_encode(key, percent_encoding::NON_ALPHANUMERIC);
    format!("urn:resou:{kind}:{key}")
}

impl Flagged {
    pub fn item(&self) -> Item {
        let mut text = format!(
            "{} · flagged by {}",
            self.platform.name(),
            self.flagged_by.join(", ")
        );
        if let Some(r) = self.peak_rank {
            text.push_str(&format!(" · best rank {r}"));
        }
        if let Some(h) = self.peak_heat {
            text.push_str(&format!(" · peak heat {}", format_heat(h)));
        }
        for n in &self.notes {
            text.push_str(&format!("\n{}: {}", n.user, n.note));
        }
        Item {
            id: item_id("flagged", &self.key),
            title: format!("[{}] {}", self.platform.name(), self.title),
            url: self.url.clone(),
            content_text: text,
            published: self.first_seen,
            modified: Some(self.updated_at),
            authors: self.flagged_by.clone(),
            tags: vec![self.platform.id().to_string(), "flagged".to_string()],
        }
    }
}

/// One alert the team's sender queued (the same message to several channels is one alert),
/// with where it went and how that went.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Alert {
    pub title: String,
    pub tier: Tier,
    pub rule: String,
    pub platform: Option<Platform>,
    /// The message as sent (the channels' common markdown subset).
    pub body: String,
    pub url: Option<String>,
    pub created_at: DateTime<FixedOffset>,
    pub deliveries: Vec<AlertDelivery>,
    #[serde(skip)]
    key: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct AlertDelivery {
    pub channel: String,
    /// `pending`, `delivered` or `failed`.
    pub state: &'static str,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub updated_at: DateTime<FixedOffset>,
}

/// Alerts from the delivery queue's rows (newest first, as the store gives them): rows of
/// one message (same rule, title and queue time) become one alert. What the queue holds came
/// from remote text; it is sanitised again on the way out.
pub(crate) fn alerts(rows: &[PushRecord]) -> Vec<Alert> {
    let mut out: Vec<Alert> = Vec::new();
    for r in rows {
        let key = format!("{}:{}:{}", r.created_at.timestamp(), r.rule, r.title);
        let delivery = AlertDelivery {
            channel: SafeText::line(&r.channel).into_string(),
            state: match r.state {
                PushState::Pending => "pending",
                PushState::Delivered => "delivered",
                PushState::Failed => "failed",
            },
            attempts: r.attempts,
            last_error: r
                .last_error
                .as_deref()
                .map(|e| SafeText::line(e).into_string()),
            updated_at: r.updated_at,
        };
        if let Some(a) = out.iter_mut().find(|a| a.key == key) {
            a.deliveries.push(delivery);
            continue;
        }
        let msg: serde_json::Value = serde_json::from_str(&r.message).unwrap_or_default();
        let field = |k: &str| {
            msg.get(k)
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
        };
        out.push(Alert {
            title: SafeText::line(&r.title).into_string(),
            tier: Tier::ALL
                .into_iter()
                .find(|t| t.id() == r.tier)
                .unwrap_or_default(),
            rule: SafeText::line(&r.rule).into_string(),
            platform: field("platform").and_then(Platform::parse),
            body: field("body_markdown")
                .map(|b| SafeText::multiline(b).into_string())
                .unwrap_or_default(),
            url: field("url").and_then(crate::domain::text::safe_url),
            created_at: r.created_at,
            deliveries: vec![delivery],
            key,
        });
    }
    for a in &mut out {
        a.deliveries.sort_by(|x, y| x.channel.cmp(&y.channel));
    }
    out
}

impl Alert {
    pub fn item(&self) -> Item {
        let went: Vec<String> = self
            .deliveries
            .iter()
            .map(|d| format!("{} {}", d.channel, d.state))
            .collect();
        Item {
            id: item_id("alert", &self.key),
            title: format!("{}{}", self.tier.label(), self.title),
            url: self.url.clone(),
            content_text: format!("{}\n\n{} · {}", self.body, self.rule, went.join(", ")),
            published: self.created_at,
            modified: self.deliveries.iter().map(|d| d.updated_at).max(),
            authors: Vec::new(),
            tags: [
                Some(self.tier.id().to_string()),
                self.platform.map(|p| p.id().to_string()),
            ]
            .into_iter()
            .flatten()
            .collect(),
        }
    }
}

/// A rising keyword of a report, with the tier its signals reach.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Rising {
    /// `onset` is when it began rising, `peak_score` the detector's highest z.
    #[serde(flatten)]
    pub keyword: RisingKeyword,
    pub tier: Tier,
    pub because: Vec<String>,
}

impl Rising {
    /// Its signals: the detector's peak z, and rank ≤ `top_n` when a title with it got there
    /// (the report knows the threshold it reached, not the exact rank).
    pub fn of(keyword: &RisingKeyword, top_n: u32, tiers: &TierConfig) -> Rising {
        let a = tiers.assess(&Signals {
            z_score: Some(keyword.peak_score),
            best_rank: keyword.reached_top.as_ref().map(|_| top_n),
            ..Signals::default()
        });
        Rising {
            keyword: keyword.clone(),
            tier: a.tier,
            because: a.because,
        }
    }

    pub fn item(&self) -> Item {
        let k = &self.keyword;
        let mut text = format!(
            "rising since {} · peak score {:.1} · {} titles",
            k.onset.format("%Y-%m-%d %H:%M"),
            k.peak_score,
            k.titles
        );
        if k.still_rising {
            text.push_str(" · still rising");
        }
        if let Some(top) = &k.reached_top {
            text.push_str(&format!(
                "\nreached the top on {} at {}: {}",
                top.platform.name(),
                top.at.format("%H:%M"),
                top.title
            ));
            if let Some(lead) = k.lead_min {
                text.push_str(&format!(" ({lead} min after the onset)"));
            }
        }
        if !self.because.is_empty() {
            text.push_str(&format!(
                "\n{}: {}",
                self.tier.zh(),
                self.because.join(", ")
            ));
        }
        Item {
            id: item_id("rising", &format!("{}@{}", k.keyword, k.onset.timestamp())),
            title: format!("{}上升 {}", self.tier.label(), k.keyword),
            url: None,
            content_text: text,
            published: k.onset,
            modified: Some(k.last_rising),
            authors: Vec::new(),
            tags: vec!["rising".to_string(), self.tier.id().to_string()],
        }
    }
}

/// A cross-platform event of a report, with the tier its signals reach.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Event {
    /// `spread` lists the platforms in the order the story reached them, `titles` its
    /// titles first seen first.
    #[serde(flatten)]
    pub event: CrossEvent,
    pub tier: Tier,
    pub because: Vec<String>,
}

impl Event {
    /// Its signals: the best rank of any of its titles, the platforms it reached, and how
    /// long it has been on some list.
    pub fn of(event: &CrossEvent, tiers: &TierConfig) -> Event {
        let minutes = (event.last_seen - event.first_seen).num_minutes();
        let a = tiers.assess(&Signals {
            best_rank: event.spread.iter().filter_map(|s| s.best_rank).min(),
            platforms: u32::try_from(event.spread.len()).unwrap_or(u32::MAX),
            listed_minutes: u32::try_from(minutes).ok(),
            ..Signals::default()
        });
        Event {
            event: event.clone(),
            tier: a.tier,
            because: a.because,
        }
    }

    pub fn touches(&self, p: Platform) -> bool {
        self.event.spread.iter().any(|s| s.platform == p)
    }

    pub fn item(&self) -> Item {
        let e = &self.event;
        let spread: Vec<String> = e
            .spread
            .iter()
            .map(|s| {
                let rank = s
                    .best_rank
                    .map(|r| format!(", best #{r}"))
                    .unwrap_or_default();
                format!("{} +{} min{rank}", s.platform.name(), s.after_min)
            })
            .collect();
        let mut text = format!(
            "first seen {} · {}",
            e.first_seen.format("%Y-%m-%d %H:%M"),
            spread.join(" → ")
        );
        for t in &e.titles {
            text.push_str(&format!(
                "\n{} {} {}",
                t.first_seen.format("%H:%M"),
                t.platform.name(),
                t.title
            ));
        }
        if !self.because.is_empty() {
            text.push_str(&format!(
                "\n{}: {}",
                self.tier.zh(),
                self.because.join(", ")
            ));
        }
        let mut tags: Vec<String> = e
            .spread
            .iter()
            .map(|s| s.platform.id().to_string())
            .collect();
        tags.push(self.tier.id().to_string());
        let first = e.titles.first();
        let key = match first {
            Some(t) => format!(
                "{}:{}@{}",
                t.platform.id(),
                t.title,
                e.first_seen.timestamp()
            ),
            None => format!("{}@{}", e.label, e.first_seen.timestamp()),
        };
        Item {
            id: item_id("event", &key),
            title: format!(
                "{}事件 {} ({} 平台)",
                self.tier.label(),
                e.label,
                e.spread.len()
            ),
            url: None,
            content_text: text,
            published: e.first_seen,
            modified: Some(e.last_seen),
            authors: Vec::new(),
            tags,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::from_unix;

    fn record(user: &str, secs: i64, json: serde_json::Value) -> TriageRecord {
        TriageRecord {
            user: user.into(),
            json: json.to_string(),
            updated_at: from_unix(secs).unwrap(),
        }
    }

    fn entry(flagged: bool, note: Option<&str>, peak: u32) -> serde_json::Value {
        serde_json::json!({
            "platform": "weibo", "title": "台风", "first_seen": "2026-08-15T08:00:00+08:00",
            "last_observed": "2026-08-15T09:00:00+08:00", "peak_rank": peak,
            "flagged": flagged, "note": note,
        })
    }

    #[test]
    fn flags_of_every_user_merge_per_topic() {
        let records = [
            record(
                "bob",
                200,
                serde_json::json!({"topics": {"weibo:台风": entry(true, Some("盯紧\u{1b}[31m"), 4)}}),
            ),
            record(
                "alice",
                100,
                serde_json::json!({"topics": {
                    "weibo:台风": entry(true, None, 2),
                    "weibo:别的": entry(false, Some("only a note"), 9),
                }}),
            ),
            record(
                "carol",
                300,
                serde_json::json!({"topics": {"weibo:台风": entry(false, Some("同意"), 9)}}),
            ),
            record("mallory", 400, serde_json::json!("not a triage")),
        ];
        let f = flagged(&records);
        assert_eq!(f.len(), 1, "{f:?}");
        let f = &f[0];
        assert_eq!(f.flagged_by, ["alice", "bob"]);
        assert_eq!(f.peak_rank, Some(2));
        assert_eq!(f.updated_at, from_unix(200).unwrap());
        let notes: Vec<(&str, &str)> = f
            .notes
            .iter()
            .map(|n| (n.user.as_str(), n.note.as_str()))
            .collect();
        assert_eq!(notes, [("bob", "盯紧"), ("carol", "同意")], "sanitised");
        assert_eq!(f.item().id, "urn:resou:flagged:weibo%3A%E5%8F%B0%E9%A3%8E");
    }
}
