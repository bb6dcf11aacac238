//! The watch loop: a tokio task that asks for each term's real-time search and each sentinel
//! account's timeline when the budget allows, pages while pages hold only new posts, and sends
//! what it found as [`WatchEvent`]s on a channel (it never touches app state or the store).
//! Requests go through its own polite fetcher (per-host spacing with jitter), searches and
//! timelines alike: both go to m.weibo.cn.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::budget::{Budget, BudgetConfig, Permit, is_refusal};
use super::timeline::{checked_uid, fetch_timeline};
use super::{fetch_page, harvest_items};
use crate::domain::now_cst;
use crate::domain::post::Entry;
use crate::domain::watch::{Sentinel, WatchPost, WatchTerm};
use crate::sources::SourceError;
use crate::sources::http::HttpClient;
use crate::sources::polite::{Errand, Manners, Polite};

/// What the watch loop needs.
#[derive(Debug, Clone)]
pub struct WatchConfig {
    pub terms: Vec<WatchTerm>,
    pub budget: BudgetConfig,
    /// Sentinel accounts whose timelines are followed (point 2; none by default).
    pub sentinels: Vec<Sentinel>,
    /// A sentinel's first timeline page is asked for at most this often.
    pub sentinel_every: Duration,
    /// Pages asked for at most in one round of a term.
    pub max_pages: u32,
    /// Per-host spacing and jitter of the fetcher.
    pub min_gap: Duration,
    pub jitter: Duration,
    /// A request not answered in this long is given up (its round ends).
    pub answer_timeout: Duration,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            terms: Vec::new(),
            budget: BudgetConfig::default(),
            sentinels: Vec::new(),
            // An hour: accounts post a few times a day and a tag several of them pick up
            // grows over hours, so hourly polls still lead the lists; 10 sentinels then take
            // 10 of the default 60 requests an hour, leaving the terms their 5-minute rounds.
            sentinel_every: Duration::from_secs(60 * 60),
            max_pages: 5,
            // data-sources.md §8: nateafish spaces search pages 4 s ± 1 s.
            min_gap: Duration::from_secs(3),
            jitter: Duration::from_secs(2),
            answer_timeout: Duration::from_secs(60),
        }
    }
}

/// The budget as shown: used, allowed, and when the next request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetStatus {
    pub used_this_hour: u32,
    pub max_per_hour: u32,
    /// The next request: which term and when.
    pub next: Option<(String, DateTime<FixedOffset>)>,
    /// Requests wait after refusals until then.
    pub backing_off_until: Option<DateTime<FixedOffset>>,
    pub refusals: u32,
}

impl std::fmt::Display for BudgetStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "watch budget {}/{} this hour",
            self.used_this_hour, self.max_per_hour
        )?;
        if let Some((term, at)) = &self.next {
            write!(f, "; next: {term} at {}", at.format("%H:%M:%S"))?;
        }
        if let Some(b) = self.backing_off_until {
            write!(
                f,
                "; backing off until {} after {} refusal(s)",
                b.format("%H:%M:%S"),
                self.refusals
            )?;
        }
        Ok(())
    }
}

/// What the watch loop reports.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchEvent {
    /// One page of a term's search: its posts (exclusions dropped), of which `new` are newer
    /// than the newest known before.
    Posts {
        term: String,
        query: String,
        page: u32,
        posts: Vec<WatchPost>,
        new: usize,
        excluded: usize,
    },
    /// One timeline page of a sentinel account: its posts (stored under
    /// [`Sentinel::term`]), of which `new` are newer than the newest known before.
    SentinelPosts {
        account: Sentinel,
        page: u32,
        posts: Vec<WatchPost>,
        new: usize,
    },
    /// A request failed; `refused` when the budget backs off for it. For a sentinel, `term`
    /// is its `@name` and `query` its uid.
    Failed {
        term: String,
        query: String,
        page: u32,
        error: SourceError,
        refused: bool,
    },
    /// The budget after a change (before each wait).
    Budget(BudgetStatus),
}

/// The running loop. Dropping it stops the task.
pub struct WatchHandle {
    task: Option<JoinHandle<()>>,
    watched: tokio::sync::watch::Sender<(Vec<WatchTerm>, Vec<Sentinel>)>,
}

impl WatchHandle {
    /// Watch these terms from now on (the sentinels stay): a term added is searched at its
    /// first turn within the budget, a term removed is no longer asked for.
    pub fn set_terms(&self, terms: Vec<WatchTerm>) {
        self.watched.send_modify(|w| w.0 = terms);
    }

    /// Follow these sentinel accounts from now on (the terms stay), on the same budget.
    pub fn set_sentinels(&self, sentinels: Vec<Sentinel>) {
        self.watched.send_modify(|w| w.1 = sentinels);
    }

