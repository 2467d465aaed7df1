#!/usr/bin/env python3
"""`nightjar refresh` from a real PostgreSQL table, end to end, against a full JSONL refresh.

Nights of inserts, updates, soft deletes (a flag) and hard deletes (a trigger fills a table of
deleted ids) are refreshed incrementally with a state. After each night the published lexicons
must equal, byte for byte with version names and timestamps removed, a stateless refresh of a
JSONL export of the same final rows. Along the way:
  - a writer inserts and updates rows while a refresh reads the table; the next night catches up;
  - the server is restarted (pg_ctl restart -m fast) in the middle of a read, through a view
    that slows each page down so that the restart lands while the refresh reads;
  - refreshes are SIGKILLed at random points and resumed: each must publish what an
    uninterrupted run from the same state publishes.

Usage: postgres_refresh_test.py NIGHTJAR [--trials N] [--docs N]
Needs NIGHTJAR_TEST_DATABASE_URL (and NIGHTJAR_TEST_PG_CTL for the restart), as scripts/test
sets them.
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
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from refresh_testlib import body, published  # noqa: E402


SCHEMA = """
CREATE TABLE documents (id text PRIMARY KEY, title text, body text,
                        modified_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                        deleted boolean NOT NULL DEFAULT false);
CREATE INDEX documents_keyset ON documents (modified_at, id);
CREATE TABLE deleted_documents (id text PRIMARY KEY, deleted_at timestamptz NOT NULL);
CREATE INDEX deleted_keyset ON deleted_documents (deleted_at, id);
CREATE FUNCTION touch() RETURNS trigger AS $$
BEGIN NEW.modified_at := clock_timestamp(); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER touch BEFORE UPDATE ON documents FOR EACH ROW EXECUTE FUNCTION touch();
CREATE FUNCTION remember_delete() RETURNS trigger AS $$
BEGIN
  INSERT INTO deleted_documents VALUES (OLD.id, clock_timestamp())
    ON CONFLICT (id) DO UPDATE SET deleted_at = EXCLUDED.deleted_at;
  RETURN OLD;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER remember_delete AFTER DELETE ON documents FOR EACH ROW
  EXECUTE FUNCTION remember_delete();
-- The same rows, each one's body slowed down: a refresh through it reads for seconds (and its
-- max(modified_at) at the start, which reads no body, is not slowed).
CREATE FUNCTION slow(t text) RETURNS text AS $$
BEGIN PERFORM pg_sleep(0.002); RETURN t; END $$ LANGUAGE plpgsql STABLE;
CREATE VIEW slow_documents AS
  SELECT id, title, slow(body) AS body, modified_at, deleted FROM documents;
