//! The brand view (`B`, issue 20 point 5): per watched term — the terms as tabs with the watch
//! budget, mention volume (24 h and 7 d sparklines), tone (P/U/N counts, NSR with its 95 %
//! interval, greyed below 30 polar posts; negative share with its interval), top authors, then
//! the newest posts (or, `n`, the most negative) with author badges (KOL, V, followers), each
//! post's tone mark, and for the selected one the words behind its score.

use chrono::{DateTime, FixedOffset};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::spark::sparkline;
use super::text::display_width;
use super::{Parts, Theme, draw_line};
use crate::analysis::mentions::rebin;
use crate::analysis::term_summary::{ScoredPost, TermSummary, Tone};
use crate::app::brand::{Brand, BrandList, WatchSource};
use crate::app::state::AppState;
use crate::domain::num::format_heat;
use crate::sentiment::Label;

/// Lines above the post list: tabs, volume, tone 24 h, tone 7 d, authors, list heading, and
/// the sentinels' line when sentinels are followed.
fn head_lines(b: &Brand) -> usize {
    6 + usize::from(!b.sentinels.is_empty())
}
/// Lines a post takes (meta, text); the selected one adds a line of evidence.
const POST_LINES: usize = 2;

/// Posts of the list that fit on a terminal of `size` (the header and status bar stay).
pub fn list_rows(size: (u16, u16), b: &Brand) -> usize {
    let body = (size.1 as usize).saturating_sub(2 + head_lines(b) + 1);
    (body / POST_LINES).max(1)
}

pub(super) fn render(area: Rect, buf: &mut Buffer, state: &AppState, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let b = &state.brand;
    let line = |i: usize| Rect::new(area.x, area.y + i as u16, area.width, 1);
    draw_line(line(0), buf, tabs(b, theme), budget(b, state.now, theme));
    let Some(s) = b.summary() else {
        empty(area, buf, b, theme);
        return;
    };
    let width = area.width as usize;
    draw_line(line(1), buf, volume(s, width, theme), Parts::default());
    draw_line(
        line(2),
        buf,
        tone("24h", &s.tone_24h, theme),
        Parts::default(),
    );
    draw_line(
        line(3),
        buf,
        tone("7d ", &s.tone_7d, theme),
        Parts::default(),
    );
    draw_line(
        line(4),
        buf,
        authors(s, &state.enrich.kol_names, theme),
        Parts::default(),
    );
    if !b.sentinels.is_empty() {
        draw_line(line(5), buf, sentinels(b, theme), Parts::default());
    }
    let heading = head_lines(b) - 1;
    let (name, n, other) = match b.list {
        BrandList::Newest => (
            "最新 newest",
            s.newest.len(),
            "n: 最负面 most negative (24h)",
        ),
        BrandList::MostNegative => (
            "最负面 most negative (24h)",
            s.most_negative.len(),
            "n: 最新 newest",
        ),
    };
    let mut head = Parts::default();
    head.push(format!("── {name} · {n} "), theme.border)
        .push(format!("· {other} · enter: comments "), theme.muted);
    draw_line(line(heading), buf, head, Parts::default());

    let bottom = area.y + area.height;
    let mut y = area.y + head_lines(b) as u16;
    let failure_line = b.failure.is_some() as u16;
    let posts = b.posts();
    if posts.is_empty() {
        let msg = match b.list {
            BrandList::Newest => " no post in the last 7 days of the lists' clock",
            BrandList::MostNegative => " no negative post in the last 24 hours",
        };
        let mut p = Parts::default();
        p.push(msg, theme.muted);
        draw_line(
            Rect::new(area.x, y, area.width, 1),
            buf,
            p,
            Parts::default(),
        );
    }
    for (i, p) in posts.iter().enumerate().skip(b.offset) {
        let selected = i == b.selected;
        let need = POST_LINES as u16 + u16::from(selected);
        if y + POST_LINES as u16 > bottom.saturating_sub(failure_line) {
            break;
        }
        let sel = |st: Style| {
            if selected {
                st.patch(theme.selection)
            } else {
                st
            }
        };
        let row = |y: u16| Rect::new(area.x, y, area.width, 1);
        draw_line(
            row(y),
            buf,
            post_meta(p, s.until, &state.enrich.kol_names, theme, &sel),
            counts(p, theme),
        );
        let mut text = Parts::default();
        text.push("   ", sel(theme.topic))
            .push(one_line(&p.post.text), sel(theme.topic));
        draw_line(row(y + 1), buf, text, Parts::default());
        if selected && y + need <= bottom.saturating_sub(failure_line) && !p.why.is_empty() {
            let mut why = Parts::default();
            why.push("   因 ", theme.muted)
                .push(p.why.join(" · "), theme.muted);
            draw_line(row(y + 2), buf, why, Parts::default());
            y += 1;
        }
        y += POST_LINES as u16;
    }
    if let Some((msg, at)) = &b.failure {
        let mut f = Parts::default();
        f.push(" watch ✗ ", theme.error);
        if let Some(at) = at {
            f.push(at.format("%H:%M ").to_string(), theme.error);
        }
        f.push(msg.as_str(), theme.error);
        draw_line(
            Rect::new(area.x, bottom.saturating_sub(1), area.width, 1),
            buf,
            f,
            Parts::default(),
        );
    }
}

