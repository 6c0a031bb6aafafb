#!/usr/bin/python3
"""Prints what nibabel reads from NIfTI files, as one JSON object per file (one per line):
affine, shape, dtype, codes, intent, and sum/min/max of the scaled data.

Usage: /usr/bin/python3 nibabel_describe.py FILE...
"""
import json
import sys

import nibabel as nib
import numpy as np

for path in sys.argv[1:]:
    img = nib.load(path)
    data = img.get_fdata()
    hdr = img.header
    print(json.dumps({
        "file": path,
        "version": 2 if isinstance(img, nib.Nifti2Image) else 1,
        "affine": img.affine.tolist(),
        "shape": list(img.shape),
        "dtype": str(img.get_data_dtype().newbyteorder("=")),
        "sform_code": int(hdr["sform_code"]),
        "qform_code": int(hdr["qform_code"]),
        "qform": hdr.get_qform().tolist(),
        "intent": hdr.get_intent()[0],
        "sum": float(data.sum()),
        "min": float(data.min()),
        "max": float(data.max()),
        "first": [float(v) for v in data.reshape(-1, order="F")[:4]],
    }))
