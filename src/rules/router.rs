//! Routing: rules in file order, the first match wins unless it says `continue`
//! (Alertmanager's route semantics). Per rule: a dedup window per subject, quiet hours that
//! hold alerts (red bypasses them unless the rule says otherwise) and release them when the
//! window ends — never dropped — and digests.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::file::{DeliveryMode, Rule, RuleSet};
use super::{Assessment, Candidate, Tier, after};

type Time = DateTime<FixedOffset>;

/// Subjects remembered per rule before `route` itself drops those whose window is over.
const PRUNE_AT: usize = 4096;

/// A candidate as a rule took it: its tier, the keyword group that matched, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Routed {
    pub candidate: Candidate,
    pub assessment: Assessment,
    /// The keyword group's display name (TrendRadar's alias or word list).
    pub group: Option<String>,
    pub at: Time,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryKind {
    Immediate,
    /// Held over quiet hours, sent when they ended.
    AfterQuiet,
    Digest,
}

/// Something to send now: one message (or one per channel) with its items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub rule: String,
    pub kind: DeliveryKind,
    /// The highest tier among the items.
    pub tier: Tier,
    pub channels: Vec<String>,
    /// Whom to @ (`@all`, user ids, mobiles); empty below the rule's `mention_min_tier`.
    pub mentions: Vec<String>,
    /// In arrival order.
    pub items: Vec<Routed>,
}

/// What one matching rule did with a candidate.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Send this now.
    Send(Delivery),
    /// Quiet hours: [`Router::due`] releases it then.
    Held { until: Time },
    /// Joined the rule's digest, due then (later if that falls in quiet hours).
    Digest { due: Time },
    /// The same subject went out through this rule recently at this tier or higher.
    Deduped { until: Time },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub rule: String,
    pub tier: Tier,
    pub outcome: Outcome,
}

/// The last time a subject was taken by a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Last {
    at: Time,
    tier: Tier,
}

/// Alerts waiting: held over quiet hours, or a digest being collected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Queue {
    rule: String,
    kind: DeliveryKind,
    due: Time,
    /// Where they go, fixed when queued (a rule removed on reload still delivers).
    channels: Vec<String>,
    mention: Vec<String>,
    mention_min_tier: Tier,
    items: Vec<Routed>,
}

impl Queue {
    fn tier(&self) -> Tier {
        self.items
            .iter()
            .map(|i| i.assessment.tier)
            .max()
            .unwrap_or_default()
    }

    fn into_delivery(self) -> Delivery {
        let tier = self.tier();
        Delivery {
            mentions: mentions(&self.mention, self.mention_min_tier, tier),
            rule: self.rule,
            kind: self.kind,
            tier,
            channels: self.channels,
            items: self.items,
        }
    }
}

fn mentions(list: &[String], min: Tier, tier: Tier) -> Vec<String> {
    if tier >= min {
        list.to_vec()
    } else {
        Vec::new()
    }
}

/// Everything the router remembers; persist it to keep held alerts, digests and dedup
/// windows over a restart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RouterState {
    /// Rule name → subject key → last taken.
    last: BTreeMap<String, BTreeMap<String, Last>>,
    queues: Vec<Queue>,
}

pub struct Router {
    rules: RuleSet,
    state: RouterState,
}

impl Router {
    pub fn new(rules: RuleSet) -> Router {
        Router::with_state(rules, RouterState::default())
    }

