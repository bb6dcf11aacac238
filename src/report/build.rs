//! [`build`]: a [`Report`] from the history store, section by section.

use std::collections::{BTreeMap, HashMap};

use chrono::Duration;

use super::{
    CrossEvent, EventTitle, FlaggedTopic, Options, Period, PlatformOverview, Report, RisingKeyword,
    Spread, TopArrival, TopicRow, UserNote, WatchItem, WatchKind, kind_zh,
};
use crate::analysis::dynamics::{self, Candidate};
use crate::analysis::events::{Events, StoredTitle};
use crate::domain::normalize::normalize_text;
use crate::domain::time::format_minutes;
use crate::domain::{Platform, SafeText, Snapshot, Tier, TopicKey};
use crate::rules::Signals;
use crate::store::{HistoryStore, KeywordPoint, PeriodTopic, Result};
use crate::triage::Triage;

/// Titles of one event a report lists.
const EVENT_TITLES: usize = 8;
/// Rows of 下期关注 per kind.
const WATCH_PER_KIND: usize = 5;
/// A topic is still climbing when it gained at least this many places over
/// [`Options::climb_minutes`] (or was not on the list then)...
const CLIMB_PLACES: u32 = 3;
/// ...and stands at rank ≤ this on the last list.
const CLIMB_TOP: u32 = 20;

/// What the period's polls of one platform show beyond the topic summary.
struct PlatformPolls {
    overview: PlatformOverview,
    /// Ranks (and heat) on the last list of the period.
    last: HashMap<TopicKey, (u32, Option<u64>)>,
    /// Ranks on the list [`Options::climb_minutes`] before the last one.
    before: Option<HashMap<TopicKey, u32>>,
}

/// The report of `period` from `store`. Reads only; a failed read is the error (it names
/// the store and the read), while a triage record that does not parse is skipped and named
/// in the report's notes.
pub fn build(store: &dyn HistoryStore, period: &Period, opts: &Options) -> Result<Report> {
    let (from, to) = (period.from, period.to);
    let mut notes = Vec::new();
    let latest_poll = store.latest_poll_at()?;

    let mut polls: BTreeMap<Platform, PlatformPolls> = BTreeMap::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    for p in Platform::ALL {
        let warm_from = from - Duration::minutes(opts.warmup_minutes.max(0));
        let snaps = store.snapshots_between(p, warm_from, to)?;
        let Some(pp) = platform_polls(&snaps, period, opts) else {
            continue;
        };
        // Candidates of the warm-up polls are the previous period's.
        let found = dynamics::run_snapshots(snaps, &opts.dynamics);
        candidates.extend(found.candidates.into_iter().filter(|c| c.at >= from));
        polls.insert(p, pp);
    }
    candidates.sort_by(|a, b| {
        (a.at, a.platform, a.kind, a.rank).cmp(&(b.at, b.platform, b.kind, b.rank))
    });
    let dynamics_total = candidates.len();
    let withdrawn_total = candidates
        .iter()
        .filter(|c| c.kind == dynamics::Kind::Withdrawn)
        .count();
    candidates.truncate(opts.max_rows);

    let topics = store.topics_between(from, to, opts.top_n)?;
    let rows: Vec<TopicRow> = topics
        .iter()
        .map(|t| topic_row(t, polls.get(&t.key.platform), period))
        .collect();
    for pp in polls.values_mut() {
        let mine = topics
            .iter()
            .filter(|t| t.key.platform == pp.overview.platform);
        pp.overview.topics = count(mine.clone());
        pp.overview.new_topics = count(mine.filter(|t| t.new));
    }

    let mut top = Vec::new();
    for p in polls.keys() {
        let mut mine: Vec<&TopicRow> = rows.iter().filter(|r| r.platform == *p).collect();
        mine.sort_by(|a, b| {
            (
                a.peak_rank.is_none(),
                a.peak_rank,
                b.minutes_on_list,
                b.peak_heat,
            )
                .cmp(&(
                    b.peak_rank.is_none(),
                    b.peak_rank,
                    a.minutes_on_list,
                    a.peak_heat,
                ))
        });
        top.extend(mine.into_iter().take(opts.top_per_platform).cloned());
    }

    let mut new_entries: Vec<TopicRow> = rows.iter().filter(|r| r.new).cloned().collect();
    new_entries.sort_by(|a, b| {
        (a.peak_rank.is_none(), a.peak_rank, a.first_at, a.platform).cmp(&(
            b.peak_rank.is_none(),
            b.peak_rank,
            b.first_at,
            b.platform,
        ))
    });
    let new_total = new_entries.len();
    new_entries.truncate(opts.max_rows);

    let points = store.keyword_points_between(from, to)?;
    let mut rising = rising_keywords(&points, &topics);
    let still: Vec<RisingKeyword> = rising.iter().filter(|k| k.still_rising).cloned().collect();
    rising.truncate(opts.max_rows);

    let stories = store.story_titles_between(from, to)?;
    let stored: Vec<StoredTitle> = stories
        .iter()
        .map(|s| StoredTitle {
            story: s.story.clone(),
            key: s.key.clone(),
            title: s.title.clone(),
            first_seen: s.first_seen,
            last_seen: s.last_seen,
            best_rank: s.best_rank,
            listed: polls
                .get(&s.key.platform)
                .and_then(|pp| pp.last.get(&s.key).copied()),
        })
        .collect();
    let stored_events = Events::from_stored(to, &stored);
    let events = cross_events(&stored_events, opts.max_rows);

    let by_key: HashMap<&TopicKey, &TopicRow> = topics.iter().map(|t| &t.key).zip(&rows).collect();
    let flagged = flagged_topics(store, period, &by_key, &stored_events, opts, &mut notes)?;
    let (tier, tier_because) = flagged
        .iter()
        .filter(|f| f.tier > Tier::Blue)
        .max_by_key(|f| f.tier)
        .map(|f| {
            let why = format!("{} 「{}」: {}", f.tier.zh(), f.title, f.because.join(", "));
            (f.tier, vec![why])
        })
        .unwrap_or((Tier::Blue, Vec::new()));

    let watch = watch_next(&still, &rows, &polls, &flagged);
    notes.extend(method_notes(period, opts));

    let kind = kind_zh(period.spec);
    Ok(Report {
        title: format!("热搜{kind} {}", period.label()),
        period: *period,
        source: store.describe(),
        latest_poll,
        tier,
        tier_because,
        overview: polls.into_values().map(|p| p.overview).collect(),
        top,
        new_entries,
        new_total,
        rising,
        events,
        flagged,
        dynamics: candidates,
        dynamics_total,
        withdrawn_total,
        watch,
        notes,
    })
}

