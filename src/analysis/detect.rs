//! Rising-term detectors (trend-detection.md §5–6): time-aware EWMA/EWMVar significance on
//! heat share (primary) and an online two-state Kleinberg automaton on title counts (fallback).
//! Time is an argument (minutes); state is O(1) per term and (de)serialisable.

use std::collections::{HashMap, VecDeque};
use std::ops::Index;
use std::path::Path;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::domain::Platform;

/// All detector parameters; defaults are the reference's starting values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorConfig {
    /// Baseline half-life `H_slow` (minutes).
    pub half_life_slow_min: f64,
    /// De-flicker half-life `H_fast` (minutes).
    pub half_life_fast_min: f64,
    /// Half-life of the recent level `m` (minutes) that "still growing" compares against:
    /// a term is rising *now* only while its smoothed level `f` is above `m`.
    pub half_life_mid_min: f64,
    /// Relative growth of `f` over the previous poll's `m` that counts as growing (half of it
    /// keeps a term growing, so a level hovering at the edge does not flicker).
    pub growth: f64,
    /// A platform whose last poll is older than this (or that never polled) starts again from
    /// a baseline: terms in its next list are what is normal, not news.
    pub reseed_after_min: f64,
    /// Noise floor and cold-start bias β (share units).
    pub beta: f64,
    /// Minimum support `x_min` for a flag.
    pub x_min: f64,
    /// Hysteresis: enter at z ≥ θ_on, leave after `off_polls` polls with z < θ_off.
    pub theta_on: f64,
    pub theta_off: f64,
    pub off_polls: u32,
    /// No flags during the first minutes after the first poll.
    pub warmup_min: f64,
    /// Evict a term when its baseline is below this and it has been absent this long.
    pub evict_mu: f64,
    pub evict_absent_min: f64,
    /// Kleinberg fallback on counts.
    pub kleinberg: bool,
    /// Burst rate multiplier `s`.
    pub kleinberg_s: f64,
    /// Transition cost factor γ.
    pub kleinberg_gamma: f64,
    /// Horizon for `n` in τ01 = γ·ln n (n = polls per horizon, from the actual poll gap).
    pub kleinberg_horizon_min: f64,
    /// Half-life of the base-rate EWMA `H_base` (minutes).
    pub kleinberg_base_half_life_min: f64,
    /// Kleinberg only decides for terms in at most this many titles (its low-count regime).
    pub kleinberg_max_count: u32,
    /// Points of signal history kept per term (sparklines).
    pub history_len: usize,
    /// A platform's last list stops counting after this many minutes without a new one.
    pub stale_after_min: f64,
    /// Per list (`Platform::index`): how much its heat share counts in the combined share
    /// (`[platform.<id>] weight` in the config file; 1 each by default).
    #[serde(skip)]
    pub platform_weights: [f64; Platform::COUNT],
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            platform_weights: [1.0; Platform::COUNT],
            half_life_slow_min: 120.0,
            half_life_fast_min: 5.0,
            half_life_mid_min: 15.0,
            growth: 0.1,
            reseed_after_min: 6.0 * 60.0,
            beta: 0.01,
            x_min: 0.02,
            theta_on: 3.0,
            theta_off: 1.5,
            off_polls: 3,
            warmup_min: 30.0,
            evict_mu: 1e-4,
            evict_absent_min: 24.0 * 60.0,
            kleinberg: true,
            kleinberg_s: 3.0,
            kleinberg_gamma: 1.0,
            kleinberg_horizon_min: 24.0 * 60.0,
            // 3 h, not the reference's 24 h: a term that settles at a steady count is its own
            // baseline within hours (with 24 h a steady term seen at cold start stayed "bursty"
            // for most of a day; tests/analysis/analysis_detect.rs measures the time it takes).
            kleinberg_base_half_life_min: 3.0 * 60.0,
            kleinberg_max_count: 5,
            history_len: 48,
            stale_after_min: 90.0,
        }
    }
}

/// `1 − 2^(−Δt/H)`: the EWMA weight of a new value after `dt` minutes.
pub fn alpha(dt: f64, half_life: f64) -> f64 {
    if dt <= 0.0 || half_life <= 0.0 {
        return if half_life <= 0.0 { 1.0 } else { 0.0 };
    }
    1.0 - (-dt / half_life).exp2()
}

/// EWMA weights for one gap: the same for every term updated at the same previous poll,
/// so a step computes them once instead of per term (same function, same bits).
#[derive(Debug, Clone, Copy)]
struct Alphas {
    dt: f64,
    slow: f64,
    fast: f64,
    mid: f64,
    base: f64,
}

impl Alphas {
    fn new(dt: f64, cfg: &DetectorConfig) -> Alphas {
        Alphas {
            dt,
            slow: alpha(dt, cfg.half_life_slow_min),
            fast: alpha(dt, cfg.half_life_fast_min),
            mid: alpha(dt, cfg.half_life_mid_min),
            base: alpha(dt, cfg.kleinberg_base_half_life_min),
        }
    }

