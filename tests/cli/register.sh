#!/usr/bin/env bash
# alinea register from the command line: outputs, reproducibility across thread
# counts (byte for byte), and clear one-line errors for bad options.
set -euo pipefail
alinea=$1
data=/usr/share/doc/insighttoolkit5-examples/examples/Data
tmp=$(mktemp -d)
mkdir -p "$tmp/t1" "$tmp/t2" "$tmp/again" "$tmp/acc" "$tmp/back" "$tmp/bad"  # output folders (runs do not create them)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

fixed=$data/BrainT1SliceBorder20.png
moving=$data/BrainProtonDensitySliceR10X13Y17.png
for t in 1 2; do
  "$alinea" register -f "$fixed" -m "$moving" -o "$tmp/t$t/" --threads $t -q \
    --transform rigid --metric mi:bins=24 --transform affine --metric mi --levels 2x1 --smoothing 1x0vox --iterations 40x20
done
for f in affine.txt warped.nii.gz qc.png; do
  [ -s "$tmp/t1/$f" ] || fail "missing output $f"
  cmp -s "$tmp/t1/$f" "$tmp/t2/$f" || fail "$f differs between 1 and 2 threads"
done
grep -q '"command"' "$tmp/t1/log.json" || fail "log.json has no command"
grep -q 'AffineTransform_double_2_2' "$tmp/t1/affine.txt" || fail "affine.txt is not an ITK 2-D affine"
# The affine file applies: the warped image from apply equals the one register wrote.
"$alinea" apply -r "$fixed" -i "$moving" -t "$tmp/t1/affine.txt" -o "$tmp/applied.nii.gz"
cmp -s "$tmp/applied.nii.gz" "$tmp/t1/warped.nii.gz" || fail "apply with the affine differs from register's warped image"

# Accuracy against a known answer: a rigid motion made by simulate (8 degrees, 6 mm), found
# within 0.3 mm; registered the other way round, "[affine,1]" is the same map (so
# evaluate honours the inverse), while the file itself, not inverted, is millimetres off.
"$alinea" simulate -i "$fixed" -o "$tmp/s_" --seed 5 --rotation 8 --translation 6 --noise 0.01 > /dev/null
mean_mm() { sed -n 's/.*mean \([0-9.]*\) mm.*/\1/p' | head -1; }
"$alinea" register -f "$fixed" -m "$tmp/s_moving.nii.gz" -o "$tmp/acc/" -q --transform rigid --metric ncc
forward=$("$alinea" evaluate -r "$fixed" --truth "$tmp/s_true_affine.txt" --result "$tmp/acc/affine.txt" | mean_mm)
"$alinea" register -f "$tmp/s_moving.nii.gz" -m "$fixed" -o "$tmp/back/" -q --transform rigid --metric ncc
inverse=$("$alinea" evaluate -r "$fixed" --truth "$tmp/s_true_affine.txt" --result "[$tmp/back/affine.txt,1]" | mean_mm)
uninverted=$("$alinea" evaluate -r "$fixed" --truth "$tmp/s_true_affine.txt" --result "$tmp/back/affine.txt" | mean_mm)
echo "rigid recovery: forward $forward mm, backward inverted $inverse mm, not inverted $uninverted mm"
awk -v f="$forward" -v i="$inverse" -v u="$uninverted" 'BEGIN {exit !(f < 0.3 && i < 0.3 && u > 3)}' ||
  fail "rigid recovery: forward $forward mm, inverse $inverse mm (both < 0.3), not inverted $uninverted mm (> 3)"

# Help lists the stage options and every deformable model; the top level does not
# call register "linear".
"$alinea" register --help > "$tmp/help.txt"
grep -q -- "--metric SPEC" "$tmp/help.txt" || fail "register --help does not describe stage options"
for model in diffeo greedy bspline; do
  grep -q "$model:" "$tmp/help.txt" || fail "register --help does not list the $model model"
done
"$alinea" --help | grep register > "$tmp/top.txt"
if grep -qi linear "$tmp/top.txt"; then fail "the top-level help calls register linear"; fi

