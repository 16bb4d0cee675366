#!/bin/sh
# scripts/bench-lambda.sh: the cold start of 'stockagent lambda' against
# the fake Runtime API (tests/servers/lambda-runtime.js) on 127.0.0.1.
#
#   scripts/bench-lambda.sh [ROUNDS]     (default 20)
#
# Prints, over ROUNDS fresh processes each (min / median / max, ms):
#   reference   'stockagent version': process start to exit, this machine's
#               floor for any command
#   init        process start to the first invocation/next (start-up:
#               settings, the database created under /tmp, libcurl loaded)
#   cold        process start to the first answer received by the Runtime
#               API, /tmp empty (no database): what Lambda's Init plus the
#               first invocation cost here
#   warm db     the same with the database of an earlier process there
#   next        a second invocation in the same process: hand-out to
#               answer (the child process, the run, the answer)
#   package     cold, through the unpacked 'make lambda-zip' package
#               (bootstrap, the packaged loader and libraries), when
#               stockagent-lambda.zip is there
# The event is {"symbol": "SIM_STOCK"} with the built-in policy and no PDF.
set -eu
cd "$(dirname "$0")/.."
bin=$(pwd)/${STOCKAGENT:-stockagent}
[ -x "$bin" ] || bin=${STOCKAGENT:-./stockagent}
rounds=${1:-20}
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
command -v node >/dev/null 2>&1 || { echo "bench-lambda.sh: node is missing" >&2; exit 1; }
t=$(mktemp -d "${TMPDIR:-/tmp}/bench-lambda.XXXXXX")
trap 'rm -rf "$t"' EXIT
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "machine: ${cpu:-unknown CPU}, $(nproc) cores"
echo "binary:  $($bin version | head -1)"
exec $py - "$bin" "$rounds" "$t" "$(pwd)" <<'PY'
import json, os, statistics, subprocess, sys, time, zipfile
bin, rounds, tmp, top = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
fake = os.path.join(top, "tests/servers/lambda-runtime.js")
event = {"symbol": "SIM_STOCK", "as_of": "2025-09-05"}

def runtime(n, log):
    ev = os.path.join(tmp, "events.json")
    json.dump([{"event": event}] * n, open(ev, "w"))
    open(log, "w").close()
    p = subprocess.Popen(["node", fake, "--events", ev, "--log", log],
                         stdout=subprocess.PIPE, text=True)
    return p, int(p.stdout.readline())

def answers(log):
    recs = [json.loads(l) for l in open(log)]
    return ([r["t"] for r in recs if r["type"] == "next" and r["id"]],
            [r["t"] for r in recs if r["type"] in ("response", "error")])

def once(cmd, env, n, keep_db):
    log = os.path.join(tmp, "rt.log")
    db = os.path.join(tmp, "db")
    if not keep_db:
        subprocess.run(["rm", "-rf", db])
    rt, port = runtime(n, log)
    env = dict(env, AWS_LAMBDA_RUNTIME_API="127.0.0.1:%d" % port,
               STOCKAGENT_DB=os.path.join(db, "stockagent.db"),
               STOCKAGENT_NO_PDF="1", HOME=tmp, XDG_CONFIG_HOME=tmp)
    t0 = time.time() * 1000
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120)
    rt.kill()
    rt.wait()
    nexts, done = answers(log)
    if len(done) != n:
        sys.exit("bench-lambda.sh: %d of %d events answered" % (len(done), n))
    return t0, nexts, done

def show(name, xs):
    xs = sorted(xs)
    print("%-10s min %7.1f  median %7.1f  max %7.1f ms  (%d rounds)" %
          (name, xs[0], statistics.median(xs), xs[-1], len(xs)))

env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
ref = []
for _ in range(rounds):
    t0 = time.time()
    subprocess.run([bin, "version"], stdout=subprocess.DEVNULL, env=env)
    ref.append((time.time() - t0) * 1000)
show("reference", ref)
cold, init = [], []
for _ in range(rounds):
    t0, nexts, done = once([bin, "lambda"], env, 1, False)
    cold.append(done[0] - t0)
    init.append(nexts[0] - t0)
show("init", init)
show("cold", cold)
warm = []
for _ in range(rounds):
    t0, _, done = once([bin, "lambda"], env, 1, True)
    warm.append(done[0] - t0)
show("warm db", warm)
nxt = []
for _ in range(rounds):
    _, nexts, done = once([bin, "lambda"], env, 2, True)
    nxt.append(done[1] - nexts[1])
show("next", nxt)
zpath = os.path.join(top, "stockagent-lambda.zip")
if os.path.exists(zpath):
    task = os.path.join(tmp, "task")
    z = zipfile.ZipFile(zpath)
    for i in z.infolist():
        p = z.extract(i, task)
        os.chmod(p, i.external_attr >> 16 & 0o777)
    pkg = []
    penv = dict(env, LAMBDA_TASK_ROOT=task)
    for _ in range(rounds):
        t0, _, done = once([os.path.join(task, "bootstrap")], penv, 1, False)
        pkg.append(done[0] - t0)
    show("package", pkg)
else:
    print("package    (no stockagent-lambda.zip: run 'make lambda-zip')")
PY
