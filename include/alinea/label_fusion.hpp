#pragma once
// Multi-atlas label fusion: atlases already brought onto a target's grid (their images
// and label maps resampled through atlas registrations) vote for every voxel's label.
//   majority  one vote per atlas;
//   weighted  locally weighted voting: an atlas's vote weighs exp(-d / h), d the mean
//             squared difference of its patch from the target's and h the smallest d
//             among the atlases at that voxel (plus a small floor);
//   joint     joint label fusion (Wang et al., IEEE PAMI 2013): the weights minimise
//             the expected joint error of the atlases, estimated from the products of
//             their patch differences, M(i,j) = mean(|d_i| |d_j|)^beta; w is
//             (M + alpha I)^-1 1, normalised, so atlases that make the same error
//             share one vote instead of outvoting the others. Each atlas votes the
//             label at its best-matching patch within the search radius.
// Patches compare locally normalised intensities (each voxel minus the mean over its
// patch, over the patch's standard deviation), so atlases from other scanners take
// part. Every patch statistic is a box filter (one per search offset), so the cost
// grows with atlases x search offsets, not with the patch volume. Where at least the
// `consensus` fraction of atlases agree, their label is taken without fusion.
#include "alinea/image.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace alinea {

enum class FusionMethod { majority, weighted, joint };
FusionMethod parse_fusion_method(const std::string& name);  // majority, weighted, jlf
std::string to_string(FusionMethod method);

struct LabelFusionOptions {
    FusionMethod method = FusionMethod::joint;
    int patch_radius = 2;   // voxels: patches of (2r+1)^D voxels
    // Voxels, joint fusion only (0: no search). -1: about 3 mm, round(3 / the finest
    // spacing), at least 1: ANTs' 3 voxels at 1 mm, 2 at 2 mm (3 voxels = 6 mm there
    // lost 0.007 Dice in bench/segment: matches that far are chance).
    int search_radius = -1;
    int search_voxels(double finest_spacing_mm) const;
    double alpha = 0.1;     // ridge on the joint error matrix (joint)
    double beta = 2;        // exponent of the joint errors (joint)
    double consensus = 1.0; // in (0, 1]: skip the fusion where this fraction of atlases agree
    void validate() const;  // throws alinea::Error naming the bad option
};

template <int D>
struct FusedLabels {
    ScalarImage<D> labels;          // the label values, on the target's grid
    std::vector<int> label_values;  // 0 and every atlas label, increasing: the posterior frame order
    // Sparse posteriors: per voxel `slots` (label index, probability) pairs; the
    // probabilities of a voxel sum to 1, unused slots have probability 0.
    int slots = 0;
    std::vector<std::uint16_t> slot_label;
    std::vector<float> slot_probability;
    Index fused_voxels = 0;  // voxels where the fusion ran (not consensus, inside the mask)
    int search_radius = 0;   // the search radius used (voxels)

    // The probability of label_values[index] at every voxel.
    ScalarImage<D> posterior(std::size_t index) const;
};

// atlas_labels: label maps on the target's grid (integer values >= 0). atlas_images:
// the atlases' intensities on the target's grid, needed by weighted and joint fusion
// (may be empty for majority voting). Outside target_mask (> 0.5) the label is 0.
// Ties go to the smaller label value. Deterministic for any thread count.
template <int D>
FusedLabels<D> fuse_labels(const ScalarImage<D>& target, std::span<const ScalarImage<D>> atlas_images,
                           std::span<const ScalarImage<D>> atlas_labels, const LabelFusionOptions& options,
                           const ScalarImage<D>* target_mask = nullptr);

}  // namespace alinea
