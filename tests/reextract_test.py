#!/usr/bin/env python3
"""The reextract task end to end: real redis-server and PostgreSQL, the OpenAI-compatible
stand-in tests/llm_stub_server.py.

  tables   `jobs submit reextract` on an empty schema creates the tables (then has nothing to do);
  crash    4 workers over 2,000 documents, two SIGKILLed at random moments and restarted: every
           document's rows committed exactly once (none missing), its version bumped by exactly
           one UPDATE (a trigger counts them), LLM calls re-sent at most once per killed worker;
  modes    replace deletes the document's old rows of the domain, merge upserts and keeps them;
  faults   malformed, schema-violating and refused answers are asked again, then fail with the
           reason in the job's errors; flaky answers and 500s succeed on a retry; 429s absorbed;
  key      the API key is in no log line, error, status or stat, even when the server rejects it;
  outdated --outdated selects only documents below the schema version, --all every one;
  fallback a server without structured output is asked for the delimited text form instead.

Usage: reextract_test.py NIGHTJAR [--seed S]
Needs NIGHTJAR_TEST_REDIS_URL and NIGHTJAR_TEST_DATABASE_URL (scripts/test sets them).
"""
import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

KEY = "sk-test-7f3e9a1c5b2d8e4f6a0b"
WRONG_KEY = "sk-wrong-0d1e2f3a4b5c6d7e8f9a"
DOCS = 2000
BATCH = 20
ATTEMPTS = 3
WORDS = ["Paris", "Lisbon", "Acme", "Rivera", "Nakamura", "Orion", "Delta", "Kepler", "Vance",
         "Mercer", "Tokyo", "Quill", "Harbor", "Juniper"]


def psql(db, sql, stdin=None):
    r = subprocess.run(["psql", db, "-v", "ON_ERROR_STOP=1", "-qAt", "-F", "\t", "-c", sql],
                       input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"psql failed: {r.stderr}\n{sql[:500]}")
    return [line.split("\t") for line in r.stdout.splitlines() if line]


def copy_in(db, table, rows):
    data = "".join("\t".join(str(v) for v in row) + "\n" for row in rows)
    r = subprocess.run(["psql", db, "-v", "ON_ERROR_STOP=1", "-q", "-c",
                        f"\\copy {table} FROM STDIN"], input=data, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"copy into {table} failed: {r.stderr}")


def expected_entities(text):
    """What the stand-in extracts from `text` (its deterministic model)."""
    names = []
    for w in re.findall(r"\b[A-Z][a-z]+\b", text):
        if w not in names and w != "Document":
            names.append(w)
    return names[:6]


