//! Team alert deliveries in the app (issue 19): the app reads the store's recent deliveries
//! on its tick (through `HistoryCmd::RecentPushes`), the `D` popup lists them newest first
//! with state mark, tier, channel, rule, title, tries, parts and the last error, and a failure
//! is named once in the status bar. Stored text is sanitised before it reaches the screen.

use crate::render_support::{draw, find_row, row_text};
use crate::support;

use chrono::{DateTime, Duration, FixedOffset};
use ratatui::style::Color;
use resou::app::App;
use resou::app::layer::active;
use resou::app::msg::{AppMsg, Effect};
use resou::config::keymap::Key;
use resou::history::{HistoryCmd, HistoryEvent};
use resou::input::Layer;
use resou::sources::Endpoint;
use resou::store::{PushRecord, PushState};

/// The app's clock in these tests: 2026-08-15 14:05:00 CST.
fn now() -> DateTime<FixedOffset> {
    // ok: a fixed valid literal
    DateTime::parse_from_rfc3339("2026-08-15T14:05:00+08:00").unwrap()
}

fn at(h: u32, m: u32) -> DateTime<FixedOffset> {
    let day = now() - Duration::hours(14) - Duration::minutes(5);
    day + Duration::hours(h.into()) + Duration::minutes(m.into())
}

#[allow(clippy::too_many_arguments)]
fn record(
    id: i64,
    channel: &str,
    rule: &str,
    tier: &str,
    title: &str,
    state: PushState,
    attempts: u32,
    parts_done: u32,
    error: Option<&str>,
    updated: DateTime<FixedOffset>,
    next: DateTime<FixedOffset>,
) -> PushRecord {
    PushRecord {
        id,
        channel: channel.into(),
        rule: rule.into(),
        tier: tier.into(),
        title: title.into(),
        message: "{}".into(),
        state,
        parts_done,
        attempts,
        last_error: error.map(str::to_string),
        created_at: updated - Duration::minutes(1),
        next_at: next,
        updated_at: updated,
    }
}

const LONG_TITLE: &str = "胖东来首批刑释职工30人无一离职，网友热议企业社会责任与二次就业问题";
const HOSTILE: &str = "恶意\u{1b}[2J\u{1b}]52;c;aGk=\u{7}标题\u{202e}txt.exe";

/// Newest first, as the store lists them: a failed one, a retry, three delivered (CJK, emoji
/// and mixed Latin, a hostile title) and an old delivered one from yesterday.
fn records() -> Vec<PushRecord> {
    vec![
        record(
            6,
            "wecom-ops",
            "品牌负面",
            "red",
            "某品牌配料表争议",
            PushState::Failed,
            1,
            0,
            Some("errcode 93000: invalid webhook url \u{1b}[31mred\u{1b}[0m"),
            at(14, 4),
            at(14, 4),
        ),
        record(
            5,
            "feishu-pr",
            "高管舆情",
            "orange",
            LONG_TITLE,
            PushState::Pending,
            2,
            1,
            Some("code 11232: frequency limited"),
            at(14, 3),
            at(14, 10),
        ),
        record(
            4,
            "dingtalk",
            "emoji",
            "yellow",
            "🔥国庆出游攻略🔥 iPhone 17 Pro首发",
            PushState::Delivered,
            1,
            2,
            None,
            at(14, 2),
            at(14, 2),
        ),
        record(
            3,
            "ntfy",
            "watch",
            "blue",
            HOSTILE,
            PushState::Delivered,
            1,
            1,
            None,
            at(14, 1),
            at(14, 1),
        ),
        record(
            2,
            "slack",
            "日报",
            "purple",
            "外交部回应日方政要参拜靖国神社",
            PushState::Delivered,
            1,
            1,
            None,
            at(13, 58),
            at(13, 58),
        ),
        record(
            1,
            "wecom-ops",
            "品牌负面",
            "red",
            "昨天的一条",
            PushState::Delivered,
            1,
            1,
            None,
            at(14, 0) - Duration::days(1),
            at(14, 0) - Duration::days(1),
        ),
    ]
}

/// A headless app on the real fixture lists, told its terminal is `size`, its clock at [`now`].
fn app(size: (u16, u16)) -> App {
    let mut app = support::app_sized(10, size);
    for l in support::app_lists() {
        app.handle(support::poll_ok(l.to_snapshot(), Endpoint::WeiboHotSearch));
    }
    app.handle(AppMsg::Tick(now()));
    app.state.status.flash = None;
    app
}

