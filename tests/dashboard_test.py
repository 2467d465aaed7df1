#!/usr/bin/env python3
"""Every panel of deploy/grafana/nightjar-dashboard.json returns data from a real Prometheus.

Grafana cannot be installed here, so its queries are run against Prometheus (Debian
`prometheus`) directly. Started on loopback: a real Pushgateway that a refresh pushes to, the
refresh's version served by `nightjar serve` (queried throughout), a `nightjar worker` working
through a slow job, a `nightjar scheduler` firing a schedule every second, and Prometheus
scraping the four every second. After at least two scrapes of each, every panel's every target
is queried through Prometheus's HTTP API and must return at least one series. Substitution rule
(docs/deployment.md): a template variable takes its default (`current.value`, `.*` for All),
and `$__rate_interval` is 4x the scrape interval.

Usage: dashboard_test.py NIGHTJAR
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
import threading
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from refresh_testlib import body  # noqa: E402
from service_testlib import free_port, wait_http  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRAPE_S = 1



def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()



def queries(dashboard):
    """(panel title, expr) with variables substituted by the documented rule."""
    values = {}
    for v in dashboard["templating"]["list"]:
        value = v.get("current", {}).get("value", "")
        values[v["name"]] = ".*" if value in ("$__all", "All") else value
    out = []
    for p in dashboard["panels"]:
        for t in p.get("targets", []):
            expr = t["expr"].replace("$__rate_interval", f"{4 * SCRAPE_S}s")
            for name, value in values.items():
                expr = expr.replace("${" + name + "}", value).replace("$" + name, value)
            out.append((p["title"], expr))
    return out


def main():
    nightjar = sys.argv[1]
    base = os.environ.get("NIGHTJAR_TEST_REDIS_URL")
    prometheus, gateway = shutil.which("prometheus"), shutil.which("prometheus-pushgateway")
    if not base:
        print("skipped: no redis-server (NIGHTJAR_TEST_REDIS_URL)")
        return
    if not prometheus or not gateway:
        sys.exit("prometheus and prometheus-pushgateway are required (scripts/setup installs them)")
    dashboard = json.load(open(os.path.join(ROOT, "deploy", "grafana", "nightjar-dashboard.json")))
    if dashboard["schemaVersion"] < 39:
        sys.exit("the dashboard's schemaVersion is below 39")
    uri = f"{base}/0?namespace=dash{os.getpid()}"
    procs = []
    stop = threading.Event()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            run(nightjar, prometheus, gateway, dashboard, uri, tmp, procs, stop)
        except SystemExit:
            for name in ("services.log", "prometheus.log"):
                if os.path.exists(f"{tmp}/{name}"):
                    print(f"--- {name}\n" + open(f"{tmp}/{name}").read()[-2000:])
            raise
        finally:
            stop.set()
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
                    try:
                        p.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        p.kill()


def run(nightjar, prometheus, gateway, dashboard, uri, tmp, procs, stop):
    log = open(f"{tmp}/services.log", "w")
    gw_port = free_port()
    procs.append(subprocess.Popen([gateway, f"--web.listen-address=127.0.0.1:{gw_port}"],
                                  stdout=log, stderr=log))
    wait_http(f"http://127.0.0.1:{gw_port}/-/ready")
    # A refresh that publishes and pushes.
    rng = random.Random(3)
    with open(f"{tmp}/corpus.jsonl", "w") as f:
        for i in range(300):
            f.write(json.dumps({"id": f"d{i}", "body": body(rng)}) + "\n")
    subprocess.run([nightjar, "refresh", "-q", "--corpus", f"jsonl:{tmp}/corpus.jsonl", "--store",
                    f"dir:{tmp}/store", "--set", "validation.size_band=false", "--set",
                    "validation.top_overlap=false", "--set", "corpus.rejects_dir=",
                    "--pushgateway", f"http://127.0.0.1:{gw_port}"], check=True,
                   capture_output=True)
    serve = subprocess.Popen([nightjar, "serve", "--store", f"dir:{tmp}/store", "--listen",
                              "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=log, text=True)
    procs.append(serve)
    serve_addr = re.search(r"on (?:http://)?(\S+)", serve.stdout.readline()).group(1)

    def lookups():
        words = ["search", "engine", "the", "machne", "lerning"]
        while not stop.is_set():
            try:
                get(f"http://{serve_addr}/v1/correct?q=" + random.choice(words))
            except OSError:
                pass
            time.sleep(0.02)
    threading.Thread(target=lookups, daemon=True).start()
    # A worker through a slow job (a rate and an ETA), a scheduler firing every second.
    ids = f"{tmp}/ids.txt"
    with open(ids, "w") as f:
        f.write("".join(f"r{i}\n" for i in range(2000)))
    subprocess.run([nightjar, "jobs", "--redis", uri, "submit", "record", "--docs", ids,
                    "--batch-size", "10"], check=True, capture_output=True)
    subprocess.run([nightjar, "schedule", "--redis", uri, "set", "tick", "* * * * * *", "--",
                    "noop", "x"], check=True, capture_output=True)
    ports = {"worker": free_port(), "scheduler": free_port()}
    procs.append(subprocess.Popen([nightjar, "worker", "--redis", uri, "-o", "record.sleep_ms=20",
                                   "--metrics-listen", f"127.0.0.1:{ports['worker']}"],
                                  stdout=log, stderr=log))
    procs.append(subprocess.Popen([nightjar, "scheduler", "--redis", uri, "--tick", "0.2",
                                   "--metrics-listen", f"127.0.0.1:{ports['scheduler']}"],
                                  stdout=log, stderr=log))
    # Prometheus scraping all four every second.
    prom_port = free_port()
    config = f"""