fn count<'a>(it: impl Iterator<Item = &'a PeriodTopic>) -> u32 {
    u32::try_from(it.count()).unwrap_or(u32::MAX)
}

/// Overview, last list and the list to compare it with, of one platform's polls (warm-up
/// included); `None` when none of them is in the period.
fn platform_polls(snaps: &[Snapshot], period: &Period, opts: &Options) -> Option<PlatformPolls> {
    let inside: Vec<&Snapshot> = snaps
        .iter()
        .filter(|s| s.captured_at >= period.from)
        .collect();
    let (first, last) = (*inside.first()?, *inside.last()?);
    let mut gaps: Vec<i64> = inside
        .windows(2)
        .map(|w| (w[1].captured_at - w[0].captured_at).num_minutes())
        .collect();
    gaps.sort_unstable();
    let spacing_min = gaps
        .get(gaps.len() / 2)
        .map(|g| u32::try_from((*g).max(1)).unwrap_or(u32::MAX));
    let mut at_one: BTreeMap<&str, u32> = BTreeMap::new();
    for s in &inside {
        if let Some(t) = s.ranked.iter().find(|t| t.rank == Some(1)) {
            *at_one.entry(t.title.as_str()).or_default() += 1;
        }
    }
    let leader = at_one
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(t, n)| (t.to_string(), n));
    let ranks = |s: &Snapshot| -> Vec<(TopicKey, u32, Option<u64>)> {
        s.ranked
            .iter()
            .filter_map(|t| Some((t.key(), t.rank?, t.heat)))
            .collect()
    };
    let cutoff = last.captured_at - Duration::minutes(opts.climb_minutes);
    let before = inside
        .iter()
        .rev()
        .find(|s| s.captured_at <= cutoff)
        .map(|s| ranks(s).into_iter().map(|(k, r, _)| (k, r)).collect());
    Some(PlatformPolls {
        overview: PlatformOverview {
            platform: last.platform,
            polls: u32::try_from(inside.len()).unwrap_or(u32::MAX),
            first_poll: first.captured_at,
            last_poll: last.captured_at,
            spacing_min,
            topics: 0,
            new_topics: 0,
            leader,
        },
        last: ranks(last)
            .into_iter()
            .map(|(k, r, h)| (k, (r, h)))
            .collect(),
        before,
    })
}

