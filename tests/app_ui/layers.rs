//! Every layer has its own keymap table: a key bound only in that table acts there (and
//! nowhere else), `Back` closes the top layer, and help lists the keys of the layer it was
//! opened over first.

use crate::support;

use resou::app::App;
use resou::app::history::DetailPane;
use resou::app::layer::{active, under_help};
use resou::app::msg::{AppMsg, Effect};
use resou::config::keymap::{Key, Keymap, Layers};
use resou::input::Layer;
use resou::sources::Endpoint;

/// A headless app on the real fixture lists with `--bind` arguments over the default keymap.
fn app_with(binds: &[&str]) -> App {
    let binds: Vec<String> = binds.iter().map(|b| b.to_string()).collect();
    let loaded = Keymap::load(&Layers {
        binds: &binds,
        ..Layers::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let mut app = App::new(loaded.keymap);
    app.handle(AppMsg::Resize {
        page_rows: 10,
        keyword_rows: 10,
        size: (120, 30),
    });
    for l in support::app_lists() {
        app.handle(support::poll_ok(l.to_snapshot(), Endpoint::WeiboHotSearch));
    }
    app
}

fn press(app: &mut App, keys: &str) -> Vec<Effect> {
    let mut out = Vec::new();
    for k in keys.split_whitespace() {
        out.extend(app.handle(AppMsg::Key(Key::parse(k).expect("key"))).0);
    }
    out
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("term");
    t.draw(|f| resou::ui::render(f, &app.state)).expect("draw");
    t.backend().to_string()
}

fn selected(app: &App) -> usize {
    app.state.selected_index().expect("a selected row")
}

#[test]
fn board_key_rebinds() {
    let mut app = app_with(&["board.J=select_next"]);
    assert_eq!(active(&app.state), Layer::Board);
    let before = selected(&app);
    press(&mut app, "J");
    assert_eq!(selected(&app), before + 1);
}

#[test]
fn visual_selection_key_rebinds_and_acts_on_the_range() {
    let mut app = app_with(&["visual.F=toggle_flag"]);
    press(&mut app, "F");
    assert!(
        app.state.triage.flagged().next().is_none(),
        "F is a visual key only"
    );
    press(&mut app, "v");
    assert_eq!(active(&app.state), Layer::Visual);
    // The board's keys still move (and extend) inside the visual selection.
    press(&mut app, "j j");
    let fx = press(&mut app, "F");
    assert!(matches!(fx.as_slice(), [Effect::SaveTriage(_)]), "{fx:?}");
    assert_eq!(app.state.triage.flagged().count(), 3);
    assert_eq!(active(&app.state), Layer::Board, "a bulk action ends it");
    // Back ends a selection without acting.
    press(&mut app, "v");
    press(&mut app, "esc");
    assert_eq!(active(&app.state), Layer::Board);
    assert!(!app.state.quit);
}

#[test]
fn keyword_panel_key_rebinds() {
    let mut app = app_with(&["keywords.b=focus_board", "board.b=noop"]);
    press(&mut app, "l");
    assert_eq!(active(&app.state), Layer::Keywords);
    press(&mut app, "b");
    assert_eq!(active(&app.state), Layer::Board);
    press(&mut app, "b");
    assert_eq!(
        active(&app.state),
        Layer::Board,
        "b is unbound on the board"
    );
}

#[test]
fn thread_view_key_rebinds() {
    let mut app = app_with(&["thread.J=reload"]);
    assert!(press(&mut app, "J").is_empty(), "J is unbound on the board");
    let fx = press(&mut app, "enter");
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Drill { .. })),
        "{fx:?}"
    );
    assert_eq!(active(&app.state), Layer::Thread);
    let fx = press(&mut app, "J");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Drill { fresh: true, .. })),
        "{fx:?}"
    );
    press(&mut app, "esc");
    assert_eq!(active(&app.state), Layer::Board);
    assert!(!app.state.quit);
}

fn open_detail(app: &mut App) {
    let i = selected(app);
    let row = &app.state.board.rows[i];
    app.state.history.detail = Some(DetailPane {
        key: row.key.clone(),
        title: row.topic.title.as_str().to_string(),
        history: None,
        offset: 0,
        stories: Default::default(),
    });
}

