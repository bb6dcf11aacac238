//! Status bar: per-source health, pending keys, flash message, position and the help hint.
//! Each source has a long and a short form; the long forms are used when all of them fit.

use chrono::{DateTime, FixedOffset};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::{Parts, Theme, draw_line};
use crate::app::state::{AppState, PromptKind, SourceHealth};
use crate::domain::Platform;

pub(super) fn render(area: Rect, buf: &mut Buffer, state: &AppState, theme: &Theme) {
    let width = area.width as usize;
    let health = health_parts(state, theme, width);
    let mut right = Parts::default();
    // In a drill-down view its own status line gives the position.
    if let Some(i) = state
        .selected_index()
        .filter(|_| state.views.stack.is_empty())
    {
        right
            .push(format!("{}/{}", i + 1, state.board.rows.len()), theme.muted)
            .push("  ", theme.muted);
    }
    right.push("?", theme.key).push(" help", theme.muted);

    let mut pending = Parts::default();
    if !state.input.pending_keys.is_empty() {
        pending.push(format!("{}- ", state.input.pending_keys), theme.key);
    }
    let mut flash = Parts::default();
    if let Some(p) = &state.input.prompt {
        // The prompt owns the line while it is open.
        let label = match &p.kind {
            PromptKind::Search => "/",
            PromptKind::Note(_) => "note: ",
        };
        flash
            .push(label, theme.key)
            .push(p.text.as_str(), theme.header)
            .push("▏", theme.key);
        if p.kind == PromptKind::Search {
            flash.push(format!("  {} shown", state.board.rows.len()), theme.muted);
        }
    } else {
        let active = state
            .board
            .filters
            .describe(state.board.search.as_deref(), None); // the keyword filter is in the header
        if !active.is_empty() && state.views.stack.is_empty() {
            flash.push(format!("[{}]", active.join(" · ")), theme.filter);
            flash.push(" ", theme.muted);
        }
        if let Some(f) = state.status.flash.as_deref().filter(|f| !f.is_empty()) {
            flash.push(f, theme.warn);
        }
    }

    let mut line = pending;
    if area.height >= 2 {
        draw_line(row(area, 0), buf, health, Parts::default());
        line.0.extend(flash.0);
    } else {
        // One line: keys being typed first (they matter right now), then health, then the flash.
        line.0.extend(health.0);
        if !flash.0.is_empty() {
            line.push("  ", theme.muted);
            line.0.extend(flash.0);
        }
    }
    draw_line(row(area, area.height.saturating_sub(1)), buf, line, right);
}

fn row(area: Rect, i: u16) -> Rect {
    Rect::new(area.x, area.y + i, area.width, 1)
}

/// All enabled sources: long forms if they fit in `width`, else short forms, else one summary
/// (`7 ✓ 12:03 · 抖音 ✗ HTTP 403 · next 40s · S sources`).
fn health_parts(state: &AppState, theme: &Theme, width: usize) -> Parts {
    // What stays in view whatever the width: a store problem until a write succeeds (polling
    // goes on regardless), failed team alerts until the deliveries are opened, a lost feed.
    let mut after = Parts::default();
    if let Some(e) = &state.history.write_error {
        after
            .push("  │  ", theme.muted)
            .push(e.as_str(), theme.warn);
    }
    let failed = state.deliveries.unseen_failed;
    if failed > 0 {
        after
            .push("  │  ", theme.muted)
            .push(
                format!("push {} {failed} failed", theme.symbols.failing),
                theme.error,
            )
            .push(" · ", theme.muted)
            .push("D", theme.key);
    }
    if let Some(e) = &state.history.feed_problem {
        after
            .push("  │  ", theme.muted)
            .push(format!("team feed lost ({e}); reconnecting"), theme.error);
    }
    let width = width.saturating_sub(after.width());
    let build = |long: bool| {
        let mut parts = Parts::default();
        for (i, (p, h)) in state
            .lists
            .health
            .iter()
            .filter(|(_, h)| h.enabled)
            .enumerate()
        {
            if i > 0 {
                parts.push("  │  ", theme.muted);
            }
            source_parts(&mut parts, *p, h, state.now, theme, long);
        }
        parts
    };
    let mut parts = build(true);
    if parts.width() > width {
        parts = build(false);
    }
    if parts.width() > width {
        parts = summary(state, theme, true);
    }
    if parts.width() > width {
        parts = summary(state, theme, false);
    }
    parts.0.extend(after.0);
    parts
}

