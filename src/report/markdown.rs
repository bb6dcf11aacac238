//! The report as markdown (the whole report, tables for the sections) and as a short push
//! message with the HTML report attached.

use std::fmt::Write as _;

use super::{At, Report, SECTIONS, WatchKind, render_html};
use crate::analysis::dynamics::Kind;
use crate::domain::Platform;
use crate::domain::num::format_heat;
use crate::domain::time::format_minutes;
use crate::push::Message;

/// Bytes of the summary's body: under WeCom's 4,096-byte markdown limit with room for the
/// title and tier line a channel adds.
pub const SUMMARY_BYTES: usize = 3_500;
/// Characters of a title in the summary.
const SUMMARY_TITLE_CHARS: usize = 40;

/// Remote text inside markdown: the characters that open markup (links, tags, tables, bold,
/// code) become their full-width forms, which read the same in Chinese text and open nothing
/// in any markdown dialect or chat channel — a backslash escape would not survive a channel's
/// own conversion. (`#` stays: a title never starts a line.)
pub(super) fn md_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '[' => '［',
            ']' => '］',
            '<' => '＜',
            '>' => '＞',
            '|' => '｜',
            '*' => '＊',
            '`' => '｀',
            '\\' => '＼',
            c => c,
        })
        .collect()
}

/// `HH:MM`, with the date when it is not the period's last day.
pub(super) fn clock(t: At, r: &Report) -> String {
    if t.date_naive() == r.period.to.date_naive() {
        t.format("%H:%M").to_string()
    } else {
        t.format("%m-%d %H:%M").to_string()
    }
}

pub(super) fn rank(r: Option<u32>) -> String {
    r.map_or_else(|| "—".into(), |r| format!("#{r}"))
}

pub(super) fn heat(h: Option<u64>) -> String {
    h.map_or_else(|| "—".into(), format_heat)
}

pub(super) fn minutes(m: Option<u32>) -> String {
    m.map_or_else(|| "—".into(), format_minutes)
}

pub(super) fn kind_zh(k: Kind) -> &'static str {
    match k {
        Kind::Withdrawn => "疑似撤榜 withdrawn",
        Kind::Anchored => "位置固定 anchored",
        Kind::LabelStep => "标签升级 label step",
    }
}

