#!/bin/sh
# tests/cli-k8s.sh: the Kubernetes manifests under data/k8s/ parse and
# validate against the committed subset of the Kubernetes API schemas
# (tests/fixtures/k8s/schema.json) for the fields they use, with the rules
# the batch needs (tests/k8s-check.py); broken copies are refused; the
# watchlist of the ConfigMap is one stockagent batch reads.
. "$top_srcdir/tests/cli-lib.sh"

$PYTHON -c 'import yaml, jsonschema' 2>/dev/null || { echo "SKIP: python3-yaml or python3-jsonschema missing"; exit 77; }
k8s="$top_srcdir/data/k8s"
schema="$top_srcdir/tests/fixtures/k8s/schema.json"
check() { $PYTHON "$top_srcdir/tests/k8s-check.py" "$schema" "$@" >"$T/chk" 2>&1; }

check "$k8s"/*.yaml && ok || bad "manifests: $(head -c 600 "$T/chk")"
for f in serviceaccount.yaml configmap-watchlist.yaml cronjob-batch.yaml cronjob-merge.yaml; do
	[ -f "$k8s/$f" ] && ok || bad "data/k8s/$f missing"
done

# Each broken copy must be refused, naming what is wrong.
broken() { # broken DESCRIPTION PATTERN SED-SCRIPT
	mkdir -p "$T/b"
	cp "$k8s"/*.yaml "$T/b/"
	sed -i "$3" "$T/b/cronjob-batch.yaml"
	if check "$T/b"/*.yaml; then bad "$1: accepted"; else
		has "$T/chk" "$2" "$1"
	fi
}
broken "misspelt field" "completion" 's/      completions: 4/      completion: 4/'
broken "bad enum" "concurrencyPolicy" 's/concurrencyPolicy: Forbid/concurrencyPolicy: Sometimes/'
broken "overlapping batches" "Forbid" 's/concurrencyPolicy: Forbid/concurrencyPolicy: Allow/'
broken "count not completions" "STOCKAGENT_SHARDS" '/name: STOCKAGENT_SHARDS/{n;s/"4"/"3"/}'
broken "per-index retries need Never" "restartPolicy Never" 's/restartPolicy: Never/restartPolicy: OnFailure/'
broken "not indexed" "Indexed" 's/completionMode: Indexed/completionMode: NonIndexed/'
broken "string for a number" "parallelism" 's/parallelism: 4/parallelism: "4"/'
broken "unknown service account" "service account" 's/serviceAccountName: stockagent/serviceAccountName: nobody/'

# The ConfigMap's watchlist is read as batch reads it; its shards cover it.
$PYTHON -c 'import yaml, sys; print(yaml.safe_load(open(sys.argv[1]))["data"]["watchlist.txt"], end="")' \
	"$k8s/configmap-watchlist.yaml" >"$T/wl"
n=$(grep -c '^[A-Z]' "$T/wl")
: >"$T/all"
for k in 0 1 2 3; do
	JOB_COMPLETION_INDEX=$k STOCKAGENT_SHARDS=4 STOCKAGENT_DB="$T/db$k" \
		"$STOCKAGENT" batch --watchlist "$T/wl" --shard auto --as-of 2025-09-04 \
		--out "$T/r$k" --no-pdf --format csv >>"$T/all" 2>"$T/err" ||
		bad "shard $k: $(head -c 300 "$T/err")"
done
same "$(cut -d, -f2 "$T/all" | grep -v "^symbol$" | sort -u | wc -l)" "$n" "the four shards cover the ConfigMap's $n symbols"
cli_done
