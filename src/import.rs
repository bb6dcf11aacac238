//! Archive importer: converts the hot-list archives other projects publish into
//! snapshot JSONL (`domain::snapshot_file`). The layout is recognised from the path,
//! so files must keep their repository-relative location:
//!
//! | layout | path | platform |
//! |---|---|---|
//! | nateafish/weibo-hot-hub | `…/hotlists/YYYY/MM/DD/HH.json` | Weibo |
//! | arandomguyhere/weibo-daily-hot-search | `…/<YYYYMMDDTHHMMSS+0800>_<sha>/raw/YYYY-MM-DD.json` | Weibo |
//! | lxw15337674/weibo-trending-hot-history | `…/api/YYYY-MM-DD/HH.json` | Weibo |
//! | uncleblue/TrendRadar | `…/YYYY年MM月DD日/txt/HH时MM分.txt` | Tieba and Weibo sections |
//! | snapshot files | `*.jsonl`, `*.jsonl.gz` | as recorded |
//!
//! Every line passes through `SnapshotLine::to_snapshot` (SafeText, dense ranks,
//! duplicate titles dropped) before it is returned.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use serde_json::Value;

use crate::domain::snapshot_file::{self, SnapshotFileError, SnapshotItem, SnapshotLine};
use crate::domain::{Platform, cst, num};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: {msg}")]
    Parse { path: String, msg: String },
    #[error("{path}:{line}: {msg}")]
    ParseLine {
        path: String,
        line: usize,
        msg: String,
    },
    #[error(
        "{path}: not a known archive layout (nateafish hotlists, arandomguyhere versions, lxw api, TrendRadar txt, snapshot .jsonl[.gz])"
    )]
    UnknownLayout { path: String },
    #[error(transparent)]
    Snapshot(#[from] SnapshotFileError),
}

/// Import files or directories (recursively). Explicit files must have a known layout;
/// inside directories, files of unknown layout are skipped. Sorted by `captured_at`, then platform.
pub fn import_paths(
    paths: &[PathBuf],
    platforms: Option<&[Platform]>,
) -> Result<Vec<SnapshotLine>, ImportError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            for f in walk(p)? {
                if let Some(layout) = Layout::detect(&f) {
                    out.extend(import_file(&f, layout)?);
                }
            }
        } else {
            let layout = Layout::detect(p).ok_or_else(|| ImportError::UnknownLayout {
                path: p.display().to_string(),
            })?;
            out.extend(import_file(p, layout)?);
        }
    }
    if let Some(keep) = platforms {
        out.retain(|l| keep.contains(&l.platform));
    }
    let mut out: Vec<SnapshotLine> = out
        .iter()
        .map(|l| SnapshotLine::from_snapshot(&l.to_snapshot()))
        .collect();
    out.sort_by_key(|l| (l.captured_at, l.platform));
    Ok(out)
}

/// Write snapshot lines; gzip-compressed when the file name ends in `.gz`.
pub fn write_jsonl(lines: &[SnapshotLine], out: &Path) -> io::Result<()> {
    let file = BufWriter::new(File::create(out)?);
    if out.extension().is_some_and(|e| e == "gz") {
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
        write_all_lines(&mut gz, lines)?;
        gz.finish()?.flush()
    } else {
        let mut file = file;
        write_all_lines(&mut file, lines)?;
        file.flush()
    }
}

fn write_all_lines<W: Write>(w: &mut W, lines: &[SnapshotLine]) -> io::Result<()> {
    for l in lines {
        snapshot_file::write_line(&mut *w, l)?;
    }
    Ok(())
}

/// Read a snapshot file, plain or gzip (recognised by its magic bytes, not its name).
pub fn read_jsonl(path: &Path) -> Result<Vec<SnapshotLine>, ImportError> {
    let bytes = read_bytes(path)?;
    Ok(parse_jsonl_bytes(&bytes, &path.display().to_string())?)
}

