//! Sources layer in one test binary: parsers (fixtures and fuzzing), the HTTP client, fallback
//! chains and pollers, the fault matrix, drill-down and topic routes, the replay server, secrets.

/// A fixture file's text, embedded at build time (`fixture!("baidu/board.html")`); defined
/// before the modules so every one of them can use it.
macro_rules! fixture {
    ($path:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/",
            $path
        ))
    };
}

/// A fuzz test of one list parser: `fuzz_list!(name, "label", [seeds…], |b| check)` runs
/// `check` on mutations of the seed bodies (see `fuzz_parsers::fuzz`).
macro_rules! fuzz_list {
    ($name:ident, $label:literal, [$($seed:expr),+ $(,)?], |$b:ident| $check:expr) => {
        #[test]
        fn $name() {
            static C: crate::fuzz_support::Counter = crate::fuzz_support::Counter::new($label);
            static SEEDS: &[&str] = &[$($seed),+];
            crate::fuzz_parsers::fuzz(&C, SEEDS, |$b| $check);
        }
    };
}

#[path = "../fuzz_support/mod.rs"]
mod fuzz_support;
#[path = "../support/mod.rs"]
mod support;

mod drill_fetcher;
mod fallback_chain;
mod fault_matrix;
mod fuzz_parsers;
mod lists_a;
mod lists_b;
mod replay_server;
mod rows;
mod secrets;
mod sentinel;
mod sources_chain;
mod sources_http;
mod sources_parsers;
mod tieba_app;
mod tieba_drill;
mod topic_parse;
mod topic_replay;
mod watch;
mod weibo_drill;
