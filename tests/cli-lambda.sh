#!/bin/sh
# tests/cli-lambda.sh: 'stockagent lambda' against a fake Lambda Runtime API
# on 127.0.0.1 (tests/servers/lambda-runtime.js): an event of each kind
# (direct, prompt, HTTP API 2.0 / function URL, Scheduler, scheduled rule),
# malformed events answered with errors while the loop goes on, the
# deadline, a crash of the handler, start-up errors, and the database in
# a directory that disappears between invocations. Every wait is bounded.
. "$top_srcdir/tests/cli-lib.sh"

command -v node >/dev/null 2>&1 || { echo "node is missing"; exit 77; }
SERVERS=$top_srcdir/tests/servers
export NODE_NO_WARNINGS=1
D=2025-09-05
LDB=$T/lambda/db/stockagent.db
export STOCKAGENT_NO_PDF=1

# runtime NAME EVENTS-JSON [ARGS...]: starts the fake Runtime API with the
# events (log in $T/NAME.log); sets $API.
runtime() {
	name=$1
	printf '%s\n' "$2" >"$T/$name.events"
	shift 2
	: >"$T/$name.log"
	node "$SERVERS/lambda-runtime.js" --events "$T/$name.events" \
		--log "$T/$name.log" "$@" >"$T/$name.port" 2>"$T/$name.rterr" &
	RPID=$!
	i=0
	while [ ! -s "$T/$name.port" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	API=127.0.0.1:$(head -1 "$T/$name.port")
}
# lambda NAME: runs stockagent lambda against $API until it exits (60 s at
# most); stderr in $T/NAME.err, status in $rc.
lambda() {
	AWS_LAMBDA_RUNTIME_API=$API timeout 60 "$STOCKAGENT" --db "$LDB" \
		lambda >"$T/$1.out" 2>"$T/$1.err"
	rc=$?
}
stop_runtime() {
	kill "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
}
# rec LOG N EXPR: the Python expression EXPR over r, the Nth answer (0:
# the first response, error or init_error line) of LOG.
rec() {
	$PYTHON -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
r = [x for x in recs if x["type"] in ("response", "error", "init_error")][int(sys.argv[2])]
print(eval(sys.argv[3]))' "$1" "$2" "$3"
}
check() { # check LOG N EXPR DESCRIPTION
	if [ "$(rec "$1" "$2" "bool($3)" 2>&1)" = True ]; then ok; else
		bad "$4: $(rec "$1" "$2" 'json.dumps(r)[:400]' 2>&1)"
	fi
}
no_violations() { # no_violations LOG
	if grep -q '"type":"violation"' "$1"; then
		bad "protocol violations: $(grep '"violation"' "$1" | head -3)"
	else ok; fi
}

# --- not under Lambda ----------------------------------------------------
(
	unset AWS_LAMBDA_RUNTIME_API
	"$STOCKAGENT" lambda >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
)
same "$(cat "$T/rc")" 2 "no AWS_LAMBDA_RUNTIME_API: exit 2"
one_line "$T/err" "no AWS_LAMBDA_RUNTIME_API: one line"
has "$T/err" "AWS_LAMBDA_RUNTIME_API is not set" "names the variable"
expect 0 "lambda --help" -- lambda --help
has "$T/out" "Runtime API" "--help says what it runs"

# --- an event of each kind, and malformed ones, in one warm process ----
HTTPBODY=$(printf '{"symbol":"SIM_STOCK","as_of":"%s"}' $D | base64 | tr -d '\n')
HTTP='"version":"2.0","routeKey":"$default","rawPath":"/","rawQueryString":"","headers":{"content-type":"application/json"},"requestContext":{"accountId":"123456789012","apiId":"api","domainName":"x.lambda-url.us-east-1.on.aws","http":{"method":"POST","path":"/","protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"test"},"requestId":"r","routeKey":"$default","stage":"$default","time":"05/Sep/2025:21:00:00 +0000","timeEpoch":1757106000000}'
RULE='"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2025-09-05T21:00:00Z","region":"us-east-1","resources":["arn:aws:events:us-east-1:123456789012:rule/daily"]'
printf 'SIM_GROWTH\n# a comment\nSIM_VALUE\n' >"$T/watchlist.txt"
runtime kinds "[
 {\"id\": \"direct-1\", \"trace\": \"Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1\",
  \"event\": {\"symbol\": \"sim_stock\", \"as_of\": \"$D\"}},
 {\"id\": \"prompt-1\", \"event\": {\"prompt\": \"How is SIM_STOCK doing?\", \"as_of\": \"$D\"}},
 {\"id\": \"raw-1\", \"raw\": \"{not json\"},
 {\"id\": \"field-1\", \"event\": {\"symbol\": \"SIM_STOCK\", \"color\": \"red\"}},
 {\"id\": \"date-1\", \"event\": {\"symbol\": \"SIM_STOCK\", \"as_of\": \"2025-13-45\"}},
 {\"id\": \"array-1\", \"event\": [1, 2]},
 {\"id\": \"http-1\", \"event\": {$HTTP, \"body\": \"$HTTPBODY\", \"isBase64Encoded\": true}},
 {\"id\": \"http-2\", \"event\": {$HTTP, \"body\": \"{\\\"prompt\\\": \", \"isBase64Encoded\": false}},
 {\"id\": \"http-3\", \"event\": {$HTTP, \"body\": \"{\\\"symbol\\\": \\\"NO SUCH\\\"}\", \"isBase64Encoded\": false}},
 {\"id\": \"sched-1\", \"event\": {\"watchlist\": [\"SIM_STOCK\"], \"as_of\": \"$D\", \"name\": \"daily\"}},
 {\"id\": \"rule-1\", \"event\": {$RULE, \"detail\": {}}},
 {\"id\": \"rule-2\", \"event\": {$RULE, \"detail\": {\"watchlist\": \"SIM_STOCK\\n\"}}},
 {\"id\": \"sched-2\", \"event\": {\"watchlist\": 5}},
 {\"id\": \"gone-1\", \"delay_ms\": 2000, \"event\": {\"symbol\": \"SIM_STOCK\", \"as_of\": \"$D\"}}
]"
# The database's directory disappears before the last event (as /tmp may).
(
	i=0
	while ! grep -q '"id":"sched-2"' "$T/kinds.log" && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	rm -rf "$T/lambda/db"
) &
GONE=$!
STOCKAGENT_LAMBDA_WATCHLIST=$T/watchlist.txt lambda kinds
wait $GONE
stop_runtime
L=$T/kinds.log
same "$rc" 8 "exit 8 when the Runtime API answers 500 ($(tail -c 300 "$T/kinds.err"))"
no_violations "$L"
same "$(grep -c '"type":"\(response\|error\)"' "$L")" 14 "every event answered"
# direct: the --format json result
check "$L" 0 'r["type"] == "response" and r["id"] == "direct-1"' "direct: a response"
check "$L" 0 'r["body"]["symbol"] == "SIM_STOCK" and r["body"]["schema_version"] == 1' "direct: the result"
rec "$L" 0 'json.dumps(r["body"])' >"$T/direct.json"
"$STOCKAGENT" --db "$T/cli.db" analyze SIM_STOCK --as-of $D --format json \
	>"$T/cli.json" 2>/dev/null
same "$(strip_result "$T/direct.json" | sed 's/"kind": "[a-z]*", //')" \
	"$(strip_result "$T/cli.json" | sed 's/"kind": "[a-z]*", //')" \
	"direct: the same JSON as analyze --format json"
check "$L" 1 'r["type"] == "response" and r["body"]["symbol"] == "SIM_STOCK"' "prompt: a response"
# malformed events: errors in the documented shape
check "$L" 2 'r["type"] == "error" and r["error_type"] == "InvalidEvent" and r["body"]["errorType"] == "InvalidEvent"' "not JSON: InvalidEvent"
check "$L" 2 'r["body"]["stackTrace"] == []' "error: stackTrace"
check "$L" 3 'r["type"] == "error" and r["error_type"] == "ValidationError" and "color" in r["body"]["errorMessage"]' "unknown field: ValidationError naming it"
check "$L" 4 'r["type"] == "error" and r["error_type"] == "ValidationError" and "2025-13-45" in r["body"]["errorMessage"]' "bad date: ValidationError"
check "$L" 5 'r["type"] == "error" and "object" in r["body"]["errorMessage"]' "an array: error"
# HTTP API 2.0 / function URL
check "$L" 6 'r["type"] == "response" and r["body"]["statusCode"] == 200' "http: 200"
check "$L" 6 'r["body"]["headers"]["content-type"] == "application/json" and r["body"]["isBase64Encoded"] is False' "http: headers"
check "$L" 6 'json.loads(r["body"]["body"])["symbol"] == "SIM_STOCK"' "http: the result in the body"
check "$L" 7 'r["type"] == "response" and r["body"]["statusCode"] == 400 and json.loads(r["body"]["body"])["error"] == "Invalid JSON"' "http: bad JSON is 400"
check "$L" 8 'r["body"]["statusCode"] == 400 and json.loads(r["body"]["body"])["error_type"] == "ValidationError"' "http: bad symbol is 400"
# schedules: batches
check "$L" 9 'r["type"] == "response" and r["body"]["status"] == "done" and r["body"]["watchlist"] == "daily"' "scheduler: the batch summary"
check "$L" 9 'r["body"]["as_of"] == "'$D'"' "scheduler: as_of"
check "$L" 10 'r["type"] == "response" and r["body"]["watchlist"].endswith("rule/daily")' "rule: batch named by the rule"
check "$L" 10 'sorted(x["symbol"] for x in r["body"]["ranking"]) == ["SIM_GROWTH", "SIM_VALUE"]' "rule: the lambda_watchlist file"
check "$L" 10 'r["body"]["as_of"] == "'$D'"' "rule: as_of from its time"
check "$L" 11 'r["type"] == "response" and r["body"]["status"] == "done"' "rule with a watchlist in detail"
check "$L" 12 'r["type"] == "error" and "watchlist" in r["body"]["errorMessage"]' "scheduler: bad watchlist"
check "$L" 13 'r["type"] == "response" and r["id"] == "gone-1" and r["body"]["symbol"] == "SIM_STOCK"' "database directory gone: still answered"
# the ids reach the run and the log
expect 0 "runs list" -- --db "$LDB" runs list --format json
has "$T/out" '"kind":[[:space:]]*"lambda"' "runs recorded with kind lambda"
has "$T/kinds.err" '"event":"invocation","request_id":"direct-1","trace_id":"Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700' "log: request and trace ids"
has "$T/kinds.err" '"request_id":"http-1".*"kind":"http","outcome":"response","status":200' "log: http status"

# The ids are kept in the run's request (a warm environment's database).
runtime meta "[{\"id\": \"meta-1\", \"trace\": \"Root=1-aa;Sampled=0\", \"event\": {\"symbol\": \"SIM_STOCK\", \"as_of\": \"$D\"}}]"
lambda meta
stop_runtime
tid=$(rec "$T/meta.log" 0 'r["body"]["thread_id"]')
expect 0 "runs show" -- --db "$LDB" runs show "$tid" --format json
has "$T/out" '"request_id":[[:space:]]*"meta-1"' "run keeps the request id"
has "$T/out" '"trace_id":[[:space:]]*"Root=1-aa;Sampled=0"' "run keeps the trace id"
has "$T/out" '"function_arn":[[:space:]]*"arn:aws:lambda:' "run keeps the function ARN"

# An event over 6 MB is answered with an error, and the loop goes on.
$PYTHON -c '
import json, sys
json.dump([{"id": "big-1", "raw": json.dumps({"prompt": "x" * (7 << 20)})},
           {"id": "small-1", "event": {"symbol": "SIM_STOCK", "as_of": sys.argv[1]}}],
          open(sys.argv[2], "w"))' $D "$T/big.json"
runtime big "$(cat "$T/big.json")"
rm -f "$T/big.json"
lambda big
stop_runtime
same "$rc" 8 "big: the loop ran to the end ($(tail -c 200 "$T/big.err"))"
check "$T/big.log" 0 'r["id"] == "big-1" and r["type"] == "error" and r["error_type"] == "InvalidEvent" and "larger" in r["body"]["errorMessage"]' "event over 6 MB: InvalidEvent"
check "$T/big.log" 1 'r["id"] == "small-1" and r["type"] == "response"' "the loop goes on after a large event"
rm -f "$T/big.events" "$T/big.log"

# --- reports to S3 (s3rver on 127.0.0.1) -------------------------------
mod="$top_srcdir/tests/node_modules/s3rver"
if [ -d "$mod" ]; then
	mkdir -p "$T/s3"
	node -e "const S3rver = require(process.argv[1]);
new S3rver({port: 0, address: '127.0.0.1', silent: true,
  directory: process.argv[2], configureBuckets: [{name: 'reports'}]})
  .run().then(a => console.log(a.port), e => { console.error(e); process.exit(1); });" \
		"$mod" "$T/s3" >"$T/s3port" 2>"$T/s3err" &
	S3PID=$!
	i=0
	while [ ! -s "$T/s3port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	runtime s3 "[{\"id\": \"s3-1\", \"event\": {\"symbol\": \"SIM_STOCK\", \"as_of\": \"$D\", \"pdf\": true}},
 {\"id\": \"s3-2\", \"event\": {\"watchlist\": [\"SIM_SMALL\"], \"as_of\": \"$D\"}}]"
	(
		export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
		export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
		export AWS_ENDPOINT_URL_S3="http://127.0.0.1:$(head -1 "$T/s3port")"
		export STOCKAGENT_S3=s3://reports/lambda STOCKAGENT_NO_PDF=0
		lambda s3
		echo "$rc" >"$T/s3rc"
	)
	stop_runtime
	kill "$S3PID" 2>/dev/null
	wait "$S3PID" 2>/dev/null
	same "$(cat "$T/s3rc")" 8 "s3: the loop ran to the end"
	check "$T/s3.log" 0 'r["body"]["report"]["pdf"]["s3_uri"].startswith("s3://reports/lambda/")' "the PDF is in S3"
	key=$(rec "$T/s3.log" 0 'r["body"]["report"]["pdf"]["s3_uri"][len("s3://reports/"):]')
	[ -n "$(find "$T/s3/reports" -path "*$(basename "$key")*" 2>/dev/null | head -1)" ] && ok ||
		bad "no object for $key in s3rver's directory"
	check "$T/s3.log" 1 'r["type"] == "response" and r["body"]["status"] == "done"' "s3: the batch ran"
else
	echo "SKIP: s3rver missing; reports to S3 not checked"
fi

# --- start-up errors: init/error, then exit ----------------------------
runtime init1 '[{"event": {"symbol": "SIM_STOCK"}}]'
STOCKAGENT_LAMBDA_MARGIN=5 lambda init1
stop_runtime
same "$rc" 2 "bad setting: exit 2"
check "$T/init1.log" 0 'r["type"] == "init_error" and r["error_type"] == "InitError"' "bad setting: init/error"
check "$T/init1.log" 0 '"STOCKAGENT_LAMBDA_MARGIN" in r["body"]["errorMessage"]' "init/error names the variable"
hasnt "$T/init1.log" '"type":"next"' "no event asked for after init/error"
runtime init2 '[{"event": {"symbol": "SIM_STOCK"}}]'
mkdir -p "$T/ro"
AWS_LAMBDA_RUNTIME_API=$API timeout 60 "$STOCKAGENT" --db "$T/ro" lambda \
	>"$T/init2.out" 2>"$T/init2.err"
rc=$?
stop_runtime
same "$rc" 5 "database that cannot be opened: exit 5"
check "$T/init2.log" 0 'r["type"] == "init_error"' "database: init/error"

# --- the deadline and a crash, with a model that does not answer -------
node "$SERVERS/scripted-model.js" --delay 30000 >"$T/mport" 2>/dev/null &
MPID=$!
i=0
while [ ! -s "$T/mport" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
SLOW="openai:http://127.0.0.1:$(head -1 "$T/mport")/v1#gpt-oss?retries=1"
export STOCKAGENT_SERVE_MODELS="$SLOW"
runtime slow "[
 {\"id\": \"late-1\", \"deadline_ms\": 3000, \"event\": {\"symbol\": \"SIM_STOCK\", \"as_of\": \"$D\", \"model\": \"$SLOW\"}},
 {\"id\": \"late-2\", \"deadline_ms\": 3000, \"event\": {$HTTP, \"body\": \"{\\\"symbol\\\": \\\"SIM_STOCK\\\", \\\"model\\\": \\\"$(printf %s "$SLOW" | sed 's/"/\\\\"/g')\\\"}\"}},
 {\"id\": \"crash-1\", \"deadline_ms\": 60000, \"event\": {\"symbol\": \"SIM_STOCK\", \"as_of\": \"$D\", \"model\": \"$SLOW\"}},
 {\"id\": \"after-1\", \"event\": {\"symbol\": \"SIM_STOCK\", \"as_of\": \"$D\"}}
]"
AWS_LAMBDA_RUNTIME_API=$API STOCKAGENT_LAMBDA_MARGIN=1000 timeout 90 \
	"$STOCKAGENT" --db "$LDB" lambda >"$T/slow.out" 2>"$T/slow.err" &
LPID=$!
# Once crash-1 is handed out and its child waits on the model: SIGABRT, as
# an abort() would (a sanitizer build turns SIGSEGV into its own report and
# exit 1, while it leaves SIGABRT alone).
i=0
while ! grep -q '"type":"next","id":"crash-1"' "$T/slow.log" && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
# $LPID is timeout(1); its child the loop; the loop's child the handler.
# Wait for the handler (a fixed sleep is too short on a busy machine).
loop= child=
i=0
while [ -z "$child" ] && [ $i -lt 200 ]; do
	sleep 0.05
	loop=$(pgrep -P "$LPID" | head -1)
	[ -n "$loop" ] && child=$(pgrep -P "$loop" | head -1)
	i=$((i + 1))
done
sleep 0.5
[ -n "$child" ] && kill -ABRT "$child"
wait "$LPID"
rc=$?
stop_runtime
kill "$MPID" 2>/dev/null
wait "$MPID" 2>/dev/null
same "$rc" 8 "slow: the loop ran to the end ($(tail -c 300 "$T/slow.err"))"
no_violations "$T/slow.log"
check "$T/slow.log" 0 'r["type"] == "error" and r["error_type"] == "DeadlineExceeded"' "deadline: DeadlineExceeded"
check "$T/slow.log" 0 '"gather" in r["body"]["errorMessage"]' "deadline: names the step reached"
check "$T/slow.log" 0 'r["ms_left"] > 0' "deadline: answered before it"
check "$T/slow.log" 1 'r["type"] == "response" and r["body"]["statusCode"] == 504' "http at the deadline: 504"
check "$T/slow.log" 2 'r["type"] == "error" and r["error_type"] == "HandlerCrashed"' "crash: HandlerCrashed"
check "$T/slow.log" 2 '"signal 6" in r["body"]["errorMessage"] and "gather" in r["body"]["errorMessage"]' "crash: the signal and the step"
check "$T/slow.log" 3 'r["type"] == "response" and r["id"] == "after-1"' "the loop goes on after a crash"
cli_done
