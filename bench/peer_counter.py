#!/usr/bin/env python3
"""The peer for the counting benchmark: the approach the original design sketched, a Python
collections.Counter over regex tokens for term and document frequency, plus character n-grams
(1-3, with boundary markers) derived from the term table, as nightjar does.

Usage: peer_counter.py CORPUS.jsonl  -> prints a JSON summary on stdout
"""
import collections
import json
import re
import resource
import sys
import time

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def main():
    path = sys.argv[1]
    start = time.perf_counter()
    tf, df = collections.Counter(), collections.Counter()
    docs = tokens = rejected = 0
    size = 0
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            size += len(line)
            try:
                d = json.loads(line)
                text = " ".join(d.get(k) or "" for k in ("title", "body"))
            except (ValueError, TypeError, AttributeError):
                rejected += 1
                continue
            if d.get("deleted"):
                continue
            toks = WORD.findall(text.lower())
            tf.update(toks)
            df.update(set(toks))
            docs += 1
            tokens += len(toks)
    ngrams = collections.Counter()
    for term, n in tf.items():
        padded = "<" + term + ">"
        for k in (1, 2, 3):
            for i in range(len(padded) - k + 1):
                g = padded[i:i + k]
                if g not in ("<", ">"):
                    ngrams[g] += n
    secs = time.perf_counter() - start
    print(json.dumps({"documents": docs, "tokens": tokens, "terms": len(tf), "ngrams": len(ngrams),
                      "rejected": rejected, "seconds": secs,
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


if __name__ == "__main__":
    main()
