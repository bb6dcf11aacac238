//! Candidates from what the lists and the analysis report, with the signals tiers are made
//! of. The keys are stable across polls so the router's dedup works: a keyword by its text,
//! a topic or a list-dynamics mark by platform and normalised title, an event by its first
//! sighting and id (event ids restart with the process; the time keeps them apart).

use crate::analysis::AnalysisUpdate;
use crate::analysis::brand::{BrandSignal, KolReason};
use crate::domain::{Label, Snapshot, Topic};

use super::{Candidate, Kind, Signals};

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Rising keywords, events on a list now, and this poll's list-dynamics candidates. An
/// update rebuilt from stored history (`seeded`) gives none: it is not news.
pub fn from_update(u: &AnalysisUpdate) -> Vec<Candidate> {
    if u.seeded {
        return Vec::new();
    }
    let keywords = u.keywords.iter().filter(|k| k.rising).map(|k| {
        let on = if k.rising_on.as_slice().is_empty() {
            k.platforms.as_slice()
        } else {
            k.rising_on.as_slice()
        };
        Candidate {
            key: format!("kw:{}", k.keyword.as_str()),
            kind: Kind::RisingKeyword,
            title: k.keyword.as_str().to_string(),
            texts: Vec::new(),
            platforms: on.to_vec(),
            kols: Vec::new(),
            signals: Signals {
                z_score: Some(k.score),
                platforms: count(on.len()),
                ..Signals::default()
            },
        }
    });
    let events = u
        .events
        .events
        .iter()
        .filter(|e| e.on_lists)
        .map(|e| Candidate {
            key: format!("event:{}:{}", e.first_seen.timestamp(), e.id),
            kind: Kind::Event,
            title: e.label.clone(),
            texts: e.members.iter().map(|m| m.title.clone()).collect(),
            platforms: e.platforms.iter().map(|p| p.platform).collect(),
            kols: Vec::new(),
            signals: Signals {
                best_rank: e.platforms.iter().map(|p| p.best_rank).min(),
                platforms: count(e.platforms.len()),
                listed_minutes: Some(e.listed_min),
                ..Signals::default()
            },
        });
    let dynamics = u.dynamics.candidates.iter().map(|c| Candidate {
        key: format!("{}:{}:{}", c.kind.id(), c.platform.id(), c.key.norm),
        kind: c.kind.into(),
        title: c.title.clone(),
        texts: Vec::new(),
        platforms: vec![c.platform],
        kols: Vec::new(),
        signals: Signals {
            best_rank: c.rank,
            label: c.step.map(|s| s.to),
            platforms: 1,
            ..Signals::default()
        },
    });
    keywords.chain(events).chain(dynamics).collect()
}

/// Tags several sentinel accounts started using: the accounts are the candidate's KOLs, the
/// detector's z its score, and the lists already carrying the tag its platforms (none: not on
/// a list yet, the early warning). Keyed by tag and flag time, so a later onset is news again.
pub fn from_sentinel(flags: &[crate::analysis::sentinel::SentinelFlag]) -> Vec<Candidate> {
    flags
        .iter()
        .map(|f| Candidate {
            key: format!("sentinel:{}:{}", f.tag, f.flagged_at.timestamp()),
            kind: Kind::SentinelTag,
            title: if f.hashtag {
                format!("#{}#", f.tag)
            } else {
                f.tag.clone()
            },
            texts: Vec::new(),
            platforms: f.on_lists.clone(),
            kols: f.accounts.clone(),
            signals: Signals {
                z_score: Some(f.z),
                platforms: count(f.on_lists.len()),
                kols: count(f.accounts.len()),
                ..Signals::default()
            },
        })
        .collect()
}

