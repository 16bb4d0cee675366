#!/bin/sh
# tests/cli-lang.sh: --lang vi, the catalogs, and what must not change.
. "$top_srcdir/tests/cli-lib.sh"

D=2025-09-04
golden="$top_srcdir/tests/fixtures/golden/SIM_STOCK-$D"

# The Vietnamese text at the fixed date, in a bare environment: no
# LANG, no generated vi_VN locale (gettext runs over C.UTF-8).
bare() { env -i PATH="$PATH" HOME="$HOME" XDG_DATA_HOME="$XDG_DATA_HOME" \
	XDG_CONFIG_HOME="$XDG_CONFIG_HOME" NO_COLOR=1 "$@"; }
bare "$STOCKAGENT" analyze SIM_STOCK --as-of $D --no-pdf --lang vi \
	>"$T/vi" 2>"$T/err" && ok || bad "analyze --lang vi: $(cat "$T/err")"
grep -v '^- Thời điểm lập:' "$T/vi" >"$T/vi1"
if cmp -s "$golden.vi.txt" "$T/vi1"; then ok; else
	bad "vi text differs from $golden.vi.txt"; diff "$golden.vi.txt" "$T/vi1" | head -20
fi
has "$T/vi" "^- Thời điểm lập: [0-3][0-9]/[01][0-9]/20[0-9][0-9] [0-9:]{8} UTC$" "vi time"

# The language from the environment, the setting, and --lang over both.
bare env LANG=vi_VN.UTF-8 "$STOCKAGENT" analyze SIM_STOCK --as-of $D \
	--no-pdf | grep -v '^- Thời điểm lập:' | cmp -s - "$golden.vi.txt" &&
	ok || bad "LANG=vi_VN.UTF-8 does not give the vi text"
bare env STOCKAGENT_LANG=vi "$STOCKAGENT" analyze SIM_STOCK --as-of $D \
	--no-pdf | grep -v '^- Thời điểm lập:' | cmp -s - "$golden.vi.txt" &&
	ok || bad "STOCKAGENT_LANG=vi does not give the vi text"
bare env LANG=vi_VN.UTF-8 "$STOCKAGENT" --lang en analyze SIM_STOCK \
	--as-of $D --no-pdf | grep -v '^- Generated:' |
	cmp -s - "$golden.txt" && ok || bad "--lang en over LANG=vi differs from the golden text"
expect 2 "--lang fr" -- analyze SIM_STOCK --as-of $D --no-pdf --lang fr
has "$T/err" "lang" "bad --lang names the setting"

# Messages follow the language where a translation exists.
bare "$STOCKAGENT" --lang vi nosuchcommand >"$T/out" 2>"$T/err"
has "$T/err" "không có lệnh 'nosuchcommand'" "vi error message"
bare "$STOCKAGENT" --lang vi --help >"$T/out" 2>&1
has "$T/out" "Các lệnh:" "vi --help"

# JSON: the same as English but for lang and the free text (observation
# texts, narrative, summary, disclaimer); valid against the schema.
expect 0 "json en" -- analyze SIM_STOCK --as-of $D --no-pdf --format json
cp "$T/out" "$T/en.json"
expect 0 "json vi" -- analyze SIM_STOCK --as-of $D --no-pdf --format json --lang vi
cp "$T/out" "$T/vi.json"
$PYTHON - "$T/en.json" "$T/vi.json" "$top_srcdir/data/output.schema.json" <<'PY' && ok || bad "json en/vi"
import json, sys
en, vi = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert en["lang"] == "en" and vi["lang"] == "vi", (en["lang"], vi["lang"])
free = ("lang", "thread_id", "generated_at", "disclaimer", "usage")
for r in (en, vi):
    for k in free:
        r.pop(k, None)
    a = r["analysis"]
    a["narrative"].pop("text")
    a.pop("summary", None)
    for kind in a["observations"].values():
        for o in kind:
            o.pop("text")
assert en == vi, "json differs beyond lang and the free text"
try:
    import jsonschema
    schema = json.load(open(sys.argv[3]))
    jsonschema.validate(json.load(open(sys.argv[2])), schema)
except ImportError:
    pass
PY
$PYTHON -c 'import json,sys; r=json.load(open(sys.argv[1])); assert "18,10%" in r["analysis"]["narrative"]["text"]' "$T/vi.json" &&
	ok || bad "vi narrative not in Vietnamese notation"

# CSV does not change with the language (but for the run's id).
uuid='[0-9a-f]{8}-[0-9a-f-]{27}'
expect 0 "csv en" -- analyze SIM_STOCK --as-of $D --no-pdf --format csv
sed -E "s/$uuid/ID/" "$T/out" >"$T/en.csv"
expect 0 "csv vi" -- analyze SIM_STOCK --as-of $D --no-pdf --format csv --lang vi
sed -E "s/$uuid/ID/" "$T/out" | cmp -s - "$T/en.csv" && ok ||
	bad "csv differs between en and vi"

# The PDF's text in Vietnamese, diacritics intact.
if command -v pdftotext >/dev/null 2>&1; then
	expect 0 "pdf vi" -- analyze SIM_STOCK --as-of $D --out "$T/rep" --lang vi
	pdf=$(find "$T/rep" -name '*.pdf' | head -1)
	pdftotext "$pdf" "$T/pdf.txt" 2>/dev/null
	for h in "BÁO CÁO PHÂN TÍCH CỔ PHIẾU" "Tóm tắt" "Phân tích kỹ thuật" \
		"Phân tích cơ bản" "Đánh giá rủi ro" "Phương pháp" \
		"Tuyên bố miễn trừ trách nhiệm" "Giá đóng cửa" "Dải Bollinger" \
		"Trang 1/" "ngày 04/09/2025" "26,96 USD"; do
		has "$T/pdf.txt" "$h" "vi pdf text"
	done
fi

# The catalog: every message translated, and the .pot holds every message
# the sources mark (run 'make update-po' after adding one).
if command -v msgfmt >/dev/null 2>&1; then
	msgfmt -c --statistics -o /dev/null "$top_srcdir/po/vi.po" 2>"$T/stat"
	grep -q "untranslated\|fuzzy" "$T/stat" && bad "po/vi.po: $(cat "$T/stat")" || ok
	(cd "$top_srcdir" && grep -v '^#' po/POTFILES.in | xargs xgettext \
		--from-code=UTF-8 --keyword=_ --keyword=N_ -o - 2>/dev/null) |
		msgcmp --use-untranslated - "$top_srcdir/po/stockagent.pot" \
		>"$T/cmp" 2>&1 && ok || bad "po/stockagent.pot is out of date: $(head -5 "$T/cmp")"
fi

cli_done
