#!/bin/sh
# scripts/bench-serve.sh: 'stockagent serve' under load, on 127.0.0.1.
#
#   scripts/bench-serve.sh [SECONDS]     (default 5 per measurement)
#
# With wrk (scripts/setup installs it): GET /ping at 8 connections, then
# POST /invocations (built-in model, pdf false) at 2 and at 8 connections
# with 2 workers; requests per second and p50/p99 latency for each. Then
# checks that every invocation the server accepted was recorded exactly
# once and answered (the access log against the runs table), and prints
# the in-process analysis time (tests/bench-analyze) measured in the same
# run beside the per-request time at concurrency 2.
# Targets on a 2-core machine: /ping >= 20,000 requests/s; /invocations at
# concurrency 2 within 1.5x of the in-process time per analysis.
set -eu
cd "$(dirname "$0")/.."
bin=${STOCKAGENT:-./stockagent}
secs=${1:-5}
command -v wrk >/dev/null 2>&1 || {
	echo "bench-serve.sh: wrk is missing (apt-get install wrk)" >&2
	exit 2
}
[ -x tests/bench-analyze ] || make -s tests/bench-analyze
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
t=$(mktemp -d)
spid=
cleanup() {
	[ -n "$spid" ] && kill -TERM "$spid" 2>/dev/null && wait "$spid" || true
	rm -rf "$t"
}
trap cleanup EXIT
export HOME="$t" XDG_CONFIG_HOME="$t/c" XDG_DATA_HOME="$t/d"
db=$t/bench.db

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "machine: ${cpu:-unknown CPU}, $(nproc) cores; wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"

"$bin" --db "$db" serve --host 127.0.0.1 --port 0 --workers 2 \
	>/dev/null 2>"$t/serve.log" &
spid=$!
i=0
port=
while [ -z "$port" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
	port=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$t/serve.log")
done
[ -n "$port" ] || { echo "bench-serve.sh: serve did not start" >&2; exit 1; }
u=http://127.0.0.1:$port

cat >"$t/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"symbol": "SIM_STOCK", "as_of": "2025-09-04", "pdf": false}'
wrk.headers["Content-Type"] = "application/json"
EOF

# measure NAME CONNECTIONS URL [wrk args]: one line of figures. wrk runs
# one thread for 2 connections: on 2 cores a second would take a core from
# the server.
measure() {
	name=$1 c=$2 url=$3
	shift 3
	wrk -t$((c > 2 ? 2 : 1)) -c"$c" -d"${secs}s" --latency "$@" "$url" >"$t/wrk.out"
	awk -v n="$name" -v c="$c" '
	/Requests\/sec/ { rps = $2 }
	/^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
	/Non-2xx/ { non2xx = $NF }
	/requests in/ { total = $1 }
	END { printf "%-22s c=%d  %9.0f req/s  p50 %8s  p99 %8s  (%d requests, %d non-2xx)\n",
	    n, c, rps, p50, p99, total, non2xx }' "$t/wrk.out" | tee -a "$t/figures"
}

measure "GET /ping" 8 "$u/ping"
measure "POST /invocations" 2 "$u/invocations" -s "$t/post.lua"
measure "POST /invocations" 8 "$u/invocations" -s "$t/post.lua"
sleep 1

# Every accepted invocation recorded once and answered.
$py - "$t/serve.log" "$db" <<'EOF'
import json, sqlite3, sys
log = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
inv = [l for l in log if l.get("path") == "/invocations"]
answered = [l["run"] for l in inv if l.get("run")]
db = sqlite3.connect(sys.argv[2])
runs = dict(db.execute("select thread_id, status from runs where kind = 'serve'"))
dup = len(answered) - len(set(answered))
missing = set(answered) ^ set(runs)
notdone = [k for k, v in runs.items() if v != "done"]
refused = sum(1 for l in inv if l["status"] == 503)
print(f"invocations: {len(inv)} accepted and logged, {len(runs)} runs recorded, "
      f"{dup} logged twice, {len(missing)} without a log line or a run, "
      f"{len(notdone)} not done, {refused} refused (503)")
sys.exit(1 if dup or missing or notdone else 0)
EOF

# The analysis itself in one process, same database kind, same request.
tests/bench-analyze "$t/inproc.db" 200 SIM_STOCK 2>"$t/inproc" >/dev/null
cat "$t/inproc"
$py - "$t/figures" "$t/inproc" <<'EOF'
import re, sys
fig = open(sys.argv[1]).read().splitlines()
ms = float(re.search(r"([0-9.]+) ms each", open(sys.argv[2]).read()).group(1))
ping = float(fig[0].split()[3])
inv2 = float(fig[1].split()[3])
per = 2 * 1000 / inv2  # mean ms a request takes, 2 at a time
print(f"/ping: {ping:.0f} req/s (target >= 20000: {'met' if ping >= 20000 else 'NOT met'})")
print(f"/invocations at c=2: {per:.2f} ms per request vs {ms:.2f} ms in-process: "
      f"{per / ms:.2f}x (target <= 1.5x: {'met' if per <= 1.5 * ms else 'NOT met'})")
EOF
