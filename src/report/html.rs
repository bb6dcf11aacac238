//! The report as one self-contained HTML file: inline CSS, no script, no remote resource,
//! tables that turn into cards on a phone (~390 px), every remote text escaped.

use std::fmt::Write as _;

use super::markdown::{clock, heat, kind_zh, lead, minutes, rank};
use super::{Report, SECTIONS};
use crate::domain::Tier;

/// `& < > " '` as entities: text and attribute values alike.
fn esc(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

fn tier_colour(t: Tier) -> &'static str {
    match t {
        Tier::Blue => "#1d5fbf",
        Tier::Yellow => "#b88a00",
        Tier::Orange => "#d35400",
        Tier::Red => "#c0262d",
    }
}

const STYLE: &str = "
*{box-sizing:border-box}
body{margin:0;font:15px/1.55 -apple-system,'PingFang SC','Hiragino Sans GB','Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei',sans-serif;color:#1f2328;background:#f5f6f8}
main{max-width:1100px;margin:0 auto;padding:0 16px 32px}
header{color:#fff;padding:20px 16px 16px}
header .in{max-width:1100px;margin:0 auto}
h1{font-size:1.45em;margin:0 0 6px;line-height:1.3}
header p{margin:2px 0;opacity:.92;font-size:.92em}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;background:rgba(255,255,255,.22);font-weight:600}
nav{display:flex;flex-wrap:wrap;gap:6px;margin:14px 0 4px}
nav a{font-size:.85em;color:#1d5fbf;background:#fff;border:1px solid #d8dde3;border-radius:14px;padding:2px 10px;text-decoration:none}
section{background:#fff;border:1px solid #e1e4e8;border-radius:8px;margin:14px 0;padding:4px 16px 12px}
h2{font-size:1.15em;margin:12px 0 8px}
h2 .en,th .en{font-weight:400;color:#6a737d;font-size:.85em}
.count{font-weight:400;color:#6a737d;font-size:.8em}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eaecef;vertical-align:top}
td.n{white-space:nowrap}
th{background:#f6f8fa;white-space:nowrap}
.tag{display:inline-block;min-width:2.6em;padding:0 4px;border-radius:4px;background:#eef1f5;font-size:.88em;text-align:center}
.lbl{display:inline-block;padding:0 4px;border-radius:3px;color:#fff;background:#e36209;font-size:.8em}
.none{color:#6a737d}
.why{color:#57606a;font-size:.9em}
.quote{border-left:3px solid currentColor;padding:4px 10px;margin:8px 0;background:rgba(255,255,255,.15)}
ol.events{padding-left:1.4em;margin:4px 0}
ol.events>li{margin:0 0 12px}
.chain{display:flex;flex-wrap:wrap;align-items:center;gap:4px;margin:4px 0}
.chain .step{background:#eef1f5;border-radius:4px;padding:0 6px;font-size:.88em}
.chain .arrow{color:#6a737d}
ul.titles{margin:4px 0 0;padding-left:1.1em;font-size:.9em;color:#444}
ul.watch{padding-left:1.1em;margin:4px 0}
ul.watch li{margin:0 0 6px}
ul.notes{padding-left:1.1em;margin:4px 0;font-size:.88em;color:#57606a}
@media (max-width:640px){
 body{font-size:15px}
 main{padding:0 8px 24px}
 header{padding:14px 10px 12px}
 h1{font-size:1.2em}
 section{padding:2px 10px 8px}
 table.rows thead{display:none}
 table.rows,table.rows tbody,table.rows tr{display:block;width:100%}
 table.rows tr{border:1px solid #e1e4e8;border-radius:6px;margin:0 0 8px;padding:4px 8px}
 table.rows td{display:inline-block;width:50%;border:0;padding:2px 0;white-space:normal}
 table.rows td.t{display:block;width:100%}
 table.rows td::before{content:attr(data-label);display:inline-block;min-width:3.2em;color:#6a737d;font-size:.85em;margin-right:6px}
}
";

/// `<span class="count">(20 of 228)</span>`.
fn count(shown: usize, total: usize) -> String {
    format!(
        "<span class=\"count\">{}</span>",
        super::markdown::count(shown, total)
    )
}

/// A section's opening: `<section id=…><h2>中文 <span class="en">English</span>…</h2>`.
fn open(out: &mut String, id: &str, extra: &str) {
    let (_, zh, en) = SECTIONS
        .iter()
        .find(|(i, _, _)| *i == id)
        .copied()
        .unwrap_or((id, id, id));
    let _ = writeln!(
        out,
        "<section id=\"{id}\"><h2>{zh} <span class=\"en\">{en}</span>{extra}</h2>"
    );
}

/// A table: headings `(中文, English)`, rows of cells already escaped (HTML), each cell
/// labelled with its heading for the phone layout. Cells of the `wide` columns (titles,
/// notes) wrap and take a card's whole width on a phone; the others stay on one line.
fn table(
    out: &mut String,
    class: &str,
    head: &[(&str, &str)],
    wide: &[usize],
    rows: Vec<Vec<String>>,
) {
    if rows.is_empty() {
        out.push_str("<p class=\"none\">无 None.</p>\n");
        return;
    }
    let _ = write!(out, "<table class=\"rows {class}\"><thead><tr>");
    for (zh, en) in head {
        let _ = write!(out, "<th>{zh} <span class=\"en\">{en}</span></th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for (i, (cell, (zh, _))) in row.iter().zip(head).enumerate() {
            let kind = if wide.contains(&i) { "t" } else { "n" };
            let _ = write!(out, "<td class=\"{kind}\" data-label=\"{zh}\">{cell}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

fn tag(p: crate::domain::Platform) -> String {
    format!("<span class=\"tag\">{}</span>", p.tag())
}

fn label(l: crate::domain::Label) -> String {
    if l.is_none() {
        String::new()
    } else {
        format!(" <span class=\"lbl\">{}</span>", l.as_str())
    }
}

/// The whole report as one HTML document (UTF-8, no external resources, no script).
pub fn render_html(r: &Report) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let colour = tier_colour(r.tier);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head>\n<body>\n",
        esc(&r.title)
    );
    let _ = write!(
        out,
        "<header style=\"background:{colour}\"><div class=\"in\"><h1>{}</h1>\
         <p><span class=\"badge\">{} {}</span></p>\
         <p>来源 Source: {} · 数据截至 Latest poll: {}</p>",
        esc(&r.title),
        r.tier.label(),
        r.tier.zh(),
        esc(&r.source),
        r.latest_poll
            .map_or_else(|| "—".into(), |t| t.format("%Y-%m-%d %H:%M").to_string())
    );
    for why in &r.tier_because {
        let _ = write!(out, "<p class=\"quote\">{}</p>", esc(why));
    }
    out.push_str("</div></header>\n<main>\n<nav>");
    for (id, zh, _) in SECTIONS {
        let _ = write!(out, "<a href=\"#{id}\">{zh}</a>");
    }
    out.push_str("</nav>\n");
    if r.is_empty() {
        let _ = writeln!(
            out,
            "<section id=\"empty\"><h2>本期无数据 <span class=\"en\">Nothing to report</span></h2><p>{}</p></section>",
            esc(&r.empty_message())
        );
    }

    open(&mut out, "overview", "");
    table(
        &mut out,
        "overview",
        &[
            ("平台", "Platform"),
            ("轮询", "Polls"),
            ("时段", "First–last"),
            ("间隔", "Gap"),
            ("话题", "Topics"),
            ("新上榜", "New"),
            ("榜首最久", "Longest at #1"),
        ],
        &[6],
        r.overview
            .iter()
            .map(|o| {
                vec![
                    tag(o.platform),
                    o.polls.to_string(),
                    format!("{}–{}", clock(o.first_poll, r), clock(o.last_poll, r)),
                    minutes(o.spacing_min),
                    o.topics.to_string(),
                    o.new_topics.to_string(),
                    o.leader
                        .as_ref()
                        .map_or_else(|| "—".into(), |(t, n)| format!("{} ({n})", esc(t))),
                ]
            })
            .collect(),
    );
    out.push_str("</section>\n");

    open(&mut out, "top", "");
    table(
        &mut out,
        "top",
        &[
            ("平台", "Platform"),
            ("话题", "Topic"),
            ("最高", "Peak"),
            ("热度", "Heat"),
            ("在榜", "On list"),
            ("首见", "First seen"),
        ],
        &[1],
        r.top
            .iter()
            .map(|t| {
                vec![
                    tag(t.platform),
                    format!("{}{}", esc(&t.title), label(t.label)),
                    rank(t.peak_rank),
                    heat(t.peak_heat),
                    minutes(t.minutes_on_list),
                    clock(t.first_seen, r),
                ]
            })
            .collect(),
    );
    out.push_str("</section>\n");

    open(&mut out, "new", &count(r.new_entries.len(), r.new_total));
    table(
        &mut out,
        "new",
        &[
            ("平台", "Platform"),
            ("话题", "Topic"),
            ("最高", "Peak"),
            ("首见", "First seen"),
            ("在榜", "On list"),
        ],
        &[1],
        r.new_entries
            .iter()
            .map(|t| {
                vec![
                    tag(t.platform),
                    format!("{}{}", esc(&t.title), label(t.label)),
                    rank(t.peak_rank),
                    clock(t.first_seen, r),
                    minutes(t.minutes_on_list),
                ]
            })
            .collect(),
    );
    out.push_str("</section>\n");

    open(&mut out, "rising", "");
    table(
        &mut out,
        "rising",
        &[
            ("关键词", "Keyword"),
            ("起升", "Onset"),
            ("峰值", "Score"),
            ("领先", "Lead"),
            ("首入前列", "First top title"),
            ("仍在升", "Still rising"),
        ],
        &[4],
        r.rising
            .iter()
            .map(|k| {
                vec![
                    format!("<b>{}</b>", esc(&k.keyword)),
                    clock(k.onset, r),
                    format!("{:.1}", k.peak_score),
                    esc(&lead(k)),
                    k.reached_top.as_ref().map_or_else(
                        || "—".into(),
                        |t| format!("{} {} {}", tag(t.platform), clock(t.at, r), esc(&t.title)),
                    ),
                    if k.still_rising { "是 yes" } else { "否 no" }.into(),
                ]
            })
            .collect(),
    );
    out.push_str("</section>\n");

    open(&mut out, "events", "");
    if r.events.is_empty() {
        out.push_str("<p class=\"none\">无 None.</p>\n");
    } else {
        out.push_str("<ol class=\"events\">\n");
        for e in &r.events {
            let _ = write!(out, "<li><b>{}</b><div class=\"chain\">", esc(&e.label));
            for (i, s) in e.spread.iter().enumerate() {
                if i > 0 {
                    out.push_str("<span class=\"arrow\">→</span>");
                }
                let after = if s.after_min > 0 {
                    format!(" +{}", minutes(u32::try_from(s.after_min).ok()))
                } else {
                    String::new()
                };
                let _ = write!(
                    out,
                    "<span class=\"step\">{} {} {}{after}</span>",
                    s.platform.tag(),
                    clock(s.first_seen, r),
                    rank(s.best_rank)
                );
            }
            out.push_str("</div><ul class=\"titles\">");
            for t in &e.titles {
                let _ = write!(
                    out,
                    "<li>{} {} {}</li>",
                    tag(t.platform),
                    clock(t.first_seen, r),
                    esc(&t.title)
                );
            }
            out.push_str("</ul></li>\n");
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</section>\n");

    open(&mut out, "flagged", "");
    table(
        &mut out,
        "flagged",
        &[
            ("平台", "Platform"),
            ("话题", "Topic"),
            ("标记人", "Flagged by"),
            ("备注", "Notes"),
            ("最高", "Peak"),
            ("期末", "At end"),
            ("级别", "Tier"),
        ],
        &[1, 3],
        r.flagged
            .iter()
            .map(|f| {
                let notes = f
                    .notes
                    .iter()
                    .map(|n| format!("<b>{}</b>: {}", esc(&n.user), esc(&n.note)))
                    .collect::<Vec<_>>()
                    .join("<br>");
                vec![
                    tag(f.platform),
                    esc(&f.title),
                    esc(&f.flagged_by.join(", ")),
                    notes,
                    rank(f.peak_rank),
                    rank(f.rank_at_end),
                    format!(
                        "<span style=\"color:{}\">{}</span>",
                        tier_colour(f.tier),
                        f.tier.zh()
                    ),
                ]
            })
            .collect(),
    );
    out.push_str("</section>\n");

    open(
        &mut out,
        "dynamics",
        &count(r.dynamics.len(), r.dynamics_total),
    );
    table(
        &mut out,
        "dynamics",
        &[
            ("时间", "At"),
            ("平台", "Platform"),
            ("类型", "Kind"),
            ("排名", "Rank"),
            ("话题", "Topic"),
            ("依据", "Evidence"),
        ],
        &[4, 5],
        r.dynamics
            .iter()
            .map(|c| {
                vec![
                    clock(c.at, r),
                    tag(c.platform),
                    kind_zh(c.kind).into(),
                    rank(c.rank),
                    esc(&c.title),
                    format!("<span class=\"why\">{}</span>", esc(&c.evidence)),
                ]
            })
            .collect(),
    );
    out.push_str("</section>\n");

    open(&mut out, "watch", "");
    if r.watch.is_empty() {
        out.push_str("<p class=\"none\">无 None.</p>\n");
    } else {
        out.push_str("<ul class=\"watch\">\n");
        for w in &r.watch {
            let on = w.platform.map(tag).unwrap_or_default();
            let _ = writeln!(
                out,
                "<li>[{}] {on} <b>{}</b><br><span class=\"why\">{}</span></li>",
                w.kind.zh(),
                esc(&w.text),
                esc(&w.why)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");

    open(&mut out, "notes", "");
    out.push_str("<ul class=\"notes\">\n");
    for n in &r.notes {
        let _ = writeln!(out, "<li>{}</li>", esc(n));
    }
    out.push_str("</ul></section>\n</main>\n</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn every_markup_character_is_an_entity() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;y&#x27;"
        );
    }
}
