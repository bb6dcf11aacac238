//! The view stack, headless: Enter on a board topic opens its posts, Enter on a post its
//! comments, Esc goes back with selection and scroll exactly as they were, board refreshes never
//! move a view, late answers for a left view are dropped, and errors stay in the view.

use crate::support;

use resou::app::App;
use resou::app::drill::ViewKind;
use resou::app::msg::{AppMsg, Effect};
use resou::config::keymap::{Key, Keymap};
use resou::domain::post::{Author, DrillPage, DrillRequest, Entry, EntryKind, PostTab, RichText};
use resou::domain::snapshot_file::read_lines;
use resou::domain::time::parse_time;
use resou::domain::{Platform, Snapshot};
use resou::sources::{Endpoint, SourceError, SourceEvent};

const TOPIC: &str = "王传君体脂率25.5%";

fn lists() -> Vec<Snapshot> {
    let src = include_str!("../fixtures/app/lists.jsonl");
    read_lines(src.as_bytes(), "lists.jsonl")
        .expect("fixture parses")
        .into_iter()
        .filter(|l| l.platform == Platform::Weibo)
        .map(|l| l.to_snapshot())
        .collect()
}

fn poll(snap: Snapshot) -> AppMsg {
    support::poll_ok(snap, Endpoint::WeiboHotSearch)
}

/// Real posts of the topic as entries (what the C1 parser yields from their wire form).
fn posts() -> Vec<Entry> {
    let v: serde_json::Value = serde_json::from_str(include_str!(
        "../fixtures/drill_app/posts_wangchuanjun.json"
    ))
    .unwrap();
    let now = lists()[0].captured_at;
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or("").to_string();
            let mut e = Entry::new(
                EntryKind::WeiboPost,
                &s("mid"),
                Author {
                    id: Some(s("uid")),
                    ..Author::named(&s("username"))
                },
                RichText::plain(&s("body")),
            );
            e.url = Some(s("url"));
            e.created_at = parse_time(&s("created_at_text"), now);
            e.open = Some(DrillRequest::WeiboComments {
                mid: s("mid"),
                max_id: None,
                max_id_type: 0,
            });
            e
        })
        .collect()
}

fn press(app: &mut App, keys: &str) -> Vec<Effect> {
    let mut out = Vec::new();
    for k in keys.split_whitespace() {
        out.extend(app.handle(AppMsg::Key(Key::parse(k).expect("key"))).0);
    }
    out
}

fn drills(fx: &[Effect]) -> Vec<(u64, DrillRequest)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Drill { id, request, .. } => Some((*id, request.clone())),
            _ => None,
        })
        .collect()
}

fn answer(
    app: &mut App,
    id: u64,
    request: DrillRequest,
    result: Result<DrillPage, SourceError>,
) -> (Vec<Effect>, bool) {
    app.handle(AppMsg::Source(SourceEvent::Drill {
        id,
        request,
        result: result.map(Box::new),
    }))
}

/// A complete listing (no next page).
fn whole(items: Vec<Entry>) -> Result<DrillPage, SourceError> {
    Ok(DrillPage {
        items,
        next: None,
        total: None,
    })
}

/// Enter on the board's topic and answer with all its posts; the view's id and request.
fn open_with_posts(app: &mut App) -> (u64, DrillRequest) {
    let (id, req) = drills(&press(app, "enter"))[0].clone();
    answer(app, id, req.clone(), whole(posts()));
    (id, req)
}

/// An app at 120×40 with the board on the topic.
fn on_topic() -> App {
    let mut app = App::new(Keymap::default_map());
    app.handle(AppMsg::Resize {
        page_rows: 30,
        keyword_rows: 10,
        size: (120, 40),
    });
    app.handle(poll(lists()[0].clone()));
    let i = app
        .state
        .board
        .rows
        .iter()
        .position(|r| r.topic.title.as_str() == TOPIC)
        .expect("topic on the list");
    for _ in 0..i {
        press(&mut app, "j");
    }
    assert_eq!(app.state.selected_index(), Some(i));
    app
}

