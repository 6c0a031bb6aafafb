#include "alinea/label_measures.hpp"

#include <cmath>
#include <map>

namespace alinea {

template <int D>
std::vector<LabelMeasure<D>> measure_labels(const ScalarImage<D>& labels) {
    const Grid<D>& g = labels.grid();
    std::map<int, std::pair<Index, VecD<D>>> sums;  // label -> voxels, sum of voxel indices
    for (Index v = 0; v < labels.voxel_count(); ++v) {
        const int label = static_cast<int>(std::lround(labels[v]));
        if (label == 0) continue;
        auto& [count, sum] = sums.try_emplace(label, 0, VecD<D>::Zero()).first->second;
        const Size<D> idx = g.index_of(v);
        for (int a = 0; a < D; ++a) sum[a] += static_cast<double>(idx[a]);
        ++count;
    }
    const double voxel_volume = std::abs(g.linear().determinant());
    std::vector<LabelMeasure<D>> out;
    for (const auto& [label, s] : sums)
        out.push_back({label, s.first, static_cast<double>(s.first) * voxel_volume,
                       g.physical(s.second / static_cast<double>(s.first))});
    return out;
}

template std::vector<LabelMeasure<2>> measure_labels<2>(const ScalarImage<2>&);
template std::vector<LabelMeasure<3>> measure_labels<3>(const ScalarImage<3>&);

}  // namespace alinea
