//! The view stack above the board: topic → posts/threads → comments/floors → sub-replies.
//! Each view keeps its own selection and scroll, so going back restores them exactly; board
//! refreshes never touch a view. Loads are asked for as `Effect::Drill` with the view's id; a
//! late answer for a view that was left finds no view with that id and is dropped.

use std::ops::Range;

use chrono::{DateTime, FixedOffset};

use super::msg::Effect;
use super::state::{AppState, BoardRow};
use crate::analysis::{AccountRecord, AccountRole, Highlighter};
use crate::domain::post::{DrillPage, DrillRequest, Entry, EntryKind, PostTab};
use crate::domain::{Platform, TopicKey};
use crate::sentiment::{Label, Scorer, Text};
use crate::sources::SourceError;

/// Load the next page when the selection comes this close to the end of what is loaded.
const PREFETCH_MARGIN: usize = 3;
/// Most entries a view keeps (endless scrolling stays bounded).
const MAX_ENTRIES: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewKind {
    /// Weibo posts of a topic.
    Posts,
    /// Comments of a Weibo post.
    Comments,
    /// Threads of a Tieba topic.
    Threads,
    /// Floors of a Tieba thread.
    Floors,
    /// Sub-replies of a Tieba floor.
    SubReplies,
}

impl ViewKind {
    fn of(req: &DrillRequest) -> ViewKind {
        match req {
            DrillRequest::WeiboPosts { .. } | DrillRequest::WeiboLongText { .. } => ViewKind::Posts,
            DrillRequest::WeiboComments { .. } => ViewKind::Comments,
            DrillRequest::TiebaThreads { .. } => ViewKind::Threads,
            DrillRequest::TiebaFloors { .. } => ViewKind::Floors,
            DrillRequest::TiebaSubReplies { .. } => ViewKind::SubReplies,
        }
    }

    /// What the view lists, for counts and empty states.
    pub fn noun(self) -> &'static str {
        match self {
            ViewKind::Posts => "posts",
            ViewKind::Comments => "comments",
            ViewKind::Threads => "threads",
            ViewKind::Floors => "floors",
            ViewKind::SubReplies => "replies",
        }
    }
}

/// An entry with its KOL and sentiment marks (computed when it arrives, so render only reads
/// them).
#[derive(Debug, Clone, PartialEq)]
pub struct ViewEntry {
    pub entry: Entry,
    /// The author is a watched or discovered KOL.
    pub kol_author: bool,
    /// Byte ranges of KOL names in `entry.text.to_plain()`.
    pub kol_spans: Vec<Range<usize>>,
    /// Its tone (`None` without a scorer).
    pub tone: Option<Tone>,
}

/// An entry's sentiment: label, score and the words behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tone {
    pub label: Label,
    pub score: f32,
    pub why: Vec<String>,
}