/// Parse snapshot JSONL held in memory, plain or gzip.
pub fn parse_jsonl_bytes(bytes: &[u8], name: &str) -> Result<Vec<SnapshotLine>, SnapshotFileError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let gz = flate2::read::GzDecoder::new(bytes);
        snapshot_file::read_lines(BufReader::new(gz), name)
    } else {
        snapshot_file::read_lines(bytes, name)
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ImportError + '_ {
    move |source| ImportError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, ImportError> {
    let mut buf = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut buf))
        .map_err(io_err(path))?;
    Ok(buf)
}

/// Every file under `dir`, depth first, in name order (so output order is reproducible).
fn walk(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&d)
            .map_err(io_err(&d))?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(io_err(&d))?;
        entries.sort();
        for e in entries.into_iter().rev() {
            if e.is_dir() {
                stack.push(e);
            } else {
                files.push(e);
            }
        }
    }
    files.sort();
    Ok(files)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Nateafish,
    Arandomguy,
    Lxw,
    TrendRadar,
    Jsonl,
}

impl Layout {
    fn detect(path: &Path) -> Option<Layout> {
        let name = path.file_name()?.to_str()?;
        let parent = component(path, 1);
        let grand = component(path, 2);
        if name.ends_with(".jsonl") || name.ends_with(".jsonl.gz") {
            return Some(Layout::Jsonl);
        }
        if let Some(stem) = name.strip_suffix(".json") {
            let hour_file = stem.len() == 2 && stem.bytes().all(|b| b.is_ascii_digit());
            if hour_file
                && path
                    .ancestors()
                    .any(|a| a.file_name().is_some_and(|n| n == "hotlists"))
            {
                return Some(Layout::Nateafish);
            }
            if hour_file && grand == Some("api") && parent.and_then(parse_iso_date).is_some() {
                return Some(Layout::Lxw);
            }
            if parse_iso_date(stem).is_some()
                && parent == Some("raw")
                && grand.and_then(version_time).is_some()
            {
                return Some(Layout::Arandomguy);
            }
        }
        if name.ends_with(".txt")
            && parent == Some("txt")
            && grand.and_then(parse_cn_date).is_some()
            && parse_cn_clock(name).is_some()
        {
            return Some(Layout::TrendRadar);
        }
        None
    }
}

/// The `n`-th ancestor directory name (1 = parent).
fn component(path: &Path, n: usize) -> Option<&str> {
    path.ancestors().nth(n)?.file_name()?.to_str()
}

fn import_file(path: &Path, layout: Layout) -> Result<Vec<SnapshotLine>, ImportError> {
    let name = path.display().to_string();
    let parse_err = |msg: String| ImportError::Parse {
        path: name.clone(),
        msg,
    };
    if layout == Layout::Jsonl {
        return read_jsonl(path);
    }
    let bytes = read_bytes(path)?;
    if layout == Layout::TrendRadar {
        let text = String::from_utf8(bytes).map_err(|e| parse_err(e.to_string()))?;
        return trendradar(path, &text).map_err(parse_err);
    }
    let json: Value = serde_json::from_slice(&bytes).map_err(|e| ImportError::ParseLine {
        path: name.clone(),
        line: e.line(),
        msg: e.to_string(),
    })?;
    let line = match layout {
        Layout::Nateafish => nateafish(&json),
        Layout::Arandomguy => arandomguy(path, &json),
        Layout::Lxw => lxw(path, &json),
        Layout::TrendRadar | Layout::Jsonl => unreachable!("handled above"),
    }
    .map_err(parse_err)?;
    Ok(vec![line])
}

// ---- layouts -------------------------------------------------------------