class Env:
    def __init__(self, args, tmp, rng):
        self.nightjar, self.tmp, self.rng = args.nightjar, tmp, rng
        self.db = os.environ["NIGHTJAR_TEST_DATABASE_URL"]
        ns = f"rx{os.getpid()}"
        self.ns, self.redis = ns, f"{os.environ['NIGHTJAR_TEST_REDIS_URL']}/0?namespace={ns}"
        self.schema = ns
        self.procs, self.stubs = {}, []
        psql(self.db, f"CREATE SCHEMA {self.schema}")

    def config(self, name, base, **extra):
        path = os.path.join(self.tmp, name + ".toml")
        s = self.schema
        keys = {"database_url": self.db, "schema_version": 2, "llm_api_base": base,
                "max_attempts": ATTEMPTS, "call_attempts": 4, "timeout_s": 10}
        for t in ["documents", "chunks", "entities", "relationships", "marks"]:
            keys[f"{t}_table"] = f"{s}.{t}"
        keys.update(extra)
        lines = ["[reextract]"] + [f"{k} = {json.dumps(v)}" for k, v in keys.items()]
        lines += ["[reextract.domains]", 'general = ["person", "organization", "location"]',
                  'medical = ["disease", "drug"]']
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def stub(self, *flags):
        p = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__),
                                                           "llm_stub_server.py"), *flags],
                             stdout=subprocess.PIPE, text=True)
        port = int(p.stdout.readline().split()[1])
        self.stubs.append(p)
        return f"http://127.0.0.1:{port}"

    def run(self, *argv, env_extra=None, check=True):
        env = dict(os.environ, LLM_API_KEY=KEY, **(env_extra or {}))
        r = subprocess.run([self.nightjar, *argv], capture_output=True, text=True, env=env)
        self.log("cli", f"$ nightjar {' '.join(argv)}\n{r.stdout}{r.stderr}")
        if check and r.returncode != 0:
            sys.exit(f"nightjar {' '.join(argv)} exited {r.returncode}: {r.stderr}")
        return r

    def log(self, name, text):
        with open(os.path.join(self.tmp, name + ".log"), "a") as f:
            f.write(text)

    def submit(self, config, kb, *flags):
        r = self.run("jobs", "--redis", self.redis, "submit", "reextract", "--config", config,
                     "--kb", kb, "--batch-size", str(BATCH), "--json", *flags)
        return json.loads(r.stdout)

    def start(self, name, config, key=KEY, extra=()):
        log = open(os.path.join(self.tmp, name + ".log"), "ab")
        env = dict(os.environ, LLM_API_KEY=key)
        self.procs[name] = subprocess.Popen(
            [self.nightjar, "worker", "--redis", self.redis, "--config", config, "-Q",
             "reprocessing", "-c", "1", "--heartbeat", "0.3", "--claim-after", "3", "--name", name,
             *extra],
            stdout=log, stderr=log, env=env)

    def stop_all(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs.values():
            p.wait(timeout=60)
        self.procs = {}

    def status(self, job):
        return json.loads(self.run("jobs", "--redis", self.redis, "status", job, "--json").stdout)

    def wait_done(self, job, seconds=120):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            s = self.status(job)
            if s["state"] == "done":
                return s
            time.sleep(0.2)
        sys.exit(f"job {job} not done after {seconds}s: {self.status(job)}")

    def stats(self, base):
        with urllib.request.urlopen(base + "/stats") as r:
            return json.loads(r.read())

    def reset(self, base):
        urllib.request.urlopen(urllib.request.Request(base + "/reset", data=b"{}"))

    def add_docs(self, kb, docs, version=0):
        """docs: {id: [chunk text, ...]}"""
        copy_in(self.db, f"{self.schema}.documents", [(d, kb, version) for d in docs])
        copy_in(self.db, f"{self.schema}.chunks",
                [(d, i, t) for d, chunks in docs.items() for i, t in enumerate(chunks)])

    def close(self):
        self.stop_all()
        for p in self.stubs:
            p.kill()
        psql(self.db, f"DROP SCHEMA {self.schema} CASCADE")


def text_for(rng, i):
    words = rng.sample(WORDS, 4)
    return [f"In doc {i} {words[0]} met {words[1]} near {words[2]}.", f"Later {words[3]} spoke."]


def tables(env, base):
    config = env.config("tables", base)
    r = env.run("jobs", "--redis", env.redis, "submit", "reextract", "--config", config, "--kb",
                "none", "--all", check=False)
    have = {row[0] for row in psql(env.db, "SELECT table_name FROM information_schema.tables "
                                           f"WHERE table_schema = '{env.schema}'")}
    if have != {"documents", "chunks", "entities", "relationships", "marks"}:
        sys.exit(f"tables: created {sorted(have)}")
    if r.returncode != 3 or "no documents" not in r.stderr:
        sys.exit(f"tables: an empty KB should exit 3 with 'no documents': {r.returncode} {r.stderr}")
    # Every UPDATE of a document is counted: a document committed twice would show two.
    psql(env.db, f"""
        CREATE TABLE {env.schema}.bumps (doc_id text);
        CREATE FUNCTION {env.schema}.count_bump() RETURNS trigger AS $$
        BEGIN INSERT INTO {env.schema}.bumps VALUES (NEW.id); RETURN NEW; END $$ LANGUAGE plpgsql;
        CREATE TRIGGER bump AFTER UPDATE ON {env.schema}.documents FOR EACH ROW
          EXECUTE FUNCTION {env.schema}.count_bump();""")
    print("tables: created on first use; an empty selection exits 3")


def crash(env, base):
    config = env.config("crash", base)
    env.run("jobs", "--redis", env.redis, "set-rate", "llm", "5000", "--burst", "100")
    texts = {f"c{i:04d}": text_for(env.rng, i) for i in range(DOCS)}
    env.add_docs("crash", texts)
    env.reset(base)
    job = env.submit(config, "crash", "--all")["job"]
    for i in range(4):
        env.start(f"w{i}", config)
    kills = 0
    for victim in env.rng.sample(range(4), 2):
        time.sleep(env.rng.uniform(0.3, 1.5))
        if env.status(job)["state"] == "done":
            sys.exit("crash: the job finished before the kill; the test would prove nothing")
        env.procs[f"w{victim}"].send_signal(signal.SIGKILL)
        env.procs[f"w{victim}"].wait()
        kills += 1
        env.start(f"w{victim}-restarted", config)
    s = env.wait_done(job, 300)
    env.stop_all()
    if s["completed"] != DOCS or s["failed"]:
        sys.exit(f"crash: job counts {s['completed']} completed, {s['failed']} failed: {s['errors']}")
    marks = psql(env.db, f"SELECT count(*), count(DISTINCT doc_id) FROM {env.schema}.marks "
                         f"WHERE job = '{job}'")[0]
    bumps = dict(psql(env.db, f"SELECT doc_id, count(*) FROM {env.schema}.bumps "
                              "WHERE doc_id LIKE 'c%' GROUP BY doc_id"))
    versions = psql(env.db, f"SELECT count(*) FROM {env.schema}.documents WHERE kb = 'crash' "
                            "AND extraction_version = 2")[0][0]
    if marks != [str(DOCS), str(DOCS)] or int(versions) != DOCS:
        sys.exit(f"crash: marks {marks}, documents at version 2: {versions}")
    twice = {d: n for d, n in bumps.items() if n != "1"}
    if len(bumps) != DOCS or twice:
        sys.exit(f"crash: {len(bumps)} documents bumped, {len(twice)} more than once: "
                 f"{list(twice.items())[:5]}")
    rows = {}
    for doc, name in psql(env.db, f"SELECT doc_id, name FROM {env.schema}.entities "
                                  "WHERE doc_id LIKE 'c%' ORDER BY doc_id, name"):
        rows.setdefault(doc, []).append(name)
    wrong = [d for d, t in texts.items()
             if rows.get(d) != sorted(expected_entities("\n\n".join(t)))]
    if wrong:
        sys.exit(f"crash: {len(wrong)} documents without exactly their entities, e.g. {wrong[:3]}")
    rels = psql(env.db, f"SELECT count(*) FROM {env.schema}.relationships WHERE doc_id LIKE 'c%'")
    want_rels = sum(len(expected_entities("\n\n".join(t))) - 1 for t in texts.values())
    if int(rels[0][0]) != want_rels:
        sys.exit(f"crash: {rels[0][0]} relationships, want {want_rels}")
    calls = env.stats(base)["calls"]
    redone = sum(calls.values()) - DOCS
    if len(calls) != DOCS or redone > kills:
        sys.exit(f"crash: {len(calls)} documents called, {redone} calls re-sent (bound {kills}: "
                 "one in-flight document per killed worker)")
    print(f"crash: {kills} workers killed and restarted; {DOCS} documents committed exactly once "
          f"(rows, marks, one version bump each); {redone} LLM calls re-sent (bound {kills})")


def modes(env, base):
    config = env.config("modes", base)
    env.add_docs("modes", {"r1": ["Alice visited Berlin."], "m1": ["Alice visited Berlin."]}, 1)
    s = env.schema
    for doc in ["r1", "m1"]:
        psql(env.db, f"""
            INSERT INTO {s}.entities VALUES ('{doc}', 'general', 'Stale', 'person', 'old'),
              ('{doc}', 'general', 'Alice', 'person', 'old description'),
              ('{doc}', 'medical', 'Flu', 'disease', 'other domain');
            INSERT INTO {s}.relationships VALUES
              ('{doc}', 'general', 'Stale', 'Alice', 'old', 'old', 2);""")
    for doc, mode in [("r1", "replace"), ("m1", "merge")]:
        path = os.path.join(env.tmp, f"{doc}.txt")
        with open(path, "w") as f:
            f.write(doc + "\n")
        job = json.loads(env.run("jobs", "--redis", env.redis, "submit", "reextract", "--config",
                                 config, "--docs", path, "--cleanup-mode", mode, "--json").stdout)
        env.start(f"mode-{mode}", config)
        env.wait_done(job["job"])
        env.stop_all()
    def names(doc, domain="general"):
        return psql(env.db, f"SELECT name, description FROM {s}.entities WHERE doc_id = '{doc}' "
                            f"AND domain = '{domain}' ORDER BY name")
    r, m = names("r1"), names("m1")
    if [n for n, _ in r] != ["Alice", "Berlin"] or dict(r)["Alice"] == "old description":
        sys.exit(f"modes: replace left {r}")
    if [n for n, _ in m] != ["Alice", "Berlin", "Stale"] or dict(m)["Alice"] == "old description":
        sys.exit(f"modes: merge left {m}")
    if names("r1", "medical") != [["Flu", "other domain"]]:
        sys.exit("modes: replace touched another domain's rows")
    rr = psql(env.db, f"SELECT source, target FROM {s}.relationships WHERE doc_id = 'r1'")
    mr = psql(env.db, f"SELECT source, target FROM {s}.relationships WHERE doc_id = 'm1' ORDER BY 1")
    if rr != [["Alice", "Berlin"]] or mr != [["Alice", "Berlin"], ["Stale", "Alice"]]:
        sys.exit(f"modes: relationships replace {rr}, merge {mr}")
    print("modes: replace drops the domain's old rows (others kept), merge upserts and keeps them")


def faults(env, base):
    config = env.config("faults", base)
    docs = {"f-malformed": ["Alpha met Beta. [[malformed]]"],
            "f-badtype": ["Alpha met Beta. [[badtype]]"],
            "f-dangling": ["Alpha met Beta. [[dangling]]"],
            "f-refuse": ["Alpha met Beta. [[refuse]]"],
            "f-flaky": ["Alpha met Beta. [[flaky:2]]"],
            "f-e500": ["Alpha met Beta. [[e500:2]]"],
            "f-ok": ["Alpha met Beta."]}
    env.add_docs("faults", docs)
    env.reset(base)
    job = env.submit(config, "faults", "--all")["job"]
    env.start("faults", config)
    s = env.wait_done(job)
    env.stop_all()
    errors = {e["document"]: e["message"] for e in s["errors"]}
    want = {"f-malformed": "malformed answer", "f-badtype": "schema violation",
            "f-dangling": "names an entity not extracted", "f-refuse": "refused"}
    for doc, text in want.items():
        if text not in errors.get(doc, "") or f"after {ATTEMPTS} answers" not in errors[doc]:
            sys.exit(f"faults: {doc} error {errors.get(doc)!r}, want {text!r} after {ATTEMPTS}")
    if set(errors) != set(want) or s["completed"] != 3 or s["failed"] != 4:
        sys.exit(f"faults: {s['completed']} completed, {s['failed']} failed: {errors}")
    calls = env.stats(base)["calls"]
    for doc in want:
        if calls.get(doc) != ATTEMPTS:
            sys.exit(f"faults: {doc} asked {calls.get(doc)} times, want {ATTEMPTS}")
    if calls.get("f-flaky") != 3 or calls.get("f-e500") != 3:
        sys.exit(f"faults: flaky {calls.get('f-flaky')} and e500 {calls.get('f-e500')} calls")
    # 429s: a server at 20/s, the shared limit at 60/s; every document still completes.
    limited = env.stub("--key", KEY, "--rate", "20", "--burst", "1")
    config = env.config("throttled", limited)
    env.add_docs("throttled", {f"t{i}": [f"Kappa met Lambda {i}."] for i in range(40)})
    env.run("jobs", "--redis", env.redis, "set-rate", "llm", "60", "--burst", "5")
    job = env.submit(config, "throttled", "--all")["job"]
    env.start("throttled", config)
    t = env.wait_done(job)
    env.stop_all()
    env.run("jobs", "--redis", env.redis, "set-rate", "llm", "5000", "--burst", "100")
    throttled = env.stats(limited)["throttled"]
    if t["completed"] != 40 or t["failed"] or throttled == 0:
        sys.exit(f"faults: under 429s {t['completed']} completed, {t['failed']} failed, "
                 f"{throttled} answers were 429")
    # Answers slower than the request timeout: retried, then the document fails with the reason.
    config = env.config("timeouts", base, timeout_s=0.3, call_attempts=2)
    env.add_docs("timeouts", {"slow-1": ["Zeta met Eta. [[slow:1500]]"], "fast-1": ["Zeta met Eta."]})
    env.reset(base)
    job = env.submit(config, "timeouts", "--all")["job"]
    env.start("timeouts", config)
    t = env.wait_done(job)
    env.stop_all()
    slow = [e["message"] for e in t["errors"] if e["document"] == "slow-1"]
    if t["completed"] != 1 or not slow or "Timeout" not in slow[0] or "after 2 attempts" not in slow[0]:
        sys.exit(f"faults: a timed-out document should fail after 2 attempts: {t}")
    print(f"faults: malformed, schema-violating and refused answers failed after {ATTEMPTS} "
          f"answers with their reasons; flaky and 500s recovered; {throttled} 429s absorbed; "
          "timeouts retried, then failed with the reason")


def key(env, base):
    config = env.config("key", base)
    env.add_docs("key", {f"k{i}": [f"Omega met Sigma {i}."] for i in range(5)})
    job = env.submit(config, "key", "--all")["job"]
    env.start("key-wrong", config, key=WRONG_KEY)
    s = env.wait_done(job)
    env.stop_all()
    if s["failed"] != 5 or "401" not in s["errors"][0]["message"]:
        sys.exit(f"key: a rejected key should fail every document with the 401: {s}")
    outputs = [json.dumps(s), env.run("jobs", "--redis", env.redis, "list", "--json").stdout,
               env.run("jobs", "--redis", env.redis, "rate", "llm").stdout]
    redis_dump = subprocess.run(
        ["redis-cli", "-u", os.environ["NIGHTJAR_TEST_REDIS_URL"], "--raw", "LRANGE",
         f"nightjar:{env.ns}:job:{job}:errors", "0", "-1"], capture_output=True, text=True).stdout
    outputs.append(redis_dump)
    for name in os.listdir(env.tmp):
        if name.endswith(".log"):
            outputs.append(open(os.path.join(env.tmp, name), errors="replace").read())
    for secret in (KEY, WRONG_KEY):
        for i, text in enumerate(outputs):
            if secret in text:
                sys.exit(f"key: the API key appears in output {i}")
    if env.stats(base)["unauthorized"] == 0:
        sys.exit("key: the server never saw the wrong key (the test proves nothing)")
    print(f"key: absent from {len(outputs)} outputs (logs, statuses, errors, stats)")


def outdated(env, base):
    config = env.config("outdated", base)
    env.add_docs("ver", {f"v{i}": ["Text."] for i in range(6)}, 0)
    psql(env.db, f"UPDATE {env.schema}.documents SET extraction_version = 2 "
                 "WHERE id IN ('v0', 'v1')")
    psql(env.db, f"UPDATE {env.schema}.documents SET extraction_version = 3 WHERE id = 'v2'")
    o = env.submit(config, "ver", "--outdated")
    a = env.submit(config, "ver", "--all")
    if o["documents"] != 3 or a["documents"] != 6:
        sys.exit(f"outdated: --outdated chose {o['documents']} (want 3), --all {a['documents']}")
    for j in (o, a):
        env.run("jobs", "--redis", env.redis, "cancel", j["job"])
    print("outdated: --outdated selects the 3 documents below version 2; --all all 6")


def fallback(env):
    base = env.stub("--key", KEY, "--no-structured")
    config = env.config("fallback", base)
    env.add_docs("fallback", {f"x{i}": [f"Gamma met Epsilon {i}."] for i in range(10)})
    job = env.submit(config, "fallback", "--all", "--domain", "medical")["job"]
    env.start("fallback", config)
    s = env.wait_done(job)
    env.stop_all()
    st = env.stats(base)
    types = psql(env.db, f"SELECT DISTINCT type FROM {env.schema}.entities WHERE doc_id LIKE 'x%' "
                         "AND domain = 'medical' ORDER BY 1")
    if s["completed"] != 10 or st["text"] != 10 or types != [["disease"], ["drug"]]:
        sys.exit(f"fallback: {s['completed']} completed, {st['text']} text answers, types {types}")
    print("fallback: a server without structured output answered in the delimited form")


def drift(env, base):
    """schema.drift_check: counts per KB, a webhook past the threshold, a reextract job."""
    import http.server
    import threading
    hooks = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            hooks.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = env.config("drift", base)
    env.add_docs("drift-a", {f"da{i}": [f"Mu met Nu {i}."] for i in range(15)})
    env.add_docs("drift-b", {f"db{i}": [f"Xi met Pi {i}."] for i in range(3)})
    kbs = os.path.join(env.tmp, "kbs.txt")
    with open(kbs, "w") as f:
        f.write("drift-a\ndrift-b\n")
    job = json.loads(env.run("jobs", "--redis", env.redis, "submit", "schema.drift_check",
                             "--docs", kbs, "--json").stdout)["job"]
    env.start("drift", config, extra=["-o", "schema_drift.threshold=10", "-o",
                                      f"schema_drift.webhook=http://127.0.0.1:{server.server_port}/hook",
                                      "-o", "schema_drift.submit=true"])
    env.wait_done(job)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the reextract job it submitted, done by the same worker
        left = psql(env.db, f"SELECT count(*) FROM {env.schema}.documents WHERE kb = 'drift-a' "
                            "AND extraction_version < 2")[0][0]
        if left == "0":
            break
        time.sleep(0.2)
    env.stop_all()
    server.shutdown()
    counts = subprocess.run(["redis-cli", "-u", os.environ["NIGHTJAR_TEST_REDIS_URL"], "--raw",
                             "HGETALL", f"nightjar:{env.ns}:schema_drift"],
                            capture_output=True, text=True).stdout.split()
    recorded = dict(zip(counts[0::2], counts[1::2]))
    if recorded != {"drift-a": "15", "drift-b": "3"}:
        sys.exit(f"drift: counts recorded {recorded}")
    if len(hooks) != 1 or hooks[0]["kb"] != "drift-a" or hooks[0]["outdated"] != 15:
        sys.exit(f"drift: the webhook got {hooks}")
    if left != "0" or not hooks[0].get("reextract_job"):
        sys.exit(f"drift: the submitted reextract job left {left} documents outdated")
    print("drift: drift-a (15 outdated) notified by webhook and re-extracted, drift-b (3) under "
          "the threshold only recorded")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("nightjar")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    if not os.environ.get("NIGHTJAR_TEST_REDIS_URL") or not os.environ.get(
            "NIGHTJAR_TEST_DATABASE_URL"):
        print("skipped: needs NIGHTJAR_TEST_REDIS_URL and NIGHTJAR_TEST_DATABASE_URL")
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = Env(args, tmp, random.Random(args.seed))
        try:
            base = env.stub("--key", KEY, "--latency-ms", "2")
            tables(env, base)
            crash(env, base)
            modes(env, base)
            faults(env, base)
            key(env, base)
            outdated(env, base)
            fallback(env)
            drift(env, base)
        except SystemExit:
            for name in sorted(os.listdir(tmp)):
                if name.endswith(".log"):
                    print(f"--- {name}\n" + open(os.path.join(tmp, name)).read()[-3000:])
            raise
        finally:
            env.close()
    print(f"seed {args.seed}")


if __name__ == "__main__":
    main()
