//! The deliveries popup (`D`): team alert deliveries, newest first — one line each (time of
//! the last change, ✓/↻/✗, tier 蓝/黄/橙/红, channel, rule, title, tries and parts; the next
//! try of a waiting one), and under a waiting or failed delivery its last error. The counts
//! are in the title; an empty list says why and how to set alerts up.

use chrono::{DateTime, FixedOffset};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;

use super::help::{PopupLine, list_popup, list_popup_area};
use super::text::{display_width, pad_right};
use super::{Parts, Theme};
use crate::app::deliveries::{Deliveries, Delivery};
use crate::app::state::AppState;
use crate::domain::{Tier, cst};
use crate::store::PushState;

/// Rows the popup leaves free above and below it (the status bar's last line stays in view).
const MARGIN: usize = 2;
/// Rows of the popup that are not deliveries: two borders, a blank line, the footer.
const CHROME: usize = 4;
/// Channel and rule columns: at most this wide (narrower on small terminals).
const NAME_MAX: usize = 14;
const NAME_MAX_NARROW: usize = 10;
/// Inner widths below this get the narrow columns.
const NARROW: usize = 90;

/// Lines of deliveries the popup shows on a terminal of `size`.
pub fn body_rows(size: (u16, u16)) -> usize {
    (size.1 as usize).saturating_sub(MARGIN + CHROME)
}

/// Lines one delivery takes: two when its error is shown under it.
pub fn entry_lines(d: &Delivery) -> usize {
    1 + usize::from(error_line(d).is_some())
}

/// The first delivery to show so that `selected` is on screen in `body` lines, moving as
/// little as possible from `offset` (and no further down than needed to fill the lines).
pub fn scroll_offset(rows: &[Delivery], selected: usize, offset: usize, body: usize) -> usize {
    let Some(last) = rows.len().checked_sub(1) else {
        return 0;
    };
    let selected = selected.min(last);
    let lines = |from: usize, to: usize| rows[from..=to].iter().map(entry_lines).sum::<usize>();
    let mut offset = offset.min(selected);
    while offset < selected && lines(offset, selected) > body {
        offset += 1;
    }
    // Rows removed below: show as many as fit rather than a half-empty popup.
    while offset > 0 && lines(offset - 1, last) <= body {
        offset -= 1;
    }
    offset
}

pub(super) fn render(screen: Rect, buf: &mut Buffer, state: &AppState, theme: &Theme) {
    let d = &state.deliveries;
    let inner_w = (list_popup_area(screen, 0).width as usize).saturating_sub(4);
    let (sent, waiting, failed) = d.counts();
    let title = if d.rows.is_empty() {
        " deliveries ".to_string()
    } else {
        format!(" deliveries — {sent} sent · {waiting} waiting · {failed} failed ")
    };
    let lines = if d.rows.is_empty() {
        empty_lines(state, theme)
    } else {
        let body = body_rows((screen.width, screen.height));
        entry_lines_from(d, inner_w, body, state.now, theme)
    };
    list_popup(
        screen,
        buf,
        Span::styled(title, theme.title),
        lines,
        footer(d, theme),
        theme,
    );
}

/// The deliveries from the view's offset, as many lines as fit in `body`.
fn entry_lines_from(
    d: &Deliveries,
    inner_w: usize,
    body: usize,
    now: Option<DateTime<FixedOffset>>,
    theme: &Theme,
) -> Vec<PopupLine> {
    let max = if inner_w < NARROW {
        NAME_MAX_NARROW
    } else {
        NAME_MAX
    };
    let col = |f: fn(&Delivery) -> &str| {
        d.rows
            .iter()
            .map(|r| display_width(f(r)))
            .max()
            .unwrap_or(0)
            .clamp(4, max)
    };
    let channel_w = col(|r| r.channel.as_str());
    let rule_w = col(|r| r.rule.as_str());
    let mut out = Vec::new();
    for (i, r) in d.rows.iter().enumerate().skip(d.offset) {
        if out.len() + entry_lines(r) > body {
            break;
        }
        let under = (i == d.selected).then_some(theme.selection);
        let (mark, mark_style) = match r.state {
            PushState::Delivered => (theme.symbols.ok, theme.ok),
            PushState::Pending => (theme.symbols.pending, theme.warn),
            PushState::Failed => (theme.symbols.failing, theme.error),
        };
        let mut left = Parts::default();
        left.push(when(r.updated_at, now), theme.muted)
            .push(" ", theme.muted)
            .push(mark, mark_style)
            .push(" ", theme.muted)
            .push(tier_char(r.tier), theme.tier(r.tier))
            .push(" ", theme.muted)
            .push(pad_right(r.channel.as_str(), channel_w), theme.header)
            .push(" ", theme.muted)
            .push(pad_right(r.rule.as_str(), rule_w), theme.muted)
            .push(" ", theme.muted)
            .push(r.title.as_str(), theme.topic);
        let mut right = Parts::default();
        if r.state == PushState::Pending {
            let next = r.next_at.with_timezone(&cst()).format("%H:%M");
            right.push(format!("next {next} · "), theme.warn);
        }
        right.push(tries_and_parts(r), theme.muted);
        out.push(PopupLine { left, right, under });
        if let Some((error, style)) = error_line(r).map(|e| (e, error_style(r, theme))) {
            let mut left = Parts::default();
            left.push("      └ ", theme.muted).push(error, style);
            out.push(PopupLine {
                left,
                right: Parts::default(),
                under,
            });
        }
    }
    out
}

