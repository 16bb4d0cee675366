#!/bin/sh
# tests/cli-report.sh: the PDF report as a user gets it from 'analyze':
# where it goes, what it says, how it is recorded, and S3 upload.
. "$top_srcdir/tests/cli-lib.sh"

for t in pdftotext pdfinfo pdftoppm qpdf sha256sum; do
	command -v $t >/dev/null 2>&1 || { echo "SKIP: $t missing"; exit 77; }
done
D=2025-09-04
export STOCKAGENT_DB="$T/db"

expect 0 "analyze with PDF" -- analyze SIM_STOCK --as-of $D --format json --out "$T/rep"
cp "$T/out" "$T/r.json"
pdf=$(jget "$T/r.json" 'r["report"]["pdf"]["path"]')
[ -f "$pdf" ] && ok || bad "no PDF at $pdf"
# DIR/YYYY/MM/DD/SYMBOL_Stock_Report_YYYYMMDD_HHMMSS.pdf from one timestamp
echo "$pdf" | grep -Eq "^$T/rep/([0-9]{4})/([0-9]{2})/([0-9]{2})/SIM_STOCK_Stock_Report_[0-9]{8}_[0-9]{6}\.pdf$" && ok || bad "path layout: $pdf"
dirdate=$(echo "$pdf" | sed -E 's|.*/rep/([0-9]{4})/([0-9]{2})/([0-9]{2})/.*|\1\2\3|')
namedate=$(echo "$pdf" | sed -E 's|.*_Report_([0-9]{8})_.*|\1|')
same "$dirdate" "$namedate" "folder date equals file name date"
ls "$(dirname "$pdf")" | grep -q '\.tmp' && bad "temporary file left" || ok
same "$(jget "$T/r.json" 'r["report"]["pdf"]["sha256"]')" "$(sha256sum "$pdf" | cut -d' ' -f1)" "sha256 recorded"
same "$(jget "$T/r.json" 'r["report"]["pdf"]["size"]')" "$(stat -c %s "$pdf")" "size recorded"

# What a reader finds in it.
pdftotext -layout "$pdf" "$T/pdf.txt" 2>/dev/null
price=$(jget "$T/r.json" '"%.2f" % r["analysis"]["price"]')
tech=$(jget "$T/r.json" 'r["analysis"]["scores"]["technical"]')
fund=$(jget "$T/r.json" 'r["analysis"]["scores"]["fundamental"]')
label=$(jget "$T/r.json" 'r["analysis"]["scores"]["label"]')
for s in SIM_STOCK "Simulated Stock Inc" "\\\$$price" "$tech/5" "$fund/5" "$label" \
	"Executive Summary" "Price History" "Momentum Indicators" "Market Data" \
	"Fundamental" "Technical" "Recent News" "Risk" "Methodology" \
	"Disclaimer" "Page 1 of" "$(jget "$T/r.json" 'r["thread_id"]')"; do
	has "$T/pdf.txt" "$s" "PDF text"
done
# The analysis keeps its chart series as a blob of the run: neither they
# nor the reference reach the output.
same "$(jget "$T/r.json" '"series" in r["analysis"]')" False "no series in the output"
hasnt "$T/r.json" '"blob"' "no blob reference in the output"
qpdf --check "$pdf" >/dev/null 2>&1 && ok || bad "qpdf --check"
pdfinfo "$pdf" >"$T/info" 2>/dev/null
has "$T/info" "Page size: +612 x 792" "US Letter by default"
has "$T/info" "Author: +stockagent" "author metadata"
has "$T/info" "Title: +.*SIM_STOCK" "title metadata"
pdftoppm -r 50 -png -f 1 -l 1 "$pdf" "$T/page" 2>/dev/null
[ -s "$T/page-1.png" ] || [ -s "$T/page-01.png" ] && ok || bad "page 1 does not render"

expect 0 "reports list" -- reports list
has "$T/out" "SIM_STOCK" "reports list shows it"
expect 0 "reports list json" -- reports list SIM_STOCK --format json
same "$(jget "$T/out" 'r[0]["sha256"]')" "$(sha256sum "$pdf" | cut -d' ' -f1)" "listed sha256"
expect 0 "reports list other" -- reports list SIM_VALUE --format json
same "$(jget "$T/out" 'len(r)')" 0 "no SIM_VALUE reports"

expect 0 "a4" -- analyze SIM_VALUE --as-of $D --format json --out "$T/rep" --paper a4
pdfinfo "$(jget "$T/out" 'r["report"]["pdf"]["path"]')" 2>/dev/null | grep -Eq "Page size: +595" && ok || bad "A4 paper"

