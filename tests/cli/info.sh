#!/usr/bin/env bash
# `alinea info`: orientation against nibabel (the oracle) on synthetic headers of every
# kind and on real images, then the text output and the help's stated convention.
# Usage: bash info.sh ALINEA_BINARY SOURCE_DIR
set -u
alinea="$1"
source_dir="$2"
py=/usr/bin/python3
brain=/usr/share/mricron/templates/ch2bet.nii.gz

work=$(mktemp -d "${TMPDIR:-/tmp}/alinea_cli_info.XXXXXX")
trap 'rm -rf "$work"' EXIT

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# 1. nibabel writes the headers, alinea info --json must report nibabel's affine.
if "$py" "$source_dir/tests/python/nibabel_oracle.py" "$alinea" "$work/oracle"; then
    pass "ras_affine, orientation, size and range agree with nibabel"
else
    fail "alinea info disagrees with nibabel (see above)"
fi

# 2. Text output on the Colin27 brain (181x217x181, 1 mm, sform MNI, RAS on disk).
[ -r "$brain" ] || { echo "FAIL: missing $brain (apt-get install mricron-data)" >&2; exit 1; }
if ! "$alinea" info "$brain" > "$work/info.txt" 2> "$work/err.txt"; then
    fail "alinea info $brain: $(cat "$work/err.txt")"
else
    expect_line() {
        if grep -qE "$1" "$work/info.txt"; then pass "text output has '$1'"; else fail "no line matching '$1' in: $(cat "$work/info.txt")"; fi
    }
    expect_line '^format +NIfTI-1 \(gzip\)$'
    expect_line '^dimension +3$'
    expect_line '^size +181 217 181$'
    expect_line '^spacing +1 1 1 '
    expect_line '^origin +90 125 -71 +\(LPS mm\)$'
    expect_line '^orientation +RAS '
    expect_line '^data type +uint8$'
    expect_line '^sform code +4 \(mni\)$'
    expect_line '^range +0 \.\. 133, mean 22\.29'
    [ ! -s "$work/err.txt" ] || fail "stderr not empty: $(cat "$work/err.txt")"
fi

# 3. PNG: 2-D, unit geometry, identity LPS direction ("LPS" in nibabel's letters).
png=/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainT1Slice.png
if [ -r "$png" ]; then
    if "$alinea" info --json "$png" > "$work/png.json" &&
        "$py" -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(not (j["format"]=="PNG" and j["dimension"]==2 and j["size"]==[181,217] and j["orientation"]=="LPS" and j["data_type"]=="uint8"))' "$work/png.json"; then
        pass "PNG info"
    else
        fail "PNG info: $(cat "$work/png.json")"
    fi
fi

# 4. The help says which orientation convention the letters follow.
"$alinea" info --help > "$work/help.txt" 2>&1
grep -q "aff2axcodes" "$work/help.txt" && grep -q "points TO" "$work/help.txt" && pass "help states the convention" ||
    fail "the help does not state the orientation convention"

# 5. A usage error is an error (CLI11 chooses the code), not a crash; a missing file exits 1.
"$alinea" info > /dev/null 2> "$work/err.txt"
code=$?
[ $code -ne 0 ] && [ $code -lt 128 ] && pass "missing argument is a usage error ($code)" || fail "missing argument exited $code"
"$alinea" info "$work/none.nii" > /dev/null 2> "$work/err.txt"
code=$?
[ $code -eq 1 ] && [ "$(wc -l < "$work/err.txt")" -eq 1 ] && pass "missing file exits 1 with one line" ||
    fail "missing file: exit $code, stderr: $(cat "$work/err.txt")"

if [ $failures -ne 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "all info checks passed"
