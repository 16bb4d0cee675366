#!/bin/sh
# tests/cli-lambda-zip.sh: the Lambda package (scripts/lambda-zip.sh, what
# 'make lambda-zip' runs) holds what data/lambda/template.yaml names, and
# its bootstrap, unpacked, answers an event from the fake Runtime API
# through the packaged loader and libraries.
. "$top_srcdir/tests/cli-lib.sh"

command -v node >/dev/null 2>&1 || { echo "node is missing"; exit 77; }
command -v ldd >/dev/null 2>&1 || { echo "ldd is missing"; exit 77; }
ZIP=$T/stockagent-lambda.zip
sh "$top_srcdir/scripts/lambda-zip.sh" "$STOCKAGENT" "$top_srcdir" \
	"$top_builddir" "$ZIP" >"$T/zip.out" 2>"$T/zip.err"
same "$?" 0 "lambda-zip.sh ($(head -c 300 "$T/zip.err"))"
has "$T/zip.out" "stockagent-lambda.zip: (x86_64|arm64)" "names the architecture"

# The zip against the template, and against ldd.
ldd "$STOCKAGENT" | sed -n 's/^[[:space:]]*\([^[:space:]]*\) => \/.*/\1/p' >"$T/needed"
$PYTHON - "$ZIP" "$top_srcdir/data/lambda/template.yaml" "$T/needed" >"$T/check" 2>&1 <<'PY'
import os, stat, sys, zipfile
zpath, tpath, needed = sys.argv[1:4]
z = zipfile.ZipFile(zpath)
names = set(z.namelist())
def mode(n):
    return z.getinfo(n).external_attr >> 16
def need(cond, what):
    print(("ok " if cond else "FAIL ") + what)
need("bootstrap" in names, "bootstrap at the root")
need("bootstrap" in names and mode("bootstrap") & 0o111 == 0o111, "bootstrap executable")
need("bin/stockagent" in names and mode("bin/stockagent") & 0o111, "bin/stockagent executable")
need("lib/ld-loader.so" in names and mode("lib/ld-loader.so") & 0o111, "the loader, executable")
need("lib/libcurl.so.4" in names, "libcurl (loaded at run time)")
boot = z.read("bootstrap").decode()
need('bin/stockagent" lambda' in boot, "bootstrap runs stockagent lambda")
for lib in open(needed).read().split():
    need("lib/" + lib in names, "library " + lib)
for f in ("sim-universe.json", "model-prices.json", "output.schema.json"):
    need("share/stockagent/" + f in names, "data file " + f)
try:
    import yaml
except ImportError:
    print("SKIP template: no PyYAML")
    sys.exit(0)
class L(yaml.SafeLoader):
    pass
L.add_multi_constructor("!", lambda l, s, n: None)
t = yaml.load(open(tpath), Loader=L)
fn = [r for r in t["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
need(len(fn) == 1, "one function")
p = fn[0]["Properties"]
need(p["Runtime"] == "provided.al2023", "runtime provided.al2023")
need(os.path.basename(p["CodeUri"]) == os.path.basename(zpath), "CodeUri names the zip")
need(os.path.normpath(os.path.join("data/lambda", p["CodeUri"])) == os.path.basename(zpath),
     "CodeUri is where make lambda-zip writes it")
need(p["Handler"] in names, "Handler is in the zip")
need(any(e["Type"] == "ScheduleV2" for e in p["Events"].values()), "a schedule")
acts = set()
for r in t["Resources"].values():
    if r["Type"] == "AWS::IAM::Role":
        for pol in r["Properties"]["Policies"]:
            for st in pol["PolicyDocument"]["Statement"]:
                a = st["Action"]
                acts.update(a if isinstance(a, list) else [a])
need(acts == {"bedrock:InvokeModel*", "s3:PutObject", "logs:CreateLogStream",
              "logs:PutLogEvents"}, "role: bedrock:InvokeModel*, s3:PutObject and its logs only: %s" % sorted(acts))
need(any(r["Type"] == "AWS::S3::BucketPolicy" for r in t["Resources"].values()), "a bucket policy")
need(any(r["Type"] == "AWS::ApiGatewayV2::Api" for r in t["Resources"].values()), "an optional HTTP API")
PY
while read -r word what; do
	case $word in
	ok) ok ;;
	FAIL) bad "zip: $what" ;;
	SKIP) echo "SKIP: $what" ;;
	*) bad "zip check: $word $what" ;;
	esac
done <"$T/check"

# Unpacked with its modes, the package answers an event on its own.
$PYTHON -c '
import os, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for i in z.infolist():
    p = z.extract(i, sys.argv[2])
    os.chmod(p, i.external_attr >> 16 & 0o777)' "$ZIP" "$T/task"
printf '[{"id": "pkg-1", "event": {"symbol": "SIM_STOCK", "as_of": "2025-09-05"}}]\n' >"$T/ev"
node "$top_srcdir/tests/servers/lambda-runtime.js" --events "$T/ev" \
	--log "$T/rt.log" >"$T/port" &
RPID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
env -i PATH=/usr/bin:/bin HOME="$T" LAMBDA_TASK_ROOT="$T/task" \
	AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(head -1 "$T/port")" \
	STOCKAGENT_DB="$T/pkg/stockagent.db" STOCKAGENT_NO_PDF=1 \
	timeout 60 "$T/task/bootstrap" >"$T/boot.out" 2>"$T/boot.err"
same "$?" 8 "bootstrap ran the loop to the end ($(tail -c 300 "$T/boot.err"))"
kill "$RPID" 2>/dev/null
wait "$RPID" 2>/dev/null
has "$T/rt.log" '"type":"response","id":"pkg-1","body":\{"schema_version":1' "the package answered the event"
hasnt "$T/rt.log" '"violation"' "no protocol violation"
# Without the system's fonts (hidden in a mount namespace, where one can be
# made), the package's own make the PDF.
if unshare -m sh -c 'mount -t tmpfs none /usr/share/fonts' 2>/dev/null; then
	printf '[{"id": "pdf-1", "event": {"symbol": "SIM_STOCK", "as_of": "2025-09-05", "pdf": true}}]\n' >"$T/ev"
	: >"$T/rt.log"
	: >"$T/port"
	node "$top_srcdir/tests/servers/lambda-runtime.js" --events "$T/ev" \
		--log "$T/rt.log" >"$T/port" &
	RPID=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	unshare -m sh -c 'mount -t tmpfs none /usr/share/fonts && exec "$@"' sh \
		env -i PATH=/usr/bin:/bin HOME="$T" LAMBDA_TASK_ROOT="$T/task" \
		AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(head -1 "$T/port")" \
		STOCKAGENT_DB="$T/pkg/stockagent.db" STOCKAGENT_OUT="$T/pdfs" \
		timeout 60 "$T/task/bootstrap" >"$T/boot.out" 2>"$T/boot.err"
	kill "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
	has "$T/rt.log" '"id":"pdf-1","body":\{"schema_version":1' "a PDF run answered"
	[ -n "$(find "$T/pdfs" -name '*.pdf' 2>/dev/null | head -1)" ] && ok ||
		bad "no PDF made with the packaged fonts: $(grep -o '"pdf":[^}]*' "$T/rt.log" | head -1)"
else
	echo "SKIP: no mount namespace here; the packaged fonts not checked"
fi
cli_done