    /// These weights when `dt` is the shared gap, else freshly computed ones.
    fn for_gap(&self, dt: f64, cfg: &DetectorConfig) -> Alphas {
        if dt == self.dt {
            *self
        } else {
            Alphas::new(dt, cfg)
        }
    }
}

/// What a step did to a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    None,
    On,
    Off,
}

/// EWMA/EWMVar significance state for one term (on one stream).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ewma {
    pub mu: f64,
    pub v: f64,
    pub f: f64,
    pub t_last: f64,
    pub flagged: bool,
    pub off_count: u32,
    /// Score of the latest step.
    pub z: f64,
    /// Recent level (EWMA of x with `H_mid`): what "still growing" compares against.
    #[serde(default)]
    pub m: f64,
    /// The smoothed level is above the recent level (see [`DetectorConfig::growth`]).
    #[serde(default)]
    pub growing: bool,
    /// The input of the latest step, and the recent level before the latest step that moved
    /// the clock: a second list at the same instant corrects the measurement (see `step_with`).
    #[serde(default)]
    pub x_last: f64,
    #[serde(default)]
    pub m_ref: f64,
    /// The baseline before the latest step that moved the clock (what a same-instant
    /// correction scores against, as that step did).
    #[serde(default)]
    pub mu_ref: f64,
    #[serde(default)]
    pub v_ref: f64,
}

impl Ewma {
    /// First sighting: `f := x`, `μ = v = 0`; `t_prev` is the stream's previous poll (the
    /// term was implicitly 0 then), so the first baseline update uses the real gap.
    pub fn new(x: f64, t_prev: f64) -> Ewma {
        Ewma {
            mu: 0.0,
            v: 0.0,
            f: x,
            t_last: t_prev,
            flagged: false,
            off_count: 0,
            z: 0.0,
            m: 0.0,
            growing: false,
            x_last: x,
            m_ref: 0.0,
            mu_ref: 0.0,
            v_ref: 0.0,
        }
    }

    /// A term whose level `x` is its baseline (present at a cold start): no news, no growth.
    pub fn baseline(x: f64, t_prev: f64) -> Ewma {
        Ewma {
            mu: x,
            m: x,
            m_ref: x,
            mu_ref: x,
            ..Ewma::new(x, t_prev)
        }
    }

    /// Take `x` into the baseline and the recent level (a platform's list joining the
    /// combined share at a cold start is not a rise).
    fn absorb(&mut self, x: f64) {
        self.mu += x;
        self.m += x;
        self.m_ref += x;
        self.mu_ref += x;
    }

    pub fn step(&mut self, x: f64, t: f64, cfg: &DetectorConfig, may_flag: bool) -> Transition {
        let dt = (t - self.t_last).max(0.0);
        let a = Alphas::new(dt, cfg);
        self.step_with(x, t, cfg, may_flag, &a)
    }

    /// [`Ewma::step`] with the weights for this term's gap, shared by every term with that gap.
    fn step_with(
        &mut self,
        x: f64,
        t: f64,
        cfg: &DetectorConfig,
        may_flag: bool,
        a: &Alphas,
    ) -> Transition {
        let (a_slow, a_fast) = (a.slow, a.fast);
        // No time passed (another platform's list at the same instant, as archives stamp
        // them): the level was measured with that platform's older list; this one corrects it
        // by the change in input. The baseline and recent level are about the past: unchanged.
        let (m_prev, mu, v) = if a.dt > 0.0 {
            (self.m_ref, self.mu_ref, self.v_ref) = (self.m, self.mu, self.v);
            self.f += a_fast * (x - self.f);
            (self.m, self.mu, self.v)
        } else {
            self.f = (self.f + x - self.x_last).max(0.0);
            (self.m_ref, self.mu_ref, self.v_ref)
        };
        self.x_last = x;
        let b = cfg.beta;
        // Growing against the recent level before this poll; a little less keeps it.
        let need = if self.growing {
            m_prev * (1.0 + cfg.growth / 2.0)
        } else {
            m_prev * (1.0 + cfg.growth) + b * cfg.growth
        };
        self.growing = self.f > need;
        self.z = (self.f - mu.max(b)) / (v.max(0.0).sqrt() + b);
        let mut tr = Transition::None;
        if !self.flagged {
            if may_flag && self.z >= cfg.theta_on && self.f >= cfg.x_min {
                self.flagged = true;
                self.off_count = 0;
                tr = Transition::On;
            }
        } else if self.z < cfg.theta_off.min(cfg.theta_on) {
            self.off_count += 1;
            if self.off_count >= cfg.off_polls.max(1) {
                self.flagged = false;
                self.off_count = 0;
                tr = Transition::Off;
            }
        } else {
            self.off_count = 0;
        }
        let d = x - self.mu;
        self.mu += a_slow * d;
        self.v = (1.0 - a_slow) * (self.v + a_slow * d * d);
        self.m += a.mid * (x - self.m);
        self.t_last = t;
        tr
    }

