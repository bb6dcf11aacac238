//! Background topic-detail fetcher: one request at a time, spaced (≥ `min_gap` plus jitter,
//! politer than nateafish's 0.4 s ± 0.2 s), de-duplicated, cached, with a bounded queue that
//! drops its oldest entry when full. Results (errors included) leave as
//! `SourceEvent::TopicDetail`; nothing here panics the caller.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::detail::{fetch_detail, hashtag};
use crate::domain::normalise_title;
use crate::sources::http::HttpClient;
use crate::sources::{SourceError, SourceEvent};

/// Finished hashtags remembered at most; expired ones are pruned first.
const MAX_REMEMBERED: usize = 4096;

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

#[derive(Default)]
struct Queue {
    /// (normalised key, `#…#` hashtag), oldest first.
    waiting: VecDeque<(String, String)>,
    /// Key being fetched now.
    in_flight: Option<String>,
    /// Key → until when a new request for it is ignored.
    done: HashMap<String, Instant>,
}

struct Shared {
    queue: Mutex<Queue>,
    wake: Notify,
    cap: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A poisoned lock only means a panic elsewhere; the queue is still consistent.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The running fetcher. Dropping it (or `shutdown`) stops the task.
pub struct TopicFetcherHandle {
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
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
        let key = normalise_title(&tag);
        let mut q = self.shared.lock();
        let now = Instant::now();
        let known = q.in_flight.as_deref() == Some(key.as_str())
            || q.done.get(&key).is_some_and(|until| *until > now)
            || q.waiting.iter().any(|(k, _)| *k == key);
        if known {
            return false;
        }
        q.waiting.push_back((key, tag));
        while q.waiting.len() > self.shared.cap {
            if let Some((_, dropped)) = q.waiting.pop_front() {
                tracing::debug!(hashtag = %dropped, "topic queue full; dropped the oldest request");
            }
        }
        drop(q);
        self.shared.wake.notify_one();
        true
    }

    /// Hashtags waiting to be fetched.
    pub fn waiting(&self) -> usize {
        self.shared.lock().waiting.len()
    }

    /// Stop the task and wait for it to end.
    pub async fn shutdown(mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
            let _ = t.await;
        }
    }
}

impl Drop for TopicFetcherHandle {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

/// Start the fetcher task (inside a tokio runtime). The first request goes out at once.
pub fn spawn_topic_fetcher(
    client: Arc<HttpClient>,
    cfg: TopicFetcherConfig,
    events: mpsc::Sender<SourceEvent>,
) -> TopicFetcherHandle {
    let shared = Arc::new(Shared {
        queue: Mutex::new(Queue::default()),
        wake: Notify::new(),
        cap: cfg.queue_cap.max(1),
    });
    let task = tokio::spawn(run(Arc::clone(&shared), client, cfg, events));
    TopicFetcherHandle {
        shared,
        task: Some(task),
    }
}

/// The wait between two request starts: `min_gap` plus up to `jitter`.
fn gap(cfg: &TopicFetcherConfig) -> Duration {
    cfg.min_gap + cfg.jitter.mul_f64(fastrand::f64())
}

fn next(shared: &Shared) -> Option<(String, String)> {
    let mut q = shared.lock();
    let (key, tag) = q.waiting.pop_front()?;
    q.in_flight = Some(key.clone());
    if q.done.len() >= MAX_REMEMBERED {
        let now = Instant::now();
        q.done.retain(|_, until| *until > now);
        if q.done.len() >= MAX_REMEMBERED {
            q.done.clear();
        }
    }
    Some((key, tag))
}

async fn run(
    shared: Arc<Shared>,
    client: Arc<HttpClient>,
    cfg: TopicFetcherConfig,
    events: mpsc::Sender<SourceEvent>,
) {
    let mut last_start: Option<Instant> = None;
    loop {
        let Some((key, tag)) = next(&shared) else {
            shared.wake.notified().await;
            continue;
        };
        if let Some(t) = last_start {
            tokio::time::sleep_until(t + gap(&cfg)).await;
        }
        last_start = Some(Instant::now());
        // In its own task so even a panicking parser becomes an error event.
        let fetch = {
            let client = Arc::clone(&client);
            let tag = tag.clone();
            tokio::spawn(async move { fetch_detail(&client, &tag).await.map(Box::new) })
        };
        let result = fetch.await.unwrap_or_else(|e| {
            tracing::error!("topic fetch task failed: {e}");
            Err(SourceError::Other(
                "internal error while fetching a topic".into(),
            ))
        });
        {
            let mut q = shared.lock();
            q.in_flight = None;
            let keep = if result.is_ok() {
                cfg.ttl
            } else {
                cfg.retry_after
            };
            q.done.insert(key, Instant::now() + keep);
        }
        if events
            .send(SourceEvent::TopicDetail(tag, result))
            .await
            .is_err()
        {
            return; // nobody listens any more
        }
    }
}
