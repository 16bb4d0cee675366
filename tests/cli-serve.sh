#!/bin/sh
# tests/cli-serve.sh: 'stockagent serve' as an AgentCore runtime, on
# 127.0.0.1 only: /ping, prompt and structured invocations, server-sent
# events, sessions and follow-ups, the official InvokeAgentRuntime client
# through a path-rewriting proxy, bad requests and bad clients, 503 when
# full, and SIGTERM with invocations in flight. Every wait is bounded.
. "$top_srcdir/tests/cli-lib.sh"

command -v curl >/dev/null 2>&1 || { echo "curl is missing"; exit 77; }
command -v node >/dev/null 2>&1 || { echo "node is missing"; exit 77; }
SERVERS=$top_srcdir/tests/servers
export NODE_PATH="$top_srcdir/tests/node_modules" NODE_NO_WARNINGS=1
DB=$T/serve.db

# start NAME ARGS...: starts a server (stderr in $T/NAME.err); sets $PORT,
# $SPID and $U (its base URL).
start() {
	name=$1
	shift
	"$STOCKAGENT" --db "$DB" serve --host 127.0.0.1 --port 0 "$@" \
		>"$T/$name.out" 2>"$T/$name.err" &
	SPID=$!
	i=0
	PORT=
	while [ -z "$PORT" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
		PORT=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' \
			"$T/$name.err")
	done
	U=http://127.0.0.1:$PORT
}
# stop: SIGTERM, then the exit status in $rc (bounded: 30 s).
stop() {
	kill -TERM "$SPID" 2>/dev/null
	i=0
	while kill -0 "$SPID" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$SPID" 2>/dev/null
	wait "$SPID"
	rc=$?
}
# post BODY [CURL ARGS...]: POST /invocations as JSON; body in $T/out,
# headers in $T/hdr, status in $code.
post() {
	body=$1
	shift
	code=$(curl -s -m 60 -o "$T/out" -D "$T/hdr" -w '%{http_code}' \
		-H 'Content-Type: application/json' "$@" --data-binary "$body" \
		"$U/invocations")
}
status() { same "$code" "$1" "$2 ($(head -c 200 "$T/out"))"; }
check() { # check EXPR DESCRIPTION: a Python expression over r ($T/out)
	if [ "$(jget "$T/out" "bool($1)" 2>/dev/null)" = True ]; then ok; else
		bad "$2: $(head -c 300 "$T/out")"
	fi
}
running_runs() {
	$PYTHON -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(
"select count(*) from runs where status = '"'running'"'").fetchone()[0])' "$DB"
}

start main --workers 2 --timeout 3 --max-body 65536
[ -n "$PORT" ] && ok || { bad "serve did not start: $(cat "$T/main.err")"; cli_done; exit 1; }

# --- /ping -----------------------------------------------------------------
code=$(curl -s -m 10 -o "$T/out" -w '%{http_code}' "$U/ping")
status 200 "ping"
check 'r["status"] == "Healthy" and isinstance(r["time_of_last_update"], int)' \
	"ping body"
t0=$(jget "$T/out" 'r["time_of_last_update"]')
sleep 1.1
curl -s -m 10 -o "$T/out" "$U/ping"
same "$(jget "$T/out" 'r["time_of_last_update"]')" "$t0" \
	"ping time unchanged while the status is"

# --- a prompt, as the AgentCore example sends it ------------------------------
post '{"prompt": "Analyze SIM_STOCK stock for investment purposes", "pdf": false}' \
	-H 'X-Amzn-Bedrock-AgentCore-Runtime-Request-Id: req-0001'
status 200 "prompt invocation"
check 'r["status"] == "success" and r["result"]["symbol"] == "SIM_STOCK"' \
	"prompt: symbol found"
check '"STOCK DATA GATHERING REPORT" in r["response"] and "STOCK PERFORMANCE ANALYSIS" in r["response"]' \
	"prompt: the three sections as text"
has "$T/hdr" '^X-Amzn-Bedrock-AgentCore-Runtime-Request-Id: req-0001' \
	"request id echoed"

# --- a structured body: the same object as --format json -----------------------
post '{"symbol": "sim_stock", "as_of": "2025-09-04", "pdf": false}'
status 200 "structured invocation"
check 'r["result"]["as_of"] == "2025-09-04" and r["result"]["schema_version"] == 1' \
	"structured: as_of and schema"