    /// Falling: the smoothed level is clearly below the recent level.
    pub fn falling(&self, cfg: &DetectorConfig) -> bool {
        self.f < self.m * (1.0 - cfg.growth)
    }

    /// Zero-input updates from `t_last` to `t`, without flag logic. Exact: EWMA and EWMVar
    /// updates with x = 0 compose (two steps with α₁, α₂ equal one with 1 − (1−α₁)(1−α₂)),
    /// so an absent term can be caught up in one go when it reappears.
    pub fn decay_to(&mut self, t: f64, cfg: &DetectorConfig) {
        let dt = t - self.t_last;
        if dt <= 0.0 {
            return;
        }
        let a_slow = alpha(dt, cfg.half_life_slow_min);
        self.f *= 1.0 - alpha(dt, cfg.half_life_fast_min);
        self.m *= 1.0 - alpha(dt, cfg.half_life_mid_min);
        (self.m_ref, self.mu_ref, self.v_ref) = (self.m, self.mu, self.v);
        self.x_last = 0.0;
        self.growing = false;
        let d = -self.mu;
        self.mu += a_slow * d;
        self.v = (1.0 - a_slow) * (self.v + a_slow * d * d);
        self.t_last = t;
    }

    /// Baseline at time `t` if the term stays absent.
    pub fn mu_at(&self, t: f64, cfg: &DetectorConfig) -> f64 {
        self.mu * (1.0 - alpha(t - self.t_last, cfg.half_life_slow_min))
    }

    /// Signed deviation of the current level from the baseline, in noise units.
    pub fn deviation(&self, beta: f64) -> f64 {
        (self.f - self.mu) / (self.v.max(0.0).sqrt() + beta)
    }
}

/// Online two-state Kleinberg automaton on (r, d) counts, evaluated forward only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kleinberg {
    pub c0: f64,
    pub c1: f64,
    /// EWMA of r/d (before the floor is applied).
    pub rate: f64,
    pub t_last: f64,
}

impl Kleinberg {
    pub fn new(t_prev: f64, tau01: f64) -> Kleinberg {
        Kleinberg {
            c0: 0.0,
            c1: tau01,
            rate: 0.0,
            t_last: t_prev,
        }
    }

    /// A term whose count is its baseline (present at a cold start).
    pub fn baseline(r: u32, d: u32, t_prev: f64, tau01: f64) -> Kleinberg {
        Kleinberg {
            rate: if d == 0 {
                0.0
            } else {
                f64::from(r.min(d)) / f64::from(d)
            },
            ..Kleinberg::new(t_prev, tau01)
        }
    }

    pub fn burst(&self) -> bool {
        self.c1 < self.c0
    }

    /// One poll with `r` of `d` titles containing the term; `tau01 = γ ln n`.
    pub fn step(&mut self, r: u32, d: u32, t: f64, tau01: f64, cfg: &DetectorConfig) {
        let base = alpha((t - self.t_last).max(0.0), cfg.kleinberg_base_half_life_min);
        self.step_with(r, d, t, tau01, cfg, KbShared { base, floor: None });
    }

    /// [`Kleinberg::step`] with the base-rate weight given and, for the common floor rate
    /// `p0 = 0.5/d` (rare terms), the logarithms precomputed once per poll.
    fn step_with(
        &mut self,
        r: u32,
        d: u32,
        t: f64,
        tau01: f64,
        cfg: &DetectorConfig,
        shared: KbShared,
    ) {
        let KbShared { base: a, floor } = shared;
        if d == 0 {
            return;
        }
        let (r, d) = (f64::from(r.min(d)), f64::from(d));
        let p0 = self.rate.max(0.5 / d).min(0.9999);
        let p1 = (cfg.kleinberg_s * p0).min(0.9999);
        let fit = |ln_p: f64, ln_q: f64| -(r * ln_p + (d - r) * ln_q);
        let [l0, q0, l1, q1] = match floor {
            Some(f) if f.p0 == p0 => f.logs,
            _ => FloorLogs::logs(p0, p1),
        };
        let c0 = fit(l0, q0) + self.c0.min(self.c1);
        let c1 = fit(l1, q1) + self.c1.min(self.c0 + tau01);
        let m = c0.min(c1);
        (self.c0, self.c1) = (c0 - m, c1 - m);
        self.rate += a * (r / d - self.rate);
        self.t_last = t;
    }
}

/// Per-poll values a Kleinberg step can share with other terms: the base-rate weight for
/// its gap and the logarithms at the floor rate.
struct KbShared<'a> {
    base: f64,
    floor: Option<&'a FloorLogs>,
}

/// `ln p0, ln(1−p0), ln p1, ln(1−p1)` for the floor rate of one poll's list size.
struct FloorLogs {
    p0: f64,
    logs: [f64; 4],
}

