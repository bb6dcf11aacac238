//! Drill-down views: breadcrumb, context line (topic stats or the opened item), the parent
//! item, then entries as cards wrapped by display width, a view status line and the source
//! status bar. Entry heights come from the same `card` function that draws them, so scrolling in
//! `update` (through [`entries_fitting`]) always matches the screen.

use chrono::{DateTime, Datelike, FixedOffset};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::text::{display_width, truncate, wrap_styled};
use super::{Parts, Theme, draw_line};
use crate::app::drill::{DrillView, ViewEntry, ViewKind, breadcrumbs};
use crate::app::state::AppState;
use crate::domain::num::format_heat;
use crate::domain::post::{Entry, EntryKind, Run, verified_label};

/// Indent of an entry's body under its author line.
const INDENT: usize = 2;
/// Lines of a quoted (reposted) post shown at most.
const QUOTE_LINES: usize = 3;
/// Inline replies shown under an entry at most.
const INLINE_REPLIES: usize = 2;
/// Share of the body the parent item may take; the list keeps the rest.
const PARENT_SHARE: f32 = 0.4;

/// Areas of a drill-down frame.
struct Areas {
    crumbs: Rect,
    context: Rect,
    body: Rect,
    view_status: Rect,
    status: Rect,
}

fn areas(area: Rect) -> Option<Areas> {
    if area.width < super::MIN_WIDTH || area.height < super::MIN_HEIGHT {
        return None;
    }
    let status_h: u16 = if area.height >= 16 { 2 } else { 1 };
    let row = |y: u16, h: u16| Rect::new(area.x, y, area.width, h);
    let body_h = area.height.saturating_sub(3 + status_h);
    Some(Areas {
        crumbs: row(area.y, 1),
        context: row(area.y + 1, 1),
        body: row(area.y + 2, body_h),
        view_status: row(area.y + 2 + body_h, 1),
        status: row(area.y + 3 + body_h, status_h),
    })
}

/// The parent card's lines (cut to its share) and the list area below it.
fn split_body<'a>(
    body: Rect,
    view: &DrillView,
    theme: &Theme,
    now: Option<DateTime<FixedOffset>>,
) -> (Vec<Line<'a>>, Rect) {
    let Some(parent) = &view.parent else {
        return (Vec::new(), body);
    };
    let max = ((body.height as f32 * PARENT_SHARE) as usize).max(2);
    let mut lines = card(parent, body.width as usize, false, theme, now, true);
    if lines.len() > max {
        lines.truncate(max - 1);
        lines.push(Line::from(Span::styled(
            format!("{}… (o opens it in full)", " ".repeat(INDENT)),
            theme.muted,
        )));
    }
    let rule = "─".repeat(body.width as usize);
    lines.push(Line::from(Span::styled(rule, theme.border)));
    let used = (lines.len() as u16).min(body.height);
    let list = Rect::new(body.x, body.y + used, body.width, body.height - used);
    (lines, list)
}

/// How many entries, from `offset`, fit entirely in a terminal of `size` (at least 1 when any
/// is left, so a huge entry still scrolls).
pub fn entries_fitting(view: &DrillView, offset: usize, size: (u16, u16)) -> usize {
    let Some(a) = areas(Rect::new(0, 0, size.0, size.1)) else {
        return 1;
    };
    let theme = Theme::default();
    let (_, list) = split_body(a.body, view, &theme, None);
    let mut used = 0usize;
    let mut n = 0usize;
    for ve in view.entries.iter().skip(offset) {
        used += card(ve, list.width as usize, false, &theme, None, false).len() + 1;
        if used > list.height as usize + 1 {
            break;
        }
        n += 1;
    }
    n.max(1)
}

