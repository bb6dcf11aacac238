//! `resou::import` on real archive files (tests/fixtures/archives, see NOTES.md there).

use std::path::{Path, PathBuf};

use chrono::DateTime;
use resou::domain::Platform;
use resou::domain::snapshot_file::SnapshotLine;
use resou::import::{ImportError, import_paths, read_jsonl, write_jsonl};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/archives")
}

fn nateafish(hour: &str) -> PathBuf {
    fixtures().join(format!(
        "nateafish+weibo-hot-hub/data/hotlists/2026/08/15/{hour}.json"
    ))
}

fn lxw(hour: &str) -> PathBuf {
    fixtures().join(format!(
        "lxw15337674+weibo-trending-hot-history/api/2026-08-15/{hour}.json"
    ))
}

fn trendradar() -> PathBuf {
    fixtures().join("uncleblue+TrendRadar/output/2025年10月15日/txt")
}

fn arandom_versions() -> PathBuf {
    fixtures().join("arandomguyhere+weibo-daily-hot-search/versions")
}

fn raw(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn one(path: PathBuf) -> SnapshotLine {
    let mut v = import_paths(&[path], None).unwrap();
    assert_eq!(v.len(), 1);
    v.remove(0)
}

fn ranked(l: &SnapshotLine) -> Vec<&resou::domain::snapshot_file::SnapshotItem> {
    l.items.iter().filter(|i| !i.pinned).collect()
}

#[test]
fn nateafish_pinned_row_is_kept_apart_and_null_heat_stays_absent() {
    let path = nateafish("00");
    let file = raw(&path);
    let topics = file["topics"].as_array().unwrap();
    let line = one(path);
    assert_eq!(line.platform, Platform::Weibo);
    assert_eq!(
        line.captured_at,
        DateTime::parse_from_rfc3339("2026-08-15T00:00:00+08:00").unwrap()
    );

    // Row 0 reads `rank: 1` like the first ranked row; it must come out pinned and unranked.
    assert_eq!(topics[0]["rank"], topics[1]["rank"]);
    let pinned: Vec<_> = line.items.iter().filter(|i| i.pinned).collect();
    assert_eq!(pinned.len(), 1);
    assert_eq!(pinned[0].title, topics[0]["title"].as_str().unwrap());
    assert_eq!(pinned[0].rank, None);

    let r = ranked(&line);
    assert_eq!(r.len(), topics.len() - 1);
    let ranks: Vec<u32> = r.iter().map(|i| i.rank.unwrap()).collect();
    assert_eq!(ranks, (1..=r.len() as u32).collect::<Vec<_>>());
    for (item, src) in r.iter().zip(&topics[1..]) {
        assert_eq!(item.title, src["title"].as_str().unwrap());
        assert_eq!(item.heat, src["heat"].as_u64(), "{}", item.title);
        assert_eq!(item.query.as_deref(), src["query"].as_str());
        assert_eq!(item.label.as_deref(), src["label"].as_str());
    }
    let nulls = topics[1..].iter().filter(|t| t["heat"].is_null()).count();
    assert!(nulls > 0, "fixture should carry null heats");
    assert_eq!(r.iter().filter(|i| i.heat.is_none()).count(), nulls);
}

#[test]
fn arandomguyhere_drops_gone_rows_and_ranks_by_count() {
    let dir = arandom_versions().join("20260815T235649+0800_a6a226333b23");
    let path = dir.join("raw/2026-08-15.json");
    let file = raw(&path);
    let rows = file.as_array().unwrap();
    let live: Vec<&Value> = rows.iter().filter(|r| r["status"] != "gone").collect();
    assert!(live.len() < rows.len(), "fixture should hold gone rows");

    let line = one(path);
    assert_eq!(
        line.captured_at,
        DateTime::parse_from_rfc3339("2026-08-15T23:56:49+08:00").unwrap()
    );
    let r = ranked(&line);
    assert_eq!(r.len(), live.len());
    let heats: Vec<u64> = r.iter().map(|i| i.heat.unwrap()).collect();
    assert!(heats.windows(2).all(|w| w[0] >= w[1]), "{heats:?}");
    let gone: Vec<&str> = rows
        .iter()
        .filter(|r| r["status"] == "gone")
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert!(r.iter().all(|i| !gone.contains(&i.title.as_str())));
    let top = live.iter().max_by_key(|r| r["count"].as_u64()).unwrap();
    assert_eq!(r[0].title, top["text"].as_str().unwrap());
    assert!(
        r[0].url
            .as_deref()
            .unwrap()
            .starts_with("https://s.weibo.com/weibo?q=")
    );
    assert!(r[0].query.is_some());
}

#[test]
fn lxw_drops_adverts_and_keeps_the_pinned_row_apart() {
    let path = lxw("05");
    let file = raw(&path);
    let rows = file.as_array().unwrap();
    let ads: Vec<&str> = rows
        .iter()
        .filter(|r| r["ads"] == true)
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(ads.len(), 2);

    let line = one(path);
    assert_eq!(
        line.captured_at,
        DateTime::parse_from_rfc3339("2026-08-15T05:00:00+08:00").unwrap()
    );
    assert!(line.items.iter().all(|i| !ads.contains(&i.title.as_str())));
    let pinned: Vec<_> = line.items.iter().filter(|i| i.pinned).collect();
    assert_eq!(pinned.len(), 1);
    assert_eq!(
        pinned[0].title,
        rows.last().unwrap()["title"].as_str().unwrap()
    );
    let r = ranked(&line);
    assert_eq!(r.len(), 50);
    assert_eq!(r[0].title, rows[0]["title"].as_str().unwrap());
    assert_eq!(r[0].heat, rows[0]["hot"].as_u64());
    // Labels come from the link's `flag` (1 新, 2 热); the query from its `containerid`.
    assert!(r.iter().any(|i| i.label.as_deref() == Some("新")));
    assert!(r.iter().all(|i| i.query.is_some()));
}

#[test]
fn trendradar_reads_every_section_with_unescaped_urls() {
    let all = import_paths(&[trendradar()], None).unwrap();
    assert_eq!(all.len(), 22, "two files × 11 lists");
    // every list of the archive, by newsnow id (`bilibili-hot-search`, `cls-hot`, …)
    for p in resou::domain::Platform::ALL {
        let n = all.iter().filter(|l| l.platform == p).count();
        assert_eq!(n, if p == Platform::Kuaishou { 0 } else { 2 }, "{p:?}");
    }
    // ids from newsnow's URLs, kept as strings (Zhihu's exceed 2^53)
    let zhihu = all.iter().find(|l| l.platform == Platform::Zhihu).unwrap();
    assert!(zhihu.items.iter().all(|i| i.id.is_some()));
    assert!(
        zhihu
            .items
            .iter()
            .any(|i| i.id.as_deref().is_some_and(|id| id.len() == 19))
    );
    // Bilibili's search keyword (not its displayed title) is the query
    let bili = all
        .iter()
        .find(|l| l.platform == Platform::Bilibili)
        .unwrap();
    assert!(bili.items.iter().all(|i| i.query.is_some()));
    // a title holding " | " is an item, not a section
    let wscn = all
        .iter()
        .find(|l| l.platform == Platform::WallStreetCn)
        .unwrap();
    assert!(wscn.items.iter().any(|i| i.title.contains(" | ")));
    let tieba = import_paths(&[trendradar()], Some(&[Platform::Tieba])).unwrap();
    assert_eq!(tieba.len(), 2);
    let first = &tieba[0];
    assert_eq!(first.platform, Platform::Tieba);
    assert_eq!(
        first.captured_at,
        DateTime::parse_from_rfc3339("2025-10-15T00:05:00+08:00").unwrap()
    );
    assert_eq!(first.items.len(), 30);
    assert_eq!(first.items[0].title, "IG王朝崩塌,不敌T1止步入围赛!");
    let url = first.items[0].url.as_deref().unwrap();
    assert_eq!(
        url,
        "https://tieba.baidu.com/hottopic/browse/hottopic?topic_id=28345790&topic_name=IG%E7%8E%8B%E6%9C%9D%E5%B4%A9%E5%A1%8C%2C%E4%B8%8D%E6%95%8CT1%E6%AD%A2%E6%AD%A5%E5%85%A5%E5%9B%B4%E8%B5%9B%21"
    );
    assert!(
        tieba
            .iter()
            .flat_map(|l| &l.items)
            .all(|i| !i.url.as_deref().unwrap().contains("&amp;"))
    );

    let weibo: Vec<_> = all
        .iter()
        .filter(|l| l.platform == Platform::Weibo)
        .collect();
    assert_eq!(weibo[0].items[0].title, "国乒男团0比2日本");
    assert_eq!(
        weibo[0].items[0].query.as_deref(),
        Some("#国乒男团0比2日本#")
    );
    assert_eq!(
        weibo[0].items[0].label.as_deref(),
        Some("新"),
        "flag=1 in the MOBILE link"
    );
    assert_eq!(weibo[0].items[1].label, None, "flag=0");
}

#[test]
fn directories_are_walked_sorted_and_unknown_files_skipped() {
    // The fixture tree also holds NOTES.md, which a directory walk skips.
    let all = import_paths(&[fixtures()], None).unwrap();
    assert_eq!(all.len(), 2 + 2 + 2 + 22);
    assert!(
        all.windows(2)
            .all(|w| (w[0].captured_at, w[0].platform) <= (w[1].captured_at, w[1].platform))
    );
    let weibo_only = import_paths(&[fixtures()], Some(&[Platform::Weibo])).unwrap();
    assert_eq!(weibo_only.len(), 8);

    let err = import_paths(&[fixtures().join("NOTES.md")], None).unwrap_err();
    assert!(matches!(err, ImportError::UnknownLayout { .. }));
    assert!(err.to_string().contains("NOTES.md"), "{err}");
}

#[test]
fn broken_archive_errors_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("api/2026-08-15");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("07.json");
    std::fs::write(&bad, "[{\"title\": \"x\",\n  \"hot\": ").unwrap();
    let err = import_paths(std::slice::from_ref(&bad), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("07.json:2:"), "{err}");
    std::fs::write(&bad, "{\"not\": \"an array\"}").unwrap();
    let err = import_paths(&[tmp.path().to_path_buf()], None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("07.json") && err.contains("array"), "{err}");
}

