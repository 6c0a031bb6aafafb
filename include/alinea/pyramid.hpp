#pragma once
// Gaussian scale-space pyramid levels: smooth, then sample on a grid shrunk by an
// integer factor per axis. The shrunk grid covers the same physical box (its voxel
// centres sit at the centres of the original voxel blocks), as ITK's shrink filter.
#include "alinea/image.hpp"

namespace alinea {

// The grid of a level shrunk by `factor` along every axis (never below one voxel).
template <int D> Grid<D> shrink_grid(const Grid<D>& grid, int factor);

// Smooths with sigma_voxels (per axis, in voxels of the input grid), then resamples
// linearly onto shrink_grid(grid, factor).
template <int D>
ScalarImage<D> pyramid_level(const ScalarImage<D>& image, int factor, const VecD<D>& sigma_voxels);

// The same sigma (voxels) on every axis.
template <int D>
ScalarImage<D> pyramid_level(const ScalarImage<D>& image, int factor, double sigma_voxels) {
    return pyramid_level(image, factor, VecD<D>(VecD<D>::Constant(sigma_voxels)));
}

}  // namespace alinea
