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
    /// Unbinds a key inherited from a lower layer.
    Noop,
}

impl Action {
    pub const ALL: [Action; 24] = [
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