/// `{captured_at, topics:[{rank,title,query,url,heat,label}]}`. The pinned row carries
/// `Refer=new_time` and the same `rank: 1` as the first ranked row.
fn nateafish(json: &Value) -> Result<SnapshotLine, String> {
    let captured_at = json
        .get("captured_at")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .ok_or("missing or invalid captured_at")?;
    let topics = json
        .get("topics")
        .and_then(Value::as_array)
        .ok_or("missing topics array")?;
    let mut items = Vec::new();
    for t in topics {
        let Some(title) = str_field(t, "title") else {
            continue;
        };
        let url = str_field(t, "url").as_deref().and_then(clean_url);
        let pinned = url.as_deref().is_some_and(|u| u.contains("Refer=new_time"));
        items.push(SnapshotItem {
            rank: if pinned {
                None
            } else {
                t.get("rank").and_then(Value::as_u64).map(|r| r as u32)
            },
            title,
            query: str_field(t, "query"),
            heat: t.get("heat").and_then(num::value_count),
            label: str_field(t, "label").filter(|l| !l.is_empty()),
            url,
            pinned,
            id: None,
        });
    }
    Ok(SnapshotLine {
        captured_at,
        platform: Platform::Weibo,
        items,
    })
}

/// Merged daily state `[{url, text, count, status, …}]`: live rows ranked by `count`.
fn arandomguy(path: &Path, json: &Value) -> Result<SnapshotLine, String> {
    let captured_at = component(path, 2)
        .and_then(version_time)
        .ok_or("version directory name carries no time")?;
    let rows = json.as_array().ok_or("expected a JSON array")?;
    let mut live: Vec<(u64, SnapshotItem)> = rows
        .iter()
        .filter(|r| str_field(r, "status").as_deref() != Some("gone"))
        .filter_map(|r| {
            let title = str_field(r, "text")?;
            let count = r.get("count").and_then(num::value_count);
            let rel = str_field(r, "url");
            let query = rel.as_deref().and_then(|u| query_param(u, "q"));
            let url = rel
                .map(|u| {
                    if u.starts_with('/') {
                        format!("https://s.weibo.com{u}")
                    } else {
                        u
                    }
                })
                .and_then(|u| clean_url(&u));
            Some((
                count.unwrap_or(0),
                SnapshotItem {
                    rank: None,
                    title,
                    query,
                    heat: count,
                    label: None,
                    url,
                    pinned: false,
                    id: None,
                },
            ))
        })
        .collect();
    // Stable sort: equal counts keep the archive's order.
    live.sort_by_key(|(count, _)| std::cmp::Reverse(*count));
    let items = live
        .into_iter()
        .enumerate()
        .map(|(i, (_, mut it))| {
            it.rank = Some(i as u32 + 1);
            it
        })
        .collect();
    Ok(SnapshotLine {
        captured_at,
        platform: Platform::Weibo,
        items,
    })
}

/// Hourly array `[{title, url, hot, ads, …}]`; ads dropped. The pinned row is the one whose
/// m.weibo.cn link has no `realpos` (it comes last, with `hot: 0`).
fn lxw(path: &Path, json: &Value) -> Result<SnapshotLine, String> {
    let date = component(path, 1)
        .and_then(parse_iso_date)
        .ok_or("directory is not a date")?;
    let hour: u32 = path
        .file_stem()
        .and_then(|s| s.to_str())
        .and_then(|s| s.parse().ok())
        .ok_or("file name is not an hour")?;
    let captured_at = local_time(date, hour, 0).ok_or("hour out of range")?;
    let rows = json.as_array().ok_or("expected a JSON array")?;
    let mut items = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if r.get("ads").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let Some(title) = str_field(r, "title") else {
            continue;
        };
        let url = str_field(r, "url");
        let m = url.as_deref().map(MobileLink::parse).unwrap_or_default();
        let pinned = m.realpos.is_none();
        items.push(SnapshotItem {
            rank: if pinned {
                None
            } else {
                m.realpos.or(Some(i as u32 + 1))
            },
            title,
            query: m.query,
            heat: r.get("hot").and_then(num::value_count).filter(|&h| h > 0),
            label: m.label,
            url: url.and_then(|u| clean_url(&u)),
            pinned,
            id: None,
        });
    }
    Ok(SnapshotLine {
        captured_at,
        platform: Platform::Weibo,
        items,
    })
}

