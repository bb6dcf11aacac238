//! Statements both engines run word for word. Parameters are `$1`, `$2`, … (PostgreSQL's
//! form); SQLite numbers `$NAME` parameters in order of first appearance, so in every
//! statement here `$n` must first appear before `$n+1` (checked by the test below). What the
//! dialects spell differently (the topic fold, row ids, collation, JSON) stays with its
//! engine.

/// Returns the new poll's id.
pub(super) const INSERT_POLL: &str =
    "INSERT INTO polls (platform, captured_at, endpoint) VALUES ($1, $2, $3) RETURNING id";

/// The values of [`super::rows::Item`], after the poll id.
pub(super) const INSERT_ITEM: &str =
    "INSERT INTO items (poll_id, pos, rank, title, norm, query, heat, label, url,
                        platform_id, pinned, onboard, category)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

pub(super) const POLLS_BETWEEN: &str = "SELECT id, captured_at FROM polls
     WHERE platform = $1 AND captured_at BETWEEN $2 AND $3
     ORDER BY captured_at, id";

/// The last poll of a platform at or before a time.
pub(super) const POLL_AT: &str = "SELECT id, captured_at FROM polls
     WHERE platform = $1 AND captured_at <= $2
     ORDER BY captured_at DESC, id DESC LIMIT 1";

/// Read back by [`super::rows::Cells::topic`].
pub(super) const POLL_ITEMS: &str =
    "SELECT rank, title, query, heat, label, url, platform_id, pinned, onboard, category
     FROM items WHERE poll_id = $1 ORDER BY pos";

pub(super) const TOPIC_SUMMARY: &str =
    "SELECT title, first_seen, last_seen, peak_rank, peak_heat FROM topics
     WHERE platform = $1 AND norm = $2";

pub(super) const TOPIC_POINTS: &str = "SELECT p.captured_at, i.rank, i.heat
     FROM items i JOIN polls p ON p.id = i.poll_id
     WHERE p.platform = $1 AND i.norm = $2
     ORDER BY p.captured_at, p.id, i.pos";

pub(super) const INSERT_KEYWORD_POINT: &str =
    "INSERT INTO keyword_points (keyword, at, share, score, rising) VALUES ($1, $2, $3, $4, $5)";

pub(super) const INSERT_KOL_MENTION: &str =
    "INSERT INTO kol_mentions (name, at, titles) VALUES ($1, $2, $3)";

pub(super) const PUT_KV: &str = "INSERT INTO kv (key, value) VALUES ($1, $2)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value";

pub(super) const GET_KV: &str = "SELECT value FROM kv WHERE key = $1";

pub(super) const ENQUEUE_PUSH: &str =
    "INSERT INTO push_queue (channel, rule, tier, title, message, state, parts_done, attempts,
                             created_at, next_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'pending', 0, 0, $6, $7, $6) RETURNING id";

/// Read back by [`super::rows::Cells::push`].
macro_rules! push_columns {
    () => {
        "SELECT id, channel, rule, tier, title, message, state, parts_done, attempts, last_error,
           created_at, next_at, updated_at FROM push_queue"
    };
}

pub(super) const PENDING_PUSHES: &str = concat!(
    push_columns!(),
    " WHERE state = 'pending' ORDER BY next_at, id"
);

pub(super) const RECENT_PUSHES: &str = concat!(
    push_columns!(),
    " ORDER BY updated_at DESC, id DESC LIMIT $1"
);

pub(super) const UPDATE_PUSH: &str = "UPDATE push_queue SET state = $1, parts_done = $2,
     attempts = $3, last_error = $4, next_at = $5, updated_at = $6 WHERE id = $7";

/// A story title keeps the earliest first sighting any write gave it.
pub(super) const RECORD_STORY_TITLE: &str =
    "INSERT INTO story_titles (story, platform, norm, title, first_seen)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (story, platform, norm) DO UPDATE SET first_seen =
       CASE WHEN excluded.first_seen < story_titles.first_seen
            THEN excluded.first_seen ELSE story_titles.first_seen END";

