#!/bin/sh
# tests/cli-backends.sh: the three-agent graph driven end to end by a
# scripted model (tests/servers/scripted-model.js on 127.0.0.1) through
# every remote backend and wire format, and through the fallback path.
. "$top_srcdir/tests/cli-lib.sh"

command -v node >/dev/null 2>&1 || { echo "node not found: skipped"; exit 77; }

D=2025-09-04
export AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=secretTEST \
	AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_BEARER_TOKEN_BEDROCK AWS_ENDPOINT_URL AWS_PROFILE \
	AWS_ENDPOINT_URL_BEDROCK_RUNTIME AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME \
	OPENAI_API_KEY OPENAI_BASE_URL AWS_SESSION_TOKEN

# serve ARGS...: starts the scripted model; sets $PORT and $SPID.
serve() {
	rm -f "$T/port"
	node "$top_srcdir/tests/servers/scripted-model.js" "$@" >"$T/port" &
	SPID=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	PORT=$(cat "$T/port")
}
stop() { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }

# result CHECK: a Python expression over r (the JSON result).
result() {
	$PYTHON -c "import json,sys; r=json.load(open('$T/out')); sys.exit(0 if ($1) else 1)" &&
		ok || bad "$2 ($(head -c 300 "$T/err"))"
}

serve --log "$T/requests.log"
E=http://127.0.0.1:$PORT
for uri in "openai:$E/v1#gpt-oss" "openai:$E/v1#gpt-oss?stream=0" \
	"bedrock:openai.gpt-oss-120b-1:0?endpoint=$E" \
	"bedrock:openai.gpt-oss-120b-1:0?endpoint=$E&stream=0" \
	"bedrock:openai.gpt-oss-20b-1:0?endpoint=$E&api=invoke" \
	"bedrock:openai.gpt-oss-20b-1:0?endpoint=$E&api=invoke&stream=0" \
	"sagemaker:gpt-oss-ep?endpoint=$E" \
	"sagemaker:gpt-oss-ep?endpoint=$E&stream=0"; do
	expect 0 "analyze with $uri" -- analyze SIM_STOCK --as-of $D --no-pdf \
		--format json --model "$uri"
	result "r['fallbacks'] == [] and r['model'] == '''$uri'''" \
		"$uri: no fallback"
	result "r['analysis']['narrative']['source'] == 'model' and 'Thesis' in r['analysis']['narrative']['text']" \
		"$uri: the model's narrative"
	result "r['usage']['model_calls'] == 6 and r['usage']['prompt_tokens'] == 720 and r['usage']['completion_tokens'] == 180" \
		"$uri: usage of six calls"
done
# The Bedrock and SageMaker requests were SigV4-signed for their services.
has "$T/requests.log" '"url":"/model/openai.gpt-oss-120b-1%3A0/converse-stream"' \
	"model id percent-encoded on the wire"
has "$T/requests.log" 'Credential=AKIDTEST/[0-9]{8}/us-east-1/bedrock/aws4_request' \
	"bedrock signing name"
has "$T/requests.log" 'Credential=AKIDTEST/[0-9]{8}/us-east-1/sagemaker/aws4_request' \
	"sagemaker signing name"
hasnt "$T/requests.log" 'secretTEST' "the secret key is never sent"

# Bedrock API key instead of SigV4; the endpoint from the environment.
AWS_BEARER_TOKEN_BEDROCK=bedrock-api-key-T AWS_ENDPOINT_URL_BEDROCK_RUNTIME=$E \
	expect 0 "bedrock with an API key" -- analyze SIM_STOCK --as-of $D \
	--no-pdf --format json --model bedrock:openai.gpt-oss-120b-1:0
has "$T/requests.log" '"authorization":"Bearer bedrock-api-key-T"' \
	"API key as a Bearer token"

# Cost per call and per run from the price table, and its override.
expect 0 "cost of a priced model" -- analyze SIM_STOCK --as-of $D --no-pdf \
	--format json --model "bedrock:openai.gpt-oss-120b-1:0?endpoint=$E"
result "abs(r['usage']['cost_usd'] - 0.000216) < 1e-12 and abs(r['usage']['calls'][0]['cost_usd'] - 0.000036) < 1e-12" \
	"cost: 720 prompt and 180 completion tokens at 0.15 and 0.60 USD/M"
printf '{"models":{"gpt-oss":{"input":1,"output":2}}}' >"$T/prices.json"
STOCKAGENT_MODEL_PRICES=$T/prices.json expect 0 "price table override" -- \
	analyze SIM_STOCK --as-of $D --no-pdf --format json \
	--model "openai:$E/v1#gpt-oss"
result "abs(r['usage']['cost_usd'] - 0.00108) < 1e-12" "overridden prices"
printf '{"models":{"gpt-oss":{"input":"free"}}}' >"$T/bad-prices.json"
STOCKAGENT_MODEL_PRICES=$T/bad-prices.json expect 0 "bad price table" -- \
	analyze SIM_STOCK --as-of $D --no-pdf --model "openai:$E/v1#gpt-oss"
has "$T/err" 'model .gpt-oss. needs non-negative numbers' "bad price table named"

# A token budget stops the model and is recorded as a fallback.
STOCKAGENT_TOKEN_BUDGET=100 expect 0 "token budget" -- analyze SIM_STOCK \
	--as-of $D --no-pdf --format json --model "openai:$E/v1#gpt-oss"
result "r['fallbacks'][0]['reason'] == 'token budget of 100 exceeded' and r['analysis']['narrative']['source'] == 'builtin'" \
	"token budget recorded"

