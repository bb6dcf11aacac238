//! Tags several sentinel accounts start using (issue 20, point 2): from the stored posts of
//! the sentinel accounts (`watch_posts` under `@name`), each post's hashtags (`#…#`) and named
//! terms (the project tokenizer, stop-words dropped; see [`tags_of`]); per tag and hour, the distinct accounts that
//! used it in the trailing window; a tag is flagged when at least `min_accounts` accounts used
//! it within the window AND that count rises against the tag's own baseline — the detector's
//! [`Ewma`] (trend-detection.md §5) stepped once an hour, so a tag the accounts use every day
//! is its own baseline and stays quiet. Pure: posts, lists and the time in, flags out.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, FixedOffset};

use super::detect::{DetectorConfig, Ewma};
use super::mentions::hour_floor;
use super::tokenize::Tokenizer;
use crate::domain::normalize::normalize_title;
use crate::domain::watch::{WatchPost, is_sentinel_term};
use crate::domain::{Platform, Snapshot};

/// When a tag is flagged.
#[derive(Debug, Clone, PartialEq)]
pub struct SentinelConfig {
    /// Distinct accounts that must have used the tag within `window`.
    pub min_accounts: usize,
    pub window: chrono::Duration,
    /// The detector's settings for hourly distinct-account counts.
    pub detector: DetectorConfig,
    /// Hours of history stepped through at most (older posts only seed nothing).
    pub max_hours: i64,
}

impl Default for SentinelConfig {
    fn default() -> Self {
        SentinelConfig {
            min_accounts: 3,
            window: chrono::Duration::hours(6),
            detector: DetectorConfig {
                // A tag's normal level over a day; the level itself is the hour's count (hourly
                // steps leave a 5-minute smoothing nothing to smooth).
                half_life_slow_min: 24.0 * 60.0,
                half_life_mid_min: 3.0 * 60.0,
                // Counts, not shares. With a quarter account as the noise floor, a new tag taken
                // up by 1, 2, then 3 accounts an hour apart scores z ≈ 3.8 (≥ θ_on = 3); a tag
                // the same 3 use every morning scores ≈ 1.8 on the eighth morning, and ≈ 4.1
                // when 6 use it that morning (the tests below walk these cases).
                beta: 0.25,
                x_min: 0.0,
                ..DetectorConfig::default()
            },
            max_hours: 14 * 24,
        }
    }
}

/// A tag several sentinels started using.
#[derive(Debug, Clone, PartialEq)]
pub struct SentinelFlag {
    /// The hashtag's text or the term, in the matching form.
    pub tag: String,
    /// Used as `#tag#` (else a term of the text).
    pub hashtag: bool,
    /// The accounts (screen names) that used it within the window when it was flagged, in
    /// order of first use.
    pub accounts: Vec<String>,
    /// Its first use by any sentinel.
    pub first_used: DateTime<FixedOffset>,
    /// The creation time of the post that completed the flag.
    pub flagged_at: DateTime<FixedOffset>,
    /// The detector's score at the flag.
    pub z: f64,
    /// The lists whose latest snapshot already carries it (normalised titles compared).
    pub on_lists: Vec<Platform>,
}

/// One use of a tag.
#[derive(Debug, Clone)]
struct Use {
    at: DateTime<FixedOffset>,
    account: String,
}

/// The tags of one text: its hashtags (`true`) and the names among its terms (`false`), each
/// once. Names — what the tokenizer tags as a person, place, organisation or other proper
/// noun — not every term: on the demo sentinels' real posts every term let through 知道, 数据,
/// 平台 and the cut marker 全文 as "tags several accounts started using".
pub fn tags_of(tok: &Tokenizer, text: &str) -> Vec<(String, bool)> {
    let t = tok.tokenize(text);
    t.terms
        .into_iter()
        .zip(t.names)
        .filter(|(_, name)| *name)
        .map(|(term, _)| {
            let hashtag = t.norm.text.contains(&format!("#{term}#"));
            (term, hashtag)
        })
        .collect()
}

