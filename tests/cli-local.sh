#!/bin/sh
# cli-local.sh: the local:DIR model backend end to end on a tiny random
# gpt-oss with the real vocabulary (scripts/gen-tiny-gptoss.py --preset
# tinyvocab) and the o200k_harmony tokenizer.json (tests/oracle). Random
# weights cannot write valid harmony, so every agent's model turn fails
# with the local model's error and the run falls back to the built-in
# policy; --no-fallback makes that exit 4. Also URI errors (exit 2), a
# missing directory or tokenizer (exit 4) and 'model generate --prompt'.
# Skips (77) without node + js-tiktoken or python3 + numpy.
set -u
: "${STOCKAGENT:?}" "${top_srcdir:?}"
command -v node >/dev/null 2>&1 || { echo "SKIP: no node"; exit 77; }
[ -d "$top_srcdir/tests/node_modules/js-tiktoken" ] ||
	{ echo "SKIP: no js-tiktoken"; exit 77; }
PY=""
for p in /usr/bin/python3 python3; do
	if command -v "$p" >/dev/null 2>&1 &&
	    "$p" -c 'import numpy' >/dev/null 2>&1; then
		PY=$p
		break
	fi
done
[ -n "$PY" ] || { echo "SKIP: python3 with numpy not found"; exit 77; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
M="$tmp/model"
"$PY" "$top_srcdir/scripts/gen-tiny-gptoss.py" "$M" --preset tinyvocab \
	--seed 3 || exit 1
node -e "require('$top_srcdir/tests/oracle/o200k.js').writeTokenizerJson('$M/tokenizer.json')" ||
	exit 1
S="$STOCKAGENT --db $tmp/db.sqlite"
URI="local:$M?max_tokens=32&threads=1"

# A full run: exit 0, every agent falls back naming the local model's error.
$S --verbose analyze SIM_STOCK --as-of 2025-09-04 --no-pdf --format json \
	--model "$URI" >"$tmp/out.json" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || { bad "analyze with the local model exited $rc"; cat "$tmp/err"; }
"$PY" - "$tmp/out.json" "$M" <<'EOF' || bad "the run's JSON"
import json, sys
d = json.load(open(sys.argv[1]))
fb = d["fallbacks"]
assert [f["agent"] for f in fb] == ["gather", "analyze", "report"], fb
for f in fb:
    assert f["reason"].startswith("model error: local model '%s': "
                                  % sys.argv[2]), f
    assert "harmony" in f["reason"] or "max tokens" in f["reason"], f
assert d["model"].startswith("local:"), d["model"]
assert d["report"] and d["analysis"], "the built-in policy ran"
local = [u for u in d["usage"]["calls"] if u["model"].startswith("local:")]
assert [u["agent"] for u in local] == ["gather", "analyze", "report"], local
assert all(u["prompt_tokens"] > 0 and u["completion_tokens"] > 0
           for u in local), local
EOF
grep -q "local model '$M': precision fast" "$tmp/err" ||
	bad "the local model is not fast by default"
# The precision setting wins over the URI's precision=.
STOCKAGENT_PRECISION=exact $S --verbose models check "$URI&precision=fast" \
	>/dev/null 2>"$tmp/err2"
grep -q "local model '$M': precision exact" "$tmp/err2" ||
	bad "the precision setting does not reach the local model"
$S --verbose models check "$URI&precision=exact" >/dev/null 2>"$tmp/err2"
grep -q "local model '$M': precision exact" "$tmp/err2" ||
	bad "precision=exact does not reach the local model"
# Each agent's turn rendered a prompt and generated tokens; the system
# message dates the conversation on the run's as-of date.
n=$(grep -c "local model '$M': [1-9][0-9]* prompt tokens ([0-9]* reused), [1-9][0-9]* generated, date 2025-09-04" "$tmp/err")
[ "$n" -eq 3 ] || { bad "expected 3 local model turns, saw $n"; cat "$tmp/err"; }

# --no-fallback: exit 4, one error line naming the model's failure.
$S analyze SIM_STOCK --as-of 2025-09-04 --no-pdf --format json \
	--model "$URI" --no-fallback >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 4 ] || bad "--no-fallback exited $rc, expected 4"