/// `哨兵 12 · #全国生态日# 3人 14:05 not on a list · 印尼 4人 09:10 on 微博`: tags several
/// sentinel accounts started using (newest flag first).
fn sentinels(b: &Brand, theme: &Theme) -> Parts {
    let mut p = Parts::default();
    p.push(
        format!(" 哨兵 {} accounts ", b.sentinels.len()),
        theme.muted,
    );
    if b.sentinel_flags.is_empty() {
        p.push("· no tag taken up by 3+ of them within 6 h", theme.muted);
    }
    let mut flags: Vec<_> = b.sentinel_flags.iter().collect();
    flags.sort_by_key(|f| std::cmp::Reverse(f.flagged_at));
    for f in flags {
        let tag = if f.hashtag {
            format!("#{}#", f.tag)
        } else {
            f.tag.clone()
        };
        p.push("· ", theme.muted).push(tag, theme.rising).push(
            format!(" {}人 {} ", f.accounts.len(), f.flagged_at.format("%H:%M")),
            theme.muted,
        );
        if f.on_lists.is_empty() {
            p.push("not on a list ", theme.warn);
        } else {
            let on: Vec<&str> = f.on_lists.iter().map(|p| p.tag()).collect();
            p.push(format!("on {} ", on.join("+")), theme.muted);
        }
    }
    p
}

fn tabs(b: &Brand, theme: &Theme) -> Parts {
    let mut p = Parts::default();
    p.push(" 品牌 brand ", theme.title);
    let names: Vec<&str> = if b.summaries.is_empty() {
        b.terms.iter().map(String::as_str).collect()
    } else {
        b.summaries.iter().map(|s| s.term.as_str()).collect()
    };
    for (i, t) in names.iter().enumerate() {
        if i == b.term && !b.summaries.is_empty() {
            p.push(format!("[{t}]"), theme.tab_active);
        } else {
            p.push(format!(" {t} "), theme.header);
        }
    }
    if names.len() > 1 {
        p.push(" tab: next term", theme.muted);
    }
    p
}

/// The search budget; the next request as a countdown on the app's (wall) clock, as the
/// status bar shows the next poll — a replay's lists run on a clock of their own.
fn budget(b: &Brand, now: Option<DateTime<FixedOffset>>, theme: &Theme) -> Parts {
    let mut p = Parts::default();
    match (b.source, &b.budget) {
        (WatchSource::Store, _) => {
            p.push("searched by the team collector ", theme.muted);
        }
        (_, Some(st)) => {
            p.push(
                format!("search {}/{} this hour", st.used_this_hour, st.max_per_hour),
                theme.muted,
            );
            if let Some(until) = st.backing_off_until {
                p.push(
                    format!(" · backing off to {}", until.format("%H:%M")),
                    theme.warn,
                );
            } else if let Some((term, at)) = &st.next {
                let when = match now {
                    Some(now) => format!("in {}", super::status::countdown(*at, now)),
                    None => at.format("%H:%M:%S").to_string(),
                };
                p.push(format!(" · next {term} {when}"), theme.muted);
            }
            p.push(" ", theme.muted);
        }
        _ => {}
    }
    p
}