/// Every title, seen by `$3`, of the stories a topic belonged to by `$3`, with its best rank and
/// its last sighting by then (from the stored polls; NULL once they are expired, and the rank
/// when only ever pinned). Read by [`super::rows::Cells::story_title`]. `CROSS JOIN` makes
/// SQLite start from the title's rows (`items_norm`) rather than every poll of the platform
/// up to `$3`: 50 topics of a two-day store of minute polls took 1.3 s that way, 0.06 s this
/// way (PostgreSQL plans both the same).
pub(super) const STORY_OF: &str = "WITH hit AS (
       SELECT DISTINCT story FROM story_titles
       WHERE platform = $1 AND norm = $2 AND first_seen <= $3)
     SELECT s.story, s.platform, s.norm, s.title, s.first_seen,
       (SELECT min(i.rank) FROM items i CROSS JOIN polls p
        WHERE p.id = i.poll_id AND p.platform = s.platform AND i.norm = s.norm
          AND p.captured_at <= $3),
       (SELECT max(p.captured_at) FROM items i CROSS JOIN polls p
        WHERE p.id = i.poll_id AND p.platform = s.platform AND i.norm = s.norm
          AND p.captured_at <= $3)
     FROM story_titles s JOIN hit ON hit.story = s.story
     WHERE s.first_seen <= $3
     ORDER BY s.first_seen, s.platform, s.norm, s.story";

/// `user` is reserved in PostgreSQL; SQLite reads the quoted name as the same column.
pub(super) const SAVE_TRIAGE: &str = r#"INSERT INTO triage ("user", json, updated_at)
     VALUES ($1, $2, $3)
     ON CONFLICT ("user") DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at"#;

// Reads for reports and the feed.

/// Every poll of a platform in `$2..=$3` with its items, poll by poll, each in list order.
/// Read by [`super::rows::Cells::poll_item`].
pub(super) const POLLS_WITH_ITEMS: &str =
    "SELECT p.id, p.captured_at, i.rank, i.title, i.query, i.heat, i.label, i.url,
       i.platform_id, i.pinned, i.onboard, i.category
     FROM polls p JOIN items i ON i.poll_id = p.id
     WHERE p.platform = $1 AND p.captured_at BETWEEN $2 AND $3
     ORDER BY p.captured_at, p.id, i.pos";

/// Every topic on a list in `$1..=$2`, with what the polls of the period show: best rank and
/// heat, first and last sighting, polls on the list, the first poll at rank ≤ `$3`, and the
/// strongest label as a number (爆 4, 沸 3, 热 2, 新 1, else 0); with the summary's first
/// sighting ever (a new entry when inside the period). The CTE puts `$1` and `$2` before `$3`
/// (see the module doc). Casts: PostgreSQL's `CASE` of small literals is a 4-byte integer.
/// Read by [`super::rows::Cells::period_topic`]; sorted by the caller.
pub(super) const TOPICS_BETWEEN: &str = "WITH seen AS (
       SELECT p.platform, i.norm, i.rank, i.heat, i.label, p.captured_at, p.id
       FROM polls p JOIN items i ON i.poll_id = p.id
       WHERE p.captured_at BETWEEN $1 AND $2)
     SELECT s.platform, s.norm, t.title, min(s.rank), max(s.heat),
       min(s.captured_at), max(s.captured_at), count(DISTINCT s.id), t.first_seen,
       min(CASE WHEN s.rank <= $3 THEN s.captured_at END),
       CAST(max(CASE s.label WHEN '爆' THEN 4 WHEN '沸' THEN 3 WHEN '热' THEN 2
                             WHEN '新' THEN 1 ELSE 0 END) AS BIGINT)
     FROM seen s JOIN topics t ON t.platform = s.platform AND t.norm = s.norm
     GROUP BY s.platform, s.norm, t.title, t.first_seen";

/// Every keyword point in `$1..=$2` (rising ones and the steady ones stored beside them).
/// Read by [`super::rows::Cells::keyword_point_row`]; sorted by the caller.
pub(super) const KEYWORD_POINTS_BETWEEN: &str =
    "SELECT keyword, at, share, score, rising FROM keyword_points
     WHERE at BETWEEN $1 AND $2 ORDER BY at";

