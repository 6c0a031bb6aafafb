"""alinea.register, Registration, apply and jacobian: the CLI's results, bytes and rules."""
import filecmp
import json
import os
import signal
import subprocess
import threading
import time

import numpy as np
import pytest

import alinea
from conftest import COLIN

RIGID_SSD = "--transform rigid --metric ssd"
DEFORMABLE = "--transform affine --metric ncc --transform diffeo --iterations 20x10x5"


def cli_register(binary, fixed, moving, prefix, plan, *extra):
    subprocess.run([binary, "register", "-f", fixed, "-m", moving, "-o", prefix, "-q", *extra, *plan.split()],
                   check=True)


@pytest.mark.parametrize("plan", [RIGID_SSD, DEFORMABLE])
def test_same_bytes_as_the_command(tmp_path, binary, slices, plan):
    fixed, moving = slices
    cli_register(binary, fixed, moving, str(tmp_path / "cli_"), plan)
    result = alinea.register(alinea.read_image(fixed), alinea.read_image(moving), plan=plan)
    result.save(str(tmp_path / "py_"))
    names = ["affine.txt", "warped.nii.gz", "qc.png"] + (["warp.nii.gz", "inverse_warp.nii.gz"] if "diffeo" in plan else [])
    for name in names:
        assert filecmp.cmp(tmp_path / f"cli_{name}", tmp_path / f"py_{name}", shallow=False), name
    cli_log, py_log = (json.loads((tmp_path / f"{p}_log.json").read_text()) for p in ("cli", "py"))
    for log in (cli_log, py_log):
        for stage in log["stages"]:
            stage.pop("seconds")
            for level in stage["levels"]:
                level.pop("seconds")
        log.pop("seconds")
    assert cli_log["command"].replace("cli_", "py_") == py_log["command"]
    assert {k: v for k, v in cli_log.items() if k != "command"} == {k: v for k, v in py_log.items() if k != "command"}
    # The result in memory is what was written.
    itk = (tmp_path / "py_affine.txt").read_text().split("Parameters:")[1].split()[:6]
    assert np.allclose(result.affine[:2, :2].ravel(), np.array(itk[:4], float), rtol=0, atol=1e-12)
    assert result.log["matrix"] == py_log["matrix"]


def test_recovers_the_itk_example_motion(slices):
    fixed, moving = (alinea.read_image(p) for p in slices)
    result = alinea.register(fixed, moving, plan=RIGID_SSD)
    # ITK's Software Guide (ImageRegistration5: Euler2D about the fixed image's centre, mean
    # squares) reports angle 0.174582 rad and translation (13.0002, 16.0007) mm for this pair.
    angle = np.arctan2(result.affine[1, 0], result.affine[0, 0])
    assert abs(angle - 0.174582) < np.radians(0.2)
    centre = (np.array(fixed.shape) - 1) / 2.0
    shift = result.affine[:2, :2] @ centre + result.affine[:2, 2] - centre
    assert np.linalg.norm(shift - [13.0002, 16.0007]) < 0.3
    # RAS: the same map with x and y negated on both sides
    flip = np.diag([-1.0, -1.0, 1.0])
    assert np.allclose(result.affine_ras(), flip @ result.affine @ flip)


def test_results_do_not_depend_on_threads(slices):
    fixed, moving = (alinea.read_image(p) for p in slices)
    one = alinea.register(fixed, moving, plan=DEFORMABLE, threads=1)
    two = alinea.register(fixed, moving, plan=DEFORMABLE, threads=2)
    assert np.array_equal(one.affine, two.affine)
    assert np.array_equal(one.warp.array, two.warp.array)
    assert np.array_equal(one.warped.array, two.warped.array)


def test_apply_carries_images_both_ways(slices):
    fixed, moving = (alinea.read_image(p) for p in slices)
    result = alinea.register(fixed, moving, plan=DEFORMABLE)
    assert np.array_equal(alinea.apply(fixed, moving, [result]).array, result.warped.array)
    assert np.array_equal(alinea.apply(fixed, moving, result).array, result.warped.array)
    # the warp and the affine given as parts, in ANTs order, are the same chain
    parts = alinea.apply(fixed, moving, [result.warp, result.affine])
    assert np.array_equal(parts.array, result.warped.array)
    # the fixed image carried onto the moving grid matches the moving image where both have data
    back = alinea.apply(moving, fixed, [(result, "inverse")]).array
    inside = (back > 20) & (moving.array > 20)
    assert np.corrcoef(back[inside], moving.array[inside])[0, 1] > 0.95
    labels = alinea.Image((fixed.array > 100).astype(np.uint8) * 3, fixed.affine)
    warped_labels = alinea.apply(fixed, labels, [result], interpolation="label")
    assert set(np.unique(warped_labels.array)) <= {0.0, 3.0}
    det = alinea.jacobian(result.warp)
    assert det.shape == fixed.shape and abs(float(det.array.mean()) - 1.0) < 0.05
    assert np.allclose(alinea.jacobian(result.warp, log=True).array, np.log(np.maximum(det.array, 1e-6)), atol=1e-6)