"""


class Db:
    def __init__(self, server):
        self.name = f"nj_refresh_{os.getpid()}"
        self.server = server
        self.uri = server[:server.rfind("/") + 1] + self.name
        self.psql(f"DROP DATABASE IF EXISTS {self.name}", server)
        self.psql(f"CREATE DATABASE {self.name}", server)
        self.psql(SCHEMA)

    def psql(self, sql, uri=None):
        p = subprocess.run(["psql", uri or self.uri, "-v", "ON_ERROR_STOP=1", "-q", "-At"],
                           input=sql.encode(), capture_output=True)
        if p.returncode != 0:
            sys.exit(f"psql failed: {p.stderr.decode()[-2000:]}")
        return p.stdout.decode()

    def drop(self):
        self.psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)", self.server)

    def export_jsonl(self, path):
        rows = self.psql("SELECT json_build_object('id', id, 'title', title, 'body', body, "
                         "'deleted', deleted)::text FROM documents ORDER BY id")
        with open(path, "w") as f:
            f.write(rows)


def quote(s):
    return "'" + s.replace("'", "''") + "'"


def insert(db, rng, ids, age_s=0):
    """Inserts (or rewrites) rows, modified `age_s` seconds ago (0: now, by the default)."""
    when = f"now() - interval '{age_s} seconds'" if age_s else "clock_timestamp()"
    values = ",".join(f"({quote(i)}, {quote(body(rng)[:30])}, {quote(body(rng))}, {when})"
                      for i in ids)
    db.psql(f"INSERT INTO documents (id, title, body, modified_at) VALUES {values} "
            "ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, "
            "deleted = false")


def night(db, rng, live, n_new, tag):
    """Updates, soft-deletes and hard-deletes some live rows and inserts new ones."""
    sample = rng.sample(sorted(live), len(live) // 10)
    k = len(sample) // 4
    updates, soft, hard = sample[:2 * k], sample[2 * k:3 * k], sample[3 * k:]
    sql = [f"UPDATE documents SET body = {quote(body(rng))} WHERE id = {quote(i)};" for i in updates]
    sql.append(f"UPDATE documents SET deleted = true WHERE id IN ({','.join(map(quote, soft))});")
    sql.append(f"DELETE FROM documents WHERE id IN ({','.join(map(quote, hard))});")
    db.psql("\n".join(sql))
    new = [f"{tag}-{i}" for i in range(n_new)]
    insert(db, rng, new)
    live -= set(soft) | set(hard)
    live |= set(new)


def command(nightjar, db, work, table="documents", extra=()):
    uri = f"{db.uri}?table={table}&deletes=deleted_documents&batch=97&overlap_s=2"
    return [nightjar, "refresh", "--corpus", uri, "--store", "dir:" + work + "/store",
            "--state", work + "/state", "--rejects-dir", "", "--threads", "2", "--quiet",
            "--json", "--set", "state.checkpoint_docs=150", "--set", "validation.size_band=false",
            "--set", "validation.top_overlap=false", *extra]


def stateless(nightjar, corpus, work):
    return [nightjar, "refresh", "--corpus", "jsonl:" + corpus, "--store", "dir:" + work,
            "--rejects-dir", "", "--threads", "2", "--quiet", "--json", "--set",
            "validation.size_band=false", "--set", "validation.top_overlap=false"]



def run(cmd):
    p = subprocess.run(cmd, capture_output=True)
    if p.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)} exited {p.returncode}: {p.stderr.decode()[-2000:]}")
    return json.loads(p.stdout.decode())


def check_equal(nightjar, db, work, tmp, label):
    """The stateful store's lexicons against a stateless refresh of the exported rows."""
    corpus = f"{tmp}/export-{label}.jsonl"
    db.export_jsonl(corpus)
    ref = f"{tmp}/ref-{label}"
    run(stateless(nightjar, corpus, ref))
    got, want = published(work + "/store"), published(ref)
    if got != want:
        differing = [n for n in sorted(set(got) | set(want)) if got.get(n) != want.get(n)]
        sys.exit(f"{label}: lexicons differ from the JSONL refresh of the same rows: {differing}")
    shutil.rmtree(ref)
    print(f"{label}: equal to the JSONL refresh of the final rows")


def concurrent_writes(nightjar, db, rng, work, live, tmp):
    """A writer inserts and updates while the refresh reads; the next night catches up."""
    stop = threading.Event()
    written = []

    def writer():
        wrng = random.Random(rng.random())
        n = 0
        while not stop.is_set() or n < 3:
            ids = [f"w{n}-{i}" for i in range(20)]
            insert(db, wrng, ids)
            victim = wrng.choice(sorted(live))
            db.psql(f"UPDATE documents SET body = {quote(body(wrng))} WHERE id = {quote(victim)}")
            written.extend(ids)
            n += 1
    t = threading.Thread(target=writer)
    t.start()
    try:
        summary = run(command(nightjar, db, work))
    finally:
        stop.set()
        t.join()
    live |= set(written)
    print(f"night with writes: {summary['incremental']['seen']} rows seen while "
          f"{len(written)} were written")
    summary = run(command(nightjar, db, work))
    check_equal(nightjar, db, work, tmp, "after the writes")


