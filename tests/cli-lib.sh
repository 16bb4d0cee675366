# tests/cli-lib.sh: shared by the tests/cli-*.sh scripts (sourced).
#
# Gives each test a private temporary HOME, database and working directory,
# and small assertion helpers. Counts and prints "N tests, P passed, F
# failed"; cli_done returns 1 if any check failed (the script's status when
# it is the last command; elsewhere follow it with exit $?).

set -u
: "${STOCKAGENT:?STOCKAGENT must name the built binary}"
: "${top_srcdir:?top_srcdir must be set}"

cli_pass=0
cli_fail=0
T=$(mktemp -d "${TMPDIR:-/tmp}/stockagent-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
export HOME="$T/home" XDG_DATA_HOME="$T/data" XDG_CONFIG_HOME="$T/config"
export NO_COLOR=1 AWS_EC2_METADATA_DISABLED=true
unset STOCKAGENT_DB STOCKAGENT_MODEL STOCKAGENT_PROVIDER STOCKAGENT_CONFIG \
	STOCKAGENT_FORMAT STOCKAGENT_OUT STOCKAGENT_S3 STOCKAGENT_DEBUG_KILL_AT
# English unless a test asks for another language (lib/i18n.h).
unset LANGUAGE LC_MESSAGES STOCKAGENT_LANG
case "${LC_ALL:-}${LANG:-}" in vi*) export LC_ALL=C.UTF-8 ;; esac
mkdir -p "$HOME"
cd "$T" || exit 99

# The Debian python3 (with numpy and jsonschema) when it is there.
PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3

ok() { cli_pass=$((cli_pass + 1)); }
bad() { cli_fail=$((cli_fail + 1)); echo "FAIL: $*"; }

# run CMD...: runs stockagent, stdout in $T/out, stderr in $T/err, status $rc
run() {
	"$STOCKAGENT" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# expect STATUS DESCRIPTION -- ARGS...: runs stockagent and checks its status
expect() {
	local want=$1 what=$2
	shift 3
	run "$@"
	if [ "$rc" -eq "$want" ]; then ok; else
		bad "$what: exit $rc, expected $want ($(head -c 300 "$T/err"))"
	fi
}

# has FILE PATTERN DESCRIPTION: grep -E
has() {
	if grep -Eq -- "$2" "$1"; then ok; else bad "$3: no /$2/ in $1"; fi
}
hasnt() {
	if grep -Eq -- "$2" "$1"; then bad "$3: /$2/ in $1"; else ok; fi
}
# one_line FILE DESCRIPTION: an error message is exactly one line
one_line() {
	if [ "$(wc -l <"$1")" -eq 1 ]; then ok; else
		bad "$2: $(wc -l <"$1") lines on stderr: $(head -c 300 "$1")"
	fi
}
same() { # same A B DESCRIPTION
	if [ "$1" = "$2" ]; then ok; else bad "$3: '$1' != '$2'"; fi
}

# jget FILE EXPR: prints the Python expression EXPR over the JSON in FILE,
# bound to r (e.g. jget "$T/out" 'r["analysis"]["price"]').
jget() {
	$PYTHON -c 'import json, sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# strip_result FILE: a --format json result without what differs between
# two runs of the same input (ids, times, usage, where the PDF went).
strip_result() {
	$PYTHON -c '
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("thread_id", "generated_at", "usage"):
    r.pop(k, None)
pdf = (r.get("report") or {}).get("pdf")
if pdf:
    for k in ("path", "sha256", "size"):
        pdf.pop(k, None)
print(json.dumps(r, sort_keys=True))' "$1"
}

cli_done() {
	echo "$((cli_pass + cli_fail)) tests, $cli_pass passed, $cli_fail failed"
	[ "$cli_fail" -eq 0 ]
}
