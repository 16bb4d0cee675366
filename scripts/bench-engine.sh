#!/bin/sh
# bench-engine.sh [LAYERS] [THREADS]: decode and prefill speed of the engine
# on a synthetic model with the real gpt-oss-20b shapes (hidden 2880, 32
# experts, top-4, vocabulary 201088) but LAYERS layers (default 2), random
# weights generated on the fly into a temporary directory (~2.9 GB + 0.3 GB
# per layer). Prints the engine's bench report: tokens/s, bytes read per
# token, the machine's copy bandwidth measured in the same run, and decode
# as a share of the bandwidth floor. Not a timed test.
set -eu
cd "$(dirname "$0")/.."
layers=${1:-2}
threads=${2:-2}
PY=""
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 &&
	    "$p" -c 'import numpy' >/dev/null 2>&1; then PY=$p; break; fi
done
[ -n "$PY" ] || { echo "bench-engine: needs python3 with numpy" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$PY" scripts/gen-tiny-gptoss.py "$dir" --preset 20b --layers "$layers"
./stockagent model info "$dir"
./stockagent model bench --model "local:$dir" --threads "$threads" \
	--prompt-tokens "${PROMPT_TOKENS:-256}" \
	--decode-tokens "${DECODE_TOKENS:-32}"
