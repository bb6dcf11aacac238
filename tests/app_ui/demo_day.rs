//! `--demo-day`: the bundled day of 11 real lists (data/demo/day-2025-10-15.jsonl.gz, see
//! data/demo/README.md), the flag, the demo server and the platforms the TUI then polls.

use std::path::PathBuf;
use std::time::Duration;

use chrono::DateTime;
use clap::Parser;
use resou::cli::Cli;
use resou::commands::common::{Overrides, Served, effective_sources};
use resou::commands::replay::{Replay, Source, requested, start};
use resou::config::Config;
use resou::domain::Platform;
use resou::domain::snapshot_file::SnapshotLine;
use resou::replay::{DemoDay, align_to, demo_data};

const DAY_PLATFORMS: [Platform; 11] = [
    Platform::Weibo,
    Platform::Tieba,
    Platform::Baidu,
    Platform::Douyin,
    Platform::Zhihu,
    Platform::Toutiao,
    Platform::Bilibili,
    Platform::ThePaper,
    Platform::Cls,
    Platform::Ifeng,
    Platform::WallStreetCn,
];

fn day() -> Vec<SnapshotLine> {
    DemoDay::Day20251015.lists().expect("bundled day loads")
}

fn at(hm: &str) -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(&format!("2025-10-15T{hm}:00+08:00")).unwrap()
}

fn list<'a>(lines: &'a [SnapshotLine], p: Platform, hm: &str) -> &'a SnapshotLine {
    lines
        .iter()
        .find(|l| l.platform == p && l.captured_at == at(hm))
        .unwrap_or_else(|| panic!("no {p:?} list at {hm}"))
}

#[test]
fn the_day_holds_46_lists_of_each_of_its_11_platforms_on_one_clock() {
    let lines = day();
    assert_eq!(lines.len(), 46 * 11);
    for p in Platform::ALL {
        let n = lines.iter().filter(|l| l.platform == p).count();
        let expected = if p == Platform::Kuaishou { 0 } else { 46 };
        assert_eq!(n, expected, "{p:?}");
    }
    assert_eq!(lines.first().unwrap().captured_at, at("00:05"));
    assert_eq!(lines.last().unwrap().captured_at, at("23:35"));
    assert!(
        lines
            .windows(2)
            .all(|w| w[0].captured_at <= w[1].captured_at)
    );
    // One real day: every capture time carries all 11 lists.
    let mut times: Vec<_> = lines.iter().map(|l| l.captured_at).collect();
    times.dedup();
    assert_eq!(times.len(), 46);
    for t in times {
        let at_t: Vec<Platform> = lines
            .iter()
            .filter(|l| l.captured_at == t)
            .map(|l| l.platform)
            .collect();
        assert_eq!(at_t, DAY_PLATFORMS.to_vec(), "{t}");
    }
}

#[test]
fn list_lengths_are_newsnow_s_cuts_and_ranks_are_dense() {
    let lines = day();
    let size = |p: Platform| match p {
        Platform::Zhihu | Platform::ThePaper => 20,
        Platform::Cls => 13,
        Platform::Ifeng => 12,
        Platform::WallStreetCn => 10,
        _ => 30,
    };
    for l in &lines {
        let hm = l.captured_at.format("%H:%M").to_string();
        // The archive has 29 Tieba topics in two files (more-sources.md §0).
        let expected = if l.platform == Platform::Tieba && (hm == "16:40" || hm == "17:05") {
            29
        } else {
            size(l.platform)
        };
        assert_eq!(l.items.len(), expected, "{:?} at {hm}", l.platform);
        let ranks: Vec<Option<u32>> = l.items.iter().map(|i| i.rank).collect();
        let dense: Vec<Option<u32>> = (1..=l.items.len() as u32).map(Some).collect();
        assert_eq!(ranks, dense, "{:?} at {hm}", l.platform);
        assert!(l.items.iter().all(|i| !i.pinned && i.heat.is_none()));
    }
}