    /// Stop the loop and wait for it to end.
    pub async fn shutdown(mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
            let _ = t.await;
        }
    }
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

/// Start the loop (inside a tokio runtime). `newest`: per term name (a sentinel's: its
/// [`Sentinel::term`]), the creation time of its newest stored post (from
/// `HistoryStore::newest_watch_post`), where paging stops.
pub fn spawn_watch(
    client: Arc<HttpClient>,
    cfg: WatchConfig,
    newest: HashMap<String, DateTime<FixedOffset>>,
    events: mpsc::Sender<WatchEvent>,
) -> WatchHandle {
    let (watched, watched_rx) =
        tokio::sync::watch::channel((cfg.terms.clone(), cfg.sentinels.clone()));
    let task = tokio::spawn(run(client, cfg, newest, events, watched_rx));
    WatchHandle {
        task: Some(task),
        watched,
    }
}

fn status(budget: &mut Budget, next: Option<(String, DateTime<FixedOffset>)>) -> BudgetStatus {
    let now = now_cst();
    BudgetStatus {
        used_this_hour: budget.used_this_hour(now),
        max_per_hour: budget.config().max_per_hour,
        next,
        backing_off_until: budget.backing_off_until(now),
        refusals: budget.refusals(),
    }
}

async fn sleep_until(at: DateTime<FixedOffset>) {
    let wait = (at - now_cst()).to_std().unwrap_or(Duration::ZERO);
    tokio::time::sleep(wait).await;
}

/// One request of the loop.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Ask {
    Search { query: String, page: u32 },
    Timeline { uid: String, page: u32 },
}

/// A page of either listing.
struct Listing {
    items: Vec<Entry>,
    goes_on: bool,
}

/// Watch requests, fetched with the polite fetcher's manners; nothing cached (every round
/// wants the newest posts).
struct Asks;

impl Errand for Asks {
    type Job = (u64, Ask);
    type Key = Ask;
    type Kept = ();
    type Answer = Listing;
    type Event = (u64, Result<Listing, SourceError>);

    const NAME: &'static str = "watch";
    const INTERNAL_ERROR: &'static str = "internal error while watching";

    fn key(job: &(u64, Ask)) -> &Ask {
        &job.1
    }

    fn owner(job: &(u64, Ask)) -> u64 {
        job.0
    }

    fn host(_job: &(u64, Ask)) -> &'static str {
        "m.weibo.cn"
    }

    fn fetch(
        client: Arc<HttpClient>,
        job: &(u64, Ask),
    ) -> impl Future<Output = Result<Listing, SourceError>> + Send + 'static {
        let ask = job.1.clone();
        async move {
            match ask {
                Ask::Search { query, page } => {
                    let p = fetch_page(&client, &query, page, now_cst()).await?;
                    Ok(Listing {
                        goes_on: p.next.is_some(),
                        items: p.items,
                    })
                }
                Ask::Timeline { uid, page } => {
                    let p = fetch_timeline(&client, &uid, page, now_cst()).await?;
                    Ok(Listing {
                        goes_on: p.more,
                        items: p.items,
                    })
                }
            }
        }
    }

    fn keep(&self, _result: &Result<Listing, SourceError>) -> Option<(Duration, ())> {
        None
    }

    fn event(job: (u64, Ask), result: Result<Listing, SourceError>) -> Self::Event {
        (job.0, result)
    }
}

/// What one budget key stands for.
enum Target {
    Term(WatchTerm),
    /// The account, and the term its posts are harvested and stored under (`@name`).
    Sentinel(Sentinel, WatchTerm),
}

impl Target {
    fn term(&self) -> &WatchTerm {
        match self {
            Target::Term(t) | Target::Sentinel(_, t) => t,
        }
    }
}

/// The terms with something to search, then the sentinels with a usable uid (each uid once).
fn targets(cfg: &WatchConfig) -> Vec<Target> {
    let mut out: Vec<Target> = cfg
        .terms
        .iter()
        .filter(|t| !t.queries().is_empty())
        .cloned()
        .map(Target::Term)
        .collect();
    let mut uids = std::collections::HashSet::new();
    for s in &cfg.sentinels {
        if checked_uid(&s.uid).is_ok() && uids.insert(s.uid.clone()) {
            out.push(Target::Sentinel(s.clone(), WatchTerm::named(&s.term())));
        }
    }
    out
}

