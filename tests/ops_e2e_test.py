#!/usr/bin/env python3
"""The nightly path end to end, on real services: scheduler -> queue -> worker ->
lexicon.refresh -> a new active version in the Redis store -> the outcome in a real Pushgateway.

A schedule `nightly` fires lexicon.refresh (every second here, disabled after its first fire);
a `nightjar scheduler` enqueues it on the lexicon queue; a `nightjar worker -Q lexicon` runs the
refresh with a config whose store is the test Redis and whose metrics go to the gateway. Then:
the job is done, the store has an active version, the gateway holds nightjar_refresh_success 1
and a last-success timestamp. Last, the runbook's rollback step against that store: a second
refresh, `versions rollback`, and the first version is active again.

Usage: ops_e2e_test.py NIGHTJAR
"""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from refresh_testlib import body  # noqa: E402
from service_testlib import free_port, wait_http  # noqa: E402



def value(text, name):
    m = re.search(r"^" + name + r"(\{[^}]*\})? (\S+)$", text, re.M)
    return float(m.group(2)) if m else None


def main():
    nightjar = sys.argv[1]
    base = os.environ.get("NIGHTJAR_TEST_REDIS_URL")
    gateway = shutil.which("prometheus-pushgateway")
    if not base or not gateway:
        print("skipped: needs NIGHTJAR_TEST_REDIS_URL and prometheus-pushgateway")
        return
    ns = f"ops{os.getpid()}"
    queues = f"{base}/0?namespace={ns}"
    store = f"{base}/1?namespace={ns}"
    port = free_port()
    procs = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            procs.append(subprocess.Popen([gateway, f"--web.listen-address=127.0.0.1:{port}"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_http(f"http://127.0.0.1:{port}/-/ready")
            run(nightjar, tmp, queues, store, f"http://127.0.0.1:{port}", procs)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
                    p.wait(timeout=30)


def run(nightjar, tmp, queues, store, gateway, procs):
    rng = random.Random(5)
    with open(f"{tmp}/corpus.jsonl", "w") as f:
        for i in range(300):
            f.write(json.dumps({"id": f"d{i}", "body": body(rng)}) + "\n")
    config = f"{tmp}/nightjar.toml"
    with open(config, "w") as f:
        f.write(f'[corpus]\nuri = "jsonl:{tmp}/corpus.jsonl"\nrejects_dir = ""\n'
                f'[store]\nuri = "{store}"\n'
                '[validation]\nsize_band = false\ntop_overlap = false\n'
                f'[metrics]\npushgateway = "{gateway}"\n')
    cli = lambda *a: subprocess.run([nightjar, *a], check=True, capture_output=True, text=True)
    cli("schedule", "--redis", queues, "set", "nightly", "* * * * * *", "--", "lexicon.refresh",
        config)
    log = open(f"{tmp}/services.log", "w")
    procs.append(subprocess.Popen([nightjar, "worker", "--redis", queues, "-Q", "lexicon"],
                                  stdout=log, stderr=log))
    scheduler = subprocess.Popen([nightjar, "scheduler", "--redis", queues, "--tick", "0.2"],
                                 stdout=subprocess.PIPE, stderr=log, text=True)
    procs.append(scheduler)
    fired = json.loads(scheduler.stdout.readline())
    cli("schedule", "--redis", queues, "disable", "nightly")
    if fired["event"] != "fired" or not fired["job"]:
        sys.exit(f"the scheduler did not fire: {fired}")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = json.loads(cli("jobs", "--redis", queues, "status", fired["job"], "--json").stdout)
        if status["state"] == "done":
            break
        time.sleep(0.2)
    if status["state"] != "done" or status["completed"] != 1:
        sys.exit(f"the scheduled refresh did not complete: {status}")
    def current():
        return json.loads(cli("versions", "list", "--store", store, "--json").stdout)["current"]
    first = current()
    if not first:
        sys.exit("no active version after the scheduled refresh")
    with urllib.request.urlopen(gateway + "/metrics", timeout=5) as r:
        metrics = r.read().decode()
    if value(metrics, "nightjar_refresh_success") != 1 or value(
            metrics, "nightjar_refresh_last_success_timestamp_seconds") is None:
        sys.exit("the refresh's outcome is not in the Pushgateway")
    # The runbook's re-run and rollback: a second night, then back to the first version.
    cli("refresh", "--config", config, "-q")
    second = current()
    cli("versions", "rollback", "--store", store)
    back = current()
    if second == first or back != first:
        sys.exit(f"rollback: first {first}, after the second refresh {second}, after rollback {back}")
    print(f"ops e2e: scheduler fired {fired['job']}; the worker's refresh activated {first}; "
          f"the Pushgateway has its success; re-run activated {second}, rollback back to {first}")


if __name__ == "__main__":
    main()
