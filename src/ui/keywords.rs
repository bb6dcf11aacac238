//! The keyword panel: one entry per story. Rising entries first (▲ marker, label with the
//! other terms of its titles dimmed beside it, score, direction, since when, sparkline,
//! platforms, titles), then a `cooling` separator and the entries that stopped rising (▽,
//! dimmed), then a `steady` separator and the top steady entries in a muted style.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Widget;

use super::spark::sparkline;
use super::text::{display_width, pad_left, pad_right, truncate};
use super::{Panel, Parts, Placement, Theme, draw_line, draw_spans};
use crate::analysis::{Direction, PanelEntry, Trend};
use crate::app::state::{AppState, Focus};
use crate::domain::Platform;

const MARK_W: usize = 1;
const SCORE_W: usize = 4; // 12.3
const ARROW_W: usize = 1;
const SINCE_W: usize = 5; // 09:12
const COUNT_W: usize = 2; // titles, capped at 99
/// Below this the sparkline, then the platforms, are dropped.
const KW_MIN: usize = 8;
/// Extra room goes to the long platform names and a longer sparkline once the keyword has this.
const KW_GOOD: usize = 12;
/// Past this the keyword column stops growing (numbers stay near the keyword on wide panels).
const KW_MAX: usize = 24;
const SPARK_MIN: usize = 6;
const SPARK_MAX: usize = 16;
/// The fixed columns: marker, then one space before each of keyword, score, arrow, since, count.
const FIXED_W: usize = MARK_W + 1 + 1 + SCORE_W + 1 + ARROW_W + 1 + SINCE_W + 1 + COUNT_W;

/// How platforms are named: `微博+贴吧` or `WT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlatForm {
    Hidden,
    Short,
    Long,
}

impl PlatForm {
    fn width(self) -> usize {
        match self {
            PlatForm::Hidden => 0,
            PlatForm::Short => 2,
            PlatForm::Long => 9,
        }
    }
}

/// Column widths of a keyword row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KwCols {
    kw: usize,
    spark: usize,
    plat: PlatForm,
}

impl KwCols {
    fn fit(width: usize) -> KwCols {
        let rest = width.saturating_sub(FIXED_W);
        let mut c = KwCols {
            kw: 0,
            spark: SPARK_MIN,
            plat: PlatForm::Short,
        };
        let optional = |c: &KwCols| {
            let spark = if c.spark > 0 { c.spark + 1 } else { 0 };
            let plat = match c.plat {
                PlatForm::Hidden => 0,
                p => p.width() + 1,
            };
            spark + plat
        };
        c.kw = rest.saturating_sub(optional(&c));
        if c.kw < KW_MIN {
            c.spark = 0;
            c.kw = rest.saturating_sub(optional(&c));
        }
        if c.kw < KW_MIN {
            c.plat = PlatForm::Hidden;
            c.kw = rest;
        }
        if c.kw >= KW_GOOD + PlatForm::Long.width() - PlatForm::Short.width() {
            c.plat = PlatForm::Long;
            c.kw = rest.saturating_sub(optional(&c));
        }
        if c.spark > 0 && c.kw > KW_GOOD {
            c.spark += (c.kw - KW_GOOD).min(SPARK_MAX - c.spark);
            c.kw = rest.saturating_sub(optional(&c));
        }
        c.kw = c.kw.min(KW_MAX);
        c
    }
}

/// The panel's keyword rows (its title is the line above them), inside the border and margins.
pub(super) fn body(panel: Panel) -> Rect {
    let a = content(panel);
    Rect::new(
        a.x,
        a.y.saturating_add(1),
        a.width,
        a.height.saturating_sub(1),
    )
}

/// Title and rows: beside the board a border column and a space on the left, a space on the
/// right; below it one space each side.
fn content(panel: Panel) -> Rect {
    let a = panel.area;
    let (left, right) = match panel.placement {
        Placement::Side => (2, 1),
        Placement::Below | Placement::Instead => (1, 1),
    };
    Rect::new(
        a.x.saturating_add(left),
        a.y,
        a.width.saturating_sub(left + right),
        a.height,
    )
}

