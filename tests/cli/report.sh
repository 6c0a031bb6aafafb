#!/usr/bin/env bash
# The HTML reports of register, segment, track and atlas, opened in a real browser
# (headless Chromium, tests/tools/check_report.py): each loads with no missing
# resource and no console error, its screenshot is not blank, its pictures decode, and
# it says what a reader needs (the command, warnings, inputs, the application's own
# sections). Also --no-report, --qc-slices and the warnings of a bad start.
set -euo pipefail
alinea=$1
source_dir=$2
ixi=$source_dir/../shared/data/ixi10
data=$source_dir/../shared/data/itksnap-4d
tmp=$(mktemp -d)
mkdir -p "$tmp/out"  # output folder (runs do not create it)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
check() { /usr/bin/python3 "$source_dir/tests/tools/check_report.py" "$@" || fail "report check: $*"; }
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium not found (scripts/setup installs chromium)"

source "$source_dir/tests/cli/lib/ixi_4mm.sh"  # subjects=(...) at 4 mm in $tmp
a=$tmp/${subjects[0]}.nii.gz b=$tmp/${subjects[1]}.nii.gz
quick=(--transform rigid --transform affine --iterations 30x20x10 --transform diffeo --iterations 20x10x5)

# register (3-D, deformable): every section, the slices where asked.
"$alinea" register -f "$a" -m "$b" -o "$tmp/out/r_" -q --qc-slices ras:0,-10,20 "${quick[@]}"
check "$tmp/out/r_report.html" --screenshot "$tmp/r.png" --expect "Registration of $b to $a" \
  "The command that reproduces this run" "--qc-slices ras:0,-10,20" Warnings Inputs Stages Result Pictures Outputs \
  "inverse residual" "$tmp/out/r_warp.nii.gz"
n=$(grep -o 'data:image/png;base64' "$tmp/out/r_report.html" | wc -l)
[ "$n" -eq 4 ] || fail "the registration report has $n pictures, expected 4 (alignment, edges, deformation, convergence)"
grep -q '"warnings": \[\]' "$tmp/out/r_log.json" || fail "a good registration has warnings: $(grep -A3 warnings "$tmp/out/r_log.json")"

# --no-report: no report, the rest as before.
"$alinea" register -f "$a" -m "$b" -o "$tmp/out/n_" -q --no-report --transform rigid --iterations 10x5x2
[ ! -e "$tmp/out/n_report.html" ] || fail "--no-report wrote a report"
[ -s "$tmp/out/n_qc.png" ] || fail "--no-report lost the QC picture"

# A start where the images barely overlap: the warning is printed, logged and reported.
/usr/bin/python3 - "$b" "$tmp/far.nii.gz" <<'PY'
import sys, nibabel as nib
img = nib.load(sys.argv[1]); affine = img.affine.copy(); affine[0, 3] += 150
nib.save(nib.Nifti1Image(img.get_fdata(), affine), sys.argv[2])
PY
"$alinea" register -f "$a" -m "$tmp/far.nii.gz" -o "$tmp/out/f_" --transform translation --iterations 5x2x1 \
  > "$tmp/far.log" 2>&1 || fail "the far-apart registration failed: $(cat "$tmp/far.log")"
grep -q "warning: the images barely overlap at the start" "$tmp/far.log" || fail "no overlap warning printed: $(cat "$tmp/far.log")"
grep -q "barely overlap" "$tmp/out/f_log.json" || fail "the overlap warning is not in the log"
check "$tmp/out/f_report.html" --expect "the images barely overlap at the start"

# register in 2-D (PNG slices).
s=$source_dir/../shared/data/ants-slices
"$alinea" register -f "$s/r16slice.png" -m "$s/r64slice.png" -o "$tmp/out/p_" -q --transform affine --transform diffeo --iterations 20x10x5
check "$tmp/out/p_report.html" --expect "Registration of" Pictures
if "$alinea" register -f "$s/r16slice.png" -m "$s/r64slice.png" -o "$tmp/out/q_" -q --qc-slices 1,2,3 --transform affine \
    > "$tmp/err" 2>&1; then
  fail "--qc-slices was accepted for a 2-D image"
fi
grep -q "a 2-D image is shown whole" "$tmp/err" || fail "--qc-slices on 2-D: unclear error: $(cat "$tmp/err")"

# --qc-slices errors: one clear line.
for bad in "1,2" "a,b,c" "1,2,3,4" "0,0,900"; do
  if "$alinea" register -f "$a" -m "$b" -o "$tmp/out/e_" -q --qc-slices "$bad" --transform rigid > "$tmp/err" 2>&1; then
    fail "--qc-slices $bad was accepted"
  fi
  grep -q "qc-slices.*\(coordinates\|expected\|outside the fixed image\)" "$tmp/err" ||
    fail "--qc-slices $bad: unclear error: $(cat "$tmp/err")"
  [ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "--qc-slices $bad: more than one line: $(cat "$tmp/err")"
  [ ! -e "$tmp/out/e_log.json" ] || fail "--qc-slices $bad: outputs written"
done

# segment: contours and volumes.
"$alinea" segment -i "$a" --atlas "$b" "$tmp/${subjects[1]}_labels.nii.gz" --atlas "$tmp/${subjects[2]}.nii.gz" \
  "$tmp/${subjects[2]}_labels.nii.gz" -o "$tmp/out/s_" -q --transform rigid --transform affine --iterations 20x10x5
check "$tmp/out/s_report.html" --expect "Segmentation of $a" Labels "volume (mm³)" "atlases used"

# track: plots, measures, every frame's labels.
/usr/bin/python3 - "$data" "$tmp" <<'PY'
import sys, numpy as np, nibabel as nib
data, tmp = sys.argv[1:]
img = nib.load(f"{data}/img4d_11f.nii.gz")
a = nib.load(f"{data}/seg4d_11f_label1.nii.gz").get_fdata()[..., 1] > 0
nib.save(nib.Nifti1Image(a.astype(np.uint16), img.affine), f"{tmp}/ref.nii.gz")
PY
"$alinea" track -i "$data/img4d_11f.nii.gz" --labels "$tmp/ref.nii.gz" --reference-frame 2 -o "$tmp/out/t_" -q
check "$tmp/out/t_report.html" --expect "Tracking through 11 frames" "Volume and position over time" \
  "The labels on every frame" "frame 2 (reference)"

# atlas: template, iterations, subjects.
"$alinea" atlas -i "$a" "$b" "$tmp/${subjects[2]}.nii.gz" -o "$tmp/out/atlas_" -q --iterations 2 \
  --transform rigid --transform affine --iterations 20x10x5
check "$tmp/out/atlas_report.html" --expect "Atlas of 3 subjects" "Inputs and template" Iterations "Subjects in the template's space"

echo "report: all checks passed"
