#!/usr/bin/env python3
"""The lexicon.refresh task type: a worker on the `lexicon` queue runs a refresh per document
(the path of its TOML config), reports its stages as the job's stage, publishes a version, and
fails a document whose refresh fails, with the refresh's reason.

Usage: worker_refresh_test.py NIGHTJAR       Needs NIGHTJAR_TEST_REDIS_URL.
"""
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from refresh_testlib import body  # noqa: E402


def main():
    nightjar = sys.argv[1]
    base = os.environ.get("NIGHTJAR_TEST_REDIS_URL")
    if not base:
        print("skipped: no redis-server (NIGHTJAR_TEST_REDIS_URL)")
        return
    uri = f"{base}/0?namespace=refresh{os.getpid()}"
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        with open(f"{tmp}/corpus.jsonl", "w") as f:
            for i in range(300):
                f.write(json.dumps({"id": f"d{i}", "body": body(rng)}) + "\n")
        with open(f"{tmp}/good.toml", "w") as f:
            f.write(f'[corpus]\nuri = "jsonl:{tmp}/corpus.jsonl"\nrejects_dir = ""\n'
                    f'[store]\nuri = "dir:{tmp}/store"\n'
                    '[validation]\nsize_band = false\ntop_overlap = false\n')
        with open(f"{tmp}/jobs.txt", "w") as f:
            f.write(f"{tmp}/good.toml\n{tmp}/missing.toml\n")
        job = subprocess.run([nightjar, "jobs", "--redis", uri, "submit", "lexicon.refresh",
                              "--docs", f"{tmp}/jobs.txt", "--batch-size", "1", "--json"],
                             check=True, capture_output=True).stdout
        submitted = json.loads(job)
        if submitted["queue"] != "lexicon":
            sys.exit(f"lexicon.refresh went to {submitted['queue']}, not its own queue")
        worker = subprocess.Popen([nightjar, "worker", "--redis", uri, "-Q", "lexicon"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while True:
                s = json.loads(subprocess.run([nightjar, "jobs", "--redis", uri, "status",
                                               submitted["job"], "--json"], check=True,
                                              capture_output=True).stdout)
                if s["state"] == "done" or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        if s["state"] != "done" or s["completed"] != 1 or s["failed"] != 1:
            sys.exit(f"the job did not end with one refresh done and one failed: {s}")
        if s["stage"] != "publish":
            sys.exit(f"the job's stage is {s['stage']!r}, not the refresh's last stage")
        if "missing.toml" not in s["errors"][0]["message"]:
            sys.exit(f"the failed refresh's reason is not reported: {s['errors']}")
        if not os.path.exists(f"{tmp}/store/CURRENT"):
            sys.exit("the refresh published no version")
        print(f"lexicon.refresh: published {open(f'{tmp}/store/CURRENT').read().strip()}, "
              f"stages reported, a bad config failed with: {s['errors'][0]['message'][:80]}")


if __name__ == "__main__":
    main()
