//! Drill-down content: Weibo posts and comments, Tieba threads, floors and sub-replies, as one
//! sanitised [`Entry`] type, and the [`DrillRequest`]s that load them page by page.

use chrono::{DateTime, FixedOffset};

use super::SafeText;

/// One display run of a post's text. Every string is sanitised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    Text(SafeText),
    /// A topic, `#…#` included.
    Hashtag(SafeText),
    /// An account mention, `@` included.
    Mention(SafeText),
    /// An emoji image replaced by its alt text (`[偷笑]`).
    Emoji(SafeText),
    /// A link shown by its text (`网页链接`); the URL is kept for `o`/`y`.
    Link {
        text: SafeText,
        url: String,
    },
}

impl Run {
    pub fn text(&self) -> &str {
        match self {
            Run::Text(t) | Run::Hashtag(t) | Run::Mention(t) | Run::Emoji(t) => t.as_str(),
            Run::Link { text, .. } => text.as_str(),
        }
    }
}

/// A post body as runs (newlines live inside `Text` runs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RichText(pub Vec<Run>);

impl RichText {
    /// Plain text, sanitised, as a single text run.
    pub fn plain(raw: &str) -> RichText {
        let t = SafeText::multiline(raw);
        RichText(if t.is_empty() {
            Vec::new()
        } else {
            vec![Run::Text(t)]
        })
    }

    /// The text with runs concatenated (for matching and copying).
    pub fn to_plain(&self) -> String {
        self.0.iter().map(Run::text).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|r| r.text().is_empty())
    }
}

/// The bare name of an emoticon as shown (`[偷笑]` → `偷笑`); `None` for the fallback shown for a
/// smiley without a name (`[表情]`) and for anything that is not one bracketed name.
pub fn emoticon_name(shown: &str) -> Option<&str> {
    let name = shown.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    let ok = !name.is_empty()
        && name != "表情"
        && name.chars().count() <= MAX_EMOTICON_CHARS
        && !name.contains(['[', ']']);
    ok.then_some(name)
}

/// Longest emoticon name taken as one (`[笑cry]`, `[星星月亮]`); longer brackets are text.
pub const MAX_EMOTICON_CHARS: usize = 8;

/// Tieba's classic smileys by image number (`…/tb/editor/images/client/image_emoticonN.png`;
/// `image_emoticon.png` is number 1): the names of the Tieba clients' default table (as in
/// TiebaLite's `EmoticonManager`).
const TIEBA_EMOTICONS: [&str; 50] = [
    "呵呵",
    "哈哈",
    "吐舌",
    "啊",
    "酷",
    "怒",
    "开心",
    "汗",
    "泪",
    "黑线",
    "鄙视",
    "不高兴",
    "真棒",
    "钱",
    "疑问",
    "阴险",
    "吐",
    "咦",
    "委屈",
    "花心",
    "呼~",
    "笑眼",
    "冷",
    "太开心",
    "滑稽",
    "勉强",
    "狂汗",
    "乖",
    "睡觉",
    "惊哭",
    "生气",
    "惊讶",
    "喷",
    "爱心",
    "心碎",
    "玫瑰",
    "礼物",
    "彩虹",
    "星星月亮",
    "太阳",
    "钱币",
    "灯泡",
    "茶杯",
    "蛋糕",
    "音乐",
    "haha",
    "胜利",
    "大拇指",
    "弱",
    "OK",
];

/// The name of a Tieba smiley from its image URL (`…/image_emoticon25.png` → `滑稽`).
pub fn tieba_emoticon_name(src: &str) -> Option<&'static str> {
    let file = src.rsplit('/').next()?;
    let stem = file.split(['.', '?', '#']).next()?;
    let n = stem.strip_prefix("image_emoticon")?;
    let n: usize = if n.is_empty() { 1 } else { n.parse().ok()? };
    match n {
        1..=50 => Some(TIEBA_EMOTICONS[n - 1]),
        61 => Some("生气"),
        _ => None,
    }
}

/// Emoticon names in raw post HTML, in order, before any tag is stripped: Weibo
/// `<img alt=[偷笑] …>` (also inside `<span class="url-icon">`) and Tieba
/// `<img class="BDE_Smiley" src="…/image_emoticonN.png">`. A light scan of `<img` tags, not a
/// parser: it never fails, and an unnamed image gives nothing.
pub fn emoticons_in_html(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<img") {
        let start = from + at;
        let end = lower[start..].find('>').map_or(html.len(), |e| start + e);
        let tag = &html[start..end];
        from = end.max(start + 4);
        if let Some(name) = attr(tag, "alt").as_deref().and_then(emoticon_name) {
            out.push(name.to_string());
        } else if tag.to_ascii_lowercase().contains("bde_smiley")
            && let Some(name) = attr(tag, "src").as_deref().and_then(tieba_emoticon_name)
        {
            out.push(name.to_string());
        }
    }
    out
}

