#!/usr/bin/env bash
# alinea segment and alinea overlap from the command line, on real brains at 4 mm
# (../shared/data/ixi10, DLMUSE labels): joint label fusion of three atlases beats
# each atlas alone; outputs (labels, 4-D posteriors summing to 1, volumes, log,
# picture); saved transforms reused without registering; 2-D; clear errors.
set -euo pipefail
alinea=$1
source_dir=$2
ixi=$source_dir/../shared/data/ixi10
tmp=$(mktemp -d)
mkdir -p "$tmp/again" "$tmp/out" "$tmp/prob"  # output folders (runs do not create them)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

source "$source_dir/tests/cli/lib/ixi_4mm.sh"  # subjects=(...) at 4 mm in $tmp
target=$tmp/${subjects[0]}.nii.gz truth=$tmp/${subjects[0]}_labels.nii.gz
atlases=()
for s in "${subjects[@]:1}"; do atlases+=(--atlas "$tmp/$s.nii.gz" "$tmp/${s}_labels.nii.gz"); done
plan=(--transform rigid --transform affine --transform diffeo --iterations 30x20x10)

"$alinea" segment -i "$target" "${atlases[@]}" -o "$tmp/out/s_" --posteriors --save-atlases -q "${plan[@]}"
for f in labels.nii.gz posteriors.nii.gz volumes.csv log.json qc.png atlas1_labels.nii.gz atlas3_transform0.nii.gz atlas3_transform1.txt; do
  [ -s "$tmp/out/s_$f" ] || fail "missing output s_$f"
done
grep -q '"method": "jlf"' "$tmp/out/s_log.json" || fail "three atlases did not default to joint label fusion"
"$alinea" info "$tmp/out/s_labels.nii.gz" | grep -q uint16 || fail "the fused labels are not stored as integers"
head -1 "$tmp/out/s_volumes.csv" | grep -qx 'label,voxels,volume_mm3' || fail "volumes.csv header"
# Posteriors: frame k is label k's probability; they sum to 1 at every voxel and the
# labels are their argmax.
/usr/bin/python3 - "$tmp/out/s_posteriors.nii.gz" "$tmp/out/s_labels.nii.gz" "$tmp/out/s_log.json" <<'PY' || fail "posteriors"
import sys, json, numpy as np, nibabel as nib
p = nib.load(sys.argv[1]).get_fdata(); labels = nib.load(sys.argv[2]).get_fdata()
values = json.load(open(sys.argv[3]))["labels"]
assert p.shape == labels.shape + (max(values) + 1,), (p.shape, labels.shape, max(values))
assert np.abs(p.sum(axis=3) - 1).max() < 0.02, np.abs(p.sum(axis=3) - 1).max()
absent = [k for k in range(p.shape[3]) if k not in values]
assert p[..., absent].max() == 0
agree = (np.argmax(p, axis=3) == labels).mean()
assert agree > 0.99, agree  # 8-bit rounding may swap near-ties
PY

dice() { "$alinea" overlap "$1" "$2" --no-distances | sed -n 's/.*mean Dice \([0-9.]*\).*/\1/p'; }
fused=$(dice "$truth" "$tmp/out/s_labels.nii.gz")
for k in 1 2 3; do
  single=$(dice "$truth" "$tmp/out/s_atlas${k}_labels.nii.gz")
  awk -v f="$fused" -v s="$single" 'BEGIN {exit !(f > s + 0.02)}' || fail "fusion ($fused) not above atlas $k alone ($single)"
done

# Saved transforms are reused: no registration, the same atlases on the target.
reuse=()
for k in 1 2 3; do
  s=${subjects[$k]}
  reuse+=(--atlas "$tmp/$s.nii.gz" "$tmp/${s}_labels.nii.gz" "$tmp/out/s_atlas${k}_transform0.nii.gz" "$tmp/out/s_atlas${k}_transform1.txt")
done
"$alinea" segment -i "$target" "${reuse[@]}" -o "$tmp/again/s_" --save-atlases --fusion majority -q
grep -q '"registered": true' "$tmp/again/s_log.json" && fail "a given transform was registered again"
cmp -s "$tmp/out/s_atlas2_labels.nii.gz" "$tmp/again/s_atlas2_labels.nii.gz" || fail "reused transform gives other labels"

