//! Bounded resources (issues #7 and 18), short span: the soak harness of `examples/soak.rs`
//! for 30 simulated hours of the eleven lists on their schedules (1,800 polls each of Weibo
//! and Tieba, 360 of each other list; hourly drill-downs through the real fetchers, the real
//! analysis worker with the events grouper and the list dynamics, the real history service).
//! RSS stays under [`RSS_LIMIT_MB`], file descriptors end where they were after warm-up, and
//! the in-memory maps stay within their caps and stop growing once the lists they follow
//! repeat.

use crate::soak_support;

use soak_support::{Sample, SoakOptions};

/// A map size read off a sample.
type Size = fn(&Sample) -> usize;

/// The budget of issues 7 and 18: 80 MB. These 30 simulated hours of all eleven lists end at
/// ~66 MB in a debug build (BENCHMARKS.md, "Every list (issue 18)"; the 30-day release run is
/// the figure that counts), so the limit fails on growth well before a month would.
const RSS_LIMIT_MB: f64 = 80.0;

#[test]
fn thirty_simulated_hours_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SoakOptions {
        // A day, then six hours of the next (whose lower ranks are new topics again).
        minutes: 1440 + 360,
        sample_every: 360,
        drill_every: 60,
        dir: dir.path().to_path_buf(),
        server: soak_support::ServerPlace::InProcess,
    };
    let samples =
        soak_support::run(&opts, |s| eprintln!("{}", s.csv())).unwrap_or_else(|e| panic!("{e}"));
    let lists = soak_support::Lists::new(resou::domain::now_cst());
    assert_eq!(lists.schedule().len(), 11, "{:?}", lists.schedule());
    // Topics on all boards at once.
    let board_topics = lists.max_listed();
    let last = samples.last().unwrap();
    assert_eq!(
        last.polls,
        lists.polls_in(opts.minutes),
        "every poll handled"
    );
    assert_eq!(last.views, 2 * opts.minutes / 60, "drill-downs opened");
    assert!(last.pages > last.views, "pages loaded: {}", last.pages);

    for s in &samples {
        assert!(
            s.rss_mb < RSS_LIMIT_MB,
            "RSS {:.1} MB at minute {}",
            s.rss_mb,
            s.minute
        );
        // Maps that follow the boards hold only what is listed now.
        assert!(
            s.series <= board_topics,
            "series {} at {}",
            s.series,
            s.minute
        );
        assert!(
            s.first_seen <= board_topics,
            "first_seen {} at {}",
            s.first_seen,
            s.minute
        );
        // Capped ones never pass their caps.
        assert!(s.topic_details <= resou::app::update::MAX_TOPIC_DETAILS);
        assert!(s.times <= resou::app::history::MAX_TIMES);
        assert!(s.triage <= resou::triage::MAX_TOPICS);
        assert!(s.analysis.kols <= resou::analysis::engine::MAX_KOLS);
    }

    // Warm-up: the first drill-downs and topic pages have been fetched, the caches filled.
    let warm = samples.iter().find(|s| s.minute >= 360).unwrap();
    assert!(
        last.fds.abs_diff(warm.fds) <= 2,
        "fds after warm-up {} → at the end {}",
        warm.fds,
        last.fds
    );

    // Day two replays day one's lists under new names (Weibo's and Tieba's lower ranks, every
    // title of the other nine lists): whatever is
    // bounded by what is listed, discovered or tracked must not be larger on day two than on
    // day one, while what follows every topic seen (triage, cached titles) does grow.
    let day = |d: u64| {
        samples
            .iter()
            .filter(move |s| s.minute > d * 1440 && s.minute <= (d + 1) * 1440)
    };
    let peak = |d: u64, f: Size| day(d).map(f).max().unwrap_or(0);
    let bounded: [(&str, Size); 8] = [
        ("topic pages", |s| s.topic_details),
        ("KOLs", |s| s.analysis.kols),
        ("tracked terms", |s| s.analysis.tracked_terms),
        ("series", |s| s.series),
        ("first seen", |s| s.first_seen),
        ("live events", |s| s.events),
        ("event titles", |s| s.event_members),
        ("largest event", |s| s.largest_event),
    ];
    for (name, f) in bounded {
        let (one, two) = (peak(0, f), peak(1, f));
        assert!(one > 0, "{name}: nothing on day one");
        assert!(
            two <= one,
            "{name} still growing: day one peak {one}, day two peak {two}"
        );
    }
}
