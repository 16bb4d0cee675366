#!/bin/sh
# scripts/bench-batch.sh: a batch of N simulated symbols with PDFs and
# checkpoints, in one process on the machine's cores, beside the machine's
# own single-analysis time measured in the same run.
#
#   scripts/bench-batch.sh [N] [JOBS]     (default 1000 symbols, nproc jobs)
#
# The N synthetic SIM_BENCH_* companies are cloned from the simulated
# universe's profiles (as scripts/bench-analyze.sh does). Printed: the
# machine (CPU, nproc, load average before and after: the machine may be
# shared), one `stockagent analyze` with its PDF as a process (median of
# five), the batch's wall and CPU time, its rate, and the PDF's share
# (the same batch with --no-pdf). Target: 1,000 symbols in < 30 s on 2
# cores. On a shared machine (load average above nproc) the wall time
# measures the neighbours; CPU / nproc is what the batch needs of the
# machine.
set -eu
cd "$(dirname "$0")/.."
bin=${STOCKAGENT:-./stockagent}
n=${1:-1000}
jobs=${2:-$(nproc)}
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
export HOME="$t" XDG_CONFIG_HOME="$t/c" XDG_DATA_HOME="$t/d"
unset STOCKAGENT_DB STOCKAGENT_MODEL STOCKAGENT_NO_PDF

now() { date +%s.%N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "machine: ${cpu:-unknown CPU}, nproc $(nproc), load average $(load)"
echo "binary:  $($bin version | head -1)"

# The machine's single analysis with its PDF, as a process: median of 5.
for i in 1 2 3 4 5; do
	a=$(now)
	STOCKAGENT_DB="$t/one.db" $bin analyze SIM_STOCK --as-of 2025-09-04 \
		--out "$t/one" --format json >/dev/null
	b=$(now)
	echo "$a $b"
done | awk '{ print ($2 - $1) * 1000 }' | sort -n | sed -n 3p >"$t/single"
echo "single analysis with PDF (process, median of 5): $(printf '%.1f' "$(cat "$t/single")") ms"

$py scripts/sim-universe.py data/sim-universe.json "$t/sim-universe.json" "$n"
cp data/model-prices.json data/output.schema.json "$t/"
export STOCKAGENT_DATA_DIR="$t"
i=0
while [ $i -lt "$n" ]; do printf 'SIM_BENCH_%04d\n' $i; i=$((i + 1)); done >"$t/wl"

# run NAME FLAGS...: one batch of the watchlist, timed (wall and CPU).
run() {
	name=$1
	shift
	a=$(now)
	STOCKAGENT_DB="$t/$name.db" /usr/bin/time -f '%U %S' -o "$t/$name.cpu" \
		$bin batch --watchlist "$t/wl" --as-of 2025-09-04 --jobs "$jobs" \
		--out "$t/$name" --format json "$@" >"$t/$name.json"
	b=$(now)
	awk -v n="$n" -v a="$a" -v b="$b" -v name="$name" -v j="$jobs" \
	    -v cores="$(nproc)" -v single="$(cat "$t/single")" '
	    { cpu = $1 + $2 }
	    END { w = b - a
		printf "%s: %d symbols on %d jobs in %.2f s wall (%.1f ms each, %.0f/s), %.1fx faster than %d single processes\n",
		    name, n, j, w, w * 1000 / n, n / w, single * n / 1000 / w, n
		printf "  CPU %.2f s (%.1f ms a symbol); CPU / nproc = %.1f s, the least wall time on these cores\n",
		    cpu, cpu * 1000 / n, cpu / cores }' "$t/$name.cpu"
}
run batch
echo "  PDFs written: $(find "$t/batch" -name '*_Stock_Report_*.pdf' | wc -l), $(du -sk "$t/batch" | cut -f1) KiB; summary $(ls "$t/batch/batches/" | tr '\n' ' ')"
run batch-no-pdf --no-pdf
echo "load average after: $(load)"
