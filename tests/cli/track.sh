#!/usr/bin/env bash
# alinea track from the command line on the ITK-SNAP 4-D series (../shared/data/
# itksnap-4d): outputs (4-D labels, measures with one row per frame and label, plot,
# log, per-frame transforms), frames counted from 1, a list of frames as input, and
# clear errors.
set -euo pipefail
alinea=$1
source_dir=$2
data=$source_dir/../shared/data/itksnap-4d
tmp=$(mktemp -d)
mkdir -p "$tmp/list" "$tmp/out" "$tmp/seq"  # output folders (runs do not create them)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# The reference labels: both structures of frame 2 (label 2 wins where they overlap).
/usr/bin/python3 - "$data" "$tmp" <<'PY'
import sys, numpy as np, nibabel as nib
data, tmp = sys.argv[1:]
img = nib.load(f"{data}/img4d_11f.nii.gz")
a = nib.load(f"{data}/seg4d_11f_label1.nii.gz").get_fdata()[..., 1] > 0
b = nib.load(f"{data}/seg4d_11f_label2.nii.gz").get_fdata()[..., 1] > 0
labels = np.where(b, 2, np.where(a, 1, 0)).astype(np.uint16)
nib.save(nib.Nifti1Image(labels, img.affine), f"{tmp}/ref2.nii.gz")
for t in range(3):  # three frames as separate files
    nib.save(nib.Nifti1Image(img.get_fdata()[..., t].astype(np.float32), img.affine), f"{tmp}/day{t + 1}.nii.gz")
PY

"$alinea" track -i "$data/img4d_11f.nii.gz" --labels "$tmp/ref2.nii.gz" --reference-frame 2 -o "$tmp/out/t_" -q
for f in labels.nii.gz measures.csv plot.png log.json frame1_transform0.nii.gz frame11_transform1.txt; do
  [ -s "$tmp/out/t_$f" ] || fail "missing output t_$f"
done
"$alinea" info "$tmp/out/t_labels.nii.gz" | grep -q "time points  11" || fail "the labels are not a 4-D series of 11 frames"
head -1 "$tmp/out/t_measures.csv" | grep -qx 'frame,label,voxels,volume_mm3,centroid_x,centroid_y,centroid_z,displacement_mm,volume_change_percent' \
  || fail "measures.csv header"
[ "$(tail -n +2 "$tmp/out/t_measures.csv" | wc -l)" -eq 22 ] || fail "measures.csv does not have 11 frames x 2 labels"
# The reference frame keeps its labels exactly: no change, no displacement.
/usr/bin/python3 - "$tmp/out/t_labels.nii.gz" "$tmp/ref2.nii.gz" "$tmp/out/t_measures.csv" <<'PY' || fail "reference frame or centroid convention"
import sys, csv, numpy as np, nibabel as nib
tracked = nib.load(sys.argv[1]); ref = nib.load(sys.argv[2])
assert np.array_equal(tracked.get_fdata()[..., 1], ref.get_fdata())
rows = [r for r in csv.DictReader(open(sys.argv[3]))]
for r in rows:
    if r["frame"] == "2":
        assert float(r["displacement_mm"]) == 0 and float(r["volume_change_percent"]) == 0, r
        # Centroid in RAS mm, as nibabel computes it from the voxel indices.
        ijk = np.argwhere(ref.get_fdata() == int(r["label"])).mean(axis=0)
        xyz = ref.affine[:3, :3] @ ijk + ref.affine[:3, 3]
        got = np.array([float(r["centroid_x"]), float(r["centroid_y"]), float(r["centroid_z"])])
        assert np.abs(got - xyz).max() < 1e-3, (got, xyz)
PY

# Frames registered at once (the default) or one at a time: the same bytes.
"$alinea" track -i "$data/img4d_11f.nii.gz" --labels "$tmp/ref2.nii.gz" --reference-frame 2 -o "$tmp/seq/t_" -q --no-parallel-frames
for f in labels.nii.gz measures.csv frame7_transform0.nii.gz frame1_transform1.txt; do
  cmp -s "$tmp/out/t_$f" "$tmp/seq/t_$f" || fail "$f differs between parallel and sequential frames"
done

# A list of frames: labels per frame on each frame's grid, named after the files.
"$alinea" track -i "$tmp/day1.nii.gz" "$tmp/day2.nii.gz" "$tmp/day3.nii.gz" --labels "$tmp/ref2.nii.gz" \
  --reference-frame 2 --mode direct -o "$tmp/list/t_" -q
for d in day1 day2 day3; do [ -s "$tmp/list/t_${d}_labels.nii.gz" ] || fail "missing t_${d}_labels.nii.gz"; done
grep -q '"mode": "direct"' "$tmp/list/t_log.json" || fail "log.json does not record the mode"

expect_error() {  # PATTERN COMMAND...
  local pattern=$1; shift
  if "$@" > "$tmp/err.txt" 2>&1; then fail "accepted: $*"; fi
  grep -q -- "$pattern" "$tmp/err.txt" || { cat "$tmp/err.txt"; fail "no clear error ($pattern) for: $*"; }
}
expect_error "frames 1 to 11" "$alinea" track -i "$data/img4d_11f.nii.gz" --labels "$tmp/ref2.nii.gz" --reference-frame 0 -o "$tmp/e1_" -q
expect_error "frames 1 to 11" "$alinea" track -i "$data/img4d_11f.nii.gz" --labels "$tmp/ref2.nii.gz" --reference-frame 12 -o "$tmp/e2_" -q
expect_error "not a series" "$alinea" track -i "$tmp/day1.nii.gz" --labels "$tmp/ref2.nii.gz" -o "$tmp/e3_" -q
expect_error "overwrite an input" "$alinea" track -i "$data/img4d_11f.nii.gz" --labels "$tmp/x_labels.nii.gz" -o "$tmp/x_" -q
expect_error "mode" "$alinea" track -i "$data/img4d_11f.nii.gz" --labels "$tmp/ref2.nii.gz" --mode drift -o "$tmp/e4_" -q
ls "$tmp" | grep -q '^e[0-9]_' && fail "a failed run left outputs"
echo "track: all checks passed"
