//! Weibo hot-list wire formats rendered from a snapshot: A1 JSON, A3 mobile JSON and
//! A4 HTML (data-sources.md §2). Written from the spec, independently of `crate::sources`.

use serde_json::{Value, json};

use super::timeline::Timeline;
use super::wire::{encode, query_or_hashtag};
use crate::domain::snapshot_file::{SnapshotItem, SnapshotLine};

/// Rows of one snapshot split the way every Weibo format shows them.
pub(crate) struct Rows<'a> {
    pub pinned: Vec<&'a SnapshotItem>,
    /// 1-based position and row, in rank order.
    pub ranked: Vec<(u32, &'a SnapshotItem)>,
    pub captured_unix: i64,
}

impl<'a> Rows<'a> {
    pub(crate) fn of(line: &'a SnapshotLine) -> Rows<'a> {
        let mut ranked: Vec<&SnapshotItem> = line.items.iter().filter(|i| !i.pinned).collect();
        ranked.sort_by_key(|i| i.rank.unwrap_or(u32::MAX));
        Rows {
            pinned: line.items.iter().filter(|i| i.pinned).collect(),
            ranked: ranked
                .into_iter()
                .enumerate()
                .map(|(i, it)| (i as u32 + 1, it))
                .collect(),
            captured_unix: line.captured_at.timestamp(),
        }
    }
}

fn label(it: &SnapshotItem) -> &str {
    it.label.as_deref().unwrap_or("").trim()
}

/// Label code as in A3 `extparam flag` / the `moter/flags/<code>_0.png` icons.
fn flag_code(label: &str) -> u32 {
    match label {
        "新" => 1,
        "热" => 2,
        "爆" => 4,
        _ => 0,
    }
}

fn query(it: &SnapshotItem) -> String {
    query_or_hashtag(it.query.as_deref(), &it.title)
}

// ---- A1 weibo.com/ajax/side/hotSearch ----------------------------------------

/// Position (0-based, in `realtime`) of the advert row. Adverts are a real wire feature
/// (§2 "Labels, ads and pinned rows"; the lxw archive shows one at band_rank 4); this
/// one is synthetic, with a title from that archive's ad rows, so clients must drop it.
pub(crate) const AD_POSITION: usize = 3;
pub(crate) const AD_WORD: &str = "豪华旗舰神行者8震撼33.99万元起";

pub(crate) fn hot_search(rows: &Rows, tl: &Timeline) -> Value {
    let mut realtime: Vec<Value> = rows
        .ranked
        .iter()
        .map(|&(n, it)| {
            let l = label(it);
            let mut v = json!({
                "word": it.title,
                "word_scheme": query(it),
                "note": it.title,
                "rank": n - 1,
                "realpos": n,
                "label_name": l,
                "icon_desc": l,
                "small_icon_desc": l,
                "icon_desc_color": if l.is_empty() { "" } else { "#ff9406" },
                "flag": flag_code(l),
                // The snapshot format carries no category: an empty string keeps the
                // field's type without inventing one.
                "category": "",
                "flag_desc": "",
                "is_new": u8::from(l == "新"),
                "is_hot": u8::from(l == "热"),
                "is_fei": u8::from(l == "沸"),
                "is_boom": u8::from(l == "爆"),
            });
            // No heat in the archive (e.g. a category-prefixed cell): leave `num` out
            // rather than claim zero.
            if let Some(h) = it.heat {
                v["num"] = json!(h);
            }
            if let Some(t) = tl.first_seen(&it.title) {
                v["onboard_time"] = json!(t);
            }
            v
        })
        .collect();
    if !realtime.is_empty() {
        let ad = json!({
            "word": AD_WORD, "word_scheme": format!("#{AD_WORD}#"), "note": AD_WORD,
            "num": 0, "is_ad": 1, "icon_desc": "荐", "label_name": "荐", "small_icon_desc": "荐",
            "icon_desc_color": "#00b7ee", "flag": 0, "category": "", "ad_info": "",
        });
        realtime.insert(AD_POSITION.min(realtime.len()), ad);
    }
    let mut data = json!({ "realtime": realtime });
    if let Some(p) = rows.pinned.first() {
        let l = label(p);
        data["hotgov"] = json!({
            "word": format!("#{}#", p.title.trim_matches('#')),
            "note": p.title,
            "word_scheme": query(p),
            "icon_desc": l,
            "small_icon_desc": l,
            "is_gov": 1,
            "url": format!("https://s.weibo.com/weibo?q={}&Refer=new_time", encode(&query(p))),
        });
    }
    json!({ "ok": 1, "data": data })
}

// ---- A3 m.weibo.cn realtimehot ----------------------------------------------

pub(crate) const MOBILE_CONTAINER: &str = "106003type=25&t=3&disable_hot=1&filter_type=realtimehot";
const MOBILE_LFID: &str =
    "lfid=106003type%3D25%26t%3D3%26disable_hot%3D1%26filter_type%3Drealtimehot";

fn mobile_scheme(q: &str, extparam: &str) -> String {
    // As in the verbatim payload, the query inside `containerid` is encoded once.
    format!(
        "https://m.weibo.cn/search?containerid=100103type%3D1%26t%3D10%26q%3D{}&isnewpage=1&extparam={extparam}&luicode=10000011&{MOBILE_LFID}",
        encode(q)
    )
}

fn actionlog(ext: String) -> Value {
    json!({"act_code": 554, "ext": ext, "luicode": "", "fid": MOBILE_CONTAINER, "lfid": "", "uicode": 10000003})
}

pub(crate) fn mobile(rows: &Rows) -> Value {
    let t = rows.captured_unix;
    let mut group: Vec<Value> = Vec::new();
    for p in &rows.pinned {
        let mut v = json!({
            "card_type": 4,
            "pic": "https://simg.s.weibo.com/20180205110043_img_search_stick%403x.png",
            "itemid": "hotword",
            "actionlog": actionlog("t:51|pos:0_0|c_type:51|cate:10113|page:1|type:25".into()),
            "scheme": mobile_scheme(&query(p), &format!("pos%3D0%26c_type%3D51%26filter_type%3Drealtimehot%26cate%3D10103%26display_time%3D{t}")),
            "desc": p.title,
        });
        if let Some(icon) = mobile_icon(label(p)) {
            v["icon"] = json!(icon);
        }
        group.push(v);
    }
    for &(n, it) in &rows.ranked {
        let l = label(it);
        let mut v = json!({
            "actionlog": actionlog(format!("t:31|pos:1_{}|c_type:31|cate:10103|page:1|type:25", n - 1)),
            "itemid": "hotword",
            "card_type": 4,
            "scheme": mobile_scheme(&query(it), &format!(
                "cate%3D0%26pos%3D{}%26realpos%3D{n}%26flag%3D{}%26filter_type%3Drealtimehot%26c_type%3D31%26display_time%3D{t}",
                n - 1, flag_code(l))),
            "desc": it.title,
            "pic": format!("https://simg.s.weibo.com/20170303_img_search_{n}.png"),
        });
        if let Some(h) = it.heat {
            // The heat is a string, except on an occasional row where the real payload
            // has an int (1 row in 50 in the 2020 capture): ranks 25 and 50 here.
            v["desc_extr"] = if n % 25 == 0 {
                json!(h)
            } else {
                json!(h.to_string())
            };
        }
        if let Some(icon) = mobile_icon(l) {
            v["icon"] = json!(icon);
        }
        group.push(v);
    }
    json!({
        "ok": 1,
        "data": {
            "cardlistInfo": {"containerid": MOBILE_CONTAINER, "v_p": 42, "title_top": "微博热搜",
                              "show_style": 1, "total": group.len(), "page": null},
            "cards": [{"show_type": 0, "title": "实时热点，每分钟更新一次", "card_type": 11,
                       "itemid": "hotword", "card_group": group}],
        }
    })
}

/// Newer label icons (newsnow): 1_0 新, 2_0 热, 4_0 爆. No icon is documented for 沸/商.
fn mobile_icon(label: &str) -> Option<String> {
    match flag_code(label) {
        0 => None,
        c => Some(format!("https://simg.s.weibo.com/moter/flags/{c}_0.png")),
    }
}

/// Answer for containerids the server does not hold (the real "no results" envelope).
pub(crate) fn mobile_nothing() -> Value {
    json!({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}})
}

