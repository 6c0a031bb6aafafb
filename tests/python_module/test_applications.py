"""alinea.track, alinea.segment and alinea.atlas give what the commands give on the same inputs."""
import csv
import pathlib
import subprocess

import nibabel as nib
import numpy as np
import pytest

import alinea
from conftest import ROOT

ITKSNAP = ROOT.parent / "shared" / "data" / "itksnap-4d"
SLICES = ROOT.parent / "shared" / "data" / "ants-slices"
QUICK = "--transform affine --metric ncc --iterations 30x20 --levels 2x1 --smoothing 1x0vox"
QUICK_DEFORMABLE = QUICK + " --transform diffeo --metric ncc --iterations 10x5 --levels 2x1 --smoothing 1x0vox"


@pytest.fixture(scope="module")
def series_and_labels(tmp_path_factory):
    if not ITKSNAP.exists():
        pytest.fail(f"no data at {ITKSNAP}")
    tmp = tmp_path_factory.mktemp("series")
    img = nib.load(str(ITKSNAP / "img4d_11f.nii.gz"))
    a = nib.load(str(ITKSNAP / "seg4d_11f_label1.nii.gz")).get_fdata()[..., 1] > 0
    b = nib.load(str(ITKSNAP / "seg4d_11f_label2.nii.gz")).get_fdata()[..., 1] > 0
    labels = np.where(b, 2, np.where(a, 1, 0)).astype(np.uint16)
    nib.save(nib.Nifti1Image(labels, img.affine), str(tmp / "ref2.nii.gz"))
    return str(ITKSNAP / "img4d_11f.nii.gz"), str(tmp / "ref2.nii.gz")


def test_track_is_the_command(tmp_path, binary, series_and_labels):
    series, labels = series_and_labels
    subprocess.run([binary, "track", "-i", series, "--labels", labels, "--reference-frame", "2", "-o",
                    str(tmp_path / "t_"), "-q"], check=True)
    frames = alinea.read_series(series)
    assert len(frames) == 11
    result = alinea.track(frames, alinea.read_image(labels), 2)
    on_disk = nib.load(str(tmp_path / "t_labels.nii.gz")).get_fdata()
    for t, frame in enumerate(result["frames"]):
        assert frame["frame"] == t + 1
        assert np.array_equal(frame["labels"].array, on_disk[..., t]), t
    rows = list(csv.DictReader(open(tmp_path / "t_measures.csv")))
    assert len(rows) == len(result["measures"]) == 22
    for row, m in zip(rows, result["measures"]):
        assert int(row["frame"]) == m["frame"] and int(row["label"]) == m["label"] and int(row["voxels"]) == m["voxels"]
        assert float(row["volume_mm3"]) == pytest.approx(m["volume_mm3"], rel=1e-9)
        assert float(row["centroid_x"]) == pytest.approx(m["centroid_ras"][0], abs=1e-6)
        assert float(row["displacement_mm"]) == pytest.approx(m["displacement_mm"], abs=1e-6)
    # a frame's transform carries the reference labels onto it, as the tracking did
    k = 6
    again = alinea.apply(frames[k], alinea.read_image(labels), [result["frames"][k]["transform"]], interpolation="label")
    assert np.array_equal(again.array, result["frames"][k]["labels"].array)
    with pytest.raises(ValueError, match="frames 1 to 11"):
        alinea.track(frames, alinea.read_image(labels), 12)


def slice_atlas(tmp, name):
    """An ANTs example slice and a label map made from its intensities (three classes)."""
    image = alinea.read_image(str(SLICES / f"{name}slice.png"))
    a = image.array
    labels = np.select([a > 170, a > 110, a > 40], [3, 2, 1], 0).astype(np.uint8)
    path = str(tmp / f"{name}_labels.nii.gz")
    alinea.write_image(alinea.Image(labels, image.affine), path, dtype="uint8")
    return str(SLICES / f"{name}slice.png"), path


def test_segment_is_the_command(tmp_path, binary):
    atlases = [slice_atlas(tmp_path, n) for n in ("r27", "r30", "r62")]
    target = str(SLICES / "r16slice.png")
    cmd = [binary, "segment", "-i", target, "-o", str(tmp_path / "s_"), "-q", "--no-qc"]
    for image, labels in atlases:
        cmd += ["--atlas", image, labels]
    subprocess.run(cmd + QUICK_DEFORMABLE.split(), check=True)
    result = alinea.segment(alinea.read_image(target),
                            [(alinea.read_image(i), alinea.read_image(l)) for i, l in atlases], plan=QUICK_DEFORMABLE)
    assert result["fusion"] == "jlf" and result["failures"] == [] and len(result["atlases"]) == 3
    assert np.array_equal(result["labels"].array, alinea.read_image(str(tmp_path / "s_labels.nii.gz")).array)
    assert result["label_values"] == [0, 1, 2, 3]


def test_atlas_is_the_command(tmp_path, binary):
    names = ("r16", "r27", "r30")
    subjects = [str(SLICES / f"{n}slice.png") for n in names]
    subprocess.run([binary, "atlas", "-i", *subjects, "-o", str(tmp_path / "a_"), "-q", "--no-qc", "--iterations", "2",
                    *QUICK_DEFORMABLE.split()], check=True)
    result = alinea.atlas([alinea.read_image(s) for s in subjects], plan=QUICK_DEFORMABLE, iterations=2)
    template = alinea.read_image(str(tmp_path / "a_template.nii.gz"))
    assert np.array_equal(result["template"].array, template.array)
    assert np.array_equal(result["template"].affine, template.affine)
    assert [f["iteration"] for f in result["figures"]] == [1, 2]
    assert len(result["mappings"]) == 3
    with pytest.raises(ValueError, match="at least two"):
        alinea.atlas(subjects=[alinea.read_image(subjects[0])])
