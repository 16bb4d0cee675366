#!/bin/sh
# scripts/check-format.sh [--fix]: are the C sources in the style that the
# checked-in .clang-format describes? Lists the files that are not and exits
# 1; with --fix, formats them in place. Generated tables and test fixtures
# (real source files kept as tokenizer test text) are left as they are.
set -eu
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null 2>&1 || {
	echo "check-format.sh: clang-format is missing (scripts/setup --deps installs it)" >&2
	exit 2
}
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files=$(git ls-files '*.c' '*.h' '*.cu')
else
	files=$(find src agents tools model lib tests -name '*.[ch]' -o -name '*.cu')
fi
files=$(printf '%s\n' $files | grep -v -e '^model/gptoss/unicode-tables\.c$' \
	-e '^tests/fixtures/' -e '^tests/node_modules/')
if [ "${1:-}" = "--fix" ]; then
	# shellcheck disable=SC2086
	clang-format -i --style=file $files
	exit 0
fi
bad=0
for f in $files; do
	if ! clang-format --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "check-format.sh: $f is not formatted (scripts/check-format.sh --fix)"
		bad=1
	fi
done
[ "$bad" -eq 0 ] && echo "check-format.sh: $(printf '%s\n' $files | wc -l) files formatted"
exit "$bad"
