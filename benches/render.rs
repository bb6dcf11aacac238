//! Full-frame render cost: `terminal.draw(|f| render(f, &state))` into a TestBackend.
//! Target: well under 1 ms per frame, so redraw-on-change never shows up in a profile.
//!
//! The 500-row board is the eleven real lists of 2025-10-15 at 12:36 as the app builds them
//! (every poll through the real analysis: platform tags, story counts `⇄n`, dynamics marks),
//! repeated under new titles to 500 rows; the board of 500 Weibo rows it replaced is kept
//! beside it. The events view shows the real grouper's stories of that day.

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use resou::ui::render;

#[path = "../tests/render_support/mod.rs"]
mod render_support;

/// The moment of the demo day whose stories the events view shows (~300 live stories).
const EVENTS_AT: &str = "10:05";

/// Bench drawing `states` in turn at `size`: every frame then has a real diff to flush.
fn alternate(
    c: &mut Criterion,
    name: &str,
    states: &[resou::app::state::AppState; 2],
    size: (u16, u16),
) {
    let mut terminal = match Terminal::new(TestBackend::new(size.0, size.1)) {
        Ok(t) => t,
        Err(e) => panic!("test backend: {e}"),
    };
    let mut i = 0usize;
    c.bench_function(name, |b| {
        b.iter(|| {
            i += 1;
            let state = std::hint::black_box(&states[i % 2]);
            let _ = terminal.draw(|f| render(f, state));
        })
    });
}

fn bench_render(c: &mut Criterion) {
    // Two states one row apart, drawn in turn: every frame then has a real diff to flush, as
    // when scrolling, instead of an unchanged screen.
    let many = render_support::many_lists_state(500);
    let rows = &many.board.rows;
    let platforms: std::collections::BTreeSet<_> = rows.iter().map(|r| r.topic.platform).collect();
    eprintln!(
        "500-row board: {} lists, {} rows with ⇄2 or more, {} with a dynamics mark",
        platforms.len(),
        rows.iter().filter(|r| r.event_platforms >= 2).count(),
        rows.iter().filter(|r| r.dynamics.is_some()).count(),
    );
    for (name, first) in [
        ("500 topics", many),
        ("500 Weibo topics", render_support::big_state(500)),
    ] {
        let mut second = first.clone();
        second.board.selection.offset = 1;
        let states = [first, second];
        for (w, h) in [(200u16, 60u16), (80, 24)] {
            alternate(c, &format!("render {name} {w}x{h}"), &states, (w, h));
        }
    }
    // The events view (`E`) over the real stories of the day, the selection moving between
    // two stories.
    let mut first = render_support::analysed_demo_day(EVENTS_AT, (200, 60)).state;
    first.events_view.open = true;
    let events = &first.analysis.events.events;
    eprintln!(
        "events view at {EVENTS_AT}: {} stories, {} on two or more lists",
        events.len(),
        events.iter().filter(|e| e.platforms.len() >= 2).count()
    );
    let mut second = first.clone();
    second.events_view.selected = 1;
    let states = [first, second];
    for (w, h) in [(200u16, 60u16), (80, 24)] {
        alternate(c, &format!("render events view {w}x{h}"), &states, (w, h));
    }
    // The analysis on screen: keyword panel beside the board, rising keywords highlighted in
    // the titles, KOL badges; scrolling as above.
    let first = render_support::big_state_highlighted(500);
    let mut second = first.clone();
    second.board.selection.offset = 1;
    let states = [first, second];
    alternate(
        c,
        "render 500 topics + keyword panel + highlights 200x60",
        &states,
        (200, 60),
    );
    // A drill-down view: 300 real-valued posts (wrapped CJK text, tags, emoji, quotes, KOL
    // marks), the selection moving between two posts as when reading.
    for (w, h) in [(200u16, 60u16), (80, 24)] {
        let first = render_support::posts_view(w, h, 100).state;
        let mut second = first.clone();
        if let Some(v) = second.views.stack.last_mut() {
            v.selected = 1;
        }
        let states = [first, second];
        alternate(
            c,
            &format!("render posts view 300 posts {w}x{h}"),
            &states,
            (w, h),
        );
    }
    // What ratatui's draw/diff/flush of a frame costs without any of our rendering.
    let mut terminal = match Terminal::new(TestBackend::new(200, 60)) {
        Ok(t) => t,
        Err(e) => panic!("test backend: {e}"),
    };
    c.bench_function("baseline: empty frame 200x60", |b| {
        b.iter(|| {
            let _ = terminal.draw(|_| {});
        })
    });
    let mut help = render_support::sample_state();
    help.popups.show_help = true;
    let mut terminal = match Terminal::new(TestBackend::new(120, 40)) {
        Ok(t) => t,
        Err(e) => panic!("test backend: {e}"),
    };
    c.bench_function("render help popup 120x40", |b| {
        b.iter(|| {
            let _ = terminal.draw(|f| render(f, std::hint::black_box(&help)));
        })
    });
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
