#pragma once
// "Pull" resampling through a chain of transforms (affines and displacement fields):
// every voxel of the target grid takes the input's value at the point the chain maps
// it to. A chain that is one affine map takes the fast path of resample.hpp.
#include "alinea/resample.hpp"
#include "alinea/transform_chain.hpp"

namespace alinea {

template <int D>
ScalarImage<D> resample(const ScalarImage<D>& input, const Grid<D>& target,
                        const TransformChain<D>& transform, Interpolation interpolation,
                        float outside = 0.0f);

}  // namespace alinea