impl FloorLogs {
    fn new(d: u32, cfg: &DetectorConfig) -> FloorLogs {
        let p0 = (0.5 / f64::from(d)).min(0.9999);
        let p1 = (cfg.kleinberg_s * p0).min(0.9999);
        FloorLogs {
            p0,
            logs: FloorLogs::logs(p0, p1),
        }
    }

    fn logs(p0: f64, p1: f64) -> [f64; 4] {
        [p0.ln(), (1.0 - p0).ln(), p1.ln(), (1.0 - p1).ln()]
    }
}

/// Everything known about one term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermState {
    /// Combined heat share over all platforms.
    pub all: Ewma,
    /// Per-platform heat share, for cross-platform corroboration (only the platforms whose
    /// lists carried the term: most terms live on one or two of the twelve).
    pub per_platform: PerPlatform,
    pub kleinberg: Kleinberg,
    /// Rising = EWMA flag or (low-count) Kleinberg burst; onsets are this flag's off→on edges.
    pub rising: bool,
    pub last_seen: f64,
    /// Index of the last poll that updated this term (absent, quiet terms are caught up lazily).
    pub last_poll: u64,
    pub history: VecDeque<f32>,
    /// Rising *now*, what the panel marks ▲: in a rising episode, in the current lists, score
    /// at or above θ_off and the level still growing. A rising term that is not `now` is cooling.
    #[serde(default)]
    pub now: bool,
    /// Start of the current rising episode (minutes); `None` outside one.
    #[serde(default)]
    pub since: Option<f64>,
    /// Distinct new titles containing the term, decayed with a 12 h half-life (about the
    /// titles of the last day): how specific the term is. See [`TermState::df_at`].
    #[serde(default)]
    pub df: f32,
    #[serde(default)]
    pub df_t: f64,
}

impl TermState {
    pub fn platform(&self, p: Platform) -> Option<&Ewma> {
        self.per_platform.get(p)
    }

    /// Rising on this platform's own list.
    pub fn flagged_on(&self, p: Platform) -> bool {
        self.platform(p).is_some_and(|e| e.flagged)
    }

    /// Needs an update every poll even when absent (hysteresis counts polls).
    pub fn active(&self) -> bool {
        self.rising || self.all.flagged || self.per_platform.iter().any(|(_, e)| e.flagged)
    }

    /// Count a new title containing the term at `t`.
    pub fn add_title(&mut self, t: f64) {
        self.df = self.df_at(t) + 1.0;
        self.df_t = t;
    }

    /// Decayed count of new titles containing the term as of `t` (about: titles of the
    /// last 24 h; a day-old title counts a quarter).
    pub fn df_at(&self, t: f64) -> f32 {
        let dt = (t - self.df_t).max(0.0);
        self.df * (-dt / DF_HALF_LIFE_MIN).exp2() as f32
    }

    /// In a rising episode but not rising now: the panel's `▽ cooling` section.
    pub fn cooling(&self) -> bool {
        self.rising && !self.now
    }

    /// On how many platforms' own lists the term is rising.
    pub fn rising_platforms(&self) -> usize {
        self.per_platform.iter().filter(|(_, e)| e.flagged).count()
    }

    /// Rising on at least two platforms' own lists at once (corroborated).
    pub fn cross_platform(&self) -> bool {
        self.rising_platforms() >= 2
    }
}

/// A value per platform, kept sparse and in `Platform::ALL` order. Serialised as a map
/// `{"weibo": …}`; the positional `[weibo, tieba]` array of older state files is read too.
#[derive(Debug, Clone, PartialEq)]
pub struct PerPlatform<T = Ewma>(Vec<(Platform, T)>);

impl<T> Default for PerPlatform<T> {
    fn default() -> Self {
        PerPlatform(Vec::new())
    }
}

impl<T> PerPlatform<T> {
    pub fn get(&self, p: Platform) -> Option<&T> {
        self.0.iter().find(|(q, _)| *q == p).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, p: Platform) -> Option<&mut T> {
        self.0.iter_mut().find(|(q, _)| *q == p).map(|(_, v)| v)
    }

    pub fn contains(&self, p: Platform) -> bool {
        self.get(p).is_some()
    }

    pub fn get_or_insert_with(&mut self, p: Platform, f: impl FnOnce() -> T) -> &mut T {
        let i = match self.0.binary_search_by_key(&p, |(q, _)| *q) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (p, f()));
                i
            }
        };
        &mut self.0[i].1
    }

    pub fn iter(&self) -> impl Iterator<Item = (Platform, &T)> {
        self.0.iter().map(|(p, v)| (*p, v))
    }
}

