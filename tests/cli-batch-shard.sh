#!/bin/sh
# tests/cli-batch-shard.sh: batch --shard K/N|auto covers a watchlist
# exactly once, and the Kubernetes simulation: N shard processes with
# JOB_COMPLETION_INDEX=0..N-1 upload their summaries to a local S3
# (s3rver), and batch merge gives the summary of a one-machine batch.
. "$top_srcdir/tests/cli-lib.sh"

D=2025-09-04
L="SIM_STOCK SIM_VALUE SIM_GROWTH SIM_SMALL SIM_DECLINE SIM_UTILITY SIM_INDEX"
printf '%s\n' $L >"$T/wl"

# Bad shards: one line naming the value.
for bad in 3/3 -1/2 1/0 x/2 1 2/100001; do
	expect 2 "--shard $bad" -- batch --watchlist "$T/wl" --shard "$bad" --as-of $D
	has "$T/err" "--shard '$bad'" "--shard $bad named"
	one_line "$T/err" "--shard $bad"
done
(unset JOB_COMPLETION_INDEX; STOCKAGENT_SHARDS=3 "$STOCKAGENT" batch --watchlist "$T/wl" --shard auto --as-of $D >"$T/out" 2>"$T/err"; echo $? >"$T/rc")
same "$(cat "$T/rc")" 2 "--shard auto outside a Job"
has "$T/err" "JOB_COMPLETION_INDEX is not set" "says what is missing"
(JOB_COMPLETION_INDEX=3 STOCKAGENT_SHARDS=3 "$STOCKAGENT" batch --watchlist "$T/wl" --shard auto --as-of $D >"$T/out" 2>"$T/err"; echo $? >"$T/rc")
same "$(cat "$T/rc")" 2 "index past the count"

# A recorded batch keeps its symbols: no --shard on resume or retry.
expect 2 "resume --shard" -- batch resume 20250101-000000-000000 --shard 0/2
has "$T/err" "recorded batch keeps its symbols" "says why"

# Each symbol in exactly one shard, whatever the order of the list.
: >"$T/all"
for k in 0 1 2; do
	STOCKAGENT_DB="$T/s$k.db" "$STOCKAGENT" batch --watchlist "$T/wl" --shard $k/3 --as-of $D --out "$T/s$k" --no-pdf --format json >"$T/s$k.json" 2>"$T/err"
	jget "$T/s$k.json" '"\n".join(x["symbol"] for x in r["ranking"])' >>"$T/all"
done
sed '/^$/d' "$T/all" | sort >"$T/all.sorted"
same "$(tr '\n' ' ' <"$T/all.sorted")" "$(printf '%s\n' $L | sort | tr '\n' ' ')" "three shards cover the list once"
printf '%s\n' $L | sort -r >"$T/wl.rev"
STOCKAGENT_DB="$T/r.db" "$STOCKAGENT" batch --watchlist "$T/wl.rev" --shard 1/3 --as-of $D --out "$T/r" --no-pdf --format json >"$T/r.json" 2>"$T/err"
same "$(jget "$T/r.json" 'sorted(x["symbol"] for x in r["ranking"])')" "$(jget "$T/s1.json" 'sorted(x["symbol"] for x in r["ranking"])')" "the split does not depend on the order"

# The simulation against a local S3.
mod="$top_srcdir/tests/node_modules/s3rver"
if ! command -v node >/dev/null 2>&1 || [ ! -d "$mod" ]; then
	echo "SKIP: node or s3rver missing; Kubernetes simulation not run"
	cli_done
	exit $?
fi
mkdir -p "$T/s3"
node -e "const S3rver = require(process.argv[1]);
new S3rver({port: 0, address: '127.0.0.1', silent: true,
  directory: process.argv[2], configureBuckets: [{name: 'reports'}]})
  .run().then(a => console.log(a.port), e => { console.error(e); process.exit(1); });" \
	"$mod" "$T/s3" >"$T/port" 2>"$T/s3err" &