/// Every ranked topic of a list, with the KOLs `update` (the same poll's analysis, if at
/// hand) found in it. Its rank is the rank now; a caller that tracks the best rank reached
/// raises `signals.best_rank`.
pub fn from_snapshot(s: &Snapshot, update: Option<&AnalysisUpdate>) -> Vec<Candidate> {
    let kols = |t: &Topic| -> Vec<String> {
        let key = t.key();
        let mentions = update
            .into_iter()
            .flat_map(|u| &u.kol_mentions)
            .filter(|m| m.topic == key)
            .flat_map(|m| &m.mentions);
        let mut names: Vec<String> = mentions.map(|m| m.name.clone()).collect();
        names.sort();
        names.dedup();
        names
    };
    s.ranked
        .iter()
        .map(|t| {
            let kols = kols(t);
            Candidate {
                key: format!("topic:{}:{}", t.platform.id(), t.key().norm),
                kind: Kind::Topic,
                title: t.title.as_str().to_string(),
                texts: Vec::new(),
                platforms: vec![t.platform],
                signals: Signals {
                    best_rank: t.rank,
                    label: (t.label != Label::None).then_some(t.label),
                    platforms: 1,
                    kols: count(kols.len()),
                    listed_minutes: t
                        .onboard
                        .and_then(|on| u32::try_from((s.captured_at - on).num_minutes()).ok()),
                    z_score: None,
                },
                kols,
            }
        })
        .collect()
}