fn topic_row(t: &PeriodTopic, polls: Option<&PlatformPolls>, period: &Period) -> TopicRow {
    let minutes_on_list = polls.and_then(|p| p.overview.spacing_min).map(|gap| {
        let whole = u32::try_from(period.minutes().max(0)).unwrap_or(u32::MAX);
        t.polls.saturating_mul(gap).min(whole)
    });
    TopicRow {
        platform: t.key.platform,
        title: SafeText::line(&t.title).into_string(),
        peak_rank: t.peak_rank,
        peak_heat: t.peak_heat,
        label: t.label,
        first_at: t.first_at,
        last_at: t.last_at,
        polls: t.polls,
        minutes_on_list,
        first_seen: t.first_seen,
        new: t.new,
        rank_at_end: polls.and_then(|p| p.last.get(&t.key)).map(|(r, _)| *r),
    }
}

/// Per keyword flagged rising in the period: onset, peak, whether it still rises, and its
/// lead to the first title with it in the top N (trend-detection.md §7), by peak score.
fn rising_keywords(points: &[KeywordPoint], topics: &[PeriodTopic]) -> Vec<RisingKeyword> {
    let last_analysed = points.iter().map(|p| p.at).max();
    let mut by_word: BTreeMap<String, RisingKeyword> = BTreeMap::new();
    for p in points.iter().filter(|p| p.rising) {
        let word = SafeText::line(&p.keyword).into_string();
        if word.is_empty() {
            continue;
        }
        let k = by_word.entry(word.clone()).or_insert(RisingKeyword {
            keyword: word,
            onset: p.at,
            last_rising: p.at,
            rising_points: 0,
            peak_score: p.score,
            peak_share: p.share,
            still_rising: false,
            titles: 0,
            reached_top: None,
            lead_min: None,
            top_before_onset: false,
        });
        k.onset = k.onset.min(p.at);
        k.last_rising = k.last_rising.max(p.at);
        k.rising_points += 1;
        k.peak_score = k.peak_score.max(p.score);
        k.peak_share = k.peak_share.max(p.share);
    }
    let folded: Vec<(String, &PeriodTopic)> = topics
        .iter()
        .map(|t| (normalize_text(&t.title), t))
        .collect();
    let mut out: Vec<RisingKeyword> = by_word.into_values().collect();
    for k in &mut out {
        k.still_rising = Some(k.last_rising) == last_analysed;
        let word = normalize_text(&k.keyword);
        let with: Vec<&PeriodTopic> = folded
            .iter()
            .filter(|(f, _)| f.contains(&word))
            .map(|(_, t)| *t)
            .collect();
        k.titles = u32::try_from(with.len()).unwrap_or(u32::MAX);
        k.top_before_onset = with.iter().any(|t| t.top_at.is_some_and(|a| a < k.onset));
        if !k.top_before_onset {
            k.reached_top = with
                .iter()
                .filter_map(|t| Some((t.top_at?, *t)))
                .min_by_key(|(a, t)| (*a, t.key.platform))
                .map(|(at, t)| TopArrival {
                    platform: t.key.platform,
                    title: SafeText::line(&t.title).into_string(),
                    at,
                });
            k.lead_min = k
                .reached_top
                .as_ref()
                .map(|r| (r.at - k.onset).num_minutes());
        }
    }
    out.sort_by(|a, b| {
        b.peak_score
            .total_cmp(&a.peak_score)
            .then(a.onset.cmp(&b.onset))
            .then(a.keyword.cmp(&b.keyword))
    });
    out
}

