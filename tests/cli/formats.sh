#!/usr/bin/env bash
# The formats read through ITK (MetaImage, NRRD, Analyze/NIfTI pairs, VTK, DICOM series),
# checked against answers made without ITK: the geometry written in the example files'
# text headers (ITK's own example data), a DICOM series written here with pydicom
# (geometry from its position and orientation tags, values from its rescale tags), and
# nibabel for NIfTI <-> MHA <-> NRRD round trips. In a build without ITK, each of these
# formats gives one clear error instead.
set -euo pipefail
alinea=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
data=/usr/share/doc/insighttoolkit5-examples/examples/Data

if "$alinea" --version | grep -q "without ITK"; then
  for f in "$data/RatLungSlice1.mha" "$data/BrainProtonDensitySliceBorder20.nhdr"; do
    if "$alinea" info "$f" > "$tmp/out.txt" 2> "$tmp/err.txt"; then fail "$f read without ITK"; fi
    [ "$(wc -l < "$tmp/err.txt")" -eq 1 ] && grep -q "$f: .*need Alinea built with ITK" "$tmp/err.txt" ||
      fail "without ITK: $(cat "$tmp/err.txt")"
  done
  echo "formats: a build without ITK names what is missing"
  exit 0
fi

# 1. ITK's example files: size, spacing, origin and direction as their headers say.
/usr/bin/python3 - "$alinea" "$data" <<'PY' || fail "geometry of ITK's example files"
import json, re, subprocess, sys
import numpy as np
alinea, data = sys.argv[1:]

def meta(path):  # MetaImage: TransformMatrix lists each axis' direction in turn
    h = dict(l.split(" = ", 1) for l in open(path, errors="replace").read().split("ElementDataFile")[0].splitlines() if " = " in l)
    n = int(h["NDims"])
    nums = lambda k, d: np.array([float(x) for x in h.get(k, d).split()])
    direction = nums("TransformMatrix", " ".join(str(float(i == j)) for i in range(n) for j in range(n))).reshape(n, n).T
    return ([int(x) for x in h["DimSize"].split()], nums("ElementSpacing", "1 " * n),
            nums("Offset", "0 " * n) if "Offset" in h else nums("Position", "0 " * n), direction)

def nrrd(path):  # NRRD: space directions are spacing * direction, per axis
    h = dict(l.split(": ", 1) for l in open(path, errors="replace").read().splitlines() if ": " in l)
    axes = np.array([[float(x) for x in v.split(",")] for v in re.findall(r"\(([^)]*)\)", h["space directions"])]).T
    origin = np.array([float(x) for x in re.findall(r"\(([^)]*)\)", h["space origin"])[0].split(",")])
    spacing = np.linalg.norm(axes, axis=0)
    return [int(x) for x in h["sizes"].split()], spacing, origin, axes / spacing

files = ["RatLungSlice1.mha", "BrainProtonDensity3Slices.mha", "BrainProtonDensitySliceBorder20.mhd",
         "BrainProtonDensitySliceBorder20DirectionPlus30.mhd", "BrainT1SliceBorder20DirectionMinus30.mhd",
         "BrainProtonDensitySliceBorder20.nhdr", "BrainProtonDensitySliceShifted13x17yDirectionPlus30.nhdr"]
for name in files:
    size, spacing, origin, direction = (meta if name.endswith(("mha", "mhd")) else nrrd)(f"{data}/{name}")
    got = json.loads(subprocess.run([alinea, "info", "--json", f"{data}/{name}"], check=True,
                                    capture_output=True, text=True).stdout)
    assert got["size"] == size, (name, got["size"], size)
    for key, want in (("spacing", spacing), ("origin", origin), ("direction", direction)):
        assert np.allclose(got[key], want, atol=1e-6), (name, key, got[key], want)
    assert got["max"] > got["min"], (name, got["min"], got["max"])
    print(f"{name}: {got['format']} {'x'.join(map(str, size))}, direction {np.round(direction, 4).tolist()} as its header says")
PY

