// Badly misaligned inputs: a slice rotated by 100 degrees is out of reach of a local
// optimiser from the identity, and within reach after the rotation search.
#include "alinea/image_io.hpp"
#include "alinea/linear_registration.hpp"
#include "alinea/resample.hpp"
#include "alinea/rotation_search.hpp"

#include <gtest/gtest.h>

using namespace alinea;

namespace {
double angle_degrees(const MatD<2>& m) { return std::atan2(m(1, 0), m(0, 0)) * 180 / M_PI; }
}  // namespace

TEST(RotationSearch, RecoversALargeRotation) {
    const ScalarImage<2> fixed =
        read_image<2>("/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainProtonDensitySliceBorder20.png");
    Affine<2> truth;  // fixed -> moving: 100 degrees about the centre, and a shift
    truth.matrix = Eigen::Rotation2Dd(100 * M_PI / 180).toRotationMatrix();
    const VecD<2> c = fixed.grid().center();
    truth.offset = c - truth.matrix * c + VecD<2>(6, -4);
    const ScalarImage<2> moving = resample(fixed, fixed.grid(), truth.inverse(), Interpolation::linear);
    const RegistrationImages<2> images{fixed, moving};
    LinearStage rigid;
    rigid.model = LinearModel::rigid;
    rigid.metric = parse_metric("mi");

    const Affine<2> start = search_rotations(images, RotationSearch{});
    EXPECT_LT(std::abs(angle_degrees(start.matrix) - 100), 20);
    const Affine<2> found = register_linear(images, {rigid}, start);
    EXPECT_NEAR(angle_degrees(found.matrix), 100, 0.5);
    EXPECT_LT((found.offset - truth.offset).norm(), 0.5);
    // Without the search the optimiser stays far from the answer.
    const Affine<2> local = register_linear(images, {rigid}, Affine<2>{});
    EXPECT_GT(std::abs(angle_degrees(local.matrix) - 100), 30);
}
