// Recovery of known transforms on real images: the ITK example slices with their
// documented shifts, the peer project's rigid phantoms (SSD, NCC, and MI with swapped
// intensities), and the Colin27 brain under a random affine with noise, a bias field
// and (for MI) a non-monotonic intensity remapping. Accuracy in mm and Dice.
#include "alinea/evaluate.hpp"
#include "alinea/image_io.hpp"
#include "alinea/linear_registration.hpp"
#include "alinea/pyramid.hpp"
#include "alinea/resample.hpp"
#include "alinea/transform_file.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <filesystem>
#include <random>

using namespace alinea;

namespace {

const std::string itk_data = "/usr/share/doc/insighttoolkit5-examples/examples/Data/";
const std::string peer_data = std::string(ALINEA_SOURCE_DIR) + "/../shared/peer-data/greedy/";
const std::string colin = "/usr/share/mricron/templates/ch2bet.nii.gz";

LinearStage stage(LinearModel model, const std::string& metric) {
    LinearStage s;
    s.model = model;
    s.metric = parse_metric(metric);
    return s;
}

template <int D>
Affine<D> run(const ScalarImage<D>& fixed, const ScalarImage<D>& moving, std::vector<LinearStage> stages,
              const Affine<D>& initial = {}) {
    return register_linear(RegistrationImages<D>{fixed, moving}, stages, initial);
}

template <int D>
TransformChain<D> chain(const Affine<D>& a) {
    TransformChain<D> c;
    c.then(a);
    return c;
}

// Mean distance (mm) between two affine maps over the voxels of `image` above zero.
template <int D>
double mean_error(const Affine<D>& found, const Affine<D>& truth, const ScalarImage<D>& image) {
    ScalarImage<D> mask = image;
    for (float& v : mask.voxels()) v = v > 0 ? 1.0f : 0.0f;
    return transform_error(chain(found), chain(truth), mask).mean;
}

}  // namespace

TEST(Recovery, ItkSliceTranslationWithSsd) {
    const ScalarImage<2> fixed = read_image<2>(itk_data + "BrainProtonDensitySliceBorder20.png");
    const ScalarImage<2> moving = read_image<2>(itk_data + "BrainProtonDensitySliceShifted13x17y.png");
    const Affine<2> found = run(fixed, moving, {stage(LinearModel::translation, "ssd")});
    EXPECT_LT((found.offset - VecD<2>(13, 17)).norm(), 0.1) << found.offset.transpose();
    EXPECT_LT((found.matrix - MatD<2>::Identity()).norm(), 1e-12);
}

TEST(Recovery, ItkSliceMultiModalTranslationWithMi) {
    const ScalarImage<2> fixed = read_image<2>(itk_data + "BrainT1SliceBorder20.png");
    const ScalarImage<2> moving = read_image<2>(itk_data + "BrainProtonDensitySliceShifted13x17y.png");
    const Affine<2> found = run(fixed, moving, {stage(LinearModel::translation, "mi")});
    EXPECT_LT((found.offset - VecD<2>(13, 17)).norm(), 0.2) << found.offset.transpose();
}

TEST(Recovery, ItkSliceRigidWithSsd) {
    // The pair was made by rotating the fixed slice 10 degrees and shifting it; ITK's
    // Software Guide (ImageRegistration5, Euler2D about the fixed image's centre, mean
    // squares) reports its registration as angle 0.174582 rad and translation
    // (13.0002, 16.0007) mm: x -> R (x - c) + c + t, fixed to moving, as Alinea's
    // affine maps (PNG: unit spacing, zero origin, as ITK reads it).
    const ScalarImage<2> fixed = read_image<2>(itk_data + "BrainProtonDensitySliceBorder20.png");
    const ScalarImage<2> moving = read_image<2>(itk_data + "BrainProtonDensitySliceR10X13Y17.png");
    const Affine<2> found = run(fixed, moving, {stage(LinearModel::rigid, "ssd")});
    const double angle = std::atan2(found.matrix(1, 0), found.matrix(0, 0));
    EXPECT_NEAR(angle, 0.174582, 0.2 * M_PI / 180) << angle * 180 / M_PI << " degrees";
    VecD<2> centre;
    for (int a = 0; a < 2; ++a) centre[a] = (fixed.grid().size(a) - 1) / 2.0;  // ITK's geometric centre (GeometryOn)
    const VecD<2> translation = found(centre) - centre;
    EXPECT_LT((translation - VecD<2>(13.0002, 16.0007)).norm(), 0.3) << translation.transpose();
}