# 2. A DICOM series written here: oblique, slices in shuffled files, rescaled values.
/usr/bin/python3 - "$tmp" <<'PY' || fail "writing the DICOM test series"
import sys, numpy as np, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
out = sys.argv[1]
rng = np.random.default_rng(3)
def series(folder, description, slices, row, col, first, step, spacing, slope, intercept, seed):
    series_uid, frame_uid, study_uid = generate_uid(), generate_uid(), "1.2.826.0.1.3680043.8.498.1"
    normal = np.cross(row, col)
    volume = np.random.default_rng(seed).integers(0, 3000, (slices, 6, 5)).astype(np.int16)  # k, rows (j), columns (i)
    np.save(f"{out}/{description.split()[0]}.npy", volume.astype(np.float64) * slope + intercept)
    for k in np.random.default_rng(seed).permutation(slices):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.4"  # MR image storage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
        ds.Modality, ds.PatientName, ds.PatientID = "MR", "Alinea^Test", "42"
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study_uid, series_uid, frame_uid
        ds.SeriesDescription, ds.SeriesNumber, ds.InstanceNumber = description, 1, int(k) + 1
        ds.ImageOrientationPatient = [f"{v:g}" for v in (*row, *col)]
        ds.ImagePositionPatient = [f"{v:.4f}" for v in np.array(first) + k * step * normal]
        ds.PixelSpacing = [f"{spacing[1]:g}", f"{spacing[0]:g}"]  # between rows, between columns
        ds.SliceThickness = f"{step:g}"
        ds.Rows, ds.Columns = volume.shape[1], volume.shape[2]
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleSlope, ds.RescaleIntercept = f"{slope:g}", f"{intercept:g}"
        ds.PixelData = volume[k].tobytes()
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.save_as(f"{folder}/file{(k * 7) % slices:03d}.dcm", write_like_original=False)
import os
for d in ("one", "two"): os.makedirs(f"{out}/{d}")
series(f"{out}/one", "T1 oblique", 5, (0.6, 0.8, 0), (0, 0, -1), (-100.5, 20.25, 30), 2.5, (0.5, 0.75), 0.5, -100, 1)
series(f"{out}/two", "T1 oblique", 5, (0.6, 0.8, 0), (0, 0, -1), (-100.5, 20.25, 30), 2.5, (0.5, 0.75), 0.5, -100, 1)
series(f"{out}/two", "T2 axial", 3, (1, 0, 0), (0, 1, 0), (0, 0, 0), 3, (1, 1), 1, 0, 2)
PY
"$alinea" info --json "$tmp/one/" > "$tmp/dicom.json"
/usr/bin/python3 - "$tmp/dicom.json" <<'PY' || fail "DICOM series geometry: $(cat "$tmp/dicom.json")"
import json, sys, numpy as np
got = json.load(open(sys.argv[1]))
row, col = np.array([0.6, 0.8, 0]), np.array([0, 0, -1.0])
normal = np.cross(row, col)
assert got["format"] == "DICOM" and got["description"] == "T1 oblique", got
assert got["size"] == [5, 6, 5], got["size"]
assert np.allclose(got["spacing"], [0.5, 0.75, 2.5], atol=1e-6), got["spacing"]
assert np.allclose(got["origin"], [-100.5, 20.25, 30], atol=1e-4), got["origin"]  # the first slice along the normal
assert np.allclose(np.array(got["direction"]), np.stack([row, col, normal], 1), atol=1e-6), got["direction"]
print("DICOM series: 5 x 6 x 5 voxels of 0.5 x 0.75 x 2.5 mm, oblique, as its tags say")
PY
"$alinea" convert -i "$tmp/one" -o "$tmp/one.nii.gz" -q
/usr/bin/python3 - "$tmp/one.nii.gz" "$tmp/T1.npy" <<'PY' || fail "DICOM voxel values"
import sys, numpy as np, nibabel as nib
got = nib.load(sys.argv[1]).get_fdata()     # i, j, k
want = np.load(sys.argv[2]).transpose(2, 1, 0)  # files' k, rows, columns -> i, j, k
assert np.array_equal(got, want), np.abs(got - want).max()
print("DICOM series: voxel values (slope 0.5, intercept -100) exact, slices in position order")
PY
if "$alinea" info "$tmp/two" > "$tmp/out.txt" 2> "$tmp/err.txt"; then fail "a folder of two series was read"; fi
grep -q "holds 2 DICOM series" "$tmp/err.txt" && grep -q '"T1 oblique"' "$tmp/err.txt" && grep -q '"T2 axial"' "$tmp/err.txt" ||
  fail "two series: $(cat "$tmp/err.txt")"
