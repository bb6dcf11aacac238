//! Drill-down loading in the background, with the [`Polite`] fetcher's manners: requests to
//! one host start at least `min_gap` (+ jitter) apart, pages are answered from a cache for
//! `ttl` (reload bypasses it), and `cancel(id)` drops a view's waiting requests and aborts its
//! in-flight one when the user leaves the view. Results (errors included) leave as
//! `SourceEvent::Drill`; a late answer for a cancelled id is dropped.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::domain::now_cst;
use crate::domain::post::{DrillPage, DrillRequest};
use crate::sources::http::HttpClient;
use crate::sources::polite::{Errand, Manners, Polite};
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

/// Pages for views: cached for `ttl` when they load.
struct Pages {
    ttl: Duration,
}

impl Errand for Pages {
    type Job = Job;
    type Key = DrillRequest;
    type Kept = Arc<DrillPage>;
    type Answer = Box<DrillPage>;
    type Event = SourceEvent;

    const NAME: &'static str = "drill";
    const INTERNAL_ERROR: &'static str = "internal error while loading";

    fn key(job: &Job) -> &DrillRequest {
        &job.req
    }

    fn owner(job: &Job) -> u64 {
        job.id
    }

    fn host(job: &Job) -> &'static str {
        job.req.host()
    }

    fn fetch(
        client: Arc<HttpClient>,
        job: &Job,
    ) -> impl Future<Output = Result<Box<DrillPage>, SourceError>> + Send + 'static {
        let req = job.req.clone();
        async move { super::fetch(&client, &req, now_cst()).await.map(Box::new) }
    }

    fn recall(&self, job: &Job, page: &Arc<DrillPage>) -> Option<Box<DrillPage>> {
        (!job.fresh).then(|| Box::new((**page).clone()))
    }

    /// A served page (fetched or from the cache) is kept for another `ttl`.
    fn keep(
        &self,
        result: &Result<Box<DrillPage>, SourceError>,
    ) -> Option<(Duration, Arc<DrillPage>)> {
        let page = result.as_ref().ok()?;
        Some((self.ttl, Arc::new((**page).clone())))
    }

    fn event(job: Job, result: Result<Box<DrillPage>, SourceError>) -> SourceEvent {
        SourceEvent::Drill {
            id: job.id,
            request: job.req,
            result,
        }
    }
}

/// The running fetcher. Dropping it stops the task.
pub struct DrillHandle {
    polite: Polite<Pages>,
}

impl DrillHandle {
    /// Load `req` for the view `id`. Never blocks on the network.
    pub fn request(&self, id: u64, req: DrillRequest) {
        self.polite.push(Job {
            id,
            req,
            fresh: false,
        });
    }

    /// As `request`, bypassing the cache (`r` reload).
    pub fn reload(&self, id: u64, req: DrillRequest) {
        self.polite.push(Job {
            id,
            req,
            fresh: true,
        });
    }

    /// The view `id` was left: drop its waiting requests and stop its in-flight one.
    pub fn cancel(&self, id: u64) {
        self.polite.cancel(id);
    }

    /// Requests waiting (not counting one in flight).
    pub fn waiting(&self) -> usize {
        self.polite.waiting()
    }
}

/// Start the fetcher task (inside a tokio runtime).
pub fn spawn_drill_fetcher(
    client: Arc<HttpClient>,
    cfg: DrillFetcherConfig,
    events: mpsc::Sender<SourceEvent>,
) -> DrillHandle {
    let pages = Pages { ttl: cfg.ttl };
    let manners = Manners::new(cfg.min_gap, cfg.jitter, cfg.queue_cap, cfg.cache_cap);
    let polite = Polite::spawn(pages, manners, client, events);
    DrillHandle { polite }
}
