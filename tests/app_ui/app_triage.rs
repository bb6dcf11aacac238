//! Triage on a headless app fed real lists: flags (single and visual bulk), mutes with the
//! muted count and X to show them, notes through the prompt, watchlists, export effects, and
//! pinyin search; every change asks for a save.

use crate::support;

use resou::app::App;
use resou::app::msg::{AppMsg, Effect};
use resou::config::keymap::Key;
use resou::domain::snapshot_file::read_lines;
use resou::domain::{Platform, Snapshot};
use resou::sources::Endpoint;

fn weibo(nth: usize) -> Snapshot {
    let src = include_str!("../fixtures/app/lists.jsonl");
    read_lines(src.as_bytes(), "lists.jsonl")
        .expect("fixture")
        .into_iter()
        .filter(|l| l.platform == Platform::Weibo)
        .nth(nth)
        .expect("line")
        .to_snapshot()
}

fn app() -> App {
    let mut app = support::app_sized(20, (120, 40));
    app.handle(support::poll_ok(weibo(0), Endpoint::WeiboHotSearch));
    app
}

fn press(app: &mut App, keys: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for k in keys.split_whitespace() {
        fx.extend(app.handle(AppMsg::Key(Key::parse(k).expect("key"))).0);
    }
    fx
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle(AppMsg::Key(Key::char(c)));
    }
}

fn saves(fx: &[Effect]) -> usize {
    fx.iter()
        .filter(|e| matches!(e, Effect::SaveTriage(_)))
        .count()
}

fn selected_title(app: &App) -> String {
    let i = app.state.selected_index().expect("a selection");
    app.state.board.rows[i].topic.title.to_string()
}

#[test]
fn flag_single_and_in_bulk_then_export_the_flagged() {
    let mut app = app();
    press(&mut app, "j");
    let first = selected_title(&app);
    let fx = press(&mut app, "f");
    assert_eq!(saves(&fx), 1);
    let i = app.state.selected_index().unwrap();
    assert!(app.state.board.rows[i].marks.flagged);

    // Visual selection: v, two rows down, f flags the three; the selection then ends.
    press(&mut app, "j v j j");
    assert!(app.state.board.visual.is_some());
    press(&mut app, "f");
    assert!(app.state.board.visual.is_none());
    assert_eq!(app.state.status.flash.as_deref(), Some("flagged 3 topics"));
    let flagged: Vec<String> = app
        .state
        .board
        .rows
        .iter()
        .filter(|r| r.marks.flagged)
        .map(|r| r.topic.title.to_string())
        .collect();
    assert_eq!(flagged.len(), 4);
    assert!(flagged.contains(&first));

    // e exports the flagged topics, not the whole board.
    let fx = press(&mut app, "e");
    let rows = fx
        .iter()
        .find_map(|e| match e {
            Effect::Export(rows) => Some(rows.clone()),
            _ => None,
        })
        .expect("an export");
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.flagged));
    let md = resou::export::export(&rows, resou::export::Format::Markdown);
    assert!(md.contains(&first));
}

#[test]
fn mute_hides_counts_and_x_shows_muted() {
    let mut app = app();
    let all = app.state.board.rows.len();
    press(&mut app, "j");
    let title = selected_title(&app);
    let fx = press(&mut app, "x");
    assert_eq!(saves(&fx), 1);
    assert_eq!(app.state.board.rows.len(), all - 1);
    assert!(
        app.state
            .board
            .rows
            .iter()
            .all(|r| r.topic.title.as_str() != title)
    );
    assert!(
        app.state
            .status
            .flash
            .as_deref()
            .unwrap_or("")
            .contains("1 muted")
    );

    // The mute holds across a refresh.
    app.handle(support::poll_ok(weibo(1), Endpoint::WeiboHotSearch));
    assert!(
        app.state
            .board
            .rows
            .iter()
            .all(|r| r.topic.title.as_str() != title)
    );

    // X shows muted rows, marked; x on it unmutes.
    press(&mut app, "X");
    let i = app
        .state
        .board
        .rows
        .iter()
        .position(|r| r.topic.title.as_str() == title)
        .expect("shown again");
    assert!(app.state.board.rows[i].marks.muted);
    assert!(app.state.triage.is_muted(&app.state.board.rows[i].key));
}

#[test]
fn notes_through_the_prompt_and_watch_keywords() {
    let mut app = app();
    press(&mut app, "j");
    let key = app.state.board.rows[app.state.selected_index().unwrap()]
        .key
        .clone();
    press(&mut app, "n");
    assert!(app.state.input.prompt.is_some());
    typed(&mut app, "品牌相关, follow up 14:00");
    let fx = press(&mut app, "enter");
    assert_eq!(saves(&fx), 1);
    assert_eq!(
        app.state
            .triage
            .entry(&key)
            .and_then(|e| e.note.clone())
            .as_deref(),
        Some("品牌相关, follow up 14:00")
    );
    let i = app.state.selected_index().unwrap();
    assert!(app.state.board.rows[i].marks.noted);

    // w on a board row without KOLs says so; w in the keyword panel watches the keyword.
    app.state.analysis.entries = vec![resou::analysis::PanelEntry {
        label: "旺旺".into(),
        keys: vec!["旺旺".into()],
        others: vec!["减糖".into()],
        trend: resou::analysis::Trend::Rising,
        since: None,
        score: 3.0,
        share: 0.1,
        cross_platform: false,
        rising_on: Default::default(),
        direction: resou::analysis::Direction::Up,
        platforms: vec![Platform::Weibo].into(),
        titles: resou::analysis::PlatformCounts::of([
            (resou::domain::Platform::Weibo, 2),
            (resou::domain::Platform::Tieba, 0),
        ]),
        history: vec![0.1].into(),
    }];
    press(&mut app, "l");
    let fx = press(&mut app, "w");
    assert_eq!(saves(&fx), 1);
    assert!(app.state.triage.watched_keywords.contains("旺旺"));
}

#[test]
fn pinyin_search_by_initials_and_full_pinyin() {
    let mut app = app();
    let title = "网友集体呼吁旺旺减糖";
    assert!(
        app.state
            .board
            .rows
            .iter()
            .any(|r| r.topic.title.as_str() == title)
    );
    for q in ["wyjthywwjt", "wangyoujiti", "wyjt"] {
        press(&mut app, "/ ctrl-u");
        typed(&mut app, q);
        let shown: Vec<&str> = app
            .state
            .board
            .rows
            .iter()
            .map(|r| r.topic.title.as_str())
            .collect();
        assert!(shown.contains(&title), "{q}: {shown:?}");
        assert!(shown.len() < 5, "{q} narrows the board: {shown:?}");
        press(&mut app, "esc");
    }
}
