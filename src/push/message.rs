//! The channel-neutral message and the text conversions the channels share.
//!
//! `title` is plain text; `body_markdown` uses a small common subset — lines, `**bold**`,
//! `[text](url)`, `- ` items, `#` headings, `> ` quotes — that every channel can show or be
//! converted to. Remote text in both is already sanitised by the caller (`domain::SafeText`:
//! no control characters); what is left here is each format's own escaping, so a hot-list
//! title cannot open a `<font>` tag, mention `@all`, or break Telegram's HTML parser.

pub use crate::domain::Tier;

/// One alert or report, before any channel sees it. Serde: queued in the store as JSON.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Message {
    /// Plain text.
    pub title: String,
    /// The common markdown subset (see the module doc).
    pub body_markdown: String,
    pub tier: Tier,
    /// Who to notify: WeCom user ids, DingTalk mobiles, Feishu user ids — whatever the
    /// destination channel understands; channels without mentions ignore them.
    pub mentions: Vec<String>,
    /// Link to open (ntfy click, Bark url, the webhook's `{url}`).
    pub url: Option<String>,
    /// A complete HTML document (the HTML report) for channels that show HTML: email sends it
    /// as its `text/html` part instead of the one rendered from `body_markdown`, which stays
    /// the plain-text part and what every other channel sends. The producer escapes it.
    pub html: Option<String>,
    /// The routing rule that raised it (webhook `{rule}`).
    pub rule: String,
    /// Platform id (webhook `{platform}`).
    pub platform: String,
}

impl Message {
    pub fn new(tier: Tier, title: impl Into<String>, body_markdown: impl Into<String>) -> Self {
        Message {
            title: title.into(),
            body_markdown: body_markdown.into(),
            tier,
            mentions: Vec::new(),
            url: None,
            html: None,
            rule: String::new(),
            platform: String::new(),
        }
    }
}

/// How a channel shows the common markdown subset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// WeCom, DingTalk, Feishu lark_md: markdown passes through, but `<` becomes `＜` — these
    /// parse `<font>`, `<@id>` and `<at>` tags, and a title must not be able to open one.
    Markdown,
    /// HTML: `& < >` escaped, `**b**` → `<b>`, links → `<a>`. Telegram's `parse_mode: HTML`
    /// (a subset of HTML) and the email `text/html` part.
    Html,
    /// Slack mrkdwn: `& < >` escaped, `**b**` → `*b*`, links → `<url|text>`.
    SlackMrkdwn,
    /// ntfy, Bark, generic webhooks: the markdown as is (rendered by apps, not parsed for tags).
    Raw,
    /// Plain text (the email `text/plain` part): markers dropped, links as `text (url)`.
    Plain,
}

impl Dialect {
    /// Plain text (a title) in this dialect.
    pub fn text(self, s: &str) -> String {
        match self {
            Dialect::Markdown => s.replace('<', "＜"),
            Dialect::Html | Dialect::SlackMrkdwn => escape_html(s),
            Dialect::Raw | Dialect::Plain => s.to_string(),
        }
    }

    /// Bold plain text.
    pub fn bold(self, s: &str) -> String {
        let t = self.text(s);
        match self {
            Dialect::Html => format!("<b>{t}</b>"),
            Dialect::SlackMrkdwn => format!("*{t}*"),
            Dialect::Plain => t,
            Dialect::Markdown | Dialect::Raw => format!("**{t}**"),
        }
    }

    /// Body markdown in this dialect. Works line by line (no construct spans lines), so a
    /// part cut at a line boundary converts the same as the whole.
    pub fn markdown(self, md: &str) -> String {
        match self {
            Dialect::Markdown => md.replace('<', "＜"),
            Dialect::Raw => md.to_string(),
            Dialect::Html | Dialect::SlackMrkdwn | Dialect::Plain => md
                .split('\n')
                .map(|line| self.convert_line(line))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    fn convert_line(self, line: &str) -> String {
        // A heading becomes a bold line: neither Telegram HTML nor mrkdwn has headings.
        let trimmed = line.trim_start();
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
            return self.bold(trimmed[hashes..].trim());
        }
        let mut out = String::with_capacity(line.len() + 16);
        let mut rest = line;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("**")
                && let Some(end) = after.find("**")
                && end > 0
            {
                out.push_str(&self.bold(&after[..end]));
                rest = &after[end + 2..];
            } else if let Some((text, url, len)) = link_at(rest) {
                match self {
                    Dialect::Html => out.push_str(&format!(
                        "<a href=\"{}\">{}</a>",
                        escape_html(url).replace('"', "&quot;"),
                        escape_html(text)
                    )),
                    Dialect::Plain => out.push_str(&format!("{text} ({url})")),
                    _ => out.push_str(&format!(
                        "<{}|{}>",
                        escape_html(url).replace('|', "%7C"),
                        escape_html(text)
                    )),
                }
                rest = &rest[len..];
            } else {
                let ch = rest.chars().next().unwrap_or(' ');
                out.push_str(&self.text(ch.encode_utf8(&mut [0; 4])));
                rest = &rest[ch.len_utf8()..];
            }
        }
        out
    }
}

/// `[text](url)` at the start of `s`: (text, url, bytes consumed).
fn link_at(s: &str) -> Option<(&str, &str, usize)> {
    let inner = s.strip_prefix('[')?;
    let close = inner.find("](")?;
    let text = &inner[..close];
    let after = &inner[close + 2..];
    let end = after.find(')')?;
    let url = &after[..end];
    if text.contains('[') || url.is_empty() || url.contains(char::is_whitespace) {
        return None;
    }
    Some((text, url, 1 + close + 2 + end + 1))
}

/// The three characters Telegram HTML and Slack mrkdwn reserve.
pub fn escape_html(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

/// The longest prefix of `s` of at most `max` UTF-8 bytes, cut at a character boundary.
pub fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_dialect_cannot_open_tags() {
        let d = Dialect::Markdown;
        assert_eq!(
            d.text("<at user_id=\"all\">x</at>"),
            "＜at user_id=\"all\">x＜/at>"
        );
        assert_eq!(
            d.markdown("**热** <font color=\"info\">"),
            "**热** ＜font color=\"info\">"
        );
    }

    #[test]
    fn telegram_html_escapes_and_converts() {
        let d = Dialect::Html;
        assert_eq!(
            d.markdown("## 标题 & <x>\n**粗** a<b [链接](https://e.com/?a=1&b=\"2\") **"),
            "<b>标题 &amp; &lt;x&gt;</b>\n<b>粗</b> a&lt;b <a href=\"https://e.com/?a=1&amp;b=&quot;2&quot;\">链接</a> **"
        );
    }

    #[test]
    fn plain_drops_markers_and_spells_out_links() {
        let d = Dialect::Plain;
        assert_eq!(
            d.markdown("## 标题 <x>\n**粗** a<b [链接](https://e.com/?a=1) **"),
            "标题 <x>\n粗 a<b 链接 (https://e.com/?a=1) **"
        );
    }

    #[test]
    fn slack_mrkdwn_escapes_and_converts() {
        let d = Dialect::SlackMrkdwn;
        assert_eq!(
            d.markdown("**A&B** [t<1>](https://e.com/x) 🚀"),
            "*A&amp;B* <https://e.com/x|t&lt;1&gt;> 🚀"
        );
    }

    #[test]
    fn truncate_never_cuts_a_character() {
        assert_eq!(truncate_bytes("热搜榜", 7), "热搜");
        assert_eq!(truncate_bytes("a😀", 4), "a");
        assert_eq!(truncate_bytes("ab", 9), "ab");
    }
}