impl DrillView {
    /// Tone counts of the loaded entries (the tone line's NSR).
    pub fn tone_counts(&self) -> crate::analysis::term_summary::Tone {
        crate::analysis::term_summary::Tone::of(
            self.entries
                .iter()
                .filter_map(|e| e.tone.as_ref().map(|t| &t.label)),
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DrillView {
    /// Request id (unique per view opened).
    pub id: u64,
    pub kind: ViewKind,
    /// Breadcrumb parts this view adds (`#旺旺配料表#`, or `人民日报 post`, `comments`).
    pub crumbs: Vec<String>,
    /// The listing's first page (reload and tab switches start here).
    pub first: DrillRequest,
    /// The board topic the stack was opened from (topic header).
    pub topic: TopicKey,
    /// The entry this view was opened from, shown above the list (full text when loaded).
    pub parent: Option<ViewEntry>,
    pub entries: Vec<ViewEntry>,
    pub next: Option<DrillRequest>,
    pub total: Option<u64>,
    /// A request of this view is under way.
    pub loading: bool,
    /// The last load failed: what went wrong, in words. Loaded entries stay.
    pub error: Option<String>,
    pub loaded_at: Option<DateTime<FixedOffset>>,
    pub selected: usize,
    /// First visible entry.
    pub offset: usize,
}

impl DrillView {
    pub fn tab(&self) -> Option<PostTab> {
        match &self.first {
            DrillRequest::WeiboPosts { tab, .. } => Some(*tab),
            _ => None,
        }
    }

    pub fn selected_entry(&self) -> Option<&Entry> {
        self.entries.get(self.selected).map(|e| &e.entry)
    }
}

fn new_view(
    state: &mut AppState,
    first: DrillRequest,
    topic: TopicKey,
    crumbs: Vec<String>,
) -> DrillView {
    state.views.next_id += 1;
    DrillView {
        id: state.views.next_id,
        kind: ViewKind::of(&first),
        crumbs,
        first,
        topic,
        parent: None,
        entries: Vec::new(),
        next: None,
        total: None,
        loading: true,
        error: None,
        loaded_at: None,
        selected: 0,
        offset: 0,
    }
}

fn load(view: &DrillView, req: DrillRequest, fresh: bool) -> Effect {
    Effect::Drill {
        id: view.id,
        request: req,
        fresh,
    }
}

/// Enter on a board row: its posts (Weibo) or threads (Tieba).
pub fn open_topic(state: &mut AppState, row: &BoardRow) -> Vec<Effect> {
    let topic = &row.topic;
    let first = match topic.platform {
        Platform::Weibo => DrillRequest::WeiboPosts {
            query: topic.hashtag(),
            tab: PostTab::Realtime,
            page: 1,
        },
        Platform::Tieba => {
            let Some(id) = topic.platform_id.clone() else {
                state.status.flash = Some("this Tieba topic has no topic id to open".into());
                return Vec::new();
            };
            DrillRequest::TiebaThreads {
                topic_id: id,
                topic_name: topic.title.as_str().to_string(),
                page: 1,
                yuren_rand: None,
                pmy_topic_ext: None,
            }
        }
        // The other lists' posts and comments are not read (yet): the browser has them.
        p => {
            state.status.flash = Some(format!(
                "{}: no drill-down in resou yet; o opens the topic in the browser",
                p.tag()
            ));
            return Vec::new();
        }
    };
    let crumb = match topic.platform {
        Platform::Weibo => topic.hashtag(),
        p => format!("{} ({})", topic.title, p.tag()),
    };
    let view = new_view(state, first.clone(), row.key.clone(), vec![crumb]);
    let fx = vec![load(&view, first, false)];
    state.views.stack.push(view);
    fx
}

/// Enter on a post in the brand view: its comments (C3), the post itself shown above them.
pub fn open_watched_post(
    state: &mut AppState,
    post: &crate::domain::watch::WatchPost,
    term: &str,
) -> Vec<Effect> {
    if post.platform != Platform::Weibo {
        state.status.flash = Some(format!("{}: no comments in resou yet", post.platform.tag()));
        return Vec::new();
    }
    let first = DrillRequest::WeiboComments {
        mid: post.id.clone(),
        max_id: None,
        max_id_type: 0,
    };
    let who = if post.author.is_empty() {
        "?"
    } else {
        post.author.as_str()
    };
    let crumbs = vec![
        format!("品牌 {term}"),
        format!("{who} post"),
        "comments".to_string(),
    ];
    let topic = TopicKey::new(Platform::Weibo, term);
    let mut view = new_view(state, first.clone(), topic, crumbs);
    let fx = vec![load(&view, first, false)];
    let kols = state.kol_highlighter();
    let scorer = state.views.scorer.clone();
    view.parent = Some(mark(&kols, scorer.as_deref(), post.as_entry()));
    state.views.stack.push(view);
    fx
}

/// Enter in a view: what the selected entry opens (comments, floors, sub-replies).
pub fn open_selected(state: &mut AppState) -> Vec<Effect> {
    let Some(top) = state.views.stack.last() else {
        return Vec::new();
    };
    let Some(ve) = top.entries.get(top.selected).cloned() else {
        return Vec::new();
    };
    let Some(first) = ve.entry.open.clone() else {
        state.status.flash = Some(format!(
            "nothing below this {}",
            top.kind.noun().trim_end_matches('s')
        ));
        return Vec::new();
    };
    let who = ve.entry.author.name.as_str().to_string();
    let (what, below) = match ViewKind::of(&first) {
        ViewKind::Comments => ("post", "comments"),
        ViewKind::Floors => ("thread", "floors"),
        ViewKind::SubReplies => ("floor", "replies"),
        ViewKind::Posts | ViewKind::Threads => ("topic", "posts"),
    };
    let who = if who.is_empty() { "?".to_string() } else { who };
    let crumbs = vec![format!("{who} {what}"), below.to_string()];
    let topic = top.topic.clone();
    let mut view = new_view(state, first.clone(), topic, crumbs);
    let mut fx = vec![load(&view, first, false)];
    if ve.entry.truncated && ve.entry.kind == EntryKind::WeiboPost {
        fx.push(load(
            &view,
            DrillRequest::WeiboLongText {
                mid: ve.entry.id.clone(),
            },
            false,
        ));
    }
    view.parent = Some(ve);
    state.views.stack.push(view);
    fx
}

/// Leave the top view; its requests are cancelled. The view below is exactly as it was.
pub fn back(state: &mut AppState) -> Vec<Effect> {
    match state.views.stack.pop() {
        Some(v) => vec![Effect::CancelDrill(v.id)],
        None => Vec::new(),
    }
}

/// `r`: load the top view again from its first page (bypassing the cache).
pub fn reload(state: &mut AppState) -> Vec<Effect> {
    let Some(view) = state.views.stack.last_mut() else {
        return Vec::new();
    };
    view.loading = true;
    view.error = None;
    let mut fx = vec![load(view, view.first.first_page(), true)];
    if let Some(p) = &view.parent
        && p.entry.truncated
    {
        fx.push(load(
            view,
            DrillRequest::WeiboLongText {
                mid: p.entry.id.clone(),
            },
            true,
        ));
    }
    fx
}

/// Tab in a Weibo posts view: 实时 ↔ 热门 (a new listing from page 1).
pub fn switch_tab(state: &mut AppState) -> Vec<Effect> {
    let Some(view) = state.views.stack.last_mut() else {
        return Vec::new();
    };
    let DrillRequest::WeiboPosts { query, tab, .. } = &view.first else {
        return Vec::new();
    };
    let tab = match tab {
        PostTab::Realtime => PostTab::Hot,
        PostTab::Hot => PostTab::Realtime,
    };
    view.first = DrillRequest::WeiboPosts {
        query: query.clone(),
        tab,
        page: 1,
    };
    view.entries.clear();
    view.next = None;
    view.total = None;
    view.selected = 0;
    view.offset = 0;
    view.loading = true;
    view.error = None;
    vec![load(view, view.first.clone(), false)]
}

/// Move the selection of the top view by `delta` entries (clamped); near the end, ask for
/// the next page. `visible` says how many entries fit from a given offset (from the layout).
pub fn move_selection(
    state: &mut AppState,
    delta: isize,
    visible: impl Fn(&DrillView, usize) -> usize,
) -> Vec<Effect> {
    let Some(view) = state.views.stack.last_mut() else {
        return Vec::new();
    };
    if view.entries.is_empty() {
        return Vec::new();
    }
    let last = view.entries.len() as isize - 1;
    view.selected = (view.selected as isize + delta).clamp(0, last) as usize;
    scroll_into_view(view, &visible);
    prefetch(view)
}

/// Minimal scroll so the selected entry is on screen.
pub fn scroll_into_view(view: &mut DrillView, visible: &impl Fn(&DrillView, usize) -> usize) {
    if view.selected < view.offset {
        view.offset = view.selected;
    }
    while view.offset < view.selected
        && view.selected >= view.offset + visible(view, view.offset).max(1)
    {
        view.offset += 1;
    }
}

fn prefetch(view: &mut DrillView) -> Vec<Effect> {
    if view.loading || view.error.is_some() || view.selected + PREFETCH_MARGIN < view.entries.len()
    {
        return Vec::new();
    }
    match view.next.clone() {
        Some(next) if view.entries.len() < MAX_ENTRIES => {
            view.loading = true;
            vec![load(view, next, false)]
        }
        _ => Vec::new(),
    }
}

/// A drill answer. Returns effects (next page, KOL discovery) and whether anything visible changed.
pub fn on_drill(
    state: &mut AppState,
    id: u64,
    request: DrillRequest,
    result: Result<Box<DrillPage>, SourceError>,
) -> (Vec<Effect>, bool) {
    let now = state.now;
    let kols = state.kol_highlighter();
    let scorer = state.views.scorer.clone();
    let scorer = scorer.as_deref();
    let Some(pos) = state.views.stack.iter().position(|v| v.id == id) else {
        // The view was left: a late answer is dropped.
        return (Vec::new(), false);
    };
    let top = pos + 1 == state.views.stack.len();
    let view = &mut state.views.stack[pos];
    let page = match result {
        Ok(page) => page,
        Err(e) => {
            view.loading = false;
            view.error = Some(describe(&e));
            return (Vec::new(), top);
        }
    };
    let mut discovered: Vec<AccountRecord> = Vec::new();
    let mut note = |e: &Entry| {
        if e.author.verified_type.is_some_and(|v| v >= 0) && !e.author.name.is_empty() {
            discovered.push(AccountRecord {
                name: e.author.name.as_str().to_string(),
                uid: e.author.id.clone(),
                verified_type: e.author.verified_type,
                role: AccountRole::Author,
            });
        }
    };
    if let DrillRequest::WeiboLongText { mid } = &request {
        // The full text of the parent post (or of a listed one).
        if let Some(full) = page.items.into_iter().find(|e| &e.id == mid) {
            let targets = view.parent.iter_mut().chain(view.entries.iter_mut());
            for ve in targets.filter(|ve| &ve.entry.id == mid) {
                ve.entry.text = full.text.clone();
                ve.entry.truncated = false;
                ve.kol_spans = kol_spans(&kols, &ve.entry);
                ve.tone = tone(scorer, &ve.entry);
            }
        }
        return (Vec::new(), top);
    }
    let fresh_listing = request == view.first.first_page() || request == view.first;
    if fresh_listing {
        // Page 1 (first load or reload): keep the reader on the same entry if it is still there.
        let keep = view.selected_entry().map(|e| e.id.clone());
        view.entries.clear();
        view.selected = 0;
        view.offset = 0;
        for e in page.items {
            note(&e);
            view.entries.push(mark(&kols, scorer, e));
        }
        if let Some(k) = keep
            && let Some(i) = view.entries.iter().position(|e| e.entry.id == k)
        {
            view.selected = i;
            view.offset = i;
        }
    } else {
        for e in page.items {
            if view.entries.iter().any(|x| x.entry.id == e.id) {
                continue;
            }
            note(&e);
            view.entries.push(mark(&kols, scorer, e));
        }
        view.entries.truncate(MAX_ENTRIES);
    }
    view.next = page.next;
    view.total = page.total.or(view.total);
    view.loading = false;
    view.error = None;
    view.loaded_at = now;
    let mut fx = Vec::new();
    // A short first page may not fill the screen: keep loading while the end is near.
    if top {
        fx.extend(prefetch(view));
    }
    if !discovered.is_empty() {
        let topic = view.topic.norm.clone();
        fx.push(Effect::TopicAccounts {
            topic,
            records: discovered,
        });
    }
    (fx, top)
}

fn mark(kols: &Option<Highlighter>, scorer: Option<&Scorer>, entry: Entry) -> ViewEntry {
    let kol_author = kols.as_ref().is_some_and(|h| {
        let name = entry.author.name.as_str();
        h.spans(name)
            .first()
            .is_some_and(|r| r.start == 0 && r.end == name.len())
    });
    let mut ve = ViewEntry {
        kol_spans: Vec::new(),
        kol_author,
        tone: tone(scorer, &entry),
        entry,
    };
    ve.kol_spans = kol_spans(kols, &ve.entry);
    ve
}

/// The entry's tone from its runs and the emoticons its markup named (sentiment::Text).
fn tone(scorer: Option<&Scorer>, e: &Entry) -> Option<Tone> {
    let s = scorer?.score(&Text::from_entry(e));
    Some(Tone {
        label: s.label,
        score: s.score,
        why: s.why,
    })
}

fn kol_spans(kols: &Option<Highlighter>, e: &Entry) -> Vec<Range<usize>> {
    kols.as_ref()
        .map(|h| h.spans(&e.text.to_plain()))
        .unwrap_or_default()
}

/// Re-mark every open view (the KOL set changed).
pub fn remark_views(state: &mut AppState) {
    let kols = state.kol_highlighter();
    let scorer = state.views.scorer.clone();
    for v in &mut state.views.stack {
        for ve in v.parent.iter_mut().chain(v.entries.iter_mut()) {
            *ve = mark(&kols, scorer.as_deref(), ve.entry.clone());
        }
    }
}

/// A drill error in words for the view, with what to do about it.
fn describe(e: &SourceError) -> String {
    match e {
        SourceError::LoginRequired { hint } => format!("login required — {hint}"),
        SourceError::Captcha => {
            "the platform asks for a captcha — try later or set a cookie".into()
        }
        SourceError::Status(432) | SourceError::Status(418) | SourceError::Status(403) => {
            format!("{e} — the platform is refusing requests; r retries")
        }
        _ => format!("{e} — r retries"),
    }
}

/// Breadcrumb parts of the whole stack: `All › #旺旺配料表# › 人民日报 post › comments`.
pub fn breadcrumbs(state: &AppState) -> Vec<String> {
    let mut out = vec![state.board.tab.title().to_string()];
    for v in &state.views.stack {
        out.extend(v.crumbs.iter().cloned());
    }
    out
}

/// The link `o` / `y` act on: the selected entry's, else the parent's, else the topic's.
pub fn current_link(state: &AppState) -> Option<String> {
    let view = state.views.stack.last()?;
    let url = view
        .selected_entry()
        .and_then(|e| e.url.clone())
        .or_else(|| view.parent.as_ref().and_then(|p| p.entry.url.clone()))
        .or_else(|| {
            state
                .board
                .rows
                .iter()
                .find(|r| r.key == view.topic)
                .and_then(|r| r.topic.url.clone())
        })?;
    safe_url(&url)
}

/// Only http(s) URLs without control characters or spaces leave the app (browser, clipboard).
pub fn safe_url(url: &str) -> Option<String> {
    crate::domain::text::safe_url(url)
}
