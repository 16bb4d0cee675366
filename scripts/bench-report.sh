#!/bin/sh
# bench-report.sh: time the PDF report on the SIM_STOCK fixture.
#
#   scripts/bench-report.sh [N]     (from a built tree: make tests/bench-report)
#
# Prints the CPU model, then the mean and best milliseconds per report and
# the file size, for Letter and A4. Targets: under 50 ms and 500 KB.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
n=${1:-50}
bench=$top_builddir/tests/bench-report
state=$top_srcdir/tests/fixtures/report/state-sim-stock.json
if [ ! -x "$bench" ]; then
	echo "bench-report.sh: build it first: make tests/bench-report" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "cpu: ${cpu:-unknown} ($(getconf _NPROCESSORS_ONLN) online)"
for paper in letter a4; do
	printf '%-7s ' "$paper:"
	"$bench" -n "$n" -p "$paper" "$state" "$tmp/report-$paper.pdf"
done
