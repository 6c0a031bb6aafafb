#pragma once
// Separable Gaussian smoothing, kernel truncated at 3 sigma and renormalised at the
// image border (so a constant image stays constant). Works on scalar images and
// vector fields. Sigmas are per axis, in voxels of the image's grid; use
// sigma_in_voxels() to convert millimetres.
#include "alinea/image.hpp"

namespace alinea {

template <class T, int D>
void gaussian_smooth(Image<T, D>& image, const VecD<D>& sigma_voxels);

// sigma in mm -> per-axis sigma in voxels of grid (mm / spacing).
template <int D>
VecD<D> sigma_in_voxels(const Grid<D>& grid, double sigma_mm) {
    return (VecD<D>::Constant(sigma_mm).array() / grid.spacing().array()).matrix();
}

}  // namespace alinea