/// Every source in one run: the healthy ones counted (with their oldest data time), the
/// failing ones named with their fault (`full`) or only counted, the soonest next poll, and the
/// key that lists them all.
fn summary(state: &AppState, theme: &Theme, full: bool) -> Parts {
    let enabled: Vec<(&Platform, &SourceHealth)> = state
        .lists
        .health
        .iter()
        .filter(|(_, h)| h.enabled)
        .collect();
    let ok: Vec<&SourceHealth> = enabled
        .iter()
        .filter(|(_, h)| h.error.is_none() && h.data_at.is_some())
        .map(|(_, h)| *h)
        .collect();
    let failing: Vec<(&Platform, &SourceHealth)> = enabled
        .iter()
        .filter(|(_, h)| h.error.is_some())
        .copied()
        .collect();
    let waiting = enabled.len() - ok.len() - failing.len();
    let mut parts = Parts::default();
    let sep = theme.symbols.sep;
    parts
        .push(format!("{}", ok.len()), theme.header)
        .push(format!(" {}", theme.symbols.ok), theme.ok);
    if let Some(oldest) = ok.iter().filter_map(|h| h.data_at).min() {
        parts.push(format!(" {}", clock(oldest, state.now)), theme.header);
    }
    if full {
        for (p, h) in &failing {
            let err = h.error.as_deref().unwrap_or_default();
            parts.push(sep, theme.muted).push(
                format!("{} {} {err}", p.tag(), theme.symbols.failing),
                theme.error,
            );
        }
    } else if !failing.is_empty() {
        parts.push(sep, theme.muted).push(
            format!("{} {}", failing.len(), theme.symbols.failing),
            theme.error,
        );
    }
    if waiting > 0 {
        parts.push(format!("{sep}{waiting} waiting"), theme.muted);
    }
    let soonest = enabled.iter().filter_map(|(_, h)| h.next_poll_at).min();
    if let (Some(next), Some(now)) = (soonest, state.now) {
        parts.push(format!("{sep}next {}", countdown(next, now)), theme.muted);
    }
    parts
        .push(sep, theme.muted)
        .push("S", theme.key)
        .push(" sources", theme.muted);
    parts
}

/// One source per line in its long form, for the sources popup (`S`).
pub(super) fn source_lines(
    state: &AppState,
    theme: &Theme,
) -> Vec<Vec<(String, ratatui::style::Style)>> {
    state
        .lists
        .health
        .iter()
        .filter(|(_, h)| h.enabled)
        .map(|(p, h)| {
            let mut parts = Parts::default();
            parts.push(format!("{} ", p.tag()), theme.platform(*p));
            source_parts(&mut parts, *p, h, state.now, theme, true);
            if h.error.is_some()
                && let Some(steps) = &h.degraded
            {
                parts.push(format!(" ({steps})"), theme.muted);
            }
            parts.0
        })
        .collect()
}

/// One source: `Weibo ✓ 12:03 via s.weibo.com · next 40s` or
/// `Weibo: HTTP 432 — showing 12:03 data, retry in 40s`, and their short forms.
fn source_parts(
    parts: &mut Parts,
    p: Platform,
    h: &SourceHealth,
    now: Option<DateTime<FixedOffset>>,
    theme: &Theme,
    long: bool,
) {
    let data = h.data_at.map(|t| clock(t, now));
    let wait = match (h.next_poll_at, now) {
        (Some(next), Some(now)) => Some(countdown(next, now)),
        _ => None,
    };
    if let Some(err) = h.error.as_deref() {
        let mut s = if long {
            format!("{}: {err} — ", p.name())
        } else {
            format!("{} {} {err}", p.name(), theme.symbols.failing)
        };
        match (&data, long) {
            (Some(d), true) => s.push_str(&format!("showing {d} data")),
            (None, true) => s.push_str("no data yet"),
            (Some(d), false) => s.push_str(&format!(" · {d}")),
            (None, false) => s.push_str(" · no data"),
        }
        if let Some(w) = &wait {
            s.push_str(&if long {
                format!(", retry in {w}")
            } else {
                format!(" · {w}")
            });
        }
        parts.push(s, theme.error);
        return;
    }
    let Some(data) = data else {
        parts.push(format!("{} waiting for first poll", p.name()), theme.muted);
        return;
    };
    parts
        .push(p.name(), theme.header)
        .push(format!(" {} ", theme.symbols.ok), theme.ok)
        .push(data, theme.header);
    if long && let Some(endpoint) = h.endpoint {
        parts.push(format!(" via {endpoint}"), theme.muted);
    }
    if let Some(w) = wait {
        let next = if long {
            format!("{}next {w}", theme.symbols.sep)
        } else {
            format!("{}{w}", theme.symbols.sep)
        };
        parts.push(next, theme.muted);
    }
    if let Some(why) = h.degraded.as_deref() {
        let warn = if long {
            format!("{}fallback ({why})", theme.symbols.sep)
        } else {
            format!("{}fallback", theme.symbols.sep)
        };
        parts.push(warn, theme.warn);
    }
}

/// `12:03`, or `08-15 12:03` when the data is from another day than `now`.
fn clock(t: DateTime<FixedOffset>, now: Option<DateTime<FixedOffset>>) -> String {
    let same_day =
        now.is_none_or(|n| n.with_timezone(&t.timezone()).date_naive() == t.date_naive());
    if same_day {
        t.format("%H:%M").to_string()
    } else {
        t.format("%m-%d %H:%M").to_string()
    }
}

/// `40s`, `2m05s`, `now`.
pub(super) fn countdown(next: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> String {
    let s = (next - now).num_seconds();
    match s {
        s if s <= 0 => "now".to_string(),
        s if s < 60 => format!("{s}s"),
        s => format!("{}m{:02}s", s / 60, s % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cst;
    use chrono::TimeZone;

    #[test]
    fn countdown_and_clock_forms() {
        let now = cst().with_ymd_and_hms(2026, 8, 15, 12, 3, 20).unwrap();
        let secs = |s| now + chrono::Duration::seconds(s);
        assert_eq!(countdown(secs(40), now), "40s");
        assert_eq!(countdown(secs(125), now), "2m05s");
        assert_eq!(countdown(secs(-3), now), "now");
        assert_eq!(clock(secs(-20), Some(now)), "12:03");
        assert_eq!(clock(secs(-86400), Some(now)), "08-14 12:03");
    }
}
