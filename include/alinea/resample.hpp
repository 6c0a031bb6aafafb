#pragma once
// "Pull" resampling: every voxel of the target grid takes the input's value at the
// point that the transform chain maps it to.
#include "alinea/affine.hpp"
#include "alinea/interpolate.hpp"

namespace alinea {

// Through one affine map (fixed -> moving); through a chain: resample_chain.hpp.
template <int D>
ScalarImage<D> resample(const ScalarImage<D>& input, const Grid<D>& target, const Affine<D>& transform,
                        Interpolation interpolation, float outside = 0.0f);

}  // namespace alinea
