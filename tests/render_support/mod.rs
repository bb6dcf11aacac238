//! A hand-built `AppState` for render tests and benches, from real hot-list titles
//! (sources in tests/fixtures/ui/NOTES.md).
#![allow(dead_code)] // each test crate and the bench use a different subset

use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use resou::analysis::{Direction, KeywordRow, KolTrend, PanelEntry, PlatformCounts, Trend};
use resou::app::state::{
    AnalysisView, AppState, BoardRow, HelpEntry, Movement, PlatformBoard, Selection, SourceHealth,
    Tab,
};
use resou::domain::{Label, Platform, Snapshot, Topic, cst};
use resou::ui::render;
use resou::ui::text::display_width;

/// Weibo realtime list, 2026-08-15 12:00 (+08:00): (title, heat, label). Row 0 is the pinned row.
/// Labels 沸/爆/商 do not occur that day; three rows carry them to cover every badge.
pub const WEIBO: &[(&str, Option<u64>, &str)] = &[
    ("共绘美丽中国新画卷", None, "热"),
    ("旺旺 配料表", Some(1565465), "新"),
    ("日本 拜鬼", Some(1441128), "热"),
    ("#中国China成为潮流#", Some(1402795), ""),
    ("胖东来首批刑释职工30人无一离职", Some(1377173), "沸"),
    ("终于知道为什么戴眼镜是斜的了", Some(1102408), "爆"),
    ("国乒男单全军覆没", Some(625785), "新"),
    ("网友集体呼吁旺旺减糖", Some(497786), "商"),
    ("牛来", None, ""),
    ("还能活51年却只有21天自由支配的时间", Some(389200), "新"),
    ("陈浚铭踢腿陈思罕刘海飞了", None, "新"),
    ("王嘉尔吃自己的瓜", Some(349150), "热"),
    ("外交部回应日方政要参拜靖国神社", Some(339849), "新"),
    ("曝内娱把热度高的大IP拍完了", Some(321454), "热"),
    ("王传君体脂率25.5%", None, ""),
    ("BLG晒wenbo诊断书回应质疑", Some(182347), "新"),
    ("isa原生家庭", Some(195298), ""),
    ("C罗追平世界纪录", Some(179304), ""),
];

/// Tieba hot topics, 2025-10-15 12:05 (rank order; heat is not in that archive, values invented
/// in the range Tieba's discuss_num shows). The last three titles are synthetic emoji cases.
pub const TIEBA: &[(&str, Option<u64>)] = &[
    ("IG王朝崩塌,不敌T1止步入围赛!", Some(2_310_000)),
    ("神农架奴役残疾人,囚禁11年当牲口", Some(1_870_000)),
    ("腾讯反作弊,反的是绿玩？", Some(954_000)),
    ("战地6战役:大场面遮不住拉跨", Some(611_000)),
    ("每天一个奇吧—植物大战僵尸吧", Some(88_000)),
    ("KSG4:2击败滔博,挺进淘汰赛", Some(9_870)),
    ("🔥国庆出游攻略🔥", Some(45_000)),
    ("👨‍👩‍👧三孩家庭的一天", Some(32_000)),
    ("七夕表白墙❤️", None),
];

/// Keywords as the analysis would report them for these lists; every word occurs in the titles
/// above (家庭 on both platforms, via the synthetic Tieba row). Scores, directions and share
/// histories are constructed, not detector output.
/// (keyword, rising, cross-platform, score, direction, weibo titles, tieba titles, history)
#[allow(clippy::type_complexity)]
pub const KEYWORDS: &[(&str, bool, bool, f64, Direction, u32, u32, &[f32])] = &[
    (
        "旺旺",
        true,
        false,
        5.3,
        Direction::Up,
        2,
        0,
        &[0.0, 0.01, 0.02, 0.05, 0.09, 0.14],
    ),
    (
        "家庭",
        true,
        true,
        4.1,
        Direction::Up,
        1,
        1,
        &[0.01, 0.01, 0.02, 0.03, 0.06],
    ),
    (
        "胖东来",
        true,
        false,
        3.6,
        Direction::Up,
        1,
        0,
        &[0.02, 0.03, 0.03, 0.05, 0.07, 0.08],
    ),
    (
        "潮流",
        true,
        false,
        2.9,
        Direction::Up,
        1,
        0,
        &[0.04, 0.05, 0.05, 0.05],
    ),
    (
        "王传君",
        true,
        false,
        2.4,
        Direction::Up,
        1,
        0,
        &[0.0, 0.0, 0.01, 0.03],
    ),
    (
        "牛来",
        false,
        false,
        1.2,
        Direction::Flat,
        1,
        0,
        &[0.02, 0.02, 0.02, 0.02, 0.02],
    ),
    (
        "日本",
        false,
        false,
        0.8,
        Direction::Down,
        1,
        0,
        &[0.06, 0.05, 0.05, 0.04],
    ),
    (
        "中国",
        false,
        false,
        0.5,
        Direction::Down,
        2,
        0,
        &[0.05, 0.05, 0.04, 0.04, 0.03],
    ),
    (
        "淘汰赛",
        false,
        false,
        0.3,
        Direction::Flat,
        0,
        1,
        &[0.01, 0.01, 0.01],
    ),
];

