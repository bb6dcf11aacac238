//! Store threads: plain threads, each owning one store connection, answering queries sent
//! from request handlers. Plain threads rather than `spawn_blocking`: the PostgreSQL client
//! refuses to run inside the async runtime (`StoreError::AsyncContext`).

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use crate::store::{HistoryStore, StoreError};

use super::error::ApiError;

/// Opens one store connection; called on a store thread, again after a failed open.
pub type Opener = Arc<dyn Fn() -> Result<Box<dyn HistoryStore>, StoreError> + Send + Sync>;

type Job = Box<dyn FnOnce(Result<&dyn HistoryStore, &StoreError>) + Send>;

/// Queries waiting per store thread before requests get 503.
const QUEUE_PER_THREAD: usize = 16;

pub(crate) struct Pool {
    jobs: SyncSender<Job>,
}

impl Pool {
    /// `threads` store threads; they end when the pool is dropped.
    pub fn start(opener: Opener, threads: usize) -> Pool {
        let threads = threads.max(1);
        let (jobs, rx) = sync_channel::<Job>(threads * QUEUE_PER_THREAD);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads {
            let rx = rx.clone();
            let opener = opener.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("serve-store-{i}"))
                .spawn(move || work(&rx, &opener));
            if let Err(e) = spawned {
                // The threads that did start serve the queue; none at all shows as 503s.
                tracing::error!("serve: store thread {i} not started: {e}");
            }
        }
        Pool { jobs }
    }

    /// Run `f` on a store thread. Store errors become 503 naming the store and the
    /// operation (URLs without passwords: `StoreError` shows only redacted targets).
    pub async fn query<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn HistoryStore) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |store| {
            let out = match store {
                Ok(s) => f(s).map_err(|e| store_error(&e)),
                Err(e) => Err(store_error(e)),
            };
            // The request may have timed out and gone: nobody to answer.
            let _ = tx.send(out);
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(ApiError::unavailable(
                    "busy: too many store queries waiting",
                ));
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(ApiError::unavailable(
                    "history store: no store thread running",
                ));
            }
        }
        rx.await.unwrap_or_else(|_| {
            Err(ApiError::unavailable(
                "history store: the query ended without an answer",
            ))
        })
    }
}

fn store_error(e: &StoreError) -> ApiError {
    ApiError::unavailable(format!("history store: {e}"))
}

fn work(rx: &Mutex<Receiver<Job>>, opener: &Opener) {
    let mut store: Option<Box<dyn HistoryStore>> = None;
    loop {
        // A poisoned lock: another store thread panicked while waiting; the queue is intact.
        let job = match rx.lock().unwrap_or_else(|p| p.into_inner()).recv() {
            Ok(job) => job,
            Err(_) => return, // the pool was dropped
        };
        if store.is_none() {
            match opener() {
                Ok(s) => store = Some(s),
                Err(e) => {
                    tracing::warn!("serve: opening the history store: {e}");
                    job(Err(&e));
                    continue;
                }
            }
        }
        if let Some(s) = store.as_deref() {
            job(Ok(s));
        }
    }
}