impl<T: Serialize> Serialize for PerPlatform<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(p, v)| (p, v)))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for PerPlatform<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire<T> {
            Map(std::collections::BTreeMap<Platform, T>),
            Positional(Vec<Option<T>>),
        }
        Ok(PerPlatform(match Wire::deserialize(d)? {
            Wire::Map(m) => m.into_iter().collect(),
            Wire::Positional(v) => Platform::ALL
                .into_iter()
                .zip(v)
                .filter_map(|(p, x)| Some((p, x?)))
                .collect(),
        }))
    }
}

/// Half-life of [`TermState::df`] (minutes).
pub const DF_HALF_LIFE_MIN: f64 = 12.0 * 60.0;

/// Input of one detector step for one term.
#[derive(Debug, Clone, Copy, Default)]
pub struct TermInput {
    /// Combined heat share across the current lists.
    pub share: f64,
    /// Titles containing the term across the current lists.
    pub titles: u32,
    /// Heat share on the platform whose poll triggered this step.
    pub platform_share: f64,
}

/// Result of one step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepResult {
    pub onsets: Vec<String>,
    pub offsets: Vec<String>,
    pub evicted: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a detector state: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
}

/// Term names interned to dense ids, with each term's state (if tracked) indexed by id.
/// Ids stay valid until [`TermTable::compact`]; evicting a state keeps the name interned so
/// ids held elsewhere (the analyser's title cache) still resolve. Serialises as a map
/// name → state, the format of the detector state file.
#[derive(Clone, Default)]
pub struct TermTable {
    ids: FxHashMap<Arc<str>, u32>,
    names: Vec<Arc<str>>,
    states: Vec<Option<TermState>>,
    /// `last_seen` of each tracked term (+∞ for untracked ids): the eviction sweep scans
    /// this dense array instead of the states.
    last_seen: Vec<f64>,
    len: usize,
    /// Ids whose state is active (flagged or rising): they step every poll even when absent.
    active: Vec<u32>,
    /// History buffers of dropped states, emptied, for new states: terms come and go every
    /// poll, and a fresh 48-point buffer is a slow allocation. At most one per state dropped.
    spare: Vec<VecDeque<f32>>,
}

impl TermTable {
    /// Tracked terms.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Interned names (tracked or not): the size of the id space.
    pub fn interned(&self) -> usize {
        self.names.len()
    }

    pub fn contains_key(&self, k: &str) -> bool {
        self.get(k).is_some()
    }

    pub fn get(&self, k: &str) -> Option<&TermState> {
        self.state(*self.ids.get(k)?)
    }

    /// The id of an interned name.
    pub fn id(&self, k: &str) -> Option<u32> {
        self.ids.get(k).copied()
    }

    /// The id of `k`, interning it if new.
    pub fn intern(&mut self, k: &str) -> u32 {
        if let Some(&id) = self.ids.get(k) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        let name: Arc<str> = k.into();
        self.ids.insert(name.clone(), id);
        self.names.push(name);
        self.states.push(None);
        self.last_seen.push(f64::INFINITY);
        id
    }

    /// Name of an interned id (empty for an unknown id).
    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |n| n)
    }

    /// [`TermTable::name`] as the interner's shared string (rows clone it, not the text).
    pub fn shared_name(&self, id: u32) -> Arc<str> {
        self.names
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| "".into())
    }

    pub fn state(&self, id: u32) -> Option<&TermState> {
        self.states.get(id as usize)?.as_ref()
    }

    /// A tracked term's state, to update what is not the detector's (document frequency).
    pub fn state_mut(&mut self, id: u32) -> Option<&mut TermState> {
        self.states.get_mut(id as usize)?.as_mut()
    }

    /// Ids of the terms that are currently active (flagged or rising).
    pub fn active_ids(&self) -> &[u32] {
        &self.active
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &TermState)> {
        self.names
            .iter()
            .zip(&self.states)
            .filter_map(|(n, s)| Some((&**n, s.as_ref()?)))
    }

    /// Keep a dropped state's history buffer for the next new state.
    fn recycle(&mut self, st: TermState) {
        let mut h = st.history;
        h.clear();
        self.spare.push(h);
    }

    /// An empty history buffer with room for `cap` points, recycled when one is spare.
    fn history_buffer(spare: &mut Vec<VecDeque<f32>>, cap: usize) -> VecDeque<f32> {
        match spare.pop() {
            Some(mut h) => {
                h.reserve(cap);
                h
            }
            None => VecDeque::with_capacity(cap),
        }
    }

    fn insert_state(&mut self, id: u32, st: TermState) {
        let i = id as usize;
        self.last_seen[i] = st.last_seen;
        if st.active() {
            self.active.push(id);
        }
        if self.states[i].replace(st).is_none() {
            self.len += 1;
        }
    }

    fn remove_state(&mut self, id: u32) {
        let i = id as usize;
        if let Some(st) = self.states[i].take() {
            self.len -= 1;
            self.recycle(st);
        }
        self.last_seen[i] = f64::INFINITY;
    }

    /// Drop every state, keep the interned names (ids stay valid).
    pub fn clear_states(&mut self) {
        for st in self.states.iter_mut().filter_map(Option::take) {
            self.spare.push(st.history);
        }
        self.spare.iter_mut().for_each(VecDeque::clear);
        self.last_seen.iter_mut().for_each(|s| *s = f64::INFINITY);
        self.active.clear();
        self.len = 0;
    }

    /// Forget the names of untracked terms that `keep` does not want, and renumber the rest
    /// densely. Returns the map old id → new id (`None` for dropped names).
    pub fn compact(&mut self, keep: impl Fn(u32) -> bool) -> Vec<Option<u32>> {
        let old_names = std::mem::take(&mut self.names);
        let old_states = std::mem::take(&mut self.states);
        let active = std::mem::take(&mut self.active);
        self.ids.clear();
        self.last_seen.clear();
        self.len = 0;
        let mut map = Vec::with_capacity(old_names.len());
        for (i, (name, st)) in old_names.into_iter().zip(old_states).enumerate() {
            // ok: ids come from `intern`, which numbers below u32::MAX
            let old = i as u32;
            if st.is_none() && !keep(old) {
                map.push(None);
                continue;
            }
            let id = self.intern(&name);
            if let Some(st) = st {
                let i = id as usize;
                self.last_seen[i] = st.last_seen;
                self.states[i] = Some(st);
                self.len += 1;
            }
            map.push(Some(id));
        }
        self.active = active
            .into_iter()
            .filter_map(|a| map.get(a as usize).copied().flatten())
            .collect();
        map
    }
}