/// The error shown under a waiting or failed delivery.
fn error_line(d: &Delivery) -> Option<&str> {
    (d.state != PushState::Delivered)
        .then_some(d.last_error.as_ref())
        .flatten()
        .map(|e| e.as_str())
}

fn error_style(d: &Delivery, theme: &Theme) -> ratatui::style::Style {
    if d.state == PushState::Failed {
        theme.error
    } else {
        theme.warn
    }
}

/// `1 try · 1 part`, `3 tries · 0 parts`.
fn tries_and_parts(d: &Delivery) -> String {
    let plural = |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{} · {}",
        plural(d.attempts, "try", "tries"),
        plural(d.parts_done, "part", "parts")
    )
}

/// 蓝 黄 橙 红 (the tier word's first character), `?` for a tier the app does not know.
fn tier_char(tier: Option<Tier>) -> &'static str {
    match tier {
        Some(Tier::Blue) => "蓝",
        Some(Tier::Yellow) => "黄",
        Some(Tier::Orange) => "橙",
        Some(Tier::Red) => "红",
        None => "? ",
    }
}

/// `14:05` (CST) for today, `08-14` for an earlier day: five cells either way.
fn when(t: DateTime<FixedOffset>, now: Option<DateTime<FixedOffset>>) -> String {
    let t = t.with_timezone(&cst());
    let today = now.is_none_or(|n| n.with_timezone(&cst()).date_naive() == t.date_naive());
    if today {
        t.format("%H:%M").to_string()
    } else {
        t.format("%m-%d").to_string()
    }
}

/// Why the list is empty: still reading, no store, a failed read, or nothing sent yet (with
/// how to set alerts up).
fn empty_lines(state: &AppState, theme: &Theme) -> Vec<PopupLine> {
    let d = &state.deliveries;
    let line = |parts: &[(&str, ratatui::style::Style)]| {
        let mut left = Parts::default();
        for (s, st) in parts {
            left.push(*s, *st);
        }
        PopupLine {
            left,
            ..PopupLine::default()
        }
    };
    let off = state
        .history
        .write_error
        .as_deref()
        .filter(|e| e.starts_with("history off"));
    if let Some(e) = off {
        return vec![
            line(&[(
                "Deliveries are read from the history store, which is not open:",
                theme.header,
            )]),
            line(&[(e, theme.error)]),
        ];
    }
    if !d.loaded {
        return vec![line(&[(
            "reading the deliveries from the history store… (none is open with --no-history)",
            theme.muted,
        )])];
    }
    if let Some(e) = &d.read_error {
        return vec![
            line(&[("The deliveries could not be read:", theme.header)]),
            line(&[(e.as_str(), theme.error)]),
        ];
    }
    let team = state
        .history
        .viewer
        .then(|| line(&[("A team viewer lists what the collector sent.", theme.muted)]));
    if d.configured == Some(true) {
        let mut out = vec![line(&[(
            "Nothing sent yet: no topic has matched a rule.",
            theme.header,
        )])];
        out.extend(team);
        return out;
    }
    let mut out = vec![
        line(&[("No team alert has been sent yet.", theme.header)]),
        line(&[]),
        line(&[(
            "Alerts go out when a topic matches a rule. To set them up:",
            theme.header,
        )]),
        line(&[
            ("  [push] in config.toml     ", theme.key),
            ("channels [push.channels.NAME], rules.toml", theme.muted),
        ]),
        line(&[
            ("  resou rules check         ", theme.key),
            ("check the rules file", theme.muted),
        ]),
        line(&[
            ("  resou push test CHANNEL   ", theme.key),
            ("send one channel a test message", theme.muted),
        ]),
    ];
    if d.configured.is_none() {
        out.push(line(&[]));
        out.push(line(&[(
            "With rules and channels set, no topic has matched a rule yet.",
            theme.muted,
        )]));
    }
    out.extend(team);
    out
}

/// Keys, and when the list was read (or why the last read failed).
fn footer(d: &Deliveries, theme: &Theme) -> Parts {
    let mut p = Parts::default();
    p.push("j k", theme.key)
        .push(" move · ", theme.muted)
        .push("D esc", theme.key)
        .push(" close", theme.muted);
    if let Some(e) = d.read_error.as_deref().filter(|_| !d.rows.is_empty()) {
        p.push(" · read failed: ", theme.muted)
            .push(e.to_string(), theme.error);
    } else if let Some(at) = d.read_at {
        let at = at.with_timezone(&cst()).format("%H:%M:%S");
        p.push(format!(" · read {at}"), theme.muted);
    }
    p
}