[ "$(wc -l < "$tmp/err.txt")" -eq 1 ] || fail "two series: more than one line: $(cat "$tmp/err.txt")"
mkdir "$tmp/empty"
if "$alinea" info "$tmp/empty" 2> "$tmp/err.txt"; then fail "an empty folder was read"; fi
grep -q "without a DICOM image series" "$tmp/err.txt" || fail "empty folder: $(cat "$tmp/err.txt")"

# 3. Round trips NIfTI -> MHA -> NRRD -> NIfTI: voxels and geometry exactly; NIfTI
# pairs (nibabel's, and ours through ITK) to float32's precision.
/usr/bin/python3 - "$tmp" <<'PY'
import sys, numpy as np, nibabel as nib
from math import cos, sin
out = sys.argv[1]
rotation = np.array([[cos(0.3), -sin(0.3), 0], [sin(0.3), cos(0.3), 0], [0, 0, 1]]) @ \
           np.array([[1, 0, 0], [0, cos(0.2), -sin(0.2)], [0, sin(0.2), cos(0.2)]])
affine = np.eye(4)
affine[:3, :3], affine[:3, 3] = rotation @ np.diag([0.9, 1.1, 1.3]), [-91.123456789, 12.3456789, -7.654321]
rng = np.random.default_rng(0)
nib.save(nib.Nifti1Image(rng.random((7, 6, 5)).astype(np.float32), affine), f"{out}/f32.nii.gz")
nib.save(nib.Nifti1Image(rng.integers(-900, 900, (7, 6, 5)).astype(np.int16), affine), f"{out}/i16.nii.gz")
# a 2-D image is a plane: its axes turn within it (z stays the third axis)
in_plane = np.eye(4)
in_plane[:2, :2] = np.array([[cos(0.3), -sin(0.3)], [sin(0.3), cos(0.3)]]) @ np.diag([0.9, 1.1])
in_plane[:3, 3] = [-91.123456789, 12.3456789, 0]
nib.save(nib.Nifti1Image(rng.integers(0, 255, (9, 8, 1)).astype(np.uint8), in_plane), f"{out}/u8_2d.nii.gz")
for name in ("f32", "i16"):
    nib.save(nib.Nifti1Pair(np.asanyarray(nib.load(f"{out}/{name}.nii.gz").dataobj), affine), f"{out}/{name}_pair.hdr")
PY
for image in f32 i16 u8_2d; do
  previous=$tmp/$image.nii.gz
  for ext in mha mhd nrrd nhdr; do
    "$alinea" convert -i "$previous" -o "$tmp/${image}_chain_$ext.$ext" -q
    previous=$tmp/${image}_chain_$ext.$ext
  done
  for ext in mha nrrd; do "$alinea" convert -i "$tmp/$image.nii.gz" -o "$tmp/$image.$ext" -q; done
  "$alinea" convert -i "$previous" -o "$tmp/${image}_back.nii.gz" -q
  for ext in mha nrrd; do  # each format on its own, back to NIfTI
    "$alinea" convert -i "$tmp/$image.$ext" -o "$tmp/${image}_from_$ext.nii.gz" -q
  done
  if [ -f "$tmp/${image}_pair.hdr" ]; then
    "$alinea" convert -i "$tmp/${image}_pair.hdr" -o "$tmp/${image}_from_pair.nii.gz" -q
    "$alinea" convert -i "$tmp/$image.nii.gz" -o "$tmp/${image}_ours.hdr" -q
    "$alinea" convert -i "$tmp/${image}_ours.hdr" -o "$tmp/${image}_from_ours.nii.gz" -q
  fi