#[test]
fn ids_are_kept_as_strings_from_the_urls() {
    let lines = day();
    // Row 1 of each list in 00时05分.txt.
    let first = |p| list(&lines, p, "00:05").items[0].id.clone();
    // 19 digits, above 2^53: exact only as a string.
    assert_eq!(
        first(Platform::Zhihu).as_deref(),
        Some("1961375305324258616")
    );
    assert_eq!(
        first(Platform::Toutiao).as_deref(),
        Some("7560286464370950183")
    );
    assert_eq!(first(Platform::Douyin).as_deref(), Some("2269583"));
    assert_eq!(first(Platform::Tieba).as_deref(), Some("28345790"));
    assert_eq!(first(Platform::ThePaper).as_deref(), Some("31771906"));
    assert_eq!(first(Platform::Cls).as_deref(), Some("2169344"));
    assert_eq!(first(Platform::Ifeng).as_deref(), Some("8nRiUAS5uTy"));
    assert_eq!(first(Platform::WallStreetCn).as_deref(), Some("3757142"));
    // Their links carry no id.
    for p in [Platform::Weibo, Platform::Baidu, Platform::Bilibili] {
        assert!(
            lines
                .iter()
                .filter(|l| l.platform == p)
                .all(|l| l.items.iter().all(|i| i.id.is_none()))
        );
    }
    for p in [
        Platform::Tieba,
        Platform::Douyin,
        Platform::Zhihu,
        Platform::Toutiao,
    ] {
        assert!(
            lines
                .iter()
                .filter(|l| l.platform == p)
                .all(|l| l.items.iter().all(|i| i.id.is_some()))
        );
    }
}

#[test]
fn the_fireworks_story_sits_at_its_archived_ranks() {
    let lines = day();
    let rank_of = |p, hm, title: &str| {
        list(&lines, p, hm)
            .items
            .iter()
            .find(|i| i.title == title)
            .and_then(|i| i.rank)
    };
    assert_eq!(
        rank_of(Platform::Weibo, "16:06", "蔡国强烟花秀调查情况"),
        None
    );
    assert_eq!(
        rank_of(Platform::Weibo, "16:40", "蔡国强烟花秀调查情况"),
        Some(4)
    );
    assert_eq!(
        rank_of(Platform::Weibo, "17:05", "蔡国强烟花秀调查情况"),
        Some(1)
    );
    assert_eq!(
        rank_of(Platform::Baidu, "16:40", "蔡国强烟花秀事件通报：多人被免职"),
        Some(1)
    );
    assert_eq!(
        rank_of(
            Platform::Zhihu,
            "17:05",
            "官方通报「蔡国强烟花秀」事件调查核查情况，影响草地超 30 公顷，多人被免职，还有哪些信息值得关注？"
        ),
        Some(2)
    );
}

#[test]
fn the_bundled_day_equals_the_verbatim_archive_files() {
    // The two files of the day kept verbatim in tests/fixtures/archives (see NOTES.md there).
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/archives/uncleblue+TrendRadar/output/2025年10月15日/txt");
    let archived = resou::import::import_paths(&[dir], None).unwrap();
    assert_eq!(archived.len(), 2 * 11);
    let lines = day();
    for a in &archived {
        let bundled = lines
            .iter()
            .find(|l| l.platform == a.platform && l.captured_at == a.captured_at)
            .unwrap();
        assert_eq!(bundled, a, "{:?} at {}", a.platform, a.captured_at);
    }
}

#[test]
fn the_default_demo_day_is_unchanged() {
    let d = demo_data().unwrap();
    let mut expected = [d.weibo.clone(), align_to(&d.weibo, &d.tieba)].concat();
    expected.sort_by_key(|l| (l.captured_at, l.platform));
    assert_eq!(DemoDay::Day20260815.lists().unwrap(), expected);
}

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("resou").chain(args.iter().copied()))
}

