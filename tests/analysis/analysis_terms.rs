//! The interned term table behind the detector: ids, compaction, bounded names.

use resou::analysis::detect::TermInput;
use resou::analysis::{Detector, DetectorConfig};
use resou::domain::Platform;

fn input(share: f64) -> TermInput {
    TermInput {
        share,
        titles: 1,
        platform_share: share,
    }
}

#[test]
fn compaction_keeps_tracked_and_wanted_names_and_remaps_ids() {
    let mut d = Detector::new(DetectorConfig::default());
    let ids: Vec<u32> = ["a", "b", "c", "d"]
        .iter()
        .map(|k| d.terms.intern(k))
        .collect();
    // Only "b" gets a state; "c" is wanted by someone else (a cached title); "a", "d" are not.
    d.step_ids(0.0, Platform::Weibo, &[(ids[1], input(0.1))], 10);
    let before = d.terms["b"].clone();
    let map = d.terms.compact(|id| id == ids[2]);
    assert_eq!(map[ids[0] as usize], None);
    assert_eq!(map[ids[3] as usize], None);
    let (b, c) = (map[ids[1] as usize].unwrap(), map[ids[2] as usize].unwrap());
    assert_eq!((d.terms.name(b), d.terms.name(c)), ("b", "c"));
    assert_eq!(d.terms.interned(), 2);
    assert_eq!(d.terms.state(b), Some(&before));
    assert!(d.terms.state(c).is_none() && !d.terms.contains_key("a"));
    // The remapped ids keep working for the next step.
    d.step_ids(
        60.0,
        Platform::Weibo,
        &[(b, input(0.2)), (c, input(0.1))],
        10,
    );
    assert!(d.terms.contains_key("b") && d.terms.contains_key("c"));
    assert_eq!(d.terms.len(), 2);
}

#[test]
fn names_of_evicted_terms_do_not_pile_up() {
    // A fresh term every hour for 60 days: states are evicted after a day, and the string
    // API releases their names, so the table stays near one day's worth.
    let mut d = Detector::new(DetectorConfig::default());
    let mut max_interned = 0;
    for h in 0..24 * 60 {
        let k = format!("term{h}");
        d.step(
            f64::from(h) * 60.0,
            Platform::Weibo,
            &[(&k, input(0.05))],
            50,
        );
        max_interned = max_interned.max(d.terms.interned());
    }
    assert!(d.terms.len() <= 30, "tracked {}", d.terms.len());
    assert!(max_interned <= 2 * 30 + 1024 + 1, "interned {max_interned}");
}

#[test]
fn state_file_format_is_a_map_of_names() {
    let mut d = Detector::new(DetectorConfig::default());
    d.step(0.0, Platform::Weibo, &[("旺旺", input(0.1))], 10);
    let v: serde_json::Value = serde_json::from_str(&d.to_json().unwrap()).unwrap();
    assert!(v["terms"]["旺旺"]["all"]["f"].is_f64(), "{v}");
    let back = Detector::from_json(&d.to_json().unwrap(), DetectorConfig::default()).unwrap();
    assert_eq!(back.terms, d.terms);
}