/// KOLs mentioned by or hosting these topics (constructed: the archives carry no KOL data).
pub const TOPIC_KOLS: &[(&str, &[&str])] = &[
    ("外交部回应日方政要参拜靖国神社", &["人民日报", "央视新闻"]),
    ("国乒男单全军覆没", &["央视新闻"]),
];

pub fn keyword_rows() -> Vec<KeywordRow> {
    KEYWORDS
        .iter()
        .map(
            |&(keyword, rising, cross, score, direction, weibo, tieba, history)| {
                let mut titles = PlatformCounts::default();
                titles.set(Platform::Weibo, weibo);
                titles.set(Platform::Tieba, tieba);
                KeywordRow {
                    keyword: keyword.into(),
                    score,
                    share: history.last().copied().unwrap_or(0.0) as f64,
                    rising,
                    cooling: false,
                    since: rising.then(|| t(11, 42, 0)),
                    cross_platform: cross,
                    rising_on: Default::default(),
                    direction,
                    platforms: titles.platforms(),
                    titles,
                    history: history.to_vec().into(),
                }
            },
        )
        .collect()
}

/// Other terms of the same titles, shown dimmed beside an entry's label (constructed from the
/// titles above).
pub const ENTRY_OTHERS: &[(&str, &[&str])] = &[("旺旺", &["减糖", "呼吁"]), ("胖东来", &["开放"])];

/// The panel's entries for [`KEYWORDS`]: one per keyword, the rising ones since 11:42, 牛来
/// cooling (it was rising), the rest steady.
pub fn keyword_entries() -> Vec<PanelEntry> {
    keyword_rows()
        .into_iter()
        .map(|k| PanelEntry {
            others: ENTRY_OTHERS
                .iter()
                .find(|(l, _)| k.keyword == *l)
                .map(|(_, o)| o.iter().map(|&w| w.into()).collect())
                .unwrap_or_default(),
            trend: if k.rising {
                Trend::Rising
            } else if k.keyword == "牛来" {
                Trend::Cooling
            } else {
                Trend::Steady
            },
            keys: vec![k.keyword.clone()],
            label: k.keyword,
            score: k.score,
            share: k.share,
            since: k.since,
            cross_platform: k.cross_platform,
            rising_on: Default::default(),
            direction: k.direction,
            titles: k.titles,
            platforms: k.platforms,
            history: k.history,
        })
        .collect()
}

pub fn kol_trends() -> Vec<KolTrend> {
    vec![
        KolTrend {
            name: "央视新闻".into(),
            now: 2,
            history: vec![0, 1, 1, 2],
        },
        KolTrend {
            name: "人民日报".into(),
            now: 1,
            history: vec![1, 0, 1, 1],
        },
    ]
}

/// Byte ranges of the rising keywords in `title`, as the app computes them for a row.
pub fn rising_ranges(title: &str) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<_> = KEYWORDS
        .iter()
        .filter(|k| k.1)
        .flat_map(|k| title.match_indices(k.0).map(|(i, m)| i..i + m.len()))
        .collect();
    out.sort_by_key(|r| r.start);
    out
}