/// An attribute's value in one tag (quoted or not), entities left as they are.
fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    loop {
        let at = from + lower[from..].find(name)?;
        from = at + name.len();
        let before_ok = at > 0 && lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let vstart = tag.len() - rest.len() + 1;
        let v = tag[vstart..].trim_start();
        return Some(match v.chars().next() {
            Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or("").to_string(),
            _ => v
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or("")
                .trim_end_matches('/')
                .to_string(),
        });
    }
}

/// Who wrote an entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Author {
    pub name: SafeText,
    /// Weibo uid, or Tieba user id / portrait.
    pub id: Option<String>,
    /// Weibo `verified_type` (see [`verified_label`]); `None` when the payload says nothing.
    pub verified_type: Option<i64>,
    pub verified_reason: Option<SafeText>,
    pub followers: Option<u64>,
    /// Tieba 吧务 (moderator): the closest Tieba analogue of "verified".
    pub moderator: bool,
    /// Tieba level (`level_id`).
    pub level: Option<u32>,
    /// IP region (`来自 …` / Tieba `ip_address`).
    pub region: Option<SafeText>,
}

impl Author {
    pub fn named(name: &str) -> Author {
        Author {
            name: SafeText::line(name),
            ..Author::default()
        }
    }

    /// Verified in Weibo's sense (`verified_type` ≥ 0), or a Tieba moderator.
    pub fn is_verified(&self) -> bool {
        self.verified_type.is_some_and(|v| v >= 0) || self.moderator
    }
}

/// Meaning of a Weibo `verified_type` (community-documented, data-sources.md §4 C6).
pub fn verified_label(verified_type: i64) -> Option<&'static str> {
    Some(match verified_type {
        0 => "个人认证",
        1 => "政府",
        2 => "企业",
        3 => "媒体",
        4 => "校园",
        5 => "网站",
        6 => "应用",
        7 => "机构",
        8 => "企业(待审)",
        10 => "微博女郎",
        200 | 220 => "达人",
        400 => "已故",
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    WeiboPost,
    WeiboComment,
    TiebaThread,
    TiebaFloor,
    TiebaSubReply,
}

/// A post, comment, thread, floor or sub-reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub kind: EntryKind,
    /// Platform id (mid, comment id, thread id, post id, spid): unique within its list.
    pub id: String,
    /// Where `o` / `y` lead.
    pub url: Option<String>,
    pub author: Author,
    pub created_at: Option<DateTime<FixedOffset>>,
    /// The timestamp as sent when it could not be read (shown as is).
    pub created_raw: Option<SafeText>,
    /// Tieba thread title.
    pub title: Option<SafeText>,
    pub text: RichText,
    /// Weibo `isLongText`: `text` is cut; [`DrillRequest::WeiboLongText`] has the rest.
    pub truncated: bool,
    pub reposts: Option<u64>,
    /// Comments / replies / floors / sub-replies behind this entry.
    pub replies: Option<u64>,
    pub likes: Option<u64>,
    /// Pictures attached.
    pub pics: u32,
    /// Tieba floor number (`post_no`).
    pub floor: Option<u32>,
    /// A reposted original (`retweeted_status`).
    pub quoted: Option<Box<Entry>>,
    /// Replies delivered inline (comment `comments[]`, floor `sub_post_list`).
    pub inline_replies: Vec<Entry>,
    /// Emoticon names read from the raw markup before tags were stripped, in order, without
    /// brackets (Tieba `BDE_Smiley` `image_emoticon25` → `滑稽`, see [`tieba_emoticon_name`]),
    /// for sentiment; the display keeps `text`'s runs (`[表情]` for a smiley without alt).
    /// Empty when the parser keeps the names in [`Run::Emoji`] runs (Weibo `alt`).
    pub emoticons: Vec<String>,
    /// What Enter on this entry loads (comments, floors, sub-replies); `None`: nothing below.
    pub open: Option<DrillRequest>,
}

impl Entry {
    pub fn new(kind: EntryKind, id: &str, author: Author, text: RichText) -> Entry {
        Entry {
            kind,
            id: id.to_string(),
            url: None,
            author,
            created_at: None,
            created_raw: None,
            title: None,
            text,
            truncated: false,
            reposts: None,
            replies: None,
            likes: None,
            pics: 0,
            floor: None,
            quoted: None,
            inline_replies: Vec::new(),
            emoticons: Vec::new(),
            open: None,
        }
    }
}

/// Weibo C1 tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostTab {
    /// 实时 (`type=61`): newest first.
    Realtime,
    /// 热门 (`type=60`).
    Hot,
}

