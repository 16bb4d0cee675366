#!/bin/sh
# tests/fuzz/run.sh [SECONDS [NAME...]]: builds the libFuzzer harnesses
# tests/fuzz/fuzz-NAME.c (all, or the NAMEs given) with clang and the
# address and undefined sanitizers (scripts/setup installs clang), replays
# the inputs kept in tests/fuzz/regress/NAME/ (each once crashed its
# parser) and runs each harness for SECONDS (default $FUZZ_SECONDS or 3;
# make check runs it so) from its seeds in tests/fuzz/corpus/NAME/, two at
# a time. A crash, leak, sanitizer report or hang (10 s) fails it; the tail
# of its log shows the input.
#
# NAMEs: tokenizer-load, encode, harmony-parser (these three need node and
# tests/node_modules for the tokenizer, and are left out without them),
# safetensors, settings, sse, openai-wire, converse-wire, eventstream,
# s3-xml, aws-credentials, sim-universe, market-parse, csv-import,
# alphavantage, edgar. Exits 77 (skip) without clang and libFuzzer. Run
# from anywhere after ./configure (config.h is taken from the build
# directory, $top_builddir or the source root).
set -eu
secs=${1:-${FUZZ_SECONDS:-3}}
[ $# -gt 0 ] && shift
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${top_builddir:-$src}
command -v clang >/dev/null 2>&1 || { echo "run.sh: no clang"; exit 77; }
[ -f "$build/config.h" ] || { echo "run.sh: run ./configure first"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }\n' \
	>"$tmp/probe.c"
clang -fsanitize=fuzzer -o "$tmp/probe" "$tmp/probe.c" 2>/dev/null ||
	{ echo "run.sh: clang has no libFuzzer"; exit 77; }

san="-g -O1 -std=gnu11 -I$build -I$src -DSTOCKAGENT_DATADIR=\"$src/data\"
-DSTOCKAGENT_SRCDATADIR=\"$src/data\""
cflags="$san -fsanitize=fuzzer,address,undefined
-fno-sanitize-recover=undefined"
libs="-lcjson -lcrypto -lm -lpthread -ldl"
fuzz="-max_total_time=$secs -max_len=4096 -rss_limit_mb=4096 -timeout=10"

# Modules a harness needs but does not fuzz are built once, without
# instrumentation and one section per function, so that the linker drops
# what the harness never reaches (model.c's registry of every backend).
plain="lib/xmalloc lib/log lib/color lib/redact lib/http lib/paths lib/aws-endpoint
lib/aws-sigv4 lib/aws-credentials lib/aws-eventstream model/model
tools/market/market tools/market/fetch tools/market/provider-yahoo
tools/market/provider-stooq tools/market/parse-yahoo tools/market/parse-news
tools/market/parse-stooq tools/market/provider-sim tools/market/calendar
lib/date lib/aws-webidentity"
mkdir "$tmp/plain"
for m in $plain; do
	clang $san -ffunction-sections -fdata-sections -c \
		-o "$tmp/plain/$(basename "$m").o" "$src/$m.c"
done
p() { for m in "$@"; do printf '%s ' "$tmp/plain/$m.o"; done; }

# What each harness is built from: the fuzzed modules, then plain objects.
sources() {
	case $1 in
	settings) echo "lib/settings.c lib/settings-table.c $(p log color redact xmalloc)" ;;
	sse | openai-wire) echo "model/remote.c model/openai-wire.c $(p model \
		aws-eventstream http log color redact xmalloc)" ;;
	converse-wire) echo "model/converse-wire.c model/openai-wire.c \
		model/remote.c $(p model aws-eventstream http log color redact xmalloc)" ;;
	eventstream) echo "lib/aws-eventstream.c $(p xmalloc)" ;;
	s3-xml) echo "lib/s3.c $(p aws-credentials aws-webidentity \
		aws-endpoint aws-sigv4 http log color redact xmalloc)" ;;
	aws-credentials) echo "lib/aws-credentials.c $(p aws-webidentity \
		aws-endpoint aws-sigv4 http log color redact xmalloc)" ;;
	sim-universe) echo "tools/market/provider-sim.c \
		tools/market/calendar.c lib/date.c $(p market paths \
		provider-yahoo provider-stooq parse-yahoo parse-news \
		parse-stooq fetch http log color redact xmalloc)" ;;
	market-parse) echo "tools/market/parse-yahoo.c \
		tools/market/parse-news.c tools/market/parse-stooq.c \
		$(p market provider-sim calendar date paths provider-yahoo \
		provider-stooq fetch http log color redact xmalloc)" ;;
	safetensors) echo "model/gptoss/safetensors.c $(p xmalloc)" ;;
	csv-import) echo "tools/market/csv-import.c lib/date.c $(p xmalloc)" ;;
	alphavantage) echo "tools/market/parse-alphavantage.c lib/date.c $(p market) \
		$(p fetch http log color redact xmalloc)" ;;
	edgar) echo "tools/market/parse-edgar.c lib/date.c $(p fetch http log \
		color redact xmalloc)" ;;
	*) echo "model/gptoss/tokenizer.c model/gptoss/pretokenize.c
		model/gptoss/unicode-tables.c model/gptoss/harmony.c
		model/gptoss/harmony-parser.c $(p xmalloc)" ;;
	esac
}

