//! A background fetcher with network manners, shared by topic stats and drill-down: one
//! request at a time, requests to one host starting at least `min_gap` (plus up to `jitter`)
//! apart, a bounded queue that drops its oldest entry when full, results remembered for a
//! TTL, and cancellation of an owner's waiting and in-flight requests. A fetch runs in its
//! own task, so even a panicking parser becomes an error event; nothing here panics the
//! caller.
//!
//! What to fetch, how to parse it, what to remember of a result and which event to emit is
//! an [`Errand`]'s.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::SourceError;
use super::http::HttpClient;

/// How politely to fetch.
#[derive(Debug, Clone)]
pub(crate) struct Manners {
    /// Shortest time between two request starts to the same host.
    pub min_gap: Duration,
    /// Up to this much is added to each gap, uniformly at random.
    pub jitter: Duration,
    /// Most jobs waiting; beyond it the oldest waiting one is dropped.
    pub queue_cap: usize,
    /// Most results remembered.
    pub memo_cap: usize,
}

impl Manners {
    pub fn new(min_gap: Duration, jitter: Duration, queue_cap: usize, memo_cap: usize) -> Self {
        Manners {
            min_gap,
            jitter,
            queue_cap,
            memo_cap,
        }
    }
}

/// One kind of background fetch.
pub(crate) trait Errand: Send + Sync + 'static {
    /// One request as asked for.
    type Job: Send + Sync + 'static;
    /// What a job fetches: waiting duplicates and remembered results are found by it.
    type Key: Eq + Hash + Clone + std::fmt::Debug + Send + 'static;
    /// What is remembered of a result.
    type Kept: Send + 'static;
    type Answer: Send + 'static;
    /// What leaves on the events channel.
    type Event: Send + 'static;

    /// For logs.
    const NAME: &'static str;
    /// The error a failed (panicked) fetch task becomes.
    const INTERNAL_ERROR: &'static str;

    fn key(job: &Self::Job) -> &Self::Key;
    /// Who asked (a view), for [`Polite::cancel`].
    fn owner(_job: &Self::Job) -> u64 {
        0
    }
    /// Where the request goes: spacing is per host.
    fn host(job: &Self::Job) -> &'static str;
    fn fetch(
        client: Arc<HttpClient>,
        job: &Self::Job,
    ) -> impl Future<Output = Result<Self::Answer, SourceError>> + Send + 'static;
    /// An answer from what was remembered for the job's key, instead of a request.
    fn recall(&self, _job: &Self::Job, _kept: &Self::Kept) -> Option<Self::Answer> {
        None
    }
    /// What to remember of a result (answers and failures alike), and for how long.
    fn keep(&self, result: &Result<Self::Answer, SourceError>) -> Option<(Duration, Self::Kept)>;
    fn event(job: Self::Job, result: Result<Self::Answer, SourceError>) -> Self::Event;
}

/// Results kept until their own expiry, at most `cap`. Expired ones go first (they are never
/// used again: holding them until the cap forced them out kept megabytes of drill pages for
/// nothing); at the cap, the one expiring soonest goes.
pub(crate) struct Memo<K, V> {
    cap: usize,
    entries: HashMap<K, (Instant, V)>,
}

impl<K: Eq + Hash + Clone, V> Memo<K, V> {
    pub fn new(cap: usize) -> Self {
        Memo {
            cap: cap.max(1),
            entries: HashMap::new(),
        }
    }

    /// What is kept for `key`, unless it expired by `now`.
    pub fn get(&self, key: &K, now: Instant) -> Option<&V> {
        self.entries
            .get(key)
            .filter(|(until, _)| *until > now)
            .map(|(_, v)| v)
    }

    pub fn insert(&mut self, key: K, value: V, until: Instant, now: Instant) {
        self.entries.retain(|_, (u, _)| *u > now);
        if self.entries.len() >= self.cap {
            let soonest = self
                .entries
                .iter()
                .min_by_key(|(_, (u, _))| *u)
                .map(|(k, _)| k.clone());
            if let Some(k) = soonest {
                self.entries.remove(&k);
            }
        }
        self.entries.insert(key, (until, value));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }

    #[cfg(test)]
    fn contains_key(&self, key: &K) -> bool {
        self.entries.contains_key(key)
    }
}

/// The job being waited for or fetched.
struct Current<K> {
    owner: u64,
    key: K,
    cancelled: bool,
}

struct Queue<E: Errand> {
    waiting: VecDeque<E::Job>,
    current: Option<Current<E::Key>>,
    memo: Memo<E::Key, E::Kept>,
    /// Per host: when the next request may start.
    next_slot: HashMap<&'static str, Instant>,
}

struct Shared<E: Errand> {
    errand: E,
    manners: Manners,
    queue: Mutex<Queue<E>>,
    wake: Notify,
    cancel: Notify,
}

impl<E: Errand> Shared<E> {
    fn lock(&self) -> MutexGuard<'_, Queue<E>> {
        // A poisoned lock only means a panic elsewhere; the queue is still consistent.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The running fetcher. Dropping it stops the task.
pub(crate) struct Polite<E: Errand> {
    shared: Arc<Shared<E>>,
    task: Option<JoinHandle<()>>,
}

impl<E: Errand> Polite<E> {
    /// Start the fetcher task (inside a tokio runtime). The first request goes out at once.
    pub fn spawn(
        errand: E,
        manners: Manners,
        client: Arc<HttpClient>,
        events: mpsc::Sender<E::Event>,
    ) -> Self {
        let shared = Arc::new(Shared {
            errand,
            queue: Mutex::new(Queue {
                waiting: VecDeque::new(),
                current: None,
                memo: Memo::new(manners.memo_cap),
                next_slot: HashMap::new(),
            }),
            manners,
            wake: Notify::new(),
            cancel: Notify::new(),
        });
        let task = tokio::spawn(run(Arc::clone(&shared), client, events));
        Polite {
            shared,
            task: Some(task),
        }
    }

    /// Queue `job` unless the same owner already waits for the same key. Returns whether it
    /// was queued. Never blocks on the network.
    pub fn push(&self, job: E::Job) -> bool {
        self.push_if(job, |_, _| true)
    }

    /// As [`Polite::push`], also refusing a key being fetched, or remembered (its event was
    /// sent then).
    pub fn push_new(&self, job: E::Job) -> bool {
        self.push_if(job, |q, key| {
            let now = Instant::now();
            q.current.as_ref().is_none_or(|c| c.key != *key) && q.memo.get(key, now).is_none()
        })
    }

    fn push_if(&self, job: E::Job, new: impl FnOnce(&Queue<E>, &E::Key) -> bool) -> bool {
        let mut q = self.shared.lock();
        let (owner, key) = (E::owner(&job), E::key(&job));
        let waiting = q
            .waiting
            .iter()
            .any(|j| E::owner(j) == owner && E::key(j) == key);
        if waiting || !new(&q, key) {
            return false;
        }
        q.waiting.push_back(job);
        while q.waiting.len() > self.shared.manners.queue_cap.max(1) {
            if let Some(dropped) = q.waiting.pop_front() {
                let key = E::key(&dropped);
                tracing::debug!(?key, "{} queue full; dropped the oldest request", E::NAME);
            }
        }
        drop(q);
        self.shared.wake.notify_one();
        true
    }

    /// `owner` is gone: drop its waiting jobs and stop its in-flight one (no event for it).
    pub fn cancel(&self, owner: u64) {
        let mut q = self.shared.lock();
        q.waiting.retain(|j| E::owner(j) != owner);
        if let Some(cur) = &mut q.current
            && cur.owner == owner
        {
            cur.cancelled = true;
            drop(q);
            self.shared.cancel.notify_one();
        }
    }

