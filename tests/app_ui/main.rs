//! App and UI in one test binary: the headless app fed by messages, rendering (insta snapshots in
//! snapshots/), themes, keymaps, search, triage and alerts.

#[path = "../render_support/mod.rs"]
mod render_support;
#[path = "../support/mod.rs"]
mod support;

mod alerts;
mod app_analysis;
mod app_drill;
mod app_headless;
mod app_history;
mod app_triage;
mod brand;
mod deliveries;
mod demo_day;
mod keymaps;
mod layers;
mod many_lists;
mod render;
mod render_drill;
mod search;
mod theme;
mod triage;