compile() { # compile NAME
	set --  "$1" $(sources "$1")
	h=$1
	shift
	(cd "$src" && clang $cflags -Wl,--gc-sections -o "$tmp/fuzz-$h" \
		"tests/fuzz/fuzz-$h.c" "$@" $libs) >"$tmp/$h.log" 2>&1
}

one() { # one NAME: replay its regressions, then fuzz from its seeds
	h=$1
	mkdir -p "$tmp/corpus-$h"
	[ -d "$src/tests/fuzz/corpus/$h" ] &&
		cp "$src/tests/fuzz/corpus/$h"/* "$tmp/corpus-$h/"
	if [ -d "$src/tests/fuzz/regress/$h" ]; then
		"$tmp/fuzz-$h" $fuzz "$src/tests/fuzz/regress/$h"/* \
			>"$tmp/$h.log" 2>&1 || return 1
	fi
	"$tmp/fuzz-$h" $fuzz -artifact_prefix="$tmp/$h-" "$tmp/corpus-$h" \
		>"$tmp/$h.log" 2>&1
}

batch() { # batch FUNCTION NAME...: FUNCTION on each NAME, two at a time
	f=$1
	shift
	while [ $# -gt 0 ]; do
		$f "$1" &
		pa=$!
		if [ $# -gt 1 ]; then
			$f "$2" &
			wait $! || failed "$f" "$2"
		fi
		wait $pa || failed "$f" "$1"
		shift $(($# > 1 ? 2 : 1))
	done
}

failed() { # failed FUNCTION NAME
	echo "run.sh: $1 fuzz-$2 failed"
	tail -40 "$tmp/$2.log"
	status=1
}

harnesses="settings sse openai-wire converse-wire eventstream s3-xml
aws-credentials sim-universe safetensors market-parse"
harnesses="$harnesses csv-import alphavantage edgar"
if command -v node >/dev/null 2>&1 &&
	[ -d "$src/tests/node_modules/js-tiktoken" ]; then
	node "$src/tests/oracle/make-files.js" "$tmp" >"$tmp/node.log" 2>&1 &
	node=$!
	export FUZZ_TOKENIZER="$tmp/o200k_base.tiktoken"
	harnesses="tokenizer-load encode harmony-parser $harnesses"
	# Seeds besides the committed ones: a small valid .tiktoken (made
	# below) and the tokenizer's test texts.
	mkdir -p "$tmp/corpus-tokenizer-load" "$tmp/corpus-encode" \
		"$tmp/corpus-harmony-parser"
	cp "$src"/tests/fixtures/tokenizer/*.txt "$tmp/corpus-encode/"
else
	echo "run.sh: no node or tests/node_modules: the tokenizer harnesses" \
		"are left out"
fi
[ $# -gt 0 ] && harnesses=$*
status=0
# shellcheck disable=SC2086
batch compile $harnesses
[ "$status" -eq 0 ] || exit 1
if [ -n "${node:-}" ]; then
	wait "$node" || { cat "$tmp/node.log"; exit 1; }
	head -n 300 "$tmp/o200k_base.tiktoken" >"$tmp/corpus-tokenizer-load/a"
fi
# shellcheck disable=SC2086
batch one $harnesses
for h in $harnesses; do
	printf 'run.sh: fuzz-%s: ' "$h"
	grep -E '^Done [0-9]+ runs' "$tmp/$h.log" || echo
done
exit "$status"
