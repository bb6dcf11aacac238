//! AppState: everything the view renders. Owned by the app loop; changed only by `update`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset};

use std::ops::Range;

use crate::analysis::{KeywordRow, KolTrend, PanelEntry};
use crate::domain::{Platform, Snapshot, Topic, TopicKey};

/// Which platforms the board shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    All,
    Only(Platform),
}

impl Tab {
    pub fn title(self) -> &'static str {
        match self {
            Tab::All => "All",
            Tab::Only(Platform::Weibo) => "Weibo",
            Tab::Only(Platform::Tieba) => "Tieba",
        }
    }

    pub fn includes(self, p: Platform) -> bool {
        match self {
            Tab::All => true,
            Tab::Only(q) => p == q,
        }
    }
}

/// Rank change since the previous poll of the same platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// Not on the previous list.
    New,
    Up(u32),
    Down(u32),
    Same,
    /// Pinned rows have no rank to move.
    Pinned,
}

/// One board row as the view draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardRow {
    pub key: TopicKey,
    pub topic: Topic,
    pub movement: Movement,
    /// When the topic entered the list (platform's onboard time, else first seen this session).
    pub on_list_since: DateTime<FixedOffset>,
    /// Capture time of the snapshot this row belongs to (for "time on list").
    pub data_at: DateTime<FixedOffset>,
    /// Byte ranges of rising keywords inside `topic.title`, for highlighting.
    pub highlights: Vec<Range<usize>>,
    /// KOLs mentioned in the title or hosting the topic (display names), for the badge.
    pub kols: Vec<String>,
    /// Best score among the rising keywords in the title (`None`: none rising).
    pub rising_score: Option<f64>,
    /// Triage marks (flag, note, new since last look, muted, in the visual selection).
    pub marks: RowMarks,
    /// Heat over the recent stored polls, oldest first (the sparkline; empty without history).
    pub trend: Vec<f64>,
}

/// A board row's triage state, as the view marks it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowMarks {
    pub flagged: bool,
    pub noted: bool,
    /// First seen after the last look (not yet marked seen).
    pub new: bool,
    /// Muted, shown only because muted items are being shown.
    pub muted: bool,
    /// Inside the visual selection.
    pub visual: bool,
    /// Flagged or noted by someone else on the team (shared triage).
    pub team: bool,
}

/// Per-platform history kept for the board.
#[derive(Debug, Clone, Default)]
pub struct PlatformBoard {
    pub current: Option<Snapshot>,
    /// Ranks in the previous snapshot, for movement.
    pub previous_ranks: HashMap<TopicKey, u32>,
    /// First capture time each topic was seen this session.
    pub first_seen: HashMap<TopicKey, DateTime<FixedOffset>>,
}

/// What the status bar says about one source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceHealth {
    pub enabled: bool,
    /// Wall-clock time of the last successful poll.
    pub last_ok: Option<DateTime<FixedOffset>>,
    /// Capture time of the data on screen (differs from `last_ok` in the demo).
    pub data_at: Option<DateTime<FixedOffset>>,
    /// When the next poll is due (wall clock).
    pub next_poll_at: Option<DateTime<FixedOffset>>,
    /// Fallback step that produced the data on screen.
    pub endpoint: Option<&'static str>,
    /// Steps that failed before the one in use, in words (`weibo.com/ajax: HTTP 403`).
    pub degraded: Option<String>,
    /// Last poll failed: the fault in words.
    pub error: Option<String>,
    pub failures: u32,
}

/// Which panel has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Board,
    Keywords,
}

/// What the analysis worker last reported, as the view needs it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalysisView {
    /// The jieba dictionary has loaded; until then the panel says "loading dictionary…".
    pub ready: bool,
    /// Detector still in its warm-up window: scores shown, no rising flags yet.
    pub warming_up: bool,
    /// When the warm-up ends and ▲ may appear.
    pub flags_from: Option<DateTime<FixedOffset>>,
    /// Capture time of the poll the keywords come from.
    pub at: Option<DateTime<FixedOffset>>,
    /// The panel's rows: one entry per story, rising (by score), cooling, then the top steady
    /// ones (by share), after the search and the keyword mutes.
    pub entries: Vec<PanelEntry>,
    /// The same before search and mutes.
    pub all_entries: Vec<PanelEntry>,
    /// Every term of the poll, rising first (highlights in titles use the rising ones).
    pub all_keywords: Vec<KeywordRow>,
    /// KOLs active in the current lists, most mentions first.
    pub kols: Vec<KolTrend>,
    /// A problem the worker reported (state file unreadable…).
    pub warning: Option<String>,
}

/// Help popup rows, generated from the resolved keymap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    pub mode: String,
    pub keys: String,
    pub desc: String,
}

/// Selection anchored to a topic, not a row index, so refreshes never move it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    pub key: Option<TopicKey>,
    /// Index of the first visible row.
    pub offset: usize,
    /// The user moved the selection; until then it follows the top of the board.
    pub chosen: bool,
}