impl Index<&str> for TermTable {
    type Output = TermState;

    fn index(&self, k: &str) -> &TermState {
        match self.get(k) {
            Some(st) => st,
            None => panic!("no tracked term {k:?}"),
        }
    }
}

impl PartialEq for TermTable {
    fn eq(&self, other: &TermTable) -> bool {
        self.len == other.len && self.iter().all(|(k, st)| other.get(k) == Some(st))
    }
}

impl std::fmt::Debug for TermTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for TermTable {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for TermTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TermTable, D::Error> {
        let map = HashMap::<String, TermState>::deserialize(d)?;
        let mut t = TermTable::default();
        for (k, st) in map {
            let id = t.intern(&k);
            t.insert_state(id, st);
        }
        Ok(t)
    }
}

/// All per-term state plus the stream clocks. Serialisable so a restart keeps baselines.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Detector {
    #[serde(skip)]
    pub cfg: DetectorConfig,
    pub started_at: Option<f64>,
    pub last_poll: Option<f64>,
    pub platform_last_poll: PerPlatform<f64>,
    /// Polls processed so far.
    pub polls: u64,
    pub terms: TermTable,
    /// Titles seen in about the last day (hash of platform and title → last seen, minutes):
    /// a title not in it is new and counts towards its terms' document frequency. Kept with
    /// the baselines so a restart does not count the titles on the lists again.
    #[serde(default)]
    pub seen_titles: FxHashMap<u64, f64>,
    #[serde(default)]
    pub seen_pruned_at: Option<f64>,
}

/// Per-step values shared by every term.
struct StepCtx<'a> {
    cfg: &'a DetectorConfig,
    t: f64,
    platform: Platform,
    prev: f64,
    prev_p: f64,
    tau01: f64,
    d: u32,
    may_flag: bool,
    /// This platform's list is a baseline (cold start or a long gap): present terms are normal.
    seed: bool,
    idx: u64,
    /// Weights for the gap since the previous poll (most terms) and since this platform's.
    gap: Alphas,
    gap_p: Alphas,
    floor_logs: FloorLogs,
}

impl Detector {
    pub fn new(cfg: DetectorConfig) -> Detector {
        Detector {
            cfg,
            ..Detector::default()
        }
    }

    /// Start over with `cfg`: clocks and states cleared, interned ids kept.
    pub fn reset(&mut self, cfg: DetectorConfig) {
        let mut terms = std::mem::take(&mut self.terms);
        terms.clear_states();
        *self = Detector {
            cfg,
            terms,
            ..Detector::default()
        };
    }

    pub fn in_warmup(&self, t: f64) -> bool {
        self.started_at.is_none_or(|s| t - s < self.cfg.warmup_min)
    }

    /// One poll at time `t` (minutes) triggered by `platform`'s list. `inputs` holds every
    /// term present in the current lists, once each; tracked terms not in it are updated with zero.
    /// `d` is the number of titles in the current lists.
    pub fn step(
        &mut self,
        t: f64,
        platform: Platform,
        inputs: &[(&str, TermInput)],
        d: u32,
    ) -> StepResult {
        let ids: Vec<(u32, TermInput)> = inputs
            .iter()
            .map(|(k, inp)| (self.terms.intern(k), *inp))
            .collect();
        let out = self.step_ids(t, platform, &ids, d);
        // Standalone use: nothing else holds ids, so names of evicted terms can go.
        if self.terms.interned() > 2 * self.terms.len() + 1024 {
            self.terms.compact(|_| false);
        }
        out
    }

