//! Everything a key can do. Keymap files name these in snake_case.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Back,
    ToggleHelp,
    RefreshNow,
    ToggleLive,
    SelectNext,
    SelectPrev,
    PageDown,
    PageUp,
    SelectFirst,
    SelectLast,
    NextTab,
    PrevTab,
    TabAll,
    TabWeibo,
    TabTieba,
    /// Move the keyboard to the keyword panel / back to the board.
    FocusKeywords,
    FocusBoard,
    /// Show/hide the KOL panel.
    ToggleKols,
    /// Enter: in the keyword panel, filter the board to titles containing the keyword.
    Open,
    /// Open the selected item's link in the browser.
    OpenLink,
    /// Copy the selected item's link (OSC 52 / native clipboard).
    CopyLink,
    /// Load the current view again.
    Reload,
    /// Search titles, keywords and KOLs (pinyin too; start with ! to invert)
    Search,
    /// Sort: rank → heat → rising score → time on list → first seen
    CycleSort,
    /// Show only topics with a rising keyword
    FilterRising,
    /// Show only topics with a KOL
    FilterKol,
    /// Filter by label: 新 → 热 → 沸 → 爆 → any
    CycleLabel,
    /// Clear search, filters and sort
    ClearFilters,
    /// Mark seen / unseen
    ToggleSeen,
    /// Mark every shown topic seen
    MarkAllSeen,
    /// Flag / unflag
    ToggleFlag,
    /// Mute this topic (or keyword in the keyword panel)
    Mute,
    /// Show / hide muted items
    ShowMuted,
    /// Edit the topic's one-line note
    EditNote,
    /// Start / end a visual selection for bulk actions
    Visual,
    /// Watch / unwatch this keyword (or the topic's KOLs)
    Watch,
    /// Export flagged (or shown) topics
    Export,
    /// Step the board back to the previous stored poll
    TravelBack,
    /// Step the board forward (back to live after the last poll)
    TravelForward,
    /// Return the board to the live lists
    Live,
    /// Show the selected topic's full history (first seen, peak, rank path)
    TopicHistory,
    /// Accept the input
    Submit,
    /// Cancel the input
    Cancel,
    /// Delete the character before the cursor
    DeleteBack,
    /// Clear the input
    ClearInput,
    /// Unbinds a key inherited from a lower layer.
    Noop,
}

impl Action {
    pub const ALL: [Action; 47] = [
        Action::Quit,
        Action::Back,
        Action::ToggleHelp,
        Action::RefreshNow,
        Action::ToggleLive,
        Action::SelectNext,
        Action::SelectPrev,
        Action::PageDown,
        Action::PageUp,
        Action::SelectFirst,
        Action::SelectLast,
        Action::NextTab,
        Action::PrevTab,
        Action::TabAll,
        Action::TabWeibo,
        Action::TabTieba,
        Action::FocusKeywords,
        Action::FocusBoard,
        Action::ToggleKols,
        Action::Open,
        Action::OpenLink,
        Action::CopyLink,
        Action::Reload,
        Action::Search,
        Action::CycleSort,
        Action::FilterRising,
        Action::FilterKol,
        Action::CycleLabel,
        Action::ClearFilters,
        Action::ToggleSeen,
        Action::MarkAllSeen,
        Action::ToggleFlag,
        Action::Mute,
        Action::ShowMuted,
        Action::EditNote,
        Action::Visual,
        Action::Watch,
        Action::Export,
        Action::TravelBack,
        Action::TravelForward,
        Action::Live,
        Action::TopicHistory,
        Action::Submit,
        Action::Cancel,
        Action::DeleteBack,
        Action::ClearInput,
        Action::Noop,
    ];

