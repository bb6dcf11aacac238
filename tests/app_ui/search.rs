//! Search matcher: substring, pinyin initials, full pinyin, heteronyms, mixed Latin/CJK,
//! inverse queries, highlight ranges on original bytes, and the title cache.

use std::ops::Range;

use resou::search::{IndexedTitle, Matcher, PinyinIndex, Query};

fn m(q: &str) -> Matcher {
    Matcher::new(&Query::parse(q))
}

/// The highlighted text pieces of `title` for query `q`.
fn hits(q: &str, title: &str) -> Option<Vec<String>> {
    m(q).find(title).map(|rs| {
        rs.into_iter()
            .map(|r: Range<usize>| title[r].to_string())
            .collect()
    })
}

#[test]
fn parse_leading_bang_inverts() {
    assert_eq!(
        Query::parse("!旺旺"),
        Query {
            text: "旺旺".into(),
            inverse: true
        }
    );
    assert_eq!(
        Query::parse("  wwplb "),
        Query {
            text: "wwplb".into(),
            inverse: false
        }
    );
}

#[test]
fn substring_is_case_and_width_insensitive_and_maps_back() {
    assert_eq!(
        hits("china", "中国ＣＨＩＮＡ成为潮流"),
        Some(vec!["ＣＨＩＮＡ".into()])
    );
    assert_eq!(hits("配料", "旺旺配料表"), Some(vec!["配料".into()]));
    // Every occurrence is highlighted.
    assert_eq!(hits("a", "a和A"), Some(vec!["a".into(), "A".into()]));
    assert_eq!(hits("xyz", "旺旺配料表"), None);
}

#[test]
fn pinyin_initials_and_full_syllables() {
    let t = "旺旺配料表";
    assert_eq!(hits("wwplb", t), Some(vec!["旺旺配料表".into()]));
    assert_eq!(hits("wangwang", t), Some(vec!["旺旺".into()]));
    assert_eq!(hits("wangwangpeiliao", t), Some(vec!["旺旺配料".into()]));
    assert_eq!(hits("pl", t), Some(vec!["配料".into()]));
    // Initials and syllables mix.
    assert_eq!(hits("wwpeiliaob", t), Some(vec!["旺旺配料表".into()]));
    assert_eq!(hits("wwplbx", t), None);
    assert_eq!(hits("wangwangx", t), None);
}

#[test]
fn partial_last_syllable() {
    assert_eq!(hits("wangw", "旺旺配料表"), Some(vec!["旺旺".into()]));
    assert_eq!(
        hits("wangwangpei", "旺旺配料表"),
        Some(vec!["旺旺配".into()])
    );
    // Only the last syllable may be cut short: `wanwang` is no reading of 旺旺.
    assert_eq!(hits("wanwang", "旺旺配料表"), None);
}

#[test]
fn every_heteronym_reading_counts() {
    assert_eq!(hits("zhangrou", "冬天长肉了"), Some(vec!["长肉".into()]));
    assert_eq!(hits("changrou", "冬天长肉了"), Some(vec!["长肉".into()]));
    assert_eq!(hits("cr", "冬天长肉了"), Some(vec!["长肉".into()]));
    assert_eq!(hits("chongqing", "重庆火锅"), Some(vec!["重庆".into()]));
    assert_eq!(hits("zhongyao", "重要通知"), Some(vec!["重要".into()]));
    assert_eq!(hits("yinhang", "银行降息"), Some(vec!["银行".into()]));
    assert_eq!(hits("xingdong", "行动起来"), Some(vec!["行动".into()]));
}

#[test]
fn zh_ch_sh_as_initials() {
    assert_eq!(hits("zhs", "长沙暴雨"), Some(vec!["长沙".into()]));
    assert_eq!(hits("chs", "长沙暴雨"), Some(vec!["长沙".into()]));
    // `h` is no initial of 长 (zhang/chang).
    assert_eq!(hits("hs", "长沙暴雨"), None);
}

