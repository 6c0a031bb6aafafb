#!/usr/bin/env bash
# alinea simulate end to end on the Colin27 brain (downsampled to 2 mm to stay fast) and
# the AAL atlas: same seed -> same bytes (1 and 2 threads); the truth, applied as a
# registration result (`-t warp -t affine`), maps the moving image and labels back onto
# the fixed ones; evaluate on the truth gives 0 mm; and the field tools (jacobian,
# invert, compose) agree with what simulate wrote.
# Usage: bash simulate.sh ALINEA_BINARY SOURCE_DIR
set -u
alinea="$1"
templates=/usr/share/mricron/templates
py=/usr/bin/python3

work=$(mktemp -d "${TMPDIR:-/tmp}/alinea_cli_simulate.XXXXXX")
trap 'rm -rf "$work"' EXIT

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
run() {  # run NAME ARGS...: runs alinea, keeps stdout in $work/NAME.out
    local name=$1; shift
    if ! "$alinea" "$@" > "$work/$name.out" 2> "$work/$name.err"; then
        fail "alinea $1 exited non-zero: $(cat "$work/$name.err")"
        return 1
    fi
}

for f in "$templates/ch2bet.nii.gz" "$templates/aal.nii.gz"; do
    [ -r "$f" ] || { echo "FAIL: missing test data $f (apt-get install mricron-data)" >&2; exit 1; }
done
"$py" -c 'import nibabel, numpy' 2> /dev/null || { echo "FAIL: $py with nibabel and numpy is needed" >&2; exit 1; }