fn answer(app: &mut App, records: Vec<PushRecord>) -> bool {
    app.handle(AppMsg::History(HistoryEvent::RecentPushes(Ok(records))))
        .1
}

fn press(app: &mut App, keys: &str) -> Vec<Effect> {
    let mut out = Vec::new();
    for k in keys.split_whitespace() {
        out.extend(app.handle(AppMsg::Key(Key::parse(k).expect("key"))).0);
    }
    out
}

fn asks(fx: &[Effect]) -> bool {
    fx.iter()
        .any(|e| matches!(e, Effect::History(HistoryCmd::RecentPushes { limit: 50 })))
}

fn screen(app: &App, w: u16, h: u16) -> Vec<String> {
    let t = draw(&app.state, w, h);
    let buf = t.backend().buffer();
    (0..h).map(|y| row_text(buf, y)).collect()
}

fn line_with<'a>(lines: &'a [String], needle: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{}", lines.join("\n")))
}

#[test]
fn d_opens_the_view_reading_at_once_and_esc_or_d_closes_it() {
    let mut app = app((80, 24));
    assert_eq!(active(&app.state), Layer::Board);
    let fx = press(&mut app, "D");
    assert_eq!(active(&app.state), Layer::Deliveries);
    // The start-up read is still unanswered: opening waits for it rather than asking twice.
    assert!(!asks(&fx), "{fx:?}");
    answer(&mut app, records());
    press(&mut app, "esc");
    assert_eq!(active(&app.state), Layer::Board);
    assert!(!app.state.quit, "esc closed the popup only");
    // With nothing in flight, opening reads now.
    let fx = press(&mut app, "D");
    assert!(asks(&fx), "{fx:?}");
    assert_eq!(active(&app.state), Layer::Deliveries);
    let before = app.state.board.selection.clone();
    press(&mut app, "j j");
    assert_eq!(app.state.deliveries.selected, 2, "j moves in the popup");
    assert_eq!(app.state.board.selection, before, "the board stays put");
    press(&mut app, "k");
    assert_eq!(app.state.deliveries.selected, 1);
    press(&mut app, "D");
    assert_eq!(active(&app.state), Layer::Board, "D closes it too");
    // Help over the popup lists its keys first.
    press(&mut app, "D ?");
    assert_eq!(active(&app.state), Layer::Help);
    let help = screen(&app, 120, 35).join("\n");
    assert!(help.contains("Close the deliveries"), "{help}");
    // On the board, help lists D with the action's own text.
    press(&mut app, "esc esc ? d e l i v");
    let help = screen(&app, 120, 35);
    let row = line_with(
        &help,
        "Team alert deliveries: sent, waiting to retry, failed",
    );
    let keys = row.split('│').nth(1).unwrap_or_default().trim_start();
    assert!(keys.starts_with("D "), "{row}");
}