done
/usr/bin/python3 - "$tmp" "$alinea" <<'PY' || fail "round trips"
import json, subprocess, sys, numpy as np, nibabel as nib
out, alinea = sys.argv[1:]
for image, dtype in (("f32", np.float32), ("i16", np.int16), ("u8_2d", np.uint8)):
    original = nib.load(f"{out}/{image}.nii.gz")
    for name in ("back", "from_mha", "from_nrrd") + (("from_pair", "from_ours") if image != "u8_2d" else ()):
        back = nib.load(f"{out}/{image}_{name}.nii.gz")
        assert back.get_data_dtype() == dtype, (image, name, back.get_data_dtype())
        # (a 2-D image comes back as a 2-D NIfTI: shape (9, 8) for (9, 8, 1))
        assert np.array_equal(np.asanyarray(back.dataobj).reshape(original.shape), np.asanyarray(original.dataobj)), (image, name)
        # The pair is read by ITK's NIfTI reader, which takes the voxel sizes from pixdim
        # (float32) rather than from the sform's columns: equal to float32's precision.
        tolerance = 2e-7 * np.abs(original.affine).max() if name in ("from_pair", "from_ours") else 1e-9
        assert np.abs(back.affine - original.affine).max() < tolerance, (image, name, back.affine - original.affine)
    info = json.loads(subprocess.run([alinea, "info", "--json", f"{out}/{image}.nrrd"], check=True,
                                     capture_output=True, text=True).stdout)
    want = "float32" if dtype == np.float32 else np.dtype(dtype).name
    assert info["data_type"] == want and info["format"] == "NRRD", info
    pair = ", and NIfTI pairs," if image != "u8_2d" else ""
    print(f"{image}: NIfTI -> MHA -> MHD -> NRRD -> NHDR -> NIfTI{pair} keep {np.dtype(dtype).name} voxels and the affine")
PY
# A pair's data file arrives with its header, and no staging folder stays behind.
[ -f "$tmp/f32_chain_mhd.raw" ] || fail "the data file of the .mhd is missing"
# out.mhd and out.nhdr would share out.raw: the second is refused, the first kept.
"$alinea" convert -i "$tmp/f32.nii.gz" -o "$tmp/shared.mhd" -q
before=$(md5sum < "$tmp/shared.raw")
if "$alinea" convert -i "$tmp/i16.nii.gz" -o "$tmp/shared.nhdr" -q 2> "$tmp/err.txt"; then fail "shared.nhdr replaced shared.raw"; fi
grep -q "shared.nhdr: cannot write: its data file .*shared.raw exists" "$tmp/err.txt" || fail "shared data file: $(cat "$tmp/err.txt")"
[ "$(md5sum < "$tmp/shared.raw")" = "$before" ] && [ ! -e "$tmp/shared.nhdr" ] || fail "the refused write changed files"
"$alinea" convert -i "$tmp/i16.nii.gz" -o "$tmp/shared.mhd" -q  # the same image written again: allowed
ls -a "$tmp" | grep -q "alinea-write" && fail "a staging folder was left: $(ls -a "$tmp")"

# 4. What these formats cannot do is said, in one line, and nothing is written.
expect_error() {  # expected-message command...
  local want=$1; shift
  if "$@" > "$tmp/out.txt" 2> "$tmp/err.txt"; then fail "accepted: $*"; fi
  [ "$(wc -l < "$tmp/err.txt")" -eq 1 ] && grep -q -- "$want" "$tmp/err.txt" || fail "$*: $(cat "$tmp/err.txt")"
}
expect_error "VTK cannot hold this image's orientation" "$alinea" convert -i "$tmp/f32.nii.gz" -o "$tmp/oblique.vtk"
[ -e "$tmp/oblique.vtk" ] && fail "a refused VTK file was written"
"$alinea" convert -i "$data/BrainProtonDensity3Slices.mha" -o "$tmp/slices.vtk" -q
"$alinea" convert -i "$tmp/slices.vtk" -o "$tmp/slices_back.mha" -q
cmp -s <("$alinea" info "$data/BrainProtonDensity3Slices.mha" | grep -v '^file') \
       <("$alinea" info "$tmp/slices_back.mha" | grep -v '^file') || fail "an MHA -> VTK -> MHA round trip changed the image"
expect_error "is read only here" "$alinea" convert -i "$tmp/f32.nii.gz" -o "$tmp/out.tif"
expect_error "PNG can only hold 2-D images" "$alinea" convert -i "$tmp/one" -o "$tmp/slice.png"
# A .mha or .nrrd may keep its voxels in a data file it names: its own small size is
# then no sign of truncation (8 MB of voxels behind a 200-byte header).
head -c 8000000 /dev/zero > "$tmp/big.raw"
printf 'ObjectType = Image\nNDims = 3\nDimSize = 200 200 100\nElementType = MET_SHORT\nElementDataFile = big.raw\n' > "$tmp/detached.mha"
printf 'NRRD0004\ntype: short\ndimension: 3\nsizes: 200 200 100\nencoding: raw\nendian: little\ndata file: big.raw\n\n' > "$tmp/detached.nrrd"
for f in detached.mha detached.nrrd; do
  "$alinea" info "$tmp/$f" | grep -q "size         200 200 100" || fail "$f with a named data file was not read"
