#!/bin/sh
# tests/fuzz/run.sh [SECONDS]: builds the libFuzzer harnesses with clang
# (address and undefined sanitizers; scripts/setup installs clang) and runs each for SECONDS (default
# $FUZZ_SECONDS or 3; make check runs it so): the tokenizer.json loader,
# the encoder, the harmony parser and the safetensors header parser.
# Needs clang with libFuzzer and node + tests/node_modules for the
# tokenizer; exits 77 (skip) without them. Run from anywhere after
# ./configure (config.h is taken from the build directory, $top_builddir or
# the source root).
set -eu
secs=${1:-${FUZZ_SECONDS:-3}}
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${top_builddir:-$src}
command -v clang >/dev/null 2>&1 || { echo "run.sh: no clang"; exit 77; }
command -v node >/dev/null 2>&1 || { echo "run.sh: no node"; exit 77; }
[ -d "$src/tests/node_modules/js-tiktoken" ] || { echo "run.sh: no node_modules"; exit 77; }
[ -f "$build/config.h" ] || { echo "run.sh: run ./configure first"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node "$src/tests/oracle/make-files.js" "$tmp"
lib="$src/model/gptoss/tokenizer.c $src/model/gptoss/pretokenize.c
$src/model/gptoss/unicode-tables.c $src/model/gptoss/harmony.c
$src/model/gptoss/harmony-parser.c $src/lib/xmalloc.c"
cflags="-g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined
-fno-sanitize-recover=undefined -I$build -I$src"
for h in fuzz-tokenizer-load fuzz-encode fuzz-harmony-parser; do
	# shellcheck disable=SC2086
	clang $cflags -o "$tmp/$h" "$src/tests/fuzz/$h.c" $lib -lcjson
	mkdir -p "$tmp/corpus-$h"
done
# Seeds: a small valid .tiktoken and tokenizer.json, and some text.
head -n 300 "$tmp/o200k_base.tiktoken" > "$tmp/corpus-fuzz-tokenizer-load/a"
printf '{"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"pre_tokenizer":{"type":"Split","pattern":{"Regex":"x"}}}' \
	> "$tmp/corpus-fuzz-tokenizer-load/b"
cp "$src"/tests/fixtures/tokenizer/*.txt "$tmp/corpus-fuzz-encode/"
printf '\000\030\000\045' > "$tmp/corpus-fuzz-harmony-parser/a"
export FUZZ_TOKENIZER="$tmp/o200k_base.tiktoken"
for h in fuzz-tokenizer-load fuzz-encode fuzz-harmony-parser; do
	echo "run.sh: $h for ${secs}s"
	"$tmp/$h" -max_total_time="$secs" -max_len=4096 -rss_limit_mb=4096 \
		"$tmp/corpus-$h" 2>"$tmp/$h.log" ||
		{ tail -40 "$tmp/$h.log"; exit 1; }
	grep -E '^Done [0-9]+ runs' "$tmp/$h.log" || true
done

# The safetensors header parser of the engine (no node needed for this one).
# shellcheck disable=SC2086
clang $cflags -o "$tmp/fuzz-safetensors" "$src/tests/fuzz/fuzz-safetensors.c" \
	"$src/model/gptoss/safetensors.c" "$src/lib/xmalloc.c" -lcjson
mkdir -p "$tmp/corpus-fuzz-safetensors"
printf '\100\000\000\000\000\000\000\000{"a":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]},"__metadata__":{"f":"pt"}}' \
	>"$tmp/corpus-fuzz-safetensors/good"
printf '\010\000\000\000\000\000\000\000{"a":{"dtype":"U8","shape":[9],"data_offsets":[0,9]}}' \
	>"$tmp/corpus-fuzz-safetensors/short"
echo "run.sh: fuzz-safetensors for ${secs}s"
"$tmp/fuzz-safetensors" -max_total_time="$secs" -max_len=4096 \
	-rss_limit_mb=4096 "$tmp/corpus-fuzz-safetensors" \
	2>"$tmp/fuzz-safetensors.log" ||
	{ tail -40 "$tmp/fuzz-safetensors.log"; exit 1; }
grep -E '^Done [0-9]+ runs' "$tmp/fuzz-safetensors.log" || true
