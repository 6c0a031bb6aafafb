#!/usr/bin/env bash
# No command overwrites its inputs: an output that is an input, directly or through a
# symbolic link, is a clear error before any work, and the input keeps its bytes.
set -euo pipefail
alinea=$1
data=/usr/share/doc/insighttoolkit5-examples/examples/Data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

printf '#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_2_2\nParameters: 1 0 0 1 2 1\nFixedParameters: 0 0\n' > "$tmp/t_affine.txt"
"$alinea" apply -r "$data/BrainT1SliceBorder20.png" -i "$data/BrainT1SliceBorder20.png" -t "$tmp/t_affine.txt" -o "$tmp/image.nii.gz"
"$alinea" simulate -i "$tmp/image.nii.gz" -o "$tmp/s_" --seed 1 --deformation 3 > /dev/null
ln -s "$tmp/image.nii.gz" "$tmp/link.nii.gz"
cp "$tmp/s_true_affine.txt" "$tmp/r_affine.txt"
sums() { md5sum "$tmp"/*.nii.gz "$tmp"/*_affine.txt | sort; }
before=$(sums)
refused() {  # COMMAND...: must fail, naming the overwrite
  if "$@" > "$tmp/err.txt" 2>&1; then fail "accepted: $*"; fi
  grep -q "would overwrite an input" "$tmp/err.txt" || { cat "$tmp/err.txt"; fail "no clear error for: $*"; }
}
refused "$alinea" apply -r "$tmp/image.nii.gz" -i "$tmp/s_moving.nii.gz" -o "$tmp/image.nii.gz"
refused "$alinea" apply -r "$tmp/s_moving.nii.gz" -i "$tmp/image.nii.gz" -o "$tmp/link.nii.gz"
refused "$alinea" apply -r "$tmp/image.nii.gz" -i "$tmp/s_moving.nii.gz" -t "[$tmp/s_true_warp.nii.gz,1]" -o "$tmp/s_true_warp.nii.gz"
refused "$alinea" register -f "$tmp/image.nii.gz" -m "$tmp/s_moving.nii.gz" -o "$tmp/r_" --init "$tmp/r_affine.txt" -q
refused "$alinea" register -f "$tmp/image.nii.gz" -m "$tmp/s_warped.nii.gz" -o "$tmp/s_" -q
refused "$alinea" simulate -i "$tmp/s_moving.nii.gz" -o "$tmp/s_" --seed 2
refused "$alinea" invert "$tmp/s_true_warp.nii.gz" -o "$tmp/s_true_warp.nii.gz"
refused "$alinea" jacobian "$tmp/s_true_warp.nii.gz" -o "$tmp/s_true_warp.nii.gz"
refused "$alinea" compose -r "$tmp/image.nii.gz" -t "$tmp/s_true_warp.nii.gz" -o "$tmp/s_true_warp.nii.gz"
refused "$alinea" overlap "$tmp/image.nii.gz" "$tmp/image.nii.gz" --csv "$tmp/link.nii.gz"
[ "$(sums)" = "$before" ] || { diff <(echo "$before") <(sums); fail "an input changed"; }
echo "outputs: all checks passed"