/// `微博 09:12 → 抖音 09:40 (+28 min) → …`
pub(super) fn chain(e: &super::CrossEvent, r: &Report) -> String {
    e.spread
        .iter()
        .map(|s| {
            let after = if s.after_min > 0 {
                format!(
                    " (+{})",
                    format_minutes(u32::try_from(s.after_min).unwrap_or(0))
                )
            } else {
                String::new()
            };
            format!("{} {}{after}", s.platform.tag(), clock(s.first_seen, r))
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

pub(super) fn lead(k: &super::RisingKeyword) -> String {
    match (k.lead_min, k.top_before_onset) {
        (Some(m), _) => format_minutes(u32::try_from(m.max(0)).unwrap_or(0)),
        (None, true) => "已在前列 already top".into(),
        (None, false) => "未入前列 not top yet".into(),
    }
}

/// ` (20 of 228)` when a section shows fewer than there are, else ` (7)`.
pub(super) fn count(shown: usize, total: usize) -> String {
    if total > shown {
        format!(" ({shown} of {total})")
    } else {
        format!(" ({total})")
    }
}

fn heading(out: &mut String, id: &str, extra: &str) {
    let (_, zh, en) = SECTIONS
        .iter()
        .find(|(i, _, _)| *i == id)
        .copied()
        .unwrap_or((id, id, id));
    let _ = write!(out, "\n## {zh} {en}{extra}\n\n");
}

fn table(out: &mut String, head: &[&str], rows: Vec<Vec<String>>) {
    if rows.is_empty() {
        out.push_str("无 None.\n");
        return;
    }
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
    for r in rows {
        let _ = writeln!(out, "| {} |", r.join(" | "));
    }
}

/// The whole report as markdown (GitHub-flavoured tables).
pub fn render_markdown(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", md_text(&r.title));
    let _ = writeln!(
        out,
        "{} {} · 来源 Source: {} · 数据截至 Latest poll: {}",
        r.tier.label(),
        r.tier.zh(),
        md_text(&r.source),
        r.latest_poll
            .map_or_else(|| "—".into(), |t| t.format("%Y-%m-%d %H:%M").to_string()),
    );
    for why in &r.tier_because {
        let _ = writeln!(out, "\n> {}", md_text(why));
    }
    if r.is_empty() {
        let _ = writeln!(
            out,
            "\n**本期无数据 Nothing to report.** {}",
            md_text(&r.empty_message())
        );
    }

    heading(&mut out, "overview", "");
    table(
        &mut out,
        &[
            "平台 Platform",
            "轮询 Polls",
            "时段 First–last",
            "间隔 Gap",
            "话题 Topics",
            "新上榜 New",
            "榜首最久 Longest at #1",
        ],
        r.overview
            .iter()
            .map(|o| {
                vec![
                    o.platform.tag().into(),
                    o.polls.to_string(),
                    format!("{}–{}", clock(o.first_poll, r), clock(o.last_poll, r)),
                    minutes(o.spacing_min),
                    o.topics.to_string(),
                    o.new_topics.to_string(),
                    o.leader
                        .as_ref()
                        .map_or_else(|| "—".into(), |(t, n)| format!("{} ({n})", md_text(t))),
                ]
            })
            .collect(),
    );

    heading(&mut out, "top", "");
    table(
        &mut out,
        &[
            "平台",
            "话题 Topic",
            "最高 Peak",
            "热度 Heat",
            "在榜 On list",
            "首见 First seen",
            "标签",
        ],
        r.top
            .iter()
            .map(|t| {
                vec![
                    t.platform.tag().into(),
                    md_text(&t.title),
                    rank(t.peak_rank),
                    heat(t.peak_heat),
                    minutes(t.minutes_on_list),
                    clock(t.first_seen, r),
                    t.label.as_str().into(),
                ]
            })
            .collect(),
    );

    heading(&mut out, "new", &count(r.new_entries.len(), r.new_total));
    table(
        &mut out,
        &[
            "平台",
            "话题 Topic",
            "最高 Peak",
            "首见 First seen",
            "在榜 On list",
            "标签",
        ],
        r.new_entries
            .iter()
            .map(|t| {
                vec![
                    t.platform.tag().into(),
                    md_text(&t.title),
                    rank(t.peak_rank),
                    clock(t.first_seen, r),
                    minutes(t.minutes_on_list),
                    t.label.as_str().into(),
                ]
            })
            .collect(),
    );

    heading(&mut out, "rising", "");
    table(
        &mut out,
        &[
            "关键词 Keyword",
            "起升 Onset",
            "峰值 Score",
            "领先 Lead",
            "首入前列 First top title",
            "仍在升 Still rising",
        ],
        r.rising
            .iter()
            .map(|k| {
                vec![
                    md_text(&k.keyword),
                    clock(k.onset, r),
                    format!("{:.1}", k.peak_score),
                    lead(k),
                    k.reached_top.as_ref().map_or_else(
                        || "—".into(),
                        |t| {
                            format!(
                                "{} {} {}",
                                t.platform.tag(),
                                clock(t.at, r),
                                md_text(&t.title)
                            )
                        },
                    ),
                    if k.still_rising { "是 yes" } else { "否 no" }.into(),
                ]
            })
            .collect(),
    );

    heading(&mut out, "events", "");
    if r.events.is_empty() {
        out.push_str("无 None.\n");
    }
    for (i, e) in r.events.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. **{}** — {}",
            i + 1,
            md_text(&e.label),
            chain(e, r)
        );
        for t in &e.titles {
            let _ = writeln!(
                out,
                "   - {} {} {}",
                t.platform.tag(),
                clock(t.first_seen, r),
                md_text(&t.title)
            );
        }
    }

    heading(&mut out, "flagged", "");
    table(
        &mut out,
        &[
            "平台",
            "话题 Topic",
            "标记人 Flagged by",
            "备注 Notes",
            "最高 Peak",
            "期末 At end",
            "级别 Tier",
        ],
        r.flagged
            .iter()
            .map(|f| {
                vec![
                    f.platform.tag().into(),
                    md_text(&f.title),
                    md_text(&f.flagged_by.join(", ")),
                    md_text(
                        &f.notes
                            .iter()
                            .map(|n| format!("{}: {}", n.user, n.note))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                    rank(f.peak_rank),
                    rank(f.rank_at_end),
                    f.tier.zh().into(),
                ]
            })
            .collect(),
    );

    heading(
        &mut out,
        "dynamics",
        &count(r.dynamics.len(), r.dynamics_total),
    );
    table(
        &mut out,
        &[
            "时间 At",
            "平台",
            "类型 Kind",
            "排名 Rank",
            "话题 Topic",
            "依据 Evidence",
        ],
        r.dynamics
            .iter()
            .map(|c| {
                vec![
                    clock(c.at, r),
                    c.platform.tag().into(),
                    kind_zh(c.kind).into(),
                    rank(c.rank),
                    md_text(&c.title),
                    md_text(&c.evidence),
                ]
            })
            .collect(),
    );

    heading(&mut out, "watch", "");
    if r.watch.is_empty() {
        out.push_str("无 None.\n");
    }
    for w in &r.watch {
        let on = w
            .platform
            .map(|p| format!("{} ", p.tag()))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- [{}] {on}**{}** — {}",
            w.kind.zh(),
            md_text(&w.text),
            md_text(&w.why)
        );
    }

    heading(&mut out, "notes", "");
    for n in &r.notes {
        let _ = writeln!(out, "- {}", md_text(n));
    }
    out
}

fn short(s: &str) -> String {
    let t = md_text(s);
    if t.chars().count() <= SUMMARY_TITLE_CHARS {
        return t;
    }
    let mut cut: String = t.chars().take(SUMMARY_TITLE_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// The report as one push message: a short markdown body for chat channels (at most
/// [`SUMMARY_BYTES`]), the whole HTML report for email. Its tier is the report's.
pub fn summary(r: &Report) -> Message {
    let mut lines: Vec<String> = Vec::new();
    if r.is_empty() {
        lines.push(md_text(&r.empty_message()));
    } else {
        let overview = r
            .overview
            .iter()
            .map(|o| {
                format!(
                    "{} {} 轮/{} 话题/新 {}",
                    o.platform.tag(),
                    o.polls,
                    o.topics,
                    o.new_topics
                )
            })
            .collect::<Vec<_>>()
            .join("；");
        lines.push(format!("**概览** {overview}"));
    }
    for why in &r.tier_because {
        lines.push(format!("> {}", md_text(why)));
    }
    fn section(lines: &mut Vec<String>, title: String, items: Vec<String>) {
        if !items.is_empty() {
            lines.push(format!("**{title}**"));
            lines.extend(items.into_iter().map(|i| format!("- {i}")));
        }
    }
    // Each platform's first, then the next ones while fewer than three.
    let mut firsts: Vec<&super::TopicRow> = Platform::ALL
        .iter()
        .filter_map(|p| r.top.iter().find(|t| t.platform == *p))
        .collect();
    for t in &r.top {
        if firsts.len() >= 3 {
            break;
        }
        if !firsts.iter().any(|f| std::ptr::eq(*f, t)) {
            firsts.push(t);
        }
    }
    firsts.truncate(5);
    section(
        &mut lines,
        "热点 TOP".into(),
        firsts
            .iter()
            .map(|t| {
                format!(
                    "{} {} {}（热度 {}，在榜 {}）",
                    t.platform.tag(),
                    rank(t.peak_rank),
                    short(&t.title),
                    heat(t.peak_heat),
                    minutes(t.minutes_on_list)
                )
            })
            .collect(),
    );
    section(
        &mut lines,
        format!("新上榜 {}", r.new_total),
        r.new_entries
            .iter()
            .take(3)
            .map(|t| {
                format!(
                    "{} {} {}",
                    t.platform.tag(),
                    rank(t.peak_rank),
                    short(&t.title)
                )
            })
            .collect(),
    );
    section(
        &mut lines,
        "上升关键词".into(),
        r.rising
            .iter()
            .take(5)
            .map(|k| format!("{}（领先 {}）", short(&k.keyword), lead(k)))
            .collect(),
    );
    section(
        &mut lines,
        "跨平台事件".into(),
        r.events
            .iter()
            .take(3)
            .map(|e| format!("{}：{}", short(&e.label), chain(e, r)))
            .collect(),
    );
    section(
        &mut lines,
        format!("标记话题 {}", r.flagged.len()),
        r.flagged
            .iter()
            .take(5)
            .map(|f| {
                let by = if f.flagged_by.is_empty() {
                    String::new()
                } else {
                    format!("（{}）", md_text(&f.flagged_by.join(", ")))
                };
                let note = f
                    .notes
                    .first()
                    .map(|n| format!("：{}", short(&n.note)))
                    .unwrap_or_default();
                format!("{} {}{by}{note}", f.platform.tag(), short(&f.title))
            })
            .collect(),
    );
    if r.dynamics_total > 0 {
        lines.push(format!(
            "**榜单异动** {} 条候选（疑似撤榜 {}）",
            r.dynamics_total, r.withdrawn_total
        ));
    }
    section(
        &mut lines,
        "下期关注".into(),
        // Two of each kind, so a long keyword list does not hide the topics.
        [WatchKind::Keyword, WatchKind::Topic, WatchKind::Flagged]
            .into_iter()
            .flat_map(|k| r.watch.iter().filter(move |w| w.kind == k).take(2))
            .map(|w| format!("[{}] {}", w.kind.zh(), short(&w.text)))
            .collect(),
    );
    lines.push("完整报告见邮件 HTML。Full report: the HTML (email).".into());

    let mut body = String::new();
    for l in lines {
        if body.len() + l.len() + 1 > SUMMARY_BYTES {
            body.push('…');
            break;
        }
        body.push_str(&l);
        body.push('\n');
    }
    let mut m = Message::new(r.tier, md_text(&r.title), body.trim_end());
    m.html = Some(render_html(r));
    m.rule = "report".into();
    m
}