/// Highlights and KOL badges on the rows, as the app fills them from the analysis.
pub fn annotate(rows: &mut [BoardRow]) {
    for row in rows {
        let title = row.topic.title.as_str();
        row.highlights = rising_ranges(title);
        row.kols = TOPIC_KOLS
            .iter()
            .find(|(t, _)| title.starts_with(t))
            .map(|(_, k)| k.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default();
    }
}

pub fn t(h: u32, m: u32, s: u32) -> DateTime<FixedOffset> {
    // ok: fixed, valid date in a zone without DST
    cst().with_ymd_and_hms(2026, 8, 15, h, m, s).unwrap()
}

/// Movement cycle so every variant shows near the top of the board.
fn movement(i: usize) -> Movement {
    [
        Movement::New,
        Movement::Up(3),
        Movement::Down(2),
        Movement::Same,
        Movement::Up(12),
        Movement::Down(7),
    ][i % 6]
}

fn weibo_snapshot() -> Snapshot {
    let mut s = Snapshot::new(Platform::Weibo, t(12, 0, 0));
    for (i, (title, heat, label)) in WEIBO.iter().enumerate() {
        let mut topic = Topic::new(Platform::Weibo, Some(i as u32), title);
        topic.heat = *heat;
        topic.label = Label::from_text(label);
        if i == 0 {
            s.pinned.push(topic);
        } else {
            s.ranked.push(topic);
        }
    }
    s.finish()
}

fn tieba_snapshot() -> Snapshot {
    let mut s = Snapshot::new(Platform::Tieba, t(11, 58, 0));
    for (i, (title, heat)) in TIEBA.iter().enumerate() {
        let mut topic = Topic::new(Platform::Tieba, Some(i as u32 + 1), title);
        topic.heat = *heat;
        s.ranked.push(topic);
    }
    s.finish()
}

fn rows_of(s: &Snapshot) -> Vec<BoardRow> {
    let pinned = s.pinned.iter().map(|t| (t, Movement::Pinned));
    let ranked = s.ranked.iter().enumerate().map(|(i, t)| (t, movement(i)));
    pinned
        .chain(ranked)
        .enumerate()
        .map(|(i, (topic, movement))| BoardRow {
            key: topic.key(),
            topic: topic.clone(),
            norm: std::sync::Arc::new(resou::domain::normalize::Normalized::new(
                topic.title.as_str(),
            )),
            movement,
            // Spread over minutes, hours and days so every time-on-list form shows.
            on_list_since: s.captured_at - Duration::minutes([45, 192, 5, 60 * 50][i % 4]),
            data_at: s.captured_at,
            highlights: Vec::new(),
            kols: Vec::new(),
            rising_score: None,
            marks: Default::default(),
            trend: Vec::new(),
            event_platforms: 0,
            dynamics: None,
        })
        .collect()
}

/// Rows for a tab: pinned rows first, then ranked rows interleaved by rank across platforms.
pub fn rows_for(tab: Tab, snaps: &[Snapshot]) -> Vec<BoardRow> {
    let per: Vec<Vec<BoardRow>> = snaps
        .iter()
        .filter(|s| tab.includes(s.platform))
        .map(rows_of)
        .collect();
    let mut rows: Vec<BoardRow> = per
        .iter()
        .flatten()
        .filter(|r| r.topic.pinned)
        .cloned()
        .collect();
    let mut ranked: Vec<&BoardRow> = per.iter().flatten().filter(|r| !r.topic.pinned).collect();
    ranked.sort_by_key(|r| (r.topic.rank, r.topic.platform));
    rows.extend(ranked.into_iter().cloned());
    annotate(&mut rows);
    rows
}

pub fn help_entries() -> Vec<HelpEntry> {
    let e = |mode: &str, keys: &str, desc: &str| HelpEntry {
        mode: mode.into(),
        keys: keys.into(),
        desc: desc.into(),
    };
    vec![
        e("global", "?", "Toggle help"),
        e("global", "q, esc, ctrl-[", "Back; quit at the board"),
        e("global", "ctrl-c", "Quit"),
        e("global", "ctrl-r", "Refresh now"),
        e("global", "p", "Pause/resume polling"),
        e("global", "tab", "Next tab (All · 微博 · 贴吧)"),
        e("list", "j, down", "Select next"),
        e("list", "k, up", "Select previous"),
        e("list", "g g", "Select first"),
        e("list", "G", "Select last"),
        e("list", "pagedown, ctrl-f", "Page down"),
        e("list", "pageup", "Page up"),
        e("list", "enter", "Open topic"),
        e("list", "y", "Copy link"),
    ]
}

/// The board as the demo would show it: both platforms, Tieba failing, a selection, a banner.
pub fn sample_state() -> AppState {
    let weibo = weibo_snapshot();
    let tieba = tieba_snapshot();
    let snaps = [weibo.clone(), tieba.clone()];
    let rows = rows_for(Tab::All, &snaps);
    let selected = rows[2].key.clone();
    let mut state = AppState {
        now: Some(t(12, 3, 20)),
        analysis: AnalysisView {
            ready: true,
            warming_up: false,
            flags_from: None,
            at: Some(t(12, 0, 0)),
            entries: keyword_entries(),
            all_entries: keyword_entries(),
            all_keywords: keyword_rows(),
            kols: kol_trends(),
            warning: None,
            events: Default::default(),
            dynamics: Default::default(),
            row_matchers: Default::default(),
        },
        ..AppState::default()
    };
    state.board.tab = Tab::All;
    state.board.rows = rows;
    state.board.selection = Selection {
        key: Some(selected),
        offset: 0,
        chosen: true,
    };
    state.popups.help = help_entries();
    state.input.pending_keys = "g".into();
    state.status.banner =
        Some("demo: replaying Weibo 2026-08-15, Tieba 2025-10-15 archives".into());
    state.panel.selected = 1;
    state.lists.boards.insert(
        Platform::Weibo,
        PlatformBoard {
            current: Some(weibo),
            ..PlatformBoard::default()
        },
    );
    state.lists.boards.insert(
        Platform::Tieba,
        PlatformBoard {
            current: Some(tieba),
            ..PlatformBoard::default()
        },
    );
    state.lists.health.insert(
        Platform::Weibo,
        SourceHealth {
            enabled: true,
            last_ok: Some(t(12, 3, 0)),
            data_at: Some(t(12, 0, 0)),
            next_poll_at: Some(t(12, 4, 0)),
            endpoint: Some("s.weibo.com"),
            degraded: Some("weibo.com/ajax: HTTP 403".into()),
            ..SourceHealth::default()
        },
    );
    state.lists.health.insert(
        Platform::Tieba,
        SourceHealth {
            enabled: true,
            last_ok: Some(t(11, 58, 0)),
            data_at: Some(t(11, 58, 0)),
            next_poll_at: Some(t(12, 4, 0)),
            endpoint: Some("tieba.baidu.com"),
            error: Some("HTTP 432".into()),
            failures: 3,
            ..SourceHealth::default()
        },
    );
    state
}

/// `n` synthetic Weibo topics (titles cycled from the real ones), for scrolling and benches.
pub fn big_state(n: usize) -> AppState {
    big_state_with(n, false)
}

/// `big_state` with rising keywords highlighted in the titles and KOL badges.
pub fn big_state_highlighted(n: usize) -> AppState {
    big_state_with(n, true)
}

fn big_state_with(n: usize, highlighted: bool) -> AppState {
    let mut state = sample_state();
    let mut s = Snapshot::new(Platform::Weibo, t(12, 0, 0));
    for i in 0..n {
        let (title, heat, label) = WEIBO[1 + i % (WEIBO.len() - 1)];
        let mut topic = Topic::new(Platform::Weibo, Some(i as u32 + 1), &format!("{title} {i}"));
        topic.heat = heat.map(|h| h + i as u64);
        topic.label = Label::from_text(label);
        s.ranked.push(topic);
    }
    let s = s.finish();
    state.board.rows = rows_of(&s);
    if highlighted {
        annotate(&mut state.board.rows);
    }
    state.board.selection.key = Some(state.board.rows[0].key.clone());
    if let Some(b) = state.lists.boards.get_mut(&Platform::Weibo) {
        b.current = Some(s);
    }
    state
}

/// Render `state` at `w`×`h`; every frame is checked for wide glyphs clobbering their neighbours.
pub fn draw(state: &AppState, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| render(f, state)).unwrap();
    assert_no_hidden_text(terminal.backend().buffer(), w, h);
    if w > 0 && h > 0 {
        // (TestBackend's text view divides by the width.)
        assert_hidden_lists_blank(terminal.backend());
    }
    terminal
}

