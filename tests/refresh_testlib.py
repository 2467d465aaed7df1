"""Helpers shared by the Python tests that drive `nightjar refresh`: a small corpus vocabulary
with typos and abbreviation definitions, and the published lexicons of a store's current version
with version names and timestamps removed (what "byte for byte equal" compares)."""
import os
import re

STAMPS = re.compile(rb'"(version|last_updated)":"[^"]*"')
WORDS = ["search", "engine", "query", "spelling", "retrieval", "ranking", "index", "vector",
         "machine", "learning", "language", "model", "new", "york", "the", "of", "a", "and",
         "nightjar", "lexicon", "token", "phrase", "semantic", "neural", "network", "data"]


def typo(w, rng):
    """`w` with two letters swapped, 5% of the time for words of 4+ letters."""
    if len(w) < 4 or rng.random() > 0.05:
        return w
    i = rng.randrange(len(w) - 1)
    return w[:i] + w[i + 1] + w[i] + w[i + 2:]


def body(rng):
    """8 to 59 words, now and then an abbreviation definition."""
    text = " ".join(typo(rng.choice(WORDS), rng) for _ in range(rng.randrange(8, 60)))
    if rng.random() < 0.1:
        text += " natural language processing (NLP)"
    return text


def published(store):
    """{lexicon file: its lines without version names and timestamps} of the current version."""
    version = open(os.path.join(store, "CURRENT")).readline().strip()
    out = {}
    vdir = os.path.join(store, "versions", version)
    for name in sorted(os.listdir(vdir)):
        if name.endswith(".jsonl"):
            with open(os.path.join(vdir, name), "rb") as f:
                out[name] = [STAMPS.sub(rb'"\1":""', line) for line in f.read().split(b"\n")]
    return out
