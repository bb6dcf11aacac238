//! The app driven by messages, headless: real archived lists arrive as poll reports,
//! keys arrive as keys, and we assert the state the view would draw.

use crate::support;

use std::time::Duration;

use resou::app::App;
use resou::app::msg::{AppMsg, Effect};
use resou::app::state::{Movement, Tab};
use resou::config::keymap::{Key, KeyCode};
use resou::domain::snapshot_file::{SnapshotLine, read_lines};
use resou::domain::{Platform, Snapshot};
use resou::input::Action;
use resou::sources::{
    Endpoint, PollOutcome, PollReport, SourceCmd, SourceError, SourceEvent, StepAttempt,
};

fn lists() -> Vec<SnapshotLine> {
    let src = include_str!("../fixtures/app/lists.jsonl");
    read_lines(src.as_bytes(), "lists.jsonl").expect("fixture parses")
}

fn snapshot(platform: Platform, nth: usize) -> Snapshot {
    lists()
        .into_iter()
        .filter(|l| l.platform == platform)
        .nth(nth)
        .expect("fixture line")
        .to_snapshot()
}

fn ok_report(snap: Snapshot, endpoint: Endpoint) -> AppMsg {
    support::poll_ok(snap, endpoint)
}

fn app() -> App {
    support::app_sized(10, (120, 40))
}

/// An app showing the first real list of each platform.
fn app_with_both() -> App {
    let mut app = app();
    app.handle(ok_report(
        snapshot(Platform::Weibo, 0),
        Endpoint::WeiboHotSearch,
    ));
    app.handle(ok_report(
        snapshot(Platform::Tieba, 0),
        Endpoint::TiebaTopicList,
    ));
    app
}

fn press(app: &mut App, keys: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for k in keys.split_whitespace() {
        effects.extend(app.handle(AppMsg::Key(Key::parse(k).expect("key name"))).0);
    }
    effects
}

fn selected_title(app: &App) -> String {
    let i = app.state.selected_index().expect("a selection");
    app.state.board.rows[i].topic.title.to_string()
}

#[test]
fn selection_stays_on_the_same_topic_across_refresh() {
    let mut app = app();
    let a = snapshot(Platform::Weibo, 0);
    let b = snapshot(Platform::Weibo, 1);
    app.handle(ok_report(a.clone(), Endpoint::WeiboHotSearch));
    // A topic deep in the list whose rank changes between the two real lists.
    let target = a
        .ranked
        .iter()
        .skip(15)
        .find(|t| {
            b.ranked
                .iter()
                .any(|u| u.key() == t.key() && u.rank != t.rank)
        })
        .expect("a topic that moved between 12:00 and 13:00");
    let steps = app
        .state
        .board
        .rows
        .iter()
        .position(|r| r.key == target.key())
        .expect("on the board");
    press(&mut app, &vec!["j"; steps].join(" "));
    assert_eq!(selected_title(&app), target.title.as_str());
    let screen = steps - app.state.board.selection.offset;
    assert!(app.state.board.selection.offset > 0, "scrolled");

    app.handle(ok_report(b, Endpoint::WeiboHotSearch));
    let i = app.state.selected_index().expect("still selected");
    assert_eq!(
        selected_title(&app),
        target.title.as_str(),
        "selection follows the topic, not the row index"
    );
    assert_ne!(i, steps, "the topic did move");
    assert_eq!(
        i - app.state.board.selection.offset,
        screen,
        "and stays on the same screen row"
    );
    assert_eq!(app.state.status.flash, None);
}

#[test]
fn topic_leaving_the_list_selects_its_neighbour_and_says_so() {
    let mut app = app();
    let first = snapshot(Platform::Weibo, 0);
    app.handle(ok_report(first.clone(), Endpoint::WeiboHotSearch));
    press(&mut app, "j j j");
    let gone = selected_title(&app);
    let idx = app.state.selected_index().unwrap();
    let mut second = first.clone();
    second.ranked.retain(|t| t.title.as_str() != gone);
    let second = second.finish();
    app.handle(ok_report(second, Endpoint::WeiboHotSearch));
    assert_ne!(selected_title(&app), gone);
    assert_eq!(
        app.state.selected_index(),
        Some(idx),
        "neighbour at the same position"
    );
    assert_eq!(
        app.state.status.flash.as_deref(),
        Some("the selected topic left the list")
    );
}