/// TestBackend's text view lists every cell behind a wide glyph as "Hidden by multi-width
/// symbols"; that list is always present with CJK, so the regression to catch is a hidden cell
/// that holds visible text (a wide glyph drawn over something). Same walk as the TestBackend view.
pub fn assert_no_hidden_text(buf: &Buffer, w: u16, h: u16) {
    for y in 0..h {
        let mut skip = 0usize;
        for x in 0..w {
            let sym = buf[(x, y)].symbol();
            if skip > 0 {
                assert!(
                    sym.trim().is_empty(),
                    "{w}x{h}: {sym:?} at ({x},{y}) hidden by a wide glyph in {:?}",
                    row_text(buf, y)
                );
            }
            skip = skip.max(display_width(sym)).saturating_sub(1);
        }
    }
}

/// The same check on TestBackend's text view: its "Hidden by multi-width symbols" lists may
/// only name blank cells.
pub fn assert_hidden_lists_blank(backend: &TestBackend) {
    for line in backend.to_string().lines() {
        let Some((_, list)) = line.split_once("Hidden by multi-width symbols: ") else {
            continue;
        };
        let list = list.trim_start_matches('[').trim_end_matches(']');
        for entry in list.split("), (") {
            let entry = entry.trim_matches(|c| c == '(' || c == ')');
            let sym = entry.split_once(", ").map_or("", |(_, s)| s);
            assert_eq!(sym, "\" \"", "hidden text in {line}");
        }
    }
}

