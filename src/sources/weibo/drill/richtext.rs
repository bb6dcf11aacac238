//! Weibo post/comment HTML → [`RichText`] runs (data-sources.md §4 C1 "Text"):
//! `<a><span class="surl-text">#话题#</span></a>` → hashtag, `<a href="/n/名">@名</a>` → mention,
//! `<span class="url-icon"><img alt=[偷笑]></span>` → emoji, other links → link, `<br>` → newline.
//! html5ever decodes entities before any text reaches `SafeText`, so an entity-encoded ESC is
//! removed by the sanitiser like a raw one.

use scraper::node::Node;
use scraper::{ElementRef, Html};

use crate::domain::SafeText;
use crate::domain::post::{RichText, Run};
use crate::sources::wire;

/// Nesting deeper than this is flattened to its text (hostile markup must not exhaust the stack).
const MAX_DEPTH: usize = 48;

/// Base for the site-relative links of m.weibo.cn text (`/n/名字`, `/status/<id>`).
const MOBILE_BASE: &str = "https://m.weibo.cn";

/// Parse Weibo text HTML into sanitised runs. Never fails: broken markup yields what it can.
pub fn rich_text_from_html(html: &str) -> RichText {
    let doc = Html::parse_fragment(html);
    let mut b = Builder::default();
    walk(doc.root_element(), &mut b, 0);
    b.finish()
}

#[derive(Default)]
struct Builder {
    runs: Vec<Run>,
    pending: String,
}

impl Builder {
    fn text(&mut self, s: &str) {
        self.pending.push_str(s);
    }

    fn flush(&mut self, last: bool) {
        let mut raw = std::mem::take(&mut self.pending);
        if self.runs.is_empty() {
            raw = raw.trim_start().to_string();
        }
        if last {
            raw = raw.trim_end().to_string();
        }
        let t = SafeText::multiline_fragment(&raw);
        if !t.is_empty() {
            self.runs.push(Run::Text(t));
        }
    }

    fn run(&mut self, r: Run) {
        if r.text().is_empty() {
            return;
        }
        self.flush(false);
        self.runs.push(r);
    }

    fn finish(mut self) -> RichText {
        self.flush(true);
        // A text run that was only a gap before the end goes too.
        while self
            .runs
            .last()
            .is_some_and(|r| matches!(r, Run::Text(_)) && r.text().trim().is_empty())
        {
            self.runs.pop();
        }
        RichText(self.runs)
    }
}

fn has_class(el: &ElementRef<'_>, class: &str) -> bool {
    el.value().classes().any(|c| c == class)
}

fn walk(el: ElementRef<'_>, b: &mut Builder, depth: usize) {
    for child in el.children() {
        match child.value() {
            Node::Text(t) => b.text(t),
            Node::Element(_) => {
                let Some(ce) = ElementRef::wrap(child) else {
                    continue;
                };
                if depth >= MAX_DEPTH {
                    // Iterative text collection: no further recursion.
                    b.text(&ce.text().collect::<String>());
                    continue;
                }
                element(ce, b, depth + 1);
            }
            _ => {}
        }
    }
}

fn element(el: ElementRef<'_>, b: &mut Builder, depth: usize) {
    match el.value().name() {
        "br" => b.text("\n"),
        "p" | "div" => {
            walk(el, b, depth);
            b.text("\n");
        }
        "script" | "style" | "template" => {}
        "img" => {
            if let Some(alt) = el.value().attr("alt") {
                b.run(Run::Emoji(SafeText::line(alt)));
            }
        }
        "a" => anchor(el, b),
        "span" if has_class(&el, "url-icon") => {
            // Emoji: the alt of the image inside; an icon without alt (link markers) shows nothing.
            if let Some(alt) = el
                .descendants()
                .filter_map(ElementRef::wrap)
                .find_map(|i| i.value().attr("alt"))
            {
                b.run(Run::Emoji(SafeText::line(alt)));
            }
        }
        _ => walk(el, b, depth),
    }
}

/// A link: hashtag, mention, emoji-only anchor, or a plain link.
fn anchor(el: ElementRef<'_>, b: &mut Builder) {
    let text: String = el.text().collect();
    let text = SafeText::line(&text);
    let href = el.value().attr("href").unwrap_or("").trim();
    let t = text.as_str();
    if t.is_empty() {
        // e.g. an emoji image wrapped in a link
        if let Some(alt) = el
            .descendants()
            .filter_map(ElementRef::wrap)
            .find_map(|i| i.value().attr("alt"))
        {
            b.run(Run::Emoji(SafeText::line(alt)));
        }
        return;
    }
    let surl = el
        .descendants()
        .filter_map(ElementRef::wrap)
        .find(|s| has_class(s, "surl-text"))
        .map(|s| SafeText::line(&s.text().collect::<String>()));
    let hashtag = |s: &str| s.chars().count() >= 3 && s.starts_with('#') && s.ends_with('#');
    if let Some(tag) = surl.as_ref().filter(|s| hashtag(s.as_str())) {
        b.run(Run::Hashtag(tag.clone()));
        return;
    }
    if hashtag(t) {
        b.run(Run::Hashtag(text));
        return;
    }
    if href.starts_with("/n/") || href.contains("m.weibo.cn/n/") || t.starts_with('@') {
        let name = if t.starts_with('@') {
            text
        } else {
            SafeText::line(&format!("@{t}"))
        };
        b.run(Run::Mention(name));
        return;
    }
    let shown = surl.unwrap_or(text);
    match absolute_url(href) {
        Some(url) => b.run(Run::Link { text: shown, url }),
        // `javascript:`, empty or unparsable targets: only the text is worth keeping.
        None => b.text(shown.as_str()),
    }
}

/// `http(s)` links as they are, site-relative ones on m.weibo.cn, protocol-relative as https.
fn absolute_url(href: &str) -> Option<String> {
    if let Some(rest) = href.strip_prefix("//") {
        return wire::safe_url(&format!("https://{rest}"));
    }
    if href.starts_with('/') {
        return wire::safe_url(&format!("{MOBILE_BASE}{href}"));
    }
    wire::safe_url(href)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_bounded() {
        let deep = "<b>".repeat(5000) + "深" + &"</b>".repeat(5000);
        assert_eq!(rich_text_from_html(&deep).to_plain(), "深");
    }
}