#[test]
fn movement_new_up_down_from_real_consecutive_lists() {
    let mut app = app();
    let a = snapshot(Platform::Weibo, 0);
    let b = snapshot(Platform::Weibo, 1);
    app.handle(ok_report(a.clone(), Endpoint::WeiboHotSearch));
    assert!(
        app.state
            .board
            .rows
            .iter()
            .all(|r| matches!(r.movement, Movement::Same | Movement::Pinned))
    );
    app.handle(ok_report(b.clone(), Endpoint::WeiboHotSearch));
    for row in &app.state.board.rows {
        let old = a
            .ranked
            .iter()
            .find(|t| t.key() == row.key)
            .and_then(|t| t.rank);
        let new = row.topic.rank;
        let expected = match (row.topic.pinned, old, new) {
            (true, _, _) => Movement::Pinned,
            (false, None, _) => Movement::New,
            (false, Some(o), Some(n)) if n < o => Movement::Up(o - n),
            (false, Some(o), Some(n)) if n > o => Movement::Down(n - o),
            _ => Movement::Same,
        };
        assert_eq!(row.movement, expected, "{}", row.topic.title);
    }
    assert!(
        app.state
            .board
            .rows
            .iter()
            .any(|r| r.movement == Movement::New)
    );
    assert!(
        app.state
            .board
            .rows
            .iter()
            .any(|r| matches!(r.movement, Movement::Up(_)))
    );
    // Polling the same list again keeps the arrows.
    app.handle(ok_report(b, Endpoint::WeiboHotSearch));
    assert!(
        app.state
            .board
            .rows
            .iter()
            .any(|r| r.movement == Movement::New)
    );
}

#[test]
fn failure_keeps_last_good_data_and_names_the_fault() {
    let mut app = app();
    let snap = snapshot(Platform::Weibo, 0);
    let n = app.state.board.rows.len();
    app.handle(ok_report(snap.clone(), Endpoint::WeiboSummaryHtml));
    let rows = app.state.board.rows.len();
    assert!(rows > n + 40);
    app.handle(AppMsg::Source(SourceEvent::Poll(PollReport {
        platform: Platform::Weibo,
        at: snap.captured_at + chrono::Duration::minutes(1),
        outcome: PollOutcome::Failed {
            error: SourceError::Status(432),
        },
        attempts: vec![
            StepAttempt {
                endpoint: Endpoint::WeiboHotSearch,
                error: Some(SourceError::Status(403)),
            },
            StepAttempt {
                endpoint: Endpoint::WeiboSummaryHtml,
                error: Some(SourceError::Status(432)),
            },
            StepAttempt {
                endpoint: Endpoint::WeiboMobile,
                error: Some(SourceError::Empty),
            },
        ],
        next_in: Duration::from_secs(40),
        failures: 1,
    })));
    assert_eq!(app.state.board.rows.len(), rows, "last good data stays");
    let h = &app.state.lists.health[&Platform::Weibo];
    assert_eq!(h.error.as_deref(), Some("HTTP 432"));
    assert_eq!(h.data_at, Some(snap.captured_at));
    assert_eq!(h.endpoint, Some("s.weibo.com"));
    assert_eq!(
        h.next_poll_at,
        Some(snap.captured_at + chrono::Duration::seconds(100))
    );
}

#[test]
fn tabs_filter_and_all_interleaves_platforms() {
    let mut app = app_with_both();
    let first20: Vec<Platform> = app
        .state
        .board
        .rows
        .iter()
        .take(20)
        .map(|r| r.topic.platform)
        .collect();
    assert!(first20.contains(&Platform::Weibo) && first20.contains(&Platform::Tieba));
    press(&mut app, "tab");
    assert_eq!(app.state.board.tab, Tab::Only(Platform::Weibo));
    assert!(
        app.state
            .board
            .rows
            .iter()
            .all(|r| r.topic.platform == Platform::Weibo)
    );
    press(&mut app, "3");
    assert!(
        app.state
            .board
            .rows
            .iter()
            .all(|r| r.topic.platform == Platform::Tieba)
    );
    assert_eq!(app.state.board.rows.len(), 30);
    press(&mut app, "backtab backtab");
    assert_eq!(app.state.board.tab, Tab::All);
}

#[test]
fn sequences_paging_and_ends() {
    let mut app = app();
    app.handle(ok_report(
        snapshot(Platform::Weibo, 0),
        Endpoint::WeiboHotSearch,
    ));
    let last = app.state.board.rows.len() - 1;
    press(&mut app, "G");
    assert_eq!(app.state.selected_index(), Some(last));
    assert!(
        app.state.board.selection.offset + 10 > last,
        "last row on screen"
    );
    press(&mut app, "g");
    assert_eq!(app.state.input.pending_keys, "g");
    press(&mut app, "g");
    assert_eq!(app.state.selected_index(), Some(0));
    assert_eq!(app.state.input.pending_keys, "");
    press(&mut app, "pagedown");
    assert_eq!(app.state.selected_index(), Some(10));
    press(&mut app, "pageup k");
    assert_eq!(app.state.selected_index(), Some(0), "clamped at the top");
}