/// Row `y` as a terminal shows it: cells hidden behind a wide glyph are skipped.
pub fn row_text(buf: &Buffer, y: u16) -> String {
    let mut out = String::new();
    let mut x = 0;
    while x < buf.area.width {
        let sym = buf[(x, y)].symbol();
        out.push_str(sym);
        x += display_width(sym).max(1) as u16;
    }
    out
}

pub fn find_row(buf: &Buffer, needle: &str) -> Option<u16> {
    (0..buf.area.height).find(|&y| row_text(buf, y).contains(needle))
}

/// Capture time the drill fixtures are read at.
pub fn drill_now() -> DateTime<FixedOffset> {
    // ok: a fixed valid literal
    DateTime::parse_from_rfc3339("2026-08-15T19:00:00+08:00").unwrap()
}

pub fn press(app: &mut resou::app::App, keys: &str) -> Vec<resou::app::Effect> {
    use resou::app::AppMsg;
    use resou::config::keymap::Key;
    let mut fx = Vec::new();
    for k in keys.split_whitespace() {
        // ok: key names in tests are literals
        fx.extend(app.handle(AppMsg::Key(Key::parse(k).unwrap())).0);
    }
    fx
}

pub fn first_drill(fx: &[resou::app::Effect]) -> (u64, resou::domain::post::DrillRequest) {
    fx.iter()
        .find_map(|e| match e {
            resou::app::Effect::Drill { id, request, .. } => Some((*id, request.clone())),
            _ => None,
        })
        .expect("a drill request")
}

pub fn deliver(
    app: &mut resou::app::App,
    id: u64,
    request: resou::domain::post::DrillRequest,
    page: resou::domain::post::DrillPage,
) {
    app.handle(resou::app::AppMsg::Source(
        resou::sources::SourceEvent::Drill {
            id,
            request,
            result: Ok(Box::new(page)),
        },
    ));
}

/// The demo board with a Weibo topic opened and real-valued posts in the view (the verbatim
/// timeline card and a reconstructed search page, through the production parser), `copies`
/// times over with distinct ids; 央视新闻 is a known KOL.
pub fn posts_view(w: u16, h: u16, copies: usize) -> resou::app::App {
    use resou::app::{App, AppMsg};
    use resou::config::keymap::Keymap;
    use resou::domain::post::DrillPage;
    use resou::sources::weibo::drill::parse_posts;
    let mut app = App::new(Keymap::default_map());
    app.state = sample_state();
    app.state.input.pending_keys.clear();
    let row = app
        .state
        .board
        .rows
        .iter()
        .find(|r| r.topic.platform == Platform::Weibo && r.topic.rank == Some(2))
        .expect("a Weibo row")
        .key
        .clone();
    app.state.board.selection.key = Some(row);
    app.handle(AppMsg::Resize {
        page_rows: resou::ui::board_page_rows(ratatui::layout::Rect::new(0, 0, w, h)),
        keyword_rows: 0,
        size: (w, h),
    });
    app.state.now = Some(drill_now());
    app.handle(AppMsg::Analysis(resou::analysis::AnalysisEvent::Kols(
        vec!["央视新闻".into()],
    )));
    let (id, req) = first_drill(&press(&mut app, "enter"));
    let pages = [
        include_str!("../fixtures/drill_weibo/timeline_cards_excerpt.json"),
        include_str!("../fixtures/drill_weibo/search_card_group.json"),
    ];
    let mut one = Vec::new();
    for body in pages {
        one.extend(
            parse_posts(body, &req, drill_now())
                .expect("fixture parses")
                .items,
        );
    }
    let mut items = Vec::new();
    for i in 0..copies.max(1) {
        for e in &one {
            let mut e = e.clone();
            if i > 0 {
                e.id = format!("{}-{i}", e.id);
            }
            items.push(e);
        }
    }
    let total = items.len() as u64;
    deliver(
        &mut app,
        id,
        req,
        DrillPage {
            items,
            next: None,
            total: Some(total),
        },
    );
    app
}