# The posteriors serve as a probabilistic atlas (on the target's own grid: identity).
"$alinea" segment -i "$target" --atlas "$target" "$tmp/out/s_posteriors.nii.gz" identity -o "$tmp/prob/s_" -q
same=$(dice "$tmp/out/s_labels.nii.gz" "$tmp/prob/s_labels.nii.gz")
awk -v d="$same" 'BEGIN {exit !(d > 0.98)}' || fail "the posteriors as an atlas give other labels (Dice $same)"

# overlap: a map against itself; the CSV.
"$alinea" overlap "$truth" "$truth" --csv "$tmp/o.csv" | grep -q "mean Dice 1.0000, mean Jaccard 1.0000, mean HD95 0.000 mm" \
  || fail "a label map against itself"
head -1 "$tmp/o.csv" | grep -qx 'label,voxels_a,voxels_b,dice,jaccard,hausdorff95_mm' || fail "overlap CSV header"
tail -1 "$tmp/o.csv" | grep -q '^mean,' || fail "overlap CSV has no mean row"

# 2-D: three ANTs slices label a fourth (labels: intensity classes of each slice).
slices=$source_dir/../shared/data/ants-slices
printf '#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_2_2\nParameters: 1 0 0 1 0 0\nFixedParameters: 0 0\n' > "$tmp/identity2.txt"
for s in r16 r27 r30 r62; do
  "$alinea" apply -r "$slices/${s}slice.png" -i "$slices/${s}slice.png" -t "$tmp/identity2.txt" -o "$tmp/$s.nii.gz"
  /usr/bin/python3 - "$tmp/$s.nii.gz" "$tmp/${s}_labels.nii.gz" <<'PY'
import sys, numpy as np, nibabel as nib
img = nib.load(sys.argv[1])
labels = np.digitize(img.get_fdata(), [40, 110, 170]).astype(np.uint8)
nib.save(nib.Nifti1Image(labels, img.affine), sys.argv[2])
PY
done
"$alinea" segment -i "$tmp/r16.nii.gz" --atlas "$tmp/r27.nii.gz" "$tmp/r27_labels.nii.gz" \
  --atlas "$tmp/r30.nii.gz" "$tmp/r30_labels.nii.gz" --atlas "$tmp/r62.nii.gz" "$tmp/r62_labels.nii.gz" -o "$tmp/2d_" -q
d2=$(dice "$tmp/r16_labels.nii.gz" "$tmp/2d_labels.nii.gz")
awk -v d="$d2" 'BEGIN {exit !(d > 0.7)}' || fail "2-D segmentation Dice $d2"

# Clear one-line errors, nothing written.
expect_error() {  # PATTERN COMMAND...
  local pattern=$1; shift
  if "$@" > "$tmp/err.txt" 2>&1; then fail "accepted: $*"; fi
  grep -q -- "$pattern" "$tmp/err.txt" || { cat "$tmp/err.txt"; fail "no clear error ($pattern) for: $*"; }
}
expect_error "missing.nii.gz" "$alinea" segment -i "$target" --atlas "$tmp/${subjects[1]}.nii.gz" "$tmp/missing.nii.gz" -o "$tmp/e1_" -q
expect_error "overwrite an input" "$alinea" segment -i "$tmp/x_labels.nii.gz" --atlas "$target" "$truth" -o "$tmp/x_" -q
expect_error "fusion" "$alinea" segment -i "$target" "${atlases[@]}" --fusion staple -o "$tmp/e2_" -q
expect_error "consensus" "$alinea" segment -i "$target" "${atlases[@]}" --consensus 1.5 -o "$tmp/e3_" -q
expect_error "2-D" "$alinea" segment -i "$tmp/r16.nii.gz" --atlas "$target" "$truth" -o "$tmp/e4_" -q
expect_error "not on the grid" "$alinea" overlap "$truth" "$tmp/r16_labels.nii.gz"
expect_error "4-D series" "$alinea" segment -i "$tmp/out/s_posteriors.nii.gz" "${atlases[@]}" -o "$tmp/e5_" -q
ls "$tmp" | grep -q '^e[0-9]_' && fail "a failed run left outputs"
echo "segment: all checks passed"
