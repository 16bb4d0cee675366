#!/bin/sh
# tests/cli-complete.sh: shell completion. 'stockagent __complete' against
# the tables it reads, then bash's completion function driven as bash
# drives it (COMP_WORDS, COMP_CWORD, COMP_LINE, COMP_POINT; COMPREPLY
# checked), and the zsh and fish scripts parsed by their shells.
. "$top_srcdir/tests/cli-lib.sh"

D=2025-09-04
export STOCKAGENT_DB="$T/complete.db"
comp="$top_srcdir/completions"

# cands WORDS...: the candidates, one line, sorted
cands() {
	"$STOCKAGENT" __complete "$@" 2>"$T/cerr" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}
is() { # is "EXPECTED" DESCRIPTION -- WORDS...
	want=$1 what=$2
	shift 3
	got=$(cands "$@")
	same "$got" "$want" "$what"
}

# Commands and subcommands come from the command table; __complete hides.
is "analyze ask batch config data db help lambda model models reports runs serve version" \
	"commands" -- ""
is "analyze ask" "commands by prefix" -- a
is "list prune resume show" "runs subcommands" -- runs ""
is "cache history import symbols" "data subcommands" -- data ""
is "clear list" "data cache list|clear" -- data cache ""
is "bench detokenize generate info logits render tokenize" "model subcommands" -- model ""
"$STOCKAGENT" help | grep -q __complete && bad "help lists __complete" || ok

# Options from the getopt tables, with the global ones.
is "--paper" "analyze --pa" -- analyze --pa
got=$(cands analyze --)
for o in --as-of --provider --format --no-pdf --no-header --reasoning \
	--db --config --color --quiet --verbose --help; do
	case " $got " in *" $o "*) ok ;; *) bad "analyze options lack $o: $got" ;; esac
done
is "--keep" "runs list --k" -- runs list --k
is "--no-header" "reports list --no" -- reports list --no
is "list prune" "reports subcommands" -- reports ""
is "--older-than" "reports prune --ol" -- reports prune --ol
is "list merge resume retry show" "batch subcommands" -- batch ""
is "--no-pdf" "batch merge --no" -- batch merge --no

# Fixed values: formats, paper sizes, reasoning levels, colour, providers.
is "csv json ndjson text" "analyze formats (the setting's choices)" -- analyze --format ""
is "--format=csv" "--format=c" -- analyze --format=c
is "csv json text" "runs list formats" -- runs list --format ""
is "csv json" "data history formats" -- data history SIM_STOCK -f ""
is "a4 letter" "paper sizes" -- analyze SIM_STOCK --paper ""
is "high low medium" "reasoning levels" -- ask --reasoning ""
is "always auto never" "colour" -- --color ""
is "alphavantage auto csv edgar sim stooq yahoo" "providers" -- analyze --provider ""
is "analyze gather report" "approval nodes" -- analyze --approve ""
is "bedrock: builtin local: openai: sagemaker:" "model URI schemes" -- analyze --model ""
schemes=$("$STOCKAGENT" models list | awk '{print $1}' | LC_ALL=C sort | tr '\n' ' ')
for s in $schemes; do
	case " $(cands models check "") " in *" $s"*) ok ;; *) bad "scheme $s missing" ;; esac
done
is "color" "setting names" -- config get co

# Symbols from the provider's universe, whatever the case typed.
"$STOCKAGENT" data symbols | awk '{print $1}' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//' >"$T/syms"
is "$(cat "$T/syms")" "symbols" -- analyze ""
is "SIM_SMALL SIM_STOCK" "symbols by prefix, any case" -- analyze sim_s
is "" "one symbol only" -- analyze SIM_STOCK ""
is "SIM_VALUE" "runs list --symbol" -- runs list --symbol SIM_V

# Run ids from the database; none made when there is none.
is "" "no database, no runs" -- runs show ""
[ -e "$STOCKAGENT_DB" ] && bad "completion created the database" || ok
expect 0 "a run" -- analyze SIM_STOCK --as-of $D --no-pdf --thread alpha-1
expect 0 "another" -- analyze SIM_VALUE --as-of $D --no-pdf --thread beta-2
is "alpha-1 beta-2" "run ids" -- runs show ""
is "beta-2" "run ids by prefix" -- runs resume b
mv "$STOCKAGENT_DB" "$T/other.db"
is "alpha-1 beta-2" "--db before the command" -- --db "$T/other.db" runs show ""
is "alpha-1" "--db= after it" -- runs show --db="$T/other.db" a