pub(super) fn render(area: Rect, buf: &mut Buffer, state: &AppState, theme: &Theme) {
    let Some(view) = state.views.stack.last() else {
        return;
    };
    let Some(a) = areas(area) else {
        super::too_small(area, buf, theme);
        return;
    };
    render_crumbs(a.crumbs, buf, state, theme);
    render_context(a.context, buf, state, view, theme);
    let (parent, list) = split_body(a.body, view, theme, state.now);
    for (i, line) in parent.into_iter().enumerate() {
        line.render(
            Rect::new(a.body.x, a.body.y + i as u16, a.body.width, 1),
            buf,
        );
    }
    render_list(list, buf, view, theme, state.now);
    render_view_status(a.view_status, buf, view, state.views.show_tone, theme);
    super::status::render(a.status, buf, state, theme);
}

fn render_crumbs(area: Rect, buf: &mut Buffer, state: &AppState, theme: &Theme) {
    let mut left = Parts::default();
    left.push("resou 热搜", theme.title);
    let mut crumbs = breadcrumbs(state);
    // Deep stacks: the innermost crumbs matter most; older ones give way to `…`.
    let room = (area.width as usize).saturating_sub(display_width("resou 热搜") + 10);
    let width = |cs: &[String]| cs.iter().map(|c| display_width(c) + 3).sum::<usize>();
    let mut dropped = false;
    while crumbs.len() > 1 && width(&crumbs) > room {
        crumbs.remove(0);
        dropped = true;
    }
    if dropped {
        left.push(" › …", theme.muted);
    }
    let n = crumbs.len();
    for (i, c) in crumbs.into_iter().enumerate() {
        left.push(" › ", theme.muted);
        left.push(
            c,
            if i + 1 == n {
                theme.tab_active
            } else {
                theme.header
            },
        );
    }
    let mut right = Parts::default();
    if state.lists.paused {
        right.push(theme.symbols.paused, theme.paused);
    } else {
        right.push(theme.symbols.live, theme.live);
    }
    draw_line(area, buf, left, right);
}

/// Topic stats for posts/threads; the tab switch for Weibo posts.
fn render_context(area: Rect, buf: &mut Buffer, state: &AppState, view: &DrillView, theme: &Theme) {
    let mut left = Parts::default();
    let detail = state.enrich.topic_details.get(&view.topic.norm);
    match view.kind {
        ViewKind::Posts => {
            if let Some(d) = detail {
                let mut first = true;
                for (label, n) in [
                    ("阅读", d.reads),
                    ("讨论", d.mentions),
                    ("互动", d.interactions),
                    ("原创", d.originals),
                ] {
                    if let Some(n) = n {
                        if !first {
                            left.push(theme.symbols.sep, theme.muted);
                        }
                        first = false;
                        left.push(format!("{label} "), theme.muted)
                            .push(format_heat(n), theme.heat);
                    }
                }
                if let Some(h) = &d.host {
                    left.push("  主持 ", theme.muted)
                        .push(format!("@{}", h.name), theme.kol);
                }
                if let Some(m) = d.media.first() {
                    left.push("  媒体 ", theme.muted)
                        .push(m.name.as_str(), theme.mention);
                    if d.media.len() > 1 {
                        left.push(format!(" +{}", d.media.len() - 1), theme.muted);
                    }
                }
            } else {
                left.push("topic stats not loaded yet", theme.muted);
            }
        }
        ViewKind::Threads => {
            if let Some(row) = state.board.rows.iter().find(|r| r.key == view.topic) {
                left.push("贴吧热议", theme.tag_tieba);
                if let Some(r) = row.topic.rank {
                    left.push(format!("  #{r}"), theme.rank);
                }
                if let Some(h) = row.topic.heat {
                    left.push(format!("  {} 讨论", format_heat(h)), theme.heat);
                }
            }
        }
        ViewKind::Comments | ViewKind::Floors | ViewKind::SubReplies => {
            left.push(
                format!("{} of the item above", view.kind.noun()),
                theme.muted,
            );
        }
    }
    let mut right = Parts::default();
    if let Some(tab) = view.tab() {
        for t in [
            crate::domain::post::PostTab::Realtime,
            crate::domain::post::PostTab::Hot,
        ] {
            right.push(
                format!(" {} ", t.name()),
                if t == tab {
                    theme.tab_active
                } else {
                    theme.muted
                },
            );
        }
        right.push(" tab", theme.key);
    }
    draw_line(area, buf, left, right);
}

