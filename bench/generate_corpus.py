#!/usr/bin/env python3
"""Scales the real corpus to N documents by resampling its sentences, injecting typos and
abbreviation definitions at known rates, and records the ground truth.

Typos: each eligible word (letters only, 4+ characters) becomes a typo with probability
--typo-rate, by one edit drawn from: deletion, insertion of a QWERTY neighbour, substitution by
a QWERTY neighbour, transposition of adjacent letters. Abbreviations: with probability
--abbrev-rate a document gains a definition sentence, "long form (SF)" or "SF (long form)", and
later mentions of the short form.

Outputs: OUT (JSONL) and OUT.truth.json:
  {"documents", "typo_rate", "abbrev_rate", "seed",
   "typos": {"<typo>": {"<correct word>": count}},            (lower case)
   "abbreviations": [{"short", "long", "definitions"}]}

Usage: generate_corpus.py --docs 1000000 [--source bench/data/real.jsonl] [--out ...] [--seed 7]
"""
import argparse
import json
import multiprocessing as mp
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Real abbreviations with their long forms, for definition injection.
ABBREVIATIONS = [
    ("ML", "machine learning"), ("NLP", "natural language processing"),
    ("AI", "artificial intelligence"), ("IR", "information retrieval"),
    ("API", "application programming interface"), ("CPU", "central processing unit"),
    ("GPU", "graphics processing unit"), ("RAM", "random access memory"),
    ("DNS", "domain name system"), ("HTTP", "hypertext transfer protocol"),
    ("SQL", "structured query language"), ("OCR", "optical character recognition"),
    ("FAQ", "frequently asked questions"), ("CEO", "chief executive officer"),
    ("CFO", "chief financial officer"), ("HR", "human resources"),
    ("ROI", "return on investment"), ("KPI", "key performance indicator"),
    ("SLA", "service level agreement"), ("VPN", "virtual private network"),
    ("LAN", "local area network"), ("WHO", "World Health Organization"),
    ("UN", "United Nations"), ("EU", "European Union"), ("FBI", "Federal Bureau of Investigation"),
    ("NASA", "National Aeronautics and Space Administration"),
    ("GDP", "gross domestic product"), ("IPO", "initial public offering"),
    ("NGO", "non-governmental organization"), ("PDF", "portable document format"),
    ("URL", "uniform resource locator"), ("OS", "operating system"),
    ("UI", "user interface"), ("UX", "user experience"), ("QA", "quality assurance"),
    ("RFC", "request for comments"), ("TTL", "time to live"), ("SSD", "solid state drive"),
    ("IoT", "Internet of Things"), ("CRM", "customer relationship management"),
    ("ERP", "enterprise resource planning"), ("SEO", "search engine optimization"),
    ("CDN", "content delivery network"), ("DBMS", "database management system"),
    ("RAG", "retrieval augmented generation"), ("LLM", "large language model"),
    ("TF", "term frequency"), ("IDF", "inverse document frequency"),
    ("BM", "best matching"), ("KB", "knowledge base"), ("PR", "public relations"),
    ("MRI", "magnetic resonance imaging"), ("DNA", "deoxyribonucleic acid"),
    ("ICU", "intensive care unit"), ("ETA", "estimated time of arrival"),
    ("DIY", "do it yourself"), ("RSVP", "respond if you please"),
    ("IDE", "integrated development environment"), ("JIT", "just in time"),
    ("MVP", "minimum viable product"),
]

TEMPLATES_LONG_FIRST = [
    "We rely on {long} ({short}) for this work.",
    "The report covers {long} ({short}) in some detail.",
    "Recent advances in {long} ({short}) changed the field.",
    "Most teams now budget for {long} ({short}).",
]
TEMPLATES_SHORT_FIRST = [
    "The {short} ({long}) team met again on Monday.",
    "Funding for {short} ({long}) was approved.",
]
MENTIONS = ["The {short} results were mixed.", "Ask about {short} before you start.",
            "Everyone talks about {short} now."]

QWERTY = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
NEIGHBOURS = {}
for r, row in enumerate(QWERTY):
    for c, ch in enumerate(row):
        near = set()
        for dr in (-1, 0, 1):
            rr = r + dr
            if 0 <= rr < 3:
                for dc in (-1, 0, 1):
                    cc = c + dc
                    if 0 <= cc < len(QWERTY[rr]) and (dr, dc) != (0, 0):
                        near.add(QWERTY[rr][cc])
        NEIGHBOURS[ch] = sorted(near)

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
WORD = re.compile(r"[A-Za-z]+")