# Help takes a command, then a subcommand.
is "reports runs" "help COMMAND" -- help r
is "list" "help COMMAND SUBCOMMAND" -- help runs l
# Files and directories are the shell's.
same "$(cands analyze --out "")" ":dir" "--out is a directory"
same "$(cands --config "")" ":file" "--config is a file"
is "" "unknown command" -- nosuch ""
is "" "free text" -- analyze --as-of ""

# The shells find the binary under test on the PATH.
mkdir -p "$T/bin"
ln -s "$STOCKAGENT" "$T/bin/stockagent"
mv "$T/other.db" "$STOCKAGENT_DB"

# bash: the script sourced after bash-completion, its function called.
bc=""
for f in /usr/share/bash-completion/bash_completion /etc/bash_completion; do
	[ -r "$f" ] && bc=$f && break
done
if [ -z "$bc" ] || ! command -v bash >/dev/null; then
	echo "SKIP: bash-completion not installed (bash part)"
else
	cat >"$T/drive.bash" <<'BASH'
# drive.bash LINE: completes LINE (the cursor at its end) as bash would
# and prints COMPREPLY, one line, sorted.
source "$BC"
source "$COMP/bash/stockagent"
line=$1
COMP_LINE=$line
COMP_POINT=${#line}
# bash splits at COMP_WORDBREAKS; a trailing space starts a new word.
read -ra COMP_WORDS <<<"$line"
[[ $line == *" " ]] && COMP_WORDS+=("")
wb=$COMP_WORDBREAKS
words=()
for w in "${COMP_WORDS[@]}"; do
	if [[ $w == --*=* ]]; then words+=("${w%%=*}" "=" "${w#*=}"); else words+=("$w"); fi
done
COMP_WORDS=("${words[@]}")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
complete -p stockagent >/dev/null || { echo "not registered"; exit 1; }
_stockagent stockagent "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
BASH
	bashis() { # bashis "EXPECTED" "LINE"
		got=$(PATH="$T/bin:$PATH" BC=$bc COMP=$comp bash "$T/drive.bash" "$2" 2>&1)
		same "$got" "$1" "bash: '$2'"
	}
	bashis "analyze ask" "stockagent a"
	bashis "list prune resume show" "stockagent runs "
	bashis "alpha-1 beta-2" "stockagent runs show "
	bashis "beta-2" "stockagent runs resume be"
	bashis "SIM_STOCK" "stockagent analyze SIM_ST"
	bashis "a4 letter" "stockagent analyze SIM_STOCK --paper "
	bashis "csv json ndjson text" "stockagent analyze SIM_STOCK --format "
	bashis "csv" "stockagent analyze SIM_STOCK --format=c"
	bashis "high low medium" "stockagent analyze X --reasoning "
	bashis "--no-fallback" "stockagent analyze --no-f"
	bashis "always auto never" "stockagent --color "
	# A URI scheme after the colon bash splits at: the part after it.
	bashis "bedrock:" "stockagent models check bed"
	mkdir "$T/dir-a" "$T/dir-b" && : >"$T/dir-file"
	bashis "$T/dir-a $T/dir-b" "stockagent analyze --out $T/dir-"
fi

# fish: its own completer run on the script.
if command -v fish >/dev/null; then
	fishis() { # fishis "EXPECTED" "LINE"
		got=$(PATH="$T/bin:$PATH" fish -c "source '$comp/fish/stockagent.fish'; complete -C '$2'" 2>&1 |
			cut -f1 | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
		same "$got" "$1" "fish: '$2'"
	}
	fishis "list prune resume show" "stockagent runs "
	fishis "alpha-1 beta-2" "stockagent runs show "
	fishis "a4 letter" "stockagent analyze --paper "
	fishis "--format=csv" "stockagent analyze --format=c"
else
	echo "SKIP: fish not installed (fish part)"
fi
# zsh: the script parses and asks the binary (driving zle needs a tty).
if command -v zsh >/dev/null; then
	zsh -n "$comp/zsh/_stockagent" && ok || bad "zsh cannot parse _stockagent"
	grep -q "__complete" "$comp/zsh/_stockagent" && ok || bad "_stockagent does not ask the binary"
fi

cli_done
