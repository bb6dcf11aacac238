//! 蓝/黄/橙/红 tiers from measurable signals (team-alerts.md §13). The colour order and the
//! numbering follow 《突发事件应对法》 art. 42: 一级 = 红 = highest, 四级 = 蓝 = lowest.

use serde::{Deserialize, Serialize};

use crate::domain::Label;

pub use crate::domain::Tier;

/// What is known about an alert's subject; absent signals count towards no tier.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    /// Best rank reached on any list (1 = top).
    pub best_rank: Option<u32>,
    /// Strongest badge shown (`沸`, `爆`, …).
    pub label: Option<Label>,
    /// The rising-keyword detector's significance z.
    pub z_score: Option<f64>,
    /// Lists it is on (an event's platforms, a keyword's lists).
    pub platforms: u32,
    /// Watched KOLs involved.
    pub kols: u32,
    /// Minutes on a list.
    pub listed_minutes: Option<u32>,
}

/// Badge strength, for "at least 沸": 新 < 热 < 沸 < 爆; none and 商 carry no attention.
fn label_rank(l: Label) -> u8 {
    match l {
        Label::None | Label::Commercial => 0,
        Label::New => 1,
        Label::Hot => 2,
        Label::Boiling => 3,
        Label::Explosive => 4,
    }
}

/// The thresholds of one tier; a signal left out does not count towards it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Best rank at or above (numerically ≤) this.
    pub best_rank: Option<u32>,
    /// Badge at least this strong.
    pub label: Option<Label>,
    pub z_score: Option<f64>,
    pub platforms: Option<u32>,
    pub kols: Option<u32>,
    pub listed_minutes: Option<u32>,
}

impl Thresholds {
    /// The signals that meet these thresholds, in words (for the message; the team reads
    /// Chinese).
    fn met(&self, s: &Signals) -> Vec<String> {
        let mut out = Vec::new();
        if let (Some(t), Some(v)) = (self.best_rank, s.best_rank)
            && v <= t
        {
            out.push(format!("最高排名 {v} (≤ {t})"));
        }
        if let (Some(t), Some(v)) = (self.label, s.label)
            && label_rank(t) > 0
            && label_rank(v) >= label_rank(t)
        {
            out.push(format!("标签 {} (≥ {})", v.as_str(), t.as_str()));
        }
        if let (Some(t), Some(v)) = (self.z_score, s.z_score)
            && v >= t
        {
            out.push(format!("上升分 {v:.1} (≥ {t})"));
        }
        if let Some(t) = self.platforms
            && s.platforms >= t
        {
            out.push(format!("{} 个榜单 (≥ {t})", s.platforms));
        }
        if let Some(t) = self.kols
            && s.kols >= t
        {
            out.push(format!("KOL {} 位 (≥ {t})", s.kols));
        }
        if let (Some(t), Some(v)) = (self.listed_minutes, s.listed_minutes)
            && v >= t
        {
            out.push(format!("在榜 {v} 分钟 (≥ {t})"));
        }
        out
    }
}

/// `[tiers]`: a tier is reached when at least `signals_needed` of its thresholds are met;
/// the alert gets the highest tier reached, blue when none is.
///
/// Defaults (untuned; teams tune them, as §13's sources say industries do):
/// - rank: Weibo shows 50 rows and most lists 20–50; top 20 is visible (yellow), top 10 is
///   the first screen (orange), top 3 is the national headline (red).
/// - label: 热 / 沸 / 爆 are the platforms' own escalating badges; 爆 is Weibo's highest.
/// - z: 3 is the detector's reference θ_on (a clear rise, yellow); 6 and 10 are two and three
///   times that — a keyword only gets there on a sharp, sustained jump.
/// - platforms: 2 lists is "spread" (§13 "both platforms"), 3 is cross-platform reach,
///   5 of the twelve lists (different audiences: Weibo, Douyin, Baidu, news) is nationwide.
/// - KOLs: one watched account involved is worth a look; two or more is orange (media
///   involvement is one of the scored dimensions in §13's sources). No red on KOLs alone.
/// - minutes on list: 1 h, 3 h, 6 h — duration is the other dimension; most topics leave a
///   list within two hours.
///
/// A `[tiers.<colour>]` table replaces that tier's defaults whole (the signals it lists are
/// the ones that count), so a file says everything about a tier it changes.
///
/// Two signals are needed so one noisy measure (a short list's rank 1, a z spike on a thin
/// baseline) cannot raise a tier alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TierConfig {
    pub signals_needed: usize,
    pub yellow: Thresholds,
    pub orange: Thresholds,
    pub red: Thresholds,
}