s3pid=$!
trap 'kill $s3pid 2>/dev/null; rm -rf "$T"' EXIT
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do [ -s "$T/port" ] && break; sleep 0.5; done
port=$(head -1 "$T/port")
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
export AWS_ENDPOINT_URL_S3="http://127.0.0.1:$port"
s3get() { curl -sf -o "$2" "http://127.0.0.1:$port/reports/$1"; }

# One machine.
STOCKAGENT_DB="$T/one.db" "$STOCKAGENT" batch --watchlist "$T/wl" --as-of $D --out "$T/one" --s3 s3://reports/one --format json >"$T/one.json" 2>"$T/err"
same $? 0 "one-machine batch ($(head -c 200 "$T/err"))"
G=$(ls "$T/s3/reports/one/batches" 2>/dev/null | grep "^$D-[0-9a-f]*$" | head -1)
[ -n "$G" ] && ok || bad "one-machine batch uploaded its shard summary"

# Three pods of an Indexed Job: each its own database and out directory.
N=3
pids=""
for k in 0 1 2; do
	JOB_COMPLETION_INDEX=$k STOCKAGENT_SHARDS=$N STOCKAGENT_DB="$T/pod$k.db" \
		"$STOCKAGENT" batch --watchlist "$T/wl" --shard auto --as-of $D \
		--out "$T/pod$k" --s3 s3://reports/k8s --jobs 1 >"$T/pod$k.out" 2>"$T/pod$k.err" &
	pids="$pids $!"
done
for p in $pids; do wait "$p" || bad "a shard failed: $(cat "$T"/pod*.err | head -c 300)"; done
for k in 0 1 2; do
	s3get "k8s/batches/$G/shard-$k.json" "$T/shard$k.json" && ok || bad "shard $k summary in S3"
done

expect 0 "merge" -- batch merge "s3://reports/k8s/batches/$G" --out "$T/merged" --format json
cp "$T/out" "$T/merged.json"
same "$(jget "$T/merged.json" 'r["id"]')" "$G" "merged summary named by the group"
# The merged ranking equals the one-machine ranking, row by row.
cmp_cols='["rank","symbol","status","overall","technical","fundamental","one_year_return_percent","volatility_percent","label","changes_text","spark"]'
same "$(jget "$T/merged.json" "[[x.get(k) for k in $cmp_cols] for x in r['ranking']]")" "$(jget "$T/one.json" "[[x.get(k) for k in $cmp_cols] for x in r['ranking']]")" "merged ranking = one-machine ranking"
cut -d, -f1-11 "$(jget "$T/merged.json" 'r["csv"]')" >"$T/m.csv"
cut -d, -f1-11 "$(jget "$T/one.json" 'r["csv"]')" >"$T/o.csv"
cmp -s "$T/m.csv" "$T/o.csv" && ok || bad "merged CSV = one-machine CSV: $(diff "$T/m.csv" "$T/o.csv" | head -5)"
same "$(jget "$T/merged.json" 'all(x["pdf"].startswith("s3://reports/k8s/") for x in r["ranking"])')" True "merged rows name the reports in S3"
s3get "k8s/batches/$G/summary.csv" "$T/back.csv" && ok || bad "summary.csv uploaded beside the shards"
cmp -s "$T/back.csv" "$(jget "$T/merged.json" 'r["csv"]')" && ok || bad "summary.csv bytes"
s3get "k8s/batches/$G/summary.pdf" "$T/back.pdf" && ok || bad "summary.pdf uploaded beside the shards"
if command -v pdftotext >/dev/null 2>&1; then
	pdftotext "$T/back.pdf" "$T/back.txt" 2>/dev/null
	has "$T/back.txt" "SIM_DECLINE" "merged PDF ranks every symbol"
fi