    /// Continue from a saved state (rules may have changed since: queued alerts of a removed
    /// rule still go to the channels they were queued for).
    pub fn with_state(rules: RuleSet, state: RouterState) -> Router {
        Router { rules, state }
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    pub fn state(&self) -> &RouterState {
        &self.state
    }

    /// Route a candidate at `now`: what each matching rule did with it.
    pub fn route(&mut self, mut candidate: Candidate, now: Time) -> Vec<Decision> {
        let s = &mut candidate.signals;
        s.platforms = s
            .platforms
            .max(u32::try_from(candidate.platforms.len()).unwrap_or(u32::MAX));
        s.kols = s
            .kols
            .max(u32::try_from(candidate.kols.len()).unwrap_or(u32::MAX));
        let assessment = self.rules.tiers.assess(&candidate.signals);
        let mut out = Vec::new();
        for i in 0..self.rules.rules.len() {
            let rule = &self.rules.rules[i];
            let Some(m) = rule.matches(&candidate, assessment.tier) else {
                continue;
            };
            let stop = !rule.continue_;
            let routed = Routed {
                candidate: candidate.clone(),
                assessment: assessment.clone(),
                group: m.group,
                at: now,
            };
            out.push(self.take(i, routed, now));
            if stop {
                break;
            }
        }
        out
    }

    /// Rule `i` matched: dedup, then send, hold or queue for the digest.
    fn take(&mut self, i: usize, routed: Routed, now: Time) -> Decision {
        let rule = &self.rules.rules[i];
        let tier = routed.assessment.tier;
        let decision = |outcome| Decision {
            rule: rule.name.clone(),
            tier,
            outcome,
        };
        let seen = self.state.last.entry(rule.name.clone()).or_default();
        if let Some(last) = seen.get(&routed.candidate.key) {
            let until = after(last.at, rule.dedup_minutes);
            // A rise in tier is news: it goes out inside the window.
            if now < until && tier <= last.tier {
                return decision(Outcome::Deduped { until });
            }
        }
        if seen.len() >= PRUNE_AT {
            // Bounded even if the caller seldom calls `due`, which also prunes.
            seen.retain(|_, l| now < after(l.at, rule.dedup_minutes));
        }
        seen.insert(routed.candidate.key.clone(), Last { at: now, tier });
        let bypass = tier == Tier::Red && rule.red_bypasses_quiet;
        let quiet_until = || {
            rule.quiet_hours
                .and_then(|q| q.until(now))
                .filter(|_| !bypass)
        };
        match rule.delivery {
            DeliveryMode::Digest { every_minutes } => {
                let due = after(now, every_minutes);
                let due = enqueue(
                    &mut self.state.queues,
                    rule,
                    DeliveryKind::Digest,
                    due,
                    routed,
                );
                decision(Outcome::Digest { due })
            }
            DeliveryMode::Immediate => match quiet_until() {
                Some(until) => {
                    enqueue(
                        &mut self.state.queues,
                        rule,
                        DeliveryKind::AfterQuiet,
                        until,
                        routed,
                    );
                    decision(Outcome::Held { until })
                }
                None => decision(Outcome::Send(Delivery {
                    rule: rule.name.clone(),
                    kind: DeliveryKind::Immediate,
                    tier,
                    channels: rule.channels.clone(),
                    mentions: mentions(&rule.mention, rule.mention_min_tier, tier),
                    items: vec![routed],
                })),
            },
        }
    }

    /// The deliveries due at `now`: alerts held over quiet hours that have ended, digests
    /// whose time has come (a digest due in quiet hours waits for their end, unless it holds
    /// a red the rule lets through). Call it when [`Router::next_due`] says.
    pub fn due(&mut self, now: Time) -> Vec<Delivery> {
        let rules = &self.rules.rules;
        let find = |name: &str| rules.iter().find(|r| r.name == name);
        let mut out = Vec::new();
        let mut keep = Vec::with_capacity(self.state.queues.len());
        for mut q in std::mem::take(&mut self.state.queues) {
            if q.due > now {
                keep.push(q);
                continue;
            }
            if q.kind == DeliveryKind::Digest
                && let Some(rule) = find(&q.rule)
                && let Some(until) = rule.quiet_hours.and_then(|h| h.until(now))
                && !(q.tier() == Tier::Red && rule.red_bypasses_quiet)
            {
                q.due = until;
                keep.push(q);
                continue;
            }
            out.push(q.into_delivery());
        }
        self.state.queues = keep;
        // Forget subjects whose window is over (and those of rules no longer there).
        self.state.last.retain(|name, seen| {
            let Some(rule) = find(name) else {
                return false;
            };
            seen.retain(|_, l| now < after(l.at, rule.dedup_minutes));
            !seen.is_empty()
        });
        out.sort_by_key(|d| std::cmp::Reverse(d.tier));
        out
    }

    /// When [`Router::due`] next has something to release.
    pub fn next_due(&self) -> Option<Time> {
        self.state.queues.iter().map(|q| q.due).min()
    }
}

/// Add to the rule's open queue of this kind (a digest: the one being collected; held
/// alerts: the one for the same quiet window), or open one due at `due`. Returns the
/// queue's due time.
fn enqueue(queues: &mut Vec<Queue>, rule: &Rule, kind: DeliveryKind, due: Time, r: Routed) -> Time {
    let open = queues.iter_mut().find(|q| {
        q.rule == rule.name && q.kind == kind && (kind == DeliveryKind::Digest || q.due == due)
    });
    match open {
        Some(q) => {
            // A subject already waiting (seen again after its dedup window) is one item: the
            // latest sighting, at the higher tier.
            match q
                .items
                .iter_mut()
                .find(|i| i.candidate.key == r.candidate.key)
            {
                Some(i) if r.assessment.tier >= i.assessment.tier => *i = r,
                Some(_) => {}
                None => q.items.push(r),
            }
            q.due
        }
        None => {
            queues.push(Queue {
                rule: rule.name.clone(),
                kind,
                due,
                channels: rule.channels.clone(),
                mention: rule.mention.clone(),
                mention_min_tier: rule.mention_min_tier,
                items: vec![r],
            });
            due
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Label, Platform};
    use crate::rules::file::tests::rules;
    use crate::rules::tests::at;
    use crate::rules::{Kind, Signals};

    fn cand(key: &str, title: &str, kind: Kind, signals: Signals) -> Candidate {
        Candidate {
            key: key.into(),
            kind,
            title: title.into(),
            texts: Vec::new(),
            platforms: vec![Platform::Weibo],
            kols: Vec::new(),
            signals,
        }
    }

    fn topic(key: &str, title: &str) -> Candidate {
        cand(key, title, Kind::Topic, Signals::default())
    }

    /// Best rank 1 and 爆: red under the default tiers.
    fn red() -> Signals {
        Signals {
            best_rank: Some(1),
            label: Some(Label::Explosive),
            ..Signals::default()
        }
    }

    /// Best rank 8 and 沸: orange.
    fn orange() -> Signals {
        Signals {
            best_rank: Some(8),
            label: Some(Label::Boiling),
            ..Signals::default()
        }
    }

    fn outcomes(d: &[Decision]) -> Vec<(&str, &Outcome)> {
        d.iter().map(|d| (d.rule.as_str(), &d.outcome)).collect()
    }

    fn sent(d: &[Decision]) -> Vec<&str> {
        d.iter()
            .filter(|d| matches!(d.outcome, Outcome::Send(_)))
            .map(|d| d.rule.as_str())
            .collect()
    }

    const NIGHT: &str = "\
[[rule]]
name = \"night\"
channels = [\"ops\"]
mention = [\"@all\"]
quiet_hours = \"23:00-07:00\"
";

    #[test]
    fn first_match_wins_unless_continue() {
        let src = "\
[[rule]]\nname = \"edu\"\nkeywords = [\"高考\"]\nchannels = [\"pr\"]\ncontinue = true\n
[[rule]]\nname = \"weibo\"\nplatforms = [\"weibo\"]\nchannels = [\"ops\"]\n
[[rule]]\nname = \"all\"\nchannels = [\"mail\"]\n";
        let mut r = Router::new(rules(src));
        let now = at("2026-12-07T10:00:00+08:00");
        assert_eq!(
            sent(&r.route(topic("t1", "高考放榜"), now)),
            ["edu", "weibo"]
        );
        let mut c = topic("t2", "高考放榜");
        c.platforms = vec![Platform::Baidu];
        assert_eq!(sent(&r.route(c, now)), ["edu", "all"]);
        assert_eq!(sent(&r.route(topic("t3", "别的"), now)), ["weibo"]);
    }

    #[test]
    fn subjects_are_anded() {
        let src = "\
[[rule]]
name = \"strict\"
keywords = [\"[教育]\", \"高考\", \"!培训\"]
kols = [\"人民日报\"]
kinds = [\"event\"]
min_platforms = 2
min_tier = \"orange\"
channels = [\"ops\"]
";
        let mut r = Router::new(rules(src));
        let now = at("2026-12-07T10:00:00+08:00");
        let mut c = cand("e1", "高考改革", Kind::Event, orange());
        c.platforms = vec![Platform::Weibo, Platform::Baidu];
        c.kols = vec!["人民日报".into()];
        let full = c.clone();
        let d = r.route(c.clone(), now);
        match &d[0].outcome {
            Outcome::Send(del) => {
                assert_eq!(del.items[0].group.as_deref(), Some("教育"));
                assert_eq!(del.tier, Tier::Orange);
                // KOL and platform counts joined the signals.
                assert_eq!(del.items[0].candidate.signals.kols, 1);
                assert_eq!(del.items[0].candidate.signals.platforms, 2);
            }
            o => panic!("{o:?}"),
        }
        type Change = fn(&mut Candidate);
        let misses: [(&str, Change); 6] = [
            ("kind", |c| c.kind = Kind::Topic),
            ("platforms", |c| c.platforms.truncate(1)),
            ("kol", |c| c.kols.clear()),
            ("tier", |c| c.signals = Signals::default()),
            ("keyword", |c| c.title = "考研".into()),
            ("filter", |c| c.title = "高考培训".into()),
        ];
        for (i, (what, change)) in misses.iter().enumerate() {
            let mut c = full.clone();
            c.key = format!("miss{i}");
            change(&mut c);
            assert!(r.route(c, now).is_empty(), "{what}");
        }
        // Another of its texts may match the keywords.
        let mut c = full.clone();
        c.key = "texts".into();
        c.title = "改革".into();
        c.texts = vec!["无关".into(), "高考新政".into()];
        assert_eq!(sent(&r.route(c, now)), ["strict"]);
    }

    #[test]
    fn quiet_hours_hold_and_release_at_their_end() {
        let mut r = Router::new(rules(NIGHT));
        let d = r.route(topic("a", "甲"), at("2026-12-07T23:30:00+08:00"));
        let until = at("2026-12-08T07:00:00+08:00");
        assert_eq!(outcomes(&d), [("night", &Outcome::Held { until })]);
        r.route(topic("b", "乙"), at("2026-12-08T02:00:00+08:00"));
        assert_eq!(r.next_due(), Some(until));
        assert!(r.due(at("2026-12-08T06:59:00+08:00")).is_empty());
        let out = r.due(at("2026-12-08T07:00:00+08:00"));
        assert_eq!(out.len(), 1, "one message for the night");
        assert_eq!(out[0].kind, DeliveryKind::AfterQuiet);
        let keys: Vec<_> = out[0]
            .items
            .iter()
            .map(|i| i.candidate.key.as_str())
            .collect();
        assert_eq!(keys, ["a", "b"]);
        assert!(out[0].mentions.is_empty(), "blue mentions no one");
        assert_eq!(r.next_due(), None);
        let d = r.route(topic("c", "丙"), at("2026-12-08T07:00:00+08:00"));
        assert_eq!(sent(&d), ["night"]);
    }

    #[test]
    fn red_bypasses_quiet_hours_unless_told_not_to() {
        let mut r = Router::new(rules(NIGHT));
        let d = r.route(
            cand("r", "红", Kind::Topic, red()),
            at("2026-12-08T03:00:00+08:00"),
        );
        match &d[0].outcome {
            Outcome::Send(del) => {
                assert_eq!(del.tier, Tier::Red);
                assert_eq!(del.mentions, ["@all"]);
                assert_eq!(del.items[0].assessment.because.len(), 2);
            }
            o => panic!("{o:?}"),
        }
        let mut r = Router::new(rules(&format!("{NIGHT}red_bypasses_quiet = false\n")));
        let d = r.route(
            cand("r", "红", Kind::Topic, red()),
            at("2026-12-08T03:00:00+08:00"),
        );
        assert!(matches!(d[0].outcome, Outcome::Held { .. }));
        let out = r.due(at("2026-12-08T07:00:00+08:00"));
        assert_eq!(out[0].mentions, ["@all"], "held red still mentions");
    }

    #[test]
    fn weekday_quiet_hours() {
        // Quiet on Friday and Saturday nights only; 2026-12-11 is a Friday.
        let src = format!("{NIGHT}weekdays = [\"fri\", \"sat\"]\n");
        let mut r = Router::new(rules(&src));
        let thu_night = at("2026-12-11T01:00:00+08:00");
        assert_eq!(sent(&r.route(topic("a", "甲"), thu_night)), ["night"]);
        let fri_night = at("2026-12-12T01:00:00+08:00");
        let d = r.route(topic("b", "乙"), fri_night);
        assert!(
            matches!(d[0].outcome, Outcome::Held { until } if until == at("2026-12-12T07:00:00+08:00"))
        );
        let sat_night = at("2026-12-13T01:00:00+08:00");
        assert!(matches!(
            r.route(topic("c", "丙"), sat_night)[0].outcome,
            Outcome::Held { .. }
        ));
        let sun_night = at("2026-12-14T01:00:00+08:00");
        assert_eq!(sent(&r.route(topic("d", "丁"), sun_night)), ["night"]);
    }

    #[test]
    fn dedup_window_per_rule_and_subject() {
        let src = "[[rule]]\nname = \"a\"\nchannels = [\"ops\"]\ndedup_minutes = 30\ncontinue = true\n\
                   [[rule]]\nname = \"b\"\nchannels = [\"pr\"]\ndedup_minutes = 0\n";
        let mut r = Router::new(rules(src));
        let t0 = at("2026-12-07T10:00:00+08:00");
        assert_eq!(sent(&r.route(topic("k", "甲"), t0)), ["a", "b"]);
        let t1 = at("2026-12-07T10:29:00+08:00");
        let d = r.route(topic("k", "甲"), t1);
        let until = at("2026-12-07T10:30:00+08:00");
        assert_eq!(d[0].outcome, Outcome::Deduped { until });
        assert_eq!(sent(&d), ["b"], "dedup_minutes = 0 never dedups");
        assert_eq!(
            sent(&r.route(topic("k2", "甲"), t1)),
            ["a", "b"],
            "another subject"
        );
        // A higher tier is news inside the window; the same tier again is not.
        let d = r.route(cand("k", "甲", Kind::Topic, orange()), t1);
        assert_eq!(sent(&d), ["a", "b"]);
        let t2 = at("2026-12-07T10:40:00+08:00");
        assert!(matches!(
            r.route(cand("k", "甲", Kind::Topic, orange()), t2)[0].outcome,
            Outcome::Deduped { .. }
        ));
        // The window restarts at the last send (10:29): free again at 10:59.
        let t3 = at("2026-12-07T10:59:00+08:00");
        assert_eq!(sent(&r.route(topic("k", "甲"), t3)), ["a", "b"]);
        // due() forgets windows that are over.
        r.due(at("2026-12-07T12:00:00+08:00"));
        assert!(r.state().last.is_empty());
    }

    #[test]
    fn digest_batches_and_waits_out_quiet_hours() {
        let src = "[[rule]]\nname = \"d\"\nchannels = [\"mail\"]\ndelivery = \"digest\"\n\
                   digest_every_minutes = 60\nquiet_hours = \"22:00-08:00\"\nmention = [\"u1\"]\n";
        let mut r = Router::new(rules(src));
        let d = r.route(topic("a", "甲"), at("2026-12-07T10:00:00+08:00"));
        let due = at("2026-12-07T11:00:00+08:00");
        assert_eq!(outcomes(&d), [("d", &Outcome::Digest { due })]);
        r.route(
            cand("b", "乙", Kind::Topic, orange()),
            at("2026-12-07T10:20:00+08:00"),
        );
        r.route(topic("c", "丙"), at("2026-12-07T10:59:00+08:00"));
        assert!(r.due(at("2026-12-07T10:59:59+08:00")).is_empty());
        let out = r.due(due);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, DeliveryKind::Digest);
        assert_eq!(out[0].items.len(), 3);
        assert_eq!(
            out[0].tier,
            Tier::Orange,
            "the digest's tier is its highest item's"
        );
        assert_eq!(out[0].mentions, ["u1"]);
        // The next batch opens with the next alert; one due in quiet hours waits.
        r.route(topic("e", "戊"), at("2026-12-07T21:30:00+08:00"));
        assert!(r.due(at("2026-12-07T22:30:00+08:00")).is_empty());
        assert_eq!(r.next_due(), Some(at("2026-12-08T08:00:00+08:00")));
        assert_eq!(r.due(at("2026-12-08T08:00:00+08:00")).len(), 1);
        // A red in a digest is still a digest item, but the digest is not held for quiet.
        r.route(
            cand("r", "红", Kind::Topic, red()),
            at("2026-12-08T21:30:00+08:00"),
        );
        assert_eq!(r.due(at("2026-12-08T22:30:00+08:00")).len(), 1);
    }

    #[test]
    fn a_subject_seen_twice_is_one_digest_item_at_its_higher_tier() {
        let src = "[[rule]]\nname = \"d\"\nchannels = [\"mail\"]\ndelivery = \"digest\"\n\
                   digest_every_minutes = 120\ndedup_minutes = 30\n";
        let mut r = Router::new(rules(src));
        r.route(topic("a", "甲"), at("2026-12-07T10:00:00+08:00"));
        r.route(topic("b", "乙"), at("2026-12-07T10:10:00+08:00"));
        // Past the dedup window, then higher, then lower again: one item, the orange one.
        r.route(
            cand("a", "甲", Kind::Topic, orange()),
            at("2026-12-07T10:40:00+08:00"),
        );
        r.route(topic("a", "甲"), at("2026-12-07T11:20:00+08:00"));
        let out = r.due(at("2026-12-07T12:00:00+08:00"));
        assert_eq!(out.len(), 1);
        let items: Vec<(&str, Tier)> = out[0]
            .items
            .iter()
            .map(|i| (i.candidate.key.as_str(), i.assessment.tier))
            .collect();
        assert_eq!(items, [("a", Tier::Orange), ("b", Tier::Blue)]);
        assert_eq!(out[0].items[0].at, at("2026-12-07T10:40:00+08:00"));
    }

    #[test]
    fn state_survives_a_restart() {
        let set = || rules(&format!("{NIGHT}dedup_minutes = 120\n"));
        let mut r = Router::new(set());
        r.route(topic("a", "甲"), at("2026-12-07T23:30:00+08:00"));
        let saved = serde_json::to_string(r.state()).unwrap_or_else(|e| panic!("{e}"));
        let state: RouterState = serde_json::from_str(&saved).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&state, r.state());
        let mut r = Router::with_state(set(), state);
        // Still deduped, still held.
        let d = r.route(topic("a", "甲"), at("2026-12-08T00:30:00+08:00"));
        assert!(matches!(d[0].outcome, Outcome::Deduped { .. }));
        let out = r.due(at("2026-12-08T07:05:00+08:00"));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].items[0].candidate.title, "甲");
        // A rule removed on reload: its held alerts still go where they were queued for.
        let mut r = Router::new(set());
        r.route(topic("b", "乙"), at("2026-12-07T23:30:00+08:00"));
        let state = r.state().clone();
        let mut r = Router::with_state(
            rules("[[rule]]\nname = \"other\"\nchannels = [\"pr\"]\n"),
            state,
        );
        let out = r.due(at("2026-12-08T07:00:00+08:00"));
        assert_eq!(
            (out[0].rule.as_str(), out[0].channels.as_slice()),
            ("night", &["ops".to_string()][..])
        );
    }

    #[test]
    fn far_off_times_do_not_panic() {
        let mut r = Router::new(rules(&format!("{NIGHT}delivery = \"digest\"\n")));
        let end = DateTime::<FixedOffset>::MAX_UTC.fixed_offset();
        let start = DateTime::<FixedOffset>::MIN_UTC.fixed_offset();
        for t in [start, end] {
            r.route(topic("x", "甲"), t);
            r.due(t);
        }
    }
}