/// TrendRadar text: sections `<id> | <name>` with lines `N. title [URL:…] [MOBILE:…]`; the
/// ids are newsnow's (`weibo`, `bilibili-hot-search`, `cls-hot`, …), every known one is read.
/// Tieba URLs carry a literal `&amp;`, which is unescaped here (the replay server re-escapes
/// it on the wire).
fn trendradar(path: &Path, text: &str) -> Result<Vec<SnapshotLine>, String> {
    let date = component(path, 2)
        .and_then(parse_cn_date)
        .ok_or("directory is not a YYYY年MM月DD日 date")?;
    let (h, m) = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(parse_cn_clock)
        .ok_or("file name is not HH时MM分.txt")?;
    let captured_at = local_time(date, h, m).ok_or("time out of range")?;
    let mut lines: Vec<SnapshotLine> = Vec::new();
    let mut current: Option<usize> = None;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some((rank, rest)) = numbered(line) {
            if let Some(idx) = current {
                let item = trendradar_item(lines[idx].platform, rank, rest);
                lines[idx].items.push(item);
            }
        } else if let Some((id, _)) = line.split_once(" | ") {
            current = Platform::parse(id.trim()).map(|platform| {
                lines.push(SnapshotLine {
                    captured_at,
                    platform,
                    items: Vec::new(),
                });
                lines.len() - 1
            });
        }
    }
    Ok(lines)
}

fn trendradar_item(platform: Platform, rank: u32, rest: &str) -> SnapshotItem {
    let bracket = |tag: &str| -> Option<String> {
        let start = rest.find(tag)? + tag.len();
        let end = rest[start..].find(']')? + start;
        Some(html_escape::decode_html_entities(&rest[start..end]).into_owned())
    };
    let title_end = rest.find(" [URL:").or_else(|| rest.find(" [MOBILE:"));
    let title = rest[..title_end.unwrap_or(rest.len())].trim().to_string();
    let url = bracket("[URL:");
    let (query, label) = match platform {
        Platform::Weibo => {
            let m = bracket("[MOBILE:")
                .map(|u| MobileLink::parse(&u))
                .unwrap_or_default();
            (url.as_deref().and_then(|u| query_param(u, "q")), m.label)
        }
        // newsnow links Baidu rows to a search for the query, Bilibili rows to one for the
        // keyword (which differs from the displayed title, more-sources.md §6)
        Platform::Baidu => (url.as_deref().and_then(|u| query_param(u, "wd")), None),
        Platform::Bilibili => (url.as_deref().and_then(|u| query_param(u, "keyword")), None),
        _ => (None, None),
    };
    let id = url.as_deref().and_then(|u| url_id(platform, u));
    SnapshotItem {
        rank: Some(rank),
        title,
        query,
        heat: None,
        label,
        url: url.and_then(|u| clean_url(&u)),
        pinned: false,
        id,
    }
}

/// The item id inside a newsnow-built URL (more-sources.md §0): Douyin `/hot/<sentence_id>`,
/// Zhihu `/question/<qid>`, Toutiao `/trending/<ClusterIdStr>/`, Tieba `topic_id=`, and the
/// news lists' article ids. Baidu and Bilibili links carry none.
fn url_id(platform: Platform, url: &str) -> Option<String> {
    if platform == Platform::Tieba {
        return query_param(url, "topic_id");
    }
    if matches!(
        platform,
        Platform::Weibo | Platform::Baidu | Platform::Bilibili | Platform::Kuaishou
    ) {
        return None;
    }
    let path = url.split(['?', '#']).next()?;
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    let id = last.strip_prefix("newsDetail_forward_").unwrap_or(last);
    (!id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| id.to_string())
}

/// `"12. rest"` → (12, "rest").
fn numbered(line: &str) -> Option<(u32, &str)> {
    let (n, rest) = line.split_once(". ")?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((n.parse().ok()?, rest))
}

// ---- m.weibo.cn search links ---------------------------------------------

/// What an m.weibo.cn hot-list link tells: the query inside `containerid`, and
/// `realpos`/`flag` inside `extparam`.
#[derive(Debug, Default)]
struct MobileLink {
    query: Option<String>,
    realpos: Option<u32>,
    label: Option<String>,
}

