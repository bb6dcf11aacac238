#!/usr/bin/env python3
"""Build data/demo/posts.json.gz from the nateafish/weibo-hot-hub archive (see data/demo/README.md).

Usage: scripts/build_demo_posts.py <archive>/data/topics data/demo/posts.json.gz

For each topic directory: the real post records `posts/objects/<mid>.json`
({mid, uid, username, created_at_text, body}) newest first, and the real `verified_type`
of the topic's media accounts (`meta.json` `media_info.users`), keyed by screen name.
Nothing is invented here; the replay server (src/replay/posts.rs) writes the wire formats.
"""

import glob
import gzip
import json
import os
import sys


def newest_first(rec):
    """Weibo mids grow with posting time, so they order posts exactly; the archived
    `created_at_text` is often relative ("7秒前") to an unrecorded crawl moment."""
    mid = rec.get("mid") or ""
    return -int(mid) if mid.isdigit() else 0


def main(topics_dir, out):
    topics = []
    for tid in sorted(os.listdir(topics_dir)):
        meta_path = os.path.join(topics_dir, tid, "meta.json")
        if not os.path.isfile(meta_path):
            continue
        with open(meta_path, encoding="utf-8") as f:
            meta = json.load(f)
        accounts = {}
        for u in (meta.get("media_info") or {}).get("users") or []:
            if u.get("screen_name") and u.get("verified_type") is not None:
                accounts[u["screen_name"]] = u["verified_type"]
        posts = []
        for p in glob.glob(os.path.join(topics_dir, tid, "posts", "objects", "*.json")):
            with open(p, encoding="utf-8") as f:
                rec = json.load(f)
            posts.append({k: rec.get(k) for k in ("mid", "uid", "username", "created_at_text", "body")})
        posts.sort(key=newest_first)
        topics.append({"topic_id": tid, "accounts": accounts, "posts": posts})
    data = json.dumps(topics, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with open(out, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
            gz.write(data)
    print(f"{len(topics)} topics, {sum(len(t['posts']) for t in topics)} posts -> {out}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
