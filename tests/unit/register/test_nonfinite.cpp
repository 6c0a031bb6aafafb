// Non-finite voxels are missing data: NaN and inf voxels in the fixed or the moving
// image take no part in any metric, model, sample space or initialisation; the
// registration still recovers the known shift and every output is finite. (Local NCC
// starts from the centres of mass: its basin is too small for the 21 mm shift alone.)
#include "alinea/image_io.hpp"
#include "alinea/registration.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace alinea;

namespace {

const std::string itk_data = "/usr/share/doc/insighttoolkit5-examples/examples/Data/";

// The ITK slice pair shifted by (13, 17) mm, with a block of NaN in the moving image
// and blocks of +inf and -inf in the fixed one (inside the head, not in the border).
struct Pair {
    ScalarImage<2> fixed = read_image<2>(itk_data + "BrainProtonDensitySliceBorder20.png");
    ScalarImage<2> moving = read_image<2>(itk_data + "BrainProtonDensitySliceShifted13x17y.png");
    Pair() {
        constexpr float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
        for (Index y = 100; y < 120; ++y)
            for (Index x = 90; x < 110; ++x) moving.at({x, y}) = nan;
        for (Index y = 60; y < 70; ++y)
            for (Index x = 120; x < 130; ++x) fixed.at({x, y}) = inf;
        for (Index y = 150; y < 155; ++y)
            for (Index x = 60; x < 70; ++x) fixed.at({x, y}) = -inf;
    }
};

bool all_finite(const VectorField<2>& field) {
    for (const Vec<2>& v : field.voxels())
        if (!v.allFinite()) return false;
    return true;
}

}  // namespace

class NonFinite : public testing::TestWithParam<std::string> {};

TEST_P(NonFinite, VoxelsAreMissingDataForEveryModelAndSampleSpace) {
    const Pair pair;
    const std::string metric = GetParam();
    for (const std::string& stages :
         {"--init mass --transform translation --metric " + metric,
          "--init mass --transform rigid --metric " + metric + " --space moving",
          "--init search --transform rigid --metric " + metric,
          "--init moments --transform rigid --metric " + metric,
          "--transform translation --metric ssd --transform diffeo --metric " + metric + " --iterations 10x5x2",
          "--transform translation --metric ssd --transform greedy --metric " + metric + " --iterations 10x5x2",
          "--transform translation --metric ssd --transform bspline --metric " + metric + " --iterations 10x5x2"}) {
        SCOPED_TRACE(stages);
        if (metric.rfind("lncc", 0) == 0 && stages.find("--space moving") != std::string::npos) continue;  // dense only
        const RegistrationResult<2> r =
            register_images(RegistrationInputs<2>{pair.fixed, pair.moving}, parse_registration_plan(stages));
        EXPECT_EQ(r.nonfinite_fixed, 150);
        EXPECT_EQ(r.nonfinite_moving, 400);
        ASSERT_TRUE(r.affine.matrix.allFinite() && r.affine.offset.allFinite());
        EXPECT_LT((r.affine.offset - VecD<2>(13, 17)).norm(), 0.5) << r.affine.offset.transpose();
        if (r.deformation) {
            EXPECT_TRUE(all_finite(r.deformation->warp));
            EXPECT_TRUE(all_finite(r.deformation->inverse_warp));
        }
        for (const StageReport& s : r.stages)
            for (const LevelReport& l : s.levels) EXPECT_TRUE(std::isfinite(l.result.value));
    }
}

INSTANTIATE_TEST_SUITE_P(Metrics, NonFinite, testing::Values("ssd", "ncc", "lncc:radius=2", "mi"),
                         [](const testing::TestParamInfo<std::string>& p) {
                             return p.param.substr(0, p.param.find(':'));
                         });

TEST(NonFiniteImages, WithoutAFiniteVoxelAreAnError) {
    const Pair pair;
    ScalarImage<2> empty = pair.moving;
    for (float& v : empty.voxels()) v = std::numeric_limits<float>::quiet_NaN();
    EXPECT_EQ(count_nonfinite(empty), empty.voxel_count());
    EXPECT_THROW(register_images(RegistrationInputs<2>{pair.fixed, empty}, parse_registration_plan("--transform rigid")),
                 Error);
}
