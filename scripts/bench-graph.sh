#!/bin/sh
# scripts/bench-graph.sh: the graph and its checkpoints alone: a no-op
# three-node graph run N times with checkpoints (tests/bench-graph), a
# year of prices in its state, then a resume checked against the run.
#
#   scripts/bench-graph.sh [N]     (default 2000; make tests/bench-graph)
#
# Prints the machine (CPU, nproc, load average: the machine may be
# shared) with the CPU time per run (the median of five rounds, its user
# and system parts, the range of the rounds) and the wall time; then, as
# the machine's own reference measured the same way on the same disk, the
# floor under any run: four SQLite transactions of one small row each.
# Target: <= 0.3 ms CPU per run with the prices.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
n=${1:-2000}
bench=$top_builddir/tests/bench-graph
if [ ! -x "$bench" ]; then
	echo "bench-graph.sh: build it first: make tests/bench-graph" >&2
	exit 1
fi
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT INT TERM
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "machine: ${cpu:-unknown CPU}, nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" "$t/graph.db" "$n"
"$bench" "$t/graph0.db" "$n" 0