#[test]
fn the_view_at_80x24_shows_marks_tiers_channels_errors_and_counts() {
    let mut app = app((80, 24));
    answer(&mut app, records());
    press(&mut app, "D");
    let lines = screen(&app, 80, 24);
    let all = lines.join("\n");

    assert!(
        all.contains("deliveries — 4 sent · 1 waiting · 1 failed"),
        "{all}"
    );
    // Newest first: the failure, the retry, then the delivered ones.
    let row = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not shown:\n{all}"))
    };
    assert!(row("某品牌配料表争议") < row("feishu-pr") && row("feishu-pr") < row("dingtalk"));

    let failed = line_with(&lines, "某品牌配料表争议");
    assert!(failed.contains("14:04 ✗ 红 wecom-ops"), "{failed}");
    assert!(failed.contains("品牌负面"), "{failed}");
    assert!(failed.contains("1 try · 0 parts"), "{failed}");
    // Its error on the line below, sanitised (the echoed colour codes are gone).
    let i = row("某品牌配料表争议");
    assert!(
        lines[i + 1].contains("└ errcode 93000: invalid webhook url red"),
        "{}",
        lines[i + 1]
    );

    let retry = line_with(&lines, "feishu-pr");
    assert!(retry.contains("14:03 ↻ 橙 feishu-pr"), "{retry}");
    assert!(retry.contains("next 14:10 · 2 tries · 1 part"), "{retry}");
    // The long title is cut by display width with an ellipsis, the right column kept.
    assert!(retry.contains("胖东来") && retry.contains('…'), "{retry}");
    assert!(!retry.contains("二次就业"), "{retry}");
    let j = row("feishu-pr");
    assert!(
        lines[j + 1].contains("└ code 11232: frequency limited"),
        "{}",
        lines[j + 1]
    );

    let emoji = line_with(&lines, "dingtalk");
    assert!(emoji.contains("14:02 ✓ 黄 dingtalk"), "{emoji}");
    assert!(emoji.contains("🔥国庆出游攻略🔥"), "{emoji}");
    assert!(emoji.contains("1 try · 2 parts"), "{emoji}");
    // Delivered rows have no error line under them.
    assert!(!lines[row("dingtalk") + 1].contains('└'));

    let hostile = line_with(&lines, "ntfy");
    assert!(hostile.contains("✓ 蓝 ntfy"), "{hostile}");
    assert!(
        hostile.contains("恶意") && hostile.contains("标题"),
        "{hostile}"
    );
    // An unknown tier is a muted `?`; yesterday's delivery shows its date.
    assert!(line_with(&lines, "slack").contains("13:58 ✓ ?  slack"));
    assert!(line_with(&lines, "昨天的一条").contains("08-14 ✓ 红"));
    assert!(all.contains("j k move · D esc close"), "{all}");
}

#[test]
fn the_view_at_80x24_and_120x35_as_text() {
    let mut app = app((80, 24));
    answer(&mut app, records());
    press(&mut app, "D");
    insta::assert_snapshot!("deliveries_80x24", draw(&app.state, 80, 24).backend());
    app.handle(AppMsg::Resize {
        page_rows: 10,
        keyword_rows: 10,
        size: (120, 35),
    });
    insta::assert_snapshot!("deliveries_120x35", draw(&app.state, 120, 35).backend());
}

#[test]
fn hostile_stored_text_never_reaches_the_terminal() {
    let mut app = app((80, 24));
    answer(&mut app, records());
    press(&mut app, "D");
    for (w, h) in [(80, 24), (120, 35)] {
        let t = draw(&app.state, w, h);
        let buf = t.backend().buffer();
        for y in 0..h {
            for x in 0..w {
                let sym = buf[(x, y)].symbol();
                assert!(
                    !sym.chars().any(|c| c.is_control()
                        || ('\u{202a}'..='\u{202e}').contains(&c)
                        || ('\u{2066}'..='\u{2069}').contains(&c)),
                    "{w}x{h}: control or bidi character {sym:?} at ({x},{y})"
                );
            }
        }
    }
    // What is left of the hostile title is its text, nothing the terminal would act on.
    let lines = screen(&app, 80, 24);
    assert!(
        line_with(&lines, "ntfy").contains("恶意标题txt.exe"),
        "{}",
        line_with(&lines, "ntfy")
    );
    let d = &app.state.deliveries.rows;
    assert!(d.iter().all(|r| !r.title.as_str().contains('\u{1b}')));
    assert!(
        d.iter()
            .filter_map(|r| r.last_error.as_ref())
            .all(|e| !e.as_str().contains('\u{1b}'))
    );
}

#[test]
fn the_view_at_120x35_has_room_for_whole_titles_and_colours_the_tiers() {
    let mut app = app((120, 35));
    answer(&mut app, records());
    press(&mut app, "D");
    let t = draw(&app.state, 120, 35);
    let buf = t.backend().buffer();
    let y = find_row(buf, "feishu-pr").expect("retry row");
    let line = row_text(buf, y);
    // Wider than at 80 columns, still cut by display width before the right column.
    assert!(
        line.contains("胖东来首批刑释职工30人无一离职，网友热议"),
        "{line}"
    );
    assert!(!line.contains(LONG_TITLE) && line.contains('…'), "{line}");
    assert!(line.contains("next 14:10 · 2 tries · 1 part"), "{line}");
    // Tier characters carry their tier's colour (dark theme), the failure mark the error's.
    let cell_of = |y: u16, sym: &str| {
        (0..120u16)
            .find(|&x| buf[(x, y)].symbol() == sym)
            .map(|x| buf[(x, y)].clone())
            .unwrap_or_else(|| panic!("{sym} not in {:?}", row_text(buf, y)))
    };
    assert_eq!(cell_of(y, "橙").fg, Color::LightRed);
    let red = find_row(buf, "某品牌配料表争议").expect("failed row");
    assert_eq!(cell_of(red, "红").fg, Color::Red);
    assert_eq!(cell_of(red, "✗").fg, Color::Red);
    let blue = find_row(buf, "ntfy").expect("blue row");
    assert_eq!(cell_of(blue, "蓝").fg, Color::LightBlue);
    // The first delivery is selected (reversed) across the whole line.
    let sel = buf[(30, red)].modifier;
    assert!(sel.contains(ratatui::style::Modifier::REVERSED), "{sel:?}");
}