#[test]
fn detail_pane_key_rebinds() {
    let mut app = app_with(&["detail.J=select_next", "detail.Q=topic_history"]);
    let before = selected(&app);
    open_detail(&mut app);
    assert_eq!(active(&app.state), Layer::Detail);
    press(&mut app, "J J");
    let pane = app.state.history.detail.as_ref().expect("open");
    assert_eq!(pane.offset, 2, "J scrolls the pane");
    // The board's own moves scroll the pane too; the board selection stays.
    press(&mut app, "j");
    assert_eq!(app.state.history.detail.as_ref().map(|d| d.offset), Some(3));
    assert_eq!(selected(&app), before);
    press(&mut app, "Q");
    assert!(app.state.history.detail.is_none());
    assert_eq!(active(&app.state), Layer::Board);
    // On the board, J is not bound.
    press(&mut app, "J");
    assert_eq!(selected(&app), before);
}

#[test]
fn link_popup_key_rebinds_and_is_modal() {
    let mut app = app_with(&["link.c=back"]);
    app.handle(AppMsg::Desktop {
        notice: "no browser over SSH — link shown".into(),
        show: Some("https://s.weibo.com/weibo?q=%23x%23".into()),
    });
    assert_eq!(active(&app.state), Layer::Link);
    let before = selected(&app);
    press(&mut app, "j");
    assert_eq!(selected(&app), before, "board keys wait under the popup");
    press(&mut app, "c");
    assert!(app.state.popups.link_popup.is_none());
    assert_eq!(active(&app.state), Layer::Board);
}

#[test]
fn help_key_rebinds_and_help_lists_the_layer_below_first() {
    let mut app = app_with(&["help.f2=back"]);
    press(&mut app, "l ?");
    assert_eq!(active(&app.state), Layer::Help);
    assert_eq!(under_help(&app.state), Layer::Keywords);
    press(&mut app, "f2");
    assert!(!app.state.popups.show_help);
    assert_eq!(active(&app.state), Layer::Keywords, "back closed help only");
    // Over a visual selection, help puts the visual table and then the board's first.
    press(&mut app, "h v ?");
    assert_eq!(
        under_help(&app.state).chain(),
        &[Layer::Visual, Layer::Board]
    );
    let first_rows = screen(&app, 120, 30)
        .lines()
        .take(16)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        first_rows.contains("End the visual selection"),
        "{first_rows}"
    );
}

#[test]
fn input_key_rebinds() {
    let mut app = app_with(&["input.ctrl-w=clear_input"]);
    press(&mut app, "/");
    assert_eq!(active(&app.state), Layer::Input);
    press(&mut app, "a b c");
    assert_eq!(
        app.state.input.prompt.as_ref().map(|p| p.text.as_str()),
        Some("abc")
    );
    press(&mut app, "ctrl-w");
    assert_eq!(
        app.state.input.prompt.as_ref().map(|p| p.text.as_str()),
        Some("")
    );
    press(&mut app, "esc");
    assert_eq!(active(&app.state), Layer::Board);
}

#[test]
fn global_key_rebinds_in_every_layer() {
    let mut app = app_with(&["global.f3=toggle_live"]);
    press(&mut app, "f3");
    assert!(app.state.lists.paused);
    press(&mut app, "v f3");
    assert!(
        !app.state.lists.paused,
        "global keys reach through the visual layer"
    );
}

#[test]
fn back_closes_the_top_layer_first() {
    let mut app = app_with(&[]);
    // Visual selection, then help over it: esc closes help, then the selection, then quits.
    press(&mut app, "v ?");
    assert_eq!(active(&app.state), Layer::Help);
    press(&mut app, "esc");
    assert_eq!(active(&app.state), Layer::Visual);
    press(&mut app, "esc");
    assert_eq!(active(&app.state), Layer::Board);
    assert!(!app.state.quit);
    press(&mut app, "esc");
    assert!(app.state.quit);
}

#[test]
fn events_keys_rebind_and_back_closes_the_view() {
    use resou::analysis::{AnalysisConfig, AnalysisEvent, Analyzer};
    let mut app = app_with(&["board.F2=toggle_events", "events.J=select_next"]);
    let mut analyzer = Analyzer::new(&AnalysisConfig::default());
    analyzer.set_events(true); // as the worker does
    for l in support::app_lists() {
        let u = analyzer.process(&l.to_snapshot());
        app.handle(AppMsg::Analysis(AnalysisEvent::Update(Box::new(u))));
    }
    assert!(app.state.analysis.events.events.len() > 2);
    press(&mut app, "F2");
    assert_eq!(active(&app.state), Layer::Events);
    press(&mut app, "J J");
    assert_eq!(app.state.events_view.selected, 2, "J walks the stories");
    let board = selected(&app);
    press(&mut app, "j");
    assert_eq!(app.state.events_view.selected, 3);
    assert_eq!(selected(&app), board, "the board underneath stays put");
    press(&mut app, "esc");
    assert_eq!(active(&app.state), Layer::Board);
}

