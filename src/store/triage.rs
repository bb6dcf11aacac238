//! Triage state per user (the triage JSON as one row), replaced on every save.

use rusqlite::params;

use super::backend::TriageRecord;
use super::{Result, Store};

impl Store {
    pub fn save_triage(&mut self, record: &TriageRecord) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO triage (user, json, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (user) DO UPDATE SET json = excluded.json,
                                                  updated_at = excluded.updated_at",
                params![record.user, record.json, record.updated_at.timestamp()],
            )
            .map(drop)
            .map_err(|e| self.err("save triage", e))
    }

    pub fn load_triage(&self) -> Result<Vec<TriageRecord>> {
        const OP: &str = "load triage";
        let mut st = self
            .conn
            .prepare_cached("SELECT user, json, updated_at FROM triage ORDER BY user")
            .map_err(|e| self.err(OP, e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(|e| self.err(OP, e))?;
        let mut out = Vec::new();
        for row in rows {
            let (user, json, at) = row.map_err(|e| self.err(OP, e))?;
            out.push(TriageRecord {
                user,
                json,
                updated_at: self.time(OP, at)?,
            });
        }
        Ok(out)
    }
}
