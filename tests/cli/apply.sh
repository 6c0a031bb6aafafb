#!/usr/bin/env bash
# `alinea apply` end to end on real data: an ITK affine on the Colin27 brain, label
# interpolation on the AAL atlas, and the error paths (unknown option, missing file).
# Usage: bash apply.sh ALINEA_BINARY SOURCE_DIR
set -u
alinea="$1"
templates=/usr/share/mricron/templates
brain="$templates/ch2bet.nii.gz"
atlas="$templates/aal.nii.gz"
py=/usr/bin/python3

work=$(mktemp -d "${TMPDIR:-/tmp}/alinea_cli_apply.XXXXXX")
trap 'rm -rf "$work"' EXIT

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

for f in "$brain" "$atlas"; do
    [ -r "$f" ] || { echo "FAIL: missing test data $f (apt-get install mricron-data)" >&2; exit 1; }
done

# A rotation of 10 degrees about the z axis, plus a translation (LPS mm), about a centre.
cat > "$work/rigid.txt" <<'EOF'
#Insight Transform File V1.0
#Transform 0
Transform: AffineTransform_double_3_3
Parameters: 0.984807753012208 -0.17364817766693 0 0.17364817766693 0.984807753012208 0 0 0 1 4.5 -3 2
FixedParameters: 0 -17 18
EOF

size_of() { "$alinea" info "$1" | sed -n 's/^size  *//p'; }

# 1. The affine on the brain, reference = itself.
"$alinea" apply -r "$brain" -i "$brain" -t "$work/rigid.txt" -o "$work/brain_rigid.nii" \
    > "$work/out.txt" 2> "$work/err.txt"
code=$?
if [ $code -ne 0 ]; then
    fail "apply with an ITK affine exited $code: $(cat "$work/err.txt")"
elif [ ! -s "$work/brain_rigid.nii" ]; then
    fail "apply did not write its output"
else
    in_size=$(size_of "$brain")
    out_size=$(size_of "$work/brain_rigid.nii")
    if [ -z "$in_size" ] || [ "$in_size" != "$out_size" ]; then
        fail "output size '$out_size' differs from the reference's '$in_size'"
    else
        pass "affine applied, size $out_size"
    fi
    # The output is the moved brain, not a copy and not empty: compare to the input
    # with numpy (the brain is ~1.4 M non-zero voxels).
    if "$py" -c 'import nibabel, numpy' 2> /dev/null; then
        "$py" - "$brain" "$work/brain_rigid.nii" <<'EOF' || fail "the rotated brain looks wrong"
import sys
import nibabel as nib
import numpy as np
a = np.asanyarray(nib.load(sys.argv[1]).dataobj).astype(np.float64)
b = np.asanyarray(nib.load(sys.argv[2]).dataobj).astype(np.float64)
assert np.all(np.isfinite(b)), "non-finite values"
na, nb = np.count_nonzero(a), np.count_nonzero(b)
# A rigid motion keeps the brain's volume (up to interpolation at the edge).
assert abs(nb - na) < 0.05 * na, (na, nb)
# ... and moves it: the images differ on many voxels.
assert np.count_nonzero(np.abs(a - b) > 1) > 0.1 * na, "output equals the input"
assert b.min() >= a.min() - 1e-3 and b.max() <= a.max() + 1e-3, "linear interpolation left the input range"
EOF
    fi
fi

# 2. Label interpolation keeps the label set.
"$alinea" apply -r "$atlas" -i "$atlas" -t "$work/rigid.txt" --interpolation label -o "$work/aal_rigid.nii.gz" \
    > "$work/out.txt" 2> "$work/err.txt"
code=$?
if [ $code -ne 0 ]; then
    fail "apply --interpolation label exited $code: $(cat "$work/err.txt")"
elif ! "$py" -c 'import nibabel, numpy' 2> /dev/null; then
    fail "$py with nibabel and numpy is needed for the label check"
else
    "$py" - "$atlas" "$work/aal_rigid.nii.gz" <<'EOF' && pass "label set kept" || fail "label interpolation invented labels"
import sys
import nibabel as nib
import numpy as np
a = np.asanyarray(nib.load(sys.argv[1]).dataobj)
b = np.asanyarray(nib.load(sys.argv[2]).dataobj)
assert a.shape == b.shape, (a.shape, b.shape)
la, lb = set(np.unique(a).tolist()), set(np.unique(b).tolist())
extra = lb - la
assert not extra, "labels not in the input: %s" % sorted(extra)[:10]
# The atlas moved but its structures survived: nearly all labels are still present.
assert len(lb) >= len(la) - 3, (len(la), len(lb))
EOF
fi

# 3. An unknown option: non-zero exit and one line on stderr.
"$alinea" apply -r "$brain" -i "$brain" -o "$work/never.nii.gz" --no-such-option > "$work/out.txt" 2> "$work/err.txt"
code=$?
lines=$(wc -l < "$work/err.txt")
if [ $code -eq 0 ]; then
    fail "an unknown option was accepted"
elif [ "$lines" -ne 1 ]; then
    fail "an unknown option printed $lines lines on stderr (expected 1): $(cat "$work/err.txt")"
else
    pass "unknown option rejected (exit $code): $(cat "$work/err.txt")"
fi
[ -e "$work/never.nii.gz" ] && fail "an output was written despite the unknown option"

# 4. Help exits 0 and says something.
"$alinea" apply --help > "$work/out.txt" 2> "$work/err.txt"
code=$?
if [ $code -ne 0 ]; then
    fail "apply --help exited $code"
elif ! grep -q -- "--transform" "$work/out.txt"; then
    fail "apply --help does not describe --transform"
else
    pass "apply --help"
fi

# 5. A missing transform file: exit 1, one line naming the file, no output.
missing="$work/no_such_transform.txt"
"$alinea" apply -r "$brain" -i "$brain" -t "$missing" -o "$work/missing_out.nii.gz" > "$work/out.txt" 2> "$work/err.txt"
code=$?
lines=$(wc -l < "$work/err.txt")
if [ $code -ne 1 ]; then
    fail "a missing transform file gave exit $code (expected 1)"
elif [ "$lines" -ne 1 ]; then
    fail "a missing transform file printed $lines lines on stderr (expected 1): $(cat "$work/err.txt")"
elif ! grep -qF "$missing" "$work/err.txt"; then
    fail "the error does not name the missing file: $(cat "$work/err.txt")"
else
    pass "missing transform file: $(cat "$work/err.txt")"
fi
if ls "$work" | grep -q '^missing_out'; then
    fail "a (partial) output was left behind: $(ls "$work" | grep '^missing_out')"
fi

if [ $failures -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all apply checks passed"