# --reasoning and friends reach the wire.
: >"$T/requests.log"
expect 0 "sampling options" -- analyze SIM_STOCK --as-of $D --no-pdf \
	--model "openai:$E/v1#gpt-oss" --reasoning high --temperature 0.3 \
	--max-tokens 512 --seed 7
for f in '\\"reasoning_effort\\":\\"high\\"' '\\"temperature\\":0.3' \
	'\\"max_tokens\\":512' '\\"seed\\":7'; do
	has "$T/requests.log" "$f" "option on the wire: $f"
done
expect 2 "bad --reasoning" -- analyze SIM_STOCK --as-of $D --no-pdf \
	--model "openai:$E/v1#gpt-oss" --reasoning extreme
one_line "$T/err" "bad --reasoning message"

# models list / check.
expect 0 "models list" -- models list
for b in builtin openai bedrock sagemaker; do has "$T/out" "^$b " "models list: $b"; done
expect 0 "models check" -- models check "sagemaker:gpt-oss-ep?endpoint=$E"
has "$T/out" '^reachable: +yes, [0-9]+ ms' "check: latency"
has "$T/out" '^tool calls: +yes$' "check: tool calling"
has "$T/out" '^reasoning: +yes$' "check: reasoning"
expect 0 "models check json" -- models check --format json \
	"bedrock:openai.gpt-oss-120b-1:0?endpoint=$E&api=invoke"
result "r['ok'] and r['tool_calls'] and r['tool_arguments_valid'] and r['prompt_tokens'] == 120" \
	"check json"
expect 4 "models check, unreachable" -- models check \
	"openai:http://127.0.0.1:9/v1#m?retries=1"
one_line "$T/err" "unreachable model: one line"
expect 2 "models check, bad URI" -- models check "openai:http://x/v1"

# ask: the model picks the symbol (the rules would take the first one).
expect 0 "ask with a model" -- ask "Not SIM_STOCK; I mean SIM_VALUE" \
	--as-of $D --no-pdf --format json --model "openai:$E/v1#gpt-oss"
result "r['symbol'] == 'SIM_VALUE' and r['fallbacks'] == []" "model's symbol"
has "$T/requests.log" 'choose_symbol' "the model was asked"
expect 0 "ask with the builtin rules" -- ask "Not SIM_STOCK; I mean SIM_VALUE" \
	--as-of $D --no-pdf --format json
result "r['symbol'] == 'SIM_STOCK'" "rules take the first symbol"

# --show-reasoning prints the model's reasoning on stderr.
expect 0 "show reasoning" -- analyze SIM_STOCK --as-of $D --no-pdf \
	--model "openai:$E/v1#gpt-oss" --show-reasoning
has "$T/err" 'reasoning\] I should call gather_stock_data' "reasoning shown"
stop

# A narrative number that appears in no tool result is flagged.
serve --invent
E=http://127.0.0.1:$PORT
expect 0 "invented number" -- analyze SIM_STOCK --as-of $D --no-pdf \
	--format json --model "openai:$E/v1#gpt-oss"
result "'4242.42' in r['analysis']['narrative']['ungrounded'] and len(r['analysis']['narrative']['ungrounded']) == 1" \
	"ungrounded number flagged, grounded ones not"
expect 0 "invented number, text" -- analyze SIM_STOCK --as-of $D --no-pdf \
	--model "openai:$E/v1#gpt-oss"
has "$T/err" "not found in the tool results: \[\"4242.42\"\]" "warned on stderr"
has "$T/out" "^NOT FOUND IN THE DATA .*: 4242.42$" "text output lists it"
stop

# The model fails: the built-in policy runs each step, and says so.
for m in fail notool badargs; do
	serve --mode $m
	E=http://127.0.0.1:$PORT
	expect 0 "fallback ($m)" -- analyze SIM_STOCK --as-of $D --no-pdf \
		--format json --model "openai:$E/v1#gpt-oss?retries=1"
	result "[f['agent'] for f in r['fallbacks']] == ['gather', 'analyze', 'report']" \
		"fallback recorded per agent ($m)"
	result "r['analysis']['narrative']['source'] != 'model'" \
		"built-in narrative after fallback ($m)"
	expect 4 "--no-fallback ($m)" -- analyze SIM_STOCK --as-of $D --no-pdf \
		--no-fallback --model "openai:$E/v1#gpt-oss?retries=1"
	has "$T/err" 'fallback disabled by --no-fallback' "no-fallback message ($m)"
	stop
done

# A model that cannot be reached: exit 4 with --no-fallback.
expect 4 "unreachable model" -- analyze SIM_STOCK --as-of $D --no-pdf \
	--no-fallback --model "openai:http://127.0.0.1:9/v1#m?retries=1"
# No usable libcurl: the request fails naming it; nothing else needs it.
STOCKAGENT_LIBCURL=$T/none/libcurl.so.4 expect 4 "libcurl missing" -- \
	analyze SIM_STOCK --as-of $D --no-pdf --no-fallback \
	--model "openai:http://127.0.0.1:9/v1#m?retries=1"
has "$T/err" "libcurl cannot be loaded.*STOCKAGENT_LIBCURL" \
	"the message names libcurl and what to do"
STOCKAGENT_LIBCURL=$T/none/libcurl.so.4 expect 0 "builtin without libcurl" \
	-- analyze SIM_STOCK --as-of $D --no-pdf
STOCKAGENT_LIBCURL=$T/none/libcurl.so.4 expect 0 "version without libcurl" \
	-- version
has "$T/out" "^libcurl not loadable" "version says libcurl is not loadable"
expect 2 "unknown scheme" -- analyze SIM_STOCK --as-of $D --no-pdf \
	--model "gemini:x"
expect 2 "unknown option" -- analyze SIM_STOCK --as-of $D --no-pdf \
	--model "bedrock:m?colour=red"

cli_done
