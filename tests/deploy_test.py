#!/usr/bin/env python3
"""The deployment files, structurally (no cluster here; Debian's kubectl is too old to validate
current fields): every Kubernetes manifest parses and carries the fields operations rely on,
each overlay deploys exactly one nightly path with one retrying layer, the config the manifests
mount loads in nightjar itself, the Dockerfile is multi-stage and non-root, and
docker-compose validates the compose file offline.

Usage: deploy_test.py NIGHTJAR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
K8S = os.path.join(ROOT, "deploy", "k8s")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def overlay(path):
    """The objects a kustomization directory deploys (resources, recursively)."""
    with open(os.path.join(path, "kustomization.yaml")) as f:
        k = yaml.safe_load(f)
    objs = []
    for r in k["resources"]:
        full = os.path.normpath(os.path.join(path, r))
        if os.path.isdir(full):
            objs += overlay(full)
        else:
            with open(full) as f:
                objs += [d for d in yaml.safe_load_all(f) if d]
    return objs


def containers(obj):
    spec = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]["containers"], spec["template"]["spec"]


def named(objs, kind, name):
    found = [o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name]
    return found[0] if found else None


def check_sharded(nightjar, argo_path, jobs_path):
    """The two sharded nightly paths: one nightly path each, the count round fanned out before
    the publish round, per-shard retries, the parts volume shared, and their nightjar commands
    accepted by nightjar's own flag parser."""
    for objs, name in ((argo_path, "argo"), (jobs_path, "jobs")):
        check(named(objs, "CronJob", "nightjar-lexicon-refresh") is None
              and named(objs, "Deployment", "nightjar-worker-lexicon") is None,
              f"nightly-sharded-{name} also deploys another nightly path")
        for claim in ("nightjar-parts", "nightjar-shard-state"):
            pvc = named(objs, "PersistentVolumeClaim", claim)
            check(pvc is not None and pvc["spec"]["accessModes"] == ["ReadWriteMany"],
                  f"nightly-sharded-{name}: no ReadWriteMany volume {claim}")
    commands = []
    wf = named(argo_path, "CronWorkflow", "nightjar-sharded-refresh")
    check(wf is not None, "nightly-sharded-argo has no CronWorkflow")
    if wf:
        spec = wf["spec"]["workflowSpec"]
        check(spec.get("securityContext", {}).get("runAsNonRoot") is True,
              "the workflow does not run as non-root")
        t = {x["name"]: x for x in spec["templates"]}
        steps = [s[0]["name"] for s in t[spec["entrypoint"]]["steps"]]
        check(steps == ["count", "phrases", "context", "publish"],
              f"the workflow's rounds are {steps}")
        for step in t[spec["entrypoint"]]["steps"][:3]:
            check("withSequence" in step[0], f"the {step[0]['name']} step is not fanned out")
        for name in ("shard", "publish"):
            check(int(t[name].get("retryStrategy", {}).get("limit", 0)) >= 1,
                  f"the workflow's {name} step does not retry")
        for rnd in ("count", "phrases", "context", "publish"):
            name = "publish" if rnd == "publish" else "shard"
            args = [a.replace("{{workflow.parameters.shards}}", "8")
                     .replace("{{inputs.parameters.shard}}", "3")
                     .replace("{{inputs.parameters.round}}", rnd)
                     .replace("{{workflow.name}}", "nightjar-sharded-refresh-1") for a in
                    t[name]["container"]["args"]]
            commands.append(args)
    cm = named(jobs_path, "ConfigMap", "nightjar-coordinator")
    check(cm is not None and named(jobs_path, "CronJob", "nightjar-sharded-coordinator") is not None,
          "nightly-sharded-jobs has no coordinator")
    if cm:
        fill = lambda k, rnd="": yaml.safe_load(cm["data"][k].replace("@SHARDS@", "8")
                                                .replace("@RUN@", "nightly-20261207")
                                                .replace("@ROUND@", rnd))
        count, publish = fill("shard-job.yaml", "count"), fill("publish-job.yaml")
        cs = count["spec"]
        check(cs.get("completionMode") == "Indexed" and cs.get("completions") == 8
              and cs.get("backoffLimitPerIndex", 0) >= 1
              and cs.get("podReplacementPolicy") == "Failed",
              f"the count Job is not an Indexed Job with per-index retries: {cs}")
        check(publish["spec"].get("backoffLimit", 0) >= 1, "the publish Job does not retry")
        for rnd in ("count", "phrases", "context"):
            shell = fill("shard-job.yaml", rnd)["spec"]["template"]["spec"]["containers"][0]
            commands.append(shell["args"][0].replace("exec nightjar ", "")
                            .replace("${JOB_COMPLETION_INDEX}", "7").split())
        script = cm["data"]["coordinate.sh"]
        check("for round in count phrases context" in script,
              "the coordinator does not run the three shard rounds in order")
        commands.append(publish["spec"]["template"]["spec"]["containers"][0]["args"])
        check("kubectl apply" in script, "the coordinator starts no Jobs")
    # Each command as nightjar parses it: flags, the shard and the round are checked before the
    # corpus and the parts, so a command that gets as far as the missing corpus or the missing
    # parts of this test was accepted.
    with tempfile.TemporaryDirectory() as tmp:
        for args in commands:
            if "publish" not in args:  # every shard round keeps its shard's state
                at = args.index("--state") + 1 if "--state" in args else None
                check(at is not None and args[at].startswith("/state/shard-"),
                      f"the manifest's shard round keeps no state of its shard: {args}")
                if at is not None:
                    args[at] = args[at].replace("/state", f"{tmp}/state", 1)
            args = [a.replace("dir:/parts", f"dir:{tmp}/parts") for a in args]
            r = subprocess.run([nightjar] + args + ["--corpus", f"jsonl:{tmp}/none.jsonl",
                                                    "--store", f"dir:{tmp}/store"],
                               capture_output=True, text=True)
            check(r.returncode != 0 and ("error: corpus:" in r.stderr
                                         or "is missing from dir:" in r.stderr),
                  f"nightjar rejects the manifest's command {args}: {r.stderr.strip()}")


