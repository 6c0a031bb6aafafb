#pragma once
// Small helpers shared by the unit tests: rotations, voxel positions and images
// sampled from a function of the physical point.
#include "alinea/image.hpp"

namespace alinea::test {

inline MatD<3> rotation(double angle, const VecD<3>& axis) {
    return Eigen::AngleAxisd(angle, axis.normalized()).toRotationMatrix();
}

// The voxel index of a buffer offset, as a continuous index.
template <int D>
VecD<D> voxel_index(const Grid<D>& grid, Index offset) {
    const Size<D> idx = grid.index_of(offset);
    VecD<D> ci;
    for (int a = 0; a < D; ++a) ci[a] = static_cast<double>(idx[a]);
    return ci;
}

// Fills an image with f(physical point).
template <int D, class F>
ScalarImage<D> sample_function(const Grid<D>& grid, F f) {
    ScalarImage<D> image(grid);
    for (Index o = 0; o < image.voxel_count(); ++o) image[o] = static_cast<float>(f(grid.physical(voxel_index(grid, o))));
    return image;
}

}  // namespace alinea::test
