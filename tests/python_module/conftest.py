"""Shared fixtures of the Python module's tests (run by ctest: python.module)."""
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ITK_DATA = pathlib.Path("/usr/share/doc/insighttoolkit5-examples/examples/Data")
COLIN = pathlib.Path("/usr/share/mricron/templates/ch2bet.nii.gz")


@pytest.fixture(scope="session")
def binary():
    """The alinea command built beside the module."""
    path = os.environ.get("ALINEA_BINARY")
    if not path:
        pytest.fail("ALINEA_BINARY is not set (ctest sets it)")
    return path


@pytest.fixture(scope="session")
def slices():
    """ITK's 2-D example pair: the fixed slice and the same slice rotated by 10 degrees and translated by (13, 17) mm."""
    return str(ITK_DATA / "BrainProtonDensitySliceBorder20.png"), str(ITK_DATA / "BrainProtonDensitySliceR10X13Y17.png")