fn render_list(
    area: Rect,
    buf: &mut Buffer,
    view: &DrillView,
    theme: &Theme,
    now: Option<DateTime<FixedOffset>>,
) {
    if area.height == 0 {
        return;
    }
    if view.entries.is_empty() {
        let msg = if view.loading {
            format!("loading {}…", view.kind.noun())
        } else if let Some(e) = &view.error {
            e.clone()
        } else {
            format!("no {} here", view.kind.noun())
        };
        let style = if view.error.is_some() {
            theme.error
        } else {
            theme.muted
        };
        Line::from(Span::styled(format!("  {msg}"), style))
            .render(Rect::new(area.x, area.y, area.width, 1), buf);
        return;
    }
    let mut y = area.y;
    let bottom = area.y + area.height;
    for (i, ve) in view.entries.iter().enumerate().skip(view.offset) {
        if y >= bottom {
            break;
        }
        for line in card(
            ve,
            area.width as usize,
            i == view.selected,
            theme,
            now,
            false,
        ) {
            if y >= bottom {
                break;
            }
            line.render(Rect::new(area.x, y, area.width, 1), buf);
            y += 1;
        }
        y += 1; // a blank line between cards
    }
}

fn render_view_status(
    area: Rect,
    buf: &mut Buffer,
    view: &DrillView,
    show_tone: bool,
    theme: &Theme,
) {
    let mut left = Parts::default();
    if show_tone {
        left = super::brand::tone(
            &format!("{} loaded", view.kind.noun()),
            &view.tone_counts(),
            theme,
        );
    } else if view.loading {
        left.push("loading…", theme.warn);
    } else if let Some(e) = &view.error {
        left.push(e.as_str(), theme.error);
    } else if view.next.is_some() {
        left.push("more below — scroll to load", theme.muted);
    } else if !view.entries.is_empty() {
        left.push(format!("end of {}", view.kind.noun()), theme.muted);
    }
    let mut right = Parts::default();
    if !view.entries.is_empty() {
        let total = match view.total {
            Some(t) if t as usize > view.entries.len() => format!(" of {t}"),
            _ => String::new(),
        };
        right.push(
            format!(
                "{}/{}{total} {}",
                view.selected + 1,
                view.entries.len(),
                view.kind.noun()
            ),
            theme.muted,
        );
    }
    // The tone line needs the room: only the position stays on the right.
    if show_tone {
        draw_line(area, buf, left, right);
        return;
    }
    right
        .push("  enter", theme.key)
        .push(" open  ", theme.muted);
    right.push("o", theme.key).push(" browser  ", theme.muted);
    right.push("y", theme.key).push(" copy  ", theme.muted);
    right.push("%", theme.key).push(" tone  ", theme.muted);
    right.push("esc", theme.key).push(" back", theme.muted);
    draw_line(area, buf, left, right);
}

/// Local time: `14:05` today, `08-14 14:05` this year, `2024-08-06` before.
pub fn local_time(t: DateTime<FixedOffset>, now: Option<DateTime<FixedOffset>>) -> String {
    let t = t.with_timezone(&crate::domain::cst());
    match now.map(|n| n.with_timezone(&crate::domain::cst())) {
        Some(n) if n.date_naive() == t.date_naive() => t.format("%H:%M").to_string(),
        Some(n) if n.year() == t.year() => t.format("%m-%d %H:%M").to_string(),
        None => t.format("%m-%d %H:%M").to_string(),
        _ => t.format("%Y-%m-%d").to_string(),
    }
}