pub(super) fn render(panel: Panel, buf: &mut Buffer, state: &AppState, theme: &Theme) {
    let area = panel.area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    if panel.placement == Placement::Side {
        for y in area.top()..area.bottom() {
            buf.set_string(area.x, y, "│", theme.border);
        }
    }
    let content = content(panel);
    if content.is_empty() {
        return;
    }
    title(
        Rect::new(content.x, content.y, content.width, 1),
        buf,
        state,
        panel.placement,
        theme,
    );
    let body = body(panel);
    if body.is_empty() {
        return;
    }
    let a = &state.analysis;
    let note = if !a.ready {
        Some("loading dictionary…")
    } else if a.entries.is_empty() {
        Some("no keywords yet")
    } else {
        None
    };
    if let Some(note) = note {
        Span::styled(note, theme.muted).render(Rect::new(body.x, body.y, body.width, 1), buf);
        return;
    }
    let cols = KwCols::fit(body.width as usize);
    let selected = state.panel.selected.min(a.entries.len() - 1);
    let items = window(
        &a.entries,
        state.panel.offset,
        selected,
        body.height as usize,
    );
    for (i, item) in items.into_iter().enumerate() {
        let rect = Rect::new(body.x, body.y + i as u16, body.width, 1);
        match item {
            Item::Separator(t) => separator(rect, buf, t, theme),
            Item::Entry(k) => {
                let row = &a.entries[k];
                draw_spans(rect, buf, row_spans(row, cols, theme));
                if k == selected {
                    let style = if state.input.focus == Focus::Keywords {
                        theme.selection
                    } else {
                        theme.selection_unfocused
                    };
                    buf.set_style(rect, style);
                }
            }
        }
    }
}

/// `Keywords 12:00 · ▲ 3` or `Keywords 12:00 · warm-up until 12:30` (and the worker's
/// warning); below the board a rule fills the rest of the line.
fn title(area: Rect, buf: &mut Buffer, state: &AppState, placement: Placement, theme: &Theme) {
    let a = &state.analysis;
    let name_style = if state.input.focus == Focus::Keywords {
        theme.tab_active
    } else {
        theme.column_header
    };
    // What the panel can say of itself, most important first: the data's time goes first
    // when the line is short (the warm-up note says when ▲ may appear).
    let status: Option<(String, Style)> = if a.ready && a.warming_up {
        let until = a
            .flags_from
            .map(|f| format!(" until {}", f.format("%H:%M")))
            .unwrap_or_default();
        Some((format!("warm-up{until}"), theme.muted))
    } else if a.ready && a.at.is_some() {
        let n = a.all_entries.iter().filter(|e| e.rising()).count();
        let style = if n > 0 {
            theme.rising_marker
        } else {
            theme.muted
        };
        Some((format!("{} {n}", theme.symbols.rising), style))
    } else {
        None
    };
    let build = |with_time: bool| {
        let mut left = Parts::default();
        left.push("Keywords", name_style);
        if let Some(at) = a.at.filter(|_| with_time) {
            left.push(format!(" {}", at.format("%H:%M")), theme.muted);
        }
        if let Some((text, style)) = &status {
            left.push(theme.symbols.sep, theme.muted)
                .push(text.clone(), *style);
        }
        if let Some(w) = a.warning.as_deref().filter(|w| !w.is_empty()) {
            left.push(theme.symbols.sep, theme.muted)
                .push(w, theme.warn);
        }
        left
    };
    let mut left = build(true);
    if left.width() > area.width as usize {
        left = build(false);
    }
    let free = (area.width as usize).saturating_sub(left.width());
    if placement == Placement::Below && free > 1 {
        left.push(" ", theme.border)
            .push("─".repeat(free - 1), theme.border);
    }
    draw_line(area, buf, left, Parts::default());
}