#[test]
fn deliveries_keys_rebind_and_back_closes_the_popup() {
    use resou::history::HistoryEvent;
    use resou::store::{PushRecord, PushState};
    let mut app = app_with(&[
        "board.F4=show_deliveries",
        "board.D=noop",
        "deliveries.J=select_next",
        "deliveries.c=back",
    ]);
    let at = chrono::DateTime::parse_from_rfc3339("2026-08-15T14:00:00+08:00").expect("time");
    let rows = (1..=4)
        .rev()
        .map(|id| PushRecord {
            id,
            channel: "wecom-ops".into(),
            rule: "品牌负面".into(),
            tier: "red".into(),
            title: format!("第{id}条"),
            message: "{}".into(),
            state: PushState::Delivered,
            parts_done: 1,
            attempts: 1,
            last_error: None,
            created_at: at,
            next_at: at,
            updated_at: at,
        })
        .collect();
    app.handle(AppMsg::History(HistoryEvent::RecentPushes(Ok(rows))));
    press(&mut app, "D");
    assert_eq!(
        active(&app.state),
        Layer::Board,
        "D is unbound on the board"
    );
    press(&mut app, "F4");
    assert_eq!(active(&app.state), Layer::Deliveries);
    let board = selected(&app);
    press(&mut app, "J J");
    assert_eq!(app.state.deliveries.selected, 2, "J walks the deliveries");
    assert_eq!(selected(&app), board, "the board underneath stays put");
    press(&mut app, "c");
    assert_eq!(active(&app.state), Layer::Board);
    assert!(!app.state.quit);
    press(&mut app, "F4 esc");
    assert_eq!(active(&app.state), Layer::Board, "esc closes it too");
    assert!(!app.state.quit);
}

#[test]
fn brand_keys_rebind_and_back_closes_the_view() {
    use resou::analysis::watch_worker::{WatchBoard, WatchInput};
    use resou::domain::watch::{WatchPost, WatchTerm};
    let mut app = app_with(&[
        "board.F6=show_brand",
        "board.B=noop",
        "brand.J=select_next",
        "brand.T=next_tab",
        "brand.c=back",
    ]);
    let at = chrono::DateTime::parse_from_rfc3339("2026-08-15T14:00:00+08:00").expect("time");
    // Real authors and texts (data/demo/posts.json.gz), on two terms.
    let posts: Vec<WatchPost> = [
        ("5332209126608408", "青青芫中葵", "胖东来这次招聘刑释人员"),
        (
            "5332210332997598",
            "唯一纯白的茉莉花儿",
            "胖东来 刑释人员 理解不了",
        ),
        ("5332214783936397", "投行小兵", "胖东来 特殊人员不歧视就好"),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (id, author, text))| {
        let created = at - chrono::Duration::minutes(i as i64);
        WatchPost::new(
            resou::domain::Platform::Weibo,
            id,
            "胖东来",
            author,
            Some(created),
            text,
            at,
        )
    })
    .collect();
    let mut board = WatchBoard::new(resou::sentiment::Scorer::new());
    board.apply(WatchInput::Terms(vec![
        WatchTerm::named("胖东来"),
        WatchTerm::named("旺旺"),
    ]));
    board.apply(WatchInput::Posts(posts));
    board.apply(WatchInput::Clock(at));
    app.handle(AppMsg::Brand(board.summaries()));
    press(&mut app, "B");
    assert_eq!(
        active(&app.state),
        Layer::Board,
        "B is unbound on the board"
    );
    press(&mut app, "F6");
    assert_eq!(active(&app.state), Layer::Brand);
    let board_row = selected(&app);
    press(&mut app, "J J");
    assert_eq!(app.state.brand.selected, 2, "J walks the posts");
    assert_eq!(selected(&app), board_row, "the board underneath stays put");
    press(&mut app, "T");
    assert_eq!(app.state.brand.term, 1, "T is the next term");
    press(&mut app, "c");
    assert_eq!(active(&app.state), Layer::Board);
    press(&mut app, "F6 esc");
    assert_eq!(active(&app.state), Layer::Board, "esc closes it too");
    assert!(!app.state.quit);
}