    /// The name used in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Back => "back",
            Action::ToggleHelp => "toggle_help",
            Action::RefreshNow => "refresh_now",
            Action::ToggleLive => "toggle_live",
            Action::SelectNext => "select_next",
            Action::SelectPrev => "select_prev",
            Action::PageDown => "page_down",
            Action::PageUp => "page_up",
            Action::SelectFirst => "select_first",
            Action::SelectLast => "select_last",
            Action::NextTab => "next_tab",
            Action::PrevTab => "prev_tab",
            Action::TabAll => "tab_all",
            Action::TabWeibo => "tab_weibo",
            Action::TabTieba => "tab_tieba",
            Action::FocusKeywords => "focus_keywords",
            Action::FocusBoard => "focus_board",
            Action::ToggleKols => "toggle_kols",
            Action::Open => "open",
            Action::OpenLink => "open_link",
            Action::CopyLink => "copy_link",
            Action::Reload => "reload",
            Action::Search => "search",
            Action::CycleSort => "cycle_sort",
            Action::FilterRising => "filter_rising",
            Action::FilterKol => "filter_kol",
            Action::CycleLabel => "cycle_label",
            Action::ClearFilters => "clear_filters",
            Action::ToggleSeen => "toggle_seen",
            Action::MarkAllSeen => "mark_all_seen",
            Action::ToggleFlag => "toggle_flag",
            Action::Mute => "mute",
            Action::ShowMuted => "show_muted",
            Action::EditNote => "edit_note",
            Action::Visual => "visual",
            Action::Watch => "watch",
            Action::Export => "export",
            Action::TravelBack => "travel_back",
            Action::TravelForward => "travel_forward",
            Action::Live => "live",
            Action::TopicHistory => "topic_history",
            Action::Submit => "submit",
            Action::Cancel => "cancel",
            Action::DeleteBack => "delete_back",
            Action::ClearInput => "clear_input",
            Action::Noop => "noop",
        }
    }

    pub fn from_name(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == s)
    }

    /// Default help text; a keymap entry's `desc` overrides it.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "Quit",
            Action::Back => "Back / close popup",
            Action::ToggleHelp => "Show/hide this help",
            Action::RefreshNow => "Poll every source now",
            Action::ToggleLive => "Pause/resume polling",
            Action::SelectNext => "Next row",
            Action::SelectPrev => "Previous row",
            Action::PageDown => "Page down",
            Action::PageUp => "Page up",
            Action::SelectFirst => "First row",
            Action::SelectLast => "Last row",
            Action::NextTab => "Next tab (All/Weibo/Tieba)",
            Action::PrevTab => "Previous tab",
            Action::TabAll => "Show all platforms",
            Action::TabWeibo => "Show Weibo only",
            Action::TabTieba => "Show Tieba only",
            Action::FocusKeywords => "Move to the keyword panel",
            Action::FocusBoard => "Move to the board",
            Action::ToggleKols => "Show/hide the KOL panel",
            Action::Open => "Open: posts/threads of a topic, comments/floors of a post",
            Action::OpenLink => "Open the link in the browser (shows it over SSH)",
            Action::CopyLink => "Copy the link (OSC 52 / clipboard)",
            Action::Reload => "Reload this view",
            Action::Search => {
                "Search titles, keywords and KOLs (pinyin too; start with ! to invert)"
            }
            Action::CycleSort => "Sort: rank → heat → rising score → time on list → first seen",
            Action::FilterRising => "Show only topics with a rising keyword",
            Action::FilterKol => "Show only topics with a KOL",
            Action::CycleLabel => "Filter by label: 新 → 热 → 沸 → 爆 → any",
            Action::ClearFilters => "Clear search, filters and sort",
            Action::ToggleSeen => "Mark seen / unseen",
            Action::MarkAllSeen => "Mark every shown topic seen",
            Action::ToggleFlag => "Flag / unflag",
            Action::Mute => "Mute this topic (or keyword in the keyword panel)",
            Action::ShowMuted => "Show / hide muted items",
            Action::EditNote => "Edit the topic's one-line note",
            Action::Visual => "Start / end a visual selection for bulk actions",
            Action::Watch => "Watch / unwatch this keyword (or the topic's KOLs)",
            Action::Export => "Export flagged (or shown) topics",
            Action::TravelBack => "History: step the board back one stored poll",
            Action::TravelForward => "History: step the board forward (live after the last)",
            Action::Live => "History: back to the live board",
            Action::TopicHistory => "Topic history: first seen, peak, rank path",
            Action::Submit => "Accept the input",
            Action::Cancel => "Cancel the input",
            Action::DeleteBack => "Delete the character before the cursor",
            Action::ClearInput => "Clear the input",
            Action::Noop => "(unbound)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde() {
        for a in Action::ALL {
            let json = serde_json::to_string(&a).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", a.name()));
            assert_eq!(Action::from_name(a.name()), Some(a));
        }
    }
}
