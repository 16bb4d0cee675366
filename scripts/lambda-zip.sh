#!/bin/sh
# scripts/lambda-zip.sh BINARY SRCDIR BUILDDIR [OUT.zip]: the AWS Lambda
# package of stockagent for the build machine's architecture ('make
# lambda-zip'), by default BUILDDIR/stockagent-lambda.zip:
#
#   bootstrap                  runs 'stockagent lambda' (data/lambda/bootstrap)
#   bin/stockagent
#   lib/                       shared libraries, and ld-loader.so
#   share/stockagent/          data files, fonts/DejaVuSans{,-Bold}.ttf
#   share/locale/              message catalogs
#   etc/ca-certificates.crt    CA certificates (when the image has none)
#
# Which libraries: every one ldd lists for the binary and for libcurl.so.4
# (loaded at run time, so ldd of the binary does not show it), glibc and
# its loader included. The provided.al2023 image has glibc 2.34 and few
# other libraries, of other versions than the ones this binary was linked
# against on the build machine; a library that exists on both would still
# have to match the build's. So the package carries them all and bootstrap
# starts the binary through the packaged loader with --library-path: the
# image provides the kernel, /tmp and, when it has one, the CA bundle.
# The architecture is the build machine's (uname -m: x86_64 or aarch64,
# arm64 in Lambda's words); build on an arm64 machine for arm64.
set -eu
bin=$1
src=$2
build=$3
out=${4:-$build/stockagent-lambda.zip}
case $(uname -m) in
x86_64) arch=x86_64 ;;
aarch64) arch=arm64 ;;
*) echo "lambda-zip.sh: Lambda runs x86_64 or arm64, not $(uname -m)" >&2; exit 1 ;;
esac
command -v ldd >/dev/null 2>&1 || { echo "lambda-zip.sh: ldd is missing" >&2; exit 1; }
curl=${STOCKAGENT_LIBCURL:-$(/sbin/ldconfig -p 2>/dev/null |
	sed -n 's/^[[:space:]]*libcurl\.so\.4 (.*) => \(.*\)$/\1/p' | head -1)}
[ -n "$curl" ] && [ -r "$curl" ] || {
	echo "lambda-zip.sh: libcurl.so.4 not found; install libcurl4 (scripts/setup does)" >&2
	exit 1
}
stage=$(mktemp -d "${TMPDIR:-/tmp}/stockagent-lambda.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib" "$stage/share/stockagent/fonts" \
	"$stage/share/locale" "$stage/etc"
cp "$src/data/lambda/bootstrap" "$stage/bootstrap"
cp "$bin" "$stage/bin/stockagent"
strip "$stage/bin/stockagent" 2>/dev/null || true
# The libraries: "name => /path (addr)" lines, and the loader's own line.
for f in "$bin" "$curl"; do
	ldd "$f"
done | sed -n 's/^[[:space:]]*[^[:space:]]* => \(\/[^[:space:]]*\) .*/\1/p;
	s/^[[:space:]]*\(\/[^[:space:]]*ld-linux[^[:space:]]*\) .*/\1/p' |
	sort -u >"$stage/libs"
cp -L "$curl" "$stage/lib/libcurl.so.4"
while read -r lib; do
	case $lib in
	*/ld-linux*) cp -L "$lib" "$stage/lib/ld-loader.so" ;;
	*) cp -L "$lib" "$stage/lib/" ;;
	esac
done <"$stage/libs"
rm "$stage/libs"
[ -f "$stage/lib/ld-loader.so" ] || { echo "lambda-zip.sh: ldd named no loader" >&2; exit 1; }
chmod 755 "$stage/bootstrap" "$stage/bin/stockagent" "$stage/lib/ld-loader.so"
for f in sim-universe.json model-prices.json output.schema.json; do
	cp "$src/data/$f" "$stage/share/stockagent/"
done
fonts=/usr/share/fonts/truetype/dejavu
for f in DejaVuSans.ttf DejaVuSans-Bold.ttf; do
	if [ -r "$fonts/$f" ]; then cp "$fonts/$f" "$stage/share/stockagent/fonts/"; else
		echo "lambda-zip.sh: warning: $fonts/$f missing: PDFs will fail (apt-get install fonts-dejavu-core)" >&2
	fi
done
[ -d "$build/po/locale" ] && cp -R "$build/po/locale/." "$stage/share/locale/"
[ -r /etc/ssl/certs/ca-certificates.crt ] &&
	cp /etc/ssl/certs/ca-certificates.crt "$stage/etc/"
# A zip with the modes kept (bootstrap must be executable), entries in
# order, no directory entries.
python3 - "$stage" "$out.tmp" <<'PY'
import os, sys, zipfile
root, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for d, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(d, f)
            info = zipfile.ZipInfo(os.path.relpath(p, root), (2024, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | (os.stat(p).st_mode & 0o777)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(p, "rb") as fh:
                z.writestr(info, fh.read())
PY
mv "$out.tmp" "$out"
echo "$out: $arch, $(du -k "$out" | cut -f1) KiB, $(ls "$stage/lib" | wc -l) libraries"