/// Brand watch signals (`analysis::brand`). Keys: a spike and a negative turn by term and
/// the hour they started (a turn lasting hours is one alert), a KOL post by platform and id.
/// The term is in `texts` so keyword rules naming the brand select its alerts.
pub fn from_brand(signals: &[BrandSignal]) -> Vec<Candidate> {
    let hour = |t: &chrono::DateTime<chrono::FixedOffset>| t.format("%Y%m%d%H").to_string();
    signals
        .iter()
        .map(|s| match s {
            BrandSignal::Spike {
                term,
                hour: h,
                spike,
                platforms,
                spiking_on,
                kols,
            } => Candidate {
                key: format!("mention_spike:{term}:{}", hour(h)),
                kind: Kind::MentionSpike,
                title: format!(
                    "{term} 提及量突增：{} 条/小时（基线 {:.1}）",
                    spike.count, spike.baseline
                ),
                texts: vec![term.clone()],
                // Where it spikes; where its posts are when no platform does alone.
                platforms: if spiking_on.is_empty() {
                    platforms.clone()
                } else {
                    spiking_on.clone()
                },
                kols: kols.clone(),
                signals: Signals {
                    z_score: Some(spike.z),
                    platforms: count(platforms.len()),
                    kols: count(kols.len()),
                    ..Signals::default()
                },
            },
            BrandSignal::NegativeTurn {
                term,
                hour: h,
                shares,
                ..
            } => {
                let pct = |s: crate::analysis::brand::Share| s.ratio() * 100.0;
                let mut platforms: Vec<_> = shares.examples.iter().map(|e| e.platform).collect();
                platforms.sort();
                platforms.dedup();
                Candidate {
                    key: format!("negative_turn:{term}:{}", hour(h)),
                    kind: Kind::NegativeTurn,
                    title: format!(
                        "{term} 负面占比上升：{:.0}%（{}/{} 条），此前 {:.0}%",
                        pct(shares.window),
                        shares.window.negative,
                        shares.window.total,
                        pct(shares.baseline)
                    ),
                    texts: std::iter::once(term.clone())
                        .chain(
                            shares
                                .examples
                                .iter()
                                .map(|e| format!("{}：{}", e.author, e.text)),
                        )
                        .collect(),
                    signals: Signals {
                        z_score: Some(shares.z),
                        platforms: count(platforms.len()),
                        ..Signals::default()
                    },
                    platforms,
                    kols: Vec::new(),
                }
            }
            BrandSignal::KolAuthor {
                term, kol, post, ..
            } => {
                let (name, who) = match kol {
                    KolReason::Listed(n) => (n.clone(), n.clone()),
                    KolReason::Verified(f) => (
                        post.author.clone(),
                        format!("{}（认证，粉丝 {f}）", post.author),
                    ),
                };
                Candidate {
                    key: format!("kol_author:{}:{}", post.platform.id(), post.id),
                    kind: Kind::KolAuthor,
                    title: format!("{who} 发帖提及 {term}"),
                    texts: vec![term.clone(), post.text.clone()],
                    platforms: vec![post.platform],
                    kols: vec![name],
                    signals: Signals {
                        platforms: 1,
                        kols: 1,
                        ..Signals::default()
                    },
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::analysis::dynamics::{Candidate as Mark, Kind as MarkKind, LabelStep};
    use crate::analysis::events::{Event, PlatformSpan};
    use crate::analysis::{
        AnalysisUpdate, Direction, KeywordRow, KolSpan, PlatformCounts, TopicKols,
    };
    use crate::domain::{Platform, TopicKey};
    use crate::rules::tests::at;

    fn row(keyword: &str, rising: bool) -> KeywordRow {
        let titles = PlatformCounts::of([(Platform::Weibo, 2), (Platform::Douyin, 1)]);
        KeywordRow {
            keyword: keyword.into(),
            score: 4.5,
            share: 0.05,
            rising,
            cooling: false,
            since: None,
            cross_platform: true,
            rising_on: Default::default(),
            direction: Direction::Up,
            platforms: titles.platforms(),
            titles,
            history: vec![0.01, 0.05].into(),
        }
    }

    fn update() -> AnalysisUpdate {
        let now = at("2026-12-07T10:00:00+08:00");
        let span = |platform, best_rank| PlatformSpan {
            platform,
            first_seen: now,
            best_rank,
            heat: None,
            on_list: true,
        };
        let mut u = AnalysisUpdate {
            at: now,
            platform: Platform::Weibo,
            keywords: vec![row("某事", true), row("平稳", false)],
            entries: Vec::new(),
            rising: Vec::new(),
            onsets: Vec::new(),
            cross_platform: Vec::new(),
            kol_mentions: vec![TopicKols {
                topic: TopicKey::new(Platform::Weibo, "某某回应"),
                title: "某某回应".into(),
                mentions: vec![KolSpan {
                    kol: 0,
                    name: "某某".into(),
                    span: 0..6,
                }],
            }],
            kol_trends: Vec::new(),
            warming_up: false,
            flags_from: None,
            seeded: false,
            dynamics: Default::default(),
            events: Default::default(),
        };
        u.dynamics.candidates.push(Mark {
            platform: Platform::Weibo,
            kind: MarkKind::LabelStep,
            key: TopicKey::new(Platform::Weibo, "#某事#"),
            title: "某事".into(),
            at: now,
            since: now,
            rank: Some(4),
            heat: None,
            step: Some(LabelStep {
                from: Label::Hot,
                to: Label::Explosive,
            }),
            returned: None,
            evidence: String::new(),
        });
        let mut events = crate::analysis::events::Events::default();
        events.events.push(Arc::new(Event {
            id: 7,
            label: "某事".into(),
            platforms: vec![span(Platform::Weibo, 4), span(Platform::Baidu, 2)],
            members: Vec::new(),
            first_seen: now,
            last_seen: now,
            on_lists: true,
            listed_min: 90,
            heat: None,
            score: 1.0,
        }));
        u.events = Arc::new(events);
        u
    }

    #[test]
    fn candidates_from_an_update() {
        let c = from_update(&update());
        let kinds: Vec<_> = c.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [Kind::RisingKeyword, Kind::Event, Kind::LabelStep]);
        assert_eq!(c[0].key, "kw:某事");
        assert_eq!(c[0].platforms, [Platform::Weibo, Platform::Douyin]);
        assert_eq!(c[0].signals.z_score, Some(4.5));
        let e = &c[1];
        assert_eq!(e.signals.best_rank, Some(2));
        assert_eq!(e.signals.platforms, 2);
        assert_eq!(e.signals.listed_minutes, Some(90));
        assert!(e.key.starts_with("event:") && e.key.ends_with(":7"));
        assert_eq!(c[2].key, "label_step:weibo:某事");
        assert_eq!(c[2].signals.label, Some(Label::Explosive));
        let mut seeded = update();
        seeded.seeded = true;
        assert!(from_update(&seeded).is_empty());
    }

    #[test]
    fn candidates_from_a_list() {
        let now = at("2026-12-07T10:00:00+08:00");
        let mut s = Snapshot::new(Platform::Weibo, now);
        let mut t = Topic::new(Platform::Weibo, Some(1), "某某回应");
        t.label = Label::Boiling;
        t.onboard = Some(at("2026-12-07T08:30:00+08:00"));
        s.ranked.push(t);
        s.ranked.push(Topic::new(Platform::Weibo, Some(2), "别的"));
        let u = update();
        let c = from_snapshot(&s, Some(&u));
        assert_eq!(c[0].kols, ["某某"]);
        assert_eq!(
            c[0].signals,
            Signals {
                best_rank: Some(1),
                label: Some(Label::Boiling),
                z_score: None,
                platforms: 1,
                kols: 1,
                listed_minutes: Some(90),
            }
        );
        assert!(c[1].kols.is_empty() && c[1].signals.label.is_none());
        assert!(from_snapshot(&s, None)[0].kols.is_empty());
    }

    #[test]
    fn sentinel_flags_become_candidates() {
        use crate::analysis::sentinel::SentinelFlag;
        let at = chrono::DateTime::parse_from_rfc3339("2026-08-15T12:05:00+08:00").unwrap();
        let f = SentinelFlag {
            tag: "胖东来 刑释人员".into(),
            hashtag: true,
            accounts: vec!["京东健康".into(), "中国环境".into(), "辽源发布".into()],
            first_used: at,
            flagged_at: at,
            z: 3.8,
            on_lists: Vec::new(),
        };
        let c = from_sentinel(std::slice::from_ref(&f));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].kind, Kind::SentinelTag);
        assert_eq!(c[0].title, "#胖东来 刑释人员#");
        assert_eq!(c[0].signals.kols, 3);
        assert_eq!(c[0].signals.platforms, 0);
        assert_eq!(c[0].signals.z_score, Some(3.8));
        let later = SentinelFlag {
            flagged_at: at + chrono::Duration::hours(30),
            ..f
        };
        assert_ne!(from_sentinel(&[later])[0].key, c[0].key);
    }

    #[test]
    fn candidates_from_brand_signals() {
        use crate::analysis::brand::{Example, NegativeShares, Share};
        use crate::analysis::mentions::Spike;
        let hour = at("2026-12-07T10:00:00+08:00");
        let example = Example {
            platform: Platform::Weibo,
            id: "5332257478803780".into(),
            author: "某媒体".into(),
            text: "胖东来回应".into(),
            score: -0.8,
            reach: 12,
        };
        let signals = [
            BrandSignal::Spike {
                term: "胖东来".into(),
                hour,
                spike: Spike {
                    hour_index: 0,
                    count: 42,
                    baseline: 3.04,
                    z: 7.5,
                    onset: true,
                },
                platforms: vec![Platform::Weibo, Platform::Tieba],
                spiking_on: vec![Platform::Weibo],
                kols: vec!["某大V".into()],
            },
            BrandSignal::NegativeTurn {
                term: "胖东来".into(),
                at: hour + chrono::Duration::minutes(20),
                hour,
                shares: NegativeShares {
                    window: Share {
                        negative: 24,
                        total: 60,
                    },
                    baseline: Share {
                        negative: 10,
                        total: 100,
                    },
                    z: 4.2,
                    examples: vec![example.clone()],
                },
            },
            BrandSignal::KolAuthor {
                term: "胖东来".into(),
                kol: KolReason::Verified(2_000_000),
                post: example,
                created_at: Some(hour),
            },
        ];
        let c = from_brand(&signals);
        let kinds: Vec<_> = c.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [Kind::MentionSpike, Kind::NegativeTurn, Kind::KolAuthor]
        );
        assert_eq!(c[0].key, "mention_spike:胖东来:2026120710");
        assert_eq!(c[0].title, "胖东来 提及量突增：42 条/小时（基线 3.0）");
        assert_eq!(c[0].signals.z_score, Some(7.5));
        assert_eq!(c[0].platforms, [Platform::Weibo], "where it spikes");
        assert_eq!((c[0].signals.platforms, c[0].signals.kols), (2, 1));
        // The turn is keyed by the hour it started, not the minute it was seen.
        assert_eq!(c[1].key, "negative_turn:胖东来:2026120710");
        assert_eq!(c[1].title, "胖东来 负面占比上升：40%（24/60 条），此前 10%");
        assert_eq!(c[1].texts, ["胖东来", "某媒体：胖东来回应"]);
        assert_eq!(c[1].signals.z_score, Some(4.2));
        assert_eq!(c[2].key, "kol_author:weibo:5332257478803780");
        assert_eq!(c[2].kols, ["某媒体"]);
        assert!(c[2].title.contains("粉丝 2000000") && c[2].title.ends_with("发帖提及 胖东来"));
        // Every candidate names the term, so a keyword rule on the brand selects it.
        assert!(
            c.iter()
                .all(|c| c.title.contains("胖东来") || c.texts.iter().any(|t| t == "胖东来"))
        );
    }
}
