#!/usr/bin/env python3
"""Register two brains with Alinea from Python, next to nibabel, and check the result.

    PYTHONPATH=build/python /usr/bin/python3 examples/register_with_nibabel.py [OUTPUT_PREFIX]

The fixed image is Colin27 (Debian's mricron-data); the moving image is the same brain
moved by a known rigid motion (built here with alinea.apply and a matrix), so the error
of the registration can be measured in millimetres. Nothing goes through temporary
files: the images move between nibabel and Alinea in memory.
"""
import sys

import nibabel
import numpy as np

import alinea

prefix = sys.argv[1] if len(sys.argv) > 1 else "example/python_"

fixed_nib = nibabel.load("/usr/share/mricron/templates/ch2bet.nii.gz")
fixed = alinea.from_nibabel(fixed_nib)  # the same array and affine as nibabel's
print(f"fixed: {fixed}, voxels {fixed.spacing} mm")

# A known motion: 8 degrees about z through the image centre, and (6, -4, 3) mm.
# Matrices are ITK's convention (LPS mm, fixed point -> moving point), as affine.txt.
angle = np.radians(8.0)
rotation = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]])
centre_ras = fixed.affine[:3, :3] @ ((np.array(fixed.shape) - 1) / 2) + fixed.affine[:3, 3]
centre = centre_ras * [-1, -1, 1]  # RAS -> LPS
truth = np.eye(4)
truth[:3, :3] = rotation
truth[:3, 3] = centre - rotation @ centre + [6.0, -4.0, 3.0]
moving = alinea.apply(fixed, fixed, [np.linalg.inv(truth)])  # moving(truth(x)) = fixed(x)


def report(event):
    if event["event"] == "level":
        print(f"  {event['model']} level {event['level'] + 1}/{event['levels']}: {event['iterations']} iterations, "
              f"{event['metric']} {event['value']:.4f} ({event['stop_reason']})")


result = alinea.register(fixed, moving, plan="--init mass --transform rigid --metric ncc", progress=report)

# The error: how far each brain voxel lands from where the true motion takes it.
brain = np.argwhere(fixed.array > 0)
points = (fixed.affine[:3, :3] @ brain.T + fixed.affine[:3, 3:4]) * np.array([[-1], [-1], [1]])  # LPS mm
found = result.affine[:3, :3] @ points + result.affine[:3, 3:4]
true = truth[:3, :3] @ points + truth[:3, 3:4]
error = np.linalg.norm(found - true, axis=0)
print(f"error over the brain: mean {error.mean():.3f} mm, max {error.max():.3f} mm ({result.seconds:.2f} s)")

warped = alinea.to_nibabel(result.warped)  # a nibabel image in memory
print(f"warped as nibabel: shape {warped.shape}, affine equal to the fixed image's: "
      f"{np.array_equal(warped.affine, fixed_nib.affine)}")
result.save(prefix)  # the files `alinea register -o PREFIX` writes
print(f"wrote {prefix}affine.txt, {prefix}warped.nii.gz, {prefix}qc.png, {prefix}log.json")
sys.exit(0 if error.max() < 0.5 else 1)