#[test]
fn a_new_failure_is_named_in_the_status_bar_once() {
    let mut app = app((80, 24));
    assert!(answer(&mut app, records()));
    let flash = app.state.status.flash.clone().expect("a notice");
    assert!(
        flash.starts_with(
            "push ✗ wecom-ops: errcode 93000: invalid webhook url red — 某品牌配料表争议"
        ),
        "{flash}"
    );
    assert!(flash.contains("(+1 more"), "the retry is counted: {flash}");
    let lines = screen(&app, 80, 24);
    assert!(
        lines[23].contains("push ✗ wecom-ops: errcode 93000"),
        "{}",
        lines[23]
    );
    // Until the view is opened the status bar keeps a mark of it.
    assert!(lines[22].contains("push ✗ 1 failed · D"), "{}", lines[22]);

    // The same rows again: nothing new to say.
    app.state.status.flash = None;
    app.handle(AppMsg::Tick(now() + Duration::seconds(20)));
    answer(&mut app, records());
    assert_eq!(app.state.status.flash, None);

    // The retry failed again: its attempts went up with an error.
    let mut again = records();
    again[1].attempts = 3;
    again[1].last_error = Some("code 11232: frequency limited (again)".into());
    again[1].next_at = at(14, 15);
    answer(&mut app, again.clone());
    assert_eq!(
        app.state.status.flash.as_deref(),
        Some("push ↻ feishu-pr retrying 14:15: code 11232: frequency limited (again)")
    );
    app.state.status.flash = None;
    answer(&mut app, again);
    assert_eq!(app.state.status.flash, None, "announced once");

    // Opening the view clears the mark.
    press(&mut app, "D esc");
    let lines = screen(&app, 80, 24);
    assert!(!lines[22].contains("push ✗"), "{}", lines[22]);
}

#[test]
fn old_failures_are_listed_but_not_announced_at_start() {
    let mut app = app((80, 24));
    let mut old = records();
    for r in &mut old {
        r.updated_at -= Duration::hours(2);
    }
    answer(&mut app, old.clone());
    assert_eq!(app.state.status.flash, None);
    assert_eq!(app.state.deliveries.unseen_failed, 0);
    // It becomes failed for good now: that is news.
    old[1].state = PushState::Failed;
    old[1].attempts = 3;
    old[1].updated_at = at(14, 5);
    answer(&mut app, old);
    let flash = app.state.status.flash.clone().expect("a notice");
    assert!(
        flash.starts_with("push ✗ feishu-pr: code 11232: frequency limited — 胖东来"),
        "{flash}"
    );
}

#[test]
fn reads_follow_the_tick_and_the_view() {
    let mut app = support::app_sized(10, (80, 24));
    let tick = |app: &mut App, s: i64| app.handle(AppMsg::Tick(now() + Duration::seconds(s))).0;
    assert!(asks(&tick(&mut app, 0)), "a read at start");
    assert!(!asks(&tick(&mut app, 5)), "one read at a time");
    answer(&mut app, Vec::new());
    assert!(!asks(&tick(&mut app, 10)));
    assert!(!asks(&tick(&mut app, 19)));
    assert!(asks(&tick(&mut app, 20)), "every 20 s while closed");
    answer(&mut app, Vec::new());
    // Open: every 3 s.
    let fx = press(&mut app, "D");
    assert!(asks(&fx));
    answer(&mut app, Vec::new());
    assert!(!asks(&tick(&mut app, 21)));
    assert!(!asks(&tick(&mut app, 22)));
    // (asked at 20 when opened: the app's clock then)
    assert!(asks(&tick(&mut app, 23)));
    // An answer that never comes is asked again after a minute.
    assert!(!asks(&tick(&mut app, 30)));
    assert!(asks(&tick(&mut app, 83)));
}

