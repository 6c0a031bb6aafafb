// The simulated registration problem must have the answer it claims: the truth chain
// (warp acting first, then the affine, as `-t warp -t affine` reads) maps the moving
// image back onto the fixed one, the inverse chain undoes the truth, the written files
// mean the same chain, and a seed gives the same bytes for any thread count.
#include "alinea/displacement.hpp"
#include "alinea/transform_chain_file.hpp"
#include "alinea/nifti.hpp"
#include "alinea/resample_chain.hpp"
#include "alinea/simulate.hpp"
#include "alinea/parallel.hpp"
#include "alinea/transform_file.hpp"

#include "unit/test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>
#include <unistd.h>

using namespace alinea;
using namespace alinea::test;
namespace fs = std::filesystem;

namespace {

Grid<3> test_grid() {
    return Grid<3>::from_spacing({64, 60, 48}, VecD<3>(1.5, 1.6, 1.8), VecD<3>(-40, -50, -30),
                                 Eigen::AngleAxisd(0.2, VecD<3>(1, 2, 0.5).normalized()).toRotationMatrix());
}

// A smooth "anatomy" (so that linear interpolation adds little error) inside the grid,
// zero background near the border, and labels that follow it.
ScalarImage<3> smooth_phantom(const Grid<3>& grid) {
    ScalarImage<3> image(grid);
    const VecD<3> c = grid.center();
    for (Index o = 0; o < image.voxel_count(); ++o) {
        const VecD<3> p = grid.physical(voxel_index(grid, o)) - c;
        const double r = (p.array() / VecD<3>(30, 28, 24).array()).matrix().norm();
        const double inside = 0.5 * (1 - std::tanh((r - 1) * 4));
        image[o] = static_cast<float>(100 * inside * (1 + 0.4 * std::sin(0.15 * p[0]) * std::cos(0.12 * p[1] + 0.1 * p[2])));
    }
    return image;
}

ScalarImage<3> phantom_labels(const Grid<3>& grid) {
    ScalarImage<3> labels(grid);
    const VecD<3> c = grid.center();
    for (Index o = 0; o < labels.voxel_count(); ++o) {
        const VecD<3> p = grid.physical(voxel_index(grid, o)) - c;
        const double r = (p.array() / VecD<3>(30, 28, 24).array()).matrix().norm();
        labels[o] = r > 1 ? 0.0f : static_cast<float>(1 + (p[0] > 0) + 2 * (p[1] > 0) + 4 * (p[2] > 5));
    }
    return labels;
}

SimulationOptions all_options(std::uint64_t seed) {
    SimulationOptions o;
    o.seed = seed;
    o.rotation = 10;
    o.scale = 0.08;
    o.shear = 0.05;
    o.translation = 5;
    o.deformation = 4;
    o.smoothness = 10;
    return o;
}

bool inside_with_margin(const Grid<3>& grid, const VecD<3>& point, double margin) {
    const VecD<3> ci = grid.continuous_index(point);
    for (int a = 0; a < 3; ++a)
        if (ci[a] < margin || ci[a] > static_cast<double>(grid.size(a) - 1) - margin) return false;
    return true;
}

template <class T, int D>
bool bitwise_equal(const Image<T, D>& a, const Image<T, D>& b) {
    return a.voxel_count() == b.voxel_count() &&
           std::memcmp(a.data(), b.data(), sizeof(T) * static_cast<size_t>(a.voxel_count())) == 0;
}

// Mean |moving(chain(x)) - fixed(x)| over voxels whose image lies well inside the grid.
double mean_mismatch(const ScalarImage<3>& fixed, const ScalarImage<3>& moving, const TransformChain<3>& chain) {
    const ScalarImage<3> back = resample(moving, fixed.grid(), chain, Interpolation::linear);
    double sum = 0;
    Index n = 0;
    for (Index o = 0; o < fixed.voxel_count(); ++o) {
        const VecD<3> x = fixed.grid().physical(voxel_index(fixed.grid(), o));
        if (!inside_with_margin(fixed.grid(), chain(x), 2)) continue;
        sum += std::abs(back[o] - fixed[o]);
        ++n;
    }
    return sum / static_cast<double>(std::max<Index>(n, 1));
}

struct ThreadCount {
    explicit ThreadCount(int n) : saved(omp_get_max_threads()) { set_thread_count(n); }
    ~ThreadCount() { set_thread_count(saved); }
    int saved;
};

}  // namespace

