//! One feed, three formats: JSON Feed 1.1 (https://jsonfeed.org/version/1.1), Atom (RFC 4287)
//! and RSS 2.0. The XML is written by the rust-syndication crates (quick-xml escapes text
//! and splits `]]>` out of CDATA); characters XML 1.0 cannot carry at all (C0 controls other
//! than tab and line breaks, U+FFFE/U+FFFF) are dropped first, since no escaping makes them
//! legal and one would make the whole document unreadable.

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde_json::{Value, json};

/// A feed before it has a format.
#[derive(Debug, Clone)]
pub(crate) struct Feed {
    pub title: String,
    pub description: String,
    /// The JSON the feed is made from (`…/api/flagged`).
    pub home_page_url: String,
    /// This feed without its extension (`…/feed/flagged`).
    pub feed_base: String,
    /// When the newest item changed; the feed's `updated` (Atom requires one) falls back to
    /// the time of the request when there are no items.
    pub updated: DateTime<FixedOffset>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// Stable across requests (readers use it to tell new items from seen ones).
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    pub content_text: String,
    pub published: DateTime<FixedOffset>,
    pub modified: Option<DateTime<FixedOffset>>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Atom,
    Rss,
}

impl Format {
    /// `json`, `atom`, `rss`: the feed path's extension.
    pub fn parse(ext: &str) -> Option<Format> {
        match ext {
            "json" => Some(Format::Json),
            "atom" => Some(Format::Atom),
            "rss" => Some(Format::Rss),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/feed+json; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Rss => "application/rss+xml; charset=utf-8",
        }
    }
}

/// The feed in `format`; XML writing into memory fails only on a writer bug, which comes
/// back as the error text.
pub(crate) fn render(feed: &Feed, format: Format) -> Result<Vec<u8>, String> {
    match format {
        Format::Json => serde_json::to_vec(&json_feed(feed)).map_err(|e| e.to_string()),
        Format::Atom => atom(feed)
            .write_to(Vec::new())
            .map_err(|e| format!("writing Atom: {e}")),
        Format::Rss => rss(feed)
            .write_to(Vec::new())
            .map_err(|e| format!("writing RSS: {e}")),
    }
}

fn rfc3339(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn json_feed(feed: &Feed) -> Value {
    let items: Vec<Value> = feed
        .items
        .iter()
        .map(|it| {
            let mut v = json!({
                "id": it.id,
                "title": it.title,
                "content_text": it.content_text,
                "date_published": rfc3339(&it.published),
                "tags": it.tags,
            });
            if let Some(u) = &it.url {
                v["url"] = json!(u);
            }
            if let Some(m) = &it.modified {
                v["date_modified"] = json!(rfc3339(m));
            }
            if !it.authors.is_empty() {
                v["authors"] = it.authors.iter().map(|a| json!({ "name": a })).collect();
            }
            v
        })
        .collect();
    json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home_page_url,
        "feed_url": format!("{}.json", feed.feed_base),
        "description": feed.description,
        "language": "zh-CN",
        "items": items,
    })
}

/// Text XML 1.0 can hold: tab, line breaks and everything from U+0020 but U+FFFE/U+FFFF.
pub(crate) fn xml_text(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect()
}

fn atom(feed: &Feed) -> atom_syndication::Feed {
    use atom_syndication::{Category, Content, Entry, Link, Person, Text};
    let link = |href: &str, rel: &str, mime: Option<&str>| Link {
        href: xml_text(href),
        rel: rel.to_string(),
        mime_type: mime.map(str::to_string),
        ..Link::default()
    };
    let entries = feed
        .items
        .iter()
        .map(|it| Entry {
            id: xml_text(&it.id),
            title: Text::plain(xml_text(&it.title)),
            updated: it.modified.unwrap_or(it.published),
            published: Some(it.published),
            authors: it
                .authors
                .iter()
                .map(|a| Person {
                    name: xml_text(a),
                    ..Person::default()
                })
                .collect(),
            categories: it
                .tags
                .iter()
                .map(|t| Category {
                    term: xml_text(t),
                    ..Category::default()
                })
                .collect(),
            links: it.url.iter().map(|u| link(u, "alternate", None)).collect(),
            content: Some(Content {
                value: Some(xml_text(&it.content_text)),
                content_type: Some("text".to_string()),
                ..Content::default()
            }),
            ..Entry::default()
        })
        .collect();
    atom_syndication::Feed {
        id: xml_text(&format!("{}.atom", feed.feed_base)),
        title: Text::plain(xml_text(&feed.title)),
        subtitle: Some(Text::plain(xml_text(&feed.description))),
        updated: feed.updated,
        authors: vec![Person {
            name: "resou".to_string(),
            ..Person::default()
        }],
        links: vec![
            link(
                &format!("{}.atom", feed.feed_base),
                "self",
                Some("application/atom+xml"),
            ),
            link(&feed.home_page_url, "alternate", Some("application/json")),
        ],
        lang: Some("zh-CN".to_string()),
        entries,
        ..atom_syndication::Feed::default()
    }
}

fn rss(feed: &Feed) -> rss::Channel {
    let items = feed
        .items
        .iter()
        .map(|it| rss::Item {
            title: Some(xml_text(&it.title)),
            link: it.url.as_deref().map(xml_text),
            description: Some(xml_text(&it.content_text)),
            guid: Some(rss::Guid {
                value: xml_text(&it.id),
                permalink: false,
            }),
            pub_date: Some(it.published.to_rfc2822()),
            categories: it
                .tags
                .iter()
                .map(|t| rss::Category {
                    name: xml_text(t),
                    domain: None,
                })
                .collect(),
            ..rss::Item::default()
        })
        .collect();
    rss::Channel {
        title: xml_text(&feed.title),
        link: xml_text(&feed.home_page_url),
        description: xml_text(&feed.description),
        language: Some("zh-cn".to_string()),
        last_build_date: Some(feed.updated.to_rfc2822()),
        generator: Some("resou".to_string()),
        items,
        ..rss::Channel::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_cannot_carry_controls_so_they_go() {
        assert_eq!(xml_text("a\u{1b}[31mb\u{0}c\td\u{FFFF}e"), "a[31mbc\tde");
    }
}