def restart_mid_read(nightjar, db, work, tmp):
    ctl = os.environ.get("NIGHTJAR_TEST_PG_CTL")
    if not ctl:
        print("restart: skipped (NIGHTJAR_TEST_PG_CTL unset)")
        return
    p = subprocess.Popen(command(nightjar, db, work, "slow_documents", ["--full"]),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.0)
    if p.poll() is not None:
        sys.exit("restart: the slowed refresh ended before the restart; slow the view down")
    # The restarted server must not hold this script's pipes: its output goes nowhere.
    if subprocess.run(f"{ctl} restart -m fast", shell=True, stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode:
        sys.exit("restart: pg_ctl restart failed")
    out, err = p.communicate()
    if p.returncode != 0:
        sys.exit(f"restart: the refresh failed: {err.decode()[-2000:]}")
    retries = json.loads(out.decode())["source_retries"]
    if retries < 1:
        sys.exit("restart: the refresh reports no retry, so the restart did not hit it")
    print(f"restart in the middle of a read: recovered after {retries} retries")
    check_equal(nightjar, db, work, tmp, "after the restart")


def kill_trials(nightjar, db, rng, work, live, tmp, trials):
    night(db, rng, live, 60, "k")
    ref = f"{tmp}/kill-ref"
    shutil.copytree(work, ref)
    t0 = time.monotonic()
    run(command(nightjar, db, ref))
    seconds = time.monotonic() - t0
    want = published(ref + "/store")
    landed = 0
    for trial in range(trials):
        trial_work = f"{tmp}/kill-{trial}"
        shutil.copytree(work, trial_work)
        delay = rng.uniform(0, 1.2 * seconds)
        p = subprocess.Popen(command(nightjar, db, trial_work), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if p.poll() is None:
            landed += 1
            p.send_signal(signal.SIGKILL)
        p.wait()
        run(command(nightjar, db, trial_work))
        if published(trial_work + "/store") != want:
            sys.exit(f"kill trial {trial} (after {delay:.3f}s): differs from the uninterrupted run")
        shutil.rmtree(trial_work)
    print(f"{trials} kill trials, {landed} landed while running: every resumed run equal")
    if landed == 0:
        sys.exit("no kill landed while the refresh ran: the test proved nothing")
    shutil.rmtree(work)
    shutil.copytree(ref, work)
    check_equal(nightjar, db, work, tmp, "after the kills")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("nightjar")
    ap.add_argument("--trials", type=int, default=6)
    ap.add_argument("--docs", type=int, default=1500)
    args = ap.parse_args()
    server = os.environ.get("NIGHTJAR_TEST_DATABASE_URL")
    if not server:
        print("skipped: no PostgreSQL server (NIGHTJAR_TEST_DATABASE_URL)")
        return
    rng = random.Random(2026)
    db = Db(server)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = tmp + "/work"
            live = {f"d{i}" for i in range(args.docs)}
            insert(db, rng, sorted(live), age_s=86400)  # yesterday: later nights skip them
            run(command(args.nightjar, db, work))
            check_equal(args.nightjar, db, work, tmp, "night 1")
            for n in (2, 3):
                night(db, rng, live, args.docs // 20, f"n{n}")
                summary = run(command(args.nightjar, db, work))
                inc = summary["incremental"]
                print(f"night {n}: {inc['seen']} rows seen, {inc['added']} added, "
                      f"{inc['modified']} modified, {inc['deleted']} deleted")
                check_equal(args.nightjar, db, work, tmp, f"night {n}")
            concurrent_writes(args.nightjar, db, rng, work, live, tmp)
            restart_mid_read(args.nightjar, db, work, tmp)
            kill_trials(args.nightjar, db, rng, work, live, tmp, args.trials)
    finally:
        db.drop()


if __name__ == "__main__":
    main()
