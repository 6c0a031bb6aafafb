#pragma once
// "Pull" resampling: every voxel of the target grid takes the input's value at the
// point that the transform chain maps it to.
#include "alinea/interpolate.hpp"
#include "alinea/transform_chain.hpp"

namespace alinea {

template <int D>
ScalarImage<D> resample(const ScalarImage<D>& input, const Grid<D>& target,
                        const TransformChain<D>& transform, Interpolation interpolation,
                        float outside = 0.0f);

// The same with one affine map (the fast path, also used by registration).
template <int D>
ScalarImage<D> resample(const ScalarImage<D>& input, const Grid<D>& target, const Affine<D>& transform,
                        Interpolation interpolation, float outside = 0.0f);

}  // namespace alinea
