#!/bin/sh
# check-ptxas.sh: compiles every CUDA source of the engine for each
# architecture of the build with ptxas's resource report (-Xptxas -v) and
# fails if a kernel spills registers (spill stores or loads) or uses a
# stack frame for spills. Skips (77) without nvcc. Run by make check; no
# GPU needed.
set -u
: "${top_srcdir:=.}"
: "${NVCC:=}"
[ -f Makefile ] && [ -z "$NVCC" ] && NVCC=$(sed -n 's/^NVCC = //p' Makefile)
[ -n "$NVCC" ] && [ "$NVCC" != "no" ] || NVCC=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
command -v "$NVCC" >/dev/null 2>&1 ||
	{ echo "SKIP: no nvcc (configure found no CUDA toolkit)"; exit 77; }
arch=""
[ -f Makefile ] && arch=$(sed -n 's/^NVCC_ARCH = //p' Makefile)
if [ -z "$arch" ]; then
	# Not configured with CUDA here: the default architectures.
	for a in 80 90 100; do
		arch="$arch -gencode arch=compute_$a,code=sm_$a"
	done
	arch="$arch -gencode arch=compute_100,code=compute_100"
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
kernels=0
for f in "$top_srcdir"/model/gptoss/cuda/k-*.cu; do
	# shellcheck disable=SC2086
	if ! "$NVCC" -I"$top_srcdir" $arch -O3 \
	    -std=c++17 -Xptxas -v -c -o "$tmp/k.o" "$f" >"$tmp/log" 2>&1; then
		cat "$tmp/log"
		echo "FAIL: $f does not compile"
		fail=1
		continue
	fi
	# "Compiling entry function 'K' for 'sm_XX'" then, a line later,
	# "N bytes stack frame, S bytes spill stores, L bytes spill loads".
	out=$(awk '
		/Compiling entry function/ {
			split($0, a, "\x27"); k = a[2]; sm = a[4]; n++
		}
		/spill stores/ {
			st = $5; ld = $9
			if (st + 0 > 0 || ld + 0 > 0)
				printf "SPILL %s %s: %s\n", sm, k, $0
		}
		END { printf "COUNT %d\n", n }' "$tmp/log")
	n=$(echo "$out" | sed -n 's/^COUNT //p')
	kernels=$((kernels + n))
	if echo "$out" | grep -q '^SPILL'; then
		echo "$out" | grep '^SPILL' | sed "s|^SPILL|FAIL: $(basename "$f"): spills:|"
		fail=1
	fi
done
[ "$kernels" -gt 0 ] || { echo "FAIL: no kernel found in ptxas output"; exit 1; }
echo "$kernels kernel compilations checked (every architecture): \
$([ $fail = 0 ] && echo 'no register spills' || echo 'spills found')"
exit $fail