    /// [`Detector::step`] on interned ids (from [`TermTable::intern`]).
    pub fn step_ids(
        &mut self,
        t: f64,
        platform: Platform,
        inputs: &[(u32, TermInput)],
        d: u32,
    ) -> StepResult {
        if self.last_poll.is_some_and(|l| t < l) {
            // Out-of-order poll: the time-aware updates need monotone time; skip it.
            return StepResult::default();
        }
        let cfg = &self.cfg;
        let long_gap = |last: Option<f64>| last.is_none_or(|l| t - l > cfg.reseed_after_min);
        // Nothing known (or nothing recent): the warm-up starts over, and each platform's
        // next list is taken as the baseline.
        if long_gap(self.last_poll) {
            self.started_at = Some(t);
        }
        let seed = long_gap(self.platform_last_poll.get(platform).copied());
        let may_flag = !self.in_warmup(t);
        let prev = self.last_poll.unwrap_or(t);
        let prev_p = self.platform_last_poll.get(platform).copied().unwrap_or(t);
        let gap = (t - prev).max(1.0);
        let tau01 = cfg.kleinberg_gamma * (cfg.kleinberg_horizon_min / gap).max(2.0).ln();
        let idx = self.polls;
        let ctx = StepCtx {
            cfg,
            t,
            platform,
            prev,
            prev_p,
            tau01,
            d,
            may_flag,
            seed,
            idx,
            gap: Alphas::new((t - prev).max(0.0), cfg),
            gap_p: Alphas::new((t - prev_p).max(0.0), cfg),
            floor_logs: FloorLogs::new(d.max(1), cfg),
        };
        let terms = &mut self.terms;
        let mut onsets = Vec::new();
        let mut offsets = Vec::new();
        let mut active = std::mem::take(&mut terms.active);
        let n_active = active.len();
        // Present terms: catch up the polls they missed, then step with their input.
        for &(id, ref inp) in inputs {
            let i = id as usize;
            let Some(slot) = terms.states.get_mut(i) else {
                continue;
            };
            let fresh = slot.is_none();
            let st = slot.get_or_insert_with(|| {
                terms.len += 1;
                let (all, kleinberg) = if seed {
                    (
                        Ewma::baseline(inp.share, prev),
                        Kleinberg::baseline(inp.titles, d, prev, tau01),
                    )
                } else {
                    (Ewma::new(inp.share, prev), Kleinberg::new(prev, tau01))
                };
                TermState {
                    all,
                    per_platform: PerPlatform::default(),
                    kleinberg,
                    rising: false,
                    last_seen: t,
                    last_poll: idx,
                    // Full size at once: the ring buffer never regrows.
                    history: TermTable::history_buffer(&mut terms.spare, cfg.history_len),
                    now: false,
                    since: None,
                    df: 0.0,
                    df_t: t,
                }
            });
            if seed && !fresh {
                // Known from the other platform's list: this platform's share joins the
                // baseline rather than counting as a rise.
                st.all.decay_to(prev, cfg);
                st.all.absorb(inp.platform_share);
                st.kleinberg.rate = st
                    .kleinberg
                    .rate
                    .max(f64::from(inp.titles) / f64::from(d.max(1)));
            }
            let was_active = st.active();
            update_term(id, st, inp, &ctx, &mut onsets, &mut offsets);
            terms.last_seen[i] = st.last_seen;
            if st.active() && !was_active {
                active.push(id);
            }
        }
        // Absent terms that are flagged step every poll with x = 0 (hysteresis counts
        // polls); quiet absent terms wait and are caught up exactly when they reappear.
        for &id in &active[..n_active] {
            if let Some(st) = terms.states.get_mut(id as usize).and_then(Option::as_mut)
                && st.last_poll != idx
                && st.active()
            {
                update_term(
                    id,
                    st,
                    &TermInput::default(),
                    &ctx,
                    &mut onsets,
                    &mut offsets,
                );
            }
        }
        active.retain(|&id| terms.state(id).is_some_and(TermState::active));
        active.sort_unstable();
        active.dedup();
        terms.active = active;
        // Eviction: only terms absent about `evict_absent_min` or longer can go (+∞ =
        // untracked); the one-minute margin keeps the prefilter safe from rounding, the exact
        // test follows.
        let before = terms.len;
        let limit = t - cfg.evict_absent_min + 1.0;
        for i in 0..terms.last_seen.len() {
            if terms.last_seen[i] >= limit {
                continue;
            }
            let evict = terms.states[i].as_ref().is_some_and(|st| {
                !(st.last_poll == idx
                    || st.active()
                    || t - st.last_seen <= cfg.evict_absent_min
                    || st.all.mu_at(t, cfg) >= cfg.evict_mu)
            });
            if evict {
                // ok: `i` indexes the id space, which `intern` keeps below u32::MAX
                terms.remove_state(i as u32);
            }
        }
        let mut out = StepResult {
            onsets: onsets
                .iter()
                .map(|&id| terms.name(id).to_string())
                .collect(),
            offsets: offsets
                .iter()
                .map(|&id| terms.name(id).to_string())
                .collect(),
            evicted: before - terms.len,
        };
        out.onsets.sort();
        out.offsets.sort();
        self.last_poll = Some(t);
        *self.platform_last_poll.get_or_insert_with(platform, || t) = t;
        self.polls += 1;
        out
    }

    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    pub fn from_json(s: &str, cfg: DetectorConfig) -> Result<Detector, serde_json::Error> {
        let mut d: Detector = serde_json::from_str(s)?;
        d.cfg = cfg;
        Ok(d)
    }

