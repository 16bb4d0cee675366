#!/usr/bin/env python3
"""scripts/sim-universe.py SRC DST N: the simulated universe SRC with N
benchmark companies (SIM_BENCH_0000...), copies of its stocks in turn, and
its indices, written to DST (the benchmark scripts name DST's folder in
STOCKAGENT_DATA_DIR)."""
import json
import sys

src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
u = json.load(open(src))
base = [c for c in u["companies"] if c.get("kind", "stock") != "index"]
index = [c for c in u["companies"] if c.get("kind") == "index"]
out = []
for i in range(n):
    c = json.loads(json.dumps(base[i % len(base)]))
    c["symbol"] = "SIM_BENCH_%04d" % i
    c["name"] = "Benchmark Company %d" % i
    out.append(c)
u["companies"] = index + out
json.dump(u, open(dst, "w"))
