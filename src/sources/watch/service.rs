//! The watch loop: a tokio task that asks for each term's real-time search when the budget
//! allows, pages while pages hold only new posts, and sends what it found as [`WatchEvent`]s
//! on a channel (it never touches app state or the store). Requests go through its own
//! drill-down fetcher (the polite fetcher: per-host spacing with jitter).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::budget::{Budget, BudgetConfig, Permit, is_refusal};
use super::{harvest, search_request};
use crate::domain::now_cst;
use crate::domain::watch::{WatchPost, WatchTerm};
use crate::sources::drill::{DrillFetcherConfig, spawn_drill_fetcher};
use crate::sources::http::HttpClient;
use crate::sources::{SourceError, SourceEvent};

/// What the watch loop needs.
#[derive(Debug, Clone)]
pub struct WatchConfig {
    pub terms: Vec<WatchTerm>,
    pub budget: BudgetConfig,
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
    /// A request failed; `refused` when the budget backs off for it.
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
}

impl WatchHandle {
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

/// Start the loop (inside a tokio runtime). `newest`: per term name, the creation time of its
/// newest stored post (from `HistoryStore::newest_watch_post`), where paging stops.
pub fn spawn_watch(
    client: Arc<HttpClient>,
    cfg: WatchConfig,
    newest: HashMap<String, DateTime<FixedOffset>>,
    events: mpsc::Sender<WatchEvent>,
) -> WatchHandle {
    let task = tokio::spawn(run(client, cfg, newest, events));
    WatchHandle { task: Some(task) }
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

async fn run(
    client: Arc<HttpClient>,
    cfg: WatchConfig,
    mut newest: HashMap<String, DateTime<FixedOffset>>,
    events: mpsc::Sender<WatchEvent>,
) {
    let terms: Vec<WatchTerm> = cfg
        .terms
        .iter()
        .filter(|t| !t.queries().is_empty())
        .cloned()
        .collect();
    if terms.is_empty() {
        return;
    }
    let names: Vec<String> = terms.iter().map(|t| t.name.clone()).collect();
    let (tx, mut rx) = mpsc::channel(4);
    let fetcher = spawn_drill_fetcher(
        client,
        DrillFetcherConfig {
            min_gap: cfg.min_gap,
            jitter: cfg.jitter,
            ..DrillFetcherConfig::default()
        },
        tx,
    );
    let mut budget = Budget::new(cfg.budget.clone());
    // Aliases take turns: one query per round keeps one request per term per interval.
    let mut turn: Vec<usize> = vec![0; terms.len()];
    let mut id: u64 = 0;
    loop {
        let Some((i, at)) = budget.next_request_at(&names, now_cst()) else {
            return;
        };
        let st = status(&mut budget, Some((names[i].clone(), at)));
        if events.send(WatchEvent::Budget(st)).await.is_err() {
            return;
        }
        sleep_until(at).await;
        if budget.first_page(&names[i], now_cst()) != Permit::Granted {
            continue;
        }
        let term = &terms[i];
        let queries = term.queries();
        let query = queries[turn[i] % queries.len()].to_string();
        turn[i] = turn[i].wrapping_add(1);
        // Paging stops at the newest post known when the round began.
        let known = newest.get(&term.name).copied();
        let mut page = 1;
        loop {
            id = id.wrapping_add(1);
            fetcher.reload(id, search_request(&query, page));
            let answer = tokio::time::timeout(cfg.answer_timeout, async {
                loop {
                    match rx.recv().await {
                        Some(SourceEvent::Drill {
                            id: got, result, ..
                        }) if got == id => return Some(result),
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
            let event = match result {
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
                    if events.send(e).await.is_err() {
                        return;
                    }
                    break;
                }
                Ok(p) => {
                    budget.answered();
                    let h = harvest(term, &p, known, now);
                    let more = h.more && page < cfg.max_pages;
                    if let Some(t) = h.posts.iter().filter_map(|p| p.created_at).max() {
                        let n = newest.entry(term.name.clone()).or_insert(t);
                        *n = (*n).max(t);
                    }
                    let e = WatchEvent::Posts {
                        term: term.name.clone(),
                        query: query.clone(),
                        page,
                        posts: h.posts,
                        new: h.new,
                        excluded: h.excluded,
                    };
                    (e, more)
                }
            };
            let (event, more) = event;
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