/// Stories on two or more platforms, most platforms first, then earliest.
fn cross_events(events: &Events, max: usize) -> Vec<CrossEvent> {
    let mut out: Vec<CrossEvent> = events
        .events
        .iter()
        .filter(|e| e.platforms.len() >= 2)
        .map(|e| {
            let start = e.platforms.first().map_or(e.first_seen, |p| p.first_seen);
            CrossEvent {
                label: SafeText::line(&e.label).into_string(),
                first_seen: e.first_seen,
                last_seen: e.last_seen,
                spread: e
                    .platforms
                    .iter()
                    .map(|p| Spread {
                        platform: p.platform,
                        first_seen: p.first_seen,
                        after_min: (p.first_seen - start).num_minutes(),
                        best_rank: (p.best_rank != crate::analysis::events::UNKNOWN_RANK)
                            .then_some(p.best_rank),
                    })
                    .collect(),
                titles: e
                    .members
                    .iter()
                    .take(EVENT_TITLES)
                    .map(|m| EventTitle {
                        platform: m.platform,
                        title: SafeText::line(&m.title).into_string(),
                        first_seen: m.first_seen,
                    })
                    .collect(),
                on_lists: e.on_lists,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (b.spread.len(), a.first_seen, &a.label).cmp(&(a.spread.len(), b.first_seen, &b.label))
    });
    out.truncate(max);
    out
}

/// Topics flagged or noted by any user and on a list in the period, each once with everyone
/// who flagged it and every note, and its tier from the period's signals.
fn flagged_topics(
    store: &dyn HistoryStore,
    period: &Period,
    rows: &HashMap<&TopicKey, &TopicRow>,
    events: &Events,
    opts: &Options,
    notes: &mut Vec<String>,
) -> Result<Vec<FlaggedTopic>> {
    let mut out: BTreeMap<TopicKey, FlaggedTopic> = BTreeMap::new();
    for record in store.load_triage()? {
        let user = SafeText::line(&record.user).into_string();
        let triage: Triage = match serde_json::from_str(&record.json) {
            Ok(t) => t,
            Err(e) => {
                notes.push(format!(
                    "{user} 的标记无法读取 (triage of {user} unreadable: {e})"
                ));
                continue;
            }
        };
        for e in triage.topics.values() {
            let noted = e
                .note
                .as_deref()
                .map(SafeText::line)
                .filter(|n| !n.is_empty());
            if !(e.flagged || noted.is_some())
                || e.last_observed < period.from
                || e.first_seen > period.to
            {
                continue;
            }
            let key = TopicKey::new(e.platform, &e.title);
            let row = rows.get(&key);
            let f = out.entry(key.clone()).or_insert_with(|| FlaggedTopic {
                platform: e.platform,
                title: SafeText::line(&e.title).into_string(),
                flagged_by: Vec::new(),
                notes: Vec::new(),
                peak_rank: row.and_then(|r| r.peak_rank),
                rank_at_end: row.and_then(|r| r.rank_at_end),
                tier: Tier::Blue,
                because: Vec::new(),
            });
            if e.flagged {
                f.flagged_by.push(user.clone());
            }
            if let Some(n) = noted {
                f.notes.push(UserNote {
                    user: user.clone(),
                    note: n.into_string(),
                });
            }
            if f.tier == Tier::Blue && f.because.is_empty() {
                let signals = Signals {
                    best_rank: row.and_then(|r| r.peak_rank),
                    label: row.map(|r| r.label).filter(|l| !l.is_none()),
                    z_score: None,
                    platforms: u32::try_from(events.platform_count(&key).max(1))
                        .unwrap_or(u32::MAX),
                    kols: 0,
                    listed_minutes: row.and_then(|r| r.minutes_on_list),
                };
                let a = opts.tiers.assess(&signals);
                f.tier = a.tier;
                f.because = a.because;
            }
        }
    }
    Ok(out.into_values().collect())
}

/// 下期关注: keywords rising at the last analysed poll, topics still climbing on the last list,
/// flagged topics still listed.
fn watch_next(
    still: &[RisingKeyword],
    rows: &[TopicRow],
    polls: &BTreeMap<Platform, PlatformPolls>,
    flagged: &[FlaggedTopic],
) -> Vec<WatchItem> {
    let mut out: Vec<WatchItem> = still
        .iter()
        .take(WATCH_PER_KIND)
        .map(|k| WatchItem {
            kind: WatchKind::Keyword,
            platform: None,
            text: k.keyword.clone(),
            why: format!(
                "仍在上升 still rising at {} (since {}, score {:.1})",
                k.last_rising.format("%H:%M"),
                k.onset.format("%m-%d %H:%M"),
                k.peak_score
            ),
        })
        .collect();
    let mut climbing: Vec<(u32, i64, &TopicRow)> = rows
        .iter()
        .filter_map(|r| {
            let now = r.rank_at_end.filter(|&n| n <= CLIMB_TOP)?;
            if r.peak_rank != Some(now) {
                return None;
            }
            let before = polls.get(&r.platform)?.before.as_ref()?;
            let key = TopicKey::new(r.platform, &r.title);
            let gain = match before.get(&key) {
                Some(&b) if b >= now + CLIMB_PLACES => i64::from(b - now),
                Some(_) => return None,
                None => i64::MAX,
            };
            Some((now, gain, r))
        })
        .collect();
    climbing.sort_by(|a, b| (a.0, b.1, a.2.platform).cmp(&(b.0, a.1, b.2.platform)));
    out.extend(
        climbing
            .into_iter()
            .take(WATCH_PER_KIND)
            .map(|(now, gain, r)| {
                let how = if gain == i64::MAX {
                    "新进榜 newly on the list".to_string()
                } else {
                    format!("{gain} 位 up {gain} places")
                };
                WatchItem {
                    kind: WatchKind::Topic,
                    platform: Some(r.platform),
                    text: r.title.clone(),
                    why: format!(
                        "仍在攀升 still climbing: #{now} at the end, {how} within the last hour"
                    ),
                }
            }),
    );
    out.extend(
        flagged
            .iter()
            .filter_map(|f| Some((f.rank_at_end?, f)))
            .take(WATCH_PER_KIND)
            .map(|(rank, f)| WatchItem {
                kind: WatchKind::Flagged,
                platform: Some(f.platform),
                text: f.title.clone(),
                why: format!(
                    "已标记且仍在榜 flagged by {} and still listed at #{rank}",
                    f.flagged_by.join(", ")
                ),
            }),
    );
    out
}

/// How each section is chosen, and its limits, as the report states them.
fn method_notes(period: &Period, opts: &Options) -> Vec<String> {
    vec![
        format!(
            "时段 Period: {} (China time), {}; the history store's polls in it, both ends included.",
            period.label(),
            format_minutes(u32::try_from(period.minutes().max(0)).unwrap_or(u32::MAX)),
        ),
        "在榜时长 Time on list ≈ polls on the list × the platform's usual gap between polls: gaps and missed polls are not told apart.".into(),
        format!(
            "热点 TOP: the first {} topics of each platform by best rank in the period, then time on the list, then heat. Heat is each platform's own figure and not comparable across platforms.",
            opts.top_per_platform
        ),
        "新上榜 New entries: first seen ever inside the period, as far as the store remembers (older polls expire with retention).".into(),
        format!(
            "上升关键词 Rising keywords: flagged rising by the detector at a stored poll of the period; lead = minutes from that onset to the first title with the keyword at rank ≤ {} (trend-detection §7). A keyword already rising before the period shows the period's first rising poll as its onset.",
            opts.top_n
        ),
        "跨平台事件 Cross-platform events: stories the analysis grouped (lexical similarity) on two or more platforms; the order is when each platform first showed a title of it.".into(),
        "标记话题 Flagged topics: flagged or noted by any user and on a list in the period; their tier comes from the period's best rank, label, platforms and time on the list (the configured tiers), and sets the report's tier.".into(),
        format!(
            "榜单异动 List dynamics: candidates for a person to check, never proof (withdrawn, anchored, label steps), from replaying the period's stored polls with {} min before it.",
            opts.warmup_minutes
        ),
        format!(
            "下期关注 What to watch next: keywords rising at the last analysed poll; topics at their best rank in the top {CLIMB_TOP} of the last list that gained {CLIMB_PLACES}+ places in the last {} min or were not listed then; flagged topics still listed.",
            opts.climb_minutes
        ),
    ]
}
