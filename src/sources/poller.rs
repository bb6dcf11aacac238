//! One tokio task per platform: poll its chain, report every poll, wait (interval with jitter,
//! or exponential back-off after failures), obey `SourceCmd`s. Never touches app state.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::chain::Chain;
use super::http::HttpClient;
use super::{PollOutcome, PollReport, SourceCmd, SourceError, SourceEvent, SourcesConfig};
use crate::domain::Platform;
use crate::domain::now_cst;

/// Relative jitter applied to every wait (±10 %), so pollers do not tick in lock-step.
const JITTER: f64 = 0.10;

/// The wait before the next poll. `failures` is the number of consecutive failed polls
/// (0 after a success); `unit_rand` is a random number in [0, 1] (clamped).
/// Base is `interval` after success, else `interval * 2^(failures-1)` capped at `max_backoff`
/// (never below `interval`); the result is the base ±10 %.
pub fn next_delay(
    interval: Duration,
    max_backoff: Duration,
    failures: u32,
    unit_rand: f64,
) -> Duration {
    // A zero interval would hammer the platforms.
    let interval = if interval.is_zero() {
        Duration::from_secs(1)
    } else {
        interval
    };
    let cap = max_backoff.max(interval);
    let base = if failures == 0 {
        interval
    } else {
        let factor = 1u32 << (failures - 1).min(30);
        interval.saturating_mul(factor).min(cap)
    };
    let r = if unit_rand.is_finite() {
        unit_rand.clamp(0.0, 1.0)
    } else {
        0.5
    };
    base.mul_f64(1.0 - JITTER + 2.0 * JITTER * r)
}

/// Running pollers. Dropping it (or `shutdown`) stops them.
#[derive(Debug)]
pub struct SourcesHandle {
    cmds: Vec<mpsc::UnboundedSender<SourceCmd>>,
    tasks: Vec<JoinHandle<()>>,
}

impl SourcesHandle {
    /// Send a command to every poller. `RefreshNow` polls at once (also while paused, once)
    /// and resets back-off; `SetPaused(true)` stops polling until `SetPaused(false)`.
    pub fn send(&self, cmd: SourceCmd) {
        for tx in &self.cmds {
            // A closed channel means that poller already ended; nothing to tell it.
            let _ = tx.send(cmd);
        }
    }

    /// Stop every poller and wait for them to end.
    pub async fn shutdown(mut self) {
        let tasks = std::mem::take(&mut self.tasks);
        for t in &tasks {
            t.abort();
        }
        for t in tasks {
            let _ = t.await;
        }
    }
}

impl Drop for SourcesHandle {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Start one poller per platform in `cfg.platforms` (first poll immediately).
/// Must be called inside a tokio runtime.
pub fn spawn(
    cfg: SourcesConfig,
    events: mpsc::Sender<SourceEvent>,
) -> Result<SourcesHandle, SourceError> {
    let client = Arc::new(HttpClient::new(&cfg.net)?);
    let mut platforms = cfg.platforms.clone();
    platforms.sort();
    platforms.dedup();
    let mut handle = SourcesHandle {
        cmds: Vec::new(),
        tasks: Vec::new(),
    };
    for platform in platforms {
        let (tx, rx) = mpsc::unbounded_channel();
        let poller = Poller {
            chain: Arc::new(Chain::for_platform(platform)),
            client: Arc::clone(&client),
            interval: cfg.interval_for(platform),
            max_backoff: cfg.max_backoff.max(cfg.interval_for(platform)),
            events: events.clone(),
        };
        handle.cmds.push(tx);
        handle.tasks.push(tokio::spawn(poller.run(rx)));
    }
    Ok(handle)
}

struct Poller {
    chain: Arc<Chain>,
    client: Arc<HttpClient>,
    interval: Duration,
    max_backoff: Duration,
    events: mpsc::Sender<SourceEvent>,
}

impl Poller {
    async fn run(self, mut cmds: mpsc::UnboundedReceiver<SourceCmd>) {
        let mut failures = 0u32;
        let mut paused = false;
        let mut due = Instant::now();
        loop {
            let poll_now = if paused {
                match cmds.recv().await {
                    None => return,
                    Some(SourceCmd::SetPaused(p)) => {
                        paused = p;
                        false
                    }
                    Some(SourceCmd::RefreshNow) => {
                        failures = 0;
                        true
                    }
                }
            } else {
                tokio::select! {
                    _ = tokio::time::sleep_until(due) => true,
                    cmd = cmds.recv() => match cmd {
                        None => return,
                        Some(SourceCmd::SetPaused(p)) => { paused = p; false }
                        Some(SourceCmd::RefreshNow) => { failures = 0; true }
                    },
                }
            };
            if !poll_now {
                continue;
            }
            let (outcome, attempts) = self.poll_once().await;
            failures = match outcome {
                PollOutcome::Ok { .. } => 0,
                PollOutcome::Failed { .. } => failures.saturating_add(1),
            };
            let next_in = next_delay(self.interval, self.max_backoff, failures, fastrand::f64());
            due = Instant::now() + next_in;
            let report = PollReport {
                platform: self.chain.platform(),
                at: now_cst(),
                outcome,
                attempts,
                next_in,
                failures,
            };
            if self.events.send(SourceEvent::Poll(report)).await.is_err() {
                return; // nobody listens any more
            }
        }
    }

