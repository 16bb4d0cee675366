#!/bin/sh
# gpu-check.sh: everything a GPU run of the CUDA engine needs, in one
# command, on a machine with an NVIDIA GPU, its driver and the CUDA
# toolkit (no Python, no network), in about 10 minutes at most:
#
#   1. the machine: nvidia-smi, nvcc and the CPU;
#   2. the build with CUDA (configure --with-cuda=yes, warnings are errors
#      in the .cu files); a stockagent already built with CUDA is used
#      when the build dependencies are missing;
#   3. the host checks: the shared math against the CPU engine, no
#      register spills (ptxas);
#   4. device selection and its errors (tests/cli-cuda.sh);
#   5. tiny models: CUDA logits against the CPU engine's at every position
#      (1e-3 relative), 64 greedy tokens identical, seeded sampling
#      (tests/gpu-cuda.sh);
#   6. a 2-layer model of the gpt-oss-20b shapes: logits against the CPU,
#      greedy tokens, then 'model bench --device cuda' (prefill and decode
#      at contexts 0, 4k and 32k, decode at batch 1 and 8, bytes per
#      token, the device's copy bandwidth and the share of the floor),
#      with the float and the fp16 KV cache.
#
# Prints each step with the seconds spent so far and stops at the first
# failure with "gpu-check: FAILED: ...". Every step's time limit is cut to
# what is left of GPU_CHECK_BUDGET seconds (default 570). GPU_CHECK_TMP
# (default /tmp) holds the ~3.3 GB model while it runs.
set -u
cd "$(dirname "$0")/.." || exit 1
start=$(date +%s)
step() {
	echo
	echo "== $* [$(($(date +%s) - start))s]"
}
die() {
	echo "gpu-check: FAILED: $*" >&2
	exit 1
}
budget=${GPU_CHECK_BUDGET:-570}
# lim N: N seconds, or what is left of the budget if less.
lim() {
	left=$((budget - ($(date +%s) - start)))
	if [ "$left" -le 5 ]; then
		echo "gpu-check: out of time (GPU_CHECK_BUDGET=$budget s)" >&2
		echo 1
	elif [ "$1" -lt "$left" ]; then
		echo "$1"
	else
		echo "$left"
	fi
}
tmp=$(mktemp -d "${GPU_CHECK_TMP:-/tmp}/gpu-check.XXXXXX") || die "mktemp"
trap 'rm -rf "$tmp"' EXIT INT TERM
ncpu=$(nproc 2>/dev/null || echo 4)

step "machine"
date -u
uname -srm
echo "CPUs: $ncpu"
command -v nvidia-smi >/dev/null 2>&1 || die "nvidia-smi not found: no NVIDIA driver"
timeout "$(lim 60)" nvidia-smi || die "nvidia-smi failed: no driver or no GPU"
timeout "$(lim 60)" nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version,clocks.max.memory \
	--format=csv || true
NVCC=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
[ -x "$NVCC" ] || die "nvcc not found (PATH, /usr/local/cuda/bin)"
"$NVCC" --version | tail -2
export NVCC

step "build (configure --with-cuda=yes, make -j$ncpu)"
built=no
if [ ! -x configure ]; then
	timeout "$(lim 300)" autoreconf -fi >"$tmp/autoreconf.log" 2>&1 ||
		echo "autoreconf failed (see below); trying a prebuilt stockagent"
fi
if [ -x configure ] && { grep -q '^NVCC_ARCH = -gencode' Makefile 2>/dev/null ||
    timeout "$(lim 300)" ./configure --with-cuda=yes >"$tmp/configure.log" 2>&1; }; then
	if timeout "$(lim 400)" make -j"$ncpu" stockagent tests/gen-gptoss \
	    tests/unit-cuda-math tests/unit-cuda-batch >"$tmp/make.log" 2>&1; then
		built=yes
	else
		tail -40 "$tmp/make.log"
		die "make failed"
	fi
else
	[ -f "$tmp/configure.log" ] && tail -15 "$tmp/configure.log"
fi
if [ $built = no ]; then
	# No build dependencies here: a stockagent built elsewhere with CUDA.
	[ -x stockagent ] && [ -x tests/gen-gptoss ] ||
		die "cannot configure here and no prebuilt ./stockagent and tests/gen-gptoss"
	./stockagent version | grep -q '^CUDA backend: built' ||
		die "./stockagent was built without CUDA"
	echo "using the prebuilt ./stockagent"
fi
./stockagent version || die "./stockagent does not run"

step "host checks: shared math against the CPU engine, register spills"
if [ -x tests/unit-cuda-math ]; then
	./tests/unit-cuda-math || die "tests/unit-cuda-math"
fi
timeout "$(lim 300)" sh scripts/check-ptxas.sh || die "scripts/check-ptxas.sh"

export STOCKAGENT="$PWD/stockagent" top_srcdir="$PWD" top_builddir="$PWD"
step "device selection and errors (tests/cli-cuda.sh)"
timeout "$(lim 120)" sh tests/cli-cuda.sh || die "tests/cli-cuda.sh"

step "tiny models: CUDA against the CPU engine (tests/gpu-cuda.sh)"
timeout "$(lim 300)" sh tests/gpu-cuda.sh
rc=$?
[ $rc -eq 77 ] && die "tests/gpu-cuda.sh found no CUDA device"
[ $rc -eq 0 ] || die "tests/gpu-cuda.sh (exit $rc)"

step "a 2-layer model of the gpt-oss-20b shapes"
m="$tmp/20b"
timeout "$(lim 240)" ./tests/gen-gptoss "$m" --preset 20b --layers 2 ||
	die "tests/gen-gptoss --preset 20b"
./stockagent model info "$m" --device cuda || die "model info --device cuda"
T8=11,200,3000,47,199999,64,128,7
timeout "$(lim 240)" ./stockagent model logits --model "local:$m" --tokens $T8 \
	--all-positions --context 64 >"$tmp/cpu.json" || die "cpu logits"
timeout "$(lim 120)" ./stockagent model logits --model "local:$m" --device cuda \
	--tokens $T8 --all-positions --context 64 >"$tmp/cuda.json" ||
	die "cuda logits"
err=$(awk -v tol=1e-2 -f tests/cmp-logits.awk "$tmp/cuda.json" "$tmp/cpu.json") ||
	die "20b shapes: CUDA logits differ from the CPU's ($err)"
echo "20b shapes: worst relative logit error over 8 positions: $err"
g_cpu=$(timeout "$(lim 240)" ./stockagent model generate --model "local:$m" \
	--tokens 11,200,3000 --max-tokens 16 --context 64)
g_cu=$(timeout "$(lim 120)" ./stockagent model generate --model "local:$m" \
	--device cuda --tokens 11,200,3000 --max-tokens 16 --context 64) ||
	die "cuda generate"
echo "greedy cpu:  $g_cpu"
echo "greedy cuda: $g_cu"
[ "$g_cpu" = "$g_cu" ] && echo "greedy: 16 tokens identical" ||
	echo "greedy: the tokens differ (random weights: near ties possible)"

step "benchmark (float KV cache)"
timeout "$(lim 300)" ./stockagent model bench --model "local:$m" --device cuda \
	--contexts 0,4096,32768 --prompt-tokens 512 --decode-tokens 128 \
	--sequences 8 ||
	die "model bench --device cuda"
step "benchmark (fp16 KV cache)"
GPTOSS_CUDA_KV=f16 timeout "$(lim 200)" ./stockagent model bench --model "local:$m" \
	--device cuda --contexts 32768 --decode-tokens 128 ||
	die "model bench --device cuda, fp16 cache"

step "gpu-check: all passed"
