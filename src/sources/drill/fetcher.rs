//! Background drill-down fetcher with network manners: requests to one host start at least
//! `min_gap` (+ jitter) apart, answers are cached for `ttl`, and `cancel(id)` drops a view's
//! waiting requests and aborts its in-flight one when the user leaves the view. Results
//! (errors included) leave as `SourceEvent::Drill`; a late answer for a cancelled id is dropped.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::domain::post::{DrillPage, DrillRequest};
use crate::sources::http::{HttpClient, now_cst};
use crate::sources::{SourceError, SourceEvent};

#[derive(Debug, Clone)]
pub struct DrillFetcherConfig {
    /// Shortest time between two requests to the same host.
    pub min_gap: Duration,
    /// Up to this much is added to each gap, uniformly at random.
    pub jitter: Duration,
    /// A page is answered from the cache for this long (reload bypasses it).
    pub ttl: Duration,
    /// Most cached pages; the oldest go first.
    pub cache_cap: usize,
    /// Most requests waiting; beyond it the oldest waiting one is dropped.
    pub queue_cap: usize,
}

impl Default for DrillFetcherConfig {
    fn default() -> Self {
        DrillFetcherConfig {
            min_gap: Duration::from_secs(1),
            jitter: Duration::from_millis(500),
            ttl: Duration::from_secs(120),
            // Pages live 2 minutes; a reader pages through far fewer than this in that time
            // (requests are ≥ 1 s apart per host). A page is ~20 KB: 256 held ~5 MB.
            cache_cap: 64,
            queue_cap: 32,
        }
    }
}

struct Job {
    id: u64,
    req: DrillRequest,
    /// Skip the cache (reload).
    fresh: bool,
}

#[derive(Default)]
struct Queue {
    waiting: VecDeque<Job>,
    /// Id of the job being waited for or fetched, and whether it was cancelled meanwhile.
    current: Option<(u64, bool)>,
    cache: HashMap<DrillRequest, (Instant, Arc<DrillPage>)>,
    /// Per host: when the next request may start.
    next_slot: HashMap<&'static str, Instant>,
}

