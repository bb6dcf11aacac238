//! AppState: everything the view renders. Owned by the app loop; changed only by `update`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset};

use std::ops::Range;

use std::sync::Arc;

use crate::analysis::{KeywordRow, KolTrend, PanelEntry};
use crate::domain::normalize::Normalized;
use crate::domain::{Platform, Snapshot, Topic, TopicKey};

/// Which platforms the board shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    All,
    Only(Platform),
}

impl Tab {
    /// The tab bar's label: `All` or the platform's tag (微博, 抖音, …).
    pub fn title(self) -> &'static str {
        match self {
            Tab::All => "All",
            Tab::Only(p) => p.tag(),
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
    /// The title's matching form (rising keywords, highlights, mutes), shared with the board
    /// it came from: made once per polled list, not at every rebuild.
    pub norm: Arc<Normalized>,
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
    /// Platforms the row's story is on now (its event; 0 or 1: only this list).
    pub event_platforms: u8,
    /// A list-dynamics mark on the row now: anchored, or a recent label step.
    pub dynamics: Option<crate::analysis::dynamics::Kind>,
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
    /// Key and title form of each topic of `current` (pinned, then ranked), made once when
    /// the list arrives (`update::apply_snapshot`); a board rebuild with eleven lists would
    /// otherwise normalise ~500 titles several times over, twice a poll.
    pub forms: Vec<TopicForms>,
    /// Ranks in the previous snapshot, for movement.
    pub previous_ranks: HashMap<TopicKey, u32>,
    /// First capture time each topic was seen this session.
    pub first_seen: HashMap<TopicKey, DateTime<FixedOffset>>,
}

/// A listed topic's key and the matching form of its title.
#[derive(Debug, Clone)]
pub struct TopicForms {
    pub key: TopicKey,
    pub norm: Arc<Normalized>,
}

impl TopicForms {
    pub fn of(topic: &Topic) -> TopicForms {
        TopicForms {
            key: topic.key(),
            norm: Arc::new(Normalized::new(topic.title.as_str())),
        }
    }
}

impl PlatformBoard {
    /// Show `snap`, its topics' forms made once here.
    pub fn set_current(&mut self, snap: Snapshot) {
        self.forms = snap
            .pinned
            .iter()
            .chain(&snap.ranked)
            .map(TopicForms::of)
            .collect();
        self.current = Some(snap);
    }