def test_transform_files_in_apply(tmp_path, binary, slices):
    fixed, moving = slices
    cli_register(binary, fixed, moving, str(tmp_path / "r_"), RIGID_SSD)
    subprocess.run([binary, "apply", "-r", fixed, "-i", moving, "-o", str(tmp_path / "cli.nii.gz"), "-t",
                    str(tmp_path / "r_affine.txt")], check=True)
    ours = alinea.apply(alinea.read_image(fixed), alinea.read_image(moving), [str(tmp_path / "r_affine.txt")])
    assert np.array_equal(ours.array, alinea.read_image(str(tmp_path / "cli.nii.gz")).array)
    inverse = alinea.apply(alinea.read_image(moving), alinea.read_image(fixed), [(str(tmp_path / "r_affine.txt"), "inverse")])
    assert inverse.shape == alinea.read_image(moving).shape


def test_progress_events_and_errors_from_the_callable(slices):
    fixed, moving = (alinea.read_image(p) for p in slices)
    events = []
    alinea.register(fixed, moving, plan=RIGID_SSD, progress=events.append)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "stage" and kinds.count("level") == 3 and "iteration" in kinds
    assert all(e["value"] > 0 for e in events if e["event"] == "iteration")

    class Stop(Exception):
        pass

    def stop_at_fifth(event):
        if event["event"] == "iteration" and event["iteration"] == 5:
            raise Stop()
    with pytest.raises(Stop):
        alinea.register(fixed, moving, plan=RIGID_SSD, progress=stop_at_fifth)


def test_keyboard_interrupt_stops_within_a_second():
    fixed = alinea.read_image(str(COLIN))
    moving = alinea.Image(np.roll(fixed.array, 3, axis=0), fixed.affine)
    sent = []

    def interrupt():
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)
    timer = threading.Timer(1.5, interrupt)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        alinea.register(fixed, moving, plan="--transform affine --transform diffeo --iterations 200x200x200")
    assert sent and time.monotonic() - sent[0] < 1.0


def test_the_gil_is_released_while_it_runs():
    fixed = alinea.read_image(str(COLIN))
    moving = alinea.Image(np.roll(fixed.array, 2, axis=1), fixed.affine)
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)
    thread = threading.Thread(target=tick)
    thread.start()
    try:
        start = time.monotonic()
        alinea.register(fixed, moving, plan="--transform affine --iterations 30x30x10")
        end = time.monotonic()
    finally:
        done.set()
        thread.join()
    during = [t for t in ticks if start < t < end]
    # the other Python thread kept ticking (every 10 ms) while the registration ran
    assert end - start > 0.2 and len(during) > 0.5 * (end - start) / 0.01, (len(during), end - start)


def test_bad_calls_are_clear(slices, tmp_path):
    fixed, moving = (alinea.read_image(p) for p in slices)
    with pytest.raises(alinea.Error, match="unknown transform 'wobbly' .*diffeo"):
        alinea.register(fixed, moving, plan="--transform wobbly")
    with pytest.raises(ValueError, match="2-D.*3-D"):
        alinea.register(fixed, alinea.read_image(str(COLIN)))
    with pytest.raises(alinea.Error, match="threads"):
        alinea.register(fixed, moving, threads=-2)
    with pytest.raises(alinea.Error, match="constant"):
        alinea.register(alinea.Image(np.full(fixed.shape, 7, np.float32), fixed.affine), moving)
    result = alinea.register(fixed, moving, plan=RIGID_SSD)
    assert result.warp is None and result.inverse_warp is None
    # an output that would overwrite an input is refused, and nothing is written
    alinea.write_image(fixed, str(tmp_path / "a_warped.nii.gz"))
    fixed_from_file = alinea.read_image(str(tmp_path / "a_warped.nii.gz"))
    result = alinea.register(fixed_from_file, moving, plan=RIGID_SSD)
    with pytest.raises(alinea.Error, match="overwrite an input"):
        result.save(str(tmp_path / "a_"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_warped.nii.gz"]


def test_the_example_script_runs(tmp_path):
    """examples/register_with_nibabel.py recovers its known motion within 0.5 mm (it exits 1 otherwise)."""
    from conftest import ROOT
    out = subprocess.run(["/usr/bin/python3", str(ROOT / "examples" / "register_with_nibabel.py"), str(tmp_path / "ex_")],
                         check=True, capture_output=True, text=True).stdout
    assert "error over the brain" in out
    assert (tmp_path / "ex_affine.txt").exists() and (tmp_path / "ex_log.json").exists()
