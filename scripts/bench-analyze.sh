#!/bin/sh
# scripts/bench-analyze.sh: analyses per second with the built-in policy,
# checkpoints on (one SQLite database, WAL), PDF off.
#
#   scripts/bench-analyze.sh [N_SYNTHETIC]     (default 1000)
#
# Times (1) every symbol of the simulated universe, five rounds, and (2) N
# synthetic SIM_BENCH_* companies cloned from the universe's profiles, each
# run a separate process as a user or cron would start it; then (3) the
# same N analyses in one process (tests/bench-analyze), which is the
# analysis itself without process start-up. Prints the machine's CPU and
# core count with the figures. Target: < 20 ms per analysis.
set -eu
cd "$(dirname "$0")/.."
bin=${STOCKAGENT:-./stockagent}
n=${1:-1000}
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
export STOCKAGENT_DB="$t/bench.db" HOME="$t" XDG_CONFIG_HOME="$t/c"

now() { date +%s.%N; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "machine: ${cpu:-unknown CPU}, $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "binary:  $($bin version | head -1)"

syms=$($bin data symbols | awk '{print $1}')
count=0
t0=$(now)
for round in 1 2 3 4 5; do
	for s in $syms; do
		$bin analyze "$s" --as-of 2025-09-04 --no-pdf --format json >/dev/null
		count=$((count + 1))
	done
done
t1=$(now)
awk -v c=$count -v a="$t0" -v b="$t1" 'BEGIN {
	printf "universe: %d analyses in %.2f s: %.1f ms each, %.1f analyses/s\n",
	    c, b - a, (b - a) * 1000 / c, c / (b - a) }'

# A universe of N synthetic companies, cloned from the real profiles.
src=data/sim-universe.json
$py scripts/sim-universe.py "$src" "$t/sim-universe.json" "$n"
export STOCKAGENT_DATA_DIR="$t"
i=0
t0=$(now)
while [ $i -lt "$n" ]; do
	$bin analyze "$(printf 'SIM_BENCH_%04d' $i)" --as-of 2025-09-04 --no-pdf \
		--format json >/dev/null
	i=$((i + 1))
done
t1=$(now)
awk -v c="$n" -v a="$t0" -v b="$t1" 'BEGIN {
	printf "synthetic: %d analyses in %.2f s: %.1f ms each, %.1f analyses/s\n",
	    c, b - a, (b - a) * 1000 / c, c / (b - a) }'
echo "database: $(du -k "$STOCKAGENT_DB" | cut -f1) KiB for $((count + n)) runs"

# The same analyses in one process (what a batch run pays per analysis):
# the difference is the cost of starting a process.
inproc=${top_builddir:-.}/tests/bench-analyze
if [ -x "$inproc" ]; then
	rm -f "$t/inproc.db"*
	# shellcheck disable=SC2046
	"$inproc" "$t/inproc.db" "$n" $(i=0; while [ $i -lt "$n" ]; do
		printf 'SIM_BENCH_%04d ' $i; i=$((i + 1)); done)
	echo "database: $(du -k "$t/inproc.db" | cut -f1) KiB for $n runs (in-process)"
else
	echo "in-process: build it first: make tests/bench-analyze"
fi
