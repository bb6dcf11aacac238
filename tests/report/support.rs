//! A history store filled the way the app fills it: real fixture lists inserted in time
//! order, each analysed as the app's worker does (keyword points of warmed-up polls: the
//! rising ones and 20 steady ones; the titles that joined a story), plus two users' triage.
#![allow(dead_code)] // each test module uses a different subset

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset};
use resou::analysis::{AnalysisConfig, Analyzer};
use resou::domain::snapshot_file::{SnapshotLine, read_lines};
use resou::domain::{Platform, TopicKey};
use resou::store::{HistoryStore, KeywordPoint, SqliteStore, StoryTitle, TriageRecord};
use resou::triage::Triage;

/// Weibo's hourly lists of 2026-08-15 (heat and labels).
pub const WEIBO_DAY: &str = "analysis/weibo_nateafish_2026-08-15.jsonl";
/// Eleven lists every ~30 min of 2025-10-15 (rank only).
pub const ELEVEN_LISTS: &str = "events/2025-10-15.jsonl.gz";
/// The 2025-10-15 lists the store holds: from this time...
pub const ELEVEN_FROM: &str = "2025-10-15T07:00:00+08:00";
/// ...to this one.
pub const ELEVEN_TO: &str = "2025-10-15T12:10:00+08:00";

/// The topic two users flagged and noted (Weibo, 2026-08-15 evening).
pub const FLAGGED: &str = "汉奸石平参拜靖国神社";
pub const NOTE_WANG: &str = "外交口径已报送，持续跟进";
pub const NOTE_LI: &str = "评论区情绪激烈";

pub fn time(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The lines of a snapshot file (`.gz` too), in time order.
pub fn lines(name: &str) -> Vec<SnapshotLine> {
    let path = fixture_path(name);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader: Box<dyn BufRead> = if name.ends_with(".gz") {
        Box::new(BufReader::new(flate2::read::GzDecoder::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    let mut out = read_lines(reader, &path.display().to_string()).unwrap();
    out.sort_by_key(|l| l.captured_at);
    out
}

/// The fixture lists the shared store holds, in time order.
pub fn stored_lines() -> Vec<SnapshotLine> {
    let (from, to) = (time(ELEVEN_FROM), time(ELEVEN_TO));
    let mut all: Vec<SnapshotLine> = lines(ELEVEN_LISTS)
        .into_iter()
        .filter(|l| l.captured_at >= from && l.captured_at <= to)
        .collect();
    all.extend(lines(WEIBO_DAY));
    all
}

/// Insert and analyse `lines` (time order) as the app does.
pub fn fill(store: &mut dyn HistoryStore, lines: &[SnapshotLine]) {
    let cfg = AnalysisConfig {
        detector: resou::config::Config::default().analysis.detector,
        ..Default::default()
    };
    let mut analyzer = Analyzer::new(&cfg);
    analyzer.set_events(true);
    for l in lines {
        let snap = l.to_snapshot();
        store.insert_poll(&snap, "fixture").unwrap();
        let u = analyzer.process(&snap);
        if !(u.warming_up || u.seeded) {
            let mut steady = 0;
            let points: Vec<KeywordPoint> = u
                .keywords
                .iter()
                .filter(|k| {
                    k.rising || {
                        steady += 1;
                        steady <= 20
                    }
                })
                .map(|k| KeywordPoint {
                    keyword: k.keyword.as_str().to_string(),
                    at: u.at,
                    share: k.share,
                    score: k.score,
                    rising: k.rising,
                })
                .collect();
            store.append_keyword_points(&points).unwrap();
        }
        let titles: Vec<StoryTitle> = u
            .events
            .joined
            .iter()
            .map(|j| StoryTitle {
                story: format!("1-{}", j.event),
                key: j.key.clone(),
                title: j.title.clone(),
                first_seen: j.first_seen,
                best_rank: None,
                last_seen: None,
            })
            .collect();
        store.record_story_titles(&titles).unwrap();
    }
}

/// One topic's triage: the topic on `platform`'s list at a time, flagged or not, its note.
pub type Mark<'a> = (
    Platform,
    &'a str,
    DateTime<FixedOffset>,
    bool,
    Option<&'a str>,
);

/// `user`'s triage: each topic (on its list at the time given) flagged and/or noted.
pub fn triage_record(user: &str, marks: &[Mark<'_>]) -> TriageRecord {
    let mut t = Triage::default();
    for (platform, title, seen, flag, note) in marks {
        let topic = resou::domain::Topic::new(*platform, Some(1), title);
        t.observe(&topic, *seen);
        let key = TopicKey::new(*platform, title);
        t.set_flag(&key, *flag);
        if let Some(n) = note {
            t.set_note(&key, n);
        }
    }
    TriageRecord {
        user: user.into(),
        json: serde_json::to_string(&t).unwrap(),
        updated_at: marks[0].2,
    }
}

/// The shared store: built once per test process (SQLite file under the target's tmp dir);
/// each test opens its own connection.
pub fn store_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("report-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("history.sqlite3");
        let mut store = SqliteStore::open(&path).unwrap();
        fill(&mut store, &stored_lines());
        let evening = time("2026-08-15T21:00:00+08:00");
        store
            .save_triage(&triage_record(
                "wang",
                &[(Platform::Weibo, FLAGGED, evening, true, Some(NOTE_WANG))],
            ))
            .unwrap();
        store
            .save_triage(&triage_record(
                "li",
                &[
                    (Platform::Weibo, FLAGGED, evening, true, Some(NOTE_LI)),
                    // Flagged, but on the lists long before the period: not in its report.
                    (
                        Platform::Weibo,
                        "只在清晨出现的话题",
                        time("2026-08-15T01:00:00+08:00"),
                        true,
                        None,
                    ),
                ],
            ))
            .unwrap();
        // A record that is not triage JSON is named in the notes, not fatal.
        store
            .save_triage(&TriageRecord {
                user: "broken".into(),
                json: "{not json".into(),
                updated_at: evening,
            })
            .unwrap();
        path
    })
}

pub fn open_store() -> SqliteStore {
    SqliteStore::open_read_only(store_path()).unwrap()
}
