#!/bin/sh
# gpu-cuda.sh: the CUDA engine against the CPU engine on a GPU, on tiny
# random models of three shapes (tests/gen-gptoss): logits at every
# position within 1e-3 relative with the float KV cache, 2e-2 with the
# fp16 one (prefill in one batch and in batches of
# 7, through the sliding-window ring), 64 greedy tokens identical (decode
# steps as CUDA graphs, and without graphs), seeded sampling on the
# device picking the CPU sampler's tokens, batched decode of three
# sequences (tests/unit-cuda-batch), and the context overflow error. Skips (77) with a message where no CUDA device is present.
set -u
: "${STOCKAGENT:=./stockagent}"
: "${top_srcdir:=.}"
. "$top_srcdir/tests/cli-lib.sh"

GEN="${top_builddir:-$(dirname "$STOCKAGENT")}/tests/gen-gptoss"
CMP="$top_srcdir/tests/cmp-logits.awk"
E="$STOCKAGENT model"
[ -x "$GEN" ] || { echo "SKIP: tests/gen-gptoss is not built"; exit 77; }
"$GEN" "$T/m1" --preset tiny --seed 2 || exit 1
if ! $E info "$T/m1" --device cuda >"$T/info" 2>"$T/err"; then
	echo "SKIP: no CUDA device: $(cat "$T/err")"
	exit 77
fi
grep '^device:' "$T/info"
# Seeds whose logits are well conditioned: no routing near-tie that the
# CPU's own kernel families (avx512 against portable) would split.
"$GEN" "$T/m2" --preset tiny2 --seed 2 --shards 2 || exit 1
"$GEN" "$T/m3" --preset tiny3 --seed 3 || exit 1

TOKS=$(seq 3 6 250 | head -40 | tr '\n' ',' | sed 's/,$//')
for m in m1 m2 m3; do
	M="local:$T/$m"
	$E logits --precision exact --model "$M" --tokens "$TOKS" --all-positions \
	    >"$T/$m.cpu.json" || bad "$m: cpu logits failed"
	for b in 256 7; do
		if $E logits --precision exact --model "$M" --device cuda --tokens "$TOKS" \
		    --all-positions --batch $b >"$T/$m.cu$b.json" \
		    2>"$T/err"; then
			ok
		else
			bad "$m: cuda logits (batch $b): $(cat "$T/err")"
			continue
		fi
		if err=$(awk -v tol=1e-3 -f "$CMP" "$T/$m.cu$b.json" \
		    "$T/$m.cpu.json"); then ok; else
			bad "$m: cuda logits (batch $b) differ from the CPU's ($err)"
		fi
		echo "$m: batch $b: worst relative logit error over 40 positions: $err"
	done
	# The fp16 cache (GPTOSS_CUDA_KV=f16) rounds K and V: looser.
	GPTOSS_CUDA_KV=f16 $E logits --precision exact --model "$M" --device cuda \
	    --tokens "$TOKS" --all-positions >"$T/$m.f16.json"
	if err=$(awk -v tol=2e-2 -f "$CMP" "$T/$m.f16.json" \
	    "$T/$m.cpu.json"); then ok; else
		bad "$m: fp16 cache logits too far from the CPU's ($err)"
	fi
	echo "$m: fp16 KV cache: worst relative logit error $err"
	# The last position alone (the decode path's final norm).
	$E logits --precision exact --model "$M" --device cuda --tokens "$TOKS" \
	    >"$T/$m.cul.json" 2>"$T/err" || bad "$m: last logits: $(cat "$T/err")"
	$E logits --precision exact --model "$M" --tokens "$TOKS" >"$T/$m.cpul.json"
	if err=$(awk -v tol=1e-3 -f "$CMP" "$T/$m.cul.json" \
	    "$T/$m.cpul.json"); then ok; else
		bad "$m: last-position logits differ ($err)"
	fi

	g_cpu=$($E generate --precision exact --model "$M" --tokens 5,17,42 --max-tokens 64 \
	    --context 200)
	g_cu=$($E generate --precision exact --model "$M" --device cuda --tokens 5,17,42 \
	    --max-tokens 64 --context 200 2>"$T/err")
	[ -n "$g_cu" ] && [ "$g_cu" = "$g_cpu" ] && ok ||
		bad "$m: greedy 64 differs: cuda $g_cu, cpu $g_cpu $(cat "$T/err")"
	g_ng=$(GPTOSS_CUDA_GRAPH=0 $E generate --precision exact --model "$M" --device cuda \
	    --tokens 5,17,42 --max-tokens 64 --context 200)
	[ "$g_ng" = "$g_cu" ] && ok || bad "$m: without graphs: $g_ng"
	g_b3=$($E generate --precision exact --model "$M" --device cuda --tokens 5,17,42 \
	    --max-tokens 64 --context 200 --batch 3)
	[ "$g_b3" = "$g_cu" ] && ok || bad "$m: batch 3 ring: $g_b3"
	echo "$m: greedy: $(echo "$g_cu" | tr ',' '\n' | wc -l) tokens identical"

	s_cpu=$($E generate --precision exact --model "$M" --tokens 1,2 --max-tokens 24 \
	    --temperature 1.5 --top-p 0.95 --top-k 50 --seed 7)
	s_cu=$($E generate --precision exact --model "$M" --device cuda --tokens 1,2 \
	    --max-tokens 24 --temperature 1.5 --top-p 0.95 --top-k 50 --seed 7)
	[ "$s_cu" = "$s_cpu" ] && ok ||
		bad "$m: seeded top-k/top-p sampling differs: $s_cu vs $s_cpu"
	t_cpu=$($E generate --precision exact --model "$M" --tokens 1,2 --max-tokens 24 \
	    --temperature 0.8 --seed 3)
	t_cu=$($E generate --precision exact --model "$M" --device cuda --tokens 1,2 \
	    --max-tokens 24 --temperature 0.8 --seed 3)
	[ "$t_cu" = "$t_cpu" ] && ok ||
		bad "$m: seeded sampling differs: $t_cu vs $t_cpu"
done

# Batched decode: three sequences in one pass follow the CPU's tokens.
for m in m1 m2 m3; do
	if "${top_builddir:-.}/tests/unit-cuda-batch" "$T/$m"; then ok; else
		bad "$m: batched decode (tests/unit-cuda-batch)"
	fi
done

expect 2 "context overflow on the device" -- model logits \
	--model "local:$T/m1" --device cuda --tokens "$TOKS" --context 16
one_line "$T/err" "context overflow"
cli_done
