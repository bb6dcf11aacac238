//! Rising-term detectors (trend-detection.md §5–6): time-aware EWMA/EWMVar significance on
//! heat share (primary) and an online two-state Kleinberg automaton on title counts (fallback).
//! Time is an argument (minutes); state is O(1) per term and (de)serialisable.

use std::collections::{HashMap, VecDeque};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::domain::Platform;

/// All detector parameters; defaults are the reference's starting values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorConfig {
    /// Baseline half-life `H_slow` (minutes).
    pub half_life_slow_min: f64,
    /// De-flicker half-life `H_fast` (minutes).
    pub half_life_fast_min: f64,
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
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            half_life_slow_min: 120.0,
            half_life_fast_min: 5.0,
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
            kleinberg_base_half_life_min: 24.0 * 60.0,
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
        }
    }

    pub fn step(&mut self, x: f64, t: f64, cfg: &DetectorConfig, may_flag: bool) -> Transition {
        let dt = (t - self.t_last).max(0.0);
        let a_slow = alpha(dt, cfg.half_life_slow_min);
        let a_fast = alpha(dt, cfg.half_life_fast_min);
        self.f += a_fast * (x - self.f);
        let b = cfg.beta;
        self.z = (self.f - self.mu.max(b)) / (self.v.max(0.0).sqrt() + b);
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
        self.t_last = t;
        tr
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

    pub fn burst(&self) -> bool {
        self.c1 < self.c0
    }

    /// One poll with `r` of `d` titles containing the term; `tau01 = γ ln n`.
    pub fn step(&mut self, r: u32, d: u32, t: f64, tau01: f64, cfg: &DetectorConfig) {
        if d == 0 {
            return;
        }
        let (r, d) = (f64::from(r.min(d)), f64::from(d));
        let p0 = self.rate.max(0.5 / d).min(0.9999);
        let p1 = (cfg.kleinberg_s * p0).min(0.9999);
        let fit = |p: f64| -(r * p.ln() + (d - r) * (1.0 - p).ln());
        let c0 = fit(p0) + self.c0.min(self.c1);
        let c1 = fit(p1) + self.c1.min(self.c0 + tau01);
        let m = c0.min(c1);
        (self.c0, self.c1) = (c0 - m, c1 - m);
        let a = alpha((t - self.t_last).max(0.0), cfg.kleinberg_base_half_life_min);
        self.rate += a * (r / d - self.rate);
        self.t_last = t;
    }
}

/// Everything known about one term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermState {
    /// Combined heat share over all platforms.
    pub all: Ewma,
    /// Per-platform heat share, for cross-platform corroboration (Weibo, Tieba).
    pub per_platform: [Option<Ewma>; 2],
    pub kleinberg: Kleinberg,
    /// Rising = EWMA flag or (low-count) Kleinberg burst; onsets are this flag's off→on edges.
    pub rising: bool,
    pub last_seen: f64,
    /// Index of the last poll that updated this term (absent, quiet terms are caught up lazily).
    pub last_poll: u64,
    pub history: VecDeque<f32>,
}

impl TermState {
    pub fn platform(&self, p: Platform) -> Option<&Ewma> {
        self.per_platform[platform_index(p)].as_ref()
    }

    /// Rising on this platform's own list.
    pub fn flagged_on(&self, p: Platform) -> bool {
        self.platform(p).is_some_and(|e| e.flagged)
    }

    /// Needs an update every poll even when absent (hysteresis counts polls).
    pub fn active(&self) -> bool {
        self.rising || self.all.flagged || self.per_platform.iter().flatten().any(|e| e.flagged)
    }

    /// Rising on both Weibo and Tieba at once.
    pub fn cross_platform(&self) -> bool {
        Platform::ALL.iter().all(|&p| self.flagged_on(p))
    }
}

pub fn platform_index(p: Platform) -> usize {
    match p {
        Platform::Weibo => 0,
        Platform::Tieba => 1,
    }
}

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

/// All per-term state plus the stream clocks. Serialisable so a restart keeps baselines.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Detector {
    #[serde(skip)]
    pub cfg: DetectorConfig,
    pub started_at: Option<f64>,
    pub last_poll: Option<f64>,
    pub platform_last_poll: [Option<f64>; 2],
    /// Polls processed so far.
    pub polls: u64,
    pub terms: HashMap<String, TermState>,
}

