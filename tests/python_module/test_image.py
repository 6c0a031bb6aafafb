"""alinea.Image, read_image and write_image against nibabel, and the dtype rules."""
import struct
import zlib

import nibabel as nib
import numpy as np
import pytest

import alinea
from conftest import COLIN


def rotation(ax, ay, az):
    cx, sx, cy, sy, cz, sz = np.cos(ax), np.sin(ax), np.cos(ay), np.sin(ay), np.cos(az), np.sin(az)
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rz @ ry @ rx


def oblique_affine():
    a = np.eye(4)
    a[:3, :3] = rotation(0.3, -0.2, 0.5) @ np.diag([1.2, 0.9, 2.5])
    a[:3, 3] = [-40.5, 17.25, 60.0]
    return a


def test_reads_colin27_as_nibabel():
    ours, theirs = alinea.read_image(str(COLIN)), nib.load(str(COLIN))
    assert np.array_equal(ours.affine, theirs.affine)
    assert ours.array.shape == theirs.shape
    assert np.array_equal(ours.array, theirs.get_fdata().astype(np.float32))


@pytest.mark.parametrize("case", ["oblique_sform", "flipped_sform", "qform_only", "sheared_sform"])
def test_reads_headers_as_nibabel(tmp_path, case):
    rng = np.random.default_rng(3)
    data = rng.random((7, 6, 5)).astype(np.float32)
    affine = {"oblique_sform": oblique_affine(),
              "flipped_sform": np.diag([-2.0, 1.5, -3.0, 1.0]) + np.array([[0, 0, 0, 30], [0, 0, 0, -20], [0, 0, 0, 5],
                                                                           [0, 0, 0, 0]]),
              "qform_only": oblique_affine(),
              "sheared_sform": oblique_affine() @ np.array([[1, 0.3, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])}[case]
    img = nib.Nifti1Image(data, affine)
    if case == "qform_only":
        img.header.set_qform(affine, code=1)
        img.header.set_sform(None, code=0)
    path = str(tmp_path / f"{case}.nii.gz")
    nib.save(img, path)
    theirs = nib.load(path)
    ours = alinea.read_image(path)
    assert np.array_equal(ours.affine, theirs.affine), (ours.affine, theirs.affine)
    assert np.array_equal(ours.array, theirs.get_fdata().astype(np.float32))


def test_reads_2d_nifti_as_nibabel(tmp_path):
    data = np.arange(12, dtype=np.int16).reshape(4, 3, 1)
    affine = np.diag([-0.8, 1.25, 1.0, 1.0])
    affine[:2, 3] = [12.5, -7.0]
    nib.save(nib.Nifti1Image(data, affine), str(tmp_path / "slice.nii"))
    ours = alinea.read_image(str(tmp_path / "slice.nii"))
    assert ours.dimension == 2 and ours.array.shape == (4, 3)
    assert np.array_equal(ours.affine, nib.load(str(tmp_path / "slice.nii")).affine)
    assert np.array_equal(ours.array, data[:, :, 0])


def png_bytes(rows):
    """An 8-bit greyscale PNG written here by hand (rows: a list of lists of 0..255)."""
    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(r) for r in rows)

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_png_is_indexed_x_y(tmp_path):
    rows = [[10, 20, 30, 40, 50], [60, 70, 80, 90, 100], [110, 120, 130, 140, 150]]  # 3 rows of 5 columns
    (tmp_path / "p.png").write_bytes(png_bytes(rows))
    image = alinea.read_image(str(tmp_path / "p.png"))
    assert image.dimension == 2 and image.array.shape == (5, 3)
    assert np.array_equal(image.array, np.array(rows, dtype=np.float32).T)  # [x, y]: x the column
    # ITK's geometry for a PNG (1 mm, origin 0, identity LPS direction) in RAS
    assert np.array_equal(image.affine, np.diag([-1.0, -1.0, 1.0, 1.0]))
    assert np.array_equal(image.spacing, [1, 1]) and np.array_equal(image.origin, [0, 0])


def test_itk_formats_read_with_itk_geometry_and_round_trip(tmp_path):
    # ITK's example: a 2-D MetaImage whose direction is a 30 degree rotation (its header)
    example = "/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainProtonDensitySliceBorder20DirectionPlus30.mhd"
    image = alinea.read_image(example)
    assert image.array.shape == (221, 257)
    c, s = np.cos(np.pi / 6), np.sin(np.pi / 6)
    assert np.allclose(image.direction, [[c, -s], [s, c]], atol=1e-7)
    # NRRD and MetaImage written from Python come back exactly
    rng = np.random.default_rng(4)
    affine = np.array([[0, -1.5, 0, 20], [2, 0, 0, -30], [0, 0, 1.25, 7], [0, 0, 0, 1.0]])
    original = alinea.Image(rng.integers(0, 4000, (5, 4, 3)).astype(np.int16), affine)
    for ext in ("nrrd", "mha"):
        alinea.write_image(original, str(tmp_path / f"x.{ext}"), dtype="int16")
        back = alinea.read_image(str(tmp_path / f"x.{ext}"))
        assert np.array_equal(back.array, original.array), ext
        assert np.allclose(back.affine, affine, atol=1e-12), (ext, back.affine)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.uint8])
