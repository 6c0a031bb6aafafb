#pragma once
// Resampling an image onto a coarser or finer grid over the same field of view (what
// ANTs' ResampleImage, c3d -resample and greedy users do to change the voxel size):
// the new grid keeps the old one's direction and the centre of its voxel box; where
// it is coarser than the image, the image is first smoothed (anti-aliasing), with a
// Gaussian whose full width at half maximum makes up the difference in voxel size:
// sigma = sqrt(s_new^2 - s_old^2) / (2 sqrt(2 ln 2)) mm along each axis.
#include "alinea/interpolate.hpp"
#include "alinea/image.hpp"

namespace alinea {

// size = max(1, round(n * s / s_new)) per axis; the spacing is exactly the one asked for.
template <int D>
Grid<D> grid_with_spacing(const Grid<D>& grid, const VecD<D>& spacing);
// spacing = n * s / size per axis: the same box.
template <int D>
Grid<D> grid_with_size(const Grid<D>& grid, const Size<D>& size);

// The Gaussian sigmas (mm, per axis of `image`'s grid) that anti-aliasing onto `target`
// applies: zero where the target is not coarser. Axes are compared one to one when the
// grids share their direction, else with the target's largest spacing.
template <int D>
VecD<D> antialiasing_sigmas(const Grid<D>& image, const Grid<D>& target);

// The image on `target`: anti-aliased (unless `antialias` is false, or the interpolation
// is nearest or label, which must not mix values), then sampled. Throws alinea::Error
// for an unknown combination (none yet).
template <int D>
ScalarImage<D> resample_onto(const ScalarImage<D>& image, const Grid<D>& target, Interpolation interpolation,
                             bool antialias = true, float outside = 0.0f);

}  // namespace alinea