#[test]
fn enter_opens_posts_pages_lazily_and_back_restores_everything() {
    let mut app = on_topic();
    let board_sel = app.state.board.selection.clone();
    let screen_row = |app: &App| {
        app.state
            .selected_index()
            .map(|i| i - app.state.board.selection.offset)
    };
    assert!(screen_row(&app).is_some());

    // Enter: a posts view, loading at once, asking for page 1 of the real-time tab.
    let fx = press(&mut app, "enter");
    let asked = drills(&fx);
    assert_eq!(asked.len(), 1);
    let (id, req) = asked[0].clone();
    assert_eq!(
        req,
        DrillRequest::WeiboPosts {
            query: format!("#{TOPIC}#"),
            tab: PostTab::Realtime,
            page: 1
        }
    );
    assert_eq!(app.state.views.stack.len(), 1);
    assert!(app.state.views.stack[0].loading);
    assert_eq!(
        resou::app::drill::breadcrumbs(&app.state),
        vec!["All".to_string(), format!("#{TOPIC}#")]
    );

    // Page 1: 10 real posts, and a next page.
    let all = posts();
    let page2 = DrillRequest::WeiboPosts {
        query: format!("#{TOPIC}#"),
        tab: PostTab::Realtime,
        page: 2,
    };
    let (fx, dirty) = answer(
        &mut app,
        id,
        req,
        Ok(DrillPage {
            items: all[..10].to_vec(),
            next: Some(page2.clone()),
            total: Some(12),
        }),
    );
    assert!(dirty);
    assert!(
        drills(&fx).is_empty(),
        "nothing more until the reader nears the end"
    );
    let v = &app.state.views.stack[0];
    assert_eq!(v.entries.len(), 10);
    assert!(!v.loading);
    assert_eq!(v.entries[0].entry.author.name.as_str(), "京东健康");

    // Moving down to within 3 of the end asks for page 2 — once.
    let fx = press(&mut app, "j j j j j j j");
    assert_eq!(drills(&fx), vec![(id, page2.clone())]);
    assert!(
        press(&mut app, "j")
            .iter()
            .all(|e| !matches!(e, Effect::Drill { .. }))
    );
    answer(
        &mut app,
        id,
        page2,
        Ok(DrillPage {
            items: all[8..].to_vec(), // overlaps page 1 by two: duplicates are dropped
            next: None,
            total: Some(12),
        }),
    );
    assert_eq!(app.state.views.stack[0].entries.len(), 12);
    let (sel, off) = (
        app.state.views.stack[0].selected,
        app.state.views.stack[0].offset,
    );
    assert_eq!(sel, 8);
    assert!(off > 0, "the list scrolled to keep the selection visible");

    // A board refresh underneath moves nothing in the view.
    app.handle(poll(lists()[1].clone()));
    assert_eq!(
        (
            app.state.views.stack[0].selected,
            app.state.views.stack[0].offset
        ),
        (sel, off)
    );

    // Enter on the selected post: its comments, breadcrumb names the author.
    let mid = app.state.views.stack[0].entries[sel].entry.id.clone();
    let author = app.state.views.stack[0].entries[sel]
        .entry
        .author
        .name
        .to_string();
    let fx = press(&mut app, "enter");
    let (cid, creq) = drills(&fx)[0].clone();
    assert_eq!(
        creq,
        DrillRequest::WeiboComments {
            mid: mid.clone(),
            max_id: None,
            max_id_type: 0
        }
    );
    assert_eq!(app.state.views.stack.len(), 2);
    assert_eq!(app.state.views.stack[1].kind, ViewKind::Comments);
    assert_eq!(
        resou::app::drill::breadcrumbs(&app.state),
        vec![
            "All".to_string(),
            format!("#{TOPIC}#"),
            format!("{author} post"),
            "comments".to_string()
        ]
    );
    assert_eq!(
        app.state.views.stack[1]
            .parent
            .as_ref()
            .map(|p| p.entry.id.as_str()),
        Some(mid.as_str())
    );

    // Esc: back to the posts at the same entry and scroll; the comments load is cancelled.
    let fx = press(&mut app, "esc");
    assert!(fx.contains(&Effect::CancelDrill(cid)));
    assert_eq!(app.state.views.stack.len(), 1);
    assert_eq!(
        (
            app.state.views.stack[0].selected,
            app.state.views.stack[0].offset
        ),
        (sel, off)
    );

    // The late comments answer finds no view: dropped, nothing redrawn.
    let (fx, dirty) = answer(
        &mut app,
        cid,
        creq,
        Ok(DrillPage {
            items: all[..2].to_vec(),
            next: None,
            total: None,
        }),
    );
    assert!(!dirty && fx.is_empty());

    // Esc again: the board, still on the same topic and showing it (the refresh moved the topic
    // in the list; the board follows it the way it does outside views).
    press(&mut app, "esc");
    assert!(app.state.views.stack.is_empty());
    assert_eq!(app.state.board.selection.key, board_sel.key);
    assert!(screen_row(&app).is_some_and(|r| r < app.state.board.page_rows));
    assert!(!app.state.quit);
}