#[test]
fn jsonl_round_trips_plain_and_gzip_and_sanitises_titles() {
    let tmp = tempfile::tempdir().unwrap();
    let lines = import_paths(&[nateafish("00"), nateafish("01")], None).unwrap();
    for name in ["out.jsonl", "out.jsonl.gz"] {
        let p = tmp.path().join(name);
        write_jsonl(&lines, &p).unwrap();
        let bytes = std::fs::read(&p).unwrap();
        assert_eq!(bytes.starts_with(&[0x1f, 0x8b]), name.ends_with(".gz"));
        assert_eq!(read_jsonl(&p).unwrap(), lines);
        // Snapshot files are themselves an import source.
        assert_eq!(import_paths(&[p], None).unwrap(), lines);
    }

    let hostile = tmp.path().join("hostile.jsonl");
    std::fs::write(
        &hostile,
        "{\"captured_at\":\"2026-08-15T12:00:00+08:00\",\"platform\":\"weibo\",\"items\":[{\"rank\":1,\"title\":\"#\\u001b[31m红\\u202e字#\"}]}\n",
    )
    .unwrap();
    let got = import_paths(&[hostile], None).unwrap();
    assert_eq!(got[0].items[0].title, "红字");

    let bad = tmp.path().join("bad.jsonl");
    std::fs::write(&bad, "\n{\"captured_at\":\"2026-08-15T12:00:00+08:00\",\"platform\":\"weibo\",\"items\":[]}\n{oops\n").unwrap();
    let err = read_jsonl(&bad).unwrap_err().to_string();
    assert!(err.contains("bad.jsonl:3:"), "{err}");
}
