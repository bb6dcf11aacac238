//! Everything a key can do, declared once: the variant, its name in keymap files
//! (snake_case, via strum and serde alike) and its default help text (`message`).

use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumMessage, EnumString, IntoEnumIterator, IntoStaticStr};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumIter,
    EnumString,
    EnumMessage,
    IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    #[strum(message = "Quit")]
    Quit,
    #[strum(message = "Back / close popup")]
    Back,
    #[strum(message = "Show/hide this help")]
    ToggleHelp,
    #[strum(message = "List every source's health and fallback steps")]
    ShowSources,
    #[strum(message = "Team alert deliveries: sent, waiting to retry, failed")]
    ShowDeliveries,
    #[strum(message = "Brand view: watched terms' mentions, volume and tone")]
    ShowBrand,
    #[strum(message = "Brand view: newest posts ↔ most negative posts")]
    BrandList,
    #[strum(message = "Drill-down: show/hide the tone (NSR) line of what is loaded")]
    ToggleTone,
    #[strum(message = "Poll every source now")]
    RefreshNow,
    #[strum(message = "Pause/resume polling")]
    ToggleLive,
    #[strum(message = "Next row")]
    SelectNext,
    #[strum(message = "Previous row")]
    SelectPrev,
    #[strum(message = "Page down")]
    PageDown,
    #[strum(message = "Page up")]
    PageUp,
    #[strum(message = "First row")]
    SelectFirst,
    #[strum(message = "Last row")]
    SelectLast,
    #[strum(message = "Next tab (All, then each list)")]
    NextTab,
    #[strum(message = "Previous tab")]
    PrevTab,
    #[strum(message = "Show all platforms")]
    TabAll,
    #[strum(message = "Show Weibo only")]
    TabWeibo,
    #[strum(message = "Show Tieba only")]
    TabTieba,
    #[strum(message = "Show Baidu only")]
    TabBaidu,
    #[strum(message = "Show Douyin only")]
    TabDouyin,
    #[strum(message = "Show Zhihu only")]
    TabZhihu,
    #[strum(message = "Show Toutiao only")]
    TabToutiao,
    #[strum(message = "Show Bilibili only")]
    TabBilibili,
    #[strum(message = "Show Kuaishou only")]
    TabKuaishou,
    /// Move the keyboard to the keyword panel / back to the board.
    #[strum(message = "Move to the keyword panel")]
    FocusKeywords,
    #[strum(message = "Move to the board")]
    FocusBoard,
    #[strum(message = "Show/hide the KOL panel")]
    ToggleKols,
    /// Enter: in the keyword panel, filter the board to titles containing the keyword.
    #[strum(message = "Open: posts/threads of a topic, comments/floors of a post")]
    Open,
    /// Open the selected item's link in the browser.
    #[strum(message = "Open the link in the browser (shows it over SSH)")]
    OpenLink,
    /// Copy the selected item's link (OSC 52 / native clipboard).
    #[strum(message = "Copy the link (OSC 52 / clipboard)")]
    CopyLink,
    /// Load the current view again.
    #[strum(message = "Reload this view")]
    Reload,
    #[strum(message = "Search titles, keywords and KOLs (pinyin too; start with ! to invert)")]
    Search,
    #[strum(message = "Sort: rank → heat → rising score → time on list → first seen")]
    CycleSort,
    #[strum(message = "Show only topics with a rising keyword")]
    FilterRising,
    #[strum(message = "Show only topics with a KOL")]
    FilterKol,
    #[strum(message = "Filter by label: 新 → 热 → 沸 → 爆 → any")]
    CycleLabel,
    #[strum(message = "Clear search, filters and sort")]
    ClearFilters,
    #[strum(message = "Mark seen / unseen")]
    ToggleSeen,
    #[strum(message = "Mark every shown topic seen")]
    MarkAllSeen,
    #[strum(message = "Flag / unflag")]
    ToggleFlag,
    #[strum(message = "Mute this topic (or keyword in the keyword panel)")]
    Mute,
    #[strum(message = "Show / hide muted items")]
    ShowMuted,
    #[strum(message = "Edit the topic's one-line note")]
    EditNote,
    #[strum(message = "Start / end a visual selection for bulk actions")]
    Visual,
    #[strum(message = "Watch / unwatch this keyword (or the topic's KOLs)")]
    Watch,
    #[strum(message = "Export flagged (or shown) topics")]
    Export,
    /// Step the board back to the previous stored poll
    #[strum(message = "History: step the board back one stored poll")]
    TravelBack,
    /// Step the board forward (back to live after the last poll)
    #[strum(message = "History: step the board forward (live after the last)")]
    TravelForward,
    /// Return the board to the live lists
    #[strum(message = "History: back to the live board")]
    Live,
    /// Show the selected topic's full history (first seen, peak, rank path)
    #[strum(message = "Topic history: first seen, peak, rank path")]
    TopicHistory,
    #[strum(message = "Events: one story across platforms, first seen on each in order")]
    ToggleEvents,
    #[strum(message = "Accept the input")]
    Submit,
    #[strum(message = "Cancel the input")]
    Cancel,
    #[strum(message = "Delete the character before the cursor")]
    DeleteBack,
    #[strum(message = "Clear the input")]
    ClearInput,
    /// Unbinds a key inherited from a lower layer.
    #[strum(message = "(unbound)")]
    Noop,
}

impl Action {
    /// Every action, in declaration order (the order help and `resou keys` list them in).
    pub fn all() -> impl Iterator<Item = Action> {
        Action::iter()
    }

    /// The name used in keymap files.
    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn from_name(s: &str) -> Option<Action> {
        s.parse().ok()
    }

    /// Default help text; a keymap entry's `desc` overrides it.
    pub fn describe(self) -> &'static str {
        self.get_message().unwrap_or_default()
    }

    /// Position in declaration order, for sorting rows by action.
    pub fn order(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde_and_every_action_is_described() {
        let mut n = 0;
        for a in Action::all() {
            let json = serde_json::to_string(&a).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", a.name()));
            assert_eq!(Action::from_name(a.name()), Some(a));
            assert!(!a.describe().is_empty(), "{a:?}");
            n += 1;
        }
        assert_eq!(n, 59);
        assert_eq!(Action::ToggleHelp.name(), "toggle_help");
        assert_eq!(Action::Noop.describe(), "(unbound)");
    }
}