# The merge step of a CronJob knows the watchlist and the date, not GROUP.
expect 0 "merge by watchlist" -- batch merge s3://reports/k8s --watchlist "$T/wl.rev" --as-of $D --out "$T/merged3" --format json
same "$(jget "$T/out" 'r["id"]')" "$G" "the watchlist names the group"
expect 2 "--as-of alone" -- batch merge s3://reports/k8s --as-of $D

# The next day on fresh pods (a pod's database is gone): the merge tells
# what changed against the previous merged summary, kept in S3, as the
# one machine does against its previous batch.
D2=2025-09-05
STOCKAGENT_DB="$T/one.db" "$STOCKAGENT" batch --watchlist "$T/wl" --as-of $D2 --out "$T/one2" --s3 s3://reports/one --format json >"$T/one2.json" 2>"$T/err"
same $? 0 "one-machine batch, day 2 ($(head -c 200 "$T/err"))"
same "$(jget "$T/one2.json" 'any(x["changes"] for x in r["ranking"])')" True "the one machine finds changes"
G2=$(ls "$T/s3/reports/one/batches" | grep "^$D2-[0-9a-f]*$" | head -1)
for k in 0 1 2; do
	JOB_COMPLETION_INDEX=$k STOCKAGENT_SHARDS=$N STOCKAGENT_DB="$T/pod${k}b.db" \
		"$STOCKAGENT" batch --watchlist "$T/wl" --shard auto --as-of $D2 \
		--out "$T/pod${k}b" --s3 s3://reports/k8s --jobs 1 --no-pdf >"$T/out" 2>"$T/err" ||
		bad "day-2 shard $k failed: $(head -c 300 "$T/err")"
done
s3get "k8s/batches/${G#*-*-*-}-latest.json" "$T/latest.json" && ok || bad "the watchlist's pointer in S3"
same "$(jget "$T/latest.json" 'r["group"]')" "$G" "the pointer names day 1"
expect 0 "merge day 2" -- batch merge "s3://reports/k8s/batches/$G2" --out "$T/merged-2" --format json
cp "$T/out" "$T/merged2.json"
same "$(jget "$T/merged2.json" 'r.get("previous")')" "$G" "merged day 2 names day 1 as previous"
same "$(jget "$T/merged2.json" "[[x.get(k) for k in $cmp_cols] for x in r['ranking']]")" "$(jget "$T/one2.json" "[[x.get(k) for k in $cmp_cols] for x in r['ranking']]")" "merged day-2 ranking and changes = one machine's"
s3get "k8s/batches/${G#*-*-*-}-latest.json" "$T/latest.json"
same "$(jget "$T/latest.json" '[r["group"], r["previous"]]')" "['$G2', '$G']" "the pointer moves to day 2"
# Merging day 2 again keeps its previous; merging day 1 again leaves the
# pointer on day 2.
expect 0 "merge day 2 again" -- batch merge "s3://reports/k8s/batches/$G2" --out "$T/merged-2" --format json
same "$(jget "$T/out" 'r.get("previous")')" "$G" "a second merge of day 2 still names day 1"
expect 0 "merge day 1 again" -- batch merge "s3://reports/k8s/batches/$G" --out "$T/merged-1" --format json
s3get "k8s/batches/${G#*-*-*-}-latest.json" "$T/latest.json"
same "$(jget "$T/latest.json" 'r["group"]')" "$G2" "the pointer stays on the latest day"

# A shard missing: exit 8 naming it; a URI that is not a batch: exit 2.
rm -rf "$T/s3/reports/k8s/batches/$G/shard-2.json"*
expect 8 "missing shard" -- batch merge "s3://reports/k8s/batches/$G" --out "$T/merged2"
has "$T/err" "shard 2" "names the missing shard"
one_line "$T/err" "missing shard"
expect 2 "not s3" -- batch merge /tmp/x
expect 2 "no prefix" -- batch merge s3://reports
cli_done