[ "$(grep -c 'error:' "$tmp/err")" -eq 1 ] &&
	grep -q "gather agent: model error: local model '$M'.*fallback disabled" "$tmp/err" ||
	{ bad "--no-fallback message"; cat "$tmp/err"; }

# models check reports the model's error and exits 4.
$S models check "$URI" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 4 ] || bad "models check exited $rc, expected 4"
grep -q "local model '$M'" "$tmp/err" || { bad "models check message"; cat "$tmp/err"; }

# Bad URIs are usage errors (2); a directory that fails to load is 4.
for u in "local:" "local:$M?bogus=1" "local:$M?threads=x" \
    "local:$M?reasoning=max" "local:$M?context" "local:$M?precision=half"; do
	$S models check "$u" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || bad "'$u' exited $rc, expected 2"
	grep -q "local" "$tmp/err" || bad "'$u': no clear message"
done
$S models check "local:$tmp/missing" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 4 ] || bad "a missing directory exited $rc, expected 4"
grep -q "$tmp/missing" "$tmp/err" || bad "the message does not name the directory"
mkdir "$tmp/notok"
cp "$M"/*.json "$M"/*.safetensors "$tmp/notok/"
rm "$tmp/notok/tokenizer.json"
$S models check "local:$tmp/notok" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 4 ] || bad "a directory without tokenizer.json exited $rc, expected 4"
grep -q "tokenizer.json" "$tmp/err" || bad "the message does not name tokenizer.json"

# A CUDA device that cannot be used is exit 11 for analyze and ask too,
# as for the model subcommands (where one is present, tests/gpu-cuda.sh).
if ! $S model info "$M" --device cuda >/dev/null 2>&1; then
	for cmd in "analyze SIM_STOCK --as-of 2025-09-04 --no-pdf" \
		"ask Analyze_Apple_stock"; do
		# shellcheck disable=SC2086
		$S $cmd --model "local:$M?device=cuda&threads=1" \
			>/dev/null 2>"$tmp/err"
		rc=$?
		[ $rc -eq 11 ] || bad "$cmd with ?device=cuda exited $rc, not 11"
		[ "$(wc -l <"$tmp/err")" -eq 1 ] ||
			bad "$cmd with ?device=cuda: not one line"
		grep -q "device cuda" "$tmp/err" ||
			bad "$cmd with ?device=cuda: the message names no device"
	done
fi

# A prompt longer than the context is a clear error, not a crash.
$S models check "local:$M?context=64" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 4 ] || bad "an overlong prompt exited $rc, expected 4"
grep -q "context holds 64" "$tmp/err" || { bad "context message"; cat "$tmp/err"; }

# model generate --prompt: the text is encoded with DIR's tokenizer (the
# same ids as --tokens give) and the generated ids come back as text.
G="$STOCKAGENT model generate --model local:$M --max-tokens 5 --threads 1"
ids=$($STOCKAGENT model tokenize --tokenizer "$M" "Hello world" | tr ' ' ',')
$G --prompt "Hello world" >"$tmp/text" || bad "generate --prompt failed"
$G --prompt "Hello world" --format json >"$tmp/p.json" ||
	bad "generate --prompt --format json failed"
$G --tokens "$ids" --format json >"$tmp/t.json" || bad "generate --tokens failed"
"$PY" - "$tmp/p.json" "$tmp/t.json" "$tmp/text" <<'EOF' || bad "generate --prompt output"
import json, sys
p = json.load(open(sys.argv[1])); t = json.load(open(sys.argv[2]))
text = open(sys.argv[3], encoding="utf-8").read()
assert p["prompt_tokens"] == t["prompt_tokens"] == 2, (p, t)
assert p["tokens"] == t["tokens"] and len(p["tokens"]) == 5, (p, t)
assert text == p["text"] + "\n" and p["text"], (text, p)
EOF
$G --prompt "" >/dev/null 2>&1
[ $? -eq 2 ] || bad "an empty --prompt is not a usage error"
$G --prompt x --tokens 1 >/dev/null 2>&1
[ $? -eq 2 ] || bad "--prompt with --tokens is not a usage error"
exit $fail