done
printf 'ObjectType = Image\nNDims = 3\nDimSize = 100000 100000 100000\nElementType = MET_FLOAT\nElementDataFile = LOCAL\n' > "$tmp/absurd.mha"
expect_error "absurd.mha: absurd image size" "$alinea" info "$tmp/absurd.mha"
printf 'ObjectType = Image\nNDims = 3\nDimSize = 400 400 400\nElementType = MET_FLOAT\nElementDataFile = LOCAL\nxyz' > "$tmp/short.mha"
expect_error "short.mha: the header describes 64000000 values but the file holds only" "$alinea" info "$tmp/short.mha"
printf 'not a metaimage at all\n' > "$tmp/garbage.mha"
expect_error "garbage.mha: not a readable MetaImage file" "$alinea" info "$tmp/garbage.mha"
expect_error "missing.nrrd: cannot open: no such file" "$alinea" info "$tmp/missing.nrrd"

# 5. A registration reads and writes them like NIfTI: MHA in, NRRD out.
"$alinea" register -f "$data/BrainProtonDensitySliceBorder20.mhd" -m "$data/BrainProtonDensitySliceShifted13x17y.mhd" \
  -o "$tmp/reg_" -q --transform translation
"$alinea" apply -r "$data/BrainProtonDensitySliceBorder20.mhd" -i "$data/BrainProtonDensitySliceShifted13x17y.mhd" \
  -t "$tmp/reg_affine.txt" -o "$tmp/warped.nrrd"
grep -q "Parameters: 1 0 0 1 " "$tmp/reg_affine.txt" || fail "translation: $(cat "$tmp/reg_affine.txt")"
/usr/bin/python3 - "$tmp/reg_affine.txt" <<'PY' || fail "the MHA pair's translation (13, 17) was not found"
import sys
p = [float(x) for x in open(sys.argv[1]).read().split("Parameters: ")[1].split()[:6]]
assert abs(p[4] - 13) < 0.2 and abs(p[5] - 17) < 0.2, p
print(f"register on MetaImage: translation ({p[4]:.2f}, {p[5]:.2f}) mm, truth (13, 17)")
PY
"$alinea" info "$tmp/warped.nrrd" | grep -q "NRRD" || fail "apply did not write NRRD"

# 6. Small things a new user hit: a colour PNG says it is read as grey; an output prefix
# in a folder that does not exist fails at once, naming the folder, creating nothing.
/usr/bin/python3 - "$tmp/colour.png" <<'PY'
import struct, sys, zlib
width, height = 8, 6
raw = b"".join(b"\0" + b"".join(bytes((x * 30, y * 40, 200)) for x in range(width)) for y in range(height))
chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
                              chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
"$alinea" convert -i "$tmp/colour.png" -o "$tmp/grey.nii.gz" 2> "$tmp/err.txt"
grep -q "colour.png: a colour image, converted to grey" "$tmp/err.txt" || fail "colour PNG: $(cat "$tmp/err.txt")"
"$alinea" info "$tmp/colour.png" | grep -q "components   3 (colour, read as grey)" || fail "info does not show the colour PNG's channels"
"$alinea" convert -i "$data/BrainProtonDensitySlice.png" -o "$tmp/grey2.nii.gz" 2> "$tmp/err.txt"
[ -s "$tmp/err.txt" ] && fail "a grey PNG warned: $(cat "$tmp/err.txt")"
start=$(date +%s)
expect_error "the output folder $tmp/nowhere does not exist" \
  "$alinea" register -f "$data/BrainProtonDensitySliceBorder20.mhd" -m "$data/BrainProtonDensitySliceShifted13x17y.mhd" \
  -o "$tmp/nowhere/run_" -q
[ -e "$tmp/nowhere" ] && fail "register created the output folder"
[ $(( $(date +%s) - start )) -le 2 ] || fail "the missing output folder was found only after the registration"
echo "formats: all checks passed"
