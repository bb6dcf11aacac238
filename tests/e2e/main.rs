//! The built binary end to end in one test binary: command line, headless snapshot, record and
//! replay, and the TUI in a pseudo-terminal.

#[path = "../fuzz_support/mod.rs"]
mod fuzz_support;
mod headless;
#[path = "../support/mod.rs"]
mod support;

mod cli;
mod headless_snapshot;
mod pty_demo;
mod pty_injection;
mod record_replay;
