#!/usr/bin/env bash
# The report checker (tests/tools/check_report.py) itself: a good self-contained page
# passes in headless Chromium, and each kind of broken page fails, for its own reason
# only, with every message line naming the page. Needs no Alinea binary.
# Usage: bash report_checker.sh ALINEA_BINARY SOURCE_DIR
set -euo pipefail
source_dir="$2"
py=/usr/bin/python3
checker="$source_dir/tests/tools/check_report.py"

work=$(mktemp -d "${TMPDIR:-/tmp}/alinea_cli_report_checker.XXXXXX")
trap 'rm -rf "$work"' EXIT

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

[ -x /usr/bin/chromium ] || { echo "FAIL: /usr/bin/chromium not found (scripts/setup installs chromium)" >&2; exit 1; }
[ -r "$checker" ] || { echo "FAIL: missing $checker" >&2; exit 1; }

# The pages: good.html (heading, paragraph, a real 64x64 gradient PNG as a data URI),
# and each bad one is good.html with one defect.
"$py" - "$work" <<'PY'
import base64, struct, sys, zlib
out = sys.argv[1]

def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

rows = b"".join(b"\0" + bytes(v for x in range(64) for v in (4 * x, 4 * y, 255 - 2 * (x + y)))
                for y in range(64))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
good_img = '<img src="data:image/png;base64,%s" alt="gradient">' % base64.b64encode(png).decode()

def page(extra="", img=good_img):
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Alinea report</title>\n'
            '<style>body { font-family: sans-serif; margin: 2em; } img { border: 1px solid #888; }</style>\n'
            '</head><body>\n<h1>Registration report</h1>\n'
            '<p>Fixed image &amp; moving image: mutual information 0.42.</p>\n'
            f'{img}\n{extra}</body></html>\n')

pages = {
    "good": page(),
    "missing": page(img='<img src="missing.png" alt="missing">'),
    "broken_data": page(img='<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAEAAAABA" alt="cut">'),
    "console_error": page('<script>console.error("boom")</script>\n'),
    "throw": page('<script>throw new Error("kaboom")</script>\n'),
    "blank": '<!DOCTYPE html>\n<html><head><title>blank</title></head><body style="background: white"></body></html>\n',
    "http": page(img='<img src="http://example.com/x.png" alt="outside">'),
}
for name, text in pages.items():
    with open(f"{out}/{name}.html", "w") as f:
        f.write(text)
PY

# check_ok NAME [ARGS...]: passes, one line naming the page, the size and the image count.
check_ok() {
    local name=$1 page="$work/$1.html"
    shift
    local code=0
    "$py" "$checker" "$page" "$@" > "$work/out.txt" 2> "$work/err.txt" || code=$?
    if [ $code -ne 0 ]; then
        fail "$name: exit $code, expected a pass: $(cat "$work/out.txt" "$work/err.txt")"
    elif [ "$(wc -l < "$work/out.txt")" -ne 1 ] || ! grep -qE "^$page: ok, screenshot 1280x2000, [0-9.]+% non-background pixels, 1 image\(s\)$" "$work/out.txt"; then
        fail "$name: unexpected success line: $(cat "$work/out.txt")"
    elif [ -s "$work/err.txt" ]; then
        fail "$name: stderr not empty: $(cat "$work/err.txt")"
    else
        pass "$name passes: $(cat "$work/out.txt")"
    fi
}

# check_bad NAME 'ALLOWED_ERE' 'REQUIRED_ERE'... -- [ARGS...]: exits 1; every line is
# "PAGE: PROBLEM" with PROBLEM matching ALLOWED_ERE (the case's reason and nothing else),
# and each REQUIRED_ERE matches some line.
check_bad() {
    local name=$1 allowed=$2 page="$work/$1.html"
    shift 2
    local required=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do required+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    local code=0
    "$py" "$checker" "$page" "$@" > "$work/out.txt" 2> "$work/err.txt" || code=$?
    if [ $code -ne 1 ]; then
        fail "$name: exit $code, expected 1: $(cat "$work/out.txt" "$work/err.txt")"
        return
    fi
    [ ! -s "$work/out.txt" ] || fail "$name: stdout not empty: $(cat "$work/out.txt")"
    local other
    other=$(grep -vE "^$page: ($allowed)" "$work/err.txt" || true)
    [ -z "$other" ] || fail "$name: failed for another reason too: $other"
    local r
    for r in "${required[@]}"; do
        grep -qE "^$page: ($r)" "$work/err.txt" || fail "$name: no line matching '$r' in: $(cat "$work/err.txt")"
    done
    [ -n "$other" ] || pass "$name fails for its reason: $(sed "s|^$work/||" "$work/err.txt" | tr '\n' '|')"
}

check_ok good --expect "Registration report" "Fixed image & moving image" --screenshot "$work/good.png"
if "$py" -c 'import struct, sys; d = open(sys.argv[1], "rb").read(); sys.exit(not (d[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", d[16:24]) == (1280, 2000)))' "$work/good.png"; then
    pass "--screenshot wrote a 1280x2000 PNG"
else
    fail "--screenshot did not write a 1280x2000 PNG"
fi

# Static and in-browser reasons are both required where both apply: the browser check
# must catch a broken image on its own (see broken_data, which no static rule can see).
check_bad missing \
    "refers to an outside resource 'missing.png'|the browser requested an outside resource 'file://.*/missing.png'|failed to load 'file://.*/missing.png': net::ERR_FILE_NOT_FOUND|image 1 \('file://.*missing.png'\) did not load" \
    "refers to an outside resource 'missing.png' \(<img src>\)$" \
    "failed to load 'file://$work/missing.png': net::ERR_FILE_NOT_FOUND$" \
    "image 1 \('file://$work/missing.png'\) did not load or decode"
check_bad broken_data "image 1 \('data:image/png;base64,.*'\) did not load or decode \(naturalWidth 0\)$" \
    "image 1 \('data:image/png;base64,.*'\) did not load or decode"
check_bad console_error "console\.error: boom$" "console\.error: boom$"
check_bad throw "uncaught exception: Error: kaboom " "uncaught exception: Error: kaboom \(line [0-9]+\)$"
check_bad blank "the screenshot is blank: " "the screenshot is blank: 0\.0000% of 1280x2000 pixels differ"
check_bad http \
    "refers to an outside resource 'http://example.com/x.png'|the browser requested an outside resource 'http://example.com/x.png'|failed to load 'http://example.com/x.png'|image 1 \('http://example.com/x.png'\) did not load" \
    "refers to an outside resource 'http://example.com/x.png' \(<img src>\)$"
check_bad good "expected text 'no such words' is not in the page$" "expected text 'no such words' is not in the page$" \
    -- --expect "Registration report" "no such words"

if [ $failures -ne 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "all report checker checks passed"
