//! The store interface the app, the collector and the viewers use, whichever engine holds
//! the history: the embedded SQLite file ([`super::Store`]) or a shared PostgreSQL server
//! (team mode). Every method is blocking; callers run it on a store thread, never the UI's.

use chrono::{DateTime, FixedOffset};

use super::{KeywordPoint, KolMention, PollRef, Result, RetainReport, TopicHistory};
use crate::domain::{Platform, Snapshot, TopicKey};

/// One user's triage state as stored (the JSON of [`crate::triage::Triage`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TriageRecord {
    pub user: String,
    pub json: String,
    pub updated_at: DateTime<FixedOffset>,
}

pub trait HistoryStore: Send {
    /// Where the history lives, for messages (a path, or a URL without its password).
    fn describe(&self) -> String;

    /// Store one poll and fold it into the topic summary, atomically. Returns the poll id.
    fn insert_poll(&mut self, snap: &Snapshot, endpoint: &str) -> Result<i64>;

    /// Polls of `platform` captured in `from..=to`, oldest first.
    fn polls_between(
        &self,
        platform: Platform,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<PollRef>>;

    /// The last poll of `platform` at or before `at`, with its items.
    fn snapshot_at(
        &self,
        platform: Platform,
        at: DateTime<FixedOffset>,
    ) -> Result<Option<Snapshot>>;

    /// First/last seen, peaks and stored rank/heat path of one topic.
    fn topic_history(&self, key: &TopicKey) -> Result<Option<TopicHistory>>;

    /// Drop data older than `keep_days` and compact old minute-level polls to hourly.
    fn retain(&mut self, now: DateTime<FixedOffset>, keep_days: u32) -> Result<RetainReport>;

    fn put_kv(&mut self, key: &str, value: &[u8]) -> Result<()>;
    fn get_kv(&self, key: &str) -> Result<Option<Vec<u8>>>;

    fn append_keyword_points(&mut self, points: &[KeywordPoint]) -> Result<()>;
    fn keyword_series(
        &self,
        keyword: &str,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<KeywordPoint>>;
    fn append_kol_mentions(&mut self, mentions: &[KolMention]) -> Result<()>;
    fn kol_mentions(
        &self,
        name: &str,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<KolMention>>;

    /// Replace `user`'s triage state.
    fn save_triage(&mut self, record: &TriageRecord) -> Result<()>;
    /// Every user's triage state (team mode shows the others' flags and notes).
    fn load_triage(&self) -> Result<Vec<TriageRecord>>;
}

impl HistoryStore for super::Store {
    fn describe(&self) -> String {
        self.path().to_string()
    }
    fn insert_poll(&mut self, snap: &Snapshot, endpoint: &str) -> Result<i64> {
        super::Store::insert_poll(self, snap, endpoint)
    }
    fn polls_between(
        &self,
        platform: Platform,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<PollRef>> {
        super::Store::polls_between(self, platform, from, to)
    }
    fn snapshot_at(
        &self,
        platform: Platform,
        at: DateTime<FixedOffset>,
    ) -> Result<Option<Snapshot>> {
        super::Store::snapshot_at(self, platform, at)
    }
    fn topic_history(&self, key: &TopicKey) -> Result<Option<TopicHistory>> {
        super::Store::topic_history(self, key)
    }
    fn retain(&mut self, now: DateTime<FixedOffset>, keep_days: u32) -> Result<RetainReport> {
        super::Store::retain(self, now, keep_days)
    }
    fn put_kv(&mut self, key: &str, value: &[u8]) -> Result<()> {
        super::Store::put_kv(self, key, value)
    }
    fn get_kv(&self, key: &str) -> Result<Option<Vec<u8>>> {
        super::Store::get_kv(self, key)
    }
    fn append_keyword_points(&mut self, points: &[KeywordPoint]) -> Result<()> {
        super::Store::append_keyword_points(self, points)
    }
    fn keyword_series(
        &self,
        keyword: &str,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<KeywordPoint>> {
        super::Store::keyword_series(self, keyword, from, to)
    }
    fn append_kol_mentions(&mut self, mentions: &[KolMention]) -> Result<()> {
        super::Store::append_kol_mentions(self, mentions)
    }
    fn kol_mentions(
        &self,
        name: &str,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<KolMention>> {
        super::Store::kol_mentions(self, name, from, to)
    }
    fn save_triage(&mut self, record: &TriageRecord) -> Result<()> {
        super::Store::save_triage(self, record)
    }
    fn load_triage(&self) -> Result<Vec<TriageRecord>> {
        super::Store::load_triage(self)
    }
}
