#pragma once
// How a population varies in its template's space, from the atlas's maps: the mean
// and the standard deviation over subjects of log det J, J the Jacobian of the map
// template -> subject (affine and warp together). Sign convention: log det J > 0 where
// the subject is larger than the template (its map expands), < 0 where smaller.
// With labels, the table a morphometry study needs: each subject's label volumes in
// its own space and its mean log det J inside the template's label.
#include "alinea/atlas_team.hpp"
#include "alinea/subject_mapping.hpp"

#include <span>
#include <vector>

namespace alinea {

struct LabelVolume {
    std::size_t subject = 0;
    int label = 0;
    double volume = 0;             // mm^3 (mm^2 in 2-D) in the subject's own space
    double mean_log_jacobian = 0;  // over the template's voxels with this label (NaN: the template has none)
};

template <int D>
struct Variability {
    ScalarImage<D> log_jacobian_mean, log_jacobian_sd;
    Index folded_voxels = 0;  // over all subjects: det J <= 0 (det J clamped to [1e-6, 1e30] before the log)
    std::vector<LabelVolume> volumes;  // by subject, then label (with labels)
};

// subject_labels: empty, or one label map per subject on its image's grid;
// template_labels: the template's labels (e.g. ProbabilityAtlas::labels), needed with them.
// With a team of ranks, `mappings` and `subject_labels` need only be this rank's
// subjects' (the others' may be empty); every rank gets the whole result.
template <int D>
Variability<D> population_variability(std::span<const SubjectMapping<D>> mappings, const Grid<D>& template_grid,
                                      std::span<const ScalarImage<D>> subject_labels = {},
                                      const ScalarImage<D>* template_labels = nullptr, const AtlasTeam& team = {});

}  // namespace alinea
