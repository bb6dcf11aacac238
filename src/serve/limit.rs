//! Request limits and the per-client token bucket. The bucket reads an injected clock, so
//! tests empty and refill it without sleeping. (`push::rate` limits what resou sends to one
//! destination; this limits what one client asks of resou, per address.)

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Monotonic time since any fixed origin.
pub type Clock = Arc<dyn Fn() -> Duration + Send + Sync>;

/// Time since this call: the clock of a real server.
pub fn system_clock() -> Clock {
    let start = Instant::now();
    Arc::new(move || start.elapsed())
}

/// Up to `burst` requests at once, then `per_second` more each second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub burst: u32,
    pub per_second: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Open connections; accepting waits while this many are open.
    pub max_connections: usize,
    /// Requests being answered at once; more get 503.
    pub max_in_flight: usize,
    /// Per client address.
    pub rate: Rate,
    /// Whole request, store query included; slower ones get 503.
    pub timeout: Duration,
    /// A client that has not sent its request head by then is disconnected.
    pub header_read_timeout: Duration,
    /// Longer URIs get 414 (feed queries are short).
    pub max_uri_bytes: usize,
    /// Bigger header blocks get 431.
    pub max_header_bytes: usize,
    /// Store threads (each holds its own connection).
    pub store_threads: usize,
}

impl Default for Limits {
    /// Sized for a handful of team tools and feed readers polling every minute or so.
    fn default() -> Self {
        Limits {
            max_connections: 64,
            max_in_flight: 16,
            rate: Rate {
                burst: 30,
                per_second: 1.0,
            },
            timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(10),
            max_uri_bytes: 2048,
            max_header_bytes: 8192,
            store_threads: 2,
        }
    }
}

/// Clients remembered at most; past it, buckets that have refilled are forgotten (a full
/// bucket is what a new client gets anyway).
const MAX_CLIENTS: usize = 4096;

struct Bucket {
    tokens: f64,
    at: Duration,
}

pub(crate) struct Buckets {
    rate: Rate,
    clock: Clock,
    clients: Mutex<HashMap<IpAddr, Bucket>>,
}

impl Buckets {
    pub fn new(rate: Rate, clock: Clock) -> Buckets {
        Buckets {
            rate,
            clock,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Take a token for `client`, or say how long until one is there.
    pub fn take(&self, client: IpAddr) -> Result<(), Duration> {
        let now = (self.clock)();
        let burst = f64::from(self.rate.burst.max(1));
        let refill = |b: &Bucket| {
            let dt = now.saturating_sub(b.at).as_secs_f64();
            (b.tokens + dt * self.rate.per_second).min(burst)
        };
        // A poisoned lock only means another request panicked mid-update: the counts are
        // still usable.
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if clients.len() >= MAX_CLIENTS && !clients.contains_key(&client) {
            clients.retain(|_, b| refill(b) < burst);
        }
        let b = clients.entry(client).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        b.tokens = refill(b);
        b.at = b.at.max(now);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            return Ok(());
        }
        let rate = self.rate.per_second;
        Err(if rate > 0.0 {
            Duration::from_secs_f64((1.0 - b.tokens) / rate)
        } else {
            Duration::from_secs(3600)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn a_bucket_empties_refills_and_is_per_client() {
        let ms = Arc::new(AtomicU64::new(0));
        let clock: Clock = {
            let ms = ms.clone();
            Arc::new(move || Duration::from_millis(ms.load(Ordering::SeqCst)))
        };
        let b = Buckets::new(
            Rate {
                burst: 3,
                per_second: 0.5,
            },
            clock,
        );
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        for _ in 0..3 {
            assert!(b.take(a).is_ok());
        }
        assert_eq!(b.take(a), Err(Duration::from_secs(2)));
        assert!(b.take(other).is_ok(), "another client has its own bucket");
        ms.store(1000, Ordering::SeqCst);
        assert_eq!(b.take(a), Err(Duration::from_secs(1)), "half a token back");
        ms.store(2000, Ordering::SeqCst);
        assert!(b.take(a).is_ok());
        assert!(b.take(a).is_err());
        ms.store(1_000_000, Ordering::SeqCst);
        for _ in 0..3 {
            assert!(b.take(a).is_ok(), "refilled to the burst, not beyond");
        }
        assert!(b.take(a).is_err());
    }
}