impl Default for TierConfig {
    fn default() -> Self {
        TierConfig {
            signals_needed: 2,
            yellow: Thresholds {
                best_rank: Some(20),
                label: Some(Label::Hot),
                z_score: Some(3.0),
                platforms: Some(2),
                kols: Some(1),
                listed_minutes: Some(60),
            },
            orange: Thresholds {
                best_rank: Some(10),
                label: Some(Label::Boiling),
                z_score: Some(6.0),
                platforms: Some(3),
                kols: Some(2),
                listed_minutes: Some(180),
            },
            red: Thresholds {
                best_rank: Some(3),
                label: Some(Label::Explosive),
                z_score: Some(10.0),
                platforms: Some(5),
                kols: None,
                listed_minutes: Some(360),
            },
        }
    }
}

/// A tier and the signals that decided it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub tier: Tier,
    /// The signals that met the tier's thresholds; empty for blue.
    pub because: Vec<String>,
}

impl TierConfig {
    pub fn assess(&self, s: &Signals) -> Assessment {
        let need = self.signals_needed.max(1);
        for (tier, t) in [
            (Tier::Red, &self.red),
            (Tier::Orange, &self.orange),
            (Tier::Yellow, &self.yellow),
        ] {
            let because = t.met(s);
            if because.len() >= need {
                return Assessment { tier, because };
            }
        }
        Assessment {
            tier: Tier::Blue,
            because: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_from_signals() {
        let cfg = TierConfig::default();
        let mut s = Signals::default();
        assert_eq!(cfg.assess(&s).tier, Tier::Blue);
        s.best_rank = Some(2);
        assert_eq!(cfg.assess(&s).tier, Tier::Blue, "one signal is not enough");
        s.label = Some(Label::Hot);
        let a = cfg.assess(&s);
        assert_eq!(a.tier, Tier::Yellow);
        assert_eq!(a.because, ["最高排名 2 (≤ 20)", "标签 热 (≥ 热)"]);
        s.label = Some(Label::Explosive);
        let a = cfg.assess(&s);
        assert_eq!(a.tier, Tier::Red);
        assert_eq!(a.because, ["最高排名 2 (≤ 3)", "标签 爆 (≥ 爆)"]);
        let s = Signals {
            platforms: 3,
            kols: 2,
            z_score: Some(6.5),
            ..Signals::default()
        };
        let a = cfg.assess(&s);
        assert_eq!(a.tier, Tier::Orange);
        assert_eq!(a.because.len(), 3);
    }

    #[test]
    fn a_tier_table_replaces_that_tier_whole() {
        let cfg: TierConfig =
            toml::from_str("[red]\nbest_rank = 1\nkols = 3\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.orange, TierConfig::default().orange);
        assert_eq!(cfg.red.label, None);
        assert_eq!(cfg.red.kols, Some(3));
        assert_eq!(cfg.signals_needed, 2);
    }

    #[test]
    fn commercial_label_and_zero_need() {
        let cfg = TierConfig {
            signals_needed: 0,
            ..TierConfig::default()
        };
        let s = Signals {
            label: Some(Label::Commercial),
            ..Signals::default()
        };
        assert_eq!(cfg.assess(&s).tier, Tier::Blue);
        let s = Signals {
            listed_minutes: Some(400),
            ..Signals::default()
        };
        assert_eq!(cfg.assess(&s).tier, Tier::Red, "0 is read as 1");
    }
}