# A 2 mm grid over the same box (the atlas shares the brain's 1 mm grid), then the brain
# and the atlas resampled onto it: 8 times fewer voxels.
"$py" - "$templates/ch2bet.nii.gz" "$work/grid2mm.nii.gz" <<'EOF'
import sys
import nibabel as nib
import numpy as np
img = nib.load(sys.argv[1])
affine = img.affine.copy()
affine[:3, :3] *= 2
shape = [(n + 1) // 2 for n in img.shape[:3]]
nib.save(nib.Nifti1Image(np.zeros(shape, np.uint8), affine), sys.argv[2])
EOF
run down apply -r "$work/grid2mm.nii.gz" -i "$templates/ch2bet.nii.gz" -o "$work/fixed.nii.gz" || exit 1
run down_labels apply -r "$work/grid2mm.nii.gz" -i "$templates/aal.nii.gz" -n label -o "$work/labels.nii.gz" || exit 1
fixed="$work/fixed.nii.gz"
labels="$work/labels.nii.gz"

# 1. Same seed, same bytes, with 1 and 2 threads.
geometry=(--rotation 8 --scale 0.05 --shear 0.03 --translation 6 --deformation 4 --smoothness 12)
run sim1 simulate -i "$fixed" -l "$labels" -o "$work/t1_" --seed 17 "${geometry[@]}" --threads 1
run sim2 simulate -i "$fixed" -l "$labels" -o "$work/t2_" --seed 17 "${geometry[@]}" --threads 2
outputs="moving.nii.gz true_affine.txt true_warp.nii.gz true_inverse_warp.nii.gz moving_labels.nii.gz"
same=1
for f in $outputs; do
    [ -s "$work/t1_$f" ] || { fail "simulate did not write $f"; same=0; continue; }
    cmp -s "$work/t1_$f" "$work/t2_$f" || { fail "$f differs between 1 and 2 threads"; same=0; }
done
[ $same -eq 1 ] && pass "same seed -> identical outputs with 1 and 2 threads"
grep -q 'AffineTransform_double_3_3' "$work/t1_true_affine.txt" || fail "true_affine.txt is not an ITK affine"
[ "$("$alinea" info "$work/t1_moving_labels.nii.gz" | sed -n 's/^data type  *//p')" = uint8 ] ||
    fail "the moving labels lost their data type (uint8)"
# Another seed gives another problem; intensity options change only the image.
run sim3 simulate -i "$fixed" -o "$work/s3_" --seed 18 "${geometry[@]}" --bias 0.2 --noise 0.03 --remap
cmp -s "$work/t1_true_affine.txt" "$work/s3_true_affine.txt" && fail "seeds 17 and 18 gave the same affine"
run sim4 simulate -i "$fixed" -o "$work/s4_" --seed 17 "${geometry[@]}" --bias 0.2 --noise 0.03 --remap
cmp -s "$work/t1_true_warp.nii.gz" "$work/s4_true_warp.nii.gz" || fail "intensity options changed the warp"
cmp -s "$work/t1_moving.nii.gz" "$work/s4_moving.nii.gz" && fail "intensity options did not change the image"
# Without --deformation: an affine only.
run sim5 simulate -i "$fixed" -o "$work/a_" --seed 17 --rotation 5
[ -e "$work/a_true_warp.nii.gz" ] && fail "a warp was written without --deformation"
[ -s "$work/a_true_affine.txt" ] || fail "no affine without --deformation"

# 2. The truth maps moving back onto fixed: as a registration result would be applied.
warp="$work/t1_true_warp.nii.gz"
affine="$work/t1_true_affine.txt"
# (B-spline interpolation, as simulate uses: linear would blur the 2 mm brain twice.)
run back apply -r "$fixed" -i "$work/t1_moving.nii.gz" -t "$warp" -t "$affine" -n bspline -o "$work/back.nii.gz"
run back_wrong apply -r "$fixed" -i "$work/t1_moving.nii.gz" -t "$affine" -t "$warp" -n bspline \
    -o "$work/back_wrong.nii.gz"
run forward apply -r "$fixed" -i "$fixed" -t "[$affine,1]" -t "$work/t1_true_inverse_warp.nii.gz" -n bspline \
    -o "$work/forward.nii.gz"
"$py" - "$fixed" "$work/back.nii.gz" "$work/back_wrong.nii.gz" "$work/t1_moving.nii.gz" "$work/forward.nii.gz" <<'EOF' &&
import sys
import nibabel as nib
import numpy as np
fixed, back, wrong, moving, forward = (np.asanyarray(nib.load(p).dataobj).astype(np.float64) for p in sys.argv[1:])
mask = fixed > 0
def corr(a, b):
    return np.corrcoef(a[mask], b[mask])[0, 1]
c_back, c_wrong, c_moving = corr(fixed, back), corr(fixed, wrong), corr(fixed, moving)
print("correlation with fixed: truth applied %.4f, transforms in the wrong order %.4f, moving %.4f"
      % (c_back, c_wrong, c_moving))
assert c_back > 0.97, c_back
assert c_back > c_wrong + 0.03, "the wrong order is as good: the test cannot tell"
assert c_moving < 0.9, "the moving image hardly moved"
# The inverse files carry fixed onto moving.
m = moving > 0
c_forward = np.corrcoef(forward[m], moving[m])[0, 1]
print("fixed through [affine,1] + inverse warp vs moving: %.4f" % c_forward)
assert c_forward > 0.99, c_forward
EOF
pass "the truth maps moving back onto fixed" || fail "the truth does not map moving back onto fixed"

# 3. evaluate: a result that is the truth followed by a shift of (0.9, 1.2, 0) mm is
# exactly 1.5 mm off everywhere; labels brought back by the truth (Dice > 0.9, much
# better than before).
printf '#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_3_3\nParameters: 1 0 0 0 1 0 0 0 1 0.9 1.2 0\nFixedParameters: 0 0 0\n' > "$work/shift.txt"
run eval_shift evaluate -r "$fixed" --truth "$warp" --truth "$affine" --result "$warp" --result "$affine" \
    --result "$work/shift.txt" --json
"$py" - "$work/eval_shift.out" <<'EOF' && pass "evaluate: the truth then a 1.5 mm shift is 1.5 mm off" || fail "evaluate of a shift: $(cat "$work/eval_shift.out")"
import json, sys
e = json.load(open(sys.argv[1]))["error"]
assert e["points"] > 100000 and abs(e["mean_mm"] - 1.5) < 1e-3 and abs(e["max_mm"] - 1.5) < 1e-3, e
EOF
run eval evaluate -r "$fixed" --truth "$warp" --truth "$affine" --result "$warp" --result "$affine" \
    --fixed-labels "$labels" --moving-labels "$work/t1_moving_labels.nii.gz" --before --json
"$py" - "$work/eval.out" <<'EOF' && pass "evaluate on the truth: Dice > 0.9" || fail "evaluate on the truth: $(cat "$work/eval.out")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["error_before"]["mean_mm"] > 2.0, r["error_before"]
assert r["dice"]["mean"] > 0.9, r["dice"]["mean"]
assert r["dice_before"]["mean"] < r["dice"]["mean"] - 0.1, (r["dice_before"]["mean"], r["dice"]["mean"])
assert len(r["dice"]["labels"]) >= 100, len(r["dice"]["labels"])
f = r["folding"]
assert f["folded"] == 0 and f["min_determinant"] > 0.3 and f["max_determinant"] < 3, f
print("Dice %.4f (before %.4f), error before %.2f mm" % (r["dice"]["mean"], r["dice_before"]["mean"], r["error_before"]["mean_mm"]))
EOF
# The identity as the result: the figures before registration (same numbers as --before).
run eval_identity evaluate -r "$fixed" --truth "$warp" --truth "$affine" --result identity \
    --fixed-labels "$labels" --moving-labels "$work/t1_moving_labels.nii.gz" --json
"$py" - "$work/eval.out" "$work/eval_identity.out" <<'EOF' && pass "evaluate on the identity = before" || fail "evaluate on the identity differs from --before"
import json, sys
r, i = (json.load(open(p)) for p in sys.argv[1:])
assert i["error"] == r["error_before"], (i["error"], r["error_before"])
assert i["dice"] == r["dice_before"]
assert "folding" not in i
EOF
# Exactly 0 mm and Dice 1: a simulation without any transform has the identity as its
# truth, and its labels are the fixed ones.
run sim_id simulate -i "$fixed" -l "$labels" -o "$work/id_" --seed 3
run eval_id evaluate -r "$fixed" --truth "$work/id_true_affine.txt" --result identity \
    --fixed-labels "$labels" --moving-labels "$work/id_moving_labels.nii.gz"
if grep -q "mean 0.0000 mm, p95 0.0000 mm, max 0.0000 mm" "$work/eval_id.out" &&
    grep -q "Dice over [0-9]* labels: mean 1.0000" "$work/eval_id.out"; then
    pass "identity simulation: 0 mm and Dice 1"
else
    fail "identity simulation: $(cat "$work/eval_id.out")"
fi

# 4. Field tools on the simulated warp.
run jac jacobian "$warp" -o "$work/jac.nii.gz"
grep -q "fraction <= 0: 0.000000 (0 of" "$work/jac.out" && pass "jacobian: $(cat "$work/jac.out")" ||
    fail "jacobian: $(cat "$work/jac.out")"
run logjac jacobian "$warp" -o "$work/logjac.nii.gz" --log
run inv invert "$warp" -o "$work/inv.nii.gz" --iterations 30
run comp compose -r "$fixed" -o "$work/composed.nii.gz" -t "$warp" -t "$affine"
run eval_comp evaluate -r "$fixed" --truth "$warp" --truth "$affine" --result "$work/composed.nii.gz" --json
"$py" - "$work/jac.nii.gz" "$work/logjac.nii.gz" "$work/inv.nii.gz" "$work/t1_true_inverse_warp.nii.gz" \
    "$work/inv.out" "$work/eval_comp.out" <<'EOF' && pass "jacobian --log, invert and compose agree" || fail "field tools disagree"
import json, re, sys
import nibabel as nib
import numpy as np
jac, logjac = (np.asanyarray(nib.load(p).dataobj) for p in sys.argv[1:3])
assert np.allclose(np.log(jac), logjac, atol=1e-5)
inv, truth = (np.asanyarray(nib.load(p).dataobj).astype(np.float64) for p in sys.argv[3:5])
diff = np.linalg.norm(inv - truth, axis=-1)
print("invert vs exp(-v): mean %.4f mm, max %.4f mm" % (diff.mean(), diff.max()))
assert diff.mean() < 0.05 and diff.max() < 0.5
residual = float(re.search(r"mean residual ([0-9.]+) mm", open(sys.argv[5]).read()).group(1))
assert residual < 0.05, residual
e = json.load(open(sys.argv[6]))["error"]
print("composed field vs truth: max %.5f mm" % e["max_mm"])
assert e["max_mm"] < 0.01, e
EOF

# 5. Bad input: one line, non-zero exit.
if "$alinea" simulate -i "$work/nope.nii.gz" -o "$work/bad_" --seed 1 > /dev/null 2> "$work/err.txt"; then
    fail "simulate accepted a missing input"
elif [ "$(wc -l < "$work/err.txt")" -ne 1 ] || ! grep -q "nope.nii.gz" "$work/err.txt"; then
    fail "missing input: expected one line naming the file, got: $(cat "$work/err.txt")"
else
    pass "missing input: $(cat "$work/err.txt")"
fi
"$alinea" simulate -i "$fixed" -o "$work/bad_" > /dev/null 2>&1 && fail "simulate ran without --seed"

if [ $failures -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all simulate checks passed"
