// Label fusion on made-up atlases whose right answer is known: majority voting with
// its tie rule, weighted voting that trusts the atlas resembling the target, joint
// label fusion that gives two atlases making the same error one vote between them,
// posteriors that sum to 1, and results that do not depend on the thread count.
#include "alinea/label_fusion.hpp"
#include "alinea/parallel.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace alinea;

namespace {

Grid<3> grid() { return Grid<3>::from_spacing({16, 14, 12}, VecD<3>(1, 1, 1)); }

ScalarImage<3> constant(float value) { return ScalarImage<3>(grid(), value); }

ScalarImage<3> noise(unsigned seed, float amplitude = 1) {
    ScalarImage<3> image(grid());
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0, amplitude);
    for (float& v : image.voxels()) v = 100 + n(rng);
    return image;
}

template <int D>
void expect_posteriors_sum_to_one(const FusedLabels<D>& f) {
    for (Index v = 0; v < f.labels.voxel_count(); ++v) {
        double sum = 0;
        for (int s = 0; s < f.slots; ++s) sum += f.slot_probability[v * f.slots + s];
        ASSERT_NEAR(sum, 1.0, 1e-5) << "voxel " << v;
    }
}

}  // namespace

TEST(LabelFusion, MajorityVotingCountsAndBreaksTiesTowardsTheSmallerLabel) {
    // Three atlases: at voxel 0 they vote 5, 5, 2 (5 wins); at voxel 1: 7, 3, 9 (a
    // three-way tie: 3 wins); elsewhere they all vote 4.
    std::vector<ScalarImage<3>> labels(3, constant(4));
    labels[0][0] = 5, labels[1][0] = 5, labels[2][0] = 2;
    labels[0][1] = 7, labels[1][1] = 3, labels[2][1] = 9;
    LabelFusionOptions o;
    o.method = FusionMethod::majority;
    const FusedLabels<3> f = fuse_labels<3>(constant(0), {}, labels, o);
    EXPECT_EQ(f.labels[0], 5);
    EXPECT_EQ(f.labels[1], 3);
    EXPECT_EQ(f.labels[2], 4);
    EXPECT_EQ(f.label_values, (std::vector<int>{0, 2, 3, 4, 5, 7, 9}));
    EXPECT_NEAR(f.posterior(4)[0], 2.0 / 3, 1e-6);  // label 5
    EXPECT_NEAR(f.posterior(1)[0], 1.0 / 3, 1e-6);  // label 2
    EXPECT_NEAR(f.posterior(3)[2], 1.0, 1e-6);      // label 4, unanimous
    EXPECT_EQ(f.fused_voxels, 0);
    expect_posteriors_sum_to_one(f);
}

TEST(LabelFusion, OutsideTheMaskIsBackground) {
    std::vector<ScalarImage<3>> labels(2, constant(4));
    ScalarImage<3> mask = constant(1);
    mask[5] = 0;
    LabelFusionOptions o;
    o.method = FusionMethod::majority;
    const FusedLabels<3> f = fuse_labels<3>(constant(0), {}, labels, o, &mask);
    EXPECT_EQ(f.labels[5], 0);
    EXPECT_EQ(f.labels[6], 4);
    EXPECT_NEAR(f.posterior(0)[5], 1.0, 1e-6);
    expect_posteriors_sum_to_one(f);
}

TEST(LabelFusion, WeightedVotingFollowsTheAtlasThatLooksLikeTheTarget) {
    // Two atlases disagree everywhere; the first one's image is the target's (with a
    // little noise), the second one's is unrelated texture.
    const ScalarImage<3> target = noise(1);
    ScalarImage<3> like = target;
    std::mt19937 rng(2);
    std::normal_distribution<float> n(0, 0.05f);
    for (float& v : like.voxels()) v += n(rng);
    const std::vector<ScalarImage<3>> images{noise(3), like};  // the good atlas second: no order bias
    const std::vector<ScalarImage<3>> labels{constant(1), constant(2)};
    for (const FusionMethod method : {FusionMethod::weighted, FusionMethod::joint}) {
        LabelFusionOptions o;
        o.method = method;
        const FusedLabels<3> f = fuse_labels<3>(target, images, labels, o);
        EXPECT_EQ(f.fused_voxels, target.voxel_count()) << to_string(method);
        Index followed = 0;
        for (const float v : f.labels.voxels()) followed += v == 2;
        EXPECT_EQ(followed, target.voxel_count()) << to_string(method);
        expect_posteriors_sum_to_one(f);
    }
}