# Resumed before the report, the PDF says what the uninterrupted run's
# said above the footer (run id and time differ): the report reads the
# series the analysis kept. An analysis checkpointed before the series
# were kept has none; they are computed again.
nofooter() { pdftotext -layout -W 612 -H 740 "$1" - 2>/dev/null; }
nofooter "$pdf" >"$T/pdf-ref.txt"
resumed_pdf() { # resumed_pdf ID WHAT: the resumed run's PDF text as the reference's
	expect 0 "resume $1" -- runs resume "$1" --format json
	nofooter "$(jget "$T/out" 'r["report"]["pdf"]["path"]')" |
		cmp -s - "$T/pdf-ref.txt" && ok || bad "$2: the PDF text differs"
}
killed_before_report() {
	STOCKAGENT_DEBUG_KILL_AT=start:report "$STOCKAGENT" analyze SIM_STOCK \
		--as-of $D --out "$T/resume" --thread "$1" >/dev/null 2>&1
	same $? 137 "$1: killed before the report"
}
killed_before_report resumed
resumed_pdf resumed "resumed before the report"
if command -v sqlite3 >/dev/null 2>&1; then
	killed_before_report old
	if sqlite3 "$STOCKAGENT_DB" "UPDATE checkpoints SET state = json_remove(state, '\$.analysis.series') WHERE thread_id = 'old'" 2>/dev/null; then
		same "$(sqlite3 "$STOCKAGENT_DB" "SELECT count(*) FROM checkpoints WHERE thread_id = 'old' AND json_type(state, '\$.analysis.series') IS NOT NULL")" 0 "old checkpoints without series"
		resumed_pdf old "an analysis checkpointed without series"
	else
		echo "SKIP: sqlite3 without JSON functions; old checkpoints not tried"
	fi
fi

# Bad output places and S3 URIs.
expect 5 "unwritable out" -- analyze SIM_STOCK --as-of $D --out /proc/stockagent-reports
has "$T/err" "/proc/stockagent-reports" "names the directory"
expect 2 "s3 without bucket" -- analyze SIM_STOCK --as-of $D --s3 s3://
expect 2 "s3 dotdot" -- analyze SIM_STOCK --as-of $D --s3 s3://reports/a/../b
expect 2 "s3 not s3" -- analyze SIM_STOCK --as-of $D --s3 http://x/y

# Missing credentials: the PDF is kept, exit 6, the places searched named.
(
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
	export AWS_SHARED_CREDENTIALS_FILE="$T/none" AWS_CONFIG_FILE="$T/none"
	export AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1
	export AWS_ENDPOINT_URL_S3=http://127.0.0.1:9
	"$STOCKAGENT" analyze SIM_STOCK --as-of $D --out "$T/nocred" \
		--s3 s3://reports/daily >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
)
same "$(cat "$T/rc")" 6 "missing credentials: exit 6"
has "$T/err" "credentials" "says credentials"
has "$T/out" "PDF report saved: $T/nocred/" "local PDF kept"
[ -n "$(find "$T/nocred" -name '*.pdf')" ] && ok || bad "no local PDF kept"

# Upload to a real S3-compatible server on loopback, then read it back.
mod="$top_srcdir/tests/node_modules/s3rver"
if command -v node >/dev/null 2>&1 && [ -d "$mod" ]; then
	mkdir -p "$T/s3"
	node -e "const S3rver = require(process.argv[1]);
new S3rver({port: 0, address: '127.0.0.1', silent: true,
  directory: process.argv[2], configureBuckets: [{name: 'reports'}]})
  .run().then(a => console.log(a.port), e => { console.error(e); process.exit(1); });" \
		"$mod" "$T/s3" >"$T/port" 2>"$T/s3err" &
	s3pid=$!
	for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$T/port" ] && break; sleep 0.5; done
	port=$(head -1 "$T/port")
	(
		export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
		export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
		export AWS_ENDPOINT_URL_S3="http://127.0.0.1:$port"
		"$STOCKAGENT" analyze SIM_STOCK --as-of $D --out "$T/up" \
			--s3 s3://reports/daily >"$T/out" 2>"$T/err"
		echo $? >"$T/rc"
		"$STOCKAGENT" analyze SIM_STOCK --as-of $D --out "$T/up" \
			--s3 s3://reports/daily --format json >"$T/up.json" 2>>"$T/err"
	)
	same "$(cat "$T/rc")" 0 "upload exit status ($(head -c 200 "$T/err"))"
	has "$T/out" "^PDF report uploaded to S3: s3://reports/daily/[0-9]{4}/[0-9]{2}/[0-9]{2}/SIM_STOCK_Stock_Report_" "text names the S3 URI"
	uri=$(jget "$T/up.json" 'r["report"]["pdf"]["s3_uri"]')
	local=$(jget "$T/up.json" 'r["report"]["pdf"]["path"]')
	key=${uri#s3://reports/}
	if command -v curl >/dev/null 2>&1; then
		curl -s -o "$T/back.pdf" "http://127.0.0.1:$port/reports/$key"
	else
		node -e "require('http').get(process.argv[1], r => r.pipe(process.stdout))" \
			"http://127.0.0.1:$port/reports/$key" >"$T/back.pdf"
	fi
	cmp -s "$T/back.pdf" "$local" && ok || bad "bytes read back from S3 differ ($key)"
	expect 0 "reports list s3" -- reports list --format json
	has "$T/out" "s3://reports/daily/" "S3 URI recorded"
	kill $s3pid 2>/dev/null
	wait $s3pid 2>/dev/null
else
	echo "SKIP: node or s3rver missing; upload round trip not run"
fi
cli_done