#[test]
fn mixed_latin_digits_and_cjk() {
    let t = "shy哥回应";
    assert_eq!(hits("shyge", t), Some(vec!["shy哥".into()]));
    assert_eq!(hits("sg", "s哥"), Some(vec!["s哥".into()]));
    assert_eq!(hits("shy哥", t), Some(vec!["shy哥".into()]));
    assert_eq!(hits("shyg", t), Some(vec!["shy哥".into()]));
    assert_eq!(hits("SHYGEHY", t), Some(vec!["shy哥回应".into()]));
    // Full-width Latin in the title, spaces in the query.
    assert_eq!(hits("ig wc", "ＩＧ王冲夺冠"), Some(vec!["ＩＧ王冲".into()]));
    assert_eq!(
        hits("2026nianNBA", "2026年NBA总决赛"),
        Some(vec!["2026年NBA".into()])
    );
    // 年 must be matched by something: the query cannot jump over a character.
    assert_eq!(hits("2026nba", "2026年NBA总决赛"), None);
}

#[test]
fn pinyin_runs_over_spaces_and_punctuation_but_not_from_them() {
    assert_eq!(
        hits("wwplb", "旺旺·配料表"),
        Some(vec!["旺旺·配料表".into()])
    );
    assert_eq!(
        hits("wwplb", "旺旺 配料表"),
        Some(vec!["旺旺 配料表".into()])
    );
    assert_eq!(hits("pl", "#配料#"), Some(vec!["配料".into()]));
}

#[test]
fn several_pinyin_matches_are_all_highlighted() {
    assert_eq!(
        hits("ww", "旺旺和旺旺"),
        Some(vec!["旺旺".into(), "旺旺".into()])
    );
}

#[test]
fn ranges_are_byte_ranges_on_char_boundaries() {
    let t = "【热】旺旺配料表ａｂｃ";
    for q in ["wwplb", "abc", "biaoa", "配料"] {
        let rs = m(q).find(t).unwrap_or_else(|| panic!("{q} should match"));
        for r in rs {
            assert!(
                t.is_char_boundary(r.start) && t.is_char_boundary(r.end),
                "{q}"
            );
            assert!(r.start < r.end);
        }
    }
    assert_eq!(hits("biaoa", t), Some(vec!["表ａ".into()]));
}

#[test]
fn inverse_and_empty_queries() {
    let inv = m("!wwplb");
    assert!(inv.inverse());
    assert!(!inv.accepts("旺旺配料表"));
    assert!(inv.accepts("重庆火锅"));
    // find ignores inverse: the caller still gets highlights for the match.
    assert!(inv.find("旺旺配料表").is_some());
    let empty = m("");
    assert!(empty.accepts("anything"));
    assert_eq!(empty.find("anything"), Some(vec![]));
    assert!(m("!").accepts("anything"));
}

#[test]
fn index_caches_titles_and_agrees_with_direct_matching() {
    let titles = ["旺旺配料表", "冬天长肉了", "shy哥回应", "重庆火锅"];
    let mut idx = PinyinIndex::new();
    for q in ["wwplb", "changrou", "shyge", "cq", "!cq", "zzz"] {
        let matcher = m(q);
        for t in titles {
            assert_eq!(idx.find(&matcher, t), matcher.find(t), "{q} / {t}");
            assert_eq!(idx.accepts(&matcher, t), matcher.accepts(t), "{q} / {t}");
        }
    }
    assert_eq!(idx.len(), titles.len());
    let first = idx.get("旺旺配料表");
    assert!(std::sync::Arc::ptr_eq(&first, &idx.get("旺旺配料表")));
}

#[test]
fn index_is_bounded() {
    let mut idx = PinyinIndex::with_capacity(3);
    for i in 0..10 {
        idx.get(&format!("标题{i}"));
    }
    assert!(idx.len() <= 3);
}

#[test]
fn indexed_title_keeps_text() {
    let t = IndexedTitle::new("旺旺配料表");
    assert_eq!(t.text(), "旺旺配料表");
    assert!(m("wwplb").find_in(&t).is_some());
}
