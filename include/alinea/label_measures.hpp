#pragma once
// The size and place of every label of a label map: voxel count, volume in mm^3 (the
// voxel volume is |det| of the grid's linear part, so sheared grids count right) and
// the centroid of the voxel centres in physical (LPS) mm. Label 0 is background, skipped.
#include "alinea/image.hpp"

#include <vector>

namespace alinea {

template <int D>
struct LabelMeasure {
    int label = 0;
    Index voxels = 0;
    double volume = 0;  // mm^3 (mm^2 in 2-D)
    VecD<D> centroid = VecD<D>::Zero();
};

// Labels in increasing order.
template <int D>
std::vector<LabelMeasure<D>> measure_labels(const ScalarImage<D>& labels);

}  // namespace alinea
