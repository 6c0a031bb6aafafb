#include "alinea/evaluate.hpp"

#include "alinea/error.hpp"
#include "alinea/label_agreement.hpp"
#include "alinea/parallel.hpp"
#include "alinea/resample_chain.hpp"

#include <algorithm>
#include <cmath>

namespace alinea {

template <int D>
TransformError transform_error(const TransformChain<D>& result, const TransformChain<D>& truth,
                               const ScalarImage<D>& mask) {
    const Grid<D>& g = mask.grid();
    std::vector<float> error(static_cast<size_t>(mask.voxel_count()), -1.0f);
    for_each_row(g, [&](Index offset, VecD<D> index) {
        for (Index x = 0; x < g.size(0); ++x) {
            if (!(mask[offset + x] > 0.5f)) continue;
            index[0] = static_cast<double>(x);
            const VecD<D> p = g.physical(index);
            error[offset + x] = static_cast<float>((result(p) - truth(p)).norm());
        }
    });
    std::erase_if(error, [](float e) { return e < 0; });
    TransformError out;
    out.points = static_cast<Index>(error.size());
    if (error.empty()) return out;
    double sum = 0;
    for (float e : error) sum += e;
    out.mean = sum / static_cast<double>(error.size());
    out.max = *std::max_element(error.begin(), error.end());
    auto p95 = error.begin() + static_cast<Index>(0.95 * static_cast<double>(error.size() - 1));
    std::nth_element(error.begin(), p95, error.end());
    out.p95 = *p95;
    return out;
}

template <int D>
LabelOverlap label_overlap(const ScalarImage<D>& a, const ScalarImage<D>& b) {
    const LabelComparison c = compare_labels(a, b, false);
    LabelOverlap out{{}, c.mean_dice};
    for (const LabelAgreement& l : c.labels) out.dice.emplace_back(l.label, l.dice);
    return out;
}

template <int D>
LabelOverlap warped_label_overlap(const ScalarImage<D>& fixed_labels, const ScalarImage<D>& moving_labels,
                                  const TransformChain<D>& result) {
    return label_overlap(fixed_labels, resample(moving_labels, fixed_labels.grid(), result, Interpolation::label));
}

template TransformError transform_error<2>(const TransformChain<2>&, const TransformChain<2>&, const ScalarImage<2>&);
template TransformError transform_error<3>(const TransformChain<3>&, const TransformChain<3>&, const ScalarImage<3>&);
template LabelOverlap label_overlap<2>(const ScalarImage<2>&, const ScalarImage<2>&);
template LabelOverlap label_overlap<3>(const ScalarImage<3>&, const ScalarImage<3>&);
template LabelOverlap warped_label_overlap<2>(const ScalarImage<2>&, const ScalarImage<2>&, const TransformChain<2>&);
template LabelOverlap warped_label_overlap<3>(const ScalarImage<3>&, const ScalarImage<3>&, const TransformChain<3>&);

}  // namespace alinea