    /// Write the state atomically (temp file + rename) so a crash never leaves half a file.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let io = |source| StateError::Io {
            path: path.display().to_string(),
            source,
        };
        let json = self.to_json().map_err(|e| io(std::io::Error::other(e)))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, json).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    pub fn load(path: &Path, cfg: DetectorConfig) -> Result<Detector, StateError> {
        let s = std::fs::read_to_string(path).map_err(|source| StateError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Detector::from_json(&s, cfg).map_err(|source| StateError::Parse {
            path: path.display().to_string(),
            source,
        })
    }
}

fn update_term(
    id: u32,
    st: &mut TermState,
    inp: &TermInput,
    c: &StepCtx,
    onsets: &mut Vec<u32>,
    offsets: &mut Vec<u32>,
) {
    let cfg = c.cfg;
    // Absent since its last update: the x = 0 updates up to the previous poll, in one go
    // (no-ops for a term updated at the previous poll).
    st.all.decay_to(c.prev, cfg);
    if let Some(e) = st.per_platform.get_mut(c.platform) {
        e.decay_to(c.prev_p, cfg);
    }
    if st.kleinberg.t_last < c.prev {
        // Approximation: the missed zero-count polls count as one for Kleinberg.
        st.kleinberg.step(0, c.d, c.prev, c.tau01, cfg);
    }
    let missed = c
        .idx
        .saturating_sub(st.last_poll + 1)
        .min(cfg.history_len as u64);
    for _ in 0..missed {
        if st.history.len() >= cfg.history_len {
            st.history.pop_front();
        }
        st.history.push_back(0.0);
    }
    if inp.titles > 0 {
        st.last_seen = c.t;
    }
    let a = c.gap.for_gap((c.t - st.all.t_last).max(0.0), cfg);
    st.all.step_with(inp.share, c.t, cfg, c.may_flag, &a);
    if inp.platform_share > 0.0 || st.per_platform.contains(c.platform) {
        let e = st.per_platform.get_or_insert_with(c.platform, || {
            if c.seed {
                Ewma::baseline(inp.platform_share, c.prev_p)
            } else {
                Ewma::new(inp.platform_share, c.prev_p)
            }
        });
        let a = c.gap_p.for_gap((c.t - e.t_last).max(0.0), cfg);
        e.step_with(inp.platform_share, c.t, cfg, c.may_flag, &a);
    }
    let kb_dt = (c.t - st.kleinberg.t_last).max(0.0);
    let a_base = if kb_dt == c.gap.dt {
        c.gap.base
    } else {
        alpha(kb_dt, cfg.kleinberg_base_half_life_min)
    };
    st.kleinberg.step_with(
        inp.titles,
        c.d,
        c.t,
        c.tau01,
        cfg,
        KbShared {
            base: a_base,
            floor: Some(&c.floor_logs),
        },
    );
    // Kleinberg speaks for low counts only, and cannot start a flag while the level is
    // below its baseline (it may keep one: toggling on f vs μ would flap).
    let kb = cfg.kleinberg
        && c.may_flag
        && st.kleinberg.burst()
        && (st.rising || st.all.f > st.all.mu)
        && inp.titles > 0
        && inp.titles <= cfg.kleinberg_max_count;
    let rising = st.all.flagged || kb;
    if rising && !st.rising {
        onsets.push(id);
        st.since = Some(c.t);
    } else if !rising && st.rising {
        offsets.push(id);
    }
    if !rising {
        st.since = None;
    }
    st.rising = rising;
    // ▲ only on present evidence: in the lists now, significant (z ≥ θ_off, never a score
    // ≤ 0 however the episode started) and still growing. Otherwise a rising term is cooling.
    st.now = rising
        && inp.titles > 0
        && st.all.z >= cfg.theta_off.min(cfg.theta_on)
        && st.all.z > 0.0
        && st.all.growing;
    if cfg.history_len > 0 {
        if st.history.len() >= cfg.history_len {
            st.history.pop_front();
        }
        st.history.push_back(inp.share as f32);
    }
    st.last_poll = c.idx;
}