@pytest.mark.parametrize("order", ["C", "F"])
def test_array_write_read_round_trip_is_exact(tmp_path, dtype, order):
    rng = np.random.default_rng(5)
    data = np.asarray(rng.integers(0, 200, (9, 8, 7)), dtype=dtype, order=order)
    if np.dtype(dtype).kind == "f":
        data = data + np.asarray(rng.random((9, 8, 7)), dtype=dtype)
    # NIfTI-1 stores the affine as float32 (the sform): an affine that float32 holds
    # exactly comes back exactly
    affine = oblique_affine().astype(np.float32).astype(np.float64)
    image = alinea.Image(data, affine)
    assert np.array_equal(image.affine, affine)
    path = str(tmp_path / "out.nii.gz")
    alinea.write_image(image, path)
    back = nib.load(path)
    assert np.array_equal(back.affine, affine)
    assert back.get_data_dtype() == np.float32
    assert np.array_equal(back.get_fdata(), data.astype(np.float32).astype(np.float64))
    alinea.write_image(image, str(tmp_path / "typed.nii"), dtype="int16")
    assert nib.load(str(tmp_path / "typed.nii")).get_data_dtype() == np.int16


def test_affines_are_stored_as_nibabel_stores_them(tmp_path):
    data = np.zeros((4, 3, 2), np.float32)
    image = alinea.Image(data, oblique_affine())
    alinea.write_image(image, str(tmp_path / "ours.nii"))
    nib.save(nib.Nifti1Image(data, oblique_affine()), str(tmp_path / "theirs.nii"))
    assert np.array_equal(nib.load(str(tmp_path / "ours.nii")).affine, nib.load(str(tmp_path / "theirs.nii")).affine)
    assert np.array_equal(alinea.read_image(str(tmp_path / "ours.nii")).affine, nib.load(str(tmp_path / "ours.nii")).affine)


def test_array_is_a_view_that_keeps_the_image_alive():
    image = alinea.Image(np.zeros((4, 3, 2), np.float32), np.eye(4))
    view = image.array
    assert view.flags["F_CONTIGUOUS"] and not view.flags["OWNDATA"]
    assert np.shares_memory(view, image.array)
    view[1, 2, 1] = 7.5
    assert image.array[1, 2, 1] == 7.5
    del image
    assert view[1, 2, 1] == 7.5 and view.sum() == 7.5


@pytest.mark.parametrize("dtype", [np.int64, np.uint64, np.complex64, np.float16, object])
def test_unsupported_dtypes_are_refused_by_name(dtype):
    with pytest.raises(TypeError, match="not supported.*supported: float32"):
        alinea.Image(np.zeros((3, 3, 3), dtype=dtype), np.eye(4))


def test_values_that_float32_would_change_are_refused():
    with pytest.raises(ValueError, match="2\\^24"):
        alinea.Image(np.full((2, 2, 2), 2**24 + 1, np.int32), np.eye(4))
    with pytest.raises(ValueError, match="float32's range"):
        alinea.Image(np.full((2, 2, 2), 1e300), np.eye(4))


def test_bad_affines_are_refused():
    with pytest.raises(ValueError, match="4x4"):
        alinea.Image(np.zeros((2, 2, 2), np.float32), np.eye(3))
    with pytest.raises(ValueError, match="last row"):
        alinea.Image(np.zeros((2, 2, 2), np.float32), np.ones((4, 4)))
    with pytest.raises(ValueError, match="inverted"):
        alinea.Image(np.zeros((2, 2, 2), np.float32), np.diag([1.0, 0.0, 1.0, 1.0]))


def test_nibabel_conversion_without_files():
    rng = np.random.default_rng(8)
    img = nib.Nifti1Image(rng.random((6, 5, 4)).astype(np.float32), oblique_affine())
    image = alinea.from_nibabel(img)
    assert np.array_equal(image.affine, img.affine) and np.array_equal(image.array, img.get_fdata())
    back = alinea.to_nibabel(image)
    assert np.array_equal(back.affine, img.affine) and np.array_equal(back.get_fdata(), img.get_fdata())
    warp = rng.random((6, 5, 4, 1, 3)).astype(np.float32)
    field = alinea.from_nibabel(nib.Nifti1Image(warp, oblique_affine()))
    assert field.is_vector and field.array.shape == (6, 5, 4, 3)
    assert np.array_equal(field.array, warp[:, :, :, 0, :])
    assert np.array_equal(alinea.to_nibabel(field).get_fdata(), warp)
    with pytest.raises(ValueError, match="series"):
        alinea.from_nibabel(nib.Nifti1Image(np.zeros((3, 3, 3, 2), np.float32), np.eye(4)))


def test_warp_files_are_the_commands_format(tmp_path):
    rng = np.random.default_rng(9)
    warp = rng.random((5, 4, 3, 3)).astype(np.float32)
    field = alinea.Image(warp, oblique_affine(), vector=True)
    alinea.write_image(field, str(tmp_path / "warp.nii.gz"))
    on_disk = nib.load(str(tmp_path / "warp.nii.gz"))
    assert on_disk.shape == (5, 4, 3, 1, 3) and on_disk.header.get_intent()[0] == "vector"
    assert np.array_equal(on_disk.get_fdata()[:, :, :, 0, :], warp)
    again = alinea.read_image(str(tmp_path / "warp.nii.gz"))
    assert again.is_vector and np.array_equal(again.array, warp)


def test_file_errors_name_the_file(tmp_path):
    (tmp_path / "broken.nii").write_bytes(b"\x5c\x01\x00\x00" + b"\x00" * 100)
    with pytest.raises(alinea.Error, match="broken.nii"):
        alinea.read_image(str(tmp_path / "broken.nii"))
    with pytest.raises(alinea.Error, match="missing.nii.gz"):
        alinea.read_image(str(tmp_path / "missing.nii.gz"))
