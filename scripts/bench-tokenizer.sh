#!/bin/sh
# bench-tokenizer.sh [MB]: encode throughput of stockagent's tokenizer and
# of js-tiktoken on the same corpus (tests/fixtures/tokenizer repeated to
# about MB megabytes, default 8), in one run. stockagent's time is
# 'model tokenize' on the corpus minus the same on empty input (loading the
# tokenizer), best of 3; js-tiktoken's is its encode call, best of 3.
set -eu
mb=${1:-8}
src=$(cd "$(dirname "$0")/.." && pwd)
sa=${STOCKAGENT:-$src/stockagent}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node "$src/tests/oracle/make-files.js" "$tmp"
cat "$src"/tests/fixtures/tokenizer/* > "$tmp/one"
: > "$tmp/corpus"
while [ "$(wc -c < "$tmp/corpus")" -lt $((mb * 1000000)) ]; do
	cat "$tmp/one" >> "$tmp/corpus"
done
bytes=$(wc -c < "$tmp/corpus")
best() { # INPUT: best wall time in ns of 3 tokenize runs on INPUT
	b=0
	for _ in 1 2 3; do
		t0=$(date +%s%N)
		"$sa" model tokenize --tokenizer "$tmp/o200k_base.tiktoken" - \
			< "$1" > "$tmp/ids"
		t1=$(date +%s%N)
		d=$((t1 - t0))
		if [ "$b" -eq 0 ] || [ "$d" -lt "$b" ]; then b=$d; fi
	done
	echo "$b"
}
: > "$tmp/empty"
load=$(best "$tmp/empty")
full=$(best "$tmp/corpus")
ntok=$(wc -w < "$tmp/ids")
echo "corpus: $bytes bytes"
awk -v b="$bytes" -v ns="$((full - load))" -v n="$ntok" 'BEGIN {
	printf "stockagent %.2f MB/s %d tokens\n", b / 1e6 / (ns / 1e9), n }'
echo "stockagent tokenizer load (excluded): $((load / 1000000)) ms"
node "$src/tests/oracle/bench.js" "$tmp/corpus" |
	awk '{ printf "%s %s MB/s %s tokens\n", $1, $2, $3 }'