/// The author line: name (KOL-marked), verified badge, followers, time, floor, region.
fn author_line(
    ve: &ViewEntry,
    theme: &Theme,
    now: Option<DateTime<FixedOffset>>,
) -> Vec<(String, Style)> {
    let e = &ve.entry;
    let a = &e.author;
    let mut out: Vec<(String, Style)> = Vec::new();
    let name = if a.name.is_empty() {
        "(unknown)"
    } else {
        a.name.as_str()
    };
    let name_style = if ve.kol_author {
        theme.kol
    } else {
        theme.author
    };
    out.push((name.to_string(), name_style));
    if ve.kol_author {
        out.push((" ★KOL".into(), theme.kol));
    }
    if let Some(v) = a.verified_type.filter(|v| *v >= 0) {
        let label = verified_label(v).unwrap_or("认证");
        out.push((format!(" V{label}"), theme.verified));
    }
    if a.moderator {
        out.push((" 吧务".into(), theme.verified));
    }
    if let Some(l) = a.level {
        out.push((format!(" Lv{l}"), theme.muted));
    }
    let mut meta: Vec<String> = Vec::new();
    if let Some(f) = a.followers {
        meta.push(format!("{}粉丝", format_heat(f)));
    }
    if let Some(t) = e.created_at {
        meta.push(local_time(t, now));
    } else if let Some(raw) = &e.created_raw {
        meta.push(raw.as_str().to_string());
    }
    if let Some(f) = e.floor {
        meta.push(format!("{f}楼"));
    }
    if let Some(r) = &a.region {
        meta.push(format!("IP {r}"));
    }
    for m in meta {
        out.push((theme.symbols.sep.to_string(), theme.muted));
        out.push((m, theme.muted));
    }
    if let Some(t) = &ve.tone {
        let (mark, style) = super::brand::mark(t.label, theme);
        out.push((theme.symbols.sep.to_string(), theme.muted));
        out.push((format!("{mark}{:+.2}", t.score), style));
    }
    out
}