fn separator(area: Rect, buf: &mut Buffer, label: &str, theme: &Theme) {
    let label = format!(" {label} ");
    let width = area.width as usize;
    let line = if width >= display_width(&label) + 4 {
        format!("──{label}{}", "─".repeat(width - display_width(&label) - 2))
    } else {
        "─".repeat(width)
    };
    Span::styled(line, theme.border).render(area, buf);
}

/// One line of the keyword list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Entry(usize),
    /// Before the first cooling / steady entry that follows other entries.
    Separator(&'static str),
}

/// The lines shown from `offset` on, `height` at most, scrolled further when needed so that
/// `selected` is among them (separators can push it down).
fn window(entries: &[PanelEntry], offset: usize, selected: usize, height: usize) -> Vec<Item> {
    if height == 0 || entries.is_empty() {
        return Vec::new();
    }
    let boundary = |trend: Trend, label: &'static str| {
        entries
            .iter()
            .position(|e| e.trend >= trend)
            .filter(|&i| i > 0 && entries[i].trend == trend)
            .map(|i| (i, label))
    };
    let seps = [
        boundary(Trend::Cooling, "cooling"),
        boundary(Trend::Steady, "steady"),
    ];
    let mut offset = offset.min(selected);
    if selected >= offset + height {
        offset = selected + 1 - height;
    }
    loop {
        let mut items = Vec::with_capacity(height);
        for i in offset..entries.len() {
            for (at, label) in seps.iter().flatten() {
                if *at == i {
                    items.push(Item::Separator(label));
                }
            }
            items.push(Item::Entry(i));
            if items.len() >= height {
                break;
            }
        }
        items.truncate(height);
        if offset >= selected || items.contains(&Item::Entry(selected)) {
            return items;
        }
        offset += 1;
    }
}

/// The keyword cell: the label, then the other terms dimmed, in `width` cells.
fn label_spans(
    e: &PanelEntry,
    width: usize,
    style: Style,
    dim: Style,
    out: &mut Vec<Span<'static>>,
) {
    let label = truncate(&e.label, width);
    let used = display_width(&label);
    out.push(Span::styled(label, style));
    let room = width.saturating_sub(used + 1);
    if room >= 2 && !e.others.is_empty() {
        let others: Vec<&str> = e.others.iter().map(|k| k.as_str()).collect();
        let text = truncate(&others.join(" "), room);
        out.push(Span::raw(" "));
        out.push(Span::styled(pad_right(&text, room), dim));
    } else {
        out.push(Span::raw(" ".repeat(width.saturating_sub(used))));
    }
}

fn row_spans(row: &PanelEntry, cols: KwCols, theme: &Theme) -> Vec<Span<'static>> {
    let s = &theme.symbols;
    let hot = row.trend == Trend::Rising;
    // Cooling and steady rows are muted throughout; rising rows keep each part's own colour.
    let pick = |style: Style| if hot { style } else { theme.steady };
    let (mark, mark_style) = match (row.trend, row.cross_platform) {
        (Trend::Rising, true) => (s.cross_platform, theme.cross_platform),
        (Trend::Rising, false) => (s.rising, theme.rising_marker),
        (Trend::Cooling, _) => (s.cooling, theme.steady),
        (Trend::Steady, _) => (" ", theme.steady),
    };
    let (arrow, arrow_style) = match row.direction {
        Direction::Up => (s.up, theme.move_up),
        Direction::Flat => (s.flat, theme.muted),
        Direction::Down => (s.down, theme.move_down),
    };
    let since = match (row.trend, row.since) {
        (Trend::Rising, Some(at)) => at.format("%H:%M").to_string(),
        _ => String::new(),
    };
    let mut spans = vec![Span::styled(mark, mark_style), Span::raw(" ")];
    label_spans(row, cols.kw, pick(theme.topic), theme.steady, &mut spans);
    spans.extend([
        Span::raw(" "),
        Span::styled(pad_left(&score(row.score), SCORE_W), pick(theme.heat)),
        Span::raw(" "),
        Span::styled(arrow, pick(arrow_style)),
        Span::raw(" "),
        Span::styled(pad_right(&since, SINCE_W), pick(theme.muted)),
    ]);
    if cols.spark > 0 {
        let history: Vec<f64> = row.history.iter().map(|&v| f64::from(v)).collect();
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            sparkline(&history, cols.spark, &s.spark),
            pick(theme.heat),
        ));
    }
    if cols.plat != PlatForm::Hidden {
        let platforms = if row.platforms.is_empty() {
            row.titles.platforms()
        } else {
            row.platforms
        };
        let style = match platforms.as_slice() {
            [one] => theme.platform(*one),
            _ => theme.header,
        };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            pad_right(&platform_text(&platforms, cols.plat), cols.plat.width()),
            pick(style),
        ));
    }
    let titles = row.titles.total().min(99);
    spans.push(Span::raw(" "));
    spans.push(Span::styled(
        pad_left(&titles.to_string(), COUNT_W),
        pick(theme.header),
    ));
    spans
}

