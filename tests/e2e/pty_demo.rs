//! End to end: the built binary in a pseudo-terminal with `--demo`, as a user runs it.
//! Waits (with deadlines) for screen conditions; never sleeps as synchronisation.

use crate::support;

use std::time::Duration;

use support::pty::Session;

/// A replay server in this process with the demo's Weibo day, on a manual clock; keep the
/// runtime alive as long as the server.
fn weibo_server() -> (tokio::runtime::Runtime, resou::replay::ReplayServer) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let data = resou::replay::demo_data().expect("demo data");
    let server = rt.block_on(support::replay(data.weibo, Vec::new()));
    (rt, server)
}

fn has_board(screen: &str) -> bool {
    // Real titles from both platforms: CJK text on many rows, both platform tags present.
    let cjk_rows = screen
        .lines()
        .filter(|l| {
            l.chars()
                .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
                .count()
                >= 4
        })
        .count();
    cjk_rows >= 20 && screen.contains("微博") && screen.contains("贴吧")
}

#[test]
fn demo_shows_real_titles_help_and_quits_cleanly() {
    let mut s = Session::start(&["--demo", "--demo-speed", "1"], 120, 35);
    s.wait_for(
        "≥ 20 rows of real titles from both platforms",
        Duration::from_secs(30),
        has_board,
    );
    // The board updates by itself as the replay clock advances: the rows themselves change
    // (header and status lines excluded — their clocks tick every second anyway).
    let body = |sc: &str| {
        sc.lines()
            .skip(2)
            .take(28)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let first = body(&s.screen());
    s.wait_for(
        "the rows to change with the next archived list",
        Duration::from_secs(30),
        |now| body(now) != first && has_board(now),
    );
    s.press(b"?");
    s.wait_for("the help popup", Duration::from_secs(10), |sc| {
        sc.contains("Pause/resume polling")
    });
    s.press(b"?"); // q would type into the help filter
    s.wait_for("the popup to close", Duration::from_secs(10), |sc| {
        !sc.contains("Pause/resume polling")
    });
    s.press(b"q");
    let status = s.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "exit status {status:?}");
    s.assert_restored();
    // Logs went to the XDG state dir, not the terminal.
    let log = std::fs::read_to_string(s.dir.path().join("resou/resou.log"))
        .expect("log file in $XDG_STATE_HOME/resou");
    assert!(log.contains("starting resou"), "{log}");
    assert!(!String::from_utf8_lossy(&s.raw).contains("starting resou"));
}

#[test]
fn sigterm_sighup_sigint_restore_the_terminal_and_flush_the_store() {
    for sig in ["-TERM", "-HUP", "-INT"] {
        let store = tempfile::tempdir().unwrap();
        let db = store.path().join("history.sqlite3");
        let db_arg = db.display().to_string();
        let mut s = Session::start(
            &["--demo", "--demo-speed", "1", "--store", &db_arg],
            100,
            30,
        );
        // (the tab bar names both lists from the start; the status bar says when they arrived)
        s.wait_for("the board", Duration::from_secs(30), |sc| {
            sc.contains("Weibo ✓ ") && sc.contains("Tieba ✓ ")
        });
        // The last frame before the signal (the restored terminal shows nothing after it).
        let screen = s.screen();
        let pid = s.child.process_id().expect("pid");
        let ok = std::process::Command::new("kill")
            .arg(sig)
            .arg(pid.to_string())
            .status()
            .expect("kill");
        assert!(ok.success());
        let _status = s.wait_exit(Duration::from_secs(10));
        s.assert_restored();
        // Every list the app showed is on disk, whatever signal ended it: the stored latest
        // list of each platform is at least as new as the one in the status bar.
        use resou::store::HistoryStore as _;
        let store = resou::store::Store::open(&db).expect("store opens after the signal");
        let far = resou::domain::from_unix(i32::MAX as i64).unwrap();
        for (p, name) in [
            (resou::domain::Platform::Weibo, "Weibo ✓ "),
            (resou::domain::Platform::Tieba, "Tieba ✓ "),
        ] {
            let shown: String = screen
                .split(name)
                .nth(1)
                .unwrap_or_else(|| panic!("{sig}: no {name} in the status bar:\n{screen}"))
                .chars()
                .take(11)
                .collect();
            let last = store
                .snapshot_at(p, far)
                .unwrap()
                .unwrap_or_else(|| panic!("{sig}: no {p} list stored"));
            let stored = last.captured_at.format("%m-%d %H:%M").to_string();
            assert!(stored >= shown, "{sig}: {p} stored {stored}, shown {shown}");
        }
    }
}

