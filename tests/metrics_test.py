#!/usr/bin/env python3
"""/metrics of `nightjar worker` and `nightjar scheduler` against a real redis-server.

A scheduler with a per-second schedule of `noop` jobs and a worker run side by side, each with
--metrics-listen on a free port. After the scheduler has fired a few times and the worker has
done the jobs, their /metrics (Prometheus text, parsed here) must agree with Redis: the fires
counted, the documents completed, no tasks waiting, the leader gauge, a recent tick; and
/healthz answers. Then the scheduler stops and a second one takes the lead.

Usage: metrics_test.py NIGHTJAR
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request


def scrape(port, path="/metrics"):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
        return r.read().decode()


def samples(text):
    """{(name, labels): value} of a Prometheus text exposition; checks each line's form."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            if line.startswith("# TYPE "):
                assert line.split()[3] in ("counter", "gauge", "histogram"), line
            continue
        m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)', line)
        if not m:
            sys.exit(f"not the text format: {line!r}")
        out[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return out


def start(argv, log):
    p = subprocess.Popen(argv, stdout=log, stderr=subprocess.PIPE, text=True)
    for _ in range(100):
        line = p.stderr.readline()
        m = re.search(r"metrics on port (\d+)", line)
        if m:
            return p, int(m.group(1))
    sys.exit(f"{argv[1]} did not report its metrics port")


def main():
    nightjar = sys.argv[1]
    base = os.environ.get("NIGHTJAR_TEST_REDIS_URL")
    if not base:
        print("skipped: no redis-server (NIGHTJAR_TEST_REDIS_URL)")
        return
    uri = f"{base}/0?namespace=metrics{os.getpid()}"
    with tempfile.TemporaryDirectory() as tmp:
        log = open(os.path.join(tmp, "out.log"), "w")
        subprocess.run([nightjar, "schedule", "--redis", uri, "set", "tick", "* * * * * *", "--",
                        "noop", "a", "b", "c"], check=True, capture_output=True)
        worker, wport = start([nightjar, "worker", "--redis", uri, "--metrics-listen",
                               "127.0.0.1:0"], log)
        sched, sport = start([nightjar, "scheduler", "--redis", uri, "--tick", "0.2", "--lease",
                              "1", "--id", "first", "--metrics-listen", "127.0.0.1:0"], log)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                s = samples(scrape(sport))
                if s.get(("nightjar_scheduler_fires_total", '{outcome="fired"}'), 0) >= 3:
                    break
                time.sleep(0.2)
            subprocess.run([nightjar, "schedule", "--redis", uri, "disable", "tick"], check=True,
                           capture_output=True)
            time.sleep(0.5)  # a tick after the disable: no more fires
            s = samples(scrape(sport))
            fired = s[("nightjar_scheduler_fires_total", '{outcome="fired"}')]
            jobs = subprocess.run([nightjar, "jobs", "--redis", uri, "list", "--json"], check=True,
                                  capture_output=True, text=True).stdout.splitlines()
            if fired < 3 or fired != len(jobs):
                sys.exit(f"scheduler: {fired} fires counted, {len(jobs)} jobs in Redis")
            if s[("nightjar_scheduler_leader", "")] != 1:
                sys.exit("scheduler: the only instance does not report leading")
            if time.time() - s[("nightjar_scheduler_last_tick_timestamp_seconds", "")] > 5:
                sys.exit("scheduler: its last tick is stale")
            # The worker does the jobs: 3 documents each.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                w = samples(scrape(wport))
                done = w[("nightjar_worker_documents_total", '{outcome="completed"}')]
                if done == 3 * fired:
                    break
                time.sleep(0.2)
            if done != 3 * fired:
                sys.exit(f"worker: {done} documents completed, want {3 * fired}")
            if w[("nightjar_queue_waiting_tasks", '{queue="reprocessing"}')] != 0:
                sys.exit("worker: tasks still waiting after every job is done")
            if w[("nightjar_worker_redis_up", "")] != 1 or scrape(wport, "/healthz") != "ok\n":
                sys.exit("worker: not healthy")
            if ("nightjar_rate_limit_rate", '{key="llm"}') not in w:
                sys.exit("worker: the reprocessing queue's llm limit is not exposed")
            # Failover: the leader stops; a second instance leads.
            sched.send_signal(signal.SIGTERM)
            sched.wait(timeout=10)
            second, port2 = start([nightjar, "scheduler", "--redis", uri, "--tick", "0.2",
                                   "--lease", "1", "--id", "second", "--metrics-listen",
                                   "127.0.0.1:0"], log)
            time.sleep(1)
            if samples(scrape(port2))[("nightjar_scheduler_leader", "")] != 1:
                sys.exit("scheduler: the second instance did not take the lead")
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=10)
        finally:
            for p in (worker, sched):
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
                    p.wait(timeout=30)
    print(f"metrics: {int(fired)} fires and {int(done)} documents as Redis has them; leader, "
          "last tick, queue depth, limits, healthz; the second scheduler leads after the first")


if __name__ == "__main__":
    main()