/// Every title, seen by `$2`, of the stories with a title first seen in `$1..=$2`, with its
/// best rank and last sighting by `$2` (as [`STORY_OF`], which explains the `CROSS JOIN`s).
/// Read by [`super::rows::Cells::story_title`].
pub(super) const STORY_TITLES_BETWEEN: &str = "WITH hit AS (
       SELECT DISTINCT story FROM story_titles WHERE first_seen BETWEEN $1 AND $2)
     SELECT s.story, s.platform, s.norm, s.title, s.first_seen,
       (SELECT min(i.rank) FROM items i CROSS JOIN polls p
        WHERE p.id = i.poll_id AND p.platform = s.platform AND i.norm = s.norm
          AND p.captured_at <= $2),
       (SELECT max(p.captured_at) FROM items i CROSS JOIN polls p
        WHERE p.id = i.poll_id AND p.platform = s.platform AND i.norm = s.norm
          AND p.captured_at <= $2)
     FROM story_titles s JOIN hit ON hit.story = s.story
     WHERE s.first_seen <= $2";

/// Brand watch posts are kept once per platform and id: a post seen again (by a later page,
/// a second term or a restart) keeps its first row.
pub(super) const RECORD_WATCH_POST: &str =
    "INSERT INTO watch_posts (platform, id, term, author, author_id, verified_type, followers,
                              reposts, comments, likes, created_at, text, first_seen)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (platform, id) DO NOTHING";

/// Read back by [`super::rows::Cells::watch_post`]. A post without a readable time is placed
/// at its first sighting.
macro_rules! watch_columns {
    () => {
        "SELECT platform, id, term, author, author_id, verified_type, followers, reposts,
           comments, likes, created_at, text, first_seen FROM watch_posts"
    };
}

pub(super) const WATCH_POSTS_BETWEEN: &str = concat!(
    watch_columns!(),
    " WHERE term = $1 AND COALESCE(created_at, first_seen) BETWEEN $2 AND $3
     ORDER BY COALESCE(created_at, first_seen), platform, id"
);

pub(super) const NEWEST_WATCH_POST: &str = concat!(
    watch_columns!(),
    " WHERE term = $1 ORDER BY COALESCE(created_at, first_seen) DESC, id DESC LIMIT 1"
);

/// The newest poll's time (NULL in an empty store).
pub(super) const LATEST_POLL: &str = "SELECT max(captured_at) FROM polls";

#[cfg(test)]
mod tests {
    use super::*;

    /// Every statement prepares on a current SQLite file, and SQLite numbers its parameters
    /// as PostgreSQL does.
    #[test]
    fn sqlite_numbers_the_parameters_as_postgres_does() {
        let store = crate::store::SqliteStore::open_in_memory().unwrap();
        for sql in [
            INSERT_POLL,
            INSERT_ITEM,
            POLLS_BETWEEN,
            POLL_AT,
            POLL_ITEMS,
            TOPIC_SUMMARY,
            TOPIC_POINTS,
            INSERT_KEYWORD_POINT,
            INSERT_KOL_MENTION,
            ENQUEUE_PUSH,
            RECENT_PUSHES,
            UPDATE_PUSH,
            PUT_KV,
            GET_KV,
            SAVE_TRIAGE,
            RECORD_STORY_TITLE,
            STORY_OF,
            POLLS_WITH_ITEMS,
            TOPICS_BETWEEN,
            KEYWORD_POINTS_BETWEEN,
            STORY_TITLES_BETWEEN,
            RECORD_WATCH_POST,
            WATCH_POSTS_BETWEEN,
            NEWEST_WATCH_POST,
        ] {
            let st = store.connection().prepare(sql).unwrap();
            let n = st.parameter_count();
            assert!(n > 0, "{sql}");
            for i in 1..=n {
                assert_eq!(
                    st.parameter_index(&format!("${i}")).unwrap(),
                    Some(i),
                    "{sql}"
                );
            }
        }
    }
}