impl PostTab {
    /// The `type=` value of the C1 containerid.
    pub fn type_code(self) -> u32 {
        match self {
            PostTab::Realtime => 61,
            PostTab::Hot => 60,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PostTab::Realtime => "实时",
            PostTab::Hot => "热门",
        }
    }
}

/// One page of drill-down content to load. A loaded page names its successor, so paging
/// state (max_id, yuren_rand, …) travels inside the request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DrillRequest {
    /// C1 `m.weibo.cn/api/container/getIndex?containerid=100103type=<T>&q=<query>&page_type=searchall&page=<n>`.
    WeiboPosts {
        query: String,
        tab: PostTab,
        page: u32,
    },
    /// C2: the full text of a long post (answers one entry with the same id).
    WeiboLongText { mid: String },
    /// C3 `m.weibo.cn/comments/hotflow`; `max_id` `None` on the first page.
    WeiboComments {
        mid: String,
        max_id: Option<String>,
        max_id_type: i64,
    },
    /// D2 threads of a Tieba hot topic: page 1 asks `hotMessage` (for `yuren_rand` and
    /// `pmy_topic_ext`) then `hotMessage/main`; later pages `hotMessage/thread`.
    TiebaThreads {
        topic_id: String,
        topic_name: String,
        page: u32,
        yuren_rand: Option<String>,
        pmy_topic_ext: Option<String>,
    },
    /// D3 floors of a thread: `tieba.baidu.com/p/<tid>?pn=<page>&ajax=1`.
    TiebaFloors { tid: String, page: u32 },
    /// D3 sub-replies of a floor: `/p/comment?tid=&pid=&fid=&pn=`.
    TiebaSubReplies {
        tid: String,
        pid: String,
        fid: String,
        page: u32,
    },
}

impl DrillRequest {
    /// The host a request goes to (rate limits are per host).
    pub fn host(&self) -> &'static str {
        match self {
            DrillRequest::WeiboPosts { .. }
            | DrillRequest::WeiboLongText { .. }
            | DrillRequest::WeiboComments { .. } => "m.weibo.cn",
            DrillRequest::TiebaThreads { .. }
            | DrillRequest::TiebaFloors { .. }
            | DrillRequest::TiebaSubReplies { .. } => "tieba.baidu.com",
        }
    }

    /// The same listing from its first page (for reload).
    pub fn first_page(&self) -> DrillRequest {
        let mut r = self.clone();
        match &mut r {
            DrillRequest::WeiboPosts { page, .. }
            | DrillRequest::TiebaFloors { page, .. }
            | DrillRequest::TiebaSubReplies { page, .. } => *page = 1,
            DrillRequest::TiebaThreads {
                page,
                yuren_rand,
                pmy_topic_ext,
                ..
            } => {
                *page = 1;
                *yuren_rand = None;
                *pmy_topic_ext = None;
            }
            DrillRequest::WeiboComments { max_id, .. } => *max_id = None,
            DrillRequest::WeiboLongText { .. } => {}
        }
        r
    }
}

/// One loaded page.
#[derive(Debug, Clone, PartialEq)]
pub struct DrillPage {
    pub items: Vec<Entry>,
    /// The next page; `None` when the listing ended (terminators in data-sources.md §8).
    pub next: Option<DrillRequest>,
    /// Total the platform reports (cards `total`, comment `total_number`, Tieba `total_num`).
    pub total: Option<u64>,
}

#[cfg(test)]
mod emoticon_tests {
    use super::*;

    #[test]
    fn emoticon_names_from_markup() {
        // Weibo: unquoted and quoted alt, inside url-icon spans; images without a bracketed alt
        // (pictures, link icons) give nothing.
        let weibo = r#"好<span class="url-icon"><img alt=[偷笑] src="//h5.sinaimg.cn/x.png" /></span><IMG ALT="[doge]"><img alt="图片" src=a.jpg><img src="//x/link.png">"#;
        assert_eq!(emoticons_in_html(weibo), vec!["偷笑", "doge"]);
        // Tieba: no alt, the image number names it; unknown numbers and non-smiley images skip.
        let tieba = r#"<img class="BDE_Smiley" src="https://gsp0.baidu.com/tb/editor/images/client/image_emoticon25.png"><img class="BDE_Smiley" src="/client/image_emoticon999.png"><img class="BDE_Image" src="/pic/image_emoticon2.png"><img class="BDE_Smiley" alt="[哈哈]" src="/client/image_emoticon1.png">"#;
        assert_eq!(emoticons_in_html(tieba), vec!["滑稽", "哈哈"]);
        // Broken markup never panics.
        assert!(emoticons_in_html("<img alt=").is_empty());
        assert!(emoticons_in_html("<img").is_empty());
        assert_eq!(emoticon_name("[表情]"), None);
        assert_eq!(emoticon_name(" [心] "), Some("心"));
        assert_eq!(emoticon_name("[这是一段很长的方括号文字]"), None);
    }
}
