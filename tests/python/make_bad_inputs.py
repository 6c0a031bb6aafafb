#!/usr/bin/python3
"""Writes broken image files for tests/cli/bad_input.sh, one per failure mode.

Headers are packed by hand (struct), not by nibabel, so that any field can hold any
value. Prints one line per file: "NAME<TAB>WORDS", WORDS being a fragment the error
message must contain. A valid 3-D image (good.nii.gz), a 2-D one (good2d.png) and a
vector image (vector.nii.gz) are written too, for the mismatch cases.

Usage: /usr/bin/python3 make_bad_inputs.py OUT_DIR
"""
import gzip
import zlib
import os
import struct
import sys
import zlib

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
cases = []


def nifti1(dims=(4, 3, 2), datatype=4, bitpix=16, pixdim=(1, 1, 1, 1, 1, 1, 1, 1), vox_offset=352.0,
           slope=1.0, inter=0.0, qform=0, sform=0, quat=(0, 0, 0, 0, 0, 0), srow=None, magic=b"n+1\0",
           sizeof_hdr=348, intent=0):
    """A little-endian NIfTI-1 header plus the 4 extension bytes."""
    dim = [len(dims)] + list(dims) + [1] * (7 - len(dims))
    srow = srow if srow is not None else [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]
    h = struct.pack("<i10s18sihcb", sizeof_hdr, b"", b"", 0, 0, b"r", 0)
    h += struct.pack("<8h", *dim)
    h += struct.pack("<3fhhhh", 0, 0, 0, intent, datatype, bitpix, 0)
    h += struct.pack("<8f", *pixdim)
    h += struct.pack("<3fhbb4f2i", vox_offset, slope, inter, 0, 0, 2, 0, 0, 0, 0, 0, 0)
    h += struct.pack("<80s24shh", b"bad input test", b"", qform, sform)
    h += struct.pack("<6f", *quat)
    h += struct.pack("<12f", *[v for row in srow for v in row])
    h += struct.pack("<16s4s", b"", magic)
    assert len(h) == 348, len(h)
    return h + b"\0\0\0\0"


def nifti2(dims, datatype=16, bitpix=32):
    """A little-endian NIfTI-2 header (identity sform) plus the 4 extension bytes."""
    dim = [len(dims)] + list(dims) + [1] * (7 - len(dims))
    h = struct.pack("<i8shh", 540, b"n+2\0\r\n\x1a\n", datatype, bitpix)
    h += struct.pack("<8q", *dim)
    h += struct.pack("<3d", 0, 0, 0)
    h += struct.pack("<8d", 1, 1, 1, 1, 1, 1, 1, 1)
    h += struct.pack("<q", 544)
    h += struct.pack("<6d", 1, 0, 0, 0, 0, 0)
    h += struct.pack("<2q", 0, 0)
    h += struct.pack("<80s24sii", b"", b"", 0, 1)
    h += struct.pack("<6d", 0, 0, 0, 0, 0, 0)
    h += struct.pack("<12d", 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0)
    h += struct.pack("<iii16sc15s", 0, 2, 0, b"", b"\0", b"")
    assert len(h) == 540, len(h)
    return h + b"\0\0\0\0"


DATA = np.arange(24, dtype="<i2").tobytes()


def write(name, content, words, mode="info"):
    with open(os.path.join(out, name), "wb") as f:
        f.write(content)
    cases.append((name, words, mode))


def gz(content):
    return gzip.compress(content, 6)


# Valid inputs for the mismatch cases and as references.
good = nifti1(dims=(8, 7, 6), datatype=16, bitpix=32, sform=1) + np.ones(8 * 7 * 6, "<f4").tobytes()
with open(os.path.join(out, "good.nii.gz"), "wb") as f:
    f.write(gz(good))
vector = nifti1(dims=(8, 7, 6, 1, 3), datatype=16, bitpix=32, sform=1, intent=1007) + np.ones(8 * 7 * 6 * 3, "<f4").tobytes()
write("vector.nii.gz", gz(vector), "vector", mode="as-scalar")
write("volume3d.nii.gz", gz(good), "3-D image", mode="as-2d")
write("scalar.nii.gz", gz(good), "is a scalar image", mode="as-vector")
series = nifti1(dims=(8, 7, 6, 3), datatype=16, bitpix=32, sform=1) + np.ones(8 * 7 * 6 * 3, "<f4").tobytes()
write("series4d.nii.gz", gz(series), "4-D series (3 frames) where one image is expected", mode="as-volume")