#[test]
fn errors_stay_in_the_view_and_reload_keeps_the_reader_in_place() {
    let mut app = on_topic();
    let (id, req) = open_with_posts(&mut app);
    press(&mut app, "j j j");
    let chosen = app.state.views.stack[0]
        .selected_entry()
        .unwrap()
        .id
        .clone();

    // r: page 1 again, bypassing the cache; a failure keeps what was loaded and says why.
    let fx = press(&mut app, "r");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Drill { fresh: true, request, .. } if *request == req))
    );
    answer(&mut app, id, req.clone(), Err(SourceError::Status(432)));
    let v = &app.state.views.stack[0];
    assert_eq!(v.entries.len(), 12, "loaded posts stay on screen");
    let err = v.error.as_deref().unwrap_or("");
    assert!(err.contains("432") && err.contains("r retries"), "{err}");

    // A successful reload whose first page is reordered keeps the same post selected.
    let mut reordered = posts();
    reordered.reverse();
    answer(&mut app, id, req, whole(reordered));
    let v = &app.state.views.stack[0];
    assert!(v.error.is_none());
    assert_eq!(v.selected_entry().unwrap().id, chosen);
}

#[test]
fn links_leave_through_effects_and_login_walls_are_named() {
    let mut app = on_topic();
    let (id, _) = open_with_posts(&mut app);
    let url = app.state.views.stack[0].entries[0]
        .entry
        .url
        .clone()
        .unwrap();
    assert_eq!(press(&mut app, "y"), vec![Effect::Copy(url.clone())]);
    assert_eq!(press(&mut app, "o"), vec![Effect::OpenUrl(url)]);

    // A hostile link never leaves the app.
    app.state.views.stack[0].entries[0].entry.url = Some("javascript:alert(1)".into());
    assert!(press(&mut app, "y").is_empty());
    assert_eq!(app.state.status.flash.as_deref(), Some("no link here"));

    // What the desktop side reports comes back as a notice; a shown link is a popup esc closes.
    app.handle(AppMsg::Desktop {
        notice: "no browser over SSH — link shown".into(),
        show: Some("https://m.weibo.cn/detail/1".into()),
    });
    assert!(app.state.popups.link_popup.is_some());
    press(&mut app, "esc");
    assert!(app.state.popups.link_popup.is_none());
    assert_eq!(app.state.views.stack.len(), 1, "esc closed the popup only");

    // Tab switches to the hot tab: a new listing from page 1.
    let fx = press(&mut app, "tab");
    assert_eq!(
        drills(&fx)[0].1,
        DrillRequest::WeiboPosts {
            query: format!("#{TOPIC}#"),
            tab: PostTab::Hot,
            page: 1
        }
    );
    answer(
        &mut app,
        id,
        drills(&fx)[0].1.clone(),
        Err(SourceError::LoginRequired {
            hint: "visitor cookie expired; renewing".into(),
        }),
    );
    let err = app.state.views.stack[0].error.clone().unwrap_or_default();
    assert!(err.starts_with("login required"), "{err}");
}
