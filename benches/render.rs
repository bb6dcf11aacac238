//! Full-frame render cost: `terminal.draw(|f| render(f, &state))` into a TestBackend.
//! Target: well under 1 ms per frame, so redraw-on-change never shows up in a profile.

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use resou::ui::render;

#[path = "../tests/render_support/mod.rs"]
mod render_support;

fn bench_render(c: &mut Criterion) {
    // Two states one row apart, drawn in turn: every frame then has a real diff to flush, as
    // when scrolling, instead of an unchanged screen.
    let first = render_support::big_state(500);
    let mut second = first.clone();
    second.board.selection.offset = 1;
    let states = [first, second];
    for (w, h) in [(200u16, 60u16), (80, 24)] {
        let mut terminal = match Terminal::new(TestBackend::new(w, h)) {
            Ok(t) => t,
            Err(e) => panic!("test backend: {e}"),
        };
        let mut i = 0usize;
        c.bench_function(&format!("render 500 topics {w}x{h}"), |b| {
            b.iter(|| {
                i += 1;
                let state = std::hint::black_box(&states[i % 2]);
                let _ = terminal.draw(|f| render(f, state));
            })
        });
    }
    // The analysis on screen: keyword panel beside the board, rising keywords highlighted in
    // the titles, KOL badges; scrolling as above.
    let first = render_support::big_state_highlighted(500);
    let mut second = first.clone();
    second.board.selection.offset = 1;
    let states = [first, second];
    let mut terminal = match Terminal::new(TestBackend::new(200, 60)) {
        Ok(t) => t,
        Err(e) => panic!("test backend: {e}"),
    };
    let mut i = 0usize;
    c.bench_function(
        "render 500 topics + keyword panel + highlights 200x60",
        |b| {
            b.iter(|| {
                i += 1;
                let state = std::hint::black_box(&states[i % 2]);
                let _ = terminal.draw(|f| render(f, state));
            })
        },
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
        let mut terminal = match Terminal::new(TestBackend::new(w, h)) {
            Ok(t) => t,
            Err(e) => panic!("test backend: {e}"),
        };
        let mut i = 0usize;
        c.bench_function(&format!("render posts view 300 posts {w}x{h}"), |b| {
            b.iter(|| {
                i += 1;
                let state = std::hint::black_box(&states[i % 2]);
                let _ = terminal.draw(|f| render(f, state));
            })
        });
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