#[test]
fn help_back_quit_pause_refresh() {
    let mut app = app();
    press(&mut app, "?");
    assert!(app.state.popups.show_help);
    assert!(
        app.state
            .popups
            .help
            .iter()
            .any(|h| h.keys.contains("ctrl-r")),
        "help generated from the keymap"
    );
    press(&mut app, "esc");
    assert!(
        !app.state.popups.show_help && !app.state.quit,
        "esc closes the popup first (q would type into the help filter)"
    );
    let fx = press(&mut app, "p");
    assert_eq!(fx, vec![Effect::Source(SourceCmd::SetPaused(true))]);
    assert!(app.state.lists.paused);
    assert_eq!(
        press(&mut app, "ctrl-r"),
        vec![Effect::Source(SourceCmd::RefreshNow)]
    );
    app.handle(AppMsg::Key(Key::plain(KeyCode::Esc)));
    assert!(app.state.quit, "esc at the root quits");
    let _ = Action::Quit;
}

#[test]
fn board_stays_at_the_top_when_the_second_platform_arrives() {
    // Untouched: the selection rests on the first row whatever arrives.
    let mut board = app();
    board.handle(ok_report(
        snapshot(Platform::Tieba, 0),
        Endpoint::TiebaTopicList,
    ));
    board.handle(ok_report(
        snapshot(Platform::Weibo, 0),
        Endpoint::WeiboHotSearch,
    ));
    assert_eq!(board.state.selected_index(), Some(0));
    assert_eq!(board.state.board.selection.offset, 0);
    assert_eq!(board.state.status.flash, None);

    // Chosen by the user: the topic stays selected and the top of the board stays in view
    // even though Weibo's pinned row and rank 1 now sort above it.
    let mut board = app();
    board.handle(ok_report(
        snapshot(Platform::Tieba, 0),
        Endpoint::TiebaTopicList,
    ));
    press(&mut board, "j k");
    let chosen = selected_title(&board);
    board.handle(ok_report(
        snapshot(Platform::Weibo, 0),
        Endpoint::WeiboHotSearch,
    ));
    assert_eq!(selected_title(&board), chosen);
    assert!(board.state.selected_index() > Some(0));
    assert_eq!(
        board.state.board.selection.offset, 0,
        "the top of the board stays in view"
    );
    assert!(board.state.board.rows[0].topic.pinned);
}

#[test]
fn switching_tabs_keeps_or_maps_the_selection_without_false_alarms() {
    let mut app = app_with_both();
    // Select Tieba's rank-5 topic on the All tab.
    let steps = app
        .state
        .board
        .rows
        .iter()
        .position(|r| r.topic.platform == Platform::Tieba && r.topic.rank == Some(5))
        .unwrap();
    press(&mut app, &vec!["j"; steps].join(" "));
    let tieba5 = selected_title(&app);
    press(&mut app, "2");
    assert_eq!(
        app.state.status.flash, None,
        "no 'left the list' on a tab switch"
    );
    let i = app.state.selected_index().unwrap();
    assert_eq!(
        app.state.board.rows[i].topic.rank,
        Some(5),
        "same rank on the Weibo tab"
    );
    press(&mut app, "3");
    assert_eq!(
        selected_title(&app),
        tieba5,
        "back to Tieba's rank 5 by rank"
    );
    press(&mut app, "1");
    assert_eq!(
        selected_title(&app),
        tieba5,
        "All shows it, so it stays selected"
    );
    assert_eq!(app.state.status.flash, None);
}

#[test]
fn mouse_wheel_scrolls_and_click_selects_a_board_row() {
    use resou::app::msg::MouseInput;
    let mut app = app_with_both();
    assert_eq!(app.state.selected_index(), Some(0));
    app.handle(AppMsg::Mouse(MouseInput::ScrollDown));
    assert_eq!(app.state.selected_index(), Some(3), "three rows a notch");
    app.handle(AppMsg::Mouse(MouseInput::ScrollUp));
    assert_eq!(app.state.selected_index(), Some(0));
    // Row 2 of the screen is the first board row; a click on screen row 6 picks row 4.
    app.handle(AppMsg::Mouse(MouseInput::Click { column: 10, row: 6 }));
    assert_eq!(app.state.selected_index(), Some(4));
    // Clicks on the header or below the board change nothing.
    app.handle(AppMsg::Mouse(MouseInput::Click { column: 10, row: 0 }));
    app.handle(AppMsg::Mouse(MouseInput::Click {
        column: 10,
        row: 30,
    }));
    assert_eq!(app.state.selected_index(), Some(4));
}