cases.append(("missing.nii.gz", "cannot open", "info"))
write("empty.nii", b"", "not a NIfTI file")
write("text.nii", b"this is not an image\n" * 30, "not a NIfTI file")
write("wrong_magic.nii", nifti1(magic=b"xy1\0") + DATA, "magic")
write("pair_header.nii", nifti1(magic=b"ni1\0") + DATA, ".hdr/.img")
write("truncated_header.nii", nifti1()[:200], "truncated")
write("truncated.nii", (nifti1() + DATA)[:-7], "truncated")
noise = np.random.default_rng(3).integers(0, 30000, 24000).astype("<i2").tobytes()
compressed = gz(nifti1(dims=(40, 30, 20)) + noise)
write("truncated.nii.gz", compressed[: len(compressed) * 2 // 3], "gzip")
write("truncated_header.nii.gz", compressed[:40], "gzip")
write("truncated_data.nii.gz", gz((nifti1() + DATA)[:-7]), "truncated")
full = bytearray(gz(nifti1(dims=(40, 30, 20)) + np.arange(24000, dtype="<i2").tobytes()))
for i in range(40, len(full) - 10, 7):
    full[i] ^= 0xA5
write("corrupt.nii.gz", bytes(full), "gzip")
write("gzip_garbage.nii.gz", b"\x1f\x8b" + bytes(range(256)) * 4, "gzip")
# A gzip bomb: a 24-voxel image followed, in the same stream, by 512 MiB of zeros.
bomb = zlib.compressobj(1, zlib.DEFLATED, 31)
parts = [bomb.compress(nifti1() + DATA)] + [bomb.compress(bytes(64 << 20)) for _ in range(8)] + [bomb.flush()]
write("bomb.nii.gz", b"".join(parts), "more compressed data than the header declares")
write("huge_dims.nii", nifti1(dims=(32767, 32767, 32767)) + DATA, "too large")
write("huge_dims_nifti2.nii", nifti2((10**9, 10**9, 10**9)) + DATA, "too large")
write("overflow_dims_nifti2.nii", nifti2((2**62, 2**62, 4)) + DATA, "too large")
# 13.5 GB promised by a few hundred compressed bytes: refused before allocating.
write("huge_dims_nifti2.nii.gz", gz(nifti2((1500, 1500, 1500)) + DATA), "truncated")
write("negative_dim.nii", nifti1(dims=(4, -3, 2)) + DATA, "dim[2]")
write("zero_dim0.nii", nifti1(dims=()) + DATA, "dim[0]")
write("zero_pixdim.nii", nifti1(pixdim=(1, 1, 0, 1, 1, 1, 1, 1), qform=1) + DATA, "pixdim[2]")
write("negative_pixdim.nii", nifti1(pixdim=(1, -2, 1, 1, 1, 1, 1, 1)) + DATA, "pixdim[1]")
write("nan_pixdim.nii", nifti1(pixdim=(1, 1, 1, float("nan"), 1, 1, 1, 1), qform=1) + DATA, "pixdim[3]")
write("nan_sform.nii", nifti1(sform=1, srow=[[1, 0, 0, float("nan")], [0, 1, 0, 0], [0, 0, 1, 0]]) + DATA, "sform")
write("singular_sform.nii", nifti1(sform=1, srow=[[1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 1, 0]]) + DATA, "singular")
write("nan_quaternion.nii", nifti1(qform=1, quat=(float("nan"), 0, 0, 0, 0, 0)) + DATA, "qform")
write("complex.nii", nifti1(datatype=32, bitpix=64) + DATA * 4, "unsupported NIfTI data type complex64")
write("rgb.nii", nifti1(datatype=128, bitpix=24) + DATA * 2, "rgb24")
write("six_dims.nii", nifti1(dims=(2, 2, 2, 1, 1, 3)) + DATA, "more than 5 dimensions")
write("bad_vox_offset.nii", nifti1(vox_offset=17.5) + DATA, "vox_offset")
# Refused by nibabel too (bad_input.sh checks that it does): a quaternion longer than 1
# (far, and by 9e-4), data inside the header.
write("long_quaternion.nii", nifti1(qform=1, quat=(0.9, 0.9, 0.9, 0, 0, 0)) + DATA, "not a rotation")
write("slightly_long_quaternion.nii", nifti1(qform=1, quat=(0.6, 0.6, 0.53, 0, 0, 0)) + DATA, "not a rotation")
write("vox_offset_in_header.nii", nifti1(vox_offset=112.0) + DATA, "inside the header")
write("bad_scl_inter.nii", nifti1(slope=2.0, inter=float("inf")) + DATA, "scl_inter")
write("junk.png", b"\x89PNG\r\n\x1a\n" + bytes(range(200)), "PNG")
png_rows = b"".join(b"\0" + bytes(range(32)) for _ in range(32))
chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 32, 32, 8, 0, 0, 0, 0)) + \
    chunk(b"IDAT", zlib.compress(png_rows)) + chunk(b"IEND", b"")
with open(os.path.join(out, "good2d.png"), "wb") as f:
    f.write(png)
write("truncated.png", png[: len(png) // 2], "PNG")
write("huge.png", b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40000, 40000, 16, 0, 0, 0, 0)) +
      chunk(b"IDAT", zlib.compress(png_rows)) + chunk(b"IEND", b""), "PNG")
write("image.xyz", b"ObjectType = Image\n", "unknown image format")
# The formats read through ITK: a header with nothing in it, absurd sizes, a header
# whose data is missing, a NRRD that contradicts itself.
write("image.mha", b"ObjectType = Image\n", "MetaImage")
write("absurd.mha", b"ObjectType = Image\nNDims = 3\nDimSize = 100000 100000 100000\nElementType = MET_FLOAT\n"
      b"ElementDataFile = LOCAL\n", "absurd image size")
write("short.mha", b"ObjectType = Image\nNDims = 3\nDimSize = 300 300 300\nElementType = MET_SHORT\n"
      b"ElementDataFile = LOCAL\n" + b"\0" * 100, "the file holds only")
write("nodata.mhd", b"ObjectType = Image\nNDims = 2\nDimSize = 4 4\nElementType = MET_UCHAR\n"
      b"ElementDataFile = missing.raw\n", "nodata.mhd")
write("contradiction.nrrd", b"NRRD0004\ntype: float\ndimension: 3\nsizes: 2 2\nencoding: raw\n\n" + b"\0" * 32, "NRRD")
os.makedirs(os.path.join(out, "folder.nii"), exist_ok=True)
cases.append(("folder.nii", "folder", "info"))

for name, words, mode in cases:
    print(f"{name}\t{words}\t{mode}")
