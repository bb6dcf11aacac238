//! Reports (issue 19) in one test binary: a report built from a store filled with real
//! fixture lists (section contents checked against the fixture files), its markdown, HTML and
//! push summary, hostile titles, the `resou report` command, and the HTML in headless
//! Chromium at desktop and phone widths.

mod support;

mod chromium;
mod cli;
mod contents;
mod hostile;
