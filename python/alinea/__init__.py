"""Alinea: image registration and what people register images for, on numpy arrays.

    import alinea, nibabel
    fixed = alinea.read_image("fixed.nii.gz")
    moving = alinea.from_nibabel(nibabel.load("moving.nii.gz"))
    result = alinea.register(fixed, moving, plan="--transform rigid --transform affine")
    warped = alinea.apply(fixed, moving, [result])          # moving on the fixed grid
    alinea.to_nibabel(warped).to_filename("warped.nii.gz")
    result.save("out/subject_")                              # what `alinea register -o` writes

Everything runs in the same C++ library as the `alinea` command (nothing is
reimplemented here), with the same defaults and the same bytes for the same inputs,
whatever the number of threads. Geometry follows nibabel: an Image's array is indexed
[i, j, k] and its affine is the voxel -> RAS matrix (img.affine); transforms are ITK's
(LPS millimetres, fixed -> moving), as in the files the command writes.
"""

from ._alinea import (Error, Image, Registration, Transform, __version__, apply, atlas, jacobian, read_image,
                      read_series, register, segment, track, write_image)

__all__ = ["Error", "Image", "Registration", "Transform", "__version__", "apply", "atlas", "jacobian", "read_image",
           "read_series", "register", "segment", "track", "write_image", "from_nibabel", "to_nibabel"]


def from_nibabel(img):
    """An alinea.Image from a nibabel image in memory (no file is touched).

    The voxels are img.get_fdata() (scaling applied) and the affine img.affine; a 5-D
    NIfTI vector image (intent "vector", shape (X, Y, Z, 1, 3)) becomes a warp.
    A 4-D series is refused, as everywhere in Alinea: pass one frame, e.g.
    nibabel.funcs.four_to_three(img)[k].
    """
    shape = img.shape
    if len(shape) == 4 or (len(shape) == 5 and shape[3] != 1):
        raise ValueError(f"from_nibabel: a {len(shape)}-D series of shape {shape} is not one image; pass one frame")
    data = img.get_fdata(dtype="float32") if img.get_data_dtype().kind == "f" else img.get_fdata()
    is_vector = len(shape) == 5
    if len(shape) == 3 and shape[2] == 1:  # one slice: a 2-D image, as alinea reads it from a file
        data = data[:, :, 0]
    return Image(data, img.affine, vector=is_vector)


def to_nibabel(image):
    """A nibabel.Nifti1Image of an alinea.Image (float32, sform and qform codes 1), sharing no
    memory with it. A warp becomes the 5-D vector image that ANTs and ITK read."""
    import nibabel
    import numpy

    data = numpy.array(image.array, dtype=numpy.float32, copy=True)
    if image.is_vector:
        spatial = data.shape[:-1] + (1,) * (3 - image.dimension)
        data = data.reshape(spatial + (1, data.shape[-1]), order="F")
    out = nibabel.Nifti1Image(data, image.affine)
    out.header.set_qform(image.affine, code=1)
    out.header.set_sform(image.affine, code=1)
    if image.is_vector:
        out.header.set_intent("vector")
    return out