global: {{scrape_interval: {SCRAPE_S}s, evaluation_interval: {SCRAPE_S}s}}
scrape_configs:
  - {{job_name: nightjar-serve, static_configs: [{{targets: ["{serve_addr}"]}}]}}
  - {{job_name: nightjar-worker, static_configs: [{{targets: ["127.0.0.1:{ports['worker']}"]}}]}}
  - {{job_name: nightjar-scheduler, static_configs: [{{targets: ["127.0.0.1:{ports['scheduler']}"]}}]}}
  - {{job_name: pushgateway, honor_labels: true, static_configs: [{{targets: ["127.0.0.1:{gw_port}"]}}]}}
"""
    with open(f"{tmp}/prometheus.yml", "w") as f:
        f.write(config)
    prom_log = open(f"{tmp}/prometheus.log", "w")
    procs.append(subprocess.Popen([prometheus, f"--config.file={tmp}/prometheus.yml",
                                   f"--storage.tsdb.path={tmp}/tsdb",
                                   f"--web.listen-address=127.0.0.1:{prom_port}"],
                                  stdout=prom_log, stderr=prom_log))
    api = f"http://127.0.0.1:{prom_port}/api/v1/query?query="
    wait_http(f"http://127.0.0.1:{prom_port}/-/ready", 60)
    # At least two scrapes of every target, all up.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        r = json.loads(get(api + urllib.parse.quote("count_over_time(up[1m]) >= 3 and up == 1")))
        if len(r["data"]["result"]) == 4:
            break
        time.sleep(0.5)
    else:
        sys.exit(f"not every target was scraped up twice: {get(api + 'up')}")
    time.sleep(4 * SCRAPE_S)  # a whole $__rate_interval of samples
    empty = []
    checked = 0
    for title, expr in queries(dashboard):
        r = json.loads(get(api + urllib.parse.quote(expr)))
        checked += 1
        if r["status"] != "success" or not r["data"]["result"]:
            empty.append(f"{title}: {expr} -> {r.get('error') or 'no data'}")
    if empty:
        sys.exit("panels without data:\n  " + "\n  ".join(empty))
    print(f"dashboard: {len(dashboard['panels'])} panels, {checked} queries, each with data from "
          "a real Prometheus scraping serve, worker, scheduler and the Pushgateway")


if __name__ == "__main__":
    main()