async fn run(
    client: Arc<HttpClient>,
    mut cfg: WatchConfig,
    mut newest: HashMap<String, DateTime<FixedOffset>>,
    events: mpsc::Sender<WatchEvent>,
    mut terms_rx: tokio::sync::watch::Receiver<(Vec<WatchTerm>, Vec<Sentinel>)>,
) {
    let mut targets = targets(&cfg);
    let mut names: Vec<String> = targets.iter().map(|t| t.term().name.clone()).collect();
    let (tx, mut rx) = mpsc::channel(4);
    let fetcher = Polite::spawn(
        Asks,
        Manners::new(cfg.min_gap, cfg.jitter, 8, 1),
        client,
        tx,
    );
    let mut budget = Budget::new(cfg.budget.clone());
    let set_every = |budget: &mut Budget, targets: &[Target]| {
        for t in targets {
            if let Target::Sentinel(..) = t {
                budget.set_every(&t.term().name, cfg.sentinel_every);
            }
        }
    };
    set_every(&mut budget, &targets);
    // Aliases take turns: one query per round keeps one request per term per interval.
    let mut turn: Vec<usize> = vec![0; targets.len()];
    let mut id: u64 = 0;
    let mut reload = false;
    loop {
        // The terms or sentinels changed (`w`, accounts discovered in the app): the same
        // budget goes on over the new set.
        if reload || terms_rx.has_changed().unwrap_or(false) {
            reload = false;
            (cfg.terms, cfg.sentinels) = terms_rx.borrow_and_update().clone();
            targets = self::targets(&cfg);
            set_every(&mut budget, &targets);
            names = targets.iter().map(|t| t.term().name.clone()).collect();
            turn = vec![0; targets.len()];
        }
        let Some((i, at)) = budget.next_request_at(&names, now_cst()) else {
            // Nothing to watch yet: wait for terms.
            if terms_rx.changed().await.is_err() {
                return;
            }
            reload = true;
            continue;
        };
        let st = status(&mut budget, Some((names[i].clone(), at)));
        if events.send(WatchEvent::Budget(st)).await.is_err() {
            return;
        }
        tokio::select! {
            () = sleep_until(at) => {}
            changed = terms_rx.changed() => {
                if changed.is_err() {
                    return;
                }
                reload = true;
                continue;
            }
        }
        if budget.first_page(&names[i], now_cst()) != Permit::Granted {
            continue;
        }
        let term = targets[i].term();
        let query = match &targets[i] {
            Target::Term(t) => {
                let queries = t.queries();
                let q = queries[turn[i] % queries.len()].to_string();
                turn[i] = turn[i].wrapping_add(1);
                q
            }
            Target::Sentinel(s, _) => s.uid.clone(),
        };
        let ask = |page: u32| match &targets[i] {
            Target::Term(_) => Ask::Search {
                query: query.clone(),
                page,
            },
            Target::Sentinel(s, _) => Ask::Timeline {
                uid: s.uid.clone(),
                page,
            },
        };
        // Paging stops at the newest post known when the round began.
        let known = newest.get(&term.name).copied();
        let mut page = 1;
        loop {
            id = id.wrapping_add(1);
            fetcher.push((id, ask(page)));
            let answer = tokio::time::timeout(cfg.answer_timeout, async {
                loop {
                    match rx.recv().await {
                        Some((got, result)) if got == id => return Some(result),
                        Some(_) => continue,
                        None => return None,
                    }
                }
            })
            .await;
            let result = match answer {
                Ok(Some(r)) => r,
                Ok(None) => return,
                Err(_) => {
                    fetcher.cancel(id);
                    Err(SourceError::Other("no answer in time".into()))
                }
            };
            let now = now_cst();
            let (event, more) = match result {
                Err(error) => {
                    let refused = is_refusal(&error);
                    if refused {
                        budget.refused(now);
                    }
                    let e = WatchEvent::Failed {
                        term: term.name.clone(),
                        query: query.clone(),
                        page,
                        error,
                        refused,
                    };
                    (e, false)
                }
                Ok(listing) => {
                    budget.answered();
                    let h = harvest_items(term, &listing.items, listing.goes_on, known, now);
                    let more = h.more && page < cfg.max_pages;
                    if let Some(t) = h.posts.iter().filter_map(|p| p.created_at).max() {
                        let n = newest.entry(term.name.clone()).or_insert(t);
                        *n = (*n).max(t);
                    }
                    let e = match &targets[i] {
                        Target::Term(_) => WatchEvent::Posts {
                            term: term.name.clone(),
                            query: query.clone(),
                            page,
                            posts: h.posts,
                            new: h.new,
                            excluded: h.excluded,
                        },
                        Target::Sentinel(s, _) => WatchEvent::SentinelPosts {
                            account: s.clone(),
                            page,
                            posts: h.posts,
                            new: h.new,
                        },
                    };
                    (e, more)
                }
            };
            if events.send(event).await.is_err() {
                return;
            }
            if !more {
                break;
            }
            // A later page waits for the budget, but not past the term's next round.
            match budget.next_page(now_cst()) {
                Permit::Granted => page += 1,
                Permit::WaitUntil(_) => break,
            }
        }
    }
}