    /// The forms of `current`'s topics (pinned, then ranked). Lists are set through
    /// [`PlatformBoard::set_current`]; one set directly gets its forms made now.
    pub fn forms(&self) -> std::borrow::Cow<'_, [TopicForms]> {
        let Some(snap) = &self.current else {
            return std::borrow::Cow::Borrowed(&[]);
        };
        if self.forms.len() == snap.pinned.len() + snap.ranked.len() {
            std::borrow::Cow::Borrowed(&self.forms)
        } else {
            let topics = snap.pinned.iter().chain(&snap.ranked);
            std::borrow::Cow::Owned(topics.map(TopicForms::of).collect())
        }
    }
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
    /// Stories across platforms as of the last analysed poll (the events view, the board's
    /// platform counts).
    pub events: std::sync::Arc<crate::analysis::events::Events>,
    /// List-dynamics marks per platform (anchored rows, recent withdrawals and label steps),
    /// as of each platform's last analysed poll.
    pub dynamics: BTreeMap<Platform, Vec<crate::analysis::dynamics::Candidate>>,
    /// The board rows' keyword matchers, kept while the rising keywords and filter words
    /// stay the same.
    pub row_matchers: std::sync::Arc<crate::analysis::highlight::RowMatchers>,
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

/// Everything the view renders, grouped by concern. Owned by the app loop; changed only by
/// `update`. `board.rows` is derived (see `update::refresh_rows`); the rest is source data.
#[derive(Debug, Clone, Default)]
pub struct AppState {
    /// Wall clock as of the last message (passed in; `update` never reads a clock).
    pub now: Option<DateTime<FixedOffset>>,
    pub quit: bool,
    /// Terminal size as of the last resize.
    pub size: (u16, u16),
    /// The lists the sources delivered and how each source is doing.
    pub lists: Lists,
    /// The board: tab, rows, selection, filters, search.
    pub board: Board,
    /// The keyword panel's cursor and the KOL panel.
    pub panel: KeywordPanel,
    /// What the analysis worker last reported.
    pub analysis: AnalysisView,
    /// What topic pages and the analysis add to rows: KOLs, host/media accounts.
    pub enrich: Enrichment,
    /// Drill-down views above the board.
    pub views: Views,
    /// Keyboard state: focus, pending sequence, an open prompt.
    pub input: Input,
    /// Help and link popups.
    pub popups: Popups,
    /// Banner and transient messages.
    pub status: Status,
    /// Flags, seen, notes, mutes, watchlists (persisted in the XDG data dir).
    pub triage: crate::triage::Triage,
    pub alerts: Alerts,
    /// Stored history: poll times, sparkline series, time travel, the detail pane.
    pub history: super::history::HistoryState,
    /// The events view (`E`).
    pub events_view: EventsView,
    /// Team alert deliveries as last read from the store (the `D` view, push notices).
    pub deliveries: super::deliveries::Deliveries,
    /// The brand view (`B`): watched terms' summaries and the watch loop's budget.
    pub brand: super::brand::Brand,
}

/// Where the events view is: the story list, or one story's titles.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventsView {
    pub open: bool,
    /// Index into the events of the last analysis update.
    pub selected: usize,
    pub offset: usize,
    /// The story whose titles are listed.
    pub members_of: Option<crate::analysis::events::EventId>,
    pub member_selected: usize,
}

/// The lists as polled (or read from the team store) and the health of each source.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    pub boards: BTreeMap<Platform, PlatformBoard>,
    pub health: BTreeMap<Platform, SourceHealth>,
    pub paused: bool,
}

/// The board as shown: which platforms, which rows, where the cursor is.
#[derive(Debug, Clone, Default)]
pub struct Board {
    pub tab: Tab,
    /// Visible rows for the current tab: derived, rebuilt once per update when stale.
    pub rows: Vec<BoardRow>,
    /// Something the rows derive from changed since they were built.
    pub rows_stale: bool,
    pub selection: Selection,
    /// Rows of the board body the last frame had room for (set by the loop on resize).
    pub page_rows: usize,
    /// Board filters and sort.
    pub filters: super::filters::Filters,
    /// The board search (incremental while its prompt is open); a leading `!` inverts it.
    pub search: Option<String>,
    /// Board filtered to titles containing this keyword (Enter in the keyword panel): the
    /// entry's label, as the header names the filter.
    pub filter: Option<String>,
    /// The words whose titles the filter keeps (an entry's keys); empty: `filter` itself.
    pub filter_terms: Vec<String>,
    /// Anchor of the visual selection (bulk actions apply from here to the selected row).
    pub visual: Option<TopicKey>,
}

/// The keyword panel's cursor (an index into `analysis.entries`) and the KOL panel.
#[derive(Debug, Clone, Default)]
pub struct KeywordPanel {
    pub selected: usize,
    /// First visible row.
    pub offset: usize,
    /// Rows the last frame had room for.
    pub page_rows: usize,
    /// The KOL panel is shown.
    pub show_kols: bool,
}

/// What enriches rows beyond the lists themselves.
#[derive(Debug, Clone, Default)]
pub struct Enrichment {
    /// KOLs mentioned in each topic's title (from the analysis).
    pub topic_kols: HashMap<TopicKey, Vec<String>>,
    /// Host and media accounts of Weibo topics (topic details), keyed by normalised title.
    pub topic_accounts: HashMap<String, Vec<String>>,
    /// Full topic pages (reads, mentions, host, media) by normalised title, for view headers.
    pub topic_details: HashMap<String, Box<crate::sources::topic::TopicDetail>>,
    /// Every KOL name and alias the analysis knows (watchlist and discovered), for marks.
    pub kol_names: Vec<String>,
}

