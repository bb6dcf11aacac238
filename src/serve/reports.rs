//! Reports as the feed serves them: [`report::build`] over the period ending now, kept until
//! the minute turns or a new poll is stored. Rising keywords and events are sections of the
//! same report, so a reader polling every feed costs one build per period and minute.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::Timelike;

use crate::report::{self, Period, PeriodSpec, Report};

use super::Server;
use super::error::ApiError;

struct Cached {
    period: Period,
    latest_poll: Option<chrono::DateTime<chrono::FixedOffset>>,
    report: Arc<Report>,
}

/// The last report of each period kind (`day`, `shift`, `6h`…).
#[derive(Default)]
pub(crate) struct Cache(Arc<Mutex<HashMap<String, Cached>>>);

impl Server {
    /// The report of the `spec` period ending at the current minute. Built and cached on the
    /// store thread, so a build that outlives its request's timeout still serves the next.
    pub(crate) async fn report(&self, spec: PeriodSpec) -> Result<Arc<Report>, ApiError> {
        let now = (self.options.now)();
        let minute = now
            .with_second(0)
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(now);
        let period = spec.ending_at(minute, &self.options.schedule);
        let opts = self.options.report.clone();
        let cache = self.reports.0.clone();
        self.pool
            .query(move |store| {
                let latest_poll = store.latest_poll_at()?;
                let key = spec.name();
                // A poisoned lock: a build panicked; the cached reports are whole values.
                let lock = || cache.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(c) = lock().get(&key)
                    && c.period == period
                    && c.latest_poll == latest_poll
                {
                    return Ok(c.report.clone());
                }
                let built = Arc::new(report::build(store, &period, &opts)?);
                lock().insert(
                    key,
                    Cached {
                        period,
                        latest_poll,
                        report: built.clone(),
                    },
                );
                Ok(built)
            })
            .await
    }
}
