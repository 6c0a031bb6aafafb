#pragma once
// NIfTI orientation: header fields <-> the voxel-to-RAS affine, and RAS <-> LPS grids.
#include "nifti_header.hpp"

#include "alinea/ras_affine.hpp"

namespace alinea::io {

// Voxel -> RAS exactly as nibabel's get_best_affine: the sform if sform_code != 0, else
// the qform if qform_code != 0, else nibabel's fallback from pixdim (x flipped, origin
// at the centre). Throws for values it cannot use (NaN, non-positive voxel sizes).
Eigen::Matrix4d nifti_ras_affine(const NiftiHeader& header, const std::string& path);

// The LPS grid of the first three axes of an image with that affine.
Grid<3> lps_grid(const Eigen::Matrix4d& ras_affine, const Size<3>& size, const std::string& path);

// A grid from a file's geometry; a matrix that Grid cannot invert (e.g. voxel sizes of
// 1e-41 mm next to 1 mm) is an error naming the file.
template <int D>
Grid<D> file_grid(const Size<D>& size, const MatD<D>& linear, const VecD<D>& origin, const std::string& path);

// Writes the sform (exact) and the qform (the nearest rotation when the matrix is sheared).
void set_nifti_orientation(NiftiHeader& header, const Eigen::Matrix4d& ras_affine);

}  // namespace alinea::io