/// The eleven real lists of the demo day 2025-10-15 (`DemoDay::Day20251015`: rank order,
/// titles and ids as archived) up to `until` (`HH:MM`, Beijing time), polled into an app told
/// its terminal is `size`; every poll is analysed by the real `Analyzer` with the app's
/// analysis config (keywords, the events grouper, the list dynamics) and its update handled as
/// the worker's would be. The rows carry real platform tags, story platform counts (`⇄n`) and
/// dynamics marks.
pub fn analysed_demo_day(until: &str, size: (u16, u16)) -> resou::app::App {
    use resou::analysis::{AnalysisEvent, Analyzer};
    use resou::app::{App, AppMsg};
    use resou::config::keymap::Keymap;
    use resou::sources::{Endpoint, PollReport, SourceEvent};
    // ok: a fixed valid literal
    let until = DateTime::parse_from_rfc3339(&format!("2025-10-15T{until}:00+08:00")).unwrap();
    let mut app = App::new(Keymap::default_map());
    app.handle(AppMsg::Resize {
        page_rows: resou::ui::board_page_rows(ratatui::layout::Rect::new(0, 0, size.0, size.1)),
        keyword_rows: 10,
        size,
    });
    let (cfg, _) = resou::config::analysis_config(&resou::config::Config::default(), false);
    let mut analyzer = Analyzer::new(&cfg);
    // As the app's worker does: stories grouped with every poll.
    analyzer.set_events(true);
    // ok: the demo data is embedded in the binary and checked by the crate's tests
    let lines = resou::replay::DemoDay::Day20251015.lists().unwrap();
    for line in lines.iter().take_while(|l| l.captured_at <= until) {
        let snap = line.to_snapshot();
        let endpoint = Endpoint::chain_of(snap.platform)[0];
        app.handle(AppMsg::Source(SourceEvent::Poll(
            PollReport::first_step_ok(snap.clone(), endpoint, std::time::Duration::from_secs(300)),
        )));
        let update = analyzer.process(&snap);
        app.handle(AppMsg::Analysis(AnalysisEvent::Update(Box::new(update))));
    }
    app.handle(AppMsg::Tick(until + Duration::minutes(1)));
    app
}

/// A board of `n` rows over the eleven lists of the demo day, for benches: the rows of
/// [`analysed_demo_day`] at 12:36 (real platform tags, story platform counts, dynamics marks),
/// repeated under new titles (` ·2`, ` ·3`, …) until there are `n`.
pub fn many_lists_state(n: usize) -> AppState {
    let mut state = analysed_demo_day("12:36", (200, 60)).state;
    let base = state.board.rows.clone();
    let mut round = 1;
    while state.board.rows.len() < n && !base.is_empty() {
        round += 1;
        for row in &base {
            if state.board.rows.len() >= n {
                break;
            }
            let mut row = row.clone();
            let title = format!("{} ·{round}", row.topic.title.as_str());
            let mut topic = row.topic.clone();
            topic.title = Topic::new(topic.platform, topic.rank, &title).title;
            row.key = topic.key();
            row.topic = topic;
            state.board.rows.push(row);
        }
    }
    state.board.selection = Selection {
        key: state.board.rows.first().map(|r| r.key.clone()),
        offset: 0,
        chosen: true,
    };
    state
}
