//! Search cost per keystroke: one query against the demo board's titles (the first Weibo and
//! Tieba lists of the bundled demo). Target: well under 1 ms for 100 titles with the cache warm.

use criterion::{Criterion, criterion_group, criterion_main};
use resou::search::{Matcher, PinyinIndex, Query};

fn demo_titles() -> Vec<String> {
    let data = match resou::replay::demo_data() {
        Ok(d) => d,
        Err(e) => panic!("demo data: {e}"),
    };
    [data.weibo.first(), data.tieba.first()]
        .into_iter()
        .flatten()
        .flat_map(|l| l.items.iter().map(|i| i.title.clone()))
        .collect()
}

fn bench_search(c: &mut Criterion) {
    let titles = demo_titles();
    let n = titles.len();
    // Substring hit, pinyin initials, full pinyin with a cut syllable, a miss, inverse.
    for q in ["中国", "wwplb", "zhongguoc", "xqzv", "!sg"] {
        let matcher = Matcher::new(&Query::parse(q));
        let mut index = PinyinIndex::new();
        c.bench_function(&format!("search {n} demo titles `{q}` (cached)"), |b| {
            b.iter(|| {
                titles
                    .iter()
                    .filter(|t| index.accepts(&matcher, std::hint::black_box(t)))
                    .count()
            })
        });
    }
    let matcher = Matcher::new(&Query::parse("wwplb"));
    c.bench_function(&format!("search {n} demo titles `wwplb` (uncached)"), |b| {
        b.iter(|| {
            titles
                .iter()
                .filter(|t| matcher.accepts(std::hint::black_box(t)))
                .count()
        })
    });
}

criterion_group!(benches, bench_search);
criterion_main!(benches);
