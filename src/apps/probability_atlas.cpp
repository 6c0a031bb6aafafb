#include "alinea/probability_atlas.hpp"

#include "alinea/parallel.hpp"
#include "alinea/resample_chain.hpp"

#include <algorithm>
#include <cmath>

namespace alinea {

namespace {

// The labels a map holds; throws unless every voxel is a non-negative integer (up to 2^24).
template <int D>
std::vector<int> label_set(const ScalarImage<D>& labels, const std::string& name) {
    std::vector<char> seen;
    for (float v : labels.voxels()) {
        if (!(v >= 0 && v < 16777216.0f) || v != std::round(v))
            throw Error("atlas: the labels of subject " + name + " hold " + std::to_string(v) +
                        " (labels are integers from 0 to 2^24)");
        const auto l = static_cast<std::size_t>(v);
        if (l >= seen.size()) seen.resize(l + 1, 0);
        seen[l] = 1;
    }
    std::vector<int> out;
    for (std::size_t l = 0; l < seen.size(); ++l)
        if (seen[l]) out.push_back(static_cast<int>(l));
    return out;
}

}  // namespace

template <int D>
ProbabilityAtlas<D> probability_atlas(std::span<const ScalarImage<D>> labels, std::span<const SubjectMapping<D>> mappings,
                                      std::span<const std::string> names, const Grid<D>& template_grid,
                                      const AtlasTeam& team) {
    if (labels.size() != mappings.size() || names.size() != labels.size() || labels.empty())
        throw Error("probability atlas: " + std::to_string(labels.size()) + " label maps for " +
                    std::to_string(mappings.size()) + " subjects");
    if (labels.size() > 65535) throw Error("probability atlas: more than 65535 subjects");
    ProbabilityAtlas<D> out;
    out.grid = template_grid;
    out.subjects = static_cast<int>(labels.size());
    // Every subject's labels, background included: each rank reads its own subjects'.
    std::vector<int> local{0};
    for (std::size_t s = 0; s < labels.size(); ++s)
        if (team.owns(s))
            for (const int l : label_set(labels[s], names[s])) local.push_back(l);
    const std::vector<int> values = label_union(local, team.ranks());
    out.label_values = values;
    std::vector<int> frame_of(static_cast<std::size_t>(values.back()) + 1, 0);
    for (std::size_t k = 0; k < values.size(); ++k) frame_of[static_cast<std::size_t>(values[k])] = static_cast<int>(k);

    const Index n = template_grid.voxel_count();
    out.counts.assign(values.size() * static_cast<std::size_t>(n), 0);
    for (std::size_t s = 0; s < labels.size(); ++s) {
        if (!team.owns(s)) continue;
        const ScalarImage<D> warped = resample(labels[s], template_grid, mappings[s].chain(), Interpolation::label, 0.0f);
        parallel_for(n, [&](Index v) {
            const auto k = static_cast<std::size_t>(frame_of[static_cast<std::size_t>(warped[v])]);
            ++out.counts[k * static_cast<std::size_t>(n) + v];
        });
    }
    team.ranks().sum(out.counts);
    out.labels = ScalarImage<D>(template_grid);
    parallel_for(n, [&](Index v) {
        std::size_t best = 0;
        for (std::size_t k = 1; k < values.size(); ++k)
            if (out.counts[k * static_cast<std::size_t>(n) + v] > out.counts[best * static_cast<std::size_t>(n) + v]) best = k;
        out.labels[v] = static_cast<float>(values[best]);
    });
    return out;
}

template ProbabilityAtlas<2> probability_atlas<2>(std::span<const ScalarImage<2>>, std::span<const SubjectMapping<2>>,
                                                  std::span<const std::string>, const Grid<2>&, const AtlasTeam&);
template ProbabilityAtlas<3> probability_atlas<3>(std::span<const ScalarImage<3>>, std::span<const SubjectMapping<3>>,
                                                  std::span<const std::string>, const Grid<3>&, const AtlasTeam&);

}  // namespace alinea
