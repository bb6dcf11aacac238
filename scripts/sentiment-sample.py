#!/usr/bin/env python3
"""Draw the sentiment gold set's items (issue 20, tests/fixtures/sentiment/README.md).

Python 3, standard library only. Reproducible: the same inputs and seed give the same items,
ids and split. Labels are NOT made here: a person (here: an AI assistant) reads each item and
writes `id<TAB>label` lines; `merge` joins them into labels.jsonl.

  scripts/sentiment-sample.py sample <shared fixtures dir> data/demo > /tmp/candidates.jsonl
  scripts/sentiment-sample.py merge /tmp/candidates.jsonl labels.tsv > tests/fixtures/sentiment/labels.jsonl

Items:
- Weibo posts: data/demo/posts.json.gz (the 2,792 archived posts of nateafish/weibo-hot-hub that
  the demo serves as posts and, reconstructed, as comments of each other). Per topic, a seeded
  shuffle, then the first PER_TOPIC posts whose author text (see `author_text`) is 2..=MAX_CHARS
  characters and not a duplicate (normalised) of an item already taken.
- Tieba floors: the headlines data/demo/tieba_threads.json.gz serves as floors (real headlines of
  2025-10-15); TIEBA_HEADLINES of them, seeded.
- Tieba sub-replies: the 10 replies of the verbatim /p/comment fragment (emoticons kept as names
  via the image_emoticonN table).
- The one Weibo timeline card with emoticons (payloads/…user_timeline_cards…json).

Split: by group (Weibo topic — a post's demo comments are its topic's other posts; Tieba topic in
which a headline is first served; the fragment; the card), groups in seeded order, each group to
the half that has fewer items so far.
"""

import gzip
import html
import json
import random
import re
import sys
import unicodedata

SEED = 20
PER_TOPIC = 7
MAX_CHARS = 280
TIEBA_HEADLINES = 90

# Tieba classic smileys: image_emoticonN -> name (TiebaLite's EmoticonManager default table).
TIEBA_EMOTICONS = {
    1: "呵呵", 2: "哈哈", 3: "吐舌", 4: "啊", 5: "酷", 6: "怒", 7: "开心", 8: "汗", 9: "泪",
    10: "黑线", 11: "鄙视", 12: "不高兴", 13: "真棒", 14: "钱", 15: "疑问", 16: "阴险", 17: "吐",
    18: "咦", 19: "委屈", 20: "花心", 21: "呼~", 22: "笑眼", 23: "冷", 24: "太开心", 25: "滑稽",
    26: "勉强", 27: "狂汗", 28: "乖", 29: "睡觉", 30: "惊哭", 31: "生气", 32: "惊讶", 33: "喷",
}


def author_text(body):
    """What is labelled and scored: the author's segment (before the first //@), without a
    `回复@…:` prefix, #话题#, URLs and @names; whitespace and U+200B collapsed."""
    b = body.replace("\u200b", "")
    b = b.split("//@")[0]
    b = re.sub(r"^\s*回复\s*@[^:：]{1,40}[:：]", "", b)
    b = re.sub(r"#[^#\n]{1,80}#", " ", b)
    b = re.sub(r"https?://\S+", " ", b)
    b = re.sub(r"@[\w\-·]{1,30}", " ", b)
    return re.sub(r"\s+", " ", b).strip()


def norm(s):
    s = unicodedata.normalize("NFKC", s).lower()
    return re.sub(r"[\W_]+", "", s)


