// `alinea apply` against the library: the program must resample exactly as resample()
// does, and must compose `-t A -t B` in ANTs' order (a reference point goes through
// the first listed first: x -> B(A(x)), as `-t warp -t affine` is affine(warp(x))).
#include "alinea/nifti.hpp"
#include "alinea/resample_chain.hpp"
#include "alinea/transform_file.hpp"

#include "unit/test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

using namespace alinea;
using namespace alinea::test;
namespace fs = std::filesystem;

namespace {

double blob(const VecD<3>& p) {
    return 100 * std::exp(-(p - VecD<3>(3, -2, 4)).squaredNorm() / 200.0) + 20 * std::cos(0.15 * p[0] + 0.1 * p[2]);
}

class ApplyEquivalence : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("alinea_apply_equivalence_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        // Input: an oblique, anisotropic 3-D image of a smooth function.
        const Grid<3> in_grid = Grid<3>::from_spacing({26, 22, 18}, VecD<3>(1.5, 1.25, 2.0), VecD<3>(-18, -14, -16),
                                                      rotation(0.3, VecD<3>(1, 0, 1)));
        ScalarImage<3> input(in_grid);
        for (Index o = 0; o < input.voxel_count(); ++o) {
            const Size<3> i = in_grid.index_of(o);
            input[o] = static_cast<float>(blob(in_grid.physical(VecD<3>(double(i[0]), double(i[1]), double(i[2])))));
        }
        // Reference: another grid over the same region.
        const Grid<3> ref_grid = Grid<3>::from_spacing({20, 24, 16}, VecD<3>(1.4, 1.1, 1.6), VecD<3>(-12, -13, -11),
                                                       rotation(-0.2, VecD<3>(0, 1, 1)));
        write_nifti(path("input.nii.gz"), input);
        write_nifti(path("reference.nii"), ScalarImage<3>(ref_grid, 1.0f));
        // Compare with the images as the program sees them (NIfTI stores float sforms).
        input_ = read_nifti_scalar<3>(path("input.nii.gz"));
        reference_grid_ = read_nifti_scalar<3>(path("reference.nii")).grid();
        ASSERT_TRUE(reference_grid_.same_as(ref_grid, 1e-4));

        // Two transforms that do not commute.
        a_.matrix = rotation(0.2, VecD<3>(0, 0, 1));
        a_.offset = VecD<3>(2.0, -1.0, 0.5);
        b_.matrix = VecD<3>(1.1, 0.9, 1.0).asDiagonal();
        b_.matrix(0, 2) = 0.1;
        b_.offset = VecD<3>(-1.5, 0.0, 2.0);
        write_itk_transform(path("a.txt"), a_);
        write_itk_transform(path("b.txt"), b_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    // Runs `alinea apply` and returns the output image (fails the test on a non-zero exit).
    ScalarImage<3> apply(const std::string& transforms, const std::string& output) {
        const std::string command = std::string("'") + ALINEA_BINARY + "' apply -r '" + path("reference.nii") +
                                    "' -i '" + path("input.nii.gz") + "' -o '" + path(output) + "' " + transforms +
                                    " > '" + path("log.txt") + "' 2>&1";
        const int status = std::system(command.c_str());
        EXPECT_EQ(status, 0) << command;
        return read_nifti_scalar<3>(path(output));
    }

    // Largest difference over the voxels whose source point lies well inside the input.
    double max_difference(const ScalarImage<3>& x, const ScalarImage<3>& y, const Affine<3>& map) const {
        EXPECT_TRUE(x.grid().same_as(reference_grid_, 1e-6));
        double worst = 0;
        Index compared = 0;
        for (Index o = 0; o < x.voxel_count(); ++o) {
            const Size<3> i = reference_grid_.index_of(o);
            const VecD<3> ci = input_.grid().continuous_index(
                map(reference_grid_.physical(VecD<3>(double(i[0]), double(i[1]), double(i[2])))));
            bool inside = true;
            for (int a = 0; a < 3; ++a) inside &= ci[a] > 0.5 && ci[a] < static_cast<double>(input_.size()[a]) - 1.5;
            if (!inside) continue;
            ++compared;
            worst = std::max(worst, std::abs(double(x[o]) - y[o]));
        }
        EXPECT_GT(compared, x.voxel_count() / 3);
        return worst;
    }

    fs::path dir_;
    ScalarImage<3> input_;
    Grid<3> reference_grid_;
    Affine<3> a_, b_;
};

}  // namespace

TEST_F(ApplyEquivalence, OneAffineMatchesResample) {
    const ScalarImage<3> out = apply("-t '" + path("a.txt") + "'", "out_a.nii.gz");
    const ScalarImage<3> direct = resample(input_, reference_grid_, a_, Interpolation::linear);
    EXPECT_LT(max_difference(out, direct, a_), 1e-4);
    // The inverse map gives something else: the test can tell the direction apart.
    const ScalarImage<3> wrong = resample(input_, reference_grid_, a_.inverse(), Interpolation::linear);
    EXPECT_GT(max_difference(out, wrong, a_), 1.0);
}

TEST_F(ApplyEquivalence, NoTransformIsTheIdentity) {
    const ScalarImage<3> out = apply("", "out_identity.nii");
    const ScalarImage<3> direct = resample(input_, reference_grid_, Affine<3>::identity(), Interpolation::linear);
    EXPECT_LT(max_difference(out, direct, Affine<3>::identity()), 1e-4);
}

TEST_F(ApplyEquivalence, TwoTransformsComposeInAntsOrder) {
    // `-t B -t A`: B acts first on the reference point, then A: x -> A(B(x)).
    const ScalarImage<3> out = apply("-t '" + path("b.txt") + "' -t '" + path("a.txt") + "'", "out_ab.nii.gz");
    const Affine<3> a_after_b = a_.after(b_);
    ASSERT_LT((a_after_b(VecD<3>(1, 2, 3)) - a_(b_(VecD<3>(1, 2, 3)))).norm(), 1e-12);
    const ScalarImage<3> direct = resample(input_, reference_grid_, a_after_b, Interpolation::linear);
    EXPECT_LT(max_difference(out, direct, a_after_b), 1e-4);
    // Through a TransformChain as well (steps()[0] acts first).
    TransformChain<3> chain;
    chain.then(b_);
    chain.then(a_);
    const ScalarImage<3> via_chain = resample(input_, reference_grid_, chain, Interpolation::linear);
    EXPECT_LT(max_difference(out, via_chain, a_after_b), 1e-4);
    // The other order is a different map and a visibly different image.
    const ScalarImage<3> other = resample(input_, reference_grid_, b_.after(a_), Interpolation::linear);
    EXPECT_GT(max_difference(out, other, a_after_b), 1.0);

    // Listing them the other way round gives B(A(x)).
    const ScalarImage<3> out_ba = apply("-t '" + path("a.txt") + "' -t '" + path("b.txt") + "'", "out_ba.nii.gz");
    EXPECT_LT(max_difference(out_ba, other, b_.after(a_)), 1e-4);
}

TEST_F(ApplyEquivalence, BracketOneAppliesTheInverse) {
    // ANTs' `-t [A,1]`: the inverse of A, here after B: x -> A^-1(B(x)).
    const ScalarImage<3> out =
        apply("-t '" + path("b.txt") + "' -t '[" + path("a.txt") + ",1]'", "out_inverse.nii.gz");
    const Affine<3> map = a_.inverse().after(b_);
    const ScalarImage<3> direct = resample(input_, reference_grid_, map, Interpolation::linear);
    EXPECT_LT(max_difference(out, direct, map), 1e-4);
    const ScalarImage<3> forward = resample(input_, reference_grid_, a_.after(b_), Interpolation::linear);
    EXPECT_GT(max_difference(out, forward, map), 1.0);
}