/// The entry's text as styled segments: runs styled by kind, KOL names marked on top.
fn body_segments(ve: &ViewEntry, theme: &Theme) -> Vec<(String, Style)> {
    let mut out = Vec::new();
    let mut at = 0usize;
    let spans = &ve.kol_spans;
    for run in &ve.entry.text.0 {
        let style = match run {
            Run::Text(_) => theme.topic,
            Run::Hashtag(_) => theme.hashtag,
            Run::Mention(_) => theme.mention,
            Run::Emoji(_) => theme.emoji,
            Run::Link { .. } => theme.link,
        };
        let text = run.text();
        let start = at;
        at += text.len();
        // Split the run at KOL span edges.
        let mut cuts = vec![0, text.len()];
        for s in spans {
            for edge in [s.start, s.end] {
                if edge > start && edge < at && text.is_char_boundary(edge - start) {
                    cuts.push(edge - start);
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        for w in cuts.windows(2) {
            let piece = &text[w[0]..w[1]];
            let abs = start + w[0];
            let kol = spans.iter().any(|s| s.start <= abs && abs < s.end);
            out.push((piece.to_string(), if kol { theme.kol } else { style }));
        }
    }
    out
}

fn counts(e: &Entry) -> String {
    let mut parts: Vec<String> = Vec::new();
    let (rep, reply, like) = match e.kind {
        EntryKind::WeiboPost => ("转发", "评论", "赞"),
        EntryKind::WeiboComment => ("", "回复", "赞"),
        EntryKind::TiebaThread => ("", "回复", "赞"),
        EntryKind::TiebaFloor | EntryKind::TiebaSubReply => ("", "楼中楼", "赞"),
    };
    if let Some(n) = e.reposts {
        parts.push(format!("{rep} {}", format_heat(n)));
    }
    if let Some(n) = e.replies {
        parts.push(format!("{reply} {}", format_heat(n)));
    }
    if let Some(n) = e.likes {
        parts.push(format!("{like} {}", format_heat(n)));
    }
    if e.pics > 0 {
        parts.push(format!("图 {}", e.pics));
    }
    if e.truncated {
        parts.push("…全文: enter".into());
    }
    parts.join("  ")
}

/// An entry's lines at `width`: author line, title, wrapped text, quote, inline replies, counts.
/// `selected` adds a bar on the left (visible without colour) and reverses the author line.
fn card<'a>(
    ve: &ViewEntry,
    width: usize,
    selected: bool,
    theme: &Theme,
    now: Option<DateTime<FixedOffset>>,
    parent: bool,
) -> Vec<Line<'a>> {
    let e = &ve.entry;
    let bar = if selected { "▌" } else { " " };
    let bar_style = if selected { theme.kol } else { theme.muted };
    let inner = width.saturating_sub(1);
    let body_w = inner.saturating_sub(INDENT).max(1);
    let mut lines: Vec<Vec<(String, Style)>> = Vec::new();

    let mut head = author_line(ve, theme, now);
    if selected && let Some(first) = head.first_mut() {
        first.1 = first.1.patch(theme.selection);
    }
    let head_w: usize = head.iter().map(|(s, _)| display_width(s)).sum();
    if head_w > inner {
        // Keep the name; cut the metadata.
        let mut cut = Vec::new();
        let mut used = 0;
        for (s, st) in head {
            let w = display_width(&s);
            if used + w > inner {
                cut.push((truncate(&s, inner - used), st));
                break;
            }
            used += w;
            cut.push((s, st));
        }
        head = cut;
    }
    lines.push(head);
    let indent = || (" ".repeat(INDENT), Style::default());
    if let Some(t) = &e.title {
        for l in wrap_styled(&[(t.as_str().to_string(), theme.author)], body_w) {
            let mut v = vec![indent()];
            v.extend(l);
            lines.push(v);
        }
    }
    // Tieba threads often repeat the title as their abstract: show it once.
    let repeats_title = e
        .title
        .as_ref()
        .is_some_and(|t| t.as_str().trim() == e.text.to_plain().trim());
    let body = if repeats_title {
        Vec::new()
    } else {
        body_segments(ve, theme)
    };
    for l in wrap_styled(&body, body_w) {
        let mut v = vec![indent()];
        v.extend(l);
        lines.push(v);
    }
    if let Some(q) = &e.quoted {
        let who = if q.author.name.is_empty() {
            "原微博".to_string()
        } else {
            format!("@{}", q.author.name)
        };
        let mut segs = vec![(format!("{who}: "), theme.mention)];
        segs.push((q.text.to_plain(), theme.muted));
        let wrapped = wrap_styled(&segs, body_w.saturating_sub(2).max(1));
        let n = wrapped.len();
        for (i, l) in wrapped.into_iter().take(QUOTE_LINES).enumerate() {
            let mut v = vec![indent(), ("┃ ".to_string(), theme.border)];
            v.extend(l);
            if i + 1 == QUOTE_LINES && n > QUOTE_LINES {
                v.push(("…".into(), theme.muted));
            }
            lines.push(v);
        }
    }
    if !parent {
        for r in e.inline_replies.iter().take(INLINE_REPLIES) {
            let text = format!(
                "{}: {}",
                r.author.name,
                r.text.to_plain().replace('\n', " ")
            );
            lines.push(vec![
                indent(),
                ("↳ ".into(), theme.muted),
                (truncate(&text, body_w.saturating_sub(2)), theme.muted),
            ]);
        }
    }
    let c = counts(e);
    if !c.is_empty() {
        lines.push(vec![indent(), (truncate(&c, body_w), theme.muted)]);
    }
    lines
        .into_iter()
        .map(|segs| {
            let mut spans = vec![Span::styled(bar, bar_style)];
            spans.extend(segs.into_iter().map(|(s, st)| Span::styled(s, st)));
            Line::from(spans)
        })
        .collect()
}