TEST(Simulate, InverseChainUndoesTheTruth) {
    const Grid<3> grid = test_grid();
    const Simulation<3> sim = simulate(smooth_phantom(grid), all_options(3));
    ASSERT_FALSE(sim.warp.empty());
    const TransformChain<3> truth = sim.truth(), back = sim.inverse();
    const double voxel = grid.spacing().minCoeff();
    double forward_sum = 0, backward_sum = 0;
    Index n = 0;
    for (Index o = 0; o < grid.voxel_count(); o += 7) {
        const VecD<3> x = grid.physical(voxel_index(grid, o));
        forward_sum += (back(truth(x)) - x).norm();
        backward_sum += (truth(back(x)) - x).norm();
        ++n;
    }
    EXPECT_LT(forward_sum / static_cast<double>(n), 0.05 * voxel);
    EXPECT_LT(backward_sum / static_cast<double>(n), 0.05 * voxel);
}

TEST(Simulate, TruthMapsTheMovingImageBackOntoTheFixedImage) {
    const Grid<3> grid = test_grid();
    const ScalarImage<3> fixed = smooth_phantom(grid);
    const Simulation<3> sim = simulate(fixed, all_options(11));
    const double right = mean_mismatch(fixed, sim.moving, sim.truth());
    EXPECT_LT(right, 0.3) << "intensities up to 140";
    // The other order of the same two transforms, W(A(x)), is visibly wrong: the test
    // can tell the orders apart (what remains for the right order is mostly the
    // smoothing of two linear interpolations).
    TransformChain<3> wrong;
    wrong.then(sim.affine);
    wrong.then(DisplacementField<3>{sim.warp});
    EXPECT_GT(mean_mismatch(fixed, sim.moving, wrong), 3 * right);
    // And without the warp as well.
    TransformChain<3> affine_only;
    affine_only.then(sim.affine);
    EXPECT_GT(mean_mismatch(fixed, sim.moving, affine_only), 3 * right);
}

TEST(Simulate, WrittenFilesReadBackAsTheTruthInAntsOrder) {
    const Grid<3> grid = test_grid();
    const Simulation<3> sim = simulate(smooth_phantom(grid), all_options(5));
    const fs::path dir = fs::temp_directory_path() / ("alinea_simulate_" + std::to_string(getpid()));
    fs::create_directories(dir);
    const std::string warp = (dir / "true_warp.nii.gz").string(), affine = (dir / "true_affine.txt").string();
    write_nifti(warp, sim.warp);
    write_itk_transform(affine, sim.affine);
    const TransformChain<3> read = read_transform_chain<3>({warp, affine});
    const TransformChain<3> truth = sim.truth();
    double worst = 0;
    for (Index o = 0; o < grid.voxel_count(); o += 5) {
        const VecD<3> x = grid.physical(voxel_index(grid, o));
        worst = std::max(worst, (read(x) - truth(x)).norm());
    }
    fs::remove_all(dir);
    EXPECT_LT(worst, 1e-4);
}

TEST(Simulate, WarpHasTheRequestedSizeIsDiffeomorphicAndVanishesAtTheBorder) {
    const Grid<3> grid = test_grid();
    const Simulation<3> sim = simulate(smooth_phantom(grid), all_options(21));
    EXPECT_NEAR(max_norm(sim.warp), 4.0, 0.15);
    EXPECT_NEAR(max_norm(sim.inverse_warp), 4.0, 0.4);
    const ScalarImage<3> det = jacobian_determinant(sim.warp);
    for (Index o = 0; o < det.voxel_count(); ++o) ASSERT_GT(det[o], 0.0f);
    for (Index o = 0; o < grid.voxel_count(); ++o) {
        const Size<3> i = grid.index_of(o);
        const bool face = i[0] == 0 || i[1] == 0 || i[2] == 0 || i[0] == grid.size(0) - 1 ||
                          i[1] == grid.size(1) - 1 || i[2] == grid.size(2) - 1;
        if (face) {
            ASSERT_LT(sim.warp[o].norm(), 1e-4f);
        }
    }
    // Without --deformation, no warp.
    SimulationOptions o = all_options(21);
    o.deformation = 0;
    const Simulation<3> affine_only = simulate(smooth_phantom(grid), o);
    EXPECT_TRUE(affine_only.warp.empty());
    EXPECT_EQ(affine_only.truth().steps().size(), 1u);
}