/// The crash report's path, from the log line the panic hook appends.
fn report_path(s: &Session) -> std::path::PathBuf {
    let log = std::fs::read_to_string(s.dir.path().join("resou/resou.log")).expect("log");
    let line = log
        .lines()
        .find(|l| l.contains("resou::crash: panic"))
        .unwrap_or_else(|| panic!("no panic line in the log:\n{log}"));
    std::path::PathBuf::from(line.rsplit("report: ").next().unwrap().trim())
}

#[test]
fn a_panic_on_the_ui_or_a_worker_thread_restores_the_terminal_and_leaves_a_report() {
    for (point, thread) in [("ui", "main"), ("worker", "resou-analysis")] {
        let mut s = Session::start_env(
            &["--demo", "--demo-speed", "1"],
            &[
                ("RESOU_DEBUG_PANIC", point),
                ("RESOU_WEIBO_COOKIE", "SUB=_2A25secretcookievalue"),
            ],
            100,
            30,
        );
        let status = s.wait_exit(Duration::from_secs(30));
        assert_eq!(status.exit_code(), 101, "{point}");
        s.assert_restored();
        let report = report_path(&s);
        assert!(
            report.starts_with(s.dir.path()),
            "{report:?} is in the state dir"
        );
        let text = std::fs::read_to_string(&report).expect("report file");
        assert!(
            text.contains(&format!("RESOU_DEBUG_PANIC={point}")),
            "{text}"
        );
        assert!(
            text.contains(&format!("thread: {thread}")),
            "{point}: {text}"
        );
        let raw = String::from_utf8_lossy(&s.raw);
        assert!(
            raw.contains("report: "),
            "{point}: the report path is printed after restoring"
        );
        for f in [report, s.dir.path().join("resou/resou.log")] {
            let t = std::fs::read_to_string(&f).unwrap();
            assert!(!t.contains("secretcookievalue"), "{f:?} holds the cookie");
        }
    }
}

