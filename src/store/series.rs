//! Analysis series: keyword share/score points and KOL mentions, appended per poll.

use chrono::{DateTime, FixedOffset};
use rusqlite::params;

use super::{Result, Store};

#[derive(Debug, Clone, PartialEq)]
pub struct KeywordPoint {
    pub keyword: String,
    pub at: DateTime<FixedOffset>,
    pub share: f64,
    pub score: f64,
    pub rising: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KolMention {
    pub name: String,
    pub at: DateTime<FixedOffset>,
    /// Titles the KOL appeared in at that time.
    pub titles: Vec<String>,
}

impl Store {
    /// Append keyword points in one transaction.
    pub fn append_keyword_points(&mut self, points: &[KeywordPoint]) -> Result<()> {
        const OP: &str = "append keyword points";
        let path = self.path.clone();
        let e = |source| super::sql_err(&path, OP, source);
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO keyword_points (keyword, at, share, score, rising)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(e)?;
            for p in points {
                st.execute(params![
                    p.keyword,
                    p.at.timestamp(),
                    p.share,
                    p.score,
                    p.rising
                ])
                .map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }

    /// Points of one keyword in `from..=to`, oldest first.
    pub fn keyword_series(
        &self,
        keyword: &str,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<KeywordPoint>> {
        const OP: &str = "read keyword series";
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT at, share, score, rising FROM keyword_points
                 WHERE keyword = ?1 AND at BETWEEN ?2 AND ?3 ORDER BY at, rowid",
            )
            .map_err(|e| self.err(OP, e))?;
        let rows = st
            .query_map(params![keyword, from.timestamp(), to.timestamp()], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, f64>(1)?,
                    r.get::<_, f64>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })
            .map_err(|e| self.err(OP, e))?;
        let mut out = Vec::new();
        for row in rows {
            let (at, share, score, rising) = row.map_err(|e| self.err(OP, e))?;
            out.push(KeywordPoint {
                keyword: keyword.to_string(),
                at: self.time(OP, at)?,
                share,
                score,
                rising,
            });
        }
        Ok(out)
    }

    /// Append KOL mentions in one transaction.
    pub fn append_kol_mentions(&mut self, mentions: &[KolMention]) -> Result<()> {
        const OP: &str = "append KOL mentions";
        let path = self.path.clone();
        let e = |source| super::sql_err(&path, OP, source);
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut st = tx
                .prepare_cached("INSERT INTO kol_mentions (name, at, titles) VALUES (?1, ?2, ?3)")
                .map_err(e)?;
            for m in mentions {
                // ok: serialising a Vec<String> to JSON cannot fail.
                let titles = serde_json::to_string(&m.titles).unwrap_or_else(|_| "[]".into());
                st.execute(params![m.name, m.at.timestamp(), titles])
                    .map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }

    /// Mentions of one KOL in `from..=to`, oldest first.
    pub fn kol_mentions(
        &self,
        name: &str,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<KolMention>> {
        const OP: &str = "read KOL mentions";
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT at, titles FROM kol_mentions
                 WHERE name = ?1 AND at BETWEEN ?2 AND ?3 ORDER BY at, rowid",
            )
            .map_err(|e| self.err(OP, e))?;
        let rows = st
            .query_map(params![name, from.timestamp(), to.timestamp()], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.err(OP, e))?;
        let mut out = Vec::new();
        for row in rows {
            let (at, titles) = row.map_err(|e| self.err(OP, e))?;
            let titles: Vec<String> = serde_json::from_str(&titles)
                .map_err(|err| self.bad_value(OP, format!("titles of {name}: {err}")))?;
            out.push(KolMention {
                name: name.to_string(),
                at: self.time(OP, at)?,
                titles,
            });
        }
        Ok(out)
    }
}
