//! Render tests: TestBackend snapshots (symbols only) plus styled assertions on the buffer.

use crate::render_support;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use resou::analysis::{Direction, PanelEntry, PlatformCounts, Trend};
use resou::app::state::{AppState, Focus, Tab};
use resou::domain::Platform;
use resou::ui::text::display_width;
use resou::ui::{MIN_HEIGHT, MIN_WIDTH, Theme, board_page_rows, keyword_page_rows};

use render_support::{big_state, draw, find_row, row_text, rows_for, sample_state};

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
    state.board.tab = Tab::Only(Platform::Weibo);
    let snaps: Vec<_> = state
        .lists
        .boards
        .values()
        .filter_map(|b| b.current.clone())
        .collect();
    state.board.rows = rows_for(state.board.tab, &snaps);
    state.lists.paused = true;
    let t = draw(&state, 40, 12);
    insta::assert_snapshot!(t.backend());
    let buf = t.backend().buffer();
    // No platform tag or time column at this width; the pause shows as text.
    assert!((1..12).all(|y| !row_text(buf, y).contains("微博")));
    assert!(find_row(buf, "listed").is_none());
    assert!(row_text(buf, 0).contains("PAUSED"));
}

#[test]
fn board_shows_every_cell_kind() {
    let t = draw(&sample_state(), 200, 60);
    let buf = t.backend().buffer();
    let screen: String = (0..60).map(|y| row_text(buf, y) + "\n").collect();
    for needle in [
        "TOP",
        "↑3",
        "↓2",
        "NEW",
        "–",
        "新",
        "热",
        "沸",
        "爆",
        "商",
        "微博",
        "贴吧",
        "156万",
        "95.4万",
        "—",
        "45m",
        "3h12m",
        "2d",
        "● LIVE",
        "All 27",
        "微博 18",
        "贴吧 9",
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
            .board
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
    let title = state.board.rows[idx].topic.title.as_str();
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
    // (The row's KOL badge `@央视新闻` also holds a 新: find the label before the site tag.)
    let x = locate(buf, y, "新 微博").unwrap();
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
    state.board.rows.clear();
    for h in state.lists.health.values_mut() {
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
    state.lists.health.insert(
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
    state.board.selection.offset = 137;
    state.board.selection.key = Some(state.board.rows[140].key.clone());
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
    for (w, h) in [
        (80, 24),
        (120, 40),
        (200, 60),
        (40, 10),
        (40, 15),
        (80, 30),
        (119, 35),
        (130, 24),
    ] {
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
    state.popups.show_help = true;
    let t = draw(&state, 80, 24);
    insta::assert_snapshot!(t.backend());
    let buf = t.backend().buffer();
    assert!(find_row(buf, "Pause/resume polling").is_some());
    assert!(find_row(buf, "list").is_some());
}

#[test]
fn help_popup_clamped_with_ellipsis() {
    let mut state = sample_state();
    state.popups.show_help = true;
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
        state.popups.show_help = help;
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
    state.status.flash =
        Some("keymap.toml:3: unknown action \"dismis\" — using the defaults".into());
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

// ---- keyword panel, highlights, KOLs, filter ----

/// Does any visible cell of row `y` from column `x0` on (to `x1`) hold `needle` as one glyph?
fn cells_of(buf: &Buffer, y: u16, from: u16, needle: &str) -> Vec<u16> {
    let mut out = Vec::new();
    let Some(start) = locate_from(buf, y, from, needle) else {
        return out;
    };
    let mut x = start;
    for g in needle.chars() {
        assert_eq!(buf[(x, y)].symbol(), g.to_string(), "row {y}");
        out.push(x);
        x += display_width(buf[(x, y)].symbol()).max(1) as u16;
    }
    out
}

/// `locate`, only looking at cells from column `from` on.
fn locate_from(buf: &Buffer, y: u16, from: u16, needle: &str) -> Option<u16> {
    let mut text = String::new();
    let mut starts = Vec::new();
    for x in visible_cells(buf, y).into_iter().filter(|&x| x >= from) {
        starts.push((text.len(), x));
        text.push_str(buf[(x, y)].symbol());
    }
    let at = text.find(needle)?;
    starts.iter().find(|(b, _)| *b == at).map(|(_, x)| *x)
}

fn bold_underlined(buf: &Buffer, x: u16, y: u16) -> bool {
    buf[(x, y)]
        .modifier
        .contains(Modifier::BOLD | Modifier::UNDERLINED)
}

/// First row whose keyword-panel part (right of the border) contains `needle`.
fn find_panel_row(buf: &Buffer, needle: &str) -> Option<u16> {
    let px = panel_x(buf);
    (0..buf.area.height).find(|&y| locate_from(buf, y, px, needle).is_some())
}

/// x of the keyword panel's border in a side layout.
fn panel_x(buf: &Buffer) -> u16 {
    locate(buf, 1, "│").unwrap()
}

#[test]
fn keyword_panel_lists_rising_then_cooling_then_steady() {
    let t = draw(&sample_state(), 120, 40);
    let buf = t.backend().buffer();
    assert!(row_text(buf, 1).contains("│ Keywords 12:00 · ▲ 5"));
    let row = |k: &str| row_text(buf, find_panel_row(buf, &format!(" {k} ")).unwrap());
    // Marker, label with the other terms dimmed (cut to fit), score with one decimal, arrow,
    // since when, platforms, titles (the sparkline needs a wider panel).
    let wangwang = row("▲ 旺旺");
    assert!(
        wangwang.ends_with("▲ 旺旺 减糖…    5.3 ↑ 11:42 微  2 "),
        "{wangwang}"
    );
    assert!(row("★ 家庭").ends_with("4.1 ↑ 11:42 2p  2 "));
    // Cooling: ▽, no since-when; steady: no marker.
    assert!(row("▽ 牛来").ends_with("1.2 →       微  1 "));
    assert!(row("淘汰赛").ends_with("0.3 →       贴  1 "));
    // Rising rows, then cooling, then steady, each after its separator, in the app's order.
    let y_of = |k: &str| find_panel_row(buf, &format!(" {k} ")).unwrap();
    let cooling = find_panel_row(buf, "── cooling ──").unwrap();
    let steady = find_panel_row(buf, "── steady ──").unwrap();
    assert!(y_of("王传君") < cooling && cooling < y_of("牛来") && y_of("牛来") < steady);
    assert_eq!(y_of("旺旺"), 2);
    assert!(steady < y_of("日本") && y_of("日本") < y_of("中国"));
    // Wider: the sparkline is back.
    let t = draw(&sample_state(), 200, 60);
    let buf = t.backend().buffer();
    let y = find_panel_row(buf, "▲ 旺旺").unwrap();
    assert!(
        row_text(buf, y).ends_with("▲ 旺旺 减糖…    5.3 ↑ 11:42  ▁▁▂▄▆█ 微  2 "),
        "{}",
        row_text(buf, y)
    );
}

#[test]
fn keyword_panel_markers_and_steady_rows_are_styled() {
    let t = draw(&sample_state(), 120, 40);
    let buf = t.backend().buffer();
    let theme = Theme::default();
    let px = panel_x(buf);
    let y = find_row(buf, "▲ 旺旺").unwrap();
    let x = locate_from(buf, y, px, "▲").unwrap();
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    assert_eq!(buf[(x, y)].fg, theme.rising_marker.fg.unwrap());
    let y = find_row(buf, "★ 家庭").unwrap();
    let x = locate_from(buf, y, px, "★").unwrap();
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    // Steady rows are muted and carry no marker.
    let y = find_panel_row(buf, " 日本 ").unwrap();
    let x = locate_from(buf, y, px, "日本").unwrap();
    assert_eq!(buf[(x, y)].fg, theme.steady.fg.unwrap());
    assert_eq!(buf[(x - 2, y)].symbol(), " ");
}

#[test]
fn selected_keyword_is_reversed_only_when_focused() {
    let mut state = sample_state();
    state.panel.selected = 2; // 胖东来
    for focus in [Focus::Keywords, Focus::Board] {
        state.input.focus = focus;
        let t = draw(&state, 120, 40);
        let buf = t.backend().buffer();
        let px = panel_x(buf);
        let y = find_row(buf, "▲ 胖东来").unwrap();
        let x = locate_from(buf, y, px, "胖东来").unwrap();
        let other = find_row(buf, "▲ 旺旺").unwrap();
        let focused = focus == Focus::Keywords;
        assert_eq!(
            buf[(x, y)].modifier.contains(Modifier::REVERSED),
            focused,
            "{focus:?}"
        );
        assert!(!buf[(x, other)].modifier.contains(Modifier::REVERSED));
        if !focused {
            assert!(bold_underlined(buf, x, y));
            assert!(!buf[(x, other)].modifier.contains(Modifier::UNDERLINED));
        }
        // The board's selection is reversed only while the board has the keyboard.
        let sel = state.selected_index().unwrap();
        let by = find_row(buf, state.board.rows[sel].topic.title.as_str()).unwrap();
        assert_eq!(
            buf[(1, by)].modifier.contains(Modifier::REVERSED),
            !focused,
            "{focus:?}"
        );
    }
}

#[test]
fn rising_keywords_are_bold_underlined_in_titles() {
    let t = draw(&sample_state(), 80, 24);
    let buf = t.backend().buffer();
    let theme = Theme::default();
    let y = find_row(buf, "网友集体呼吁旺旺减糖").unwrap();
    for x in cells_of(buf, y, 0, "旺旺") {
        assert!(bold_underlined(buf, x, y), "cell {x}");
        assert_eq!(buf[(x, y)].fg, theme.rising.fg.unwrap());
    }
    for x in cells_of(buf, y, 0, "呼吁")
        .into_iter()
        .chain(cells_of(buf, y, 0, "减糖"))
    {
        assert!(
            !buf[(x, y)].modifier.contains(Modifier::UNDERLINED),
            "cell {x}"
        );
    }
    // Hashtag title: the range indexes `#中国China成为潮流#`, the screen shows it without `#`.
    let y = find_row(buf, "中国China成为潮流").unwrap();
    for x in cells_of(buf, y, 0, "潮流") {
        assert!(bold_underlined(buf, x, y), "cell {x}");
    }
    for x in cells_of(buf, y, 0, "成为") {
        assert!(
            !buf[(x, y)].modifier.contains(Modifier::UNDERLINED),
            "cell {x}"
        );
    }
    // Steady keywords are not highlighted.
    let y = find_row(buf, "牛来").unwrap();
    let x = locate(buf, y, "牛来").unwrap();
    assert!(!buf[(x, y)].modifier.contains(Modifier::UNDERLINED));
}

#[test]
fn highlights_survive_truncation_and_never_mark_the_ellipsis() {
    let state = sample_state();
    let mut cut_inside = false;
    for w in MIN_WIDTH..=80 {
        let t = draw(&state, w, 24);
        let buf = t.backend().buffer();
        let Some(y) = find_row(buf, "网友集体") else {
            continue;
        };
        let text = row_text(buf, y);
        cut_inside |= text.contains("呼吁旺…");
        for x in visible_cells(buf, y) {
            let sym = buf[(x, y)].symbol();
            let in_keyword = sym == "旺";
            if sym == "…" {
                assert!(!buf[(x, y)].modifier.contains(Modifier::UNDERLINED), "{w}");
            } else if in_keyword {
                assert!(bold_underlined(buf, x, y), "{w}: {text}");
            }
        }
    }
    assert!(cut_inside, "no width cut the title inside the keyword");
}

#[test]
#[allow(clippy::reversed_empty_ranges)] // reversed ranges are the point
fn hostile_highlight_ranges_never_panic() {
    let mut state = sample_state();
    for (i, row) in state.board.rows.iter_mut().enumerate() {
        let len = row.topic.title.as_str().len();
        row.highlights = match i % 4 {
            0 => vec![len + 5..len + 50, usize::MAX - 1..usize::MAX],
            1 => vec![1..2, 4..5], // inside the first and second CJK char
            2 => vec![9..3, 7..7], // reversed, empty
            _ => vec![0..usize::MAX, 3..9, 0..4],
        };
        row.kols = vec!["人民日报".repeat(i % 3); i % 3];
    }
    let title = |i: usize| state.board.rows[i].topic.title.as_str().to_string();
    let (out_of_bounds, reversed, whole) = (title(0), title(2), title(3));
    for (w, h) in [(40, 10), (80, 24), (119, 30), (120, 40), (200, 60)] {
        let t = draw(&state, w, h);
        let buf = t.backend().buffer();
        // A range over the whole title marks every title glyph.
        let y = find_row(buf, &whole).unwrap();
        for x in cells_of(buf, y, 0, &whole)
            .into_iter()
            .filter(|&x| buf[(x, y)].symbol() != " ")
        {
            assert!(bold_underlined(buf, x, y), "{w}x{h} {x}");
        }
        // Reversed, empty and out-of-bounds ranges mark nothing.
        for t in [&out_of_bounds, &reversed] {
            let probe: String = t.chars().take(3).collect();
            let y = find_row(buf, &probe).unwrap();
            let x = locate(buf, y, &probe).unwrap();
            assert!(
                !buf[(x, y)].modifier.contains(Modifier::UNDERLINED),
                "{w}x{h} {t}"
            );
        }
    }
}

#[test]
fn kol_badge_is_bold_and_shrinks_before_the_title() {
    let state = sample_state();
    let theme = Theme::default();
    let t = draw(&state, 80, 24);
    let buf = t.backend().buffer();
    let y = find_row(buf, "国乒").unwrap();
    let x = locate(buf, y, "@央视新闻").unwrap();
    for x in cells_of(buf, y, 0, "@央视新闻") {
        assert!(buf[(x, y)].modifier.contains(Modifier::BOLD), "cell {x}");
    }
    assert_eq!(buf[(x, y)].fg, theme.kol.fg.unwrap());
    // Rows without KOLs have an empty badge cell.
    let y = find_row(buf, "网友集体").unwrap();
    assert_eq!(buf[(x, y)].symbol(), " ");
    // Two KOLs: the first named, the rest counted.
    let t = draw(&state, 120, 40);
    assert!(find_row(t.backend().buffer(), "@人民日报+1").is_some());
    // Narrower: a count, then nothing, while the title keeps its room.
    let t = draw(&state, 60, 24);
    let row = row_text(
        t.backend().buffer(),
        find_row(t.backend().buffer(), "国乒").unwrap(),
    );
    assert!(row.contains("@1") && !row.contains("@央视"), "{row}");
    let t = draw(&state, 48, 24);
    let buf = t.backend().buffer();
    let row = row_text(buf, find_row(buf, "国乒").unwrap());
    assert!(
        !row.contains('@') && row.contains("国乒男单全军覆没"),
        "{row}"
    );
}

#[test]
fn keyword_panel_loading_dictionary() {
    let mut state = sample_state();
    state.analysis.ready = false;
    state.analysis.entries.clear();
    state.analysis.at = None;
    for r in &mut state.board.rows {
        r.highlights.clear();
    }
    let t = draw(&state, 120, 24);
    insta::assert_snapshot!(t.backend());
    let buf = t.backend().buffer();
    let px = panel_x(buf);
    assert!(locate_from(buf, 2, px, "loading dictionary…").is_some());
    assert!(find_row(buf, "no keywords yet").is_none());
    // Ready but nothing to list.
    state.analysis.ready = true;
    let t = draw(&state, 120, 24);
    assert!(locate_from(t.backend().buffer(), 2, px, "no keywords yet").is_some());
}

#[test]
fn keyword_panel_warming_up_below_the_board() {
    let mut state = sample_state();
    state.analysis.warming_up = true;
    state.analysis.flags_from = Some(render_support::t(12, 30, 0));
    for k in &mut state.analysis.entries {
        k.trend = Trend::Steady;
        k.cross_platform = false;
    }
    state.analysis.warning = Some("detector state unreadable, starting fresh".into());
    let t = draw(&state, 100, 32);
    insta::assert_snapshot!(t.backend());
    let buf = t.backend().buffer();
    // Panel below the board (board rows stop above it), its title carries the note.
    let y = find_row(buf, "Keywords 12:00 · warm-up until 12:30").unwrap();
    assert_eq!(y as usize, 2 + board_page_rows(Rect::new(0, 0, 100, 32)));
    assert!(row_text(buf, y).contains("detector state unreadable"));
    let x = locate(buf, y, "warm-up").unwrap();
    assert_eq!(buf[(x, y)].fg, Theme::default().muted.fg.unwrap());
    // No rising rows yet: no markers, no separator.
    assert!(find_row(buf, "▲").is_none());
    assert!(find_row(buf, "── steady").is_none() && find_row(buf, "── cooling").is_none());
    assert!(row_text(buf, y + 1).contains("旺旺"));
}

#[test]
fn kol_panel_shown() {
    let mut state = sample_state();
    state.panel.show_kols = true;
    let t = draw(&state, 120, 40);
    insta::assert_snapshot!(t.backend());
    let buf = t.backend().buffer();
    let y = find_row(buf, " KOLs ").unwrap();
    assert_eq!(y, 2, "popup at the top of the board");
    let first = row_text(buf, y + 1);
    // Name, titles now, mentions per poll scaled to the KOL's own max (0 1 1 2).
    assert!(
        first.contains("央视新闻   2 ") && first.contains("▁▅▅█"),
        "{first}"
    );
    assert!(row_text(buf, y + 2).contains("人民日报   1 "));
    // Popup stays left of the keyword panel, which is untouched.
    let px = panel_x(buf);
    assert!(locate(buf, y + 1, "央视新闻").unwrap() < px);
    assert!(row_text(buf, 2).contains("▲ 旺旺"));
    // Empty list.
    state.analysis.kols.clear();
    let t = draw(&state, 80, 24);
    assert!(find_row(t.backend().buffer(), "no KOLs active").is_some());
}

#[test]
fn filter_shown_in_header_with_filtered_counts() {
    let mut state = sample_state();
    state.board.filter = Some("旺旺".into());
    state
        .board
        .rows
        .retain(|r| r.topic.title.as_str().contains("旺旺"));
    state.board.selection.key = Some(state.board.rows[0].key.clone());
    let t = draw(&state, 80, 24);
    insta::assert_snapshot!(t.backend());
    let buf = t.backend().buffer();
    let header = row_text(buf, 0);
    assert!(header.contains("All 2 "), "{header}");
    assert!(
        header.contains("微博 2") && header.contains("贴吧 0"),
        "{header}"
    );
    let x = locate(buf, 0, "filter: 旺旺").unwrap();
    assert!(buf[(x, 0)].modifier.contains(Modifier::BOLD));
    assert!(find_row(buf, "网友集体呼吁旺旺减糖").is_some());
}

#[test]
fn keyword_page_rows_match_what_is_drawn() {
    let mut state = sample_state();
    // Steady rows only: no separator, so the panel shows exactly `keyword_page_rows` of them.
    state.analysis.entries = (0..200)
        .map(|i| PanelEntry {
            label: format!("kw{i:03}").into(),
            keys: vec![format!("kw{i:03}").into()],
            others: Vec::new(),
            trend: Trend::Steady,
            since: None,
            score: 1.0,
            share: 0.01,
            cross_platform: false,
            rising_on: Default::default(),
            direction: Direction::Flat,
            platforms: vec![Platform::Tieba].into(),
            titles: PlatformCounts::of([(Platform::Weibo, 0), (Platform::Tieba, 1)]),
            history: vec![0.01].into(),
        })
        .collect();
    state.panel.selected = 0;
    // With the keyboard in the panel: on small terminals it then takes the board's place.
    state.input.focus = Focus::Keywords;
    for (w, h) in [
        (120, 40),
        (200, 60),
        (120, 12),
        (80, 30),
        (119, 45),
        (80, 24),
    ] {
        let page = keyword_page_rows(Rect::new(0, 0, w, h));
        let t = draw(&state, w, h);
        let screen = t.backend().to_string();
        if page == 0 {
            assert!(!screen.contains("kw000"), "{w}x{h}");
            continue;
        }
        assert!(screen.contains(&format!("kw{:03}", page - 1)), "{w}x{h}");
        assert!(!screen.contains(&format!("kw{page:03}")), "{w}x{h}");
    }
    // Scrolled: the window starts at the offset and holds the selection (board focused).
    state.input.focus = Focus::Board;
    state.panel.offset = 50;
    state.panel.selected = 55;
    let t = draw(&state, 120, 40);
    let buf = t.backend().buffer();
    assert!(row_text(buf, 2).contains("kw050"));
    let y = find_row(buf, "kw055").unwrap();
    let x = locate(buf, y, "kw055").unwrap();
    assert!(bold_underlined(buf, x, y));
}

#[test]
fn panels_never_panic_around_their_thresholds() {
    let mut state = sample_state();
    state.panel.show_kols = true;
    state.input.focus = Focus::Keywords;
    state.panel.selected = usize::MAX;
    state.panel.offset = usize::MAX;
    state.board.filter = Some("旺旺".into());
    for help in [false, true] {
        state.popups.show_help = help;
        for w in 0..=60 {
            for h in 0..=20 {
                draw(&state, w, h);
            }
        }
        for w in (110..=130).chain([200, 300]) {
            for h in (8..=12).chain(26..=34) {
                draw(&state, w, h);
            }
        }
    }
    // Hostile analysis values.
    state.popups.show_help = false;
    for k in &mut state.analysis.entries {
        k.score = f64::NAN;
        k.history = vec![f32::INFINITY, -1.0, f32::NAN].into();
        k.label = "超长的关键词超长的关键词超长的关键词".into();
        k.others = vec!["👨‍👩‍👧".into(), "全角，标点".into()];
        k.titles = PlatformCounts::of([(Platform::Weibo, u32::MAX)]);
    }
    state.analysis.kols[0].name = "👨‍👩‍👧".repeat(20);
    state.analysis.kols[0].history = vec![u32::MAX; 100];
    for (w, h) in [(120, 40), (80, 30), (200, 60)] {
        draw(&state, w, h);
    }
}

/// Labels and dimmed terms in Chinese, mixed Latin, emoji and full-width punctuation: every
/// entry row puts its score, arrow and since-when in the same columns, at 80×24 (the panel in
/// the board's place) and at 200×60 (beside it).
#[test]
fn keyword_entries_align_by_display_width() {
    let mut state = sample_state();
    let labels: [(&str, &[&str]); 5] = [
        ("iPhone17发布会", &["苹果", "A19"]),
        ("🔥热搜", &["👨‍👩‍👧", "家庭"]),
        ("全角，标点！", &["（测试）", "ＡＢＣ"]),
        ("旺旺", &["减糖", "呼吁", "配料表", "集团", "危机"]),
        ("Ame", &[]),
    ];
    for (e, (label, others)) in state.analysis.entries.iter_mut().zip(labels) {
        e.label = label.into();
        e.keys = vec![label.into()];
        e.others = others.iter().map(|&o| o.into()).collect();
        e.trend = Trend::Rising;
        e.direction = Direction::Up;
        e.since = Some(render_support::t(11, 42, 0));
        e.score = 3.5;
    }
    state.analysis.entries.truncate(5);
    state.analysis.all_entries = state.analysis.entries.clone();
    state.input.focus = Focus::Keywords;
    for (w, h) in [(80, 24), (200, 60)] {
        let t = draw(&state, w, h);
        let buf = t.backend().buffer();
        let cols: Vec<(u16, u16)> = (0..h)
            .filter(|&y| row_text(buf, y).contains("3.5 ↑ 11:42"))
            .map(|y| {
                let x = locate(buf, y, "3.5 ↑ 11:42").unwrap();
                (x, y)
            })
            .collect();
        assert_eq!(cols.len(), 5, "{w}x{h}: {cols:?}");
        assert!(
            cols.windows(2).all(|c| c[0].0 == c[1].0),
            "{w}x{h}: {cols:?}"
        );
    }
}
