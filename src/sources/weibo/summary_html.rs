//! A4 `s.weibo.com/top/summary?cate=realtimehot`: the HTML table (selectors from §2 A4).

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset};
use scraper::{ElementRef, Html, Selector};

use super::{is_ad_label, label_from_texts};
use crate::domain::{Platform, SafeText, Snapshot, num};
use crate::sources::SourceError;
use crate::sources::wire::{self, WEIBO_LOGIN_HINT};

const BASE: &str = "https://s.weibo.com";

fn sel(s: &str) -> Selector {
    // ok: the selectors are literals in this file and are covered by the parser tests.
    Selector::parse(s).unwrap_or_else(|_| unreachable!("bad literal selector {s}"))
}

static TABLE: LazyLock<Selector> = LazyLock::new(|| sel("#pl_top_realtimehot"));
static ROWS: LazyLock<Selector> = LazyLock::new(|| sel("#pl_top_realtimehot table tbody tr"));
static RANK: LazyLock<Selector> = LazyLock::new(|| sel("td.td-01"));
static LINK: LazyLock<Selector> = LazyLock::new(|| sel("td.td-02 a"));
static HEAT: LazyLock<Selector> = LazyLock::new(|| sel("td.td-02 span"));
static LABEL: LazyLock<Selector> = LazyLock::new(|| sel("td.td-03"));

/// Parse an A4 page. The `Refer=new_time` row (or an unnumbered first row) is pinned;
/// `topic_ad=1` and `荐` rows are dropped.
pub fn parse_summary_html(
    body: &str,
    captured_at: DateTime<FixedOffset>,
) -> Result<Snapshot, SourceError> {
    let t = body.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        return Err(SourceError::WrongBody(
            "JSON instead of the HTML page".into(),
        ));
    }
    let doc = Html::parse_document(body);
    if doc.select(&TABLE).next().is_none() {
        return Err(wire::html_failure(body, WEIBO_LOGIN_HINT));
    }
    // The parser closes a cut-off table by itself; half a list must not pass for the list.
    if !body.contains("</table>") {
        return Err(SourceError::Decode(
            "truncated page (the hot-list table does not end)".into(),
        ));
    }
    let mut snap = Snapshot::new(Platform::Weibo, captured_at);
    for (i, row) in doc.select(&ROWS).enumerate() {
        let Some(r) = Row::read(row) else { continue };
        if r.is_ad() {
            continue;
        }
        let pinned = r.href.contains("Refer=new_time") || (i == 0 && r.rank.is_none());
        let Some(mut t) = // scraper has decoded entities already; decoding again would mangle a literal "&amp;"
        wire::topic(Platform::Weibo, None, SafeText::line(&r.title)) else {
            continue;
        };
        let query = query_param(&r.href).unwrap_or_else(|| format!("#{}#", t.title));
        t.query = Some(SafeText::line(&query));
        t.url = wire::safe_url(&absolute(&r.href));
        t.label = label_from_texts([r.label.as_str()]);
        if pinned {
            snap.pinned.push(t);
            continue;
        }
        let (category, heat) = num::parse_prefixed_count(&r.heat);
        t.heat = heat;
        t.category = category
            .map(|c| SafeText::line(&c))
            .filter(|c| !c.is_empty());
        t.rank = Some(r.rank.unwrap_or(i as u32 + 1));
        snap.ranked.push(t);
    }
    wire::finish(snap)
}

/// The cells of one table row, as text.
struct Row {
    rank: Option<u32>,
    title: String,
    href: String,
    heat: String,
    label: String,
}

impl Row {
    fn read(row: ElementRef<'_>) -> Option<Row> {
        let text = |s: &Selector| {
            row.select(s)
                .next()
                .map(|e| e.text().collect::<String>().trim().to_string())
                .unwrap_or_default()
        };
        let link = row.select(&LINK).find(|a| {
            a.value()
                .attr("href")
                .is_some_and(|h| !h.trim_start().starts_with("javascript:"))
        })?;
        Some(Row {
            rank: text(&RANK).parse().ok().filter(|r| *r > 0),
            title: link.text().collect(),
            href: link.value().attr("href").unwrap_or_default().to_string(),
            heat: text(&HEAT),
            label: text(&LABEL),
        })
    }

    fn is_ad(&self) -> bool {
        self.href.contains("topic_ad=1") || is_ad_label(&self.label)
    }
}

fn absolute(href: &str) -> String {
    let h = href.trim();
    if h.starts_with("http://") || h.starts_with("https://") {
        h.to_string()
    } else if let Some(rest) = h.strip_prefix("//") {
        format!("https://{rest}")
    } else if h.starts_with('/') {
        format!("{BASE}{h}")
    } else {
        format!("{BASE}/{h}")
    }
}

/// The percent-decoded `q=` parameter of a search link.
fn query_param(href: &str) -> Option<String> {
    let u = url::Url::parse(&absolute(href)).ok()?;
    u.query_pairs()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.into_owned())
        .filter(|q| !q.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs() {
        assert_eq!(absolute("/weibo?q=a"), "https://s.weibo.com/weibo?q=a");
        assert_eq!(
            query_param("/weibo?q=%E6%97%BA%E6%97%BA%20%E9%85%8D&t=31").as_deref(),
            Some("旺旺 配")
        );
    }
}