cp "$T/out" "$T/served.json"
jget "$T/served.json" 'json.dumps(r["result"])' >"$T/served-result.json"
run --db "$DB" analyze SIM_STOCK --as-of 2025-09-04 --no-pdf --format json
same "$(strip_result "$T/served-result.json")" "$(strip_result "$T/out")" \
	"result equals analyze --format json"
post '{"symbol": "SIM_STOCK", "as_of": "2025-09-04", "pdf": false, "format": "text"}'
check '"result" not in r and "response" in r' "format text: response only"

# --- server-sent events ----------------------------------------------------------
curl -s -m 60 -N -o "$T/sse" -D "$T/hdr" -H 'Content-Type: application/json' \
	-H 'Accept: text/event-stream' \
	--data-binary '{"symbol": "SIM_STOCK", "as_of": "2025-09-04", "pdf": false}' \
	"$U/invocations"
has "$T/hdr" '^Content-Type: text/event-stream' "SSE content type"
$PYTHON - "$T/sse" >"$T/sse.check" <<'EOF'
import json, sys
text = open(sys.argv[1]).read()
assert text.endswith("\n\n"), "events end with a blank line"
ev = [json.loads(p[len("data: "):]) for p in text.split("\n\n") if p]
types = [e.get("type") for e in ev]
assert types[0] == "run_start", types
assert "node_end" in types and "checkpoint" in types, types
assert types[-1] == "result" and ev[-1]["result"]["symbol"] == "SIM_STOCK", types
assert ev[-1]["status"] == "success" and "response" in ev[-1]
print("ok")
EOF
same "$(cat "$T/sse.check" 2>&1)" ok "SSE: events, then the result"
curl -s -m 60 -N -o "$T/sse" -H 'Content-Type: application/json' \
	-H 'Accept: text/event-stream' \
	--data-binary '{"symbol": "NO_SUCH_CO", "pdf": false}' "$U/invocations"
last=$(tail -c 2000 "$T/sse" | grep '^data: ' | tail -1 | sed 's/^data: //')
printf '%s' "$last" >"$T/out"
check 'r["error_type"] == "MarketDataError" and r["message"] == "An error occurred during streaming" and r["error"]' \
	"SSE: a failed run ends with an error event"

# --- sessions: a follow-up is answered from the session's analysis ---------------
SID=stockagent-test-session-0123456789abcdef
post '{"prompt": "Analyze SIM_STOCK stock", "pdf": false}' \
	-H "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id: $SID" \
	-H 'X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant: acme'
status 200 "session: analysis"
has "$T/hdr" "^X-Amzn-Bedrock-AgentCore-Runtime-Session-Id: $SID" \
	"session id echoed"
tid=$(jget "$T/out" 'r["result"]["thread_id"]')
post '{"prompt": "and what about its risk?"}' \
	-H "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id: $SID"
status 200 "session: follow-up"
check 'r["response"].startswith("Risk of") and "volatility" in r["response"] and r["followup"]["thread_id"] == "'"$tid"'"' \
	"follow-up answered from the session's analysis"
post '{"prompt": "and what about its risk?"}' \
	-H 'X-Amzn-Bedrock-AgentCore-Runtime-Session-Id: another-session'
status 400 "no session: a prompt without a symbol is refused"
$PYTHON -c 'import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
req = json.loads(db.execute("select request from runs where thread_id = ?", (sys.argv[2],)).fetchone()[0])
h = json.loads(db.execute("select history from sessions where id = ?", (sys.argv[3],)).fetchone()[0])
assert req["metadata"]["custom_headers"] == {"X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant": "acme"}, req
assert req["metadata"]["session_id"] == sys.argv[3]
assert [t["role"] for t in h] == ["user", "assistant"] * 2, h
print("ok")' "$DB" "$tid" "$SID" >"$T/meta" 2>&1
same "$(cat "$T/meta")" ok "custom headers in the run's metadata; session turns"

