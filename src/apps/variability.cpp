#include "alinea/variability.hpp"

#include "alinea/displacement.hpp"
#include "alinea/label_measures.hpp"
#include "alinea/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace alinea {

template <int D>
Variability<D> population_variability(std::span<const SubjectMapping<D>> mappings, const Grid<D>& template_grid,
                                      std::span<const ScalarImage<D>> subject_labels,
                                      const ScalarImage<D>* template_labels) {
    if (mappings.empty()) throw Error("variability: no subject");
    const bool with_labels = !subject_labels.empty();
    if (with_labels && (subject_labels.size() != mappings.size() || !template_labels))
        throw Error("variability: labels for " + std::to_string(subject_labels.size()) + " of " +
                    std::to_string(mappings.size()) + " subjects, or no template labels");
    if (with_labels && !template_labels->grid().same_as(template_grid))
        throw Error("variability: the template labels are not on the template grid");
    const Index n = template_grid.voxel_count();

    // Every label of any subject, and the template voxels of each.
    std::map<int, std::vector<Index>> inside;
    std::vector<std::vector<LabelMeasure<D>>> measures;
    if (with_labels) {
        for (const ScalarImage<D>& l : subject_labels) {
            measures.push_back(measure_labels(l));
            for (const LabelMeasure<D>& m : measures.back()) inside[m.label];
        }
        for (Index v = 0; v < n; ++v)
            if (auto it = inside.find(static_cast<int>((*template_labels)[v])); it != inside.end()) it->second.push_back(v);
    }

    Variability<D> out;
    std::vector<double> sum(static_cast<std::size_t>(n), 0.0), squares(static_cast<std::size_t>(n), 0.0);
    for (std::size_t s = 0; s < mappings.size(); ++s) {
        const SubjectMapping<D>& m = mappings[s];
        const double linear = m.affine.matrix.determinant();
        ScalarImage<D> det = m.warp.empty() ? ScalarImage<D>(template_grid, 1.0f) : jacobian_determinant(m.warp);
        if (!det.grid().same_as(template_grid)) throw Error("variability: a warp is not on the template grid");
        const Index folded = parallel_sum<Index>(n, 65536, 0, [&](Index b, Index e) {
            Index f = 0;
            for (Index v = b; v < e; ++v) {
                const double j = linear * det[v];
                f += j <= 0;
                det[v] = static_cast<float>(std::log(std::max(j, 1e-6)));
            }
            return f;
        });
        out.folded_voxels += folded;
        parallel_for(n, [&](Index v) { sum[v] += det[v], squares[v] += double(det[v]) * det[v]; });
        if (!with_labels) continue;
        std::map<int, double> volume;
        for (const LabelMeasure<D>& lm : measures[s]) volume[lm.label] = lm.volume;
        for (const auto& [label, voxels] : inside) {
            double mean = std::numeric_limits<double>::quiet_NaN();
            if (!voxels.empty()) {
                mean = 0;
                for (Index v : voxels) mean += det[v];
                mean /= static_cast<double>(voxels.size());
            }
            const auto it = volume.find(label);
            out.volumes.push_back({s, label, it == volume.end() ? 0.0 : it->second, mean});
        }
    }
    out.log_jacobian_mean = ScalarImage<D>(template_grid);
    out.log_jacobian_sd = ScalarImage<D>(template_grid);
    const double k = static_cast<double>(mappings.size());
    parallel_for(n, [&](Index v) {
        const double mean = sum[v] / k;
        out.log_jacobian_mean[v] = static_cast<float>(mean);
        out.log_jacobian_sd[v] = static_cast<float>(std::sqrt(std::max(0.0, squares[v] / k - mean * mean)));
    });
    return out;
}

template Variability<2> population_variability<2>(std::span<const SubjectMapping<2>>, const Grid<2>&,
                                                  std::span<const ScalarImage<2>>, const ScalarImage<2>*);
template Variability<3> population_variability<3>(std::span<const SubjectMapping<3>>, const Grid<3>&,
                                                  std::span<const ScalarImage<3>>, const ScalarImage<3>*);

}  // namespace alinea