#[test]
fn demo_day_flag_picks_a_bundled_day_and_implies_the_demo() {
    let source = |args: &[&str]| requested(&parse(args).unwrap()).map(|r| r.source);
    assert_eq!(
        source(&["--demo-day", "2025-10-15"]),
        Some(Source::Demo(DemoDay::Day20251015))
    );
    assert_eq!(
        source(&["--demo", "--demo-day", "2026-08-15"]),
        Some(Source::Demo(DemoDay::Day20260815))
    );
    assert_eq!(
        source(&["--demo"]),
        Some(Source::Demo(DemoDay::Day20260815))
    );
    assert_eq!(source(&[]), None);

    let err = parse(&["--demo-day", "2025-10-16"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("2025-10-16"), "{err}");
    for d in DemoDay::ALL {
        assert!(err.contains(d.date()), "{err}");
    }
}

/// A step far longer than the test, so the wall clock stays on the first list.
const STILL: Duration = Duration::from_secs(3600);

#[tokio::test]
async fn the_server_serves_every_list_of_the_day_and_says_what_is_real() {
    let replay = Replay {
        source: Source::Demo(DemoDay::Day20251015),
        step: STILL,
    };
    let running = start(&replay).await.unwrap();
    assert_eq!(running.platforms, DAY_PLATFORMS.to_vec());
    let origin = running.server.origin();
    assert_eq!(
        running.banner,
        format!("DEMO · 2025-10-15 · 11 real lists replayed · heat derived from rank · {origin}")
    );
    let lines = day();
    for p in DAY_PLATFORMS {
        let served = running.server.current(p).unwrap_or_else(|| panic!("{p:?}"));
        assert_eq!(&served, list(&lines, p, "00:05"), "{p:?}");
    }
    assert_eq!(running.server.current(Platform::Kuaishou), None);
    let served = running.served();
    assert_eq!(served.origin, origin);
    assert_eq!(served.step, STILL);
    assert_eq!(served.platforms, DAY_PLATFORMS.to_vec());
}

#[tokio::test]
async fn the_default_demo_still_serves_weibo_and_tieba_under_its_banner() {
    let replay = Replay {
        source: Source::Demo(DemoDay::Day20260815),
        step: STILL,
    };
    let running = start(&replay).await.unwrap();
    assert_eq!(running.platforms, vec![Platform::Weibo, Platform::Tieba]);
    assert_eq!(
        running.banner,
        format!(
            "DEMO · archived Weibo 2026-08-15 + Tieba 2025-10-15 replayed on the same clock · {}",
            running.server.origin()
        )
    );
}

#[test]
fn a_replay_is_polled_on_exactly_the_platforms_it_serves() {
    let cfg = Config::default();
    assert!(cfg.general.platforms.contains(&Platform::Kuaishou));
    let served = || Served {
        origin: "http://127.0.0.1:9".into(),
        step: Duration::from_secs(5),
        platforms: DAY_PLATFORMS.to_vec(),
    };
    let none = Overrides::new(None, None, None).unwrap();
    let s = effective_sources(&cfg, &none, Some(served()));
    assert_eq!(s.platforms, DAY_PLATFORMS.to_vec());
    assert_eq!(s.net.origin.as_deref(), Some("http://127.0.0.1:9"));
    assert_eq!(s.interval, Duration::from_secs(5));

    // --platform narrows what is served; a platform the replay lacks is not polled.
    let some = Overrides::new(
        None,
        Some(vec![Platform::Zhihu, Platform::Kuaishou, Platform::Weibo]),
        None,
    )
    .unwrap();
    let s = effective_sources(&cfg, &some, Some(served()));
    assert_eq!(s.platforms, vec![Platform::Weibo, Platform::Zhihu]);

    // Live: the config's platforms, as before.
    let s = effective_sources(&cfg, &none, None);
    assert_eq!(s.platforms, cfg.general.platforms);
}