#[derive(Debug, Clone, Default)]
pub struct AppState {
    /// Wall clock as of the last message (passed in; `update` never reads a clock).
    pub now: Option<DateTime<FixedOffset>>,
    pub boards: BTreeMap<Platform, PlatformBoard>,
    pub health: BTreeMap<Platform, SourceHealth>,
    pub tab: Tab,
    /// Visible rows for the current tab: derived, rebuilt once per update when stale.
    pub rows: Vec<BoardRow>,
    /// Something the rows derive from changed since they were built.
    pub rows_stale: bool,
    pub selection: Selection,
    /// Rows of the board body the last frame had room for (set by the loop on resize).
    pub page_rows: usize,
    pub paused: bool,
    pub show_help: bool,
    pub help: Vec<HelpEntry>,
    /// Keys typed so far of a multi-key sequence (`g`), shown in the status bar.
    pub pending_keys: String,
    /// A line about where the data comes from (demo: archive dates).
    pub banner: Option<String>,
    /// A transient message (errors in config/keymap, actions).
    pub flash: Option<String>,
    pub quit: bool,
    pub analysis: AnalysisView,
    pub focus: Focus,
    /// Selected row of the keyword panel (index into `analysis.entries`) and its scroll offset.
    pub keyword_selected: usize,
    pub keyword_offset: usize,
    /// Rows of the keyword panel the last frame had room for.
    pub keyword_page_rows: usize,
    /// The KOL panel is shown.
    pub show_kols: bool,
    /// Board filtered to titles containing this keyword (Enter in the keyword panel): the
    /// entry's label, as the header names the filter.
    pub filter: Option<String>,
    /// The words whose titles the filter keeps (an entry's keys); empty: `filter` itself.
    pub filter_terms: Vec<String>,
    /// KOLs mentioned in each topic's title (from the analysis).
    pub topic_kols: HashMap<TopicKey, Vec<String>>,
    /// Host and media accounts of Weibo topics (topic details), keyed by normalised title.
    pub topic_accounts: HashMap<String, Vec<String>>,
    /// Keys of a multi-key sequence typed so far (`pending_keys` is their display form).
    pub pending: Vec<crate::input::Key>,
    /// What can follow `pending` (rest of the keys, description), for the which-key popup.
    pub which_key: Vec<(String, String)>,
    /// Text typed while the help popup is open; filters its rows.
    pub help_query: String,
    /// Full topic pages (reads, mentions, host, media) by normalised title, for view headers.
    pub topic_details: HashMap<String, Box<crate::sources::topic::TopicDetail>>,
    /// Drill-down views above the board, innermost last (empty: the board is shown).
    pub views: Vec<super::drill::DrillView>,
    /// Last view id handed out.
    pub next_view_id: u64,
    /// Every KOL name and alias the analysis knows (watchlist and discovered), for marks.
    pub kol_names: Vec<String>,
    /// Terminal size as of the last resize.
    pub size: (u16, u16),
    /// A link shown in a popup for manual copying (no browser or clipboard could take it).
    pub link_popup: Option<String>,
    /// Board filters and sort.
    pub filters: super::filters::Filters,
    /// A text prompt being typed (search, note); keys go to it while it is open.
    pub prompt: Option<Prompt>,
    /// The board search (incremental while its prompt is open); a leading `!` inverts it.
    pub search: Option<String>,
    /// Flags, seen, notes, mutes, watchlists (persisted in the XDG data dir).
    pub triage: crate::triage::Triage,
    /// Anchor of the visual selection (bulk actions apply from here to the selected row).
    pub visual: Option<TopicKey>,
    /// Which watched KOLs were active at the last update (alerts fire on appearance).
    pub alert_state: crate::alerts::AlertState,
    /// Alert rate limits from `[alerts]` (defaults when unset).
    pub alert_limiter: Option<crate::alerts::RateLimiter>,
    /// Stored history: poll times, sparkline series, time travel, the detail pane.
    pub history: super::history::HistoryState,
}

/// What a prompt edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    Search,
    /// The one-line note of a topic.
    Note(TopicKey),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
    /// What to restore on cancel (the search before the prompt opened).
    pub before: Option<String>,
}

impl AppState {
    /// What the keyword filter matches in titles: the entry's keys, or the filter word.
    pub fn filter_words(&self) -> Vec<&str> {
        match &self.filter {
            None => Vec::new(),
            Some(_) if !self.filter_terms.is_empty() => {
                self.filter_terms.iter().map(String::as_str).collect()
            }
            Some(f) => vec![f.as_str()],
        }
    }

    /// A matcher for KOL names (None when no KOL is known).
    pub fn kol_highlighter(&self) -> Option<crate::analysis::Highlighter> {
        (!self.kol_names.is_empty()).then(|| crate::analysis::Highlighter::new(&self.kol_names))
    }

    /// Index of the selected row in `rows`, if any.
    pub fn selected_index(&self) -> Option<usize> {
        let key = self.selection.key.as_ref()?;
        self.rows.iter().position(|r| &r.key == key)
    }
}