#[test]
fn the_selection_stays_on_its_delivery_when_newer_ones_arrive() {
    let mut app = app((80, 24));
    answer(&mut app, records());
    press(&mut app, "D j j");
    assert_eq!(app.state.deliveries.rows[2].id, 4);
    let mut newer = records();
    newer.insert(
        0,
        record(
            7,
            "bark",
            "watch",
            "blue",
            "新的一条",
            PushState::Delivered,
            1,
            1,
            None,
            at(14, 5),
            at(14, 5),
        ),
    );
    answer(&mut app, newer);
    let d = &app.state.deliveries;
    assert_eq!(d.rows[d.selected].id, 4, "still on the same delivery");
    // G goes to the last one and scrolls it into view.
    press(&mut app, "G");
    let lines = screen(&app, 80, 24).join("\n");
    assert!(lines.contains("昨天的一条"), "{lines}");
}

#[test]
fn an_empty_list_says_why_and_how_to_set_alerts_up() {
    let mut app = app((80, 24));
    press(&mut app, "D");
    let reading = screen(&app, 80, 24).join("\n");
    assert!(reading.contains("reading the deliveries"), "{reading}");
    answer(&mut app, Vec::new());
    let lines = screen(&app, 80, 24);
    let all = lines.join("\n");
    assert!(all.contains(" deliveries "), "{all}");
    assert!(all.contains("No team alert has been sent yet."), "{all}");
    assert!(all.contains("[push] in config.toml"), "{all}");
    assert!(all.contains("resou rules check"), "{all}");
    assert!(all.contains("resou push test CHANNEL"), "{all}");
    // Configured, nothing matched: no set-up hints.
    app.state.deliveries.configured = Some(true);
    let all = screen(&app, 80, 24).join("\n");
    assert!(all.contains("Nothing sent yet"), "{all}");
    assert!(!all.contains("resou rules check"), "{all}");
    // A failed read says so.
    app.handle(AppMsg::History(HistoryEvent::RecentPushes(Err(
        "database is locked".into(),
    ))));
    let all = screen(&app, 80, 24).join("\n");
    assert!(all.contains("could not be read"), "{all}");
    assert!(all.contains("database is locked"), "{all}");
}

#[test]
fn small_terminals_do_not_break_the_view() {
    let mut app = app((40, 12));
    answer(&mut app, records());
    press(&mut app, "D");
    for (w, h) in [(40, 12), (40, 10), (200, 60), (80, 24)] {
        draw(&app.state, w, h);
    }
}

#[test]
fn a_long_list_scrolls_with_the_selection() {
    let mut app = app((80, 24));
    // 30 deliveries, every third one failed (two lines each): more than 18 lines.
    let many: Vec<PushRecord> = (1..=30)
        .rev()
        .map(|id| {
            let failed = id % 3 == 0;
            record(
                id,
                "wecom-ops",
                "品牌负面",
                "red",
                &format!("第{id}条推送"),
                if failed {
                    PushState::Failed
                } else {
                    PushState::Delivered
                },
                1,
                1,
                failed.then_some("errcode 93000"),
                at(13, 0) + Duration::minutes(id),
                at(13, 0) + Duration::minutes(id),
            )
        })
        .collect();
    answer(&mut app, many);
    press(&mut app, "D");
    let first = screen(&app, 80, 24).join("\n");
    assert!(
        first.contains("第30条推送") && !first.contains("第1条推送"),
        "{first}"
    );
    press(&mut app, "G");
    let last = screen(&app, 80, 24).join("\n");
    assert!(
        last.contains("第1条推送") && !last.contains("第30条推送"),
        "{last}"
    );
    // The selected (last) delivery is on screen, with the footer below it.
    assert!(last.contains("j k move"), "{last}");
    press(&mut app, "g g");
    assert_eq!(app.state.deliveries.offset, 0);
    press(&mut app, "pagedown");
    let d = &app.state.deliveries;
    assert!(
        d.selected > 0 && d.offset > 0,
        "{} {}",
        d.selected,
        d.offset
    );
    let page = screen(&app, 80, 24).join("\n");
    let selected = format!("第{}条推送", d.rows[d.selected].id);
    assert!(page.contains(&selected), "{selected} on screen:\n{page}");
}