/// Per-step values shared by every term.
struct StepCtx<'a> {
    cfg: &'a DetectorConfig,
    t: f64,
    pi: usize,
    prev: f64,
    prev_p: f64,
    tau01: f64,
    d: u32,
    may_flag: bool,
    idx: u64,
}

impl Detector {
    pub fn new(cfg: DetectorConfig) -> Detector {
        Detector {
            cfg,
            ..Detector::default()
        }
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
        let cfg = self.cfg.clone();
        if self.last_poll.is_some_and(|l| t < l) {
            // Out-of-order poll: the time-aware updates need monotone time; skip it.
            return StepResult::default();
        }
        self.started_at.get_or_insert(t);
        let may_flag = !self.in_warmup(t);
        let pi = platform_index(platform);
        let prev = self.last_poll.unwrap_or(t);
        let prev_p = self.platform_last_poll[pi].unwrap_or(t);
        let gap = (t - prev).max(1.0);
        let tau01 = cfg.kleinberg_gamma * (cfg.kleinberg_horizon_min / gap).max(2.0).ln();
        for &(k, ref inp) in inputs {
            if !self.terms.contains_key(k) {
                self.terms.insert(
                    k.to_string(),
                    TermState {
                        all: Ewma::new(inp.share, prev),
                        per_platform: [None, None],
                        kleinberg: Kleinberg::new(prev, tau01),
                        rising: false,
                        last_seen: t,
                        last_poll: self.polls,
                        history: VecDeque::new(),
                    },
                );
            }
        }
        let idx = self.polls;
        let ctx = StepCtx {
            cfg: &cfg,
            t,
            pi,
            prev,
            prev_p,
            tau01,
            d,
            may_flag,
            idx,
        };
        let mut out = StepResult::default();
        // Present terms: catch up the polls they missed, then step with their input.
        for &(k, ref inp) in inputs {
            if let Some(st) = self.terms.get_mut(k) {
                update_term(k, st, inp, &ctx, &mut out);
            }
        }
        // Absent terms that are flagged step every poll with x = 0 (hysteresis counts
        // polls); quiet absent terms wait and are caught up exactly when they reappear.
        for (k, st) in self.terms.iter_mut() {
            if st.last_poll != idx && st.active() {
                update_term(k, st, &TermInput::default(), &ctx, &mut out);
            }
        }
        let before = self.terms.len();
        self.terms.retain(|_, st| {
            st.last_poll == idx
                || st.active()
                || t - st.last_seen <= cfg.evict_absent_min
                || st.all.mu_at(t, &cfg) >= cfg.evict_mu
        });
        out.evicted = before - self.terms.len();
        out.onsets.sort();
        out.offsets.sort();
        self.last_poll = Some(t);
        self.platform_last_poll[pi] = Some(t);
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

fn update_term(k: &str, st: &mut TermState, inp: &TermInput, c: &StepCtx, out: &mut StepResult) {
    let cfg = c.cfg;
    // Absent since its last update: the x = 0 updates up to the previous poll, in one go
    // (no-ops for a term updated at the previous poll).
    st.all.decay_to(c.prev, cfg);
    if let Some(e) = st.per_platform[c.pi].as_mut() {
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
    st.all.step(inp.share, c.t, cfg, c.may_flag);
    if inp.platform_share > 0.0 || st.per_platform[c.pi].is_some() {
        st.per_platform[c.pi]
            .get_or_insert_with(|| Ewma::new(inp.platform_share, c.prev_p))
            .step(inp.platform_share, c.t, cfg, c.may_flag);
    }
    st.kleinberg.step(inp.titles, c.d, c.t, c.tau01, cfg);
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
        out.onsets.push(k.to_string());
    } else if !rising && st.rising {
        out.offsets.push(k.to_string());
    }
    st.rising = rising;
    if cfg.history_len > 0 {
        if st.history.len() >= cfg.history_len {
            st.history.pop_front();
        }
        st.history.push_back(inp.share as f32);
    }
    st.last_poll = c.idx;
}