impl MobileLink {
    fn parse(url: &str) -> MobileLink {
        let inner = |key: &str| query_param(url, key).unwrap_or_default();
        let containerid = inner("containerid");
        let extparam = inner("extparam");
        MobileLink {
            query: form_value(&containerid, "q"),
            realpos: form_value(&extparam, "realpos").and_then(|s| s.parse().ok()),
            label: form_value(&extparam, "flag").and_then(|f| flag_label(&f)),
        }
    }
}

/// `extparam` flag → label: 1 新 and 2 热 are documented (§2 A3); 4 爆 follows the
/// `moter/flags/4_0.png` icon numbering. Other codes (16, 32768, …) mean no label.
fn flag_label(flag: &str) -> Option<String> {
    match flag.trim() {
        "1" => Some("新".into()),
        "2" => Some("热".into()),
        "4" => Some("爆".into()),
        _ => None,
    }
}

/// A decoded query parameter of a (possibly relative) URL.
fn query_param(url: &str, key: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    form_value(query, key)
}

/// A decoded value from an `a=b&c=d` string.
fn form_value(form: &str, key: &str) -> Option<String> {
    url::form_urlencoded::parse(form.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

/// URLs are kept verbatim unless they hold characters no URL may hold.
fn clean_url(u: &str) -> Option<String> {
    let u = u.trim();
    (!u.is_empty() && !u.chars().any(|c| c.is_control() || c.is_whitespace()))
        .then(|| u.to_string())
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

// ---- dates ---------------------------------------------------------------

fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn parse_cn_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y年%m月%d日").ok()
}

/// `HH时MM分.txt` → (HH, MM).
fn parse_cn_clock(name: &str) -> Option<(u32, u32)> {
    let stem = name.strip_suffix(".txt")?;
    let (h, rest) = stem.split_once('时')?;
    let m = rest.strip_suffix('分')?;
    Some((h.parse().ok()?, m.parse().ok()?))
}

/// `20260815T002928+0800[_sha]` → that instant.
fn version_time(dir: &str) -> Option<DateTime<FixedOffset>> {
    let stamp = dir.split('_').next()?;
    DateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S%z").ok()
}

fn local_time(date: NaiveDate, h: u32, m: u32) -> Option<DateTime<FixedOffset>> {
    cst()
        .from_local_datetime(&date.and_hms_opt(h, m, 0)?)
        .single()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_layouts_from_paths() {
        let d = |p: &str| Layout::detect(Path::new(p));
        assert_eq!(
            d("x/data/hotlists/2026/08/15/07.json"),
            Some(Layout::Nateafish)
        );
        assert_eq!(
            d("v/20260815T002928+0800_d33bdc38e2d5/raw/2026-08-15.json"),
            Some(Layout::Arandomguy)
        );
        assert_eq!(d("x/api/2026-08-15/07.json"), Some(Layout::Lxw));
        assert_eq!(d("x/api/2026-08-15/summary.json"), None);
        assert_eq!(
            d("output/2025年10月15日/txt/09时33分.txt"),
            Some(Layout::TrendRadar)
        );
        assert_eq!(d("demo/weibo.jsonl.gz"), Some(Layout::Jsonl));
        assert_eq!(d("data/runs/2026/08/15/07.json"), None);
    }

    #[test]
    fn mobile_link_reads_query_realpos_and_flag() {
        let u = "https://m.weibo.cn/search?containerid=100103type%3D1%26t%3D10%26q%3D%23%E6%97%BA%23&extparam=seat%3D1%26realpos%3D2%26flag%3D1%26q%3D%2523x";
        let m = MobileLink::parse(u);
        assert_eq!(m.query.as_deref(), Some("#旺#"));
        assert_eq!(m.realpos, Some(2));
        assert_eq!(m.label.as_deref(), Some("新"));
        assert_eq!(flag_label("32768"), None);
    }
}