/// Drill-down views above the board, innermost last (empty: the board is shown).
#[derive(Debug, Clone, Default)]
pub struct Views {
    pub stack: Vec<super::drill::DrillView>,
    /// Last view id handed out.
    pub next_id: u64,
    /// Scores each entry as it arrives (the embedded lexicons plus the user's); `None`: no
    /// sentiment marks.
    pub scorer: Option<std::sync::Arc<crate::sentiment::Scorer>>,
    /// The tone line (NSR of the loaded entries) is shown (`%`).
    pub show_tone: bool,
}

/// Keyboard state beyond the layers' own.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// Which panel has the keyboard.
    pub focus: Focus,
    /// Keys of a multi-key sequence typed so far (`pending_keys` is their display form).
    pub pending: Vec<crate::input::Key>,
    /// Keys typed so far of a multi-key sequence (`g`), shown in the status bar.
    pub pending_keys: String,
    /// What can follow `pending` (rest of the keys, description), for the which-key popup.
    pub which_key: Vec<(String, String)>,
    /// A text prompt being typed (search, note); keys go to it while it is open.
    pub prompt: Option<Prompt>,
}

#[derive(Debug, Clone, Default)]
pub struct Popups {
    pub show_help: bool,
    /// Help popup rows, generated from the resolved keymap.
    pub help: Vec<HelpEntry>,
    /// Text typed while the help popup is open; filters its rows.
    pub help_query: String,
    /// A link shown in a popup for manual copying (no browser or clipboard could take it).
    pub link_popup: Option<String>,
    /// The sources popup (`S`) is open.
    pub show_sources: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Status {
    /// A line about where the data comes from (demo: archive dates).
    pub banner: Option<String>,
    /// A transient message (errors in config/keymap, actions).
    pub flash: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Alerts {
    /// Which watched KOLs were active at the last update (alerts fire on appearance).
    pub state: crate::alerts::AlertState,
    /// Alert rate limits from `[alerts]` (defaults when unset).
    pub limiter: Option<crate::alerts::RateLimiter>,
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
        match &self.board.filter {
            None => Vec::new(),
            Some(_) if !self.board.filter_terms.is_empty() => {
                self.board.filter_terms.iter().map(String::as_str).collect()
            }
            Some(f) => vec![f.as_str()],
        }
    }

    /// A matcher for KOL names (None when no KOL is known).
    pub fn kol_highlighter(&self) -> Option<crate::analysis::Highlighter> {
        (!self.enrich.kol_names.is_empty())
            .then(|| crate::analysis::Highlighter::new(&self.enrich.kol_names))
    }

    /// The stories on screen: as stored at the moment travelled to, else the live ones.
    pub fn events(&self) -> &std::sync::Arc<crate::analysis::events::Events> {
        self.history
            .travel
            .as_ref()
            .map_or(&self.analysis.events, |t| &t.events)
    }

    /// The board's tabs: All, then each list that is polled or has data (a team viewer polls
    /// nothing but shows what the collector stores), in `Platform::ALL` order.
    pub fn tabs(&self) -> Vec<Tab> {
        let shown = |p: &Platform| {
            self.lists.health.get(p).is_some_and(|h| h.enabled) || self.lists.boards.contains_key(p)
        };
        std::iter::once(Tab::All)
            .chain(Platform::ALL.into_iter().filter(shown).map(Tab::Only))
            .collect()
    }

    /// Index of the selected row in `rows`, if any.
    pub fn selected_index(&self) -> Option<usize> {
        let key = self.board.selection.key.as_ref()?;
        self.board.rows.iter().position(|r| &r.key == key)
    }
}