fn empty(area: Rect, buf: &mut Buffer, b: &Brand, theme: &Theme) {
    let lines: Vec<String> = match b.source {
        WatchSource::Off => vec![
            "No watched terms.".into(),
            "Add brands, products, people or competitors to the config:".into(),
            "  [watch]".into(),
            "  terms = [\"品牌名\", { name = \"产品\", aliases = [\"别名\"], exclude = [\"无关词\"] }]".into(),
            "or press w on a keyword (watchlist); resou searches Weibo for each every few minutes".into(),
            "within an hourly budget. See README, Brand watch.".into(),
        ],
        WatchSource::Searching => vec![
            format!("Searching Weibo (real-time) for {} …", b.terms.join("、")),
            "The first summary shows when the first search answers.".into(),
        ],
        WatchSource::Store => vec![
            format!("Waiting for the collector's posts on {} …", b.terms.join("、")),
            "A team viewer reads what `resou collect` found (its [watch] terms).".into(),
        ],
    };
    for (i, l) in lines.into_iter().enumerate() {
        let y = area.y + 2 + i as u16;
        if y >= area.y + area.height {
            break;
        }
        let mut p = Parts::default();
        p.push(format!(" {l}"), theme.muted);
        draw_line(
            Rect::new(area.x, y, area.width, 1),
            buf,
            p,
            Parts::default(),
        );
    }
}

/// `24h ▁▂▅█ 38   7d ▁▁▂▅█ 118` — the 7-day line rebinned to fit.
fn volume(s: &TermSummary, width: usize, theme: &Theme) -> Parts {
    let bars = &theme.symbols.spark;
    let f = |v: &[u32]| v.iter().map(|&c| c as f64).collect::<Vec<f64>>();
    // The newest spike of the last 24 hours, named at the end.
    let week_len = s.hourly_7d.len();
    let named = s
        .spike_hours
        .iter()
        .filter(|&&i| i >= week_len.saturating_sub(24))
        .max()
        .map(|&i| {
            let hour = s.until - chrono::Duration::hours((week_len - 1 - i) as i64);
            format!(" 突增 spike {}:00", hour.format("%H"))
        });
    // Room left after the labels, counts and the spike's name, split between the two lines.
    let room = width.saturating_sub(34 + named.as_deref().map_or(0, display_width));
    let day_w = (room / 2).clamp(6, 24);
    let week_w = room.saturating_sub(day_w).clamp(7, 56);
    let per = s.hourly_7d.len().div_ceil(week_w).max(1);
    let week = rebin(&s.hourly_7d, per);
    let day = &s.hourly_24h[s.hourly_24h.len().saturating_sub(day_w)..];
    // Spike hours of the week, as indices into the day's and the week's bars.
    let day_start = week_len.saturating_sub(day.len());
    let head = week_len % per;
    let bin_of = |i: usize| match head {
        0 => i / per,
        h if i < h => 0,
        h => 1 + (i - h) / per,
    };
    let day_spikes: Vec<usize> = s
        .spike_hours
        .iter()
        .filter_map(|&i| i.checked_sub(day_start))
        .collect();
    let week_spikes: Vec<usize> = s.spike_hours.iter().map(|&i| bin_of(i)).collect();
    let mut p = Parts::default();
    p.push(" 声量 24h ", theme.muted);
    marked_bars(
        &mut p,
        &sparkline(&f(day), day.len(), bars),
        &day_spikes,
        theme,
    );
    p.push(format!(" {}", s.total_24h), theme.heat)
        .push("   7d ", theme.muted);
    let shown = week.len().min(week_w);
    let skipped = week.len() - shown;
    let week_spikes: Vec<usize> = week_spikes
        .iter()
        .filter_map(|&b| b.checked_sub(skipped))
        .collect();
    marked_bars(
        &mut p,
        &sparkline(&f(&week), shown, bars),
        &week_spikes,
        theme,
    );
    p.push(format!(" {}", s.total_7d), theme.heat)
        .push(format!(" ({per}h/bar)"), theme.muted);
    if let Some(n) = named {
        p.push(n, theme.error);
    }
    p
}

/// The bars of a sparkline, those at `marked` positions in the error style (spikes).
fn marked_bars(p: &mut Parts, bars: &str, marked: &[usize], theme: &Theme) {
    for (i, c) in bars.chars().enumerate() {
        let style = if marked.contains(&i) {
            theme.error
        } else {
            theme.heat
        };
        p.push(c.to_string(), style);
    }
}