class PhantomRecovery : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(PhantomRecovery, RigidTransformAndLabelOverlap) {
    const auto& [phantom, metric] = GetParam();
    if (!std::filesystem::exists(peer_data)) GTEST_SKIP() << "no peer data at " << peer_data;
    const ScalarImage<3> fixed = read_image<3>(peer_data + phantom + "_fixed.nii.gz");
    const ScalarImage<3> moving = read_image<3>(peer_data + phantom + "_moving.nii.gz");
    // The peer convention: moving(x) = fixed(M x), so fixed -> moving is M^-1.
    const Affine<3> truth = read_ras_matrix<3>(peer_data + "phantom01_rigid.mat").inverse();
    const Affine<3> found = run(fixed, moving, {stage(LinearModel::rigid, metric)}, Affine<3>{});
    EXPECT_LT(mean_error(found, truth, fixed), 0.5) << metric;
    // The peer's score: the label image resliced through truth^-1 ∘ found overlaps itself.
    const ScalarImage<3> source = read_image<3>(peer_data + "phantom01_source.nii.gz");
    const ScalarImage<3> round_trip =
        resample(source, source.grid(), truth.inverse().after(found), Interpolation::label);
    EXPECT_GT(label_overlap(source, round_trip).mean, 0.95) << metric;
}

INSTANTIATE_TEST_SUITE_P(Peer, PhantomRecovery,
                         ::testing::Values(std::pair{"phantom01", "ssd"}, std::pair{"phantom01", "ncc"},
                                           std::pair{"phantom02", "mi"}),
                         [](const auto& info) { return info.param.first + "_" + info.param.second; });

namespace {

// Colin27 at 2 mm (fast enough for a test) and a copy under a random affine, with
// Gaussian noise and a smooth multiplicative bias field; optionally remapped.
struct BrainCase {
    ScalarImage<3> fixed, moving;
    Affine<3> truth;  // fixed -> moving
};

BrainCase brain_case(unsigned seed, bool remap) {
    BrainCase c;
    c.fixed = pyramid_level(read_image<3>(colin), 2, 1.0);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(-1, 1);
    const double deg = M_PI / 180;
    const MatD<3> rotation = (Eigen::AngleAxisd(15 * deg * u(rng), VecD<3>::UnitZ()) *
                              Eigen::AngleAxisd(15 * deg * u(rng), VecD<3>::UnitY()) *
                              Eigen::AngleAxisd(15 * deg * u(rng), VecD<3>::UnitX()))
                                 .toRotationMatrix();
    const VecD<3> scale(1 + 0.1 * u(rng), 1 + 0.1 * u(rng), 1 + 0.1 * u(rng));
    MatD<3> shear = MatD<3>::Identity();
    shear(0, 1) = 0.05 * u(rng);
    c.truth.matrix = rotation * scale.asDiagonal() * shear;
    const VecD<3> centre = c.fixed.grid().center();
    c.truth.offset = centre - c.truth.matrix * centre + VecD<3>(5 * u(rng), 5 * u(rng), 5 * u(rng));
    // moving(y) = fixed(truth^-1 y)
    c.moving = resample(c.fixed, c.fixed.grid(), c.truth.inverse(), Interpolation::bspline);
    std::normal_distribution<float> noise(0, 2.0f);
    const Grid<3>& g = c.moving.grid();
    for (Index i = 0; i < c.moving.voxel_count(); ++i) {
        const Size<3> idx = g.index_of(i);
        const double bias = std::exp(0.15 * (idx[0] / double(g.size(0)) - 0.5) + 0.1 * (idx[2] / double(g.size(2)) - 0.5));
        float v = static_cast<float>(std::max(0.0f, c.moving[i]) * bias);
        if (remap) v = 80 + 60 * std::sin(v / 25.0f);  // non-monotonic: a "different contrast"
        c.moving[i] = v + noise(rng);
    }
    return c;
}

}  // namespace

