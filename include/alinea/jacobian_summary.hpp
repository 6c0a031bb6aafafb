#pragma once
// Summary of a Jacobian determinant map (e.g. jacobian_determinant() of a warp): over
// the voxels whose physical point falls where `mask` > 0.5 (nearest mask voxel; no
// mask: every voxel), the extreme values and how many fold (det <= 0).
#include "alinea/image.hpp"

namespace alinea {

struct JacobianSummary {
    double min = 0, max = 0;
    double folded_fraction = 0;
    Index points = 0, folded = 0;
    // Pools another map (several warps in one chain).
    JacobianSummary& operator+=(const JacobianSummary& other);
};

template <int D>
JacobianSummary jacobian_summary(const ScalarImage<D>& determinant, const ScalarImage<D>* mask = nullptr);

}  // namespace alinea
