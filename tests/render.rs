//! Render tests: TestBackend snapshots (symbols only) plus styled assertions on the buffer.

mod render_support;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use resou::app::state::{AppState, Tab};
use resou::domain::Platform;
use resou::ui::text::display_width;
use resou::ui::{MIN_HEIGHT, MIN_WIDTH, Theme, board_page_rows, render};

use render_support::{big_state, rows_for, sample_state};

/// Render `state` at `w`×`h`; every frame is checked for wide glyphs clobbering their neighbours.
fn draw(state: &AppState, w: u16, h: u16) -> Terminal<TestBackend> {
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
fn assert_no_hidden_text(buf: &Buffer, w: u16, h: u16) {
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
fn assert_hidden_lists_blank(backend: &TestBackend) {
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
fn row_text(buf: &Buffer, y: u16) -> String {
    let mut out = String::new();
    let mut x = 0;
    while x < buf.area.width {
        let sym = buf[(x, y)].symbol();
        out.push_str(sym);
        x += display_width(sym).max(1) as u16;
    }
    out
}

fn find_row(buf: &Buffer, needle: &str) -> Option<u16> {
    (0..buf.area.height).find(|&y| row_text(buf, y).contains(needle))
}

/// Column of the first cell of `needle` in row `y`.
fn locate(buf: &Buffer, y: u16, needle: &str) -> Option<u16> {
    let mut text = String::new();
    let mut starts = Vec::new(); // (byte offset in text, x)
    for x in visible_cells(buf, y) {
        starts.push((text.len(), x));
        text.push_str(buf[(x, y)].symbol());
    }
    let at = text.find(needle)?;
    starts.iter().find(|(b, _)| *b == at).map(|(_, x)| *x)
}

/// Columns of row `y` a terminal draws: cells hidden behind a wide glyph are left out.
fn visible_cells(buf: &Buffer, y: u16) -> Vec<u16> {
    let mut xs = Vec::new();
    let mut x = 0;
    while x < buf.area.width {
        xs.push(x);
        x += display_width(buf[(x, y)].symbol()).max(1) as u16;
    }
    xs
}

/// The rank cell (margin + 3 cells + space) of board row `y`.
fn rank_cell(buf: &Buffer, y: u16) -> String {
    row_text(buf, y).chars().take(5).collect()
}

#[test]
fn board_80x24() {
    let t = draw(&sample_state(), 80, 24);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn board_120x40() {
    let t = draw(&sample_state(), 120, 40);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn board_200x60() {
    let t = draw(&sample_state(), 200, 60);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn weibo_tab_40x12_drops_columns() {
    let mut state = sample_state();
    state.tab = Tab::Only(Platform::Weibo);
    let snaps: Vec<_> = state
        .boards
        .values()
        .filter_map(|b| b.current.clone())
        .collect();
    state.rows = rows_for(state.tab, &snaps);
    state.paused = true;
    let t = draw(&state, 40, 12);
    insta::assert_snapshot!(t.backend());
    let buf = t.backend().buffer();
    // No platform tag or time column at this width; the pause shows as text.
    assert!(find_row(buf, "微博").is_none());
    assert!(find_row(buf, "listed").is_none());
    assert!(row_text(buf, 0).contains("PAUSED"));
}

#[test]
fn board_shows_every_cell_kind() {
    let t = draw(&sample_state(), 200, 60);
    let buf = t.backend().buffer();
    let screen: String = (0..60).map(|y| row_text(buf, y) + "\n").collect();
    for needle in [
        "TOP", "↑3", "↓2", "NEW", "–", "新", "热", "沸", "爆", "商", "微博", "贴吧", "156万",
        "95.4万", "—", "45m", "3h12m", "2d", "● LIVE", "All 27", "Weibo 18", "Tieba 9",
    ] {
        assert!(screen.contains(needle), "missing {needle:?}:\n{screen}");
    }
    // Hashtag shown cleanly; mixed Latin and full-width punctuation intact.
    assert!(screen.contains("中国China成为潮流") && !screen.contains("#中国China"));
    assert!(screen.contains("腾讯反作弊,反的是绿玩？"));
    // Emoji titles as sanitised (SafeText currently drops U+200D, splitting ZWJ sequences).
    let state = sample_state();
    for emoji in ["🔥国庆", "三孩家庭", "七夕表白墙❤️"] {
        let row = state
            .rows
            .iter()
            .find(|r| r.topic.title.as_str().contains(emoji));
        let title = row.unwrap().topic.title.as_str();
        assert!(screen.contains(title), "missing {title:?}");
    }
}

#[test]
fn columns_stay_aligned_with_wide_titles() {
    // The heat column ends at the same cell on every row whatever the title's width.
    let t = draw(&sample_state(), 80, 24);
    let buf = t.backend().buffer();
    let heat_end = |y: u16| {
        let row = row_text(buf, y);
        let i = row.rfind(['万', '—'])?;
        Some(display_width(&row[..i]) + if row[i..].starts_with('万') { 2 } else { 1 })
    };
    let ends: Vec<usize> = (2..22).filter_map(heat_end).collect();
    assert!(ends.len() > 15, "{ends:?}");
    assert!(ends.windows(2).all(|w| w[0] == w[1]), "{ends:?}");
}

#[test]
fn selected_row_is_reversed_and_only_it() {
    let state = sample_state();
    let t = draw(&state, 80, 24);
    let buf = t.backend().buffer();
    let idx = state.selected_index().unwrap();
    let title = state.rows[idx].topic.title.as_str();
    let y = find_row(buf, title).unwrap();
    for x in visible_cells(buf, y) {
        assert!(
            buf[(x, y)].modifier.contains(Modifier::REVERSED),
            "cell {x} of the selected row"
        );
    }
    for other in (2..22).filter(|&o| o != y) {
        assert!(
            !buf[(1, other)].modifier.contains(Modifier::REVERSED),
            "row {other} also reversed"
        );
    }
}

#[test]
fn new_label_cell_has_its_style() {
    let t = draw(&sample_state(), 80, 24);
    let buf = t.backend().buffer();
    let y = find_row(buf, "国乒男单全军覆没").unwrap();
    let x = locate(buf, y, "新").unwrap();
    let theme = Theme::default();
    assert_eq!(buf[(x, y)].fg, theme.label_new.fg.unwrap());
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
}

#[test]
fn failing_source_is_bold_in_the_status_bar() {
    let t = draw(&sample_state(), 120, 40);
    let buf = t.backend().buffer();
    let y = find_row(buf, "HTTP 432").unwrap();
    assert!(y >= 38, "status bar is at the bottom, found at {y}");
    let x = locate(buf, y, "Tieba ✗ HTTP 432").unwrap();
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    let ok = locate(buf, y, "Weibo ✓").unwrap();
    assert!(!buf[(ok, y)].modifier.contains(Modifier::BOLD));
    let status = row_text(buf, y);
    assert!(status.contains("11:58"), "{status}");
}

#[test]
fn status_long_form_when_it_fits() {
    let t = draw(&sample_state(), 200, 60);
    let status = row_text(t.backend().buffer(), 58);
    assert!(
        status.contains(
            "Weibo ✓ 12:00 via s.weibo.com · next 40s · fallback (weibo.com/ajax: HTTP 403)"
        ),
        "{status}"
    );
    assert!(
        status.contains("Tieba: HTTP 432 — showing 11:58 data, retry in 40s"),
        "{status}"
    );
    let keys = row_text(t.backend().buffer(), 59);
    assert!(
        keys.starts_with("g- ") && keys.trim_end().ends_with("3/27  ? help"),
        "{keys}"
    );
}

#[test]
fn source_without_data_says_so() {
    let mut state = sample_state();
    state.rows.clear();
    for h in state.health.values_mut() {
        h.data_at = None;
        h.error = Some("HTTP 432".into());
    }
    let t = draw(&state, 120, 40);
    let buf = t.backend().buffer();
    // Errors in the middle of the empty board, and in the status bar.
    let y = find_row(buf, "Weibo: HTTP 432").unwrap();
    assert!((15..25).contains(&y), "{y}");
    let status = row_text(buf, 38);
    assert!(status.contains("no data yet"), "{status}");
}

#[test]
fn empty_board_waits_for_first_poll() {
    let mut state = AppState::default();
    state.health.insert(
        Platform::Weibo,
        resou::app::state::SourceHealth {
            enabled: true,
            ..Default::default()
        },
    );
    let t = draw(&state, 80, 24);
    let buf = t.backend().buffer();
    let y = find_row(buf, "waiting for first poll…").unwrap();
    assert!((8..16).contains(&y), "centred, found at {y}");
}

#[test]
fn scrolled_board_starts_at_offset() {
    let mut state = big_state(500);
    state.selection.offset = 137;
    state.selection.key = Some(state.rows[140].key.clone());
    let t = draw(&state, 80, 24);
    let buf = t.backend().buffer();
    assert_eq!(rank_cell(buf, 2), " 138 ");
    assert!(buf[(1, 2 + 3)].modifier.contains(Modifier::REVERSED));
    assert_eq!(rank_cell(buf, 2 + 3), " 141 ");
    assert!(!buf[(1, 2 + 2)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn page_rows_match_what_is_drawn() {
    let state = big_state(500);
    for (w, h) in [(80, 24), (120, 40), (200, 60), (40, 10), (40, 15)] {
        let page = board_page_rows(Rect::new(0, 0, w, h));
        let t = draw(&state, w, h);
        let buf = t.backend().buffer();
        // The last board row holds rank `page`; the line below it is the status bar.
        let last = 2 + page as u16 - 1;
        assert_eq!(rank_cell(buf, last), format!(" {page:>3} "), "{w}x{h}");
        assert_ne!(
            rank_cell(buf, last + 1),
            format!(" {:>3} ", page + 1),
            "{w}x{h}"
        );
    }
}

#[test]
fn help_popup() {
    let mut state = sample_state();
    state.show_help = true;
    let t = draw(&state, 80, 24);
    insta::assert_snapshot!(t.backend());
    let buf = t.backend().buffer();
    assert!(find_row(buf, "Pause/resume polling").is_some());
    assert!(find_row(buf, "list").is_some());
}

#[test]
fn help_popup_clamped_with_ellipsis() {
    let mut state = sample_state();
    state.show_help = true;
    let t = draw(&state, MIN_WIDTH, MIN_HEIGHT);
    insta::assert_snapshot!(t.backend());
    let buf = t.backend().buffer();
    // Not all 14 entries fit in 10 rows: the last inner line is an ellipsis.
    assert!(find_row(buf, "Copy link").is_none());
    assert_eq!(
        row_text(buf, MIN_HEIGHT - 2)
            .trim()
            .trim_matches('│')
            .trim(),
        "…"
    );
}

#[test]
fn too_small_terminal() {
    let t = draw(&sample_state(), 30, 8);
    insta::assert_snapshot!(t.backend());
    let screen = t.backend().to_string();
    assert!(
        screen.contains("terminal too small") && screen.contains("(need 40×10)"),
        "{screen}"
    );
}

#[test]
fn never_panics_at_tiny_sizes() {
    let mut state = sample_state();
    for help in [false, true] {
        state.show_help = help;
        for (w, h) in [(0, 0), (1, 1), (10, 3), (0, 24), (80, 0)] {
            draw(&state, w, h);
        }
        for w in 0..=45 {
            for h in 0..=17 {
                draw(&state, w, h);
            }
        }
    }
}

#[test]
fn flash_follows_pending_keys_and_is_cut_by_width() {
    let mut state = sample_state();
    state.flash = Some("keymap.toml:3: unknown action \"dismis\" — using the defaults".into());
    let t = draw(&state, 80, 24);
    let last = row_text(t.backend().buffer(), 23);
    assert!(
        last.starts_with("g- keymap.toml:3: unknown action"),
        "{last}"
    );
    assert!(last.trim_end().ends_with("3/27  ? help"), "{last}");
    let t = draw(&state, 60, 24);
    let last = row_text(t.backend().buffer(), 23);
    assert!(last.contains('…') && last.ends_with("? help"), "{last}");
    assert_eq!(display_width(&last), 60);
}
