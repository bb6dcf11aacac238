//! Drill-down views rendered: real-valued Weibo payloads go through the production parser and
//! the app's update, then the view draws them at 80×24 and 120×40 (CJK, emoji, mixed Latin,
//! full-width punctuation), with KOL marks and a selection that survives NO_COLOR.

use crate::render_support;

use ratatui::style::Modifier;
use resou::domain::post::DrillRequest;
use resou::sources::weibo::drill::parse_comments;
use resou::ui::Theme;

use render_support::{
    deliver, draw, drill_now as now, find_row, first_drill, posts_view, press, row_text,
};

#[test]
fn posts_view_80x24() {
    let app = posts_view(80, 24, 1);
    let t = draw(&app.state, 80, 24);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn posts_view_120x40_marks_kols_tags_and_selection() {
    let mut app = posts_view(120, 40, 1);
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
    let mut app = posts_view(80, 24, 1);
    let (id, req) = first_drill(&press(&mut app, "enter"));
    assert!(matches!(req, DrillRequest::WeiboComments { .. }));
    let page = parse_comments(
        include_str!("../fixtures/drill_weibo/comments_p1.json"),
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
