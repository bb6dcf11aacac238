//! A routed delivery as a channel-neutral message: the headline, what it is and where, the
//! tier and why, and the rule that sent it. One alert reads as itself; a digest or a batch
//! released after quiet hours lists its items, highest tier first.

use crate::push::Message;
use crate::rules::{Delivery, DeliveryKind, Kind, Routed};

/// What a kind is called in the messages (the team reads Chinese).
pub fn kind_zh(kind: Kind) -> &'static str {
    match kind {
        Kind::RisingKeyword => "上升关键词",
        Kind::Topic => "话题",
        Kind::Event => "跨平台事件",
        Kind::Withdrawn => "疑似撤热搜",
        Kind::Anchored => "排名锚定",
        Kind::LabelStep => "标签升级",
        Kind::Watched => "关注对象",
        Kind::SentinelTag => "哨兵账号新话题",
        Kind::MentionSpike => "提及量突增",
        Kind::NegativeTurn => "负面转向",
        Kind::KolAuthor => "KOL 发帖",
    }
}

/// The message for `d` (every channel of the delivery gets the same one).
pub fn message(d: &Delivery) -> Message {
    let mut items: Vec<&Routed> = d.items.iter().collect();
    items.sort_by_key(|r| std::cmp::Reverse(r.assessment.tier));
    let (title, body) = match (d.kind, items.as_slice()) {
        (DeliveryKind::Immediate, [one]) => (one.candidate.title.clone(), detail(one)),
        (kind, [one]) => (
            one.candidate.title.clone(),
            format!("{}\n\n_{}_", detail(one), released(kind)),
        ),
        (kind, _) => {
            let lines: Vec<String> = items.iter().map(|r| line(r)).collect();
            (
                format!("{}：{} 条提醒", d.rule, items.len()),
                format!("{}\n\n_{}_", lines.join("\n"), released(kind)),
            )
        }
    };
    let mut msg = Message::new(d.tier, title, format!("{body}\n\n规则 {}", d.rule));
    msg.mentions = d.mentions.clone();
    msg.rule = d.rule.clone();
    msg.platform = items
        .first()
        .and_then(|r| r.candidate.platforms.first())
        .map(|p| p.id().to_string())
        .unwrap_or_default();
    msg
}

fn released(kind: DeliveryKind) -> &'static str {
    match kind {
        DeliveryKind::Immediate => "即时提醒",
        DeliveryKind::AfterQuiet => "静默时段内的提醒，时段结束后送达",
        DeliveryKind::Digest => "汇总",
    }
}

/// `话题 · 微博 贴吧 · 关键词组 品牌`
fn what(r: &Routed) -> String {
    let c = &r.candidate;
    let mut parts = vec![kind_zh(c.kind).to_string()];
    if !c.platforms.is_empty() {
        let tags: Vec<&str> = c.platforms.iter().map(|p| p.tag()).collect();
        parts.push(tags.join(" "));
    }
    if let Some(g) = &r.group {
        parts.push(format!("关键词组 {g}"));
    }
    parts.join(" · ")
}

/// One alert in full.
fn detail(r: &Routed) -> String {
    let c = &r.candidate;
    let a = &r.assessment;
    let mut out = vec![format!("**{}**", what(r))];
    let because = if a.because.is_empty() {
        String::new()
    } else {
        format!("：{}", a.because.join("，"))
    };
    out.push(format!("{} {}{because}", a.tier.emoji(), a.tier.zh()));
    if !c.kols.is_empty() {
        out.push(format!("KOL：{}", c.kols.join("、")));
    }
    let others: Vec<&str> = c
        .texts
        .iter()
        .map(String::as_str)
        .filter(|t| *t != c.title)
        .take(5)
        .collect();
    if !others.is_empty() {
        out.push(format!("相关标题：{}", others.join(" / ")));
    }
    out.push(format!("时间 {}", r.at.format("%m-%d %H:%M")));
    out.join("\n")
}

/// One item of a digest.
fn line(r: &Routed) -> String {
    format!(
        "- {} **{}** · {} · {}",
        r.assessment.tier.emoji(),
        r.candidate.title,
        what(r),
        r.at.format("%H:%M")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Platform, Tier};
    use crate::rules::{Assessment, Candidate, Signals};

    fn routed(title: &str, tier: Tier, kind: Kind) -> Routed {
        Routed {
            candidate: Candidate {
                key: format!("k:{title}"),
                kind,
                title: title.into(),
                texts: vec![title.into(), "台风登陆 广东".into()],
                platforms: vec![Platform::Weibo, Platform::Douyin],
                kols: vec!["人民日报".into()],
                signals: Signals::default(),
            },
            assessment: Assessment {
                tier,
                because: vec!["最高排名 2 (≤ 3)".into(), "标签 爆 (≥ 爆)".into()],
            },
            group: Some("台风".into()),
            at: chrono::DateTime::parse_from_rfc3339("2025-10-15T23:40:00+08:00").unwrap(),
        }
    }

    fn delivery(kind: DeliveryKind, items: Vec<Routed>) -> Delivery {
        Delivery {
            rule: "值班".into(),
            kind,
            tier: items.iter().map(|r| r.assessment.tier).max().unwrap(),
            channels: vec!["ding".into()],
            mentions: vec!["13800000000".into()],
            items,
        }
    }

    #[test]
    fn one_alert_reads_as_itself() {
        let d = delivery(
            DeliveryKind::Immediate,
            vec![routed("台风桦加沙", Tier::Red, Kind::Event)],
        );
        let m = message(&d);
        assert_eq!(m.title, "台风桦加沙");
        assert_eq!(m.tier, Tier::Red);
        assert_eq!(m.mentions, ["13800000000"]);
        assert_eq!((m.rule.as_str(), m.platform.as_str()), ("值班", "weibo"));
        for part in [
            "**跨平台事件 · 微博 抖音 · 关键词组 台风**",
            "🟥 红色 一级：最高排名 2 (≤ 3)，标签 爆 (≥ 爆)",
            "KOL：人民日报",
            "相关标题：台风登陆 广东",
            "时间 10-15 23:40",
            "规则 值班",
        ] {
            assert!(
                m.body_markdown.contains(part),
                "{part} in {}",
                m.body_markdown
            );
        }
    }

    #[test]
    fn a_digest_lists_its_items_highest_tier_first() {
        let d = delivery(
            DeliveryKind::Digest,
            vec![
                routed("高考", Tier::Blue, Kind::Topic),
                routed("地震", Tier::Orange, Kind::Withdrawn),
            ],
        );
        let m = message(&d);
        assert_eq!(m.title, "值班：2 条提醒");
        assert_eq!(m.tier, Tier::Orange);
        let first = m.body_markdown.lines().next().unwrap();
        assert!(first.starts_with("- 🟧 **地震** · 疑似撤热搜"), "{first}");
        assert!(m.body_markdown.contains("_汇总_"));
    }

    #[test]
    fn an_alert_held_over_quiet_hours_says_so() {
        let d = delivery(
            DeliveryKind::AfterQuiet,
            vec![routed("高考", Tier::Yellow, Kind::Topic)],
        );
        assert!(message(&d).body_markdown.contains("时段结束后送达"));
    }
}