/// `24h 正 12 · 中 20 · 负 6  NSR +33% [−1, +60]  负面 16% [9–28%]`.
pub(super) fn tone(span: &str, t: &Tone, theme: &Theme) -> Parts {
    let mut p = Parts::default();
    p.push(format!(" 情感 {span} "), theme.muted)
        .push(format!("正 {}", t.pos), theme.ok)
        .push(" · ", theme.muted)
        .push(format!("中 {}", t.neu), theme.muted)
        .push(" · ", theme.muted)
        .push(format!("负 {}", t.neg), theme.error);
    if let (Some(nsr), Some((lo, hi))) = (t.nsr(), t.nsr_interval()) {
        let style = if t.nsr_readable() {
            theme.topic
        } else {
            theme.muted
        };
        p.push(
            format!(
                "  NSR {:+.0}% [{:+.0}, {:+.0}]",
                nsr * 100.0,
                lo * 100.0,
                hi * 100.0
            ),
            style,
        );
        if !t.nsr_readable() {
            p.push(
                format!(" (<{} polar)", crate::analysis::term_summary::NSR_MIN_POLAR),
                theme.muted,
            );
        }
    }
    if let Some((share, (lo, hi))) = t.neg_share() {
        p.push(
            format!(
                "  负面 {:.0}% [{:.0}–{:.0}%]",
                share * 100.0,
                lo * 100.0,
                hi * 100.0
            ),
            theme.muted,
        );
    }
    p.push("  lexicon, uncorrected", theme.muted);
    p
}

fn authors(s: &TermSummary, kols: &[String], theme: &Theme) -> Parts {
    let mut p = Parts::default();
    p.push(" 作者 7d ", theme.muted);
    if s.top_authors.is_empty() {
        p.push("—", theme.muted);
    }
    for (i, a) in s.top_authors.iter().enumerate() {
        if i > 0 {
            p.push(" · ", theme.muted);
        }
        p.push(format!("@{}", a.name), theme.author)
            .push(format!("×{}", a.posts), theme.muted);
        badges(
            &mut p,
            &a.name,
            a.verified_type,
            a.followers,
            kols,
            theme,
            &|s| s,
        );
    }
    p
}

/// KOL, V and follower badges after an author.
fn badges(
    p: &mut Parts,
    name: &str,
    verified: Option<i64>,
    followers: Option<u64>,
    kols: &[String],
    theme: &Theme,
    sel: &dyn Fn(Style) -> Style,
) {
    if kols.iter().any(|k| k == name) {
        p.push(" ★KOL", sel(theme.kol));
    }
    if verified.is_some_and(|v| v >= 0) {
        p.push(" V", sel(theme.verified));
    }
    if let Some(f) = followers.filter(|&f| f > 0) {
        p.push(format!(" {}粉", format_heat(f)), sel(theme.muted));
    }
}

fn post_meta(
    p: &ScoredPost,
    until: DateTime<FixedOffset>,
    kols: &[String],
    theme: &Theme,
    sel: &dyn Fn(Style) -> Style,
) -> Parts {
    let mut out = Parts::default();
    let when = match p.post.created_at {
        Some(t) if t.date_naive() == until.date_naive() => t.format(" %H:%M").to_string(),
        Some(t) => t.format(" %m-%d %H:%M").to_string(),
        None => " --:--".into(),
    };
    out.push(when, sel(theme.muted)).push(" ", sel(theme.muted));
    let (mark, style) = mark(p.label, theme);
    out.push(format!("{mark}{:+.2}", p.score), sel(style))
        .push(" ", sel(theme.muted))
        .push(format!("@{}", p.post.author), sel(theme.author));
    badges(
        &mut out,
        &p.post.author,
        p.post.verified_type,
        p.post.followers,
        kols,
        theme,
        sel,
    );
    out
}

/// The tone mark and its style: 正 / 中 / 负.
pub(super) fn mark(l: Label, theme: &Theme) -> (&'static str, Style) {
    match l {
        Label::Pos => ("正", theme.ok),
        Label::Neu => ("中", theme.muted),
        Label::Neg => ("负", theme.error),
    }
}

fn counts(p: &ScoredPost, theme: &Theme) -> Parts {
    let mut out = Parts::default();
    let post = &p.post;
    let n = |v: Option<u64>| v.map_or("-".into(), format_heat);
    out.push(
        format!(
            "转{} 评{} 赞{} ",
            n(post.reposts),
            n(post.comments),
            n(post.likes)
        ),
        theme.muted,
    );
    out
}

/// The post's text on one line (its line breaks as spaces).
fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}
