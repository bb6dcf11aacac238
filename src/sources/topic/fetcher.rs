//! Background topic-detail fetcher, with the [`Polite`] fetcher's manners: one request at a
//! time, spaced (≥ `min_gap` plus jitter, politer than nateafish's 0.4 s ± 0.2 s), with a
//! bounded queue that drops its oldest entry when full. A hashtag is fetched once: while it
//! waits or is in flight, and for a TTL after (shorter after a failure), asking again does
//! nothing. Results (errors included) leave as `SourceEvent::TopicDetail`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::TopicDetail;
use super::detail::{fetch_detail, hashtag};
use crate::domain::normalize_title;
use crate::sources::http::HttpClient;
use crate::sources::polite::{Errand, Manners, Polite};
use crate::sources::{SourceError, SourceEvent};

/// Finished hashtags remembered at most; expired ones are pruned first.
const MAX_REMEMBERED: usize = 4096;

/// Every topic page is on this host.
const HOST: &str = "m.s.weibo.com";

#[derive(Debug, Clone)]
pub struct TopicFetcherConfig {
    /// Shortest time between two requests.
    pub min_gap: Duration,
    /// Up to this much is added to each gap, uniformly at random.
    pub jitter: Duration,
    /// A hashtag fetched successfully is not fetched (nor reported) again for this long.
    pub ttl: Duration,
    /// A hashtag whose fetch failed may be retried after this long.
    pub retry_after: Duration,
    /// Most hashtags waiting; a new request beyond this drops the oldest waiting one.
    pub queue_cap: usize,
}

impl Default for TopicFetcherConfig {
    fn default() -> Self {
        TopicFetcherConfig {
            min_gap: Duration::from_secs(1),
            jitter: Duration::from_secs(1),
            ttl: Duration::from_secs(6 * 3600),
            retry_after: Duration::from_secs(10 * 60),
            queue_cap: 64,
        }
    }
}

struct Job {
    /// The normalised hashtag: the topic's identity.
    key: String,
    /// The `#…#` hashtag asked for.
    tag: String,
}

/// Topic pages. Only that a hashtag was done is remembered, not the page: its event was sent.
struct Pages {
    ttl: Duration,
    retry_after: Duration,
}

impl Errand for Pages {
    type Job = Job;
    type Key = String;
    type Kept = ();
    type Answer = Box<TopicDetail>;
    type Event = SourceEvent;

    const NAME: &'static str = "topic";
    const INTERNAL_ERROR: &'static str = "internal error while fetching a topic";

    fn key(job: &Job) -> &String {
        &job.key
    }

    fn host(_job: &Job) -> &'static str {
        HOST
    }

    fn fetch(
        client: Arc<HttpClient>,
        job: &Job,
    ) -> impl Future<Output = Result<Box<TopicDetail>, SourceError>> + Send + 'static {
        let tag = job.tag.clone();
        async move { fetch_detail(&client, &tag).await.map(Box::new) }
    }

    fn keep(&self, result: &Result<Box<TopicDetail>, SourceError>) -> Option<(Duration, ())> {
        let keep = if result.is_ok() {
            self.ttl
        } else {
            self.retry_after
        };
        Some((keep, ()))
    }

    fn event(job: Job, result: Result<Box<TopicDetail>, SourceError>) -> SourceEvent {
        SourceEvent::TopicDetail(job.tag, result)
    }
}

/// The running fetcher. Dropping it (or `shutdown`) stops the task.
pub struct TopicFetcherHandle {
    polite: Polite<Pages>,
}

impl std::fmt::Debug for TopicFetcherHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TopicFetcherHandle")
            .field("waiting", &self.waiting())
            .finish_non_exhaustive()
    }
}

impl TopicFetcherHandle {
    /// Ask for the detail page of `topic` (title, query or `#hashtag#`). Returns whether it was
    /// queued: not when empty, already waiting or being fetched, or fetched within its TTL
    /// (its event was sent then). Never blocks on the network.
    pub fn request(&self, topic: &str) -> bool {
        let Some(tag) = hashtag(topic) else {
            return false;
        };
        let key = normalize_title(&tag);
        self.polite.push_new(Job { key, tag })
    }

    /// Hashtags waiting to be fetched.
    pub fn waiting(&self) -> usize {
        self.polite.waiting()
    }

    /// Stop the task and wait for it to end.
    pub async fn shutdown(self) {
        self.polite.shutdown().await;
    }
}

/// Start the fetcher task (inside a tokio runtime). The first request goes out at once.
pub fn spawn_topic_fetcher(
    client: Arc<HttpClient>,
    cfg: TopicFetcherConfig,
    events: mpsc::Sender<SourceEvent>,
) -> TopicFetcherHandle {
    let pages = Pages {
        ttl: cfg.ttl,
        retry_after: cfg.retry_after,
    };
    let manners = Manners::new(cfg.min_gap, cfg.jitter, cfg.queue_cap, MAX_REMEMBERED);
    let polite = Polite::spawn(pages, manners, client, events);
    TopicFetcherHandle { polite }
}