TEST(Simulate, AffineParametersStayInTheirRanges) {
    const Grid<3> grid = test_grid();
    const ScalarImage<3> fixed = smooth_phantom(grid);
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        SimulationOptions o = all_options(seed);
        o.deformation = 0;
        const Simulation<3> sim = simulate(fixed, o);
        const AffineParameters<3>& p = sim.parameters;
        ASSERT_EQ(p.angles.size(), 3u);
        ASSERT_EQ(p.shears.size(), 3u);
        for (double a : p.angles) EXPECT_LE(std::abs(a), 10.0);
        for (double s : p.shears) EXPECT_LE(std::abs(s), 0.05);
        EXPECT_LE((p.scales.array() - 1).abs().maxCoeff(), 0.08);
        EXPECT_LE(p.translation.cwiseAbs().maxCoeff(), 5.0);
        // The centre moves by the translation only.
        EXPECT_LT((sim.affine(grid.center()) - grid.center() - p.translation).norm(), 1e-9);
    }
}

TEST(Simulate, NoTransformLeavesImageAndLabelsUnchanged) {
    const Grid<3> grid = test_grid();
    const ScalarImage<3> fixed = smooth_phantom(grid), labels = phantom_labels(grid);
    SimulationOptions o;
    o.seed = 1;
    const Simulation<3> sim = simulate(fixed, o, &labels);
    // B-splines interpolate: at voxel centres they return the samples (up to rounding).
    for (Index i = 0; i < grid.voxel_count(); ++i) ASSERT_NEAR(sim.moving[i], fixed[i], 1e-3) << "voxel " << i;
    EXPECT_TRUE(bitwise_equal(sim.moving_labels, labels));
}

TEST(Simulate, LabelsFollowTheImageAndKeepTheirValues) {
    const Grid<3> grid = test_grid();
    const ScalarImage<3> fixed = smooth_phantom(grid), labels = phantom_labels(grid);
    const Simulation<3> sim = simulate(fixed, all_options(8), &labels);
    std::set<float> before(labels.voxels().begin(), labels.voxels().end());
    for (float v : sim.moving_labels.voxels()) ASSERT_TRUE(before.count(v)) << "invented label " << v;
    // Pulled back through the truth, the labels overlap the originals closely.
    const ScalarImage<3> back = resample(sim.moving_labels, grid, sim.truth(), Interpolation::label);
    Index agree = 0, total = 0;
    for (Index o = 0; o < grid.voxel_count(); ++o) {
        if (labels[o] == 0 && back[o] == 0) continue;
        ++total;
        agree += labels[o] == back[o];
    }
    EXPECT_GT(static_cast<double>(agree) / static_cast<double>(total), 0.95);
}

TEST(Simulate, SameSeedSameBytesForAnyThreadCountOtherSeedOtherImage) {
    const Grid<3> grid = test_grid();
    const ScalarImage<3> fixed = smooth_phantom(grid), labels = phantom_labels(grid);
    SimulationOptions o = all_options(42);
    o.bias = 0.2;
    o.noise = 0.03;
    o.remap = true;
    Simulation<3> one, two;
    {
        ThreadCount t(1);
        one = simulate(fixed, o, &labels);
    }
    {
        ThreadCount t(2);
        two = simulate(fixed, o, &labels);
    }
    EXPECT_TRUE(bitwise_equal(one.moving, two.moving));
    EXPECT_TRUE(bitwise_equal(one.moving_labels, two.moving_labels));
    EXPECT_TRUE(bitwise_equal(one.warp, two.warp));
    EXPECT_TRUE(bitwise_equal(one.inverse_warp, two.inverse_warp));
    EXPECT_EQ(one.affine.homogeneous(), two.affine.homogeneous());
    o.seed = 43;
    const Simulation<3> other = simulate(fixed, o, &labels);
    EXPECT_FALSE(bitwise_equal(one.moving, other.moving));
    EXPECT_FALSE(bitwise_equal(one.warp, other.warp));
}

TEST(Simulate, IntensityChangesDoNotChangeTheGeometry) {
    // Each ingredient draws from its own random stream.
    const Grid<3> grid = test_grid();
    const ScalarImage<3> fixed = smooth_phantom(grid);
    SimulationOptions o = all_options(9);
    const Simulation<3> plain = simulate(fixed, o);
    o.bias = 0.3;
    o.noise = 0.05;
    o.remap = true;
    const Simulation<3> changed = simulate(fixed, o);
    EXPECT_TRUE(bitwise_equal(plain.warp, changed.warp));
    EXPECT_EQ(plain.affine.homogeneous(), changed.affine.homogeneous());
    EXPECT_FALSE(bitwise_equal(plain.moving, changed.moving));
}