def load_sentences(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            body = json.loads(line).get("body") or ""
            for s in SENTENCE_END.split(body):
                s = " ".join(s.split())
                if 5 <= s.count(" ") + 1 <= 60:
                    out.append(s)
    return out


def make_typo(word, rng):
    lower = word.lower()
    for _ in range(8):
        op = rng.randrange(4)
        i = rng.randrange(len(lower))
        ch = lower[i]
        if op == 0:
            typo = lower[:i] + lower[i + 1:]
        elif op == 1:
            typo = lower[:i] + rng.choice(NEIGHBOURS.get(ch, [ch])) + lower[i:]
        elif op == 2:
            if ch not in NEIGHBOURS:
                continue
            typo = lower[:i] + rng.choice(NEIGHBOURS[ch]) + lower[i + 1:]
        else:
            if i + 1 >= len(lower) or lower[i] == lower[i + 1]:
                continue
            typo = lower[:i] + lower[i + 1] + lower[i] + lower[i + 2:]
        if typo != lower:
            return typo if word[0].islower() else typo[0].upper() + typo[1:]
    return None


def inject_typos(text, rate, rng, truth):
    """Walks the eligible words with geometric gaps, so the cost is per typo, not per word."""
    words = list(WORD.finditer(text))
    out, last = [], 0
    i = int(rng.expovariate(rate)) if rate > 0 else len(words)
    while i < len(words):
        m = words[i]
        w = m.group(0)
        if len(w) >= 4:
            typo = make_typo(w, rng)
            if typo:
                out.append(text[last:m.start()])
                out.append(typo)
                last = m.end()
                t = truth.setdefault(typo.lower(), {})
                t[w.lower()] = t.get(w.lower(), 0) + 1
        i += 1 + int(rng.expovariate(rate))
    out.append(text[last:])
    return "".join(out)


def worker(args):
    start, count, seed, sentences, typo_rate, abbrev_rate, out_path = args
    rng = random.Random(seed * 1000003 + start)
    typos, abbrevs = {}, {}
    with open(out_path, "w", encoding="utf-8") as out:
        for d in range(start, start + count):
            n = 1 + rng.randrange(9)
            parts = [rng.choice(sentences) for _ in range(n)]
            if rng.random() < abbrev_rate:
                short, long = rng.choice(ABBREVIATIONS)
                tpl = rng.choice(TEMPLATES_SHORT_FIRST if rng.random() < 0.3 else TEMPLATES_LONG_FIRST)
                parts.insert(rng.randrange(len(parts) + 1), tpl.format(short=short, long=long))
                parts.append(rng.choice(MENTIONS).format(short=short))
                abbrevs[short] = abbrevs.get(short, 0) + 1
            body = inject_typos(" ".join(parts), typo_rate, rng, typos)
            title = inject_typos(" ".join(rng.choice(sentences).split()[:6]), typo_rate, rng, typos)
            rec = {"id": f"gen-{d}", "title": title, "body": body,
                   "modified_at": 1760000000 + d}
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return typos, abbrevs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--source", default=os.path.join(HERE, "data", "real.jsonl"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--typo-rate", type=float, default=0.005)
    ap.add_argument("--abbrev-rate", type=float, default=0.02)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    out = args.out or os.path.join(HERE, "data", f"gen-{args.docs}.jsonl")
    sentences = load_sentences(args.source)
    print(f"generate_corpus: {len(sentences)} source sentences", file=sys.stderr)
    jobs = max(1, min(args.jobs, args.docs // 1000 + 1))
    step = (args.docs + jobs - 1) // jobs
    parts = [(s, min(step, args.docs - s), args.seed, sentences, args.typo_rate, args.abbrev_rate,
              f"{out}.part{k}") for k, s in enumerate(range(0, args.docs, step))]
    with mp.Pool(len(parts)) as pool:
        results = pool.map(worker, parts)
    typos, abbrevs = {}, {}
    for t, a in results:
        for typo, fixes in t.items():
            dst = typos.setdefault(typo, {})
            for w, c in fixes.items():
                dst[w] = dst.get(w, 0) + c
        for s, c in a.items():
            abbrevs[s] = abbrevs.get(s, 0) + c
    with open(out + ".tmp", "wb") as dst:
        for p in parts:
            with open(p[-1], "rb") as src:
                while chunk := src.read(1 << 22):
                    dst.write(chunk)
            os.remove(p[-1])
    os.replace(out + ".tmp", out)
    long_of = dict(ABBREVIATIONS)
    truth = {"documents": args.docs, "typo_rate": args.typo_rate, "abbrev_rate": args.abbrev_rate,
             "seed": args.seed, "typos": typos,
             "abbreviations": [{"short": s, "long": long_of[s], "definitions": c}
                               for s, c in sorted(abbrevs.items())]}
    with open(out + ".truth.json", "w", encoding="utf-8") as f:
        json.dump(truth, f)
    size = os.path.getsize(out)
    print(f"generate_corpus: {args.docs} documents, {size / 1e6:.0f} MB, "
          f"{sum(sum(v.values()) for v in typos.values())} typos, "
          f"{sum(abbrevs.values())} definitions -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
