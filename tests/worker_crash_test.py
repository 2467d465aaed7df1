#!/usr/bin/env python3
"""Worker processes killed mid-job lose nothing and commit nothing twice.

4 `nightjar worker` processes work through a `record` job of 2,000 documents (batches of 20).
Two of them are SIGKILLed at random moments and restarted. When the job is done:
  - every document's result was committed exactly once (its field in the results hash is 1)
    and none is missing; the job counts 2,000 completed and 0 failed;
  - the documents processed again (calls beyond one per document) are bounded by the killed
    workers' in-flight work: one batch each (prefetch 1).
Then a SIGTERM during a batch: the worker finishes the document in flight, hands the rest back,
and nothing it had committed is run again. Last, documents past their soft time limit: each is
committed and the rest of its batch handed back.

Usage: worker_crash_test.py NIGHTJAR [--seed S]
Needs a redis-server: NIGHTJAR_TEST_REDIS_URL (scripts/test sets it).
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time

DOCS = 2000
BATCH = 20


def redis_cli(base, *args):
    host, port = base.split("//")[1].split(":")
    out = subprocess.run(["redis-cli", "-h", host, "-p", port.split("/")[0], *args],
                         check=True, capture_output=True).stdout.decode()
    return out


def hgetall(base, key):
    values = redis_cli(base, "--raw", "HGETALL", key).splitlines()  # field, value, ...
    return dict(zip(values[0::2], values[1::2]))


class Cluster:
    def __init__(self, nightjar, uri, tmp):
        self.nightjar, self.uri, self.tmp = nightjar, uri, tmp
        self.procs = {}

    def start(self, name, *extra):
        log = open(os.path.join(self.tmp, name + ".log"), "ab")
        # 5 ms a document: the job lasts seconds, so the kills land in the middle of it.
        self.procs[name] = subprocess.Popen(
            [self.nightjar, "worker", "--redis", self.uri, "-Q", "reprocessing", "-c", "1",
             "--heartbeat", "0.2", "--claim-after", "1", "--name", name,
             "--option", "record.sleep_ms=5", *extra],
            stdout=log, stderr=log)

    def stop_all(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs.values():
            p.wait(timeout=30)


def status(nightjar, uri, job):
    out = subprocess.run([nightjar, "jobs", "--redis", uri, "status", job, "--json"],
                         check=True, capture_output=True).stdout
    return json.loads(out)


def submit(nightjar, uri, tmp, n, prefix):
    docs = os.path.join(tmp, prefix + ".txt")
    with open(docs, "w") as f:
        f.write("".join(f"{prefix}{i}\n" for i in range(n)))
    out = subprocess.run([nightjar, "jobs", "--redis", uri, "submit", "record", "--docs", docs,
                          "--batch-size", str(BATCH)], check=True, capture_output=True).stdout
    return out.decode().strip()


def wait_done(nightjar, uri, job, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        s = status(nightjar, uri, job)
        if s["state"] == "done":
            return s
        time.sleep(0.1)
    sys.exit(f"job {job} not done after {seconds}s: {status(nightjar, uri, job)}")


def crash(args, uri, ns, tmp, rng):
    job = submit(args.nightjar, uri, tmp, DOCS, "d")
    cluster = Cluster(args.nightjar, uri, tmp)
    for i in range(4):
        cluster.start(f"w{i}")
    kills = 0
    for victim in rng.sample(range(4), 2):
        time.sleep(rng.uniform(0.05, 0.4))
        if status(args.nightjar, uri, job)["state"] == "done":
            sys.exit("crash: the job finished before the kill; the test would prove nothing")
        cluster.procs[f"w{victim}"].send_signal(signal.SIGKILL)
        cluster.procs[f"w{victim}"].wait()
        kills += 1
        cluster.start(f"w{victim}-restarted")
    s = wait_done(args.nightjar, uri, job, 60)
    cluster.stop_all()
    results = hgetall(uri, f"nightjar:{ns}:results:{job}")
    calls = hgetall(uri, f"nightjar:{ns}:calls:{job}")
    missing = [f"d{i}" for i in range(DOCS) if f"d{i}" not in results]
    twice = {d: v for d, v in results.items() if v != "1"}
    if missing or twice:
        sys.exit(f"crash: {len(missing)} results missing, {len(twice)} committed more than "
                 f"once: {list(twice.items())[:5]}")
    if s["completed"] != DOCS or s["failed"] != 0:
        sys.exit(f"crash: job counts {s['completed']} completed, {s['failed']} failed")
    redone = sum(int(v) for v in calls.values()) - DOCS
    if redone > kills * BATCH:
        sys.exit(f"crash: {redone} documents processed again, more than the killed workers' "
                 f"in-flight {kills * BATCH}")
    claimed = 0
    for name in os.listdir(tmp):
        if name.endswith(".log"):
            for line in open(os.path.join(tmp, name)):
                if line.startswith("{"):
                    claimed += json.loads(line)["claimed"]
    print(f"crash: {kills} workers killed and restarted; {DOCS} results committed exactly "
          f"once; {redone} documents processed again (bound {kills * BATCH}); {claimed} lapsed "
          f"tasks claimed by the survivors")


def sigterm(args, uri, ns, tmp):
    job = submit(args.nightjar, uri, tmp, 400, "t")
    cluster = Cluster(args.nightjar, uri, tmp)
    cluster.start("term")
    # Wait until it has committed some documents, then SIGTERM it mid-job.
    while status(args.nightjar, uri, job)["completed"] < 50:
        time.sleep(0.01)
    cluster.procs["term"].send_signal(signal.SIGTERM)
    if cluster.procs["term"].wait(timeout=30) != 0:
        sys.exit("sigterm: the worker did not exit cleanly")
    committed = status(args.nightjar, uri, job)["completed"]
    if committed >= 400:
        sys.exit("sigterm: the job finished before the SIGTERM; the test would prove nothing")
    cluster.start("after")
    wait_done(args.nightjar, uri, job, 60)
    cluster.stop_all()
    results = hgetall(uri, f"nightjar:{ns}:results:{job}")
    calls = hgetall(uri, f"nightjar:{ns}:calls:{job}")
    if len(results) != 400 or any(v != "1" for v in results.values()):
        sys.exit("sigterm: results missing or committed twice")
    redone = sum(int(v) for v in calls.values()) - 400
    if redone != 0:
        sys.exit(f"sigterm: {redone} committed documents were processed again")
    print(f"sigterm: stopped after {committed} committed documents; none of them run again")


def soft_limit(args, uri, ns, tmp):
    """Documents past their soft time limit: each is committed, the rest of its batch handed back."""
    docs = os.path.join(tmp, "slow.txt")
    with open(docs, "w") as f:
        f.write("".join(f"s{i}\n" for i in range(6)))
    job = subprocess.run([args.nightjar, "jobs", "--redis", uri, "submit", "record", "--docs", docs,
                          "--batch-size", "6"], check=True, capture_output=True).stdout.decode().strip()
    cluster = Cluster(args.nightjar, uri, tmp)
    cluster.start("slow", "--option", "record.sleep_ms=150", "--option",
                  "record.soft_time_limit_s=0.1")
    wait_done(args.nightjar, uri, job, 60)
    cluster.stop_all()
    results = hgetall(uri, f"nightjar:{ns}:results:{job}")
    if sorted(results) != [f"s{i}" for i in range(6)] or any(v != "1" for v in results.values()):
        sys.exit(f"soft limit: results {results}")
    released = 0
    for line in open(os.path.join(tmp, "slow.log")):
        if line.startswith("{"):
            released += json.loads(line)["released"]
    if released != 5:
        sys.exit(f"soft limit: {released} hand-backs, want 5 (one after each slow document)")
    print(f"soft limit: every slow document committed once, the rest handed back {released} times")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("nightjar")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    base = os.environ.get("NIGHTJAR_TEST_REDIS_URL")
    if not base:
        print("skipped: no redis-server (NIGHTJAR_TEST_REDIS_URL)")
        return
    rng = random.Random(args.seed)
    ns = f"crash{os.getpid()}"
    uri = f"{base}/0?namespace={ns}"
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        try:
            crash(args, uri, ns, tmp, rng)
            sigterm(args, uri, ns, tmp)
            soft_limit(args, uri, ns, tmp)
        except SystemExit:
            for name in sorted(os.listdir(tmp)):
                if name.endswith(".log"):
                    print(f"--- {name}\n" + open(os.path.join(tmp, name)).read()[-2000:])
            raise
    print(f"seed {args.seed}")


if __name__ == "__main__":
    main()