    async fn poll_once(&self) -> (PollOutcome, Vec<super::StepAttempt>) {
        poll_once(&self.chain, &self.client).await
    }
}

/// One poll of `chain` in its own task, so even a bug that panics in a parser becomes a failed
/// poll. The pollers and the headless commands (`snapshot`, `record`) all poll through this.
pub async fn poll_once(
    chain: &Arc<Chain>,
    client: &Arc<HttpClient>,
) -> (PollOutcome, Vec<super::StepAttempt>) {
    let (task_chain, task_client) = (Arc::clone(chain), Arc::clone(client));
    let task = async move {
        crate::crash::debug_panic_point("task");
        task_chain.poll(&task_client).await
    };
    match tokio::spawn(task).await {
        Ok(r) => r,
        Err(e) => {
            let platform: Platform = chain.platform();
            tracing::error!(%platform, "poll task failed: {e}");
            (
                PollOutcome::Failed {
                    error: SourceError::Other("internal error while polling".into()),
                },
                Vec::new(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn success_waits_interval_with_jitter() {
        assert_eq!(next_delay(S(60), S(600), 0, 0.5), S(60));
        assert_eq!(next_delay(S(60), S(600), 0, 0.0), S(54));
        assert_eq!(next_delay(S(60), S(600), 0, 1.0), S(66));
        // out-of-range randomness is clamped, not trusted
        assert_eq!(next_delay(S(60), S(600), 0, 7.0), S(66));
        assert_eq!(next_delay(S(60), S(600), 0, f64::NAN), S(60));
    }

    #[test]
    fn failures_back_off_exponentially_up_to_the_cap() {
        assert_eq!(next_delay(S(60), S(600), 1, 0.5), S(60));
        assert_eq!(next_delay(S(60), S(600), 2, 0.5), S(120));
        assert_eq!(next_delay(S(60), S(600), 3, 0.5), S(240));
        assert_eq!(next_delay(S(60), S(600), 4, 0.5), S(480));
        assert_eq!(next_delay(S(60), S(600), 5, 0.5), S(600));
        assert_eq!(next_delay(S(60), S(600), u32::MAX, 0.5), S(600));
        assert_eq!(next_delay(S(60), S(600), 40, 1.0), S(660));
        for f in 0..50 {
            for r in [0.0, 0.3, 1.0] {
                let d = next_delay(S(60), S(600), f, r);
                assert!(d >= S(54) && d <= S(660), "{f} {r} {d:?}");
            }
        }
    }

    #[test]
    fn degenerate_settings_never_hammer() {
        assert_eq!(next_delay(Duration::ZERO, Duration::ZERO, 0, 0.5), S(1));
        // a cap below the interval does not shorten the wait
        assert_eq!(next_delay(S(60), S(10), 3, 0.5), S(60));
    }
}
