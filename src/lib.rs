//! resou (热搜): a terminal watcher for what China is talking about.
//!
//! Data flows one way: sources → domain events → (analysis) → app state → view.

pub mod app;
pub mod domain;
pub mod import;
pub mod replay;
pub mod sources;
pub mod ui;