/// One decimal; fewer digits when that does not fit; `—` for a score that is not a number.
fn score(z: f64) -> String {
    if !z.is_finite() {
        return "—".to_string();
    }
    let one = format!("{z:.1}");
    if one.len() <= SCORE_W {
        one
    } else {
        format!("{z:.0}")
    }
}

/// Short form (2 cells): the platform's first character, or the number of platforms
/// (`3p`). Long form (9 cells): the tags joined with `+` while they fit, else the first tag and
/// how many more (`微博+2`).
fn platform_text(platforms: &[Platform], form: PlatForm) -> String {
    match (platforms, form) {
        ([], _) | (_, PlatForm::Hidden) => String::new(),
        ([p], PlatForm::Short) => p.tag().chars().next().map(String::from).unwrap_or_default(),
        (ps, PlatForm::Short) => format!("{}p", ps.len().min(9)),
        (ps, PlatForm::Long) => {
            let all = ps.iter().map(|p| p.tag()).collect::<Vec<_>>().join("+");
            if super::text::display_width(&all) <= PlatForm::Long.width() {
                all
            } else {
                format!("{}+{}", ps[0].tag(), ps.len() - 1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::PlatformCounts;

    fn kw(name: &str, trend: Trend) -> PanelEntry {
        PanelEntry {
            label: name.into(),
            keys: vec![name.into()],
            others: Vec::new(),
            trend,
            score: 1.0,
            share: 0.1,
            since: None,
            cross_platform: false,
            rising_on: Default::default(),
            direction: Direction::Flat,
            platforms: vec![Platform::Weibo].into(),
            titles: {
                let mut c = PlatformCounts::default();
                c.set(Platform::Weibo, 1);
                c
            },
            history: Vec::new().into(),
        }
    }

    fn trend(i: usize) -> Trend {
        match i {
            0..3 => Trend::Rising,
            3..5 => Trend::Cooling,
            _ => Trend::Steady,
        }
    }

    #[test]
    fn columns_fit_the_panel_widths() {
        // Beside the board at 120 columns: the since-when column stays, the sparkline goes.
        let c = KwCols::fit(33);
        assert_eq!((c.spark, c.plat), (0, PlatForm::Short));
        assert!(c.kw >= 10, "{c:?}");
        // At 150 columns and wider the sparkline is back.
        let c = KwCols::fit(41);
        assert!(c.kw >= KW_GOOD && c.spark > SPARK_MIN, "{c:?}");
        // Below the board: long names, long sparkline, bounded keyword.
        let c = KwCols::fit(78);
        assert_eq!((c.spark, c.plat, c.kw), (SPARK_MAX, PlatForm::Long, KW_MAX));
        // Narrow: the sparkline goes, then the platforms.
        assert_eq!(KwCols::fit(26).spark, 0);
        assert_eq!(KwCols::fit(20).plat, PlatForm::Hidden);
        for w in 0..100 {
            let c = KwCols::fit(w);
            let used = FIXED_W
                + c.kw
                + if c.spark > 0 { c.spark + 1 } else { 0 }
                + if c.plat == PlatForm::Hidden {
                    0
                } else {
                    c.plat.width() + 1
                };
            assert!(used <= w.max(FIXED_W), "{w}: {c:?}");
        }
    }

    #[test]
    fn window_keeps_the_selection_visible_past_the_separators() {
        let rows: Vec<PanelEntry> = (0..10).map(|i| kw(&format!("k{i}"), trend(i))).collect();
        let w = window(&rows, 0, 0, 5);
        assert_eq!(
            w,
            vec![
                Item::Entry(0),
                Item::Entry(1),
                Item::Entry(2),
                Item::Separator("cooling"),
                Item::Entry(3)
            ]
        );
        // Row 4 would be the 6th line from offset 0: the window moves by one.
        let w = window(&rows, 0, 4, 5);
        assert_eq!(w.first(), Some(&Item::Entry(1)));
        assert_eq!(w.last(), Some(&Item::Entry(4)));
        // Both separators: row 5 is the 8th line from offset 0.
        let w = window(&rows, 0, 5, 8);
        assert_eq!(w[6], Item::Separator("steady"));
        assert_eq!(w.last(), Some(&Item::Entry(5)));
        // A stale offset past the selection, or far before it, is corrected.
        assert_eq!(window(&rows, 9, 2, 5).first(), Some(&Item::Entry(2)));
        assert_eq!(window(&rows, 0, 9, 3).last(), Some(&Item::Entry(9)));
        assert!(window(&rows, 0, 0, 0).is_empty());
        // Only steady rows: no separator.
        let steady: Vec<PanelEntry> = (0..3)
            .map(|i| kw(&format!("s{i}"), Trend::Steady))
            .collect();
        assert!(
            window(&steady, 0, 0, 5)
                .iter()
                .all(|i| matches!(i, Item::Entry(_)))
        );
    }

    #[test]
    fn a_row_dims_the_other_terms_and_shows_since_when() {
        let mut e = kw("石平", Trend::Rising);
        e.others = vec!["汉奸".into(), "参拜".into()];
        e.since = chrono::DateTime::parse_from_rfc3339("2026-08-15T09:12:00+08:00").ok();
        let theme = Theme::default();
        let spans = row_spans(&e, KwCols::fit(60), &theme);
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert!(text.starts_with("▲ 石平 汉奸 参拜"), "{text}");
        assert!(text.contains("09:12"), "{text}");
        let others = spans.iter().find(|s| s.content.contains("汉奸")).unwrap();
        assert_eq!(others.style, theme.steady);
        // Cooling: ▽, no time, muted.
        e.trend = Trend::Cooling;
        let text: String = row_spans(&e, KwCols::fit(60), &theme)
            .iter()
            .map(|s| s.content.to_string())
            .collect();
        assert!(text.starts_with("▽ 石平"), "{text}");
        assert!(!text.contains("09:12"), "{text}");
        assert_eq!(display_width(&text), FIXED_W + KwCols::fit(60).kw + 17 + 10);
    }
    #[test]
    fn score_forms() {
        assert_eq!(score(4.24), "4.2");
        assert_eq!(score(-1.25), "-1.2");
        assert_eq!(score(123.4), "123");
        assert_eq!(score(f64::NAN), "—");
    }

    #[test]
    fn platform_forms() {
        let both = [Platform::Weibo, Platform::Tieba];
        assert_eq!(platform_text(&both, PlatForm::Long), "微博+贴吧");
        assert_eq!(platform_text(&both, PlatForm::Short), "2p");
        assert_eq!(platform_text(&both[1..], PlatForm::Short), "贴");
        let four = [
            Platform::Weibo,
            Platform::Baidu,
            Platform::Douyin,
            Platform::Bilibili,
        ];
        assert_eq!(platform_text(&four, PlatForm::Long), "微博+3");
        assert_eq!(platform_text(&four[2..], PlatForm::Long), "抖音+B站");
    }
}
