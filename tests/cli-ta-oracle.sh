#!/bin/sh
# cli-ta-oracle.sh: tools/ta's indicators on a fresh random series against
# the pure-JS package technicalindicators, live (the recorded TA-Lib fixtures
# in tests/unit-ta cover fixed series; this covers a new one each run).
# Skips (77) without node or tests/node_modules (scripts/setup installs it).
# TA_ORACLE_SEED=N reproduces a run; the seed is printed.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
command -v node >/dev/null 2>&1 || { echo "SKIP: no node"; exit 77; }
NODE_PATH="$top_srcdir/tests/node_modules${NODE_PATH:+:$NODE_PATH}"
export NODE_PATH
node -e 'require("technicalindicators")' >/dev/null 2>&1 ||
	{ echo "SKIP: technicalindicators not installed"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
seed=${TA_ORACLE_SEED:-$(date +%s)}
echo "seed $seed (TA_ORACLE_SEED=$seed reproduces it)"
"$top_builddir/tests/unit-ta" --dump "$seed" 600 >"$tmp/series.json" ||
	{ echo "FAIL: unit-ta --dump"; exit 1; }
node "$top_srcdir/tests/oracle/check-ta-live.js" "$tmp/series.json"
