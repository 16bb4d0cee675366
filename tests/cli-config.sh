#!/bin/sh
# cli-config.sh: settings are typed, checked once wherever they come from,
# listed with their origins, and documented exactly in the man page.
. "$top_srcdir/tests/cli-lib.sh"

D=2025-09-04
A="analyze SIM_STOCK --as-of $D --no-pdf"
CFG="$XDG_CONFIG_HOME/stockagent/config"
mkdir -p "$XDG_CONFIG_HOME/stockagent"

# bad_env NAME VALUE HINT: STOCKAGENT_NAME=VALUE is refused with exit 2, in
# one line naming the setting, the variable and what is allowed.
bad_env() {
	var=STOCKAGENT_$(echo "$1" | tr a-z A-Z)
	env "$var=$2" "$STOCKAGENT" $A >"$T/out" 2>"$T/err"
	same "$?" 2 "$var=$2 exits 2"
	one_line "$T/err" "$var=$2"
	has "$T/err" "$1 '$2' \(from $var\): $3" "$var=$2 message"
	[ -s "$T/out" ] && bad "$var=$2 printed a result" || ok
}
bad_env risk_free_rate abc "use a number from -0.5 to 1"
bad_env risk_free_rate 0.04x "use a number"
bad_env risk_free_rate nan "use a number"
bad_env recursion_limit -5 "use a whole number from 1 to 10000"
bad_env recursion_limit 0 "use a whole number"
bad_env recursion_limit abc "use a whole number"
bad_env recursion_limit 1000000000000000000000000000000 "use a whole number"
bad_env no_pdf maybe "use true or false"
bad_env paper legal "use letter or a4"
bad_env max_steps 0 "use a whole number from 1 to 100"

# The same values from the file name FILE:LINE.
printf '# settings\nrisk_free_rate = abc\n' >"$CFG"
expect 2 "bad value in the file" -- $A
one_line "$T/err" "bad file value"
has "$T/err" "risk_free_rate 'abc' \(from $CFG:2\): use a number" \
	"file:line named"

# A flag's bad value names the flag.
rm -f "$CFG"
expect 2 "--temperature nan" -- $A --temperature nan
has "$T/err" "temperature 'nan' \(from --temperature\)" "flag named"
expect 2 "--temperature inf" -- $A --temperature inf
expect 2 "--paper legal" -- $A --paper legal
has "$T/err" "use letter or a4" "paper choices"

# Standard boolean spellings: each true spelling skips the PDF.
for v in 1 true yes on TRUE; do
	rm -rf "$T/r"
	STOCKAGENT_NO_PDF=$v "$STOCKAGENT" analyze SIM_STOCK --as-of $D \
		--out "$T/r" >"$T/out" 2>"$T/err"
	same "$?" 0 "no_pdf=$v runs"
	[ -e "$T/r" ] && bad "no_pdf=$v still wrote a PDF" || ok
done
rm -rf "$T/r"
STOCKAGENT_NO_PDF=off "$STOCKAGENT" analyze SIM_STOCK --as-of $D \
	--out "$T/r" >"$T/out" 2>"$T/err"
same "$(find "$T/r" -name '*.pdf' | wc -l)" 1 "no_pdf=off writes the PDF"

# The risk-free rate changes the Sharpe ratio; the default is 0.04.
run $A --format json
s1=$(jget "$T/out" 'r["analysis"]["risk"]["sharpe"]')
STOCKAGENT_RISK_FREE_RATE=0.10 "$STOCKAGENT" $A --format json >"$T/out" 2>"$T/err"
s2=$(jget "$T/out" 'r["analysis"]["risk"]["sharpe"]')
[ "$s1" != "$s2" ] && [ "$s2" != None ] && ok || bad "risk_free_rate unused: $s1 $s2"

# A config path that is a directory, and a missing one.
expect 2 "--config DIR" -- --config "$T" $A
one_line "$T/err" "--config DIR"
has "$T/err" "is a directory" "directory named"

# An unknown key is a warning with the nearest name; the run goes on.
printf 'modle = bedrock:x\n' >"$CFG"
expect 0 "unknown key" -- $A
has "$T/err" "$CFG:1: unknown setting 'modle' ignored; did you mean 'model'\?" \
	"nearest known name"
printf '[prices]\nsource = x\n' >"$CFG"
expect 0 "unknown section key" -- $A
has "$T/err" "unknown setting 'prices.source'" "section key named"

# config list: every setting, its value and where it came from.
printf 'paper = a4\n' >"$CFG"
STOCKAGENT_FORMAT=json "$STOCKAGENT" config list --db "$T/x.db" \
	>"$T/out" 2>"$T/err"
same "$?" 0 "config list"
has "$T/out" "^$CFG:1	paper=a4$" "file origin"
has "$T/out" "^STOCKAGENT_FORMAT	format=json$" "variable origin"
has "$T/out" "^--db	db=$T/x.db$" "flag origin"
has "$T/out" "^default	model=builtin$" "default origin"
has "$T/out" "^unset	s3=$" "unset"
STOCKAGENT_SEED=x "$STOCKAGENT" config list --format json >"$T/out" 2>"$T/err"
same "$?" 0 "config list shows bad values too"
has "$T/err" "invalid seed 'x' \(from STOCKAGENT_SEED\)" "and names them"
same "$(jget "$T/out" '[x["value"] for x in r if x["name"] == "seed"][0]')" x \
	"json value"
same "$(jget "$T/out" '[x["choices"] for x in r if x["name"] == "paper"][0]')" \
	"['letter', 'a4']" "json choices"
run config get paper
same "$(cat "$T/out")" a4 "config get"
expect 2 "config get unknown" -- config get nope
expect 2 "config without subcommand" -- config
rm -f "$CFG"

# The man page's CONFIGURATION section lists exactly the table's settings.
run config list --format json
jget "$T/out" '"\n".join(sorted(x["name"] for x in r))' >"$T/table"
sed -n '/^\.SH CONFIGURATION/,/^\.SH /p' "$top_srcdir/man/stockagent.1" |
	sed -n '/^\.TP/{n;s/^\.BR* \([a-z_0-9.]*\).*/\1/p}' | sort >"$T/man"
if diff "$T/table" "$T/man" >"$T/diff"; then ok; else
	bad "man page and settings table differ: $(cat "$T/diff")"
fi
[ -s "$T/table" ] && ok || bad "no settings listed"

cli_done