# --- the official client, through a proxy that rewrites the path -------------
node "$SERVERS/agentcore-proxy.js" "$PORT" --log "$T/proxy.log" >"$T/pport" &
PPID_=$!
i=0
while [ ! -s "$T/pport" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PP=$(cat "$T/pport")
SID2=agentcore-sdk-session-0123456789abcdefghij
node "$SERVERS/invoke-agentcore.js" "http://127.0.0.1:$PP" "$SID2" \
	'{"prompt": "Analyze SIM_STOCK stock for investment purposes", "pdf": false}' \
	>"$T/sdk.json" 2>"$T/sdk.err"
src=$?
if [ $src -eq 77 ]; then
	echo "SKIP: @aws-sdk/client-bedrock-agentcore is not installed"
else
	same $src 0 "InvokeAgentRuntime call ($(head -c 300 "$T/sdk.err"))"
	cp "$T/sdk.json" "$T/out"
	check 'r["statusCode"] == 200 and r["session"] == "'"$SID2"'" and json.loads(r["body"])["result"]["symbol"] == "SIM_STOCK"' \
		"SDK: status, session and payload back"
	cp "$T/proxy.log" "$T/out"
	check 'r["path"].startswith("/runtimes/arn%3Aaws%3Abedrock-agentcore%3A") and r["qualifier"] == "DEFAULT" and r["signed"] and r["session"] == "'"$SID2"'"' \
		"SDK: the request the service gets"
	node "$SERVERS/invoke-agentcore.js" "http://127.0.0.1:$PP" "$SID2" \
		'{"symbol": "SIM_STOCK", "as_of": "2025-09-04", "pdf": false}' \
		text/event-stream >"$T/out" 2>"$T/sdk.err"
	check 'r["contentType"].startswith("text/event-stream") and r["body"].startswith("data: {") and "\"type\":\"result\"" in r["body"]' \
		"SDK: streamed bytes"
fi
kill "$PPID_" 2>/dev/null
wait "$PPID_" 2>/dev/null

# --- bad requests: the right status, a JSON body, the server goes on ------------
post '{"prompt": '
status 400 "invalid JSON"
check 'r["error"] == "Invalid JSON"' "invalid JSON: error"
post '[1, 2]'
status 400 "not an object"
post '{"prompt": "Analyze SIM_STOCK", "colour": "red"}'
status 400 "unknown field"
post '{"symbol": 42}'
status 400 "wrong field type"
post '{"symbol": "SIM_STOCK", "as_of": "2999-01-01"}'
status 400 "future as_of"
post '{"symbol": "SIM_STOCK", "model": "openai:http://127.0.0.1:1/v1#x"}'
status 400 "a model the server does not offer"
post '{"symbol": "SIM_STOCK", "s3": "s3://"}'
status 400 "bad s3 URI"
post '{"symbol": "SIM_STOCK", "format": "yaml"}'
status 400 "bad format"
post '{}'
status 400 "neither prompt nor symbol"
code=$(curl -s -m 10 -o "$T/out" -w '%{http_code}' --data-binary '{"symbol": "SIM_STOCK"}' \
	-H 'Content-Type:' "$U/invocations")
status 415 "no content type"
code=$(curl -s -m 10 -o "$T/out" -w '%{http_code}' --data-binary '{}' \
	-H 'Content-Type: text/plain' "$U/invocations")
status 415 "wrong content type"
head -c 10485760 /dev/zero | tr '\0' 'a' >"$T/big"
code=$(curl -s -m 30 -o "$T/out" -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary @"$T/big" "$U/invocations")
status 413 "10 MB body"
check 'r["error"] == "Payload Too Large"' "413 body"
code=$(curl -s -m 10 -o "$T/out" -w '%{http_code}' "$U/nope")
status 404 "unknown path"
code=$(curl -s -m 10 -o "$T/out" -w '%{http_code}' -X PUT "$U/ping")
status 405 "unknown method"
code=$(curl -s -m 10 -o "$T/out" -w '%{http_code}' -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' b)" "$U/ping")
status 431 "headers over serve_max_header"

# --- bad clients ---------------------------------------------------------------
node "$SERVERS/serve-abuse.js" "$PORT" trickle >"$T/out"
check 'r["status"] == 408 and r["seconds"] < 8 and json.loads(r["body"])["error"] == "Request Timeout"' \
	"a header trickled a byte a second gets 408 within the timeout"
node "$SERVERS/serve-abuse.js" "$PORT" sse-drop >"$T/out"
check 'r["status"] == 200 and r["first_event"]' "SSE client hangs up mid-stream"
node "$SERVERS/serve-abuse.js" "$PORT" random 1000 >"$T/out"
check 'r["n"] == 1000 and not r["bad"] and sum(r["statuses"].values()) == 1000' \
	"1,000 random bodies: each a JSON reply with a right status"
i=0
while [ $i -lt 100 ]; do
	code=$(curl -s -m 10 -o "$T/out" -w '%{http_code}' "$U/ping")
	[ "$(jget "$T/out" 'r["status"]' 2>/dev/null)" = Healthy ] && break
	sleep 0.1
	i=$((i + 1))
done
status 200 "ping after the abuse"
check 'r["status"] == "Healthy"' "idle again after the abuse"
same "$(running_runs)" 0 "no run left running"
kill -0 "$SPID" 2>/dev/null && ok || bad "the server died"

# --- the access log ------------------------------------------------------------
$PYTHON - "$T/main.err" >"$T/log.check" 2>&1 <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
req = [l for l in lines if "status" in l]
for k in ("time", "method", "path", "status", "bytes", "duration_ms"):
    assert all(k in l for l in req), k
assert any(l.get("request_id") == "req-0001" for l in req)
assert any(l.get("session_id") for l in req)
assert {400, 404, 405, 408, 413, 415}.issubset({l["status"] for l in req})
text = open(sys.argv[1]).read()
assert "investment purposes" not in text, "prompt text logged"
assert "AKIDEXAMPLE" not in text and "Authorization" not in text
print("ok")
EOF
same "$(cat "$T/log.check")" ok "access log: one JSON line a request, no prompts or credentials"
stop
same "$rc" 0 "SIGTERM when idle: exit 0"

# --- 503 when every worker is busy and the queue is full ------------------------
node "$SERVERS/scripted-model.js" --delay 200 >"$T/mport" &
MPID=$!
i=0
while [ ! -s "$T/mport" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
MODEL="openai:http://127.0.0.1:$(cat "$T/mport")/v1#gpt-oss"
export STOCKAGENT_SERVE_QUEUE=0 STOCKAGENT_MODEL="$MODEL"
start full --workers 1
unset STOCKAGENT_SERVE_QUEUE
for n in 1 2 3 4; do
	curl -s -m 60 -o "$T/full$n" -D "$T/fullh$n" -w '%{http_code}\n' \
		-H 'Content-Type: application/json' \
		--data-binary '{"symbol": "SIM_STOCK", "pdf": false}' "$U/invocations" >"$T/fullc$n" &
done
i=0
while [ "$(cat "$T"/fullc* 2>/dev/null | wc -l)" -lt 4 ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
same "$(cat "$T"/fullc* | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')" \
	"200x1 503x3 " "one worker, no queue: one answered, three 503"
grep -l '^HTTP/1.1 503' "$T"/fullh* | head -1 | xargs cat >"$T/hdr" 2>/dev/null
has "$T/hdr" '^Retry-After: [0-9]' "503 has Retry-After"
stop

# --- SIGTERM while 4 invocations run: all answered, exit 0 -----------------------
start drain --workers 4
for n in 1 2 3 4; do
	curl -s -m 60 -o "$T/drain$n" -w '%{http_code}\n' -H 'Content-Type: application/json' \
		--data-binary '{"symbol": "SIM_STOCK", "pdf": false}' "$U/invocations" >"$T/drainc$n" &
done
i=0
while [ $i -lt 100 ]; do
	curl -s -m 5 "$U/ping" >"$T/out"
	[ "$(jget "$T/out" 'r["status"]' 2>/dev/null)" = HealthyBusy ] &&
		[ "$(grep -c '"event":"listening"' "$T/drain.err")" -eq 1 ] && break
	sleep 0.05
	i=$((i + 1))
done
check 'r["status"] == "HealthyBusy"' "ping: HealthyBusy while invocations run"
sleep 0.3
stop
same "$rc" 0 "SIGTERM with 4 invocations in flight: exit 0"
i=0
while [ "$(cat "$T"/drainc* 2>/dev/null | wc -l)" -lt 4 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
same "$(cat "$T"/drainc* | tr '\n' ' ')" "200 200 200 200 " "all 4 answered"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$U/ping")
same "$code" 000 "no longer listening"
same "$(running_runs)" 0 "no run left running after the drain"
unset STOCKAGENT_MODEL
kill "$MPID" 2>/dev/null
wait "$MPID" 2>/dev/null

cli_done
