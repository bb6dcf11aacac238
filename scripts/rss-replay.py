#!/usr/bin/env python3
"""Write an accelerated N-day replay for `resou analyze` from the bundled demo lists.

Each day replays the real 2026-08-15 Weibo lists and the Tieba lists (on the same clock, as the demo
does), shifted by whole days; titles ranked 26 and below get a per-day suffix so that about half of
each day's titles are new (new terms, new cache entries), as on real days. Usage:
    scripts/rss-replay.py DAYS OUT.jsonl
"""
import datetime, gzip, json, sys

days, out = int(sys.argv[1]), sys.argv[2]
load = lambda p: [json.loads(l) for l in gzip.open(p, "rt", encoding="utf-8") if l.strip()]
weibo, tieba = load("data/demo/weibo.jsonl.gz"), load("data/demo/tieba.jsonl.gz")

def tod(line):
    return datetime.datetime.fromisoformat(line["captured_at"]).time()

tieba.sort(key=tod)
with open(out, "w", encoding="utf-8") as f:
    for d in range(days):
        for w in weibo:
            at = datetime.datetime.fromisoformat(w["captured_at"]) + datetime.timedelta(days=d)
            t = [x for x in tieba if tod(x) <= tod(w)] or tieba[:1]
            for line, plat in ((w, "weibo"), (t[-1], "tieba")):
                items = []
                for it in line["items"]:
                    it = dict(it)
                    if (it.get("rank") or 0) > 25:
                        it["title"] = f'{it["title"]}第{d}天'
                    items.append(it)
                f.write(json.dumps({"captured_at": at.isoformat(), "platform": plat, "items": items}, ensure_ascii=False) + "\n")
