#include "alinea/variability.hpp"

#include "alinea/displacement.hpp"
#include "alinea/exact_sum.hpp"
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
                                      const ScalarImage<D>* template_labels, const AtlasTeam& team) {
    if (mappings.empty()) throw Error("variability: no subject");
    const bool with_labels = !subject_labels.empty();
    if (with_labels && (subject_labels.size() != mappings.size() || !template_labels))
        throw Error("variability: labels for " + std::to_string(subject_labels.size()) + " of " +
                    std::to_string(mappings.size()) + " subjects, or no template labels");
    if (with_labels && !template_labels->grid().same_as(template_grid))
        throw Error("variability: the template labels are not on the template grid");
    const Communicator& ranks = team.ranks();
    const Index n = template_grid.voxel_count();
    const std::size_t subjects = mappings.size();
    // Every label of any subject, and the template voxels of each.
    std::vector<std::vector<LabelMeasure<D>>> measures(subjects);
    std::vector<int> labels;
    if (with_labels) {
        std::vector<int> local;
        for (std::size_t s = 0; s < subjects; ++s)
            if (team.owns(s)) {
                measures[s] = measure_labels(subject_labels[s]);
                for (const LabelMeasure<D>& m : measures[s]) local.push_back(m.label);
            }
        labels = label_union(local, ranks);
    }
    std::map<int, std::size_t> column;
    for (std::size_t k = 0; k < labels.size(); ++k) column[labels[k]] = k;
    std::vector<std::vector<Index>> inside(labels.size());
    if (with_labels)
        for (Index v = 0; v < n; ++v)
            if (auto it = column.find(static_cast<int>((*template_labels)[v])); it != column.end())
                inside[it->second].push_back(v);

    // log det J lies in [log 1e-6, log 1e30] (clamped), so its exact sums have a fixed bound.
    constexpr double smallest = 1e-6, largest = 1e30;
    const double bound = std::log(largest);
    ExactSums sum(static_cast<std::size_t>(n), bound, subjects), squares(static_cast<std::size_t>(n), bound * bound, subjects);
    std::int64_t folded = 0;
    // Per subject and label, merged over the ranks: volume, mean log det J.
    std::vector<double> volume(subjects * labels.size(), 0.0), mean_log(subjects * labels.size(), 0.0);
    for (std::size_t s = 0; s < subjects; ++s) {
        if (!team.owns(s)) continue;
        const SubjectMapping<D>& m = mappings[s];
        const double linear = m.affine.matrix.determinant();
        ScalarImage<D> det = m.warp.empty() ? ScalarImage<D>(template_grid, 1.0f) : jacobian_determinant(m.warp);
        if (!det.grid().same_as(template_grid)) throw Error("variability: a warp is not on the template grid");
        folded += parallel_sum<Index>(n, 65536, 0, [&](Index b, Index e) {
            Index f = 0;
            for (Index v = b; v < e; ++v) {
                const double j = linear * det[v];
                f += !(j > 0);
                det[v] = static_cast<float>(std::log(std::clamp(std::isnan(j) ? smallest : j, smallest, largest)));
            }
            return f;
        });
        parallel_for(n, [&](Index v) { sum.add(v, det[v]), squares.add(v, double(det[v]) * det[v]); });
        for (const LabelMeasure<D>& lm : measures[s]) volume[s * labels.size() + column.at(lm.label)] = lm.volume;
        for (std::size_t k = 0; k < labels.size(); ++k) {
            double mean = std::numeric_limits<double>::quiet_NaN();
            if (!inside[k].empty()) {
                mean = 0;
                for (Index v : inside[k]) mean += det[v];
                mean /= static_cast<double>(inside[k].size());
            }
            mean_log[s * labels.size() + k] = mean;
        }
    }
    sum.combine(ranks);
    squares.combine(ranks);
    ranks.sum(std::span(&folded, 1));
    merge_values(ranks, std::span(volume));
    merge_values(ranks, std::span(mean_log));

    Variability<D> out;
    out.folded_voxels = folded;
    for (std::size_t s = 0; s < subjects && with_labels; ++s)
        for (std::size_t k = 0; k < labels.size(); ++k)
            out.volumes.push_back({s, labels[k], volume[s * labels.size() + k], mean_log[s * labels.size() + k]});
    out.log_jacobian_mean = ScalarImage<D>(template_grid);
    out.log_jacobian_sd = ScalarImage<D>(template_grid);
    const double k = static_cast<double>(subjects);
    parallel_for(n, [&](Index v) {
        const double mean = sum[v] / k;
        out.log_jacobian_mean[v] = static_cast<float>(mean);
        out.log_jacobian_sd[v] = static_cast<float>(std::sqrt(std::max(0.0, squares[v] / k - mean * mean)));
    });
    return out;
}

template Variability<2> population_variability<2>(std::span<const SubjectMapping<2>>, const Grid<2>&,
                                                  std::span<const ScalarImage<2>>, const ScalarImage<2>*,
                                                  const AtlasTeam&);
template Variability<3> population_variability<3>(std::span<const SubjectMapping<3>>, const Grid<3>&,
                                                  std::span<const ScalarImage<3>>, const ScalarImage<3>*,
                                                  const AtlasTeam&);

}  // namespace alinea
