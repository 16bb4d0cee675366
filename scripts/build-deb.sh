#!/bin/sh
# scripts/build-deb.sh: build the Debian package and try it.
#
#   scripts/build-deb.sh [OUTDIR]     the .deb lands in OUTDIR (default build-deb/)
#
# Builds with 'dpkg-buildpackage -b -us -uc' in a scratch copy of the tree
# (so the tree's own build is left alone), without the test suite (make
# check runs it; DEB_BUILD_OPTIONS adds to nocheck), checks the .deb with
# lintian (errors fail), then unpacks it with 'dpkg -x' into a scratch
# root and runs the program from there: version, an offline analysis with
# the packaged data, a completion, and the files the package must hold.
# Needs dpkg-dev, debhelper and the build dependencies (scripts/setup).
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)
out=${1:-$top/build-deb}
work=$(mktemp -d "${TMPDIR:-/tmp}/stockagent-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
src="$work/stockagent"
mkdir -p "$src" "$out"

# The tree as git sees it (tracked and new files, no build outputs), or as
# it is when it is not a git checkout (a release tarball).
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf - | tar -xf - -C "$src"
else
	tar --exclude=./build-deb -cf - . | tar -xf - -C "$src"
fi

echo "== dpkg-buildpackage -b -us -uc"
(cd "$src" && DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1 || {
	tail -40 "$work/build.log"
	echo "build-deb: dpkg-buildpackage failed" >&2
	exit 1
}
deb=$(ls "$work"/stockagent_*.deb)
cp "$deb" "$out/"
deb="$out/$(basename "$deb")"
echo "built $deb"

if command -v lintian >/dev/null 2>&1; then
	echo "== lintian"
	lintian --fail-on error --tag-display-limit 0 "$deb"
else
	echo "build-deb: lintian not installed; not checked" >&2
fi

echo "== dpkg -x into a scratch root"
root="$work/root"
dpkg -x "$deb" "$root"
fail=0
for f in usr/bin/stockagent usr/share/man/man1/stockagent.1.gz \
	usr/share/stockagent/sim-universe.json \
	usr/share/stockagent/output.schema.json \
	usr/share/stockagent/model-prices.json \
	usr/share/bash-completion/completions/stockagent \
	usr/share/zsh/vendor-completions/_stockagent \
	usr/share/fish/vendor_completions.d/stockagent.fish \
	usr/share/doc/stockagent/copyright; do
	[ -e "$root/$f" ] || { echo "build-deb: the package lacks /$f" >&2; fail=1; }
done
bin="$root/usr/bin/stockagent"
export HOME="$work/home" XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
"$bin" version || fail=1
STOCKAGENT_DATA_DIR="$root/usr/share/stockagent" "$bin" --db "$work/smoke.db" \
	analyze SIM_STOCK --as-of 2025-09-04 --no-pdf --format csv >"$work/smoke.csv" || fail=1
grep -q '^SIM_STOCK,2025-09-04,' "$work/smoke.csv" || { echo "build-deb: the packaged program's analysis failed" >&2; fail=1; }
[ "$("$bin" __complete runs l)" = "list" ] || { echo "build-deb: completion failed" >&2; fail=1; }
[ "$fail" -eq 0 ] && echo "build-deb: $deb works"
exit "$fail"
