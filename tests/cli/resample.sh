#!/usr/bin/env bash
# alinea resample (against an independent Gaussian-then-sample computed with scipy) and
# alinea convert (formats, types, the warning for what a type cannot hold).
set -euo pipefail
alinea=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
colin=/usr/share/mricron/templates/ch2bet.nii.gz
slice=/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainProtonDensitySlice.png

"$alinea" resample -i "$colin" -o "$tmp/ch2_2mm.nii.gz" --spacing 2 > "$tmp/out.txt"
grep -q "to 91x109x91 voxels of 2x2x2 mm" "$tmp/out.txt" || fail "resample report: $(cat "$tmp/out.txt")"
/usr/bin/python3 - "$colin" "$tmp/ch2_2mm.nii.gz" <<'PY' || fail "resample disagrees with scipy's Gaussian-then-sample"
import sys, math, numpy as np, nibabel as nib
from scipy import ndimage
src, out = nib.load(sys.argv[1]), nib.load(sys.argv[2])
a = src.get_fdata()
# about the same box: 181 voxels of 1 mm -> round(90.5) = 91 of 2 mm about the same centre, same direction
centre = src.affine[:3, :3] @ ((np.array(a.shape) - 1) / 2) + src.affine[:3, 3]
expected = np.eye(4); expected[:3, :3] = src.affine[:3, :3] * 2
expected[:3, 3] = centre - expected[:3, :3] @ ((np.array(out.shape) - 1) / 2)
assert np.allclose(out.affine, expected, atol=1e-5), (out.affine, expected)
sigma = math.sqrt(2 ** 2 - 1 ** 2) / (2 * math.sqrt(2 * math.log(2)))  # mm = voxels here
smooth = ndimage.gaussian_filter(a, sigma, mode="nearest", truncate=3.0, radius=math.ceil(3 * sigma))
ijk = np.stack(np.meshgrid(*[np.arange(n) for n in out.shape], indexing="ij"), 0).reshape(3, -1)
world = out.affine[:3, :3] @ ijk + out.affine[:3, 3:4]
src_index = np.linalg.solve(src.affine[:3, :3], world - src.affine[:3, 3:4])
reference = ndimage.map_coordinates(smooth, src_index, order=1).reshape(out.shape)
got = out.get_fdata()
interior = (slice(3, -3),) * 3  # away from the borders, where the two treat the edge differently
err = np.abs(got[interior] - reference[interior]).max()
assert err < 1e-3 * a.max(), (err, a.max())
print(f"resample vs scipy: worst {err:.4g} (of {a.max():.0f})")
PY
# no anti-aliasing: plain sampling, so the result differs from the smoothed one
"$alinea" resample -i "$colin" -o "$tmp/raw.nii.gz" --spacing 2 --no-antialias -q
cmp -s "$tmp/raw.nii.gz" "$tmp/ch2_2mm.nii.gz" && fail "--no-antialias changed nothing"
# --size and --like give the same grid as the spacing it implies
"$alinea" resample -i "$colin" -o "$tmp/size.nii.gz" --size 91x109x91 -q
"$alinea" resample -i "$colin" -o "$tmp/like.nii.gz" --like "$tmp/ch2_2mm.nii.gz" -q
/usr/bin/python3 -c "
import nibabel as nib, numpy as np
a, b, c = (nib.load('$tmp/' + n) for n in ('ch2_2mm.nii.gz', 'size.nii.gz', 'like.nii.gz'))
assert b.shape == a.shape and np.allclose(b.affine[:3, :3], np.diag([181 / 91, 217 / 109, 181 / 91]), atol=1e-5)
assert np.array_equal(c.affine, a.affine) and np.array_equal(c.get_fdata(), a.get_fdata())
" || fail "--size / --like grids"
# labels: no smoothing, no new label values, the input's type
/usr/bin/python3 -c "
import nibabel as nib, numpy as np
img = nib.load('$colin'); l = (np.digitize(img.get_fdata(), [1, 60, 90]) * 1).astype(np.uint8)
nib.save(nib.Nifti1Image(l, img.affine), '$tmp/labels.nii.gz')"
"$alinea" resample -i "$tmp/labels.nii.gz" -o "$tmp/labels_3mm.nii.gz" --spacing 3 -n label -q
/usr/bin/python3 -c "
import nibabel as nib, numpy as np
l = nib.load('$tmp/labels_3mm.nii.gz'); assert l.get_data_dtype() == np.uint8
assert set(np.unique(l.get_fdata())) <= {0, 1, 2, 3}, np.unique(l.get_fdata())
" || fail "label resampling"
out=$("$alinea" resample -i "$colin" -o "$tmp/x.nii.gz" --spacing 0 2>&1) && fail "--spacing 0 accepted"
echo "$out" | grep -q "positive" || fail "--spacing 0 message: $out"
out=$("$alinea" resample -i "$colin" -o "$tmp/x.nii.gz" --spacing 2x2 2>&1) && fail "two spacings for 3-D accepted"
echo "$out" | grep -q "expected 1 or 3 values" || fail "--spacing 2x2 message: $out"

# convert: PNG -> NIfTI -> PNG keeps the voxels; float -> uint8 warns about what it clips
"$alinea" convert -i "$slice" -o "$tmp/slice.nii.gz"
"$alinea" convert -i "$tmp/slice.nii.gz" -o "$tmp/slice.png"
/usr/bin/python3 -c "
import nibabel as nib, numpy as np
n = nib.load('$tmp/slice.nii.gz'); assert n.get_data_dtype() == np.uint8, n.get_data_dtype()
" || fail "a PNG's type is kept"
"$alinea" convert -i "$tmp/slice.png" -o "$tmp/slice2.nii.gz"
cmp -s "$tmp/slice.nii.gz" "$tmp/slice2.nii.gz" || fail "PNG -> NIfTI -> PNG -> NIfTI changed the voxels"
"$alinea" convert -i "$colin" -o "$tmp/ch2_i8.nii.gz" --type int8 2> "$tmp/warn.txt"
grep -q "ch2_i8.nii.gz: .* values beyond int8's range -128 .. 127 were clipped" "$tmp/warn.txt" || fail "clip warning: $(cat "$tmp/warn.txt")"
printf '#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_3_3\nParameters: 1 0 0 0 1 0 0 0 1 40 0 0\nFixedParameters: 0 0 0\n' > "$tmp/shift.txt"
"$alinea" apply -r "$colin" -i "$colin" -o "$tmp/nan_u8.nii.gz" -t "$tmp/shift.txt" --outside nan --type uint8 2> "$tmp/warn2.txt"
grep -q "NaN values were written as 0 (uint8 cannot hold them)" "$tmp/warn2.txt" || fail "NaN warning: $(cat "$tmp/warn2.txt")"
echo "resample, convert: all checks passed"
