// Label agreement with answers known by construction: Dice and Jaccard of two boxes,
// the Hausdorff distance of a box moved along x (the faces across the shift are the
// shift away, in mm), a label missing from one map, and label measures.
#include "alinea/label_agreement.hpp"
#include "alinea/label_measures.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace alinea;

namespace {

ScalarImage<3> box(const Grid<3>& g, const Size<3>& lo, const Size<3>& hi, float label) {
    ScalarImage<3> image(g);
    for (Index v = 0; v < image.voxel_count(); ++v) {
        const Size<3> i = g.index_of(v);
        bool in = true;
        for (int a = 0; a < 3; ++a) in = in && i[a] >= lo[a] && i[a] <= hi[a];
        if (in) image[v] = label;
    }
    return image;
}

}  // namespace

TEST(LabelAgreement, BoxesShiftedAlongX) {
    const Grid<3> g = Grid<3>::from_spacing({30, 20, 20}, VecD<3>(1.5, 1.0, 1.0));
    const ScalarImage<3> a = box(g, {5, 5, 5}, {14, 14, 14}, 3);   // 10^3 voxels
    const ScalarImage<3> b = box(g, {8, 5, 5}, {17, 14, 14}, 3);   // moved 3 voxels = 4.5 mm
    const LabelComparison c = compare_labels(a, b);
    ASSERT_EQ(c.labels.size(), 1u);
    const LabelAgreement& l = c.labels[0];
    EXPECT_EQ(l.label, 3);
    EXPECT_EQ(l.voxels_a, 1000);
    EXPECT_EQ(l.overlap, 700);
    EXPECT_DOUBLE_EQ(l.dice, 0.7);
    EXPECT_DOUBLE_EQ(l.jaccard, 700.0 / 1300.0);
    EXPECT_NEAR(l.hausdorff95, 4.5, 1e-6);
    EXPECT_DOUBLE_EQ(compare_labels(a, a).labels[0].hausdorff95, 0.0);
}

TEST(LabelAgreement, ALabelMissingFromOneMapHasNoDistance) {
    const Grid<3> g = Grid<3>::from_spacing({12, 12, 12}, VecD<3>(1, 1, 1));
    ScalarImage<3> a = box(g, {1, 1, 1}, {4, 4, 4}, 1), b = a;
    for (Index v = 0; v < a.voxel_count(); ++v)
        if (g.index_of(v)[0] > 7) a[v] = 2;  // label 2 only in a
    const LabelComparison c = compare_labels(a, b);
    ASSERT_EQ(c.labels.size(), 2u);
    EXPECT_DOUBLE_EQ(c.labels[0].dice, 1.0);
    EXPECT_DOUBLE_EQ(c.labels[1].dice, 0.0);
    EXPECT_TRUE(std::isnan(c.labels[1].hausdorff95));
    EXPECT_DOUBLE_EQ(c.mean_dice, 0.5);
    EXPECT_DOUBLE_EQ(c.mean_hausdorff95, 0.0);  // over label 1 only
}

TEST(LabelMeasures, VolumeAndCentroidInMillimetres) {
    const Grid<3> g = Grid<3>::from_spacing({20, 20, 10}, VecD<3>(1.5, 1.0, 2.0), VecD<3>(10, -5, 3));
    const ScalarImage<3> labels = box(g, {2, 4, 1}, {5, 9, 2}, 7);  // 4 x 6 x 2 voxels
    const auto m = measure_labels(labels);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].voxels, 48);
    EXPECT_DOUBLE_EQ(m[0].volume, 48 * 3.0);
    EXPECT_NEAR(m[0].centroid[0], 10 + 1.5 * 3.5, 1e-9);
    EXPECT_NEAR(m[0].centroid[1], -5 + 6.5, 1e-9);
    EXPECT_NEAR(m[0].centroid[2], 3 + 2 * 1.5, 1e-9);
}
