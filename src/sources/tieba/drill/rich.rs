//! A Tieba post body (HTML) as [`RichText`]: text, `<br>` line breaks, `BDE_Smiley` emoji,
//! `a.at` mentions (the "回复 <a>name</a> :" form), links, and a count of pictures.

use scraper::{ElementRef, Node};

use crate::domain::SafeText;
use crate::domain::post::{RichText, Run, emoticon_name, tieba_emoticon_name};
use crate::sources::wire;

/// Shown for a smiley image without `alt`/`title` (Tieba's usually have neither).
pub const SMILEY_FALLBACK: &str = "[表情]";

/// Nesting below this is flattened to plain text (hostile pages must not exhaust the stack).
const MAX_DEPTH: usize = 48;

/// A parsed body.
pub struct Body {
    pub text: RichText,
    pub pics: u32,
    /// Smiley names (alt, else the `image_emoticonN` table), for [`Entry::emoticons`](crate::domain::post::Entry::emoticons).
    pub emoticons: Vec<String>,
}

/// Convert the children of `el`.
pub fn body(el: ElementRef<'_>) -> Body {
    let mut b = Builder::default();
    b.children(el, 0);
    b.flush();
    Body {
        text: RichText(b.runs),
        pics: b.pics,
        emoticons: b.emoticons,
    }
}

#[derive(Default)]
struct Builder {
    runs: Vec<Run>,
    buf: String,
    pics: u32,
    emoticons: Vec<String>,
}

impl Builder {
    /// Close the pending text run. In HTML source a newline is plain whitespace; only `<br>`
    /// (and block ends) break lines, so lines are trimmed here and the sanitiser does the rest.
    fn flush(&mut self) {
        let lines: Vec<&str> = self.buf.split('\n').map(str::trim).collect();
        let t = SafeText::multiline(&lines.join("\n"));
        self.buf.clear();
        if !t.is_empty() {
            self.runs.push(Run::Text(t));
        }
    }

    fn run(&mut self, run: Run) {
        self.flush();
        if !run.text().is_empty() {
            self.runs.push(run);
        }
    }

    fn children(&mut self, el: ElementRef<'_>, depth: usize) {
        for child in el.children() {
            match child.value() {
                Node::Text(t) => {
                    for c in t.chars() {
                        self.buf.push(if matches!(c, '\n' | '\r' | '\t') {
                            ' '
                        } else {
                            c
                        });
                    }
                }
                Node::Element(_) => {
                    if let Some(c) = ElementRef::wrap(child) {
                        self.element(c, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }

    fn element(&mut self, el: ElementRef<'_>, depth: usize) {
        let e = el.value();
        match e.name() {
            "br" => self.buf.push('\n'),
            "script" | "style" => {}
            "img" => {
                if e.has_class("BDE_Smiley", scraper::CaseSensitivity::AsciiCaseInsensitive) {
                    let alt = ["alt", "title"]
                        .iter()
                        .filter_map(|a| e.attr(a))
                        .map(SafeText::line)
                        .find(|t| !t.is_empty())
                        .unwrap_or_else(|| SafeText::line(SMILEY_FALLBACK));
                    let name = emoticon_name(alt.as_str())
                        .or_else(|| e.attr("src").and_then(tieba_emoticon_name));
                    if let Some(n) = name {
                        self.emoticons.push(n.to_string());
                    }
                    self.run(Run::Emoji(alt));
                } else {
                    self.pics = self.pics.saturating_add(1);
                }
            }
            "a" => {
                let text = SafeText::line(&el.text().collect::<String>());
                if text.is_empty() {
                    return;
                }
                let mention = e.has_class("at", scraper::CaseSensitivity::AsciiCaseInsensitive)
                    || text.as_str().starts_with('@');
                if mention {
                    self.run(Run::Mention(text));
                } else if let Some(url) = e.attr("href").and_then(absolute_url) {
                    self.run(Run::Link { text, url });
                } else {
                    self.buf.push_str(text.as_str());
                }
            }
            _ if depth > MAX_DEPTH => self.buf.extend(el.text()),
            "p" | "div" | "li" => {
                self.children(el, depth);
                self.buf.push('\n');
            }
            _ => self.children(el, depth),
        }
    }
}

/// A link target on tieba.baidu.com made absolute; only http(s) survives.
fn absolute_url(href: &str) -> Option<String> {
    let base = url::Url::parse(super::BASE).ok()?;
    wire::safe_url(base.join(href.trim()).ok()?.as_str())
}
