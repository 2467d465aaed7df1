#!/usr/bin/env python3
"""A refresh's metrics in a real Prometheus Pushgateway (Debian prometheus-pushgateway) and in a
node-exporter textfile.

Starts the gateway on a free loopback port (no persistence), then:
  1. a successful refresh with --pushgateway and metrics.textfile: the gateway holds
     nightjar_refresh_success 1, the last-success timestamp, stage durations and lexicon sizes
     under job="nightjar_refresh" with no instance label; the textfile parses the same;
  2. a refresh whose corpus is all rejects (a data gate): success 0 is pushed, and the
     last-success timestamp of run 1 survives (a POST replaces only the names it pushes);
  3. --max-attempts 3 against a store that cannot be written: three attempts, reported.

Usage: pushgateway_test.py NIGHTJAR
"""
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from refresh_testlib import body  # noqa: E402
from service_testlib import free_port, wait_http  # noqa: E402



def series(text, name):
    """{labels: value} of the metric `name`."""
    out = {}
    for line in text.splitlines():
        m = re.fullmatch(name + r'(\{[^}]*\})? (\S+)', line)
        if m:
            out[m.group(1) or ""] = float(m.group(2))
    return out


def main():
    nightjar = sys.argv[1]
    gateway = shutil.which("prometheus-pushgateway")
    if gateway is None:
        sys.exit("prometheus-pushgateway is not installed (scripts/setup installs it)")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        gw = subprocess.Popen([gateway, f"--web.listen-address=127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_http(url + "/-/ready")
            run(nightjar, tmp, url)
        finally:
            gw.terminate()
            gw.wait()


def scrape(url):
    with urllib.request.urlopen(url + "/metrics", timeout=5) as r:
        return r.read().decode()


def run(nightjar, tmp, url):
    rng = random.Random(11)
    with open(f"{tmp}/corpus.jsonl", "w") as f:
        for i in range(300):
            f.write(json.dumps({"id": f"d{i}", "body": body(rng)}) + "\n")
    with open(f"{tmp}/bad.jsonl", "w") as f:
        f.write("not json\n" * 50)
    with open(f"{tmp}/n.toml", "w") as f:
        f.write(f'[store]\nuri = "dir:{tmp}/store"\n[corpus]\nrejects_dir = ""\n'
                '[validation]\nsize_band = false\ntop_overlap = false\n'
                f'[metrics]\ntextfile = "{tmp}/nightjar.prom"\n')
    good = subprocess.run([nightjar, "refresh", "--config", f"{tmp}/n.toml", "-q", "--corpus",
                           f"jsonl:{tmp}/corpus.jsonl", "--pushgateway", url],
                          capture_output=True, text=True)
    if good.returncode != 0:
        sys.exit(f"refresh failed: {good.stderr}")
    text = scrape(url)
    success = series(text, "nightjar_refresh_success")
    last = series(text, "nightjar_refresh_last_success_timestamp_seconds")
    if list(success.values()) != [1.0] or len(last) != 1:
        sys.exit(f"after a good run: success {success}, last success {last}")
    labels = list(success)[0]
    if 'job="nightjar_refresh"' not in labels:
        sys.exit(f"the push is not grouped under job=nightjar_refresh: {labels}")
    if re.search(r'instance="[^"]+"', labels):
        sys.exit(f"a batch job's push must carry no instance label: {labels}")
    if abs(list(last.values())[0] - time.time()) > 60:
        sys.exit("the last-success timestamp is not now")
    stages = series(text, "nightjar_refresh_stage_duration_seconds")
    sizes = series(text, "nightjar_refresh_lexicon_records")
    if not stages or not any('lexicon="spelling"' in k and v > 0 for k, v in sizes.items()):
        sys.exit(f"stages {stages}, lexicon sizes {sizes}")
    prom = open(f"{tmp}/nightjar.prom").read()
    if series(prom, "nightjar_refresh_success") != {"": 1.0}:
        sys.exit("the textfile does not hold the run's outcome")
    # 2. A data gate refuses the corpus: success 0, the last success kept.
    bad = subprocess.run([nightjar, "refresh", "--config", f"{tmp}/n.toml", "-q", "--corpus",
                          f"jsonl:{tmp}/bad.jsonl", "--pushgateway", url],
                         capture_output=True, text=True)
    if bad.returncode != 3:
        sys.exit(f"an all-rejects corpus should exit 3, got {bad.returncode}: {bad.stderr}")
    text = scrape(url)
    if list(series(text, "nightjar_refresh_success").values()) != [0.0]:
        sys.exit("a failed run did not push success 0")
    if series(text, "nightjar_refresh_last_success_timestamp_seconds") != last:
        sys.exit("a failed run's push lost the last-success timestamp")
    # 3. A store that cannot be written: tried --max-attempts times, each reported.
    with open(f"{tmp}/blocker", "w") as f:
        f.write("a file where the store's directory should be")
    tried = subprocess.run([nightjar, "refresh", "-q", "--corpus", f"jsonl:{tmp}/corpus.jsonl",
                            "--store", f"dir:{tmp}/blocker/store", "--max-attempts", "3",
                            "--set", "refresh.retry_backoff_s=0.1", "--pushgateway", url],
                           capture_output=True, text=True)
    attempts = series(scrape(url), "nightjar_refresh_attempts")
    if tried.returncode == 0 or tried.stderr.count("failed") < 2 or list(attempts.values()) != [3.0]:
        sys.exit(f"max attempts: exit {tried.returncode}, attempts {attempts}: {tried.stderr}")
    print("pushgateway: a good run's outcome, stages and sizes pushed (no instance label) and in "
          "the textfile; a refused run pushed success 0 and kept the last success; 3 attempts")


if __name__ == "__main__":
    main()
