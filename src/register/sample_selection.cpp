#include "sample_selection.hpp"

namespace alinea {

namespace {

// Voxel i is kept when a hash of i falls below the keep ratio: deterministic, spread
// evenly, independent of the thread count.
bool keep_voxel(Index i, double ratio) {
    std::uint64_t h = static_cast<std::uint64_t>(i) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
    return static_cast<double>(h >> 11) * 0x1.0p-53 < ratio;
}

}  // namespace

template <int D>
SampleSet<D> select_samples(const Grid<D>& grid, const ScalarImage<D>* mask, bool dense, Index max_samples) {
    const Index n = grid.voxel_count();
    Index candidates = 0;
    for (Index i = 0; i < n; ++i) candidates += !mask || (*mask)[i] > 0.5f;
    const double ratio = dense || max_samples <= 0 || candidates <= max_samples
                             ? 1.0
                             : static_cast<double>(max_samples) / static_cast<double>(candidates);
    SampleSet<D> s;
    VecD<D> index = VecD<D>::Zero();
    for (Index i = 0; i < n; ++i) {
        if (i > 0)  // index follows i (x fastest) without divisions
            for (int a = 0; a < D; ++a) {
                if (++index[a] < static_cast<double>(grid.size(a))) break;
                index[a] = 0;
            }
        const bool in_mask = !mask || (*mask)[i] > 0.5f;
        if (!dense && (!in_mask || !keep_voxel(i, ratio))) continue;
        s.points.push_back(grid.physical(index).template cast<float>());
        s.voxels.push_back(i);
        s.in_mask.push_back(in_mask);
    }
    if (dense) s.dense_shape = Size<3>{grid.size(0), grid.size(1), D == 3 ? grid.size(D - 1) : 1};
    return s;
}

template SampleSet<2> select_samples<2>(const Grid<2>&, const ScalarImage<2>*, bool, Index);
template SampleSet<3> select_samples<3>(const Grid<3>&, const ScalarImage<3>*, bool, Index);

}  // namespace alinea
