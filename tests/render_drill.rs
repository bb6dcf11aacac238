//! Drill-down views rendered: real-valued Weibo payloads go through the production parser and
//! the app's update, then the view draws them at 80×24 and 120×40 (CJK, emoji, mixed Latin,
//! full-width punctuation), with KOL marks and a selection that survives NO_COLOR.

mod render_support;

use chrono::{DateTime, FixedOffset};
use ratatui::style::Modifier;
use resou::analysis::AnalysisEvent;
use resou::app::App;
use resou::app::msg::{AppMsg, Effect};
use resou::config::keymap::{Key, Keymap};
use resou::domain::post::{DrillPage, DrillRequest};
use resou::sources::SourceEvent;
use resou::sources::weibo::drill::{parse_comments, parse_posts};
use resou::ui::Theme;

use render_support::{draw, find_row, row_text, sample_state};

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-08-15T19:00:00+08:00").unwrap()
}

fn press(app: &mut App, keys: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for k in keys.split_whitespace() {
        fx.extend(app.handle(AppMsg::Key(Key::parse(k).unwrap())).0);
    }
    fx
}

fn first_drill(fx: &[Effect]) -> (u64, DrillRequest) {
    fx.iter()
        .find_map(|e| match e {
            Effect::Drill { id, request, .. } => Some((*id, request.clone())),
            _ => None,
        })
        .expect("a drill request")
}

fn deliver(app: &mut App, id: u64, request: DrillRequest, page: DrillPage) {
    app.handle(AppMsg::Source(SourceEvent::Drill {
        id,
        request,
        result: Ok(Box::new(page)),
    }));
}

/// The demo board, a topic opened, and two real-valued pages of posts in the view.
fn posts_view(w: u16, h: u16) -> App {
    let mut app = App::new(Keymap::default_map());
    app.state = sample_state();
    app.state.pending_keys.clear();
    let row = app
        .state
        .rows
        .iter()
        .find(|r| {
            r.topic.title.as_str() == "原来活体器官运输不是专门的飞机"
                || r.topic.platform == resou::domain::Platform::Weibo && r.topic.rank == Some(2)
        })
        .expect("a Weibo row")
        .key
        .clone();
    app.state.selection.key = Some(row);
    app.handle(AppMsg::Resize {
        page_rows: resou::ui::board_page_rows(ratatui::layout::Rect::new(0, 0, w, h)),
        keyword_rows: 0,
        size: (w, h),
    });
    app.state.now = Some(now());
    // KOLs known to the analysis: the CCTV account is one.
    app.handle(AppMsg::Analysis(AnalysisEvent::Kols(vec![
        "央视新闻".into(),
    ])));
    let (id, req) = first_drill(&press(&mut app, "enter"));
    let mut items = parse_posts(
        include_str!("fixtures/drill_weibo/timeline_cards_excerpt.json"),
        &req,
        now(),
    )
    .expect("verbatim card parses")
    .items;
    items.extend(
        parse_posts(
            include_str!("fixtures/drill_weibo/search_card_group.json"),
            &req,
            now(),
        )
        .expect("reconstructed page parses")
        .items,
    );
    deliver(
        &mut app,
        id,
        req,
        DrillPage {
            items,
            next: None,
            total: Some(3),
        },
    );
    app
}

#[test]
fn posts_view_80x24() {
    let app = posts_view(80, 24);
    let t = draw(&app.state, 80, 24);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn posts_view_120x40_marks_kols_tags_and_selection() {
    let mut app = posts_view(120, 40);
    let t = draw(&app.state, 120, 40);
    insta::assert_snapshot!(t.backend());
    let buf = t.backend().buffer();
    let theme = Theme::default();

    // The first post is selected: a bar at column 0 (visible without colour) and a reversed name.
    let y0 = 2;
    assert_eq!(buf[(0, y0)].symbol(), "▌");
    assert!(buf[(1, y0)].modifier.contains(Modifier::REVERSED));

    // The KOL author carries ★KOL in the KOL style.
    let y = find_row(buf, "央视新闻").expect("CCTV post on screen");
    assert!(row_text(buf, y).contains("★KOL"), "{}", row_text(buf, y));
    assert!(row_text(buf, y).contains("V媒体"));
    assert_eq!(buf[(1, y)].fg, theme.kol.fg.unwrap());

    // Hashtags are bold (their colour may be dropped by NO_COLOR).
    let ht = find_row(buf, "#千年古城墙成功抵御洪水#").expect("hashtag line");
    let x = row_text(buf, ht).find('#').map(|_| 3).unwrap();
    assert!(buf[(x, ht)].modifier.contains(Modifier::BOLD));

    // j moves the selection to the next post; the bar follows.
    press(&mut app, "j");
    let t = draw(&app.state, 120, 40);
    let buf = t.backend().buffer();
    assert_ne!(buf[(0, y0)].symbol(), "▌");
}

#[test]
fn comments_view_shows_the_post_above_its_comments_80x24() {
    let mut app = posts_view(80, 24);
    let (id, req) = first_drill(&press(&mut app, "enter"));
    assert!(matches!(req, DrillRequest::WeiboComments { .. }));
    let page = parse_comments(
        include_str!("fixtures/drill_weibo/comments_p1.json"),
        &req,
        now(),
    )
    .expect("comments parse");
    deliver(&mut app, id, req, page);
    let t = draw(&app.state, 80, 24);
    insta::assert_snapshot!(t.backend());
    let buf = t.backend().buffer();
    assert!(row_text(buf, 0).contains("› comments"));
    assert!(
        find_row(buf, "────").is_some(),
        "a rule between the post and its comments"
    );
}
