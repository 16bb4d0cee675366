#!/bin/sh
# tests/cli-color.sh: colour on a terminal only (a pty from Python's pty
# module), never in pipes, with NO_COLOR, TERM=dumb or --color never;
# --color always forces it; without the escapes the text is the golden one.
. "$top_srcdir/tests/cli-lib.sh"

D=2025-09-04
export STOCKAGENT_DB="$T/color.db"
golden="$top_srcdir/tests/fixtures/golden/SIM_STOCK-$D.txt"
ESC=$(printf '\033')

# onpty FILE ENV... -- ARGS...: runs stockagent with stdout and stderr on a
# new pseudo-terminal, under the environment changes ENV (NAME=VALUE, or
# -NAME to unset), and writes what the terminal showed to FILE.
onpty() {
	out=$1
	shift
	$PYTHON - "$out" "$STOCKAGENT" "$@" <<'PY'
import os, pty, sys
out, exe, args = sys.argv[1], sys.argv[2], sys.argv[3:]
env = dict(os.environ)
while args and args[0] != "--":
    a = args.pop(0)
    if a.startswith("-"):
        env.pop(a[1:], None)
    else:
        k, v = a.split("=", 1)
        env[k] = v
args = args[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execve(exe, [exe] + args, env)
data = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
_, status = os.waitpid(pid, 0)
open(out, "wb").write(data.replace(b"\r\n", b"\n"))
sys.exit(os.waitstatus_to_exitcode(status))
PY
}
plain() { # plain FILE: FILE without SGR sequences and the Generated line
	sed "s/$ESC\[[0-9;]*m//g" "$1" | grep -v '^- Generated:'
}
coloured() { # coloured FILE DESCRIPTION
	if grep -q "$ESC\[" "$1"; then ok; else bad "$2: no colour"; fi
}
uncoloured() {
	if grep -q "$ESC" "$1"; then bad "$2: escape sequences"; else ok; fi
}

A="analyze SIM_STOCK --as-of $D --no-pdf"

$PYTHON -c 'import os, pty; os.openpty()' 2>/dev/null ||
	{ echo "SKIP: no pseudo-terminal here"; exit 77; }

# A terminal: colour, and the same text underneath.
onpty "$T/tty" -NO_COLOR TERM=xterm -- $A ||
	bad "analyze on a pty failed: $(head -c 300 "$T/tty")"
coloured "$T/tty" "terminal"
plain "$T/tty" | cmp -s - "$golden" && ok || bad "terminal text without colour differs from $golden"
grep -q "Overall Score: $ESC\[31m2/5$ESC\[0m ($ESC\[31mUNFAVORABLE$ESC\[0m)" "$T/tty" && ok ||
	bad "overall score and label not red"
grep -q "^$ESC\[1mSCORES:$ESC\[0m$" "$T/tty" && ok || bad "SCORES heading not bold"
grep -q "Change: $ESC\[32m+0.27$ESC\[0m" "$T/tty" && ok || bad "a rise is not green"
grep -q "YTD Return: $ESC\[31m-18.62%$ESC\[0m" "$T/tty" && ok || bad "a fall is not red"

# What turns it off on a terminal.
onpty "$T/nc" NO_COLOR=1 TERM=xterm -- $A
uncoloured "$T/nc" "NO_COLOR=1"
onpty "$T/nce" NO_COLOR= TERM=xterm -- $A
coloured "$T/nce" "NO_COLOR empty (means unset)"
onpty "$T/dumb" -NO_COLOR TERM=dumb -- $A
uncoloured "$T/dumb" "TERM=dumb"
onpty "$T/never" -NO_COLOR TERM=xterm -- --color never $A
uncoloured "$T/never" "--color never"
onpty "$T/envnever" -NO_COLOR TERM=xterm STOCKAGENT_COLOR=never -- $A
uncoloured "$T/envnever" "STOCKAGENT_COLOR=never"
onpty "$T/json" -NO_COLOR TERM=xterm -- $A --format json
uncoloured "$T/json" "json on a terminal"

# Pipes: plain, the golden text; --color always forces colour, even over
# NO_COLOR (a flag wins over the environment).
expect 0 "pipe" -- $A
uncoloured "$T/out" "pipe"
grep -v '^- Generated:' "$T/out" | cmp -s - "$golden" && ok || bad "piped text differs from $golden"
expect 0 "always" -- $A --color always
coloured "$T/out" "--color always in a pipe"
plain "$T/out" | cmp -s - "$golden" && ok || bad "--color always text differs from $golden"
expect 0 "always=" -- --color=always $A
coloured "$T/out" "--color=always before the command"
printf 'color = always\n' >"$T/cfg"
expect 0 "config always" -- --config "$T/cfg" $A
coloured "$T/out" "color = always in the config file"

# Messages on stderr follow the same rule.
onpty "$T/err-tty" -NO_COLOR TERM=xterm -- analyze NO_SUCH_SYMBOL_X --as-of $D --no-pdf
grep -q "$ESC\[1;31merror:" "$T/err-tty" && ok || bad "error tag not red on a terminal: $(head -c 200 "$T/err-tty")"
onpty "$T/err-never" -NO_COLOR TERM=xterm -- --color never analyze NO_SUCH_SYMBOL_X --as-of $D --no-pdf
uncoloured "$T/err-never" "error with --color never"

# A bad value: exit 2, one line naming what is allowed.
expect 2 "bad --color" -- --color sometimes $A
one_line "$T/err" "bad --color"
has "$T/err" "always" "bad --color names the choices"
STOCKAGENT_COLOR=rainbow "$STOCKAGENT" $A >/dev/null 2>"$T/err"
[ $? -eq 2 ] && ok || bad "STOCKAGENT_COLOR=rainbow accepted"

cli_done
