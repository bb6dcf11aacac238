//! Analysis layer in one test binary: tokenising, terms, KOLs, the detector, the keyword panel,
//! headless replay, evaluation floors and the regression digests.

#[path = "../analysis_support/mod.rs"]
mod analysis_support;

mod analysis_cross;
mod analysis_detect;
mod analysis_dynamics;
mod analysis_eval;
mod analysis_events;
mod analysis_headless;
mod analysis_kol;
mod analysis_panel;
mod analysis_regression;
mod analysis_terms;
mod analysis_tokenize;
