#pragma once
// How well two label maps on one grid agree, label by label: Dice, Jaccard and the
// 95th-percentile Hausdorff distance in mm (the larger of the two directed 95th
// percentiles of the distances from one label's boundary voxels to the other's, as
// MONAI and the segmentation challenges report it). Label 0 is background, skipped.
#include "alinea/image.hpp"

#include <vector>

namespace alinea {

struct LabelAgreement {
    int label = 0;
    Index voxels_a = 0, voxels_b = 0, overlap = 0;
    double dice = 0, jaccard = 0;
    double hausdorff95 = 0;  // mm; NaN when the label is missing from one of the maps
};

struct LabelComparison {
    std::vector<LabelAgreement> labels;  // every label in either map, increasing
    double mean_dice = 0, mean_jaccard = 0;
    double mean_hausdorff95 = 0;         // over the labels present in both maps
};

// Distances are skipped (left 0) unless asked for: they cost a distance transform per label.
template <int D>
LabelComparison compare_labels(const ScalarImage<D>& a, const ScalarImage<D>& b, bool distances = true);

}  // namespace alinea