TEST(LabelFusion, JointFusionGivesTwoAtlasesWithTheSameErrorOneVote) {
    // The target is texture. Atlases 1 and 2 are the same image, the target with errors
    // on the even voxels (x + y + z even), and vote label 1; atlas 3 has errors of the
    // same size on the odd voxels and votes label 2. Each atlas is as far from the
    // target as the others, so majority and weighted voting give label 1 two thirds of
    // the vote; joint fusion sees that 1 and 2 err together and weighs them as one.
    const ScalarImage<3> target = noise(7);
    ScalarImage<3> even = target, odd = target;
    std::mt19937 rng(8);
    std::normal_distribution<float> n(0, 1);
    for (Index v = 0; v < target.voxel_count(); ++v) {
        const Size<3> i = target.grid().index_of(v);
        ((i[0] + i[1] + i[2]) % 2 == 0 ? even : odd)[v] += 2 * n(rng);
    }
    const std::vector<ScalarImage<3>> images{even, even, odd};
    const std::vector<ScalarImage<3>> labels{constant(1), constant(1), constant(2)};
    LabelFusionOptions o;
    o.search_radius = 0;  // the errors are where they are: no search to dodge them
    o.method = FusionMethod::weighted;
    const FusedLabels<3> weighted = fuse_labels<3>(target, images, labels, o);
    o.method = FusionMethod::joint;
    const FusedLabels<3> joint = fuse_labels<3>(target, images, labels, o);
    // Label 2's share in the interior (away from the cut boxes at the border).
    auto interior_share = [&](const FusedLabels<3>& f) {
        const ScalarImage<3> p = f.posterior(2);
        double sum = 0;
        Index count = 0;
        for (Index v = 0; v < p.voxel_count(); ++v) {
            const Size<3> i = p.grid().index_of(v);
            if (i[0] < 3 || i[1] < 3 || i[2] < 3 || i[0] > 12 || i[1] > 10 || i[2] > 8) continue;
            sum += p[v];
            ++count;
        }
        return sum / static_cast<double>(count);
    };
    EXPECT_NEAR(interior_share(weighted), 1.0 / 3, 0.08);
    EXPECT_GT(interior_share(joint), 0.42);  // about one half: the pair shares one vote
    EXPECT_LT(interior_share(joint), 0.55);
    expect_posteriors_sum_to_one(joint);
}

TEST(LabelFusion, ConsensusSkipsTheFusionWhereEnoughAtlasesAgree) {
    const ScalarImage<3> target = noise(4);
    std::vector<ScalarImage<3>> images{noise(5), noise(6), noise(7), noise(8)};
    std::vector<ScalarImage<3>> labels(4, constant(3));
    labels[3][10] = 6;  // three of four agree at voxel 10
    labels[2][20] = 6, labels[3][20] = 6;  // two of four at voxel 20
    LabelFusionOptions o;
    EXPECT_EQ(fuse_labels<3>(target, images, labels, o).fused_voxels, 2);
    o.consensus = 0.75;
    const FusedLabels<3> f = fuse_labels<3>(target, images, labels, o);
    EXPECT_EQ(f.fused_voxels, 1);
    EXPECT_EQ(f.labels[10], 3);
}

TEST(LabelFusion, SameResultForOneAndTwoThreads) {
    const ScalarImage<3> target = noise(11);
    std::vector<ScalarImage<3>> images, labels;
    for (unsigned a = 0; a < 4; ++a) {
        images.push_back(noise(20 + a, 3));
        ScalarImage<3> l(grid());
        for (Index v = 0; v < l.voxel_count(); ++v) l[v] = static_cast<float>((v / (7 + a)) % 3);
        labels.push_back(l);
    }
    LabelFusionOptions o;
    set_thread_count(1);
    const FusedLabels<3> one = fuse_labels<3>(target, images, labels, o);
    set_thread_count(2);
    const FusedLabels<3> two = fuse_labels<3>(target, images, labels, o);
    set_thread_count(0);
    EXPECT_EQ(one.slot_probability, two.slot_probability);
    for (Index v = 0; v < one.labels.voxel_count(); ++v) ASSERT_EQ(one.labels[v], two.labels[v]);
}

TEST(LabelFusion, BadInputsAreClearErrors) {
    std::vector<ScalarImage<3>> labels(2, constant(1));
    LabelFusionOptions o;
    EXPECT_THROW(fuse_labels<3>(constant(0), {}, labels, o), Error);  // jlf needs images
    labels[1][3] = -2;
    o.method = FusionMethod::majority;
    EXPECT_THROW(fuse_labels<3>(constant(0), {}, labels, o), Error);
    o.consensus = 0;
    EXPECT_THROW(o.validate(), Error);
    EXPECT_THROW(parse_fusion_method("staple"), Error);
}

TEST(LabelFusion, TwoDimensionsFollowTheAtlasThatIsTheTarget) {
    // (An optimiser-dependent indexing fault once made 2-D joint fusion vote at random.)
    const Grid<2> g = Grid<2>::from_spacing({20, 16}, VecD<2>(1, 1));
    ScalarImage<2> target(g), other(g);
    std::mt19937 rng(1);
    std::normal_distribution<float> n(0, 1);
    for (float& v : target.voxels()) v = 100 + n(rng);
    for (float& v : other.voxels()) v = 100 + n(rng);
    const std::vector<ScalarImage<2>> images{other, target};
    const std::vector<ScalarImage<2>> labels{ScalarImage<2>(g, 1), ScalarImage<2>(g, 2)};
    for (const int search : {0, 3})
        for (const FusionMethod method : {FusionMethod::weighted, FusionMethod::joint}) {
            LabelFusionOptions o;
            o.method = method;
            o.search_radius = search;
            const FusedLabels<2> f = fuse_labels<2>(target, images, labels, o);
            Index followed = 0;
            for (const float v : f.labels.voxels()) followed += v == 2;
            EXPECT_EQ(followed, target.voxel_count()) << to_string(method) << " search " << search;
            expect_posteriors_sum_to_one(f);
        }
}
