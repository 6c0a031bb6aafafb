#pragma once
// Which voxels of a grid a linear stage samples: all of them (dense metrics, small
// levels) or a fixed pseudo-random subset of at most max_samples inside the mask.
#include "alinea/image.hpp"
#include "alinea/metric.hpp"

#include <cstdint>
#include <vector>

namespace alinea {

template <int D>
struct SampleSet {
    std::vector<Vec<D>> points;          // physical positions
    std::vector<Index> voxels;           // voxel offsets in the image
    std::vector<std::uint8_t> in_mask;   // dense sets keep masked-out voxels, flagged 0
    std::optional<Size<3>> dense_shape;  // set when every voxel is a sample, in order
};

template <int D>
SampleSet<D> select_samples(const Grid<D>& grid, const ScalarImage<D>* mask, bool dense, Index max_samples);

}  // namespace alinea