#[test]
fn a_panic_in_a_poll_task_is_a_failed_poll_and_the_app_goes_on() {
    let mut s = Session::start_env(
        &["--demo", "--demo-speed", "1"],
        &[("RESOU_DEBUG_PANIC", "task")],
        120,
        30,
    );
    s.wait_for(
        "the failed poll in the status bar",
        Duration::from_secs(30),
        |sc| sc.contains("internal error while polling"),
    );
    let text = std::fs::read_to_string(report_path(&s)).expect("report");
    assert!(text.contains("thread: resou-task"), "{text}");
    s.press(b"q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
    s.assert_restored();
}

#[test]
fn too_small_terminal_says_so_instead_of_panicking() {
    let mut s = Session::start(&["--demo"], 30, 8);
    s.wait_for("the size message", Duration::from_secs(20), |sc| {
        sc.contains("too small")
    });
    s.press(b"\x03"); // ctrl-c: raw mode delivers it as a key, which quits
    assert!(s.wait_exit(Duration::from_secs(10)).success());
    s.assert_restored();
}

#[test]
fn live_mode_via_origin_persists_keyword_baselines_on_quit() {
    // A replay server in this process stands in for the platforms; the binary runs in live
    // mode with --origin pointing at it, exactly as a user would point it at any host.
    let (_rt, server) = weibo_server();
    let origin = server.origin();
    let mut s = Session::start(
        &[
            "--origin",
            &origin,
            "--platform",
            "weibo",
            "--interval",
            "3600",
        ],
        120,
        35,
    );
    s.wait_for("the live board", Duration::from_secs(30), |sc| {
        sc.contains("微博") && sc.contains("via weibo.com/ajax")
    });
    assert!(!s.screen().contains("DEMO"), "live mode, not the demo");
    s.press(b"q");
    assert!(s.wait_exit(Duration::from_secs(20)).success());
    s.assert_restored();
    let state = s.dir.path().join("resou/detector.json");
    let json =
        std::fs::read_to_string(&state).expect("detector state saved in $XDG_DATA_HOME/resou");
    assert!(
        json.contains("旺旺") || json.len() > 1000,
        "baselines for real terms"
    );
    drop(server);
}

/// The selected board row (the one drawn reversed is not visible in text; the status bar's
/// `i/N` position names it).
fn position(screen: &str) -> Option<String> {
    let last = screen.lines().rev().find(|l| !l.trim().is_empty())?;
    last.split_whitespace()
        .find(|w| w.contains('/') && w.split('/').all(|p| p.parse::<u32>().is_ok()))
        .map(str::to_string)
}

#[test]
fn demo_drill_down_reads_posts_and_comments_and_comes_back() {
    // A slow replay: the board still refreshes, but the test is about the views.
    let mut s = Session::start(&["--demo", "--demo-speed", "30"], 120, 40);
    s.wait_for("the board", Duration::from_secs(20), has_board);
    s.press(b"2"); // Weibo only
    s.press(b"j"); // rank 1
    s.wait_for("rank 1 selected", Duration::from_secs(5), |sc| {
        position(sc).as_deref() == Some("2/51")
    });
    let board = s.screen();
    let title_row = board
        .lines()
        .find(|l| l.trim_start().starts_with("1 "))
        .expect("rank 1 row")
        .to_string();
    let title: String = title_row
        .split_whitespace()
        .nth(2)
        .expect("title cell")
        .to_string();

    // Enter: the topic's real posts, with author lines and the breadcrumb.
    s.press(b"\r");
    s.wait_for("posts", Duration::from_secs(20), |sc| {
        sc.contains(&format!("› #{title}#")) && sc.contains(" posts") && sc.contains("1/")
    });
    let posts = s.screen();
    assert!(posts.contains("实时"), "tab switch shown:\n{posts}");

    // Enter on the first post: its comments under the post itself.
    s.press(b"\r");
    s.wait_for("comments", Duration::from_secs(20), |sc| {
        sc.contains("› comments") && sc.contains(" comments") && !sc.contains("loading comments")
    });

    // y copies the selected comment's link: an OSC 52 sequence on the raw stream.
    let before = s.raw.len();
    s.press(b"y");
    s.wait_for("the copy notice", Duration::from_secs(5), |sc| {
        sc.contains("link copied (OSC 52)")
    });
    let out = String::from_utf8_lossy(&s.raw[before..]).to_string();
    let start = out.find("\x1b]52;c;").expect("OSC 52 written");
    let end = out[start..].find('\x07').expect("terminated by BEL") + start;
    let b64 = &out[start + 7..end];
    assert!(
        !b64.is_empty()
            && b64
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
    );
    // "https://m.weibo.cn/" encodes to this prefix.
    assert!(b64.starts_with("aHR0cHM6Ly9tLndlaWJvLmNu"), "{b64}");

    // Esc Esc: back to the posts, then the board on the same row.
    s.press(b"\x1b");
    s.wait_for("posts again", Duration::from_secs(5), |sc| {
        !sc.contains("› comments") && sc.contains(&format!("› #{title}#"))
    });
    s.press(b"\x1b");
    s.wait_for("the board again", Duration::from_secs(5), |sc| {
        !sc.contains('›') && position(sc).as_deref() == Some("2/51")
    });
    s.press(b"q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
    s.assert_restored();
}

#[test]
fn drill_down_faults_show_in_the_view_and_r_recovers() {
    let (_rt, server) = weibo_server();
    server.set_fault(
        resou::replay::Route::WeiboPosts,
        resou::replay::Fault::Status(432),
    );
    let origin = server.origin();
    let args = [
        "--origin",
        &origin,
        "--platform",
        "weibo",
        "--interval",
        "3600",
    ];
    let mut s = Session::start(&args, 100, 30);
    s.wait_for("the live board", Duration::from_secs(30), |sc| {
        sc.contains("via weibo.com/ajax")
    });
    s.press(b"j\r");
    s.wait_for("the fault in the view", Duration::from_secs(20), |sc| {
        sc.contains("HTTP 432") && sc.contains("r retries")
    });
    // The UI still answers: the help popup opens and closes.
    s.press(b"?");
    s.wait_for("help", Duration::from_secs(5), |sc| {
        sc.contains("Reload this view")
    });
    s.press(b"?");
    server.clear_faults();
    s.press(b"r");
    s.wait_for("posts after the retry", Duration::from_secs(20), |sc| {
        sc.contains(" posts") && sc.contains("1/") && !sc.contains("HTTP 432")
    });
    s.press(b"q");
    s.press(b"q");
    assert!(s.wait_exit(Duration::from_secs(20)).success());
    s.assert_restored();
    drop(server);
}

#[test]
fn demo_pinyin_search_flag_and_export() {
    let mut s = Session::start(&["--demo", "--demo-speed", "30"], 120, 40);
    s.wait_for("the board", Duration::from_secs(20), has_board);
    // 旺旺都不好卖了 by its pinyin initials, typed without an IME.
    s.press(b"/wwdbh");
    s.wait_for(
        "the search to narrow the board",
        Duration::from_secs(10),
        |sc| sc.contains("/wwdbh") && sc.contains("旺旺都不好卖了") && !sc.contains("台风白海豚"),
    );
    s.press(b"\r");
    s.press(b"f");
    s.wait_for("the flag", Duration::from_secs(5), |sc| {
        sc.contains("flagged")
    });
    s.press(b"e");
    s.wait_for("the export notice", Duration::from_secs(10), |sc| {
        sc.contains("exported 1")
    });
    let dir = s.dir.path().join("resou/exports");
    let file = std::fs::read_dir(&dir)
        .expect("exports dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .expect("a Markdown export");
    let text = std::fs::read_to_string(&file).expect("export readable");
    assert!(text.contains("旺旺都不好卖了"), "{text}");
    assert!(
        text.starts_with('|') || text.starts_with('#'),
        "Markdown: {text}"
    );
    // esc clears the search (waited for: esc then q at once would read as alt-q).
    s.press(b"\x1b");
    s.wait_for("the whole board again", Duration::from_secs(10), |sc| {
        sc.contains("台风白海豚") && sc.contains("⚑ 旺旺都不好卖了")
    });
    s.press(b"q");
    assert!(s.wait_exit(Duration::from_secs(20)).success());
    s.assert_restored();
    // The flag survives a restart (triage state in the XDG data dir).
    let triage =
        std::fs::read_to_string(s.dir.path().join("resou/triage-demo.json")).expect("triage saved");
    let v: serde_json::Value = serde_json::from_str(&triage).expect("triage is JSON");
    let entry = &v["topics"]["weibo:旺旺都不好卖了"];
    assert_eq!(entry["flagged"], serde_json::Value::Bool(true), "{entry}");
    assert!(v["last_look"].is_string(), "the look ended at quit");
}

/// The second demo day (issue 18): all 11 real lists of 2025-10-15 on one clock, the events
/// view with the 蔡国强 fireworks story in its propagation order, and nothing overflowing at
/// 80×24.
#[test]
fn demo_day_2025_10_15_shows_every_list_and_the_fireworks_story_across_platforms() {
    let mut s = Session::start(
        &["--demo", "--demo-day", "2025-10-15", "--demo-speed", "1.5"],
        120,
        35,
    );
    s.wait_for("all 11 lists polled", Duration::from_secs(60), |sc| {
        sc.contains("11 ✓")
            && ["微博", "百度", "抖音", "知乎", "头条", "B站", "澎湃"]
                .iter()
                .all(|t| sc.contains(t))
    });
    assert!(
        s.screen().contains("2025-10-15"),
        "the banner names the day"
    );
    // The story reaches the lists at 16:40 (the 33rd of 46 snapshots); its event then spans
    // Weibo, Baidu, Douyin, Toutiao and Bilibili at once, and the view lists stories by
    // platforms present.
    s.press(b"E");
    s.wait_for(
        "the fireworks story in the events view, first seen on five lists in order",
        Duration::from_secs(180),
        |sc| {
            let lines: Vec<&str> = sc.lines().collect();
            lines.windows(2).any(|w| {
                w[0].contains("蔡国强")
                    && w[1].matches(" → ").count() >= 4
                    && w[1].contains("微博")
                    && w[1].contains("抖音")
            })
        },
    );
    // q steps back out of the view first, then quits
    s.press(b"q");
    s.wait_for("the board again", Duration::from_secs(10), |sc| {
        !sc.contains(" events · ")
    });
    s.press(b"q");
    let status = s.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "exit status {status:?}");
    s.assert_restored();

    // At 80×24 the tab bar and the status bar fit, with every list polled.
    let mut s = Session::start(
        &["--demo", "--demo-day", "2025-10-15", "--demo-speed", "1"],
        80,
        24,
    );
    s.wait_for("all 11 lists at 80×24", Duration::from_secs(60), |sc| {
        sc.contains("11 ✓")
    });
    let screen = s.screen();
    for line in screen.lines() {
        assert!(
            resou::ui::text::display_width(line.trim_end()) <= 80,
            "overflow: {line}"
        );
    }
    s.press(b"q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
}

/// A failed team alert delivery already in the store is read at start: the status bar marks
/// it, `D` lists it with its error, `esc` closes the list.
#[test]
fn a_failed_delivery_in_the_store_shows_in_the_status_bar_and_under_d() {
    use resou::store::{HistoryStore as _, NewPush, PushState, PushUpdate};
    let store = tempfile::tempdir().unwrap();
    let db = store.path().join("history.sqlite3");
    {
        let now = resou::domain::now_cst();
        let mut s = resou::store::Store::open(&db).expect("store");
        let id = s
            .enqueue_push(&NewPush {
                channel: "wecom-ops".into(),
                rule: "品牌负面".into(),
                tier: "red".into(),
                title: "某品牌配料表争议".into(),
                message: "{}".into(),
                created_at: now,
                next_at: now,
            })
            .expect("enqueue");
        s.update_push(
            id,
            &PushUpdate {
                state: PushState::Failed,
                parts_done: 0,
                attempts: 1,
                last_error: Some("errcode 93000: invalid webhook url".into()),
                next_at: now,
                updated_at: now,
            },
        )
        .expect("update");
    }
    let db_arg = db.display().to_string();
    let mut s = Session::start(
        &["--demo", "--demo-speed", "1", "--store", &db_arg],
        120,
        35,
    );
    s.wait_for("the push mark", Duration::from_secs(30), |sc| {
        sc.contains("push ✗ 1 failed · D")
    });
    s.press(b"D");
    s.wait_for("the deliveries", Duration::from_secs(10), |sc| {
        sc.contains("deliveries — 0 sent · 0 waiting · 1 failed")
            && sc.contains("✗ 红 wecom-ops")
            && sc.contains("└ errcode 93000: invalid webhook url")
    });
    s.press(b"\x1b");
    s.wait_for("the list to close", Duration::from_secs(10), |sc| {
        !sc.contains("deliveries — ") && !sc.contains("push ✗ 1 failed")
    });
    s.press(b"q");
    let status = s.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "exit status {status:?}");
    s.assert_restored();
}

/// The 24 h post count in the brand view's volume line (`声量 24h ▁▂… 33   7d …`).
fn brand_count(screen: &str) -> Option<u32> {
    let line = screen.lines().find(|l| l.contains("声量 24h"))?;
    let after = line.split("声量 24h").nth(1)?;
    let before_week = after.split("7d").next()?;
    before_week.split_whitespace().last()?.parse().ok()
}

#[test]
fn demo_brand_view_fills_with_real_posts_volume_and_tone() {
    let mut s = Session::start(&["--demo", "--demo-speed", "1"], 120, 35);
    s.wait_for("the board", Duration::from_secs(30), has_board);
    s.press(b"B");
    // The demo watches 胖东来 and 旺旺; its searches are answered from the archived real posts
    // created by the demo clock.
    s.wait_for(
        "the brand view with a summary of 胖东来",
        Duration::from_secs(60),
        |sc| {
            sc.contains("[胖东来]")
                && sc.contains("旺旺")
                && sc.contains("情感 24h")
                && brand_count(sc).is_some_and(|n| n > 0)
        },
    );
    let first = brand_count(&s.screen()).unwrap_or(0);
    let screen = s.screen();
    assert!(screen.contains("NSR"), "{screen}");
    assert!(
        screen.contains("search ") && screen.contains("this hour"),
        "{screen}"
    );
    // Posts with a tone mark and an author, mentioning the term.
    assert!(
        screen.lines().any(
            |l| l.contains('@') && (l.contains("正+") || l.contains("中") || l.contains("负-"))
        ),
        "{screen}"
    );
    assert!(screen.contains("胖东来"), "{screen}");
    // It lives: as the demo clock moves, later searches find more of the day's posts.
    s.wait_for(
        "more posts as the demo clock moves",
        Duration::from_secs(120),
        |sc| brand_count(sc).is_some_and(|n| n > first),
    );
    // The other term, then a post's comments and back.
    s.press(b"\t");
    s.wait_for(
        "a post on 旺旺 (its first search may still be ahead)",
        Duration::from_secs(60),
        |sc| sc.contains("[旺旺]") && brand_count(sc).is_some_and(|n| n > 0),
    );
    s.press(b"\r");
    s.wait_for("the post's comments", Duration::from_secs(30), |sc| {
        sc.contains("品牌 旺旺") && sc.contains("comments")
    });
    s.press(b"\x1b");
    s.wait_for("back in the brand view", Duration::from_secs(10), |sc| {
        sc.contains("[旺旺]") && sc.contains("声量 24h")
    });
    s.press(b"q");
    s.press(b"q");
    let status = s.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "exit status {status:?}");
    s.assert_restored();
}