/// Compact identity for list comparison: the title's normal form without spaces.
fn title_key(s: &str) -> String {
    normalize_title(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Which of `lists` (the latest snapshot per platform) carry `tag`: a hashtag as a title, a
/// term inside one.
fn lists_with(tag: &str, hashtag: bool, lists: &[Snapshot]) -> Vec<Platform> {
    let key = title_key(tag);
    let mut out: Vec<Platform> = lists
        .iter()
        .filter(|s| {
            s.ranked.iter().chain(&s.pinned).any(|t| {
                let title = title_key(t.title.as_str());
                if hashtag {
                    title == key
                } else {
                    title.contains(&key)
                }
            })
        })
        .map(|s| s.platform)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The flags at `now` from the sentinel posts among `posts` (others are ignored). Each tag's
/// latest onset is reported; `lists`: the latest snapshot of each list.
pub fn detect(
    posts: &[WatchPost],
    tok: &Tokenizer,
    cfg: &SentinelConfig,
    now: DateTime<FixedOffset>,
    lists: &[Snapshot],
) -> Vec<SentinelFlag> {
    let horizon = hour_floor(now) - chrono::Duration::hours(cfg.max_hours);
    let mut uses: BTreeMap<(String, bool), Vec<Use>> = BTreeMap::new();
    let mut seen = HashSet::new();
    for p in posts.iter().filter(|p| is_sentinel_term(&p.term)) {
        let Some(at) = p.created_at.filter(|t| *t <= now && *t >= horizon) else {
            continue;
        };
        if !seen.insert((p.platform, p.id.as_str())) {
            continue;
        }
        let account = if p.author.is_empty() {
            p.term.trim_start_matches('@').to_string()
        } else {
            p.author.clone()
        };
        for tag in tags_of(tok, &p.text) {
            uses.entry(tag).or_default().push(Use {
                at,
                account: account.clone(),
            });
        }
    }
    let mut out = Vec::new();
    for ((tag, hashtag), mut u) in uses {
        u.sort_by_key(|x| x.at);
        let distinct: HashSet<&str> = u.iter().map(|x| x.account.as_str()).collect();
        if distinct.len() < cfg.min_accounts {
            continue;
        }
        if let Some(mut f) = step_tag(&u, cfg, now) {
            f.tag = tag;
            f.hashtag = hashtag;
            f.on_lists = lists_with(&f.tag, hashtag, lists);
            out.push(f);
        }
    }
    out.sort_by(|a, b| b.flagged_at.cmp(&a.flagged_at).then(a.tag.cmp(&b.tag)));
    out
}

/// Step one tag's hourly counts (distinct accounts in the trailing window at each hour's end)
/// from its first use to `now`; the latest onset, without tag and lists filled in.
fn step_tag(u: &[Use], cfg: &SentinelConfig, now: DateTime<FixedOffset>) -> Option<SentinelFlag> {
    let hour = chrono::Duration::hours(1);
    let first = u.first()?.at;
    let mut end = hour_floor(first) + hour;
    let mut ewma: Option<Ewma> = None;
    let mut flag = None;
    let minutes = |t: DateTime<FixedOffset>| t.timestamp() as f64 / 60.0;
    loop {
        // The last step ends at `now`: a tag is flagged within the hour it completes.
        let at = end.min(now);
        let inside: Vec<&Use> = u
            .iter()
            .filter(|x| x.at > at - cfg.window && x.at <= at)
            .collect();
        let mut accounts: Vec<String> = Vec::new();
        for x in &inside {
            if !accounts.contains(&x.account) {
                accounts.push(x.account.clone());
            }
        }
        let x = accounts.len() as f64;
        let t = minutes(at);
        let e = ewma.get_or_insert_with(|| Ewma::new(0.0, t - 60.0));
        let was = e.flagged;
        e.step(x, t, &cfg.detector, accounts.len() >= cfg.min_accounts);
        if e.flagged && !was {
            // The post that brought the count to `min_accounts`.
            let mut got: Vec<&str> = Vec::new();
            let completed = inside.iter().find(|x| {
                if !got.contains(&x.account.as_str()) {
                    got.push(&x.account);
                }
                got.len() >= cfg.min_accounts
            });
            flag = Some(SentinelFlag {
                tag: String::new(),
                hashtag: false,
                accounts,
                first_used: first,
                flagged_at: completed.map_or(at, |x| x.at),
                z: e.z,
                on_lists: Vec::new(),
            });
        }
        if end >= now {
            return flag;
        }
        end += hour;
    }
}

/// The analysis worker's sentinel state: the posts (kept once by id, the detector's horizon
/// long), the latest list of each platform, and the flags last reported.
#[derive(Debug, Default)]
pub struct SentinelPosts {
    posts: Vec<WatchPost>,
    ids: HashSet<(Platform, String)>,
    lists: Vec<Snapshot>,
    last: Option<Vec<SentinelFlag>>,
    changed: bool,
    cfg: SentinelConfig,
}

impl SentinelPosts {
    pub fn add(&mut self, posts: Vec<WatchPost>) {
        for p in posts {
            if is_sentinel_term(&p.term) && self.ids.insert((p.platform, p.id.clone())) {
                self.posts.push(p);
                self.changed = true;
            }
        }
    }

    /// After a list: the flags, when there are sentinel posts and the flags differ from the
    /// last ones reported.
    pub fn flags_after(&mut self, snap: &Snapshot, tok: &Tokenizer) -> Option<Vec<SentinelFlag>> {
        self.lists.retain(|s| s.platform != snap.platform);
        self.lists.push(snap.clone());
        if self.posts.is_empty() {
            return None;
        }
        let now = self
            .lists
            .iter()
            .map(|s| s.captured_at)
            .max()
            .unwrap_or(snap.captured_at);
        // Posts older than the horizon can no longer count.
        let horizon = hour_floor(now) - chrono::Duration::hours(self.cfg.max_hours);
        if self.changed {
            self.posts
                .retain(|p| p.created_at.is_none_or(|t| t >= horizon));
            self.ids = self
                .posts
                .iter()
                .map(|p| (p.platform, p.id.clone()))
                .collect();
            self.changed = false;
        }
        let flags = detect(&self.posts, tok, &self.cfg, now, &self.lists);
        if self.last.as_ref() == Some(&flags) {
            return None;
        }
        self.last = Some(flags.clone());
        Some(flags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::watch::Sentinel;

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn tok() -> Tokenizer {
        Tokenizer::new(&[], &[])
    }

    fn post(id: &str, account: &str, at: &str, text: &str) -> WatchPost {
        let term = Sentinel::new("1", account).term();
        WatchPost::new(
            Platform::Weibo,
            id,
            &term,
            account,
            Some(t(at)),
            text,
            t(at),
        )
    }

    // Real post texts of the demo day (data/demo/posts.json.gz, topic posts of 2026-08-15),
    // put under sentinel accounts of the bundle.
    const PDL: &str = "#胖东来 刑释人员#\n这是要组成敢死队了 应届毕业生找工作都费劲 胖东来关心起犯法犯罪踩踏过道德底线的刑事犯罪分子";
    const PDL2: &str = "#胖东来 刑释人员#\n。一觉醒来看到这个我差点以为自己没睡醒";
    const PDL3: &str = "#胖东来 刑释人员#\n不如优先考虑贫困家庭来体现社会关怀";
    const WW: &str = "#旺旺二公子回应配料表建议#\n旺旺市场太庞大了 总有好吃的";

    #[test]
    fn hashtags_and_terms_of_a_real_post() {
        let tags = tags_of(&tok(), PDL);
        assert!(
            tags.contains(&("胖东来 刑释人员".to_string(), true)),
            "{tags:?}"
        );
        assert!(tags.iter().any(|(t, h)| t == "胖东来" && !h), "{tags:?}");
        // Common words are not tags (nor stop-words).
        assert!(
            !tags.iter().any(|(t, _)| t == "工作" || t == "了"),
            "{tags:?}"
        );
    }

    #[test]
    fn three_sentinels_within_the_window_flag_a_new_tag() {
        let posts = vec![
            post("1", "京东健康", "2026-08-15T09:10:00+08:00", PDL),
            post("2", "中国环境", "2026-08-15T10:40:00+08:00", PDL2),
            // The same account again does not count twice.
            post("3", "中国环境", "2026-08-15T11:00:00+08:00", PDL3),
            post("4", "辽源发布", "2026-08-15T12:05:00+08:00", PDL3),
            post("5", "辽源发布", "2026-08-15T12:06:00+08:00", WW),
        ];
        let now = t("2026-08-15T13:00:00+08:00");
        let cfg = SentinelConfig::default();
        let mut list = Snapshot::new(Platform::Weibo, now);
        list.ranked.push(crate::domain::Topic::new(
            Platform::Weibo,
            Some(1),
            "胖东来 刑释人员",
        ));
        let flags = detect(&posts, &tok(), &cfg, now, std::slice::from_ref(&list));
        let f = flags
            .iter()
            .find(|f| f.tag == "胖东来 刑释人员")
            .expect("flagged");
        assert!(f.hashtag);
        assert_eq!(f.accounts, ["京东健康", "中国环境", "辽源发布"]);
        assert_eq!(f.first_used, t("2026-08-15T09:10:00+08:00"));
        assert_eq!(f.flagged_at, t("2026-08-15T12:05:00+08:00"));
        assert!(f.z >= cfg.detector.theta_on);
        assert_eq!(f.on_lists, [Platform::Weibo]);
        // One account's tag is not flagged; nor is anything with two accounts.
        assert!(!flags.iter().any(|f| f.tag.contains("配料表")), "{flags:?}");
        let two = &posts[..3];
        assert!(detect(two, &tok(), &cfg, now, &[]).is_empty());
        // Not on any list without one.
        let f = detect(&posts, &tok(), &cfg, now, &[]);
        assert!(f.iter().all(|f| f.on_lists.is_empty()));
    }

    #[test]
    fn outside_the_window_is_not_together() {
        let posts = vec![
            post("1", "京东健康", "2026-08-15T01:00:00+08:00", PDL),
            post("2", "中国环境", "2026-08-15T05:00:00+08:00", PDL2),
            post("3", "辽源发布", "2026-08-15T11:30:00+08:00", PDL3),
        ];
        let now = t("2026-08-15T12:00:00+08:00");
        let flags = detect(&posts, &tok(), &SentinelConfig::default(), now, &[]);
        assert!(
            !flags.iter().any(|f| f.tag == "胖东来 刑释人员"),
            "{flags:?}"
        );
    }

    /// A tag the sentinels use every day at the same level is its own baseline: the same
    /// three accounts on the eighth day flag nothing; a jump to six accounts does.
    #[test]
    fn a_daily_tag_is_its_own_baseline() {
        let accounts = [
            "京东健康",
            "中国环境",
            "辽源发布",
            "中国核电",
            "钱江视频",
            "兵团日报",
        ];
        let mut posts = Vec::new();
        for day in 8..=15 {
            for (i, a) in accounts.iter().take(3).enumerate() {
                posts.push(post(
                    &format!("{day}-{i}"),
                    a,
                    &format!("2026-08-{day:02}T{:02}:00:00+08:00", 8 + i),
                    "#早安#新的一天",
                ));
            }
        }
        let now = t("2026-08-15T12:00:00+08:00");
        let cfg = SentinelConfig::default();
        let flags = detect(&posts, &tok(), &cfg, now, &[]);
        let morning = flags.iter().find(|f| f.tag == "早安");
        // The first day flags it (new), not the eighth.
        assert!(
            morning.is_none_or(|f| f.flagged_at < t("2026-08-09T00:00:00+08:00")),
            "{morning:?}"
        );
        for (i, a) in accounts.iter().enumerate().skip(3) {
            posts.push(post(
                &format!("x{i}"),
                a,
                &format!("2026-08-15T10:{i:02}:00+08:00"),
                "#早安#新的一天",
            ));
        }
        let flags = detect(&posts, &tok(), &cfg, now, &[]);
        let f = flags
            .iter()
            .find(|f| f.tag == "早安")
            .expect("a jump flags");
        assert!(f.flagged_at >= t("2026-08-15T10:00:00+08:00"));
        assert_eq!(f.accounts.len(), 6);
    }

    #[test]
    fn posts_of_watched_terms_are_not_sentinel_posts() {
        let mut posts = vec![
            post("1", "京东健康", "2026-08-15T09:10:00+08:00", PDL),
            post("2", "中国环境", "2026-08-15T10:40:00+08:00", PDL2),
            post("3", "辽源发布", "2026-08-15T12:05:00+08:00", PDL3),
        ];
        posts[2].term = "胖东来".into();
        let now = t("2026-08-15T13:00:00+08:00");
        assert!(detect(&posts, &tok(), &SentinelConfig::default(), now, &[]).is_empty());
    }

    #[test]
    fn the_worker_state_reports_flags_after_a_list_only_when_they_change() {
        let mut st = SentinelPosts::default();
        let now = t("2026-08-15T13:00:00+08:00");
        let empty = Snapshot::new(Platform::Weibo, now);
        assert_eq!(
            st.flags_after(&empty, &tok()),
            None,
            "no sentinel posts yet"
        );
        let mut watched = post("9", "x", "2026-08-15T09:00:00+08:00", PDL);
        watched.term = "胖东来".into();
        st.add(vec![
            watched,
            post("1", "京东健康", "2026-08-15T09:10:00+08:00", PDL),
            post("2", "中国环境", "2026-08-15T10:40:00+08:00", PDL2),
        ]);
        let first = st.flags_after(&empty, &tok());
        assert_eq!(first, Some(Vec::new()), "two accounts: nothing flagged yet");
        // The same post again changes nothing; a third account flags the tag.
        st.add(vec![post(
            "2",
            "中国环境",
            "2026-08-15T10:40:00+08:00",
            PDL2,
        )]);
        assert_eq!(st.flags_after(&empty, &tok()), None);
        st.add(vec![post(
            "4",
            "辽源发布",
            "2026-08-15T12:05:00+08:00",
            PDL3,
        )]);
        let flags = st.flags_after(&empty, &tok()).expect("changed");
        let f = flags
            .iter()
            .find(|f| f.tag == "胖东来 刑释人员")
            .expect("flagged");
        assert!(f.on_lists.is_empty());
        // The tag reaches the list: the flag says so.
        let mut list = Snapshot::new(Platform::Weibo, now + chrono::Duration::minutes(1));
        list.ranked.push(crate::domain::Topic::new(
            Platform::Weibo,
            Some(1),
            "胖东来 刑释人员",
        ));
        let on = st.flags_after(&list, &tok()).expect("changed");
        let f = on.iter().find(|f| f.tag == "胖东来 刑释人员").unwrap();
        assert_eq!(f.on_lists, [Platform::Weibo]);
    }
}
