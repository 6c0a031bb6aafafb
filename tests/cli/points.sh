#!/usr/bin/env bash
# alinea points and evaluate's landmark error: points carried through an affine and a
# displacement field agree (to 1e-4 mm) with resampling coordinate images through the
# same chain with `apply`; landmarks made by a known affine (numpy) give a TRE of zero;
# RAS input gives the same points; the inverse chain brings them back; bad tables are
# clear errors.
set -euo pipefail
alinea=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

/usr/bin/python3 - "$tmp" <<'PY'
import sys, numpy as np, nibabel as nib
tmp = sys.argv[1]
# Reference (fixed) grid: oblique, 2 mm; the moving grid: another one.
fixed_affine = np.array([[-1.9, 0.3, 0.0, 40.0], [0.2, 2.0, 0.1, -30.0], [0.0, -0.1, 2.1, -20.0], [0, 0, 0, 1]])
moving_affine = np.array([[1.5, 0, 0, -50.0], [0, 1.5, 0, -60.0], [0, 0, 1.5, -40.0], [0, 0, 0, 1]])
shape_f, shape_m = (20, 22, 18), (70, 80, 60)
nib.save(nib.Nifti1Image(np.zeros(shape_f, np.float32), fixed_affine), f"{tmp}/fixed.nii.gz")
# Coordinate images on the moving grid: each voxel holds its own LPS x, y or z (mm).
ijk = np.stack(np.meshgrid(*[np.arange(n) for n in shape_m], indexing="ij"), -1).astype(float)
ras = ijk @ moving_affine[:3, :3].T + moving_affine[:3, 3]
lps = ras * [-1, -1, 1]
for a, name in enumerate("xyz"):
    nib.save(nib.Nifti1Image(lps[..., a].astype(np.float32), moving_affine), f"{tmp}/coord_{name}.nii.gz")
# A smooth warp on the fixed grid (LPS mm, ITK/ANTs 5-D vector NIfTI) and an ITK affine.
ijk_f = np.stack(np.meshgrid(*[np.arange(n) for n in shape_f], indexing="ij"), -1).astype(float)
u = np.stack([2.5 * np.sin(ijk_f[..., 1] / 4.0), -1.5 * np.cos(ijk_f[..., 2] / 5.0), 1.0 * np.sin(ijk_f[..., 0] / 3.0)], -1)
warp = nib.Nifti1Image(u[:, :, :, None, :].astype(np.float32), fixed_affine)
warp.header.set_intent("vector")
nib.save(warp, f"{tmp}/warp.nii.gz")
m = np.array([[0.98, -0.12, 0.03], [0.11, 0.99, -0.05], [-0.02, 0.06, 1.01]]); t = np.array([3.0, -4.5, 2.25])
params = " ".join(f"{v:.17g}" for v in list(m.ravel()) + list(t))
open(f"{tmp}/affine.txt", "w").write("#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_3_3\n"
                                     f"Parameters: {params}\nFixedParameters: 0 0 0\n")
np.save(f"{tmp}/m.npy", m); np.save(f"{tmp}/t.npy", t)
# Points: the centres of some fixed voxels (LPS), with a label and a comment column.
rng = np.random.default_rng(4)
vox = np.stack([rng.integers(2, n - 2, 12) for n in shape_f], -1)
np.save(f"{tmp}/vox.npy", vox)
pts = (vox @ fixed_affine[:3, :3].T + fixed_affine[:3, 3]) * [-1, -1, 1]
with open(f"{tmp}/fixed_points.csv", "w") as f:
    f.write("x,y,z,t,label,comment\n")
    for k, p in enumerate(pts):
        f.write(f"{p[0]:.17g},{p[1]:.17g},{p[2]:.17g},0,{k + 1},landmark {k + 1}\n")
with open(f"{tmp}/fixed_points_ras.csv", "w") as f:
    f.write("x,y,z,t,label,comment\n")
    for k, p in enumerate(pts):
        f.write(f"{-p[0]:.17g},{-p[1]:.17g},{p[2]:.17g},0,{k + 1},landmark {k + 1}\n")
# The same landmarks in the moving image, by the affine alone, computed here.
with open(f"{tmp}/moving_points.csv", "w") as f:
    f.write("x,y,z,t\n")
    for p in pts:
        q = m @ p + t
        f.write(f"{q[0]:.17g},{q[1]:.17g},{q[2]:.17g},0\n")
PY

# 1. points through warp then affine == the coordinate images resampled through the same chain
"$alinea" points -i "$tmp/fixed_points.csv" -o "$tmp/mapped.csv" -t "$tmp/warp.nii.gz" -t "$tmp/affine.txt"
for a in x y z; do
  "$alinea" apply -r "$tmp/fixed.nii.gz" -i "$tmp/coord_$a.nii.gz" -o "$tmp/mapped_$a.nii.gz" \
    -t "$tmp/warp.nii.gz" -t "$tmp/affine.txt"
