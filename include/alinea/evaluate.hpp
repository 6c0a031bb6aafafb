#pragma once
// Accuracy of a registration: against a known truth, the distance in mm between where
// the result and the true transform send each point of a mask on the reference grid;
// with label maps, the Dice overlap; and the folding of the result's warps.
#include "alinea/jacobian_summary.hpp"
#include "alinea/transform_chain.hpp"

namespace alinea {

struct TransformError {
    double mean = 0, p95 = 0, max = 0;  // mm
    Index points = 0;
};

// Points are the voxels of `mask` (on the reference grid) with value > 0.5.
template <int D>
TransformError transform_error(const TransformChain<D>& result, const TransformChain<D>& truth,
                               const ScalarImage<D>& mask);

// Dice overlap per label (label 0 is background and skipped) and their mean.
struct LabelOverlap {
    std::vector<std::pair<int, double>> dice;  // (label, Dice), labels in increasing order
    double mean = 0;
};
// Both label maps must be on the same grid.
template <int D>
LabelOverlap label_overlap(const ScalarImage<D>& a, const ScalarImage<D>& b);

// Dice between the fixed labels and the moving labels pulled onto the fixed labels'
// grid through `result` (fixed -> moving) with label interpolation. An empty chain
// gives the overlap before registration.
template <int D>
LabelOverlap warped_label_overlap(const ScalarImage<D>& fixed_labels, const ScalarImage<D>& moving_labels,
                                  const TransformChain<D>& result);

}  // namespace alinea