struct Shared {
    queue: Mutex<Queue>,
    wake: Notify,
    cancel: Notify,
    cfg: DrillFetcherConfig,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A poisoned lock only means a panic elsewhere; the queue is still consistent.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The running fetcher. Dropping it stops the task.
pub struct DrillHandle {
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl DrillHandle {
    /// Load `req` for the view `id`. Never blocks on the network.
    pub fn request(&self, id: u64, req: DrillRequest) {
        self.push(Job {
            id,
            req,
            fresh: false,
        });
    }

    /// As `request`, bypassing the cache (`r` reload).
    pub fn reload(&self, id: u64, req: DrillRequest) {
        self.push(Job {
            id,
            req,
            fresh: true,
        });
    }

    fn push(&self, job: Job) {
        let mut q = self.shared.lock();
        if q.waiting.iter().any(|j| j.id == job.id && j.req == job.req) {
            return;
        }
        q.waiting.push_back(job);
        while q.waiting.len() > self.shared.cfg.queue_cap.max(1) {
            q.waiting.pop_front();
        }
        drop(q);
        self.shared.wake.notify_one();
    }

    /// The view `id` was left: drop its waiting requests and stop its in-flight one.
    pub fn cancel(&self, id: u64) {
        let mut q = self.shared.lock();
        q.waiting.retain(|j| j.id != id);
        if let Some((cur, cancelled)) = &mut q.current
            && *cur == id
        {
            *cancelled = true;
            drop(q);
            self.shared.cancel.notify_one();
        }
    }

    /// Requests waiting (not counting one in flight).
    pub fn waiting(&self) -> usize {
        self.shared.lock().waiting.len()
    }
}

impl Drop for DrillHandle {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

/// Start the fetcher task (inside a tokio runtime).
pub fn spawn_drill_fetcher(
    client: Arc<HttpClient>,
    cfg: DrillFetcherConfig,
    events: mpsc::Sender<SourceEvent>,
) -> DrillHandle {
    let shared = Arc::new(Shared {
        queue: Mutex::new(Queue::default()),
        wake: Notify::new(),
        cancel: Notify::new(),
        cfg,
    });
    let task = tokio::spawn(run(Arc::clone(&shared), client, events));
    DrillHandle {
        shared,
        task: Some(task),
    }
}

enum Next {
    Cached(u64, DrillRequest, Arc<DrillPage>),
    Fetch(Job, Instant),
}

fn next(shared: &Shared) -> Option<Next> {
    let mut q = shared.lock();
    let job = q.waiting.pop_front()?;
    let now = Instant::now();
    if !job.fresh
        && let Some((at, page)) = q.cache.get(&job.req)
        && now.duration_since(*at) < shared.cfg.ttl
    {
        return Some(Next::Cached(job.id, job.req, Arc::clone(page)));
    }
    let host = job.req.host();
    let start = q.next_slot.get(host).copied().unwrap_or(now).max(now);
    let gap = shared.cfg.min_gap + shared.cfg.jitter.mul_f64(fastrand::f64());
    q.next_slot.insert(host, start + gap);
    q.current = Some((job.id, false));
    Some(Next::Fetch(job, start))
}

fn cancelled(shared: &Shared) -> bool {
    shared.lock().current.is_some_and(|(_, c)| c)
}

async fn run(shared: Arc<Shared>, client: Arc<HttpClient>, events: mpsc::Sender<SourceEvent>) {
    loop {
        let Some(next) = next(&shared) else {
            shared.wake.notified().await;
            continue;
        };
        let (id, request, result) = match next {
            Next::Cached(id, request, page) => (id, request, Ok(Box::new((*page).clone()))),
            Next::Fetch(job, start) => {
                let Some(result) = fetch_unless_cancelled(&shared, &client, &job, start).await
                else {
                    tracing::debug!(id = job.id, "drill request cancelled");
                    continue;
                };
                (job.id, job.req, result)
            }
        };
        if let Ok(page) = &result {
            let mut q = shared.lock();
            let page = Arc::new((**page).clone());
            cache_page(&mut q, &shared.cfg, request.clone(), page, Instant::now());
        }
        if events
            .send(SourceEvent::Drill {
                id,
                request,
                result,
            })
            .await
            .is_err()
        {
            return; // nobody listens any more
        }
    }
}

/// Keep `page` for `cfg.ttl`. Expired pages go first (they are never served again: holding
/// them until the cap forced them out kept up to `cache_cap` pages, megabytes, for nothing);
/// at the cap, the oldest goes.
fn cache_page(
    q: &mut Queue,
    cfg: &DrillFetcherConfig,
    req: DrillRequest,
    page: Arc<DrillPage>,
    now: Instant,
) {
    q.cache
        .retain(|_, (at, _)| now.saturating_duration_since(*at) < cfg.ttl);
    if q.cache.len() >= cfg.cache_cap.max(1) {
        let oldest = q
            .cache
            .iter()
            .min_by_key(|(_, (at, _))| *at)
            .map(|(k, _)| k.clone());
        if let Some(k) = oldest {
            q.cache.remove(&k);
        }
    }
    q.cache.insert(req, (now, page));
}

/// Resolves when the current job is cancelled.
async fn cancellation(shared: &Shared) {
    loop {
        shared.cancel.notified().await;
        if cancelled(shared) {
            return;
        }
    }
}

/// Wait for the host's slot, then fetch; `None` when `cancel` came first (an in-flight
/// request is aborted).
async fn fetch_unless_cancelled(
    shared: &Shared,
    client: &Arc<HttpClient>,
    job: &Job,
    start: Instant,
) -> Option<Result<Box<DrillPage>, SourceError>> {
    let out = async {
        tokio::select! {
            _ = cancellation(shared) => return None,
            _ = tokio::time::sleep_until(start) => {}
        }
        // In its own task so even a panicking parser becomes an error event.
        let client = Arc::clone(client);
        let req = job.req.clone();
        let mut task =
            tokio::spawn(async move { super::fetch(&client, &req, now_cst()).await.map(Box::new) });
        tokio::select! {
            _ = cancellation(shared) => {
                task.abort();
                None
            }
            r = &mut task => Some(r.unwrap_or_else(|e| {
                tracing::error!("drill fetch task failed: {e}");
                Err(SourceError::Other("internal error while loading".into()))
            })),
        }
    }
    .await;
    let mut q = shared.lock();
    let was_cancelled = q.current.is_some_and(|(_, c)| c);
    q.current = None;
    if was_cancelled { None } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(page: u32) -> DrillRequest {
        DrillRequest::WeiboPosts {
            query: "#话题#".into(),
            tab: crate::domain::post::PostTab::Realtime,
            page,
        }
    }

    fn page() -> Arc<DrillPage> {
        Arc::new(DrillPage {
            items: Vec::new(),
            next: None,
            total: None,
        })
    }

    #[test]
    fn the_cache_holds_at_most_cap_pages_and_no_expired_ones() {
        let cfg = DrillFetcherConfig {
            cache_cap: 4,
            ttl: Duration::from_secs(120),
            ..Default::default()
        };
        let mut q = Queue::default();
        let t0 = Instant::now();
        for i in 0..10 {
            cache_page(
                &mut q,
                &cfg,
                req(i),
                page(),
                t0 + Duration::from_secs(u64::from(i)),
            );
            assert!(q.cache.len() <= cfg.cache_cap);
        }
        // The newest four, the oldest evicted first.
        assert!((6..10).all(|i| q.cache.contains_key(&req(i))));
        // Once their TTL is over, the next insert drops them all.
        cache_page(
            &mut q,
            &cfg,
            req(99),
            page(),
            t0 + Duration::from_secs(10 + 120),
        );
        assert_eq!(q.cache.len(), 1);
        assert!(q.cache.contains_key(&req(99)));
    }
}