done
/usr/bin/python3 - "$tmp" <<'PY' || fail "points and apply disagree"
import sys, csv, numpy as np, nibabel as nib
tmp = sys.argv[1]
vox = np.load(f"{tmp}/vox.npy")
rows = list(csv.DictReader(open(f"{tmp}/mapped.csv")))
assert [r["label"] for r in rows] == [str(k + 1) for k in range(len(vox))], "other columns not kept"
assert rows[0]["comment"] == "landmark 1"
worst = 0
for a in "xyz":
    img = nib.load(f"{tmp}/mapped_{a}.nii.gz").get_fdata()
    for r, v in zip(rows, vox):
        worst = max(worst, abs(float(r[a]) - img[tuple(v)]))
assert worst < 1e-4, worst
print(f"points vs apply: worst difference {worst:.2e} mm")
PY

# 2. a TRE of zero for landmarks made by the affine; the identity gives the motion itself
"$alinea" evaluate --fixed-points "$tmp/fixed_points.csv" --moving-points "$tmp/moving_points.csv" \
  -t "$tmp/affine.txt" --json > "$tmp/tre.json"
/usr/bin/python3 -c "
import json, sys; r = json.load(open('$tmp/tre.json'))['landmarks']
assert r['points'] == 12 and r['max_mm'] < 1e-9, r
" || fail "TRE of a landmark pair made by the transform is not zero"
"$alinea" evaluate --fixed-points "$tmp/fixed_points.csv" --moving-points "$tmp/moving_points.csv" > "$tmp/tre.txt"
grep -q "landmark error (TRE) over 12 points" "$tmp/tre.txt" || fail "TRE report"
grep -q "mean 0.0000 mm" "$tmp/tre.txt" && fail "the identity's TRE is zero"

# 3. RAS in and out gives the same points; the inverse chain carries them back
"$alinea" points -i "$tmp/fixed_points_ras.csv" -o "$tmp/mapped_ras.csv" --ras -t "$tmp/warp.nii.gz" -t "$tmp/affine.txt"
"$alinea" points -i "$tmp/moving_points.csv" -o "$tmp/back.csv" -t "[$tmp/affine.txt,1]"
/usr/bin/python3 - "$tmp" <<'PY' || fail "RAS or inverse"
import sys, csv
tmp = sys.argv[1]
lps = list(csv.DictReader(open(f"{tmp}/mapped.csv"))); ras = list(csv.DictReader(open(f"{tmp}/mapped_ras.csv")))
for a, b in zip(lps, ras):
    assert abs(float(a["x"]) + float(b["x"])) < 1e-9 and abs(float(a["y"]) + float(b["y"])) < 1e-9
    assert abs(float(a["z"]) - float(b["z"])) < 1e-9
back = list(csv.DictReader(open(f"{tmp}/back.csv"))); orig = list(csv.DictReader(open(f"{tmp}/fixed_points.csv")))
for a, b in zip(back, orig):
    assert max(abs(float(a[k]) - float(b[k])) for k in "xyz") < 1e-9, (a, b)
PY

# 4. clear errors
printf 'a,b\n1,2\n' > "$tmp/nocols.csv"
out=$("$alinea" points -i "$tmp/nocols.csv" -o "$tmp/o.csv" 2>&1) && fail "a table without x, y was accepted"
echo "$out" | grep -q "nocols.csv: .*no x and y columns" || fail "no-columns message: $out"
printf 'x,y,z\n1,2,oops\n' > "$tmp/bad.csv"
out=$("$alinea" points -i "$tmp/bad.csv" -o "$tmp/o.csv" 2>&1) && fail "a bad number was accepted"
echo "$out" | grep -q "bad.csv: point 1: 'oops' is not a finite z coordinate" || fail "bad-number message: $out"
head -5 "$tmp/moving_points.csv" > "$tmp/short.csv"
out=$("$alinea" evaluate --fixed-points "$tmp/fixed_points.csv" --moving-points "$tmp/short.csv" 2>&1) && fail "mismatched tables"
echo "$out" | grep -q "4 points, but" || fail "mismatch message: $out"
[ ! -e "$tmp/o.csv" ] || fail "an output was written after an error"
out=$("$alinea" regsiter -f a -m b -o c 2>&1) && fail "a mistyped command was accepted"
echo "$out" | grep -q "unknown command 'regsiter'; did you mean 'register'?" || fail "typo message: $out"
echo "points: all checks passed"