TEST(Recovery, ColinUnderRandomAffineWithNcc) {
    const BrainCase c = brain_case(11, false);
    const Affine<3> found =
        run(c.fixed, c.moving, {stage(LinearModel::rigid, "ncc"), stage(LinearModel::affine, "ncc")});
    EXPECT_LT(mean_error(found, c.truth, c.fixed), 0.1);
}

TEST(Recovery, ColinUnderRandomAffineWithMiAfterRemapping) {
    const BrainCase c = brain_case(12, true);
    const Affine<3> found = run(c.fixed, c.moving, {stage(LinearModel::rigid, "mi"), stage(LinearModel::affine, "mi")});
    EXPECT_LT(mean_error(found, c.truth, c.fixed), 0.2);
}

TEST(Recovery, SameResultWithOneAndTwoThreads) {
    const ScalarImage<2> fixed = read_image<2>(itk_data + "BrainT1SliceBorder20.png");
    const ScalarImage<2> moving = read_image<2>(itk_data + "BrainProtonDensitySliceR10X13Y17.png");
    const int threads = omp_get_max_threads();
    for (const char* metric : {"mi", "lncc:radius=2", "ncc"}) {
        omp_set_num_threads(1);
        const Affine<2> one = run(fixed, moving, {stage(LinearModel::affine, metric)});
        omp_set_num_threads(2);
        const Affine<2> two = run(fixed, moving, {stage(LinearModel::affine, metric)});
        EXPECT_EQ(one.matrix, two.matrix) << metric;  // bitwise
        EXPECT_EQ(one.offset, two.offset) << metric;
    }
    omp_set_num_threads(threads);
}

TEST(Recovery, MovingGridVariantOnColinAndTheItkSlice) {
    const BrainCase c = brain_case(13, false);
    LinearStage rigid = stage(LinearModel::rigid, "ncc"), affine = stage(LinearModel::affine, "ncc");
    const double standard = mean_error(run(c.fixed, c.moving, {rigid, affine}), c.truth, c.fixed);
    rigid.space = affine.space = LinearStage::Space::moving;
    const double variant = mean_error(run(c.fixed, c.moving, {rigid, affine}), c.truth, c.fixed);
    std::printf("mean error: standard %.4f mm, moving-grid variant %.4f mm\n", standard, variant);
    // The variant's gradient leaves out the dependence of the pulled-back fixed image
    // on theta, so with noise and bias its optimum sits a little off the standard
    // one (measured here: 0.096 vs 0.106 mm on 2 mm voxels); without noise it is as
    // accurate (0.009 mm on the 1 mm example). It must stay close to the standard.
    EXPECT_LT(standard, 0.1);
    EXPECT_LT(variant, 1.2 * standard + 0.01);

    const ScalarImage<2> fixed = read_image<2>(itk_data + "BrainProtonDensitySliceBorder20.png");
    const ScalarImage<2> moving = read_image<2>(itk_data + "BrainProtonDensitySliceShifted13x17y.png");
    LinearStage translation = stage(LinearModel::translation, "ssd");
    translation.space = LinearStage::Space::moving;
    const Affine<2> found = run(fixed, moving, {translation});
    EXPECT_LT((found.offset - VecD<2>(13, 17)).norm(), 0.1) << found.offset.transpose();
}