// ---- A4 s.weibo.com/top/summary ----------------------------------------------

pub(crate) fn summary_html(rows: &Rows) -> String {
    let esc = |s: &str| html_escape::encode_text(s).into_owned();
    let mut body = String::new();
    for p in &rows.pinned {
        body.push_str(&format!(
            "<tr class=\"\">\n<td class=\"td-01\"><i class=\"icon-top\"></i></td>\n<td class=\"td-02\"><a href=\"/weibo?q={}&Refer=new_time\" target=\"_blank\">{}</a>\n</td>\n<td class=\"td-03\">{}</td>\n</tr>\n",
            encode(&query(p)),
            esc(&p.title),
            label_html(label(p)),
        ));
    }
    for &(n, it) in &rows.ranked {
        let heat = it.heat.map(|h| h.to_string()).unwrap_or_default();
        body.push_str(&format!(
            "<tr class=\"\">\n<td class=\"td-01 ranktop\">{n}</td>\n<td class=\"td-02\"><a href=\"/weibo?q={}&t=31&band_rank={n}&Refer=top\" target=\"_blank\">{}</a>\n<span>{heat}</span>\n</td>\n<td class=\"td-03\">{}</td>\n</tr>\n",
            encode(&query(it)),
            esc(&it.title),
            label_html(label(it)),
        ));
    }
    format!(
        r#"<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>微博热搜榜</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body>
<div class="m-main"><div class="m-wrap">
<div id="pl_top_realtimehot" class="data">
<table>
<thead><tr class="thead_tr"><th class="th-01">序号</th><th class="th-02">关键词</th><th class="th-03"></th></tr></thead>
<tbody>
{body}</tbody>
</table>
</div>
</div></div>
</body>
</html>
"#
    )
}

fn label_html(l: &str) -> String {
    let class = match l {
        "新" => "icon-txt-new",
        "热" => "icon-txt-hot",
        "沸" => "icon-txt-fei",
        "爆" => "icon-txt-boom",
        "" => return String::new(),
        _ => "icon-txt-recommend",
    };
    format!(
        "<i class=\"icon-txt {class}\">{}</i>",
        html_escape::encode_text(l)
    )
}