TEST(Simulate, NoiseAndBiasHaveTheRequestedSize) {
    const Grid<3> grid = test_grid();
    ScalarImage<3> fixed(grid, 50.0f);
    for (Index o = 0; o < grid.voxel_count(); o += 3) fixed[o] = 150.0f;  // range p99 - p1 = 100
    SimulationOptions o;
    o.seed = 4;
    o.noise = 0.05;
    const Simulation<3> noisy = simulate(fixed, o);
    double sum = 0, sum2 = 0;
    for (Index i = 0; i < grid.voxel_count(); ++i) {
        const double d = noisy.moving[i] - fixed[i];
        sum += d;
        sum2 += d * d;
    }
    const double n = static_cast<double>(grid.voxel_count()), mean = sum / n;
    EXPECT_NEAR(mean, 0.0, 0.1);
    EXPECT_NEAR(std::sqrt(sum2 / n - mean * mean), 5.0, 0.1);

    o.noise = 0;
    o.bias = 0.25;
    const Simulation<3> biased = simulate(ScalarImage<3>(grid, 100.0f), o);
    const auto [lo, hi] = std::minmax_element(biased.moving.voxels().begin(), biased.moving.voxels().end());
    EXPECT_GE(*lo, 100.0f / 1.25f - 1e-3f);
    EXPECT_LE(*hi, 125.0f + 1e-3f);
    EXPECT_GT(*hi - *lo, 10.0f) << "the bias field should vary";
}

TEST(Simulate, RemapIsNonMonotonicAndKeepsTheBackground) {
    EXPECT_FLOAT_EQ(remap_intensity(10.0f, 10.0f, 100.0f, 2.0), 10.0f);
    // c = 2: the brightest output is near t = 1/2; t = 0.9 comes out darker than t = 0.5.
    EXPECT_GT(remap_intensity(50.0f, 0.0f, 100.0f, 2.0), remap_intensity(90.0f, 0.0f, 100.0f, 2.0));
    EXPECT_LT(remap_intensity(20.0f, 0.0f, 100.0f, 2.0), remap_intensity(50.0f, 0.0f, 100.0f, 2.0));
}

TEST(Simulate, WorksIn2D) {
    const Grid<2> grid = Grid<2>::from_spacing({80, 70}, VecD<2>(1.2, 1.0), VecD<2>(-40, -35));
    ScalarImage<2> fixed(grid);
    for (Index o = 0; o < fixed.voxel_count(); ++o) {
        const VecD<2> p = grid.physical(voxel_index(grid, o)) - grid.center();
        fixed[o] = static_cast<float>(100 * std::exp(-p.squaredNorm() / 400) * (1 + 0.3 * std::sin(0.2 * p[0])));
    }
    SimulationOptions o;
    o.seed = 2;
    o.rotation = 10;
    o.translation = 3;
    o.deformation = 3;
    o.smoothness = 8;
    const Simulation<2> sim = simulate(fixed, o);
    EXPECT_EQ(sim.parameters.angles.size(), 1u);
    EXPECT_NEAR(max_norm(sim.warp), 3.0, 0.15);
    const ScalarImage<2> back = resample(sim.moving, grid, sim.truth(), Interpolation::linear);
    double sum = 0;
    for (Index i = 0; i < grid.voxel_count(); ++i) sum += std::abs(back[i] - fixed[i]);
    EXPECT_LT(sum / static_cast<double>(grid.voxel_count()), 0.5);
}

// The B-spline generator (elastix's and NiftyReg's model): the requested size, no
// folding, an inverse that undoes it, a field unlike the velocity generator's for the
// same seed, and other seeds give other fields.
TEST(Simulate, BsplineWarpHasTheRequestedSizeAndAnInverse) {
    const Grid<3> grid = test_grid();
    SimulationOptions o = all_options(8);
    o.bspline_spacing = 20;
    const Simulation<3> sim = simulate(smooth_phantom(grid), o);
    EXPECT_NEAR(max_norm(sim.warp), 4.0, 1e-3);
    const ScalarImage<3> det = jacobian_determinant(sim.warp);
    EXPECT_GT(*std::min_element(det.voxels().begin(), det.voxels().end()), 0.0f);
    EXPECT_LT(inverse_residual(sim.warp, sim.inverse_warp), 0.01);
    o.bspline_spacing = 0;
    const Simulation<3> velocity = simulate(smooth_phantom(grid), o);
    double diff = 0;
    for (Index i = 0; i < grid.voxel_count(); ++i) diff = std::max(diff, double((sim.warp[i] - velocity.warp[i]).norm()));
    EXPECT_GT(diff, 0.5);
    o.bspline_spacing = 20;
    o.seed = 9;
    const Simulation<3> other = simulate(smooth_phantom(grid), o);
    double seeds = 0;
    for (Index i = 0; i < grid.voxel_count(); ++i) seeds = std::max(seeds, double((sim.warp[i] - other.warp[i]).norm()));
    EXPECT_GT(seeds, 0.5);
}