# The log holds the command that reproduces the run: run it again, same bytes.
cmd=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["command"])' "$tmp/t1/log.json")
case "$cmd" in *"--init identity"*"--convergence"*) ;; *) fail "the logged command does not spell out the plan: $cmd";; esac
cmd=${cmd#alinea }
eval "$alinea ${cmd//$tmp\/t1\//$tmp/again/} -q --threads 2" >/dev/null
cmp -s "$tmp/t1/affine.txt" "$tmp/again/affine.txt" || fail "the logged command does not reproduce the affine"

# NaN voxels (common in resampled or masked scans) are missing data, with every
# metric: a warning that names the file, exit 0, a finite result.
/usr/bin/python3 - "$tmp" <<'PY'
import sys, numpy as np, nibabel as nib
i, j, k = np.meshgrid(np.arange(40), np.arange(36), np.arange(30), indexing="ij")
def blob(di):
    return (100 * np.exp(-((i - 20 - di) ** 2 + (j - 18) ** 2 + (k - 15) ** 2) / 60.0)
            + 50 * np.exp(-((i - 12 - di) ** 2 + (j - 24) ** 2 + (k - 10) ** 2) / 20.0)).astype(np.float32)
moving = blob(2)
moving[2:6, 2:6, 2:6] = np.nan
nib.save(nib.Nifti1Image(blob(0), np.diag([2.0, 2.0, 2.0, 1.0])), sys.argv[1] + "/nan_fixed.nii.gz")
nib.save(nib.Nifti1Image(moving, np.diag([2.0, 2.0, 2.0, 1.0])), sys.argv[1] + "/nan_moving.nii.gz")
PY
for metric in mi ssd ncc lncc; do
  mkdir -p "$tmp/nan_$metric"
  "$alinea" register -f "$tmp/nan_fixed.nii.gz" -m "$tmp/nan_moving.nii.gz" -o "$tmp/nan_$metric/" --no-qc \
    --transform translation --metric $metric --levels 2x1 --smoothing 1x0vox --iterations 30x20 \
    >/dev/null 2>"$tmp/nan_err" || { cat "$tmp/nan_err"; fail "NaN voxels with $metric: register failed"; }
  grep -q "nan_moving.nii.gz: 64 non-finite voxels" "$tmp/nan_err" || { cat "$tmp/nan_err"; fail "no warning naming the NaN voxels"; }
  grep -qi nan "$tmp/nan_$metric/affine.txt" && fail "NaN in the affine with $metric"
done

# Bad options: exit non-zero, one line on stderr that names the problem, no outputs.
expect_error() {  # expect_error PATTERN ARGS...
  local pattern=$1; shift
  if "$alinea" register -o "$tmp/bad/" "$@" 2>"$tmp/err" >/dev/null; then
    fail "accepted: $*"
  fi
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "not one line for: $*"; }
  grep -q -- "$pattern" "$tmp/err" || { cat "$tmp/err"; fail "message lacks '$pattern' for: $*"; }
  [ ! -e "$tmp/bad/affine.txt" ] || fail "output written for: $*"
}
pair=(-f "$fixed" -m "$moving")
expect_error "radiu" "${pair[@]}" --transform rigid --metric lncc:radiu=2
expect_error "bogus" "${pair[@]}" --transform rigid --bogus 3
expect_error "before the first --transform" "${pair[@]}" --metric ssd --transform rigid
expect_error "same number of levels" "${pair[@]}" --transform rigid --levels 4x2x1 --iterations 10x10
expect_error "shear" "${pair[@]}" --transform shear
# Keys of one deformable model given to another, and options of linear stages given
# to the deformable one: one line naming the key and the allowed keys.
expect_error "unknown key 'fluid' for bspline (known: spacing, bending, barrier)" "${pair[@]}" --transform bspline:fluid=2
expect_error "unknown key 'step' for bspline" "${pair[@]}" --transform bspline:step=0.5
expect_error "unknown key 'spacing' for diffeo (known: step, fluid, elastic, symmetric)" "${pair[@]}" --transform diffeo:spacing=8
expect_error "unknown key 'bending' for greedy" "${pair[@]}" --transform greedy:bending=1
expect_error "linear stages only" "${pair[@]}" --transform diffeo --optimizer lbfgs
expect_error "unknown optimizer 'adam'" "${pair[@]}" --transform rigid --optimizer adam
expect_error "range, step, shrink" "${pair[@]}" --init search:angles=3 --transform rigid
expect_error "nope.png" -f "$tmp/nope.png" -m "$moving" --transform rigid
expect_error "--threads: expected 0 (all cores) or 1 to" "${pair[@]}" --threads 100000 --transform rigid
expect_error "--threads: expected 0 (all cores) or 1 to" "${pair[@]}" --threads -3 --transform rigid
expect_error "moving" -f "$fixed" --transform rigid
echo "register CLI: all checks passed"