def main():
    nightjar = sys.argv[1]
    base = overlay(os.path.join(K8S, "base"))
    cron_path = overlay(os.path.join(K8S, "nightly-cronjob"))
    queue_path = overlay(os.path.join(K8S, "nightly-queue"))
    argo_path = overlay(os.path.join(K8S, "nightly-sharded-argo"))
    jobs_path = overlay(os.path.join(K8S, "nightly-sharded-jobs"))
    for objs in (base, cron_path, queue_path, argo_path, jobs_path):
        for o in objs:
            check(o.get("apiVersion") and o.get("kind") and o["metadata"].get("name"),
                  f"an object without apiVersion/kind/name: {o}")
            check(o["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") == "nightjar",
                  f"{o['kind']}/{o['metadata']['name']} lacks app.kubernetes.io/part-of=nightjar "
                  "(the label --prune switches nightly paths by)")
            if o["kind"] in ("Deployment", "CronJob", "Job"):
                cs, pod = containers(o)
                check(pod.get("securityContext", {}).get("runAsNonRoot") is True,
                      f"{o['metadata']['name']} does not run as non-root")
    # The CronJob path.
    cj = named(cron_path, "CronJob", "nightjar-lexicon-refresh")
    check(cj is not None, "nightly-cronjob has no CronJob")
    if cj:
        s = cj["spec"]
        check(s["schedule"] == "0 2 * * *", "the CronJob is not at 2 AM")
        check(bool(s.get("timeZone")), "the CronJob has no timeZone")
        check(s.get("concurrencyPolicy") == "Forbid", "the CronJob's concurrencyPolicy is not Forbid")
        check(s.get("startingDeadlineSeconds", 0) > 0, "the CronJob has no startingDeadlineSeconds")
        job = s["jobTemplate"]["spec"]
        check(job.get("backoffLimit", 0) >= 1, "the CronJob does not retry (backoffLimit)")
        check(job.get("activeDeadlineSeconds", 0) > 3600,
              "the CronJob's activeDeadlineSeconds is not above the 1-hour SLA")
        cs, _ = containers(cj)
        lim = cs[0]["resources"]["limits"]
        check(lim == {"cpu": "4", "memory": "8Gi"}, f"the CronJob's limits are {lim}, not 4 CPU/8Gi")
    check(named(cron_path, "Deployment", "nightjar-worker-lexicon") is None,
          "nightly-cronjob also deploys the lexicon worker: two nightly paths")
    # The queue path.
    lw = named(queue_path, "Deployment", "nightjar-worker-lexicon")
    check(lw is not None, "nightly-queue has no lexicon worker")
    check(not [o for o in queue_path if o["kind"] == "CronJob"],
          "nightly-queue also deploys a CronJob: two nightly paths")
    if lw:
        cs, _ = containers(lw)
        check(cs[0]["args"][:3] == ["worker", "-Q", "lexicon"], "the lexicon worker's queue")
        check(cs[0]["resources"]["limits"] == {"cpu": "4", "memory": "8Gi"},
              "the lexicon worker is not sized like the CronJob")
        env = {e["name"]: e.get("value") for e in cs[0].get("env", [])}
        check(env.get("NIGHTJAR_REFRESH_MAX_ATTEMPTS") == "3",
              "the queue path's retrying layer (refresh.max_attempts) is not set")
    sched_jobs = [o for o in queue_path if o["kind"] == "Job"
                  and "lexicon.refresh" in " ".join(containers(o)[0][0]["args"])]
    check(len(sched_jobs) == 1, "nightly-queue does not store the nightly schedule")
    check_sharded(nightjar, argo_path, jobs_path)
    # The base.
    w = named(base, "Deployment", "nightjar-worker-reprocessing")
    check(w is not None, "no re-processing worker")
    if w:
        cs, pod = containers(w)
        check(cs[0]["args"][:5] == ["worker", "-Q", "reprocessing", "-c", "2"],
              f"the re-processing worker's args: {cs[0]['args']}")
        check(cs[0]["resources"]["limits"]["memory"] == "2Gi", "the worker's limit is not 2Gi")
        check(pod.get("terminationGracePeriodSeconds", 0) > 300,
              "the worker's grace period is not longer than the soft time limit (300 s)")
    for name in ("nightjar-scheduler", "nightjar-serve"):
        d = named(base, "Deployment", name)
        check(d is not None, f"no {name} Deployment")
        if d:
            cs, _ = containers(d)
            check("livenessProbe" in cs[0] and "readinessProbe" in cs[0], f"{name} lacks probes")
    cm = named(base, "ConfigMap", "nightjar-config")
    check(cm is not None and named(base, "Secret", "nightjar-secrets") is not None,
          "no ConfigMap or Secret")
    check(any("schema.drift_check" in " ".join(containers(o)[0][0]["args"])
              for o in base if o["kind"] == "Job"), "the base does not schedule the drift check")
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (("configmap", cm["data"]["nightjar.toml"] if cm else ""),
                           ("compose", open(os.path.join(ROOT, "deploy", "nightjar.toml")).read())):
            path = os.path.join(tmp, name + ".toml")
            with open(path, "w") as f:
                f.write(text)
            r = subprocess.run([nightjar, "versions", "list", "--config", path, "--store",
                                f"dir:{tmp}/store-{name}"], capture_output=True, text=True)
            check(r.returncode == 0, f"the {name} config does not load: {r.stderr.strip()}")
            if name == "configmap":
                check(re.search(r"max_attempts = 1", text) is not None,
                      "the CronJob path's config retries inside the run too")
    # Dockerfile and compose.
    docker = open(os.path.join(ROOT, "Dockerfile")).read()
    froms = re.findall(r"^FROM (\S+)", docker, re.M)
    check(len(froms) == 2 and all(f.startswith("debian:12") for f in froms),
          f"the Dockerfile is not a two-stage Debian 12 build: {froms}")
    check(re.search(r"^USER (?!root|0)", docker, re.M) is not None, "the image runs as root")
    compose = os.path.join(ROOT, "deploy", "docker-compose.yml")
    if shutil.which("docker-compose"):
        r = subprocess.run(["docker-compose", "-f", compose, "config", "-q"], capture_output=True,
                           text=True)
        check(r.returncode == 0, f"docker-compose config: {r.stderr.strip()}")
    else:
        check(False, "docker-compose is not installed (scripts/setup installs it)")
    c = yaml.safe_load(open(compose))["services"]
    check(set(c) >= {"redis", "postgres", "worker", "scheduler", "serve"}, f"compose services {set(c)}")
    check(c["worker"]["command"][:5] == ["worker", "-Q", "reprocessing", "-c", "2"]
          and c["worker"].get("mem_limit") == "2g", "the compose worker is not -Q reprocessing -c 2, 2g")
    if failures:
        sys.exit("deploy:\n  " + "\n  ".join(failures))
    print(f"deploy: {len(base)} base objects, the CronJob path and the queue path each with one "
          "nightly path and one retrying layer; configs load; Dockerfile; compose validates")


if __name__ == "__main__":
    main()
