//! Weibo hot list: one parser per endpoint of the fallback chain (A1 JSON, A4 HTML, A3 mobile JSON).
//! Each turns a body into a sanitised `Snapshot`; wire shapes stay private to their file.

pub mod drill;
mod hotsearch;
mod mobile;
mod summary_html;

pub use hotsearch::parse_hot_search;
pub use mobile::parse_mobile;
pub use summary_html::parse_summary_html;

use crate::domain::Label;

/// The label Weibo uses for a paid placement.
const AD_LABEL: &str = "荐";

fn is_ad_label(s: &str) -> bool {
    s.trim() == AD_LABEL
}

/// The first non-`None` label among the given texts.
fn label_from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Label {
    texts
        .into_iter()
        .map(Label::from_text)
        .find(|l| !l.is_none())
        .unwrap_or_default()
}
