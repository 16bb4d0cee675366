#!/bin/sh
# gpu-check.sh: everything a GPU run of the CUDA engine needs, in one
# command, on a machine with an NVIDIA GPU, its driver and the CUDA
# toolkit (no Python, no network), in about 10 minutes at most:
#
#   1. the machine: nvidia-smi, nvcc and the CPU;
#   2. the build with CUDA (configure --with-cuda=yes, warnings are errors
#      in the .cu files); where the build dependencies are missing, the
#      programs of .gpu-bundle/, which 'scripts/gpu-check.sh --bundle'
#      makes on a build machine (with the shared libraries they need) and
#      the device run carries along;
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
PROGS="stockagent tests/gen-gptoss tests/unit-cuda-math tests/unit-cuda-batch"

if [ "${1:-}" = --bundle ]; then
	# Here, in a tree configured with CUDA: the programs and the shared
	# libraries the GPU machine may lack (not the C library's own), into
	# .gpu-bundle/ (git ignores it; carry it to the GPU machine).
	grep -q '^NVCC_ARCH = *-gencode' Makefile 2>/dev/null ||
		{ echo "gpu-check --bundle: configure with CUDA first" >&2; exit 1; }
	make -j2 $PROGS || exit 1
	rm -rf .gpu-bundle && mkdir -p .gpu-bundle/tests .gpu-bundle/lib || exit 1
	cp stockagent .gpu-bundle/ && cp tests/gen-gptoss tests/unit-cuda-math \
		tests/unit-cuda-batch .gpu-bundle/tests/ || exit 1
	for f in $PROGS; do ldd "$f"; done | awk '$3 ~ /^\// { print $3 }' |
	    sort -u | grep -v -E '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*|libgcc_s)\.so' |
	    while read -r l; do cp -L "$l" .gpu-bundle/lib/; done
	echo "$(git rev-parse --short HEAD 2>/dev/null) $(date -u +%FT%TZ)" >.gpu-bundle/BUILT
	du -sh .gpu-bundle
	ls .gpu-bundle .gpu-bundle/lib
	exit 0
fi
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
	timeout "$(lim 200)" autoreconf -fi >"$tmp/autoreconf.log" 2>&1 ||
		{ tail -5 "$tmp/autoreconf.log"; echo "autoreconf failed"; }
fi
if [ -x configure ] && { grep -q '^NVCC_ARCH = *-gencode' Makefile 2>/dev/null ||
    timeout "$(lim 200)" ./configure --with-cuda=yes >"$tmp/configure.log" 2>&1; }; then
	if timeout "$(lim 400)" make -j"$ncpu" $PROGS >"$tmp/make.log" 2>&1; then
		built=yes
	else
		tail -40 "$tmp/make.log"
		[ -x .gpu-bundle/stockagent ] || die "make failed"
		echo "make failed; trying .gpu-bundle"
	fi
else
	[ -f "$tmp/configure.log" ] && tail -15 "$tmp/configure.log"
fi
B=.
if [ $built = no ]; then
	# The build dependencies are missing here: the bundle made by
	# 'gpu-check.sh --bundle' on a build machine, carried along.
	[ -x .gpu-bundle/stockagent ] ||
		die "cannot build here and no .gpu-bundle (make one with scripts/gpu-check.sh --bundle where stockagent builds)"
	B=.gpu-bundle
	LD_LIBRARY_PATH="$PWD/.gpu-bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	export LD_LIBRARY_PATH
	echo "using the prebuilt .gpu-bundle (built $(cat .gpu-bundle/BUILT 2>/dev/null))"
fi
SA="$B/stockagent"
"$SA" version || die "$SA does not run"
"$SA" version | grep -q '^CUDA backend: built' || die "$SA was built without CUDA"

step "host checks: shared math against the CPU engine, register spills"
"$B/tests/unit-cuda-math" || die "tests/unit-cuda-math"
timeout "$(lim 300)" sh scripts/check-ptxas.sh || die "scripts/check-ptxas.sh"

STOCKAGENT="$PWD/$SA" top_srcdir="$PWD" top_builddir="$PWD/$B"
[ "$B" = . ] && STOCKAGENT="$PWD/stockagent" top_builddir="$PWD"
export STOCKAGENT top_srcdir top_builddir
step "device selection and errors (tests/cli-cuda.sh)"
timeout "$(lim 120)" sh tests/cli-cuda.sh || die "tests/cli-cuda.sh"

step "tiny models: CUDA against the CPU engine (tests/gpu-cuda.sh)"
timeout "$(lim 300)" sh tests/gpu-cuda.sh
rc=$?
[ $rc -eq 77 ] && die "tests/gpu-cuda.sh found no CUDA device"
[ $rc -eq 0 ] || die "tests/gpu-cuda.sh (exit $rc)"

step "a 2-layer model of the gpt-oss-20b shapes"
m="$tmp/20b"
timeout "$(lim 240)" "$B/tests/gen-gptoss" "$m" --preset 20b --layers 2 ||
	die "tests/gen-gptoss --preset 20b"
"$SA" model info "$m" --device cuda || die "model info --device cuda"
T8=11,200,3000,47,199999,64,128,7
timeout "$(lim 240)" "$SA" model logits --precision exact --model "local:$m" --tokens $T8 \
	--all-positions --context 64 >"$tmp/cpu.json" || die "cpu logits"
timeout "$(lim 120)" "$SA" model logits --precision exact --model "local:$m" --device cuda \
	--tokens $T8 --all-positions --context 64 >"$tmp/cuda.json" ||
	die "cuda logits"
err=$(awk -v tol=1e-2 -f tests/cmp-logits.awk "$tmp/cuda.json" "$tmp/cpu.json") ||
	die "20b shapes: CUDA logits differ from the CPU's ($err)"
echo "20b shapes: worst relative logit error over 8 positions: $err"
g_cpu=$(timeout "$(lim 240)" "$SA" model generate --precision exact --model "local:$m" \
	--tokens 11,200,3000 --max-tokens 16 --context 64)
g_cu=$(timeout "$(lim 120)" "$SA" model generate --precision exact --model "local:$m" \
	--device cuda --tokens 11,200,3000 --max-tokens 16 --context 64) ||
	die "cuda generate"
echo "greedy cpu:  $g_cpu"
echo "greedy cuda: $g_cu"
[ "$g_cpu" = "$g_cu" ] && echo "greedy: 16 tokens identical" ||
	echo "greedy: the tokens differ (random weights: near ties possible)"

step "benchmark (float KV cache)"
timeout "$(lim 300)" "$SA" model bench --model "local:$m" --device cuda \
	--contexts 0,4096,32768 --prompt-tokens 512 --decode-tokens 128 \
	--sequences 8 ||
	die "model bench --device cuda"
step "benchmark (fp16 KV cache)"
GPTOSS_CUDA_KV=f16 timeout "$(lim 200)" "$SA" model bench --model "local:$m" \
	--device cuda --contexts 32768 --decode-tokens 128 ||
	die "model bench --device cuda, fp16 cache"

step "gpu-check: all passed"
