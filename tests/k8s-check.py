#!/usr/bin/env python3
"""k8s-check.py SCHEMA MANIFEST...: validates Kubernetes manifests.

Each document is checked against the definition of its kind in SCHEMA (a
committed subset of the Kubernetes OpenAPI definitions, see
tests/fixtures/k8s/schema.json), then against the rules the API server
adds beyond the schema for the fields used, and the ones stockagent's
batch needs: an Indexed Job whose backoffLimitPerIndex needs restartPolicy
Never, STOCKAGENT_SHARDS equal to completions, parallelism at most the
completions, concurrencyPolicy Forbid, a service account and a ConfigMap
that exist among the manifests, volume mounts naming volumes. Prints one
line per problem and exits 1 if any.
"""
import json
import re
import sys

import jsonschema
import yaml


def env_of(container):
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def check_cronjob(doc, names, err):
    spec = doc["spec"]
    if len(spec["schedule"].split()) != 5:
        err("schedule %r is not five cron fields" % spec["schedule"])
    if spec.get("concurrencyPolicy") != "Forbid":
        err("concurrencyPolicy must be Forbid (one batch at a time)")
    job = spec["jobTemplate"]["spec"]
    pod = job["template"]["spec"]
    indexed = job.get("completionMode") == "Indexed"
    if "backoffLimitPerIndex" in job:
        if not indexed:
            err("backoffLimitPerIndex needs completionMode Indexed")
        if pod.get("restartPolicy") != "Never":
            err("backoffLimitPerIndex needs restartPolicy Never")
    if pod.get("restartPolicy", "Always") == "Always":
        err("a Job's pods need restartPolicy Never or OnFailure")
    if job.get("parallelism", 1) > job.get("completions", 1):
        err("parallelism above completions")
    sa = pod.get("serviceAccountName")
    if sa not in names.get("ServiceAccount", {}):
        err("service account %r is not among the manifests" % sa)
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    for v in vols.values():
        cm = v.get("configMap", {}).get("name")
        if cm is not None and cm not in names.get("ConfigMap", {}):
            err("ConfigMap %r is not among the manifests" % cm)
    for c in pod["containers"]:
        for m in c.get("volumeMounts", []):
            if m["name"] not in vols:
                err("mount %r names no volume" % m["name"])
        env = env_of(c)
        args = " ".join(c.get("args", []) + c.get("command", []))
        if "--shard" in args:
            if not indexed:
                err("--shard auto needs completionMode Indexed")
            if env.get("STOCKAGENT_SHARDS") != str(job.get("completions")):
                err("STOCKAGENT_SHARDS %r is not completions %r" % (
                    env.get("STOCKAGENT_SHARDS"), job.get("completions")))
        if "batch" in args and not env.get("STOCKAGENT_S3", "").startswith("s3://"):
            err("STOCKAGENT_S3 must name the bucket the shards share")
        m = re.search(r"--watchlist\s+(\S+)", args)
        if m:
            mounts = [x["mountPath"] for x in c.get("volumeMounts", [])]
            if not any(m.group(1).startswith(p.rstrip("/") + "/") for p in mounts):
                err("watchlist %s is on no mounted volume" % m.group(1))


def main():
    schema = json.load(open(sys.argv[1]))
    docs, bad = [], 0
    for path in sys.argv[2:]:
        for doc in yaml.safe_load_all(open(path)):
            if doc is not None:
                docs.append((path, doc))
    names = {}
    for path, doc in docs:
        names.setdefault(doc.get("kind"), {})[
            doc.get("metadata", {}).get("name")] = doc
    for path, doc in docs:
        kind = doc.get("kind")

        def err(msg):
            nonlocal bad
            bad += 1
            print("%s: %s %s: %s" % (path, kind,
                  doc.get("metadata", {}).get("name"), msg))

        if kind not in schema["kinds"]:
            err("kind not in the schema subset")
            continue
        sub = dict(schema)
        sub["$ref"] = "#/definitions/" + schema["kinds"][kind]
        v = jsonschema.Draft7Validator(sub)
        for e in sorted(v.iter_errors(doc), key=lambda e: list(e.path)):
            err("/".join(str(p) for p in e.path) + ": " + e.message)
        if kind == "CronJob" and not bad:
            check_cronjob(doc, names, err)
    sys.exit(1 if bad else 0)


main()
