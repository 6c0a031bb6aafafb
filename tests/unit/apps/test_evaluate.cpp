// Evaluation helpers with answers known by construction: Dice of labels brought back by
// the exact transform is 1, and the Jacobian summary counts folds inside a mask given
// on another grid.
#include "alinea/displacement.hpp"
#include "alinea/evaluate.hpp"
#include "alinea/resample_chain.hpp"

#include <gtest/gtest.h>

using namespace alinea;

namespace {

Grid<3> grid() { return Grid<3>::from_spacing({30, 28, 24}, VecD<3>(1.0, 1.0, 1.0), VecD<3>(-15, -14, -12)); }

// Boxes of labels 1..4 in the four quadrants of the central slab.
ScalarImage<3> box_labels(const Grid<3>& g) {
    ScalarImage<3> labels(g);
    for (Index o = 0; o < labels.voxel_count(); ++o) {
        const Size<3> i = g.index_of(o);
        if (i[0] < 4 || i[0] > 25 || i[1] < 4 || i[1] > 23 || i[2] < 4 || i[2] > 19) continue;
        labels[o] = static_cast<float>(1 + (i[0] > 14) + 2 * (i[1] > 13));
    }
    return labels;
}

}  // namespace

TEST(WarpedLabelOverlap, ExactTransformGivesDiceOneAndIdentityGivesTheBefore) {
    const Grid<3> g = grid();
    const ScalarImage<3> fixed = box_labels(g);
    // The moving labels are the fixed ones moved by 3 voxels: moving(y) = fixed(y - t), so
    // the fixed -> moving map is x -> x + t.
    Affine<3> shift;
    shift.offset = VecD<3>(3, 0, 0);
    const ScalarImage<3> moving = resample(fixed, g, shift.inverse(), Interpolation::label);
    TransformChain<3> result;
    result.then(shift);
    EXPECT_DOUBLE_EQ(warped_label_overlap(fixed, moving, result).mean, 1.0);
    const LabelOverlap before = warped_label_overlap(fixed, moving, TransformChain<3>{});
    EXPECT_LT(before.mean, 0.9);
    EXPECT_DOUBLE_EQ(before.mean, label_overlap(fixed, moving).mean);
}

TEST(JacobianSummary, CountsFoldsInsideAMaskOnAnotherGrid) {
    const Grid<3> g = grid();
    ScalarImage<3> det(g, 1.0f);
    det[g.offset({10, 10, 10})] = -0.5f;  // inside the mask below
    det[g.offset({1, 1, 1})] = -2.0f;     // outside it
    det[g.offset({12, 10, 10})] = 3.0f;
    // The mask: a box, on a grid twice as fine over the same region.
    const Grid<3> fine = Grid<3>::from_spacing({60, 56, 48}, VecD<3>(0.5, 0.5, 0.5), VecD<3>(-15, -14, -12));
    ScalarImage<3> mask(fine);
    for (Index o = 0; o < mask.voxel_count(); ++o) {
        const VecD<3> p = fine.physical(VecD<3>(fine.index_of(o)[0], fine.index_of(o)[1], fine.index_of(o)[2]));
        const VecD<3> ci = g.continuous_index(p);
        mask[o] = (ci.array() >= 5).all() && (ci.array() <= 19.2).all() ? 1.0f : 0.0f;
    }
    const JacobianSummary s = jacobian_summary(det, &mask);
    EXPECT_EQ(s.points, 15 * 15 * 15);
    EXPECT_EQ(s.folded, 1);
    EXPECT_DOUBLE_EQ(s.min, -0.5);
    EXPECT_DOUBLE_EQ(s.max, 3.0);
    EXPECT_DOUBLE_EQ(s.folded_fraction, 1.0 / (15 * 15 * 15));
    // Without a mask every voxel counts; pooling adds counts and keeps the extremes.
    const JacobianSummary all = jacobian_summary(det);
    EXPECT_EQ(all.points, g.voxel_count());
    EXPECT_EQ(all.folded, 2);
    JacobianSummary pooled = s;
    pooled += all;
    EXPECT_EQ(pooled.points, s.points + all.points);
    EXPECT_EQ(pooled.folded, 3);
    EXPECT_DOUBLE_EQ(pooled.min, -2.0);
    EXPECT_DOUBLE_EQ(pooled.folded_fraction, 3.0 / static_cast<double>(pooled.points));
}

TEST(JacobianSummary, OfASmoothExponentialHasNoFolds) {
    const Grid<3> g = grid();
    VectorField<3> v(g);
    for (Index o = 0; o < v.voxel_count(); ++o) {
        const Size<3> i = g.index_of(o);
        v[o] = Vec<3>(2.0f * std::sin(0.3f * static_cast<float>(i[0])), 0, 0);  // compresses and stretches
    }
    const JacobianSummary s = jacobian_summary(jacobian_determinant(exponential(v)));
    EXPECT_EQ(s.folded, 0);
    EXPECT_GT(s.min, 0.0);
    EXPECT_LT(s.min, 0.8);
    EXPECT_GT(s.max, 1.2);
}