def sample(fixtures, demo):
    rng = random.Random(SEED)
    seen = set()
    items = []

    def take(item, plain):
        key = norm(plain)
        if len(key) < 2 or key in seen:
            return False
        seen.add(key)
        items.append(item)
        return True

    # Weibo timeline card (emoticons in the raw HTML).
    card = json.load(open(f"{fixtures}/payloads/weibo_mweibocn_getIndex_user_timeline_cards_EXCERPT_first_card__gottaegbert-weiboAPI.json"))
    for c in card["data"]["cards"]:
        m = c.get("mblog")
        if not m:
            continue
        raw = m["text"]
        emos = [a.strip("[]") for a in re.findall(r"alt=(\[[^\]\s>]+\])", raw)]
        plain = re.sub(r"<[^>]+>", "", raw).strip()
        take({"id": f"wbcard:{m['id']}", "source": "weibo_timeline_card", "text": plain,
              "emoticons": emos, "group": "card"}, plain)

    # Tieba sub-reply fragment.
    frag = open(f"{fixtures}/payloads/tieba_p_comment_lzl_subreplies_fragment__MediaCrawler.html").read()
    for li in re.findall(r"<li class=\"lzl_single_post.*?</li>", frag, re.S):
        spid = re.search(r"spid&quot;:(\d+)", li).group(1)
        main = re.search(r"<span class=\"lzl_content_main\"[^>]*>(.*?)</span>", li, re.S).group(1)
        emos = [TIEBA_EMOTICONS.get(int(n or 1), "表情")
                for n in re.findall(r"BDE_Smiley[^>]*image_emoticon(\d*)\.png", main)]
        plain = html.unescape(re.sub(r"<[^>]+>", "", main))
        plain = re.sub(r"\s+", " ", plain).strip()
        if not take({"id": f"tblzl:{spid}", "source": "tieba_subreply", "text": plain,
                     "emoticons": emos, "group": "lzl"}, plain + "".join(emos)):
            pass

    # Weibo posts per topic.
    topics = json.load(gzip.open(f"{demo}/posts.json.gz"))
    for t in sorted(topics, key=lambda t: t["topic_id"]):
        posts = sorted(t["posts"], key=lambda p: p["mid"])
        rng.shuffle(posts)
        n = 0
        for p in posts:
            if n >= PER_TOPIC:
                break
            a = author_text(p["body"])
            if not 2 <= len(a) <= MAX_CHARS:
                continue
            body = p["body"].rstrip().rstrip("\u200b").rstrip()
            if take({"id": f"wb:{p['mid']}", "source": "weibo_post", "text": body,
                     "emoticons": [], "group": f"wb:{t['topic_id']}"}, a):
                n += 1

    # Tieba floors served by the demo (real headlines).
    tb = json.load(gzip.open(f"{demo}/tieba_threads.json.gz"))
    first_topic = {}
    for ti, topic in enumerate(tb["topics"]):
        for thread in topic["threads"]:
            for idx in thread:
                first_topic.setdefault(idx, topic["topic_id"])
    served = sorted(first_topic)
    rng.shuffle(served)
    n = 0
    for idx in served:
        if n >= TIEBA_HEADLINES:
            break
        text = tb["texts"][idx][0]
        if take({"id": f"tbfloor:{idx}", "source": "tieba_floor", "text": text,
                 "emoticons": [], "group": f"tb:{first_topic[idx]}"}, text):
            n += 1

    # Split by group.
    groups = {}
    for it in items:
        groups.setdefault(it["group"], []).append(it)
    order = sorted(groups)
    rng.shuffle(order)
    sizes = {"train": 0, "test": 0}
    for g in order:
        half = "train" if sizes["train"] <= sizes["test"] else "test"
        for it in groups[g]:
            it["split"] = half
        sizes[half] += len(groups[g])
    for it in items:
        print(json.dumps(it, ensure_ascii=False))
    print(f"{len(items)} items, {sizes}", file=sys.stderr)


def merge(cands, labels):
    lab = {}
    for line in open(labels):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        i, l = line.split("\t")[:2]
        assert l in ("pos", "neu", "neg"), line
        lab[i] = l
    for line in open(cands):
        it = json.loads(line)
        if it["id"] not in lab:
            sys.exit(f"unlabelled: {it['id']}")
        out = {"id": it["id"], "source": it["source"], "text": it["text"],
               "emoticons": it["emoticons"], "label": lab[it["id"]], "split": it["split"]}
        print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    if sys.argv[1] == "sample":
        sample(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "merge":
        merge(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
