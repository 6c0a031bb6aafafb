#pragma once
// Tissue-probability maps of a population: every subject's label map carried onto the
// template through the subject's map (label interpolation: each label's indicator
// interpolated, the largest wins), and at each voxel the fraction of subjects with
// each label. Label 0 (background) has a frame of its own, so that the frames sum to 1
// at every voxel: frame k holds the probability of label_values[k].
#include "alinea/atlas_team.hpp"
#include "alinea/subject_mapping.hpp"

#include <cstdint>
#include <string>
#include <span>
#include <vector>

namespace alinea {

template <int D>
struct ProbabilityAtlas {
    Grid<D> grid;
    std::vector<int> label_values;       // frame k is label_values[k]; 0 first
    std::vector<std::uint16_t> counts;   // subjects with label k at voxel v: counts[k * voxels + v]
    int subjects = 0;
    ScalarImage<D> labels;               // the most probable label (ties: the smaller)

    float probability(std::size_t frame, Index voxel) const {
        return static_cast<float>(counts[frame * static_cast<std::size_t>(grid.voxel_count()) + voxel]) / subjects;
    }
};

// labels[s] is on subjects' image grid s (as the subject's own image). Throws
// alinea::Error naming the subject for labels that are not non-negative integers, and
// for more than 65535 subjects. With a team of ranks, each counts its own subjects'
// labels (the others' maps may be empty) and the counts are added.
template <int D>
ProbabilityAtlas<D> probability_atlas(std::span<const ScalarImage<D>> labels, std::span<const SubjectMapping<D>> mappings,
                                      std::span<const std::string> names, const Grid<D>& template_grid,
                                      const AtlasTeam& team = {});

}  // namespace alinea
