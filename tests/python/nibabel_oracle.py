#!/usr/bin/python3
"""nibabel as the oracle for Alinea's NIfTI reader.

Writes NIfTI files with nibabel covering the orientation rules (oblique, left-handed,
sform-only, qform-only, no codes, disagreeing sform/qform, qfac 0, big-endian, NIfTI-2,
2-D, 4-D, 5-D vector) and checks that `alinea info --json` reports nibabel's affine
(within 1e-5), orientation code, shape and value range; real images are checked too.

Usage: /usr/bin/python3 nibabel_oracle.py ALINEA_BINARY WORK_DIR
Exit status: 0 when every case agrees, 1 otherwise (each disagreement is printed).
"""
import json
import os
import subprocess
import sys

import nibabel as nib
import numpy as np

TOL = 1e-5


def rotation(angle, axis):
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k


def affine(linear, offset):
    a = np.eye(4)
    a[:3, :3] = linear
    a[:3, 3] = offset
    return a


def volume(shape, dtype, seed=1):
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(max(info.min, -1000), min(info.max, 1000), size=shape).astype(dtype)
    return (rng.standard_normal(shape) * 100).astype(dtype)


def make_cases(work):
    """Returns (name, path) for every synthetic case written into work."""
    cases = []

    def save(name, img):
        path = os.path.join(work, name)
        nib.save(img, path)
        cases.append((name, path))

    oblique = affine(rotation(0.3, (1, 2, 3)) @ np.diag([0.9, 1.2, 2.5]), (-20.5, 31.25, -7))
    left = affine(rotation(-0.7, (0, 1, 1)) @ np.diag([2.0, 3.0, -1.5]), (5, 6, 7))
    sheared = affine([[1.0, 0.3, 0.0], [0.0, 1.2, 0.1], [0.2, 0.0, 2.0]], (3, -4, 5))

    img = nib.Nifti1Image(volume((6, 5, 4), np.float32), oblique)
    img.set_qform(oblique, code=1)
    img.set_sform(oblique, code=1)
    save("oblique.nii.gz", img)

    img = nib.Nifti1Image(volume((6, 5, 4), np.int16), None)
    img.set_qform(left, code=1)
    img.set_sform(None, code=0)
    save("left_handed_qform.nii", img)

    img = nib.Nifti1Image(volume((5, 6, 7), np.uint8), None)
    img.set_sform(sheared, code=2)
    img.set_qform(None, code=0)
    save("sform_only_sheared.nii.gz", img)

    img = nib.Nifti1Image(volume((5, 6, 7), np.uint16), None)
    img.set_qform(oblique, code=1)
    img.set_sform(None, code=0)
    save("qform_only.nii.gz", img)

    img = nib.Nifti1Image(volume((5, 6, 7), np.int8), None)
    img.header.set_zooms((1.5, 2.0, 3.0))
    img.set_qform(None, code=0)
    img.set_sform(None, code=0)
    save("no_codes.nii", img)

    img = nib.Nifti1Image(volume((4, 4, 4), np.float64), None)
    img.set_qform(left, code=1)
    img.set_sform(oblique, code=4)
    save("sform_wins.nii.gz", img)

    img = nib.Nifti1Image(volume((4, 5, 6), np.int32), None)
    img.set_qform(oblique, code=2)
    img.set_sform(None, code=0)
    save("qfac_zero.nii", img)
    with open(cases[-1][1], "r+b") as f:  # pixdim[0] (qfac) = 0, which readers treat as 1
        f.seek(76)
        f.write(np.float32(0).tobytes())

    hdr = nib.Nifti1Header(endianness=">")
    img = nib.Nifti1Image(volume((6, 5, 4), np.int16), oblique, header=hdr)
    img.set_data_dtype(np.int16)
    img.header.set_slope_inter(2.0, 3.0)
    save("big_endian_scaled.nii.gz", img)

    img = nib.Nifti2Image(volume((6, 5, 4), np.float64), left)
    img.set_qform(left, code=1)
    img.set_sform(sheared, code=1)
    save("nifti2.nii.gz", img)

    hdr = nib.Nifti2Header(endianness=">")
    img = nib.Nifti2Image(volume((6, 5, 4), np.uint32), oblique, header=hdr)
    img.set_data_dtype(np.uint32)
    img.set_sform(None, code=0)
    img.set_qform(oblique, code=1)
    save("nifti2_big_endian_qform.nii", img)

    plane = affine(np.diag([-0.8, 1.25, 1.0]) @ rotation(0.2, (0, 0, 1)), (10, -20, 0))
    img = nib.Nifti1Image(volume((7, 5), np.float32), plane)
    img.set_qform(plane, code=1)
    save("slice_2d.nii.gz", img)

    img = nib.Nifti1Image(volume((4, 5, 6, 3), np.uint8), oblique)
    save("series_4d.nii.gz", img)

    img = nib.Nifti1Image(volume((4, 5, 6, 1, 3), np.float32), left)
    img.header.set_intent("vector")
    save("vector_5d.nii.gz", img)
    return cases


def real_cases():
    files = [
        "/usr/share/mricron/templates/ch2bet.nii.gz",
        "/usr/share/mricron/templates/ch2better.nii.gz",
        "/usr/share/mricron/templates/aal.nii.gz",
        "/usr/share/doc/insighttoolkit5-examples/examples/Data/KmeansTest_T1UCharRaw.nii.gz",
        os.path.join(os.path.dirname(__file__), "../../../shared/peer-data/greedy/t1longi_2d_bl.nii.gz"),
    ]
    return [(os.path.basename(f), f) for f in files if os.path.exists(f)]


def check(alinea, name, path):
    problems = []
    run = subprocess.run([alinea, "info", "--json", path], capture_output=True, text=True)
    if run.returncode != 0:
        return [f"alinea info failed ({run.returncode}): {run.stderr.strip()}"]
    got = json.loads(run.stdout)
    img = nib.load(path)
    expected = img.affine
    ras = np.array(got["ras_affine"])
    err = np.abs(ras - expected).max()
    if err > TOL:
        problems.append(f"ras_affine differs by {err:g}:\n{ras}\nnibabel:\n{expected}")
    code = "".join(nib.aff2axcodes(expected))
    if got["orientation"] != code:
        problems.append(f"orientation {got['orientation']} != nibabel {code}")
    shape = img.shape
    spatial = 2 if len(shape) < 3 or (shape[2] == 1 and (len(shape) < 5 or shape[4] != 3)) else 3
    if got["dimension"] != spatial:
        problems.append(f"dimension {got['dimension']} != {spatial}")
    if got["size"] != list(shape[:spatial]):
        problems.append(f"size {got['size']} != {list(shape[:spatial])}")
    if got["data_type"] != str(img.get_data_dtype().newbyteorder("=")):
        problems.append(f"data type {got['data_type']} != {img.get_data_dtype()}")
    data = img.get_fdata()
    for key, value in (("min", data.min()), ("max", data.max()), ("mean", data.mean())):
        if abs(got[key] - value) > 1e-6 * max(1.0, abs(value)):
            problems.append(f"{key} {got[key]} != nibabel {value}")
    return problems


def main():
    alinea, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    failures = 0
    for name, path in make_cases(work) + real_cases():
        problems = check(alinea, name, path)
        print(("FAIL " if problems else "ok   ") + name)
        for p in problems:
            print("     " + p.replace("\n", "\n     "))
        failures += bool(problems)
    print(f"{failures} case(s) disagree with nibabel" if failures else "all cases agree with nibabel")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
