#!/bin/sh
# fuzz-safetensors.sh [SECONDS]: build tests/fuzz/fuzz-safetensors.c with
# clang -fsanitize=fuzzer,address,undefined and run it for SECONDS
# (default 60) on a seed corpus of valid and broken headers.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
clang -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined \
	-I. \
	-o "$out/fuzz" tests/fuzz/fuzz-safetensors.c \
	model/gptoss/safetensors.c lib/xmalloc.c -lcjson
mkdir "$out/corpus"
printf '\100\000\000\000\000\000\000\000{"a":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]},"__metadata__":{"f":"pt"}}' \
	>"$out/corpus/good"
printf '\010\000\000\000\000\000\000\000{"a":{"dtype":"U8","shape":[9],"data_offsets":[0,9]}}' \
	>"$out/corpus/short"
"$out/fuzz" -max_total_time="$secs" -max_len=4096 "$out/corpus"
