#!/bin/sh
# cli-layers.sh: the floors hold (src > agents > tools, model > lib), and
# the check that keeps them fails on each kind of violation.
. "$top_srcdir/tests/cli-lib.sh"

check="$PYTHON $top_srcdir/scripts/check-layers.py"

# The tree as it is: no upward include, no circle, with the objects.
$check --root "$top_srcdir" --objects "$top_builddir" >"$T/out" 2>&1
same "$?" 0 "the tree passes: $(head -5 "$T/out")"

# A scratch copy of the source folders to break on purpose.
fresh() {
	rm -rf "$T/tree"
	mkdir -p "$T/tree"
	for d in src agents tools model lib; do
		cp -R "$top_srcdir/$d" "$T/tree/$d"
	done
	find "$T/tree" -name '*.o' -delete
}
# violates DESCRIPTION PATTERN: the check fails on the copy, saying PATTERN
violates() {
	$check --root "$T/tree" >"$T/out" 2>&1
	same "$?" 1 "$1 fails the check"
	has "$T/out" "$2" "$1 is named"
}

fresh
$check --root "$T/tree" >"$T/out" 2>&1
same "$?" 0 "the copy passes"

fresh
printf '#include "src/cmd.h"\n' >>"$T/tree/lib/log.c"
violates "lib including src" "lib/log.c:[0-9]+: lib \(floor 1\) includes src \(floor 4\)"

fresh
printf '#include "agents/agent.h"\n' >>"$T/tree/tools/tool.c"
violates "tools including agents" "tools/tool.c:[0-9]+: .*includes point down only"

fresh
printf '#include "tools/tool.h"\n' >>"$T/tree/tools/ta/ta.h"
violates "a circle of folders" "folders include each other in a circle: .*tools/ta"

fresh
printf '#include "model/model-int.h"\n' >>"$T/tree/src/main.c"
violates "a private header" "src/main.c:[0-9]+: model/model-int.h is private to model"

fresh
printf '#include "xmalloc.h"\n' >>"$T/tree/lib/log.c"
violates "a bare header name" 'by its path from the top of the tree: "lib/xmalloc.h"'

fresh
printf '#include "lib/date.h"\n' >>"$T/tree/lib/log.h"
printf '#include "lib/log.h"\n' >>"$T/tree/lib/date.h"
violates "headers including each other" "headers include each other in a circle|files include each other in a circle"

# Two files of one folder calling each other, seen in their objects.
rm -rf "$T/calls" && mkdir -p "$T/calls/lib"
printf 'int b(int);\nint a(int x) { return x ? b(x - 1) : 0; }\n' >"$T/calls/lib/a.c"
printf 'int a(int);\nint b(int x) { return x ? a(x - 1) : 1; }\n' >"$T/calls/lib/b.c"
(cd "$T/calls" && cc -c -o lib/a.o lib/a.c && cc -c -o lib/b.o lib/b.c)
$check --root "$T/calls" --objects "$T/calls" >"$T/out" 2>&1
same "$?" 1 "a call circle fails the check"
has "$T/out" "files call each other in a circle: lib/a.c -> lib/b.c -> lib/a.c" \
	"the call circle is named"

cli_done
