//! Warning tiers 蓝/黄/橙/红 (team-alerts.md §13). The colour order and the numbering follow
//! 《突发事件应对法》 art. 42: 一级 = 红 = highest, 四级 = 蓝 = lowest. One type for the rules
//! that assess a tier and the channels that show it.

use serde::{Deserialize, Serialize};

/// A warning tier, lowest first (so `Ord` compares urgency).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// 四级 IV 蓝色
    #[default]
    Blue,
    /// 三级 III 黄色
    Yellow,
    /// 二级 II 橙色
    Orange,
    /// 一级 I 红色
    Red,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Blue, Tier::Yellow, Tier::Orange, Tier::Red];

    /// English id: config values, Feishu card template, the webhook's `{severity}`.
    pub fn id(self) -> &'static str {
        match self {
            Tier::Blue => "blue",
            Tier::Yellow => "yellow",
            Tier::Orange => "orange",
            Tier::Red => "red",
        }
    }

    /// The level number as the law counts it: 1 (red) … 4 (blue).
    pub fn level(self) -> u8 {
        4 - self as u8
    }

    /// The tier word every channel puts before the title, so the tier reads without colour
    /// (WeCom markdown has no blue, markdown_v2 and plain text have no colour at all).
    pub fn label(self) -> &'static str {
        match self {
            Tier::Blue => "【蓝色】",
            Tier::Yellow => "【黄色】",
            Tier::Orange => "【橙色】",
            Tier::Red => "【红色】",
        }
    }

    /// `蓝色 四级` … `红色 一级`: the colour with the level.
    pub fn zh(self) -> &'static str {
        match self {
            Tier::Blue => "蓝色 四级",
            Tier::Yellow => "黄色 三级",
            Tier::Orange => "橙色 二级",
            Tier::Red => "红色 一级",
        }
    }

    pub fn emoji(self) -> &'static str {
        match self {
            Tier::Blue => "🟦",
            Tier::Yellow => "🟨",
            Tier::Orange => "🟧",
            Tier::Red => "🟥",
        }
    }
}

impl std::fmt::Display for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_follow_the_law_red_is_level_one_and_highest() {
        assert_eq!(Tier::Red.level(), 1);
        assert_eq!(Tier::Blue.level(), 4);
        assert!(Tier::Red > Tier::Orange && Tier::Yellow > Tier::Blue);
        assert_eq!(Tier::default(), Tier::Blue);
    }
}
