#pragma once
// Sums and means over a (2r+1)^D box around every voxel. Separable: one pass of
// 2r+1 additions per axis, so the cost grows with D (2r+1), not with the box's volume
// (2r+1)^D, and the sums are exact sums of the voxels (no running-sum drift). Near
// the border the box is cut to the image (the mean divides by the voxels actually
// inside). Patch statistics (local means, variances, patch distances) are box
// filters of products.
#include "alinea/image.hpp"

namespace alinea {

template <int D>
ScalarImage<D> box_sum(ScalarImage<D> image, int radius);

template <int D>
ScalarImage<D> box_mean(ScalarImage<D> image, int radius);

}  // namespace alinea
