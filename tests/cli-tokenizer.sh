#!/bin/sh
# cli-tokenizer.sh: stockagent model tokenize / detokenize / render.
# Needs node and tests/node_modules (js-tiktoken) for the tokenizer files.
set -u
: "${STOCKAGENT:?}" "${top_srcdir:?}"
command -v node >/dev/null 2>&1 || exit 77
[ -d "$top_srcdir/tests/node_modules/js-tiktoken" ] || exit 77
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
node "$top_srcdir/tests/oracle/make-files.js" "$tmp" || exit 1
fail=0
check() { # DESCRIPTION EXPECTED ACTUAL
	if [ "$2" != "$3" ]; then
		echo "FAIL $1: expected '$2', got '$3'"; fail=1
	fi
}

out=$("$STOCKAGENT" model tokenize --tokenizer "$tmp/tokenizer.json" "Hello world")
check "tokenize" "13225 2375" "$out"
out=$(printf 'Hello world<|end|>' | "$STOCKAGENT" model tokenize --tokenizer "$tmp/o200k_base.tiktoken" --special -)
check "tokenize --special from stdin" "13225 2375 200007" "$out"
out=$("$STOCKAGENT" model tokenize --tokenizer "$tmp" "Hello world<|end|>")
check "specials are text without --special" "13225 2375 27 91 419 91 29" "$out"
out=$("$STOCKAGENT" model detokenize --tokenizer "$tmp" 13225 2375 200007)
check "detokenize" "Hello world<|end|>" "$out"
out=$(printf 'Vi\341\273\207t Nam \377' | "$STOCKAGENT" model tokenize --tokenizer "$tmp" - |
	"$STOCKAGENT" model detokenize --tokenizer "$tmp" -)
check "invalid UTF-8 becomes U+FFFD" "$(printf 'Vi\341\273\207t Nam \357\277\275')" "$out"

"$STOCKAGENT" model detokenize --tokenizer "$tmp" 13225 999999 2>"$tmp/err"
check "an id out of range exits 2" 2 $?
grep -q "999999 is out of range" "$tmp/err" || { echo "FAIL: no range message"; fail=1; }
"$STOCKAGENT" model tokenize --tokenizer "$tmp/missing.json" x 2>"$tmp/err"
check "a missing tokenizer exits 2" 2 $?
head -c 100000 "$tmp/tokenizer.json" > "$tmp/cut.json"
"$STOCKAGENT" model tokenize --tokenizer "$tmp/cut.json" x 2>"$tmp/err"
check "a truncated tokenizer.json exits 2" 2 $?
grep -q "cut.json" "$tmp/err" || { echo "FAIL: message does not name the file"; fail=1; }

conv="$top_srcdir/tests/fixtures/harmony/conversations"
"$STOCKAGENT" model render --tokenizer "$tmp" \
	"$conv/test_simple_convo_low_effort.json" > "$tmp/out"
check "render exits 0" 0 $?
sed '$d' "$tmp/out" > "$tmp/text"
tr -d '\n' < "$top_srcdir/tests/fixtures/harmony/test_simple_convo_low_effort.txt" > "$tmp/want1"
tr -d '\n' < "$tmp/text" > "$tmp/got1"
cmp -s "$tmp/want1" "$tmp/got1" || { echo "FAIL: render text differs from golden"; fail=1; }
cat > "$tmp/tools.json" <<'JSON'
[{"name": "get_quote", "description": "Latest quote.",
  "parameters": {"type": "object", "properties": {"symbol": {"type": "string"}},
  "required": ["symbol"]}}]
JSON
echo '[{"role": "user", "content": "Price of SIM?"}]' > "$tmp/conv.json"
"$STOCKAGENT" model render --tokenizer "$tmp" --tools "$tmp/tools.json" \
	--reasoning low "$tmp/conv.json" > "$tmp/out"
grep -q '^Reasoning: low$' "$tmp/out" || { echo "FAIL: no reasoning line"; fail=1; }
grep -q '^type get_quote = (_: {$' "$tmp/out" || { echo "FAIL: no tool"; fail=1; }
echo '[{"role": "robot", "content": "x"}]' > "$tmp/bad.json"
"$STOCKAGENT" model render --tokenizer "$tmp" "$tmp/bad.json" 2>"$tmp/err"
check "an invalid conversation exits 2" 2 $?
grep -q 'messages\[0\]' "$tmp/err" || { echo "FAIL: message does not name the message"; fail=1; }
exit $fail
