#!/bin/sh
# bench-engine.sh [--quick] [THREADS]: speed of the engine in both
# precisions on synthetic models with the real gpt-oss-20b shapes (hidden
# 2880, 32 experts, top-4, vocabulary 201088), random weights generated on
# the fly into a temporary directory (~2.9 GB + 0.45 GB per layer; one
# model on disk at a time).
#
# Each figure comes from `stockagent model bench`, which measures the
# machine's copy bandwidth in the same run and prints decode as a share of
# the bandwidth floor (bytes read per token over that bandwidth). Exact and
# fast runs alternate, so both see the same machine, and the medians of
# the rounds are printed with the load average before each run: on a
# shared machine the fast/exact ratio is the figure to trust.
#
#   2 and 4 layers: prefill of 256 tokens and 32 decode steps, 3 rounds
#   2 layers: prefill of 512 and 2,048 tokens; the time to the first token
#             of a second call of 128 tokens on the kept KV cache
#   24 layers: decode, resident memory after load (fast must fit 16 GiB)
#
# --quick: 2 layers only, one round, prefill of 512, the second call.
# Not a timed test: it prints figures. THREADS defaults to 2.
set -eu
cd "$(dirname "$0")/.."
quick=0
if [ "${1:-}" = "--quick" ]; then
	quick=1
	shift
fi
threads=${1:-2}
PY=""
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 &&
	    "$p" -c 'import numpy' >/dev/null 2>&1; then PY=$p; break; fi
done
[ -n "$PY" ] || { echo "bench-engine: needs python3 with numpy" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$dir/out
: >"$dir/rows"

load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime; }

# gen LAYERS: the model in $dir/m (the previous one removed).
gen() {
	rm -rf "$dir/m"
	"$PY" scripts/gen-tiny-gptoss.py "$dir/m" --preset 20b --layers "$1" \
	    >/dev/null
}

# run LABEL PRECISION ARGS...: one model bench, its lines kept in $out.
run() {
	label=$1 prec=$2
	shift 2
	echo "== $label, $prec (load average $(load))"
	./stockagent model bench --model "local:$dir/m" --threads "$threads" \
	    --precision "$prec" --rounds 1 "$@" >"$out"
	grep -E 'load:|resident|prefill:|decode:|floor|second call' "$out" |
	    sed 's/^/   /'
	pre=$(awk '/^prefill:/ {print $2}' "$out")
	dec=$(awk '/^decode:/ {print $2}' "$out")
	pct=$(awk '/^decode \/ floor:/ {sub("%", "", $4); print $4}' "$out")
	echo "$label $prec $pre $dec $pct" >>"$dir/rows"
}

# table LABEL: medians of LABEL's rows, both precisions, and the ratio.
table() {
	awk -v l="$1" '
	function med(a, n,   i, j, t) {
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$1 == l {
		k = $2; n[k]++
		p[k, n[k]] = $3; d[k, n[k]] = $4; f[k, n[k]] = $5
	}
	END {
		for (k in n) {
			for (i = 1; i <= n[k]; i++) {
				a[i] = p[k, i]; b[i] = d[k, i]; c[i] = f[k, i]
			}
			P[k] = med(a, n[k]); D[k] = med(b, n[k]); F[k] = med(c, n[k])
		}
		printf "%-14s %-6s %12s %12s %14s\n", l, "", "prefill t/s",
		    "decode t/s", "decode/floor"
		printf "%-14s %-6s %12.1f %12.2f %13.1f%%\n", "", "exact",
		    P["exact"], D["exact"], F["exact"]
		printf "%-14s %-6s %12.1f %12.2f %13.1f%%\n", "", "fast",
		    P["fast"], D["fast"], F["fast"]
		if (P["exact"] > 0 && D["exact"] > 0)
			printf "%-14s %-6s %11.2fx %11.2fx\n", "", "ratio",
			    P["fast"] / P["exact"], D["fast"] / D["exact"]
	}' "$dir/rows"
}

echo "bench-engine: $(nproc 2>/dev/null || echo '?') CPUs, $threads threads, \
load average $(load)"
if [ "$quick" -eq 1 ]; then
	gen 2
	./stockagent model info "$dir/m" | grep -E 'layers|backend'
	run 2-layers exact --prompt-tokens 512 --decode-tokens 32 --chat 128
	run 2-layers fast --prompt-tokens 512 --decode-tokens 32 --chat 128
	echo
	table 2-layers
	exit 0
fi

for layers in 2 4; do
	gen "$layers"
	./stockagent model info "$dir/m" | grep -E 'layers|backend'
	for r in 1 2 3; do
		run "$layers-layers" exact --prompt-tokens 256 --decode-tokens 32
		run "$layers-layers" fast --prompt-tokens 256 --decode-tokens 32
	done
	if [ "$layers" -eq 2 ]; then
		for n in 512 2048; do
			run "prefill-$n" exact --prompt-tokens "$n" \
			    --decode-tokens 8 --chat 128
			run "prefill-$n" fast --prompt-tokens "$n" \
			    --decode-tokens 8 --chat 128
		done
	fi
done
gen 24
./stockagent model info "$dir/m" | grep -E 'layers|backend'
run 24-layers exact --prompt-tokens 8 --decode-tokens 16
run 24-layers fast --prompt-tokens 8 --decode-tokens 16
peak=$(awk '/^resident/ {print $7}' "$out")
awk -v p="$peak" 'BEGIN { printf "24 layers, fast: peak resident %.2f GiB \
after load, %s 16 GiB\n", p, p < 16 ? "within" : "OVER" }'

echo
for l in 2-layers 4-layers prefill-512 prefill-2048 24-layers; do
	table "$l"
done