    /// Jobs waiting (not counting one in flight).
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

impl<E: Errand> Drop for Polite<E> {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

enum Next<E: Errand> {
    Recalled(E::Job, E::Answer),
    /// Fetch, starting at the host's slot.
    Fetch(E::Job, Instant),
}

fn next<E: Errand>(shared: &Shared<E>) -> Option<Next<E>> {
    let mut q = shared.lock();
    let job = q.waiting.pop_front()?;
    let now = Instant::now();
    let key = E::key(&job);
    if let Some(answer) = q
        .memo
        .get(key, now)
        .and_then(|kept| shared.errand.recall(&job, kept))
    {
        return Some(Next::Recalled(job, answer));
    }
    let host = E::host(&job);
    let start = q.next_slot.get(host).copied().unwrap_or(now).max(now);
    let m = &shared.manners;
    q.next_slot
        .insert(host, start + m.min_gap + m.jitter.mul_f64(fastrand::f64()));
    q.current = Some(Current {
        owner: E::owner(&job),
        key: key.clone(),
        cancelled: false,
    });
    Some(Next::Fetch(job, start))
}

async fn run<E: Errand>(
    shared: Arc<Shared<E>>,
    client: Arc<HttpClient>,
    events: mpsc::Sender<E::Event>,
) {
    loop {
        let Some(next) = next(&shared) else {
            shared.wake.notified().await;
            continue;
        };
        let (job, result) = match next {
            Next::Recalled(job, answer) => (job, Some(Ok(answer))),
            Next::Fetch(job, start) => {
                let result = fetch_unless_cancelled(&shared, &client, &job, start).await;
                (job, result)
            }
        };
        let result = {
            // One lock: a new request sees the key either in flight or remembered, never
            // neither.
            let mut q = shared.lock();
            let cancelled = q.current.take().is_some_and(|c| c.cancelled);
            match result {
                Some(result) if !cancelled => {
                    if let Some((ttl, kept)) = shared.errand.keep(&result) {
                        let now = Instant::now();
                        q.memo.insert(E::key(&job).clone(), kept, now + ttl, now);
                    }
                    result
                }
                _ => {
                    tracing::debug!(owner = E::owner(&job), "{} request cancelled", E::NAME);
                    continue;
                }
            }
        };
        if events.send(E::event(job, result)).await.is_err() {
            return; // nobody listens any more
        }
    }
}

/// Resolves when the current job is cancelled.
async fn cancellation<E: Errand>(shared: &Shared<E>) {
    loop {
        shared.cancel.notified().await;
        if shared.lock().current.as_ref().is_some_and(|c| c.cancelled) {
            return;
        }
    }
}

/// Wait for the host's slot, then fetch; `None` when `cancel` came first (an in-flight
/// request is aborted).
async fn fetch_unless_cancelled<E: Errand>(
    shared: &Shared<E>,
    client: &Arc<HttpClient>,
    job: &E::Job,
    start: Instant,
) -> Option<Result<E::Answer, SourceError>> {
    tokio::select! {
        _ = cancellation(shared) => return None,
        _ = tokio::time::sleep_until(start) => {}
    }
    // In its own task so even a panicking parser becomes an error event.
    let mut task = tokio::spawn(E::fetch(Arc::clone(client), job));
    tokio::select! {
        _ = cancellation(shared) => {
            task.abort();
            None
        }
        r = &mut task => Some(r.unwrap_or_else(|e| {
            tracing::error!("{} fetch task failed: {e}", E::NAME);
            Err(SourceError::Other(E::INTERNAL_ERROR.into()))
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memo_holds_at_most_cap_entries_and_no_expired_ones() {
        let ttl = Duration::from_secs(120);
        let mut memo = Memo::new(4);
        let t0 = Instant::now();
        for i in 0..10 {
            let now = t0 + Duration::from_secs(i);
            memo.insert(i, (), now + ttl, now);
            assert!(memo.len() <= 4);
        }
        // The newest four, the oldest evicted first.
        assert!((6..10).all(|i| memo.contains_key(&i)));
        // Once their TTL is over, the next insert drops them all.
        let now = t0 + Duration::from_secs(10 + 120);
        memo.insert(99, (), now + ttl, now);
        assert_eq!(memo.len(), 1);
        assert!(memo.contains_key(&99));
    }
}
