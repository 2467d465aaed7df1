#!/usr/bin/env python3
"""4 workers share one rate limit against an upstream limited to 10 calls/s.

  1. Limiter and upstream both at 10/s: once settled (after second 10) there are no 429s, and
     the calls the upstream accepts over seconds 10-40 number 300 +- 15.
  2. The upstream drops to 5/s while the limiter stays at 10/s: the 429s it answers lower the
     shared rate (AIMD) and hold every worker for the Retry-After; every document still
     completes, none fails, and the shared rate never rose above the configured one.

Usage: worker_rate_test.py NIGHTJAR       Needs NIGHTJAR_TEST_REDIS_URL.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def jobs(nightjar, uri, *args):
    return subprocess.run([nightjar, "jobs", "--redis", uri, *args], check=True,
                          capture_output=True).stdout.decode()


def submit(nightjar, uri, tmp, n, prefix):
    path = os.path.join(tmp, prefix + ".txt")
    with open(path, "w") as f:
        f.write("".join(f"{prefix}{i}\n" for i in range(n)))
    return jobs(nightjar, uri, "submit", "upstream", "--docs", path, "--batch-size", "10").strip()


def wait_done(nightjar, uri, job, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        s = json.loads(jobs(nightjar, uri, "status", job, "--json"))
        if s["state"] == "done":
            return s
        time.sleep(0.2)
    sys.exit(f"job {job} not done after {seconds}s")


def stats(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats") as r:
        return json.loads(r.read())


def set_upstream_rate(port, rate):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/rate", json.dumps({"rate": rate}).encode(),
                                 {"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()


def main():
    nightjar = sys.argv[1]
    base = os.environ.get("NIGHTJAR_TEST_REDIS_URL")
    if not base:
        print("skipped: no redis-server (NIGHTJAR_TEST_REDIS_URL)")
        return
    uri = f"{base}/0?namespace=rate{os.getpid()}"
    upstream = subprocess.Popen([sys.executable, os.path.join(HERE, "token_bucket_upstream.py"),
                                 "--rate", "10", "--burst", "3"], stdout=subprocess.PIPE)
    port = int(upstream.stdout.readline())
    workers = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            job = submit(nightjar, uri, tmp, 450, "r")
            for i in range(4):
                workers.append(subprocess.Popen(
                    [nightjar, "worker", "--redis", uri, "-Q", "reprocessing", "--name", f"w{i}",
                     "--heartbeat", "1", "--claim-after", "10", "--option",
                     f"upstream.url=http://127.0.0.1:{port}/v1/echo"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            s = wait_done(nightjar, uri, job, 120)
            st = stats(port)
            t0 = min(st["accepted"])
            window = [t for t in st["accepted"] if t0 + 10 <= t < t0 + 40]
            late_429 = [t for t in st["throttled"] if t >= t0 + 10]
            print(f"1: {len(window)} calls accepted over seconds 10-40 (want 300 +- 15), "
                  f"{len(late_429)} 429s after second 10, {len(st['throttled'])} in all")
            if not 285 <= len(window) <= 315 or late_429 or s["failed"]:
                sys.exit("1: the shared limit was not held")
            # 2: the upstream halves its rate; the limiter is still configured at 10/s.
            set_upstream_rate(port, 5)
            before = len(stats(port)["throttled"])
            job = submit(nightjar, uri, tmp, 100, "s")
            s = wait_done(nightjar, uri, job, 120)
            limit = json.loads(jobs(nightjar, uri, "rate", "upstream"))
            throttled = len(stats(port)["throttled"]) - before
            print(f"2: {s['completed']} completed, {s['failed']} failed, {throttled} 429s, "
                  f"limiter {limit}")
            if s["completed"] != 100 or s["failed"] or limit["throttles"] < 1:
                sys.exit("2: throttles were not absorbed")
            if limit["share"] > 1 or limit["rate"] != 10:
                sys.exit("2: the shared rate rose above the configured one")
        finally:
            for w in workers:
                w.send_signal(signal.SIGTERM)
            for w in workers:
                w.wait(timeout=40)
            upstream.kill()


if __name__ == "__main__":
    main()
