#pragma once
// Small helpers shared by the unit tests: rotations, voxel positions, images
// sampled from a function of the physical point, random smooth velocity fields.
#include "alinea/displacement.hpp"
#include "alinea/image.hpp"
#include "alinea/smooth.hpp"

#include <random>

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

// A random smooth velocity field whose exponential moves points by about max_mm.
template <int D>
VectorField<D> random_velocity(const Grid<D>& grid, double max_mm, double smoothness_mm, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0, 1);
    VectorField<D> v(grid);
    for (Vec<D>& x : v.voxels())
        for (int a = 0; a < D; ++a) x[a] = n(rng);
    gaussian_smooth(v, sigma_in_voxels(grid, smoothness_mm));
    const float scale = static_cast<float>(max_mm / max_norm(v));
    for (Vec<D>& x : v.voxels()) x *= scale;
    return v;
}

}  // namespace alinea::test
