#!/usr/bin/env python3
"""Build data/demo/tieba_threads.json.gz: reconstructed Tieba threads for the demo's hot topics.

Usage: scripts/build-tieba-threads.py <TrendRadar output/2025年10月15日/txt dir> <lzl fragment .html> <out.json.gz>

Real values only, associated by a rule (see data/demo/README.md, "Tieba threads"):
- topics: every (topic_id, topic_name) of the `tieba | 贴吧` sections;
- threads of a topic: thread 1 is the topic itself; further threads are same-day headlines of the
  other sections (baidu, toutiao, zhihu, bilibili, ...) sharing a CJK/alphanumeric word of >= 2
  characters with the topic name, most shared words first (at most 12 threads);
- floors of a thread: floor 1 is the title; further floors are other headlines sharing a word with
  the thread title or the topic name (at most 15 floors);
- times: when a headline first appears in the day's files;
- authors and the sub-replies of floor 2: the verbatim MediaCrawler `/p/comment` fragment.
"""
import gzip
import html
import json
import os
import re
import sys
from urllib.parse import parse_qs, urlsplit

STOP = set("的了是在和与为被吗呢吧啊么这那就都也还又及或个把给对将从等到让")
MAX_THREADS = 12
MAX_FLOORS = 15


def sections(path):
    """Yield (section_id, title, url) for every numbered line of one TrendRadar txt file."""
    sec = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"^([a-z0-9-]+) \| ", line)
            if m:
                sec = m.group(1)
                continue
            m = re.match(r"^\d+\. (.*?)(?: \[URL:([^\]]*)\])?(?: \[MOBILE:[^\]]*\])?$", line)
            if m and sec:
                yield sec, m.group(1).strip(), m.group(2)


def words(title):
    """Every 2-character window of CJK or alphanumeric runs (a crude, dictionary-free 'word')."""
    out = set()
    for run in re.findall(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+", title):
        if re.match(r"[A-Za-z0-9]", run):
            if len(run) >= 2 and not run.isdigit():
                out.add(run.lower())
            continue
        for i in range(len(run) - 1):
            w = run[i : i + 2]
            if not (set(w) & STOP):
                out.add(w)
    return out


def main():
    txt_dir, fragment_path, out = sys.argv[1:4]
    files = sorted(f for f in os.listdir(txt_dir) if f.endswith(".txt"))
    topics = {}  # topic_id -> name (first spelling seen)
    first_seen = {}  # any title -> "HH:MM" of the first file listing it
    candidates = []  # headlines of the other sections, first-seen order
    for fn in files:
        hhmm = re.match(r"(\d\d)时(\d\d)分", fn)
        clock = f"{hhmm.group(1)}:{hhmm.group(2)}"
        for sec, title, url in sections(os.path.join(txt_dir, fn)):
            if title not in first_seen:
                first_seen[title] = clock
                if sec not in ("tieba", "weibo"):
                    candidates.append(title)
            if sec == "tieba":
                q = parse_qs(urlsplit(html.unescape(url or "")).query)
                tid = (q.get("topic_id") or [None])[0]
                if tid and tid not in topics:
                    topics[tid] = title
    headlines = candidates
    hw = {h: words(h) for h in headlines}

    def related(ws, exclude, limit):
        scored = [(len(ws & hw[h]), i, h) for i, h in enumerate(headlines) if h not in exclude]
        scored = [s for s in scored if s[0] > 0]
        scored.sort(key=lambda s: (-s[0], s[1]))
        return [h for _, _, h in scored[:limit]]

    fragment = open(fragment_path, encoding="utf-8").read()
    table = []  # [text, "HH:MM" first seen or null]
    at = {}

    def index(t):
        if t not in at:
            at[t] = len(table)
            table.append([t, first_seen.get(t)])
        return at[t]

    out_topics = []
    for topic_id, name in topics.items():
        tw = words(name)
        titles = [name] + related(tw, {name}, MAX_THREADS - 1)
        threads = []
        for title in titles:
            floors = [title] + related(words(title) | tw, {title}, MAX_FLOORS - 1)
            threads.append([index(t) for t in floors])
        out_topics.append({"topic_id": topic_id, "topic_name": name, "threads": threads})
    # The fragment's users (data-field of every li.lzl_single_post): authors of the floors.
    authors = []
    for m in re.finditer(r"class=\"lzl_single_post[^\"]*\" data-field='([^']*)'", fragment):
        f = json.loads(html.unescape(m.group(1)))
        authors.append({k: f[k] for k in ("user_name", "showname", "portrait")})
    data = {
        "day": "2025-10-15",
        "authors": authors,
        "texts": table,
        "topics": out_topics,
        "lzl_fragment": fragment,
    }
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with open(out, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
            gz.write(raw)
    n_threads = sum(len(t["threads"]) for t in out_topics)
    n_floors = sum(len(th) for t in out_topics for th in t["threads"])
    print(f"{len(out_topics)} topics, {n_threads} threads, {n_floors} floors, {len(raw)} bytes raw")


if __name__ == "__main__":
    main()
