//! resou (热搜): a terminal watcher for what China is talking about.
//!
//! Data flows one way: sources → domain events → (analysis) → app state → view.

pub mod alerts;
pub mod analysis;
pub mod app;
pub mod cli;
pub mod collect;
pub mod commands;
pub mod config;
pub mod crash;
pub mod desktop;
pub mod dispatch;
pub mod domain;
pub mod export;
pub mod history;
pub mod import;
pub mod input;
pub mod logging;
pub mod memory;
pub mod paths;
pub mod push;
pub mod replay;
pub mod report;
pub mod rules;
pub mod search;
pub mod sentiment;
pub mod serve;
pub mod sources;
pub mod store;
pub mod triage;
pub mod tui;
pub mod ui;
