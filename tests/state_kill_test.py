#!/usr/bin/env python3
"""kill -9 at random points of `nightjar refresh --state`, then resume: the resumed run must
publish exactly what an uninterrupted run publishes, and count the same corpus.

Two scenarios alternate: the first night (an empty state) and a second night (a state holding
night one, plus a new file of modifications, deletions and new documents). Each trial copies the
scenario's starting state and store, starts the refresh with small checkpoints, SIGKILLs it
after a random delay up to 1.2 times an uninterrupted run's time (so kills land in reading,
checkpointing, mining and publishing, and some after the end), runs the same command again to
completion, and compares every published lexicon (version names and timestamps removed) and the
corpus totals with the uninterrupted run's.

Usage: state_kill_test.py NIGHTJAR [--trials N] [--seed S] [--docs-per-file N]
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from refresh_testlib import body, published  # noqa: E402



def write_file(path, lines):
    with open(path, "w") as f:
        for line in lines:
            f.write(json.dumps(line) + "\n")


def make_nights(corpus, rng, files, per_file):
    os.makedirs(corpus)
    ids = []
    for k in range(files):
        lines = []
        for i in range(per_file):
            doc_id = f"d{k}-{i}"
            ids.append(doc_id)
            lines.append({"id": doc_id, "modified_at": 1700000000000, "body": body(rng)})
        write_file(os.path.join(corpus, f"night1-{k}.jsonl"), lines)
    night2 = []
    for doc_id in rng.sample(ids, len(ids) // 20):
        if rng.random() < 0.3:
            night2.append({"id": doc_id, "deleted": True, "modified_at": 1700086400000})
        else:
            night2.append({"id": doc_id, "modified_at": 1700086400000, "body": body(rng)})
    for i in range(per_file // 4):
        night2.append({"id": f"n2-{i}", "modified_at": 1700086400000, "body": body(rng)})
    return night2


def command(nightjar, work):
    return [nightjar, "refresh", "--corpus", "jsonl:" + work + "/corpus", "--store",
            "dir:" + work + "/store", "--state", work + "/state", "--rejects-dir", "",
            "--threads", "2", "--quiet", "--json", "--set", "state.checkpoint_docs=100",
            "--set", "validation.size_band=false", "--set", "validation.top_overlap=false"]



def totals(summary):
    c = json.loads(summary)["corpus"]
    return {k: c[k] for k in ("documents", "tokens", "distinct_terms", "text_bytes")}


def run(cmd):
    p = subprocess.run(cmd, capture_output=True)
    if p.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)} exited {p.returncode}: {p.stderr.decode()[-2000:]}")
    return p.stdout.decode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("nightjar")
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--docs-per-file", type=int, default=400)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        # Scenario starts: night one from nothing, night two from night one's finished state.
        start1 = tmp + "/start1"
        night2 = make_nights(start1 + "/corpus", rng, 6, args.docs_per_file)
        start2 = tmp + "/start2"
        shutil.copytree(start1, start2)
        run(command(args.nightjar, start2))
        write_file(start2 + "/corpus/night2.jsonl", night2)
        # The uninterrupted runs.
        expected = {}
        for name, start in (("night1", start1), ("night2", start2)):
            ref = f"{tmp}/ref-{name}"
            shutil.copytree(start, ref)
            t0 = time.monotonic()
            summary = run(command(args.nightjar, ref))
            expected[name] = (published(ref + "/store"), totals(summary), time.monotonic() - t0)
        landed = 0
        for trial in range(args.trials):
            name = "night1" if trial % 2 == 0 else "night2"
            want, want_totals, seconds = expected[name]
            work = f"{tmp}/trial{trial}"
            shutil.copytree(start1 if name == "night1" else start2, work)
            delay = rng.uniform(0, 1.2 * seconds)
            p = subprocess.Popen(command(args.nightjar, work), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            time.sleep(delay)
            if p.poll() is None:
                landed += 1
                p.send_signal(signal.SIGKILL)
            p.wait()
            summary = run(command(args.nightjar, work))  # resume
            got = published(work + "/store")
            if got != want:
                differing = [n for n in sorted(set(got) | set(want)) if got.get(n) != want.get(n)]
                sys.exit(f"trial {trial} ({name}, killed after {delay:.3f}s): published "
                         f"lexicons differ from the uninterrupted run's: {differing}")
            # The resumed run reports what it changed, but the corpus it counts is the same.
            if totals(summary) != want_totals:
                sys.exit(f"trial {trial} ({name}, killed after {delay:.3f}s): corpus totals "
                         f"{totals(summary)} != {want_totals}")
            shutil.rmtree(work)
        print(f"{args.trials} trials, {landed} killed while running, every resumed run equal to "
              f"the uninterrupted one")
        if landed == 0:
            sys.exit("no kill landed while the refresh ran: the test proved nothing")


if __name__ == "__main__":
    main()
