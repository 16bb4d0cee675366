#!/bin/sh
# cli-cuda.sh: choosing the device (--device, local:DIR?device=) where it
# can run, GPU or not: cpu and auto without a GPU give the CPU engine's
# results; cuda without a usable device (or without CUDA in the build) is
# one line and exit 11; bad values exit 2; version and model info say
# which devices and kernels are used. The comparisons on a GPU are
# tests/gpu-cuda.sh's.
set -u
: "${STOCKAGENT:=./stockagent}"
: "${top_srcdir:=.}"
. "$top_srcdir/tests/cli-lib.sh"

GEN="${top_builddir:-$(dirname "$STOCKAGENT")}/tests/gen-gptoss"
[ -x "$GEN" ] || { echo "SKIP: tests/gen-gptoss is not built"; exit 77; }
"$GEN" "$T/m1" --preset tiny --seed 2 || exit 1

run version
has "$T/out" '^CUDA backend: (built for sm_[0-9].*device\(s\) found|not built)' \
	"version names the CUDA build and its devices"

# cpu is the default; auto is cuda only where a device is present.
run model generate --model "local:$T/m1" --tokens 5,17,42 --max-tokens 16
cp "$T/out" "$T/cpu"
expect 0 "device cpu" -- model generate --model "local:$T/m1?device=cpu" \
	--tokens 5,17,42 --max-tokens 16
cmp -s "$T/out" "$T/cpu" && ok || bad "?device=cpu differs from the default"

run model info "$T/m1" --device cuda
if [ "$rc" -eq 0 ]; then
	has "$T/out" '^device: +cuda: .*sm_[0-9]+.*kernels:' \
		"model info --device cuda names the GPU and kernels"
	echo "a CUDA device is present: its results are tests/gpu-cuda.sh's"
else
	# No usable device here: one line naming the device, exit 11.
	[ "$rc" -eq 11 ] && ok || bad "info --device cuda: exit $rc, not 11"
	one_line "$T/err" "info --device cuda"
	has "$T/err" 'device cuda: no usable CUDA device \(.+\); use device cpu' \
		"the reason without a device"
	expect 11 "generate --device cuda" -- model generate \
		--model "local:$T/m1" --tokens 5,17 --device cuda
	one_line "$T/err" "generate --device cuda"
	expect 11 "?device=cuda" -- model logits \
		--model "local:$T/m1?device=cuda" --tokens 5,17
	expect 11 "bench --device cuda" -- model bench \
		--model "local:$T/m1" --device cuda --prompt-tokens 4
	expect 0 "device auto falls back to the CPU" -- model generate \
		--model "local:$T/m1" --tokens 5,17,42 --max-tokens 16 \
		--device auto
	cmp -s "$T/out" "$T/cpu" && ok || bad "auto without a GPU is not the CPU"
	run model info "$T/m1" --device auto
	has "$T/out" '^device: +cpu \(' "info --device auto without a GPU"
fi
run model info "$T/m1"
has "$T/out" '^device: +cpu \((avx-512|avx2\+fma|portable) kernels\)' \
	"model info names the CPU kernels"

expect 2 "a bad --device" -- model generate --model "local:$T/m1" \
	--tokens 5 --device gpu
one_line "$T/err" "a bad --device"
expect 2 "a bad ?device=" -- model generate \
	--model "local:$T/m1?device=gpu" --tokens 5
has "$T/err" 'local:DIR\?device=cpu\|cuda\|auto' "the URI error says what to write"
expect 2 "an unknown URI option" -- model logits \
	--model "local:$T/m1?threads=2" --tokens 5
expect 2 "bad --contexts" -- model bench --model "local:$T/m1" \
	--contexts 0,,4
run model bench --model "local:$T/m1" --contexts 0,64 --prompt-tokens 8 \
	--decode-tokens 4 --threads 1
[ "$rc" -eq 0 ] && ok || bad "bench --contexts: exit $rc $(cat "$T/err")"
has "$T/out" '^context +64: +prefill [0-9.]+ tokens/s \(64 tokens\), decode [0-9.]+ tokens/s \(batch 1, 4 steps\), [0-9]+ bytes/token, [0-9.]+% of the floor' \
	"bench prints a row per context"

cli_done
