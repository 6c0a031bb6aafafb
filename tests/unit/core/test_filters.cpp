// Gaussian smoothing, physical gradients and pyramid levels, against known answers:
// constants stay constant, an impulse spreads with variance sigma^2, the gradient of a
// linear function is its coefficient vector, shrunk grids keep their centre.
#include "alinea/gradient.hpp"
#include "alinea/pyramid.hpp"
#include "alinea/pyramid_schedule.hpp"
#include "alinea/smooth.hpp"

#include "unit/test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace alinea;
using namespace alinea::test;

namespace {

template <int D>
bool inside_with_margin(const Grid<D>& grid, const VecD<D>& ci, double margin) {
    for (int a = 0; a < D; ++a)
        if (ci[a] < margin || ci[a] > static_cast<double>(grid.size(a) - 1) - margin) return false;
    return true;
}

}  // namespace

// ---------------------------------------------------------------------------------
// Gaussian smoothing

TEST(GaussianSmooth, ConstantImageStaysConstantIncludingBorders) {
    // Kernels wider than the image along some axes: the border renormalisation is
    // everything here.
    const Grid<3> grid = Grid<3>::from_spacing({20, 17, 13}, VecD<3>(1, 2, 0.5));
    ScalarImage<3> image(grid, 3.5f);
    gaussian_smooth(image, VecD<3>(2.0, 1.5, 4.0));
    for (Index o = 0; o < image.voxel_count(); ++o) ASSERT_NEAR(image[o], 3.5f, 1e-5) << "voxel " << o;

    ScalarImage<2> image2(Grid<2>::from_spacing({9, 70}, VecD<2>(1, 1)), -2.25f);
    gaussian_smooth(image2, VecD<2>(5.0, 0.7));
    for (Index o = 0; o < image2.voxel_count(); ++o) ASSERT_NEAR(image2[o], -2.25f, 1e-5) << "voxel " << o;

    VectorField<3> field(grid, Vec<3>(1.0f, -4.0f, 0.25f));
    gaussian_smooth(field, VecD<3>(1.0, 3.0, 2.0));
    for (Index o = 0; o < field.voxel_count(); ++o)
        ASSERT_LT((field[o] - Vec<3>(1.0f, -4.0f, 0.25f)).norm(), 2e-5) << "voxel " << o;
}

TEST(GaussianSmooth, ImpulseResponseHasSigmaSquaredVariancePerAxisInMillimetres) {
    // Anisotropic voxels: a 3 mm sigma is 3, 1.5 and 6 voxels.
    const VecD<3> spacing(1.0, 2.0, 0.5);
    const Grid<3> grid = Grid<3>::from_spacing({41, 25, 81}, spacing, VecD<3>(10, -20, 5));
    const double sigma_mm = 3.0;
    const VecD<3> sigma = sigma_in_voxels(grid, sigma_mm);
    EXPECT_LT((sigma - VecD<3>(3.0, 1.5, 6.0)).norm(), 1e-12);

    const Size<3> centre{20, 12, 40};
    ScalarImage<3> image(grid, 0.0f);
    image.at(centre) = 1.0f;
    gaussian_smooth(image, sigma);

    double sum = 0;
    VecD<3> mean = VecD<3>::Zero();
    for (Index o = 0; o < image.voxel_count(); ++o) {
        sum += image[o];
        mean += image[o] * grid.physical(voxel_index(grid, o));
    }
    mean /= sum;
    VecD<3> variance = VecD<3>::Zero();
    for (Index o = 0; o < image.voxel_count(); ++o)
        variance += image[o] * (grid.physical(voxel_index(grid, o)) - mean).cwiseAbs2();
    variance /= sum;

    EXPECT_NEAR(sum, 1.0, 1e-5) << "smoothing far from the border preserves the sum";
    const VecD<3> c = grid.physical(VecD<3>(20, 12, 40));
    EXPECT_LT((mean - c).norm(), 1e-4) << "the response is centred on the impulse";
    for (int a = 0; a < 3; ++a)
        EXPECT_NEAR(variance[a], sigma_mm * sigma_mm, 0.05 * sigma_mm * sigma_mm) << "axis " << a;
    // Symmetric about the impulse along each axis.
    EXPECT_NEAR(image.at({17, 12, 40}), image.at({23, 12, 40}), 1e-7);
    EXPECT_NEAR(image.at({20, 10, 40}), image.at({20, 14, 40}), 1e-7);
    EXPECT_NEAR(image.at({20, 12, 31}), image.at({20, 12, 49}), 1e-7);
}

TEST(GaussianSmooth, ImpulseSumIsPreservedIn2D) {
    ScalarImage<2> image(Grid<2>::from_spacing({50, 45}, VecD<2>(0.8, 1.6)), 0.0f);
    image.at({25, 22}) = 10.0f;
    gaussian_smooth(image, VecD<2>(2.5, 3.5));
    double sum = 0, var_y = 0;
    for (Index o = 0; o < image.voxel_count(); ++o) {
        sum += image[o];
        const double dy = static_cast<double>(image.grid().index_of(o)[1]) - 22;
        var_y += image[o] * dy * dy;
    }
    EXPECT_NEAR(sum, 10.0, 1e-4);
    EXPECT_NEAR(var_y / sum, 3.5 * 3.5, 0.05 * 3.5 * 3.5);
}

TEST(GaussianSmooth, VectorFieldSmoothingEqualsSmoothingEachComponent) {
    // nx * ny = 437: not a multiple of the 64-line bundles used along y and z.
    const Grid<3> grid = Grid<3>::from_spacing({23, 19, 11}, VecD<3>(1, 1, 1));
    VectorField<3> field(grid);
    std::mt19937 rng(41);
    std::uniform_real_distribution<float> u(-1, 1);
    for (Vec<3>& v : field.voxels()) v = Vec<3>(u(rng), u(rng), u(rng));
    const VecD<3> sigma(1.3, 2.0, 0.8);
    VectorField<3> smoothed = field;
    gaussian_smooth(smoothed, sigma);
    for (int c = 0; c < 3; ++c) {
        ScalarImage<3> component(grid);
        for (Index o = 0; o < grid.voxel_count(); ++o) component[o] = field[o][c];
        gaussian_smooth(component, sigma);
        for (Index o = 0; o < grid.voxel_count(); ++o)
            ASSERT_NEAR(smoothed[o][c], component[o], 1e-6) << "component " << c << " voxel " << o;
    }
    // It did smooth: the random field's spread shrank.
    double before = 0, after = 0;
    for (Index o = 0; o < grid.voxel_count(); ++o) {
        before += field[o].squaredNorm();
        after += smoothed[o].squaredNorm();
    }
    EXPECT_LT(after, 0.2 * before);

    // 2-D.
    const Grid<2> grid2 = Grid<2>::from_spacing({70, 30}, VecD<2>(1, 1));
    VectorField<2> field2(grid2);
    for (Vec<2>& v : field2.voxels()) v = Vec<2>(u(rng), u(rng));
    VectorField<2> smoothed2 = field2;
    gaussian_smooth(smoothed2, VecD<2>(1.7, 2.4));
    for (int c = 0; c < 2; ++c) {
        ScalarImage<2> component(grid2);
        for (Index o = 0; o < grid2.voxel_count(); ++o) component[o] = field2[o][c];
        gaussian_smooth(component, VecD<2>(1.7, 2.4));
        for (Index o = 0; o < grid2.voxel_count(); ++o)
            ASSERT_NEAR(smoothed2[o][c], component[o], 1e-6) << "component " << c << " voxel " << o;
    }
}

// ---------------------------------------------------------------------------------
// Gradient

TEST(Gradient, LinearFunctionOnObliqueShearedAnisotropicGrid3D) {
    MatD<3> shear;
    shear << 1, 0.3, 0.1, 0, 1, -0.2, 0, 0, 1;
    const MatD<3> linear = rotation(0.6, VecD<3>(1, -1, 2)) * shear * VecD<3>(0.7, 1.3, 2.2).asDiagonal();
    const Grid<3> grid(Size<3>{9, 8, 7}, linear, VecD<3>(-3, 4, 1.5));
    const VecD<3> a(0.7, -1.3, 0.4);
    const ScalarImage<3> image = sample_function(grid, [&](const VecD<3>& p) { return a.dot(p) + 5; });
    const VectorField<3> g = gradient(image);
    ASSERT_TRUE(g.grid().same_as(grid, 0));
    for (Index o = 0; o < g.voxel_count(); ++o)  // every voxel, borders included
        ASSERT_LT((g[o].cast<double>() - a).norm(), 2e-4) << "voxel " << o << ": " << g[o].transpose();
}

TEST(Gradient, LinearFunctionOnObliqueShearedAnisotropicGrid2D) {
    MatD<2> linear;
    const double t = 0.5;
    linear << std::cos(t), -std::sin(t), std::sin(t), std::cos(t);
    MatD<2> shear;
    shear << 1, -0.4, 0, 1;
    linear = linear * shear * VecD<2>(0.6, 1.8).asDiagonal();
    const Grid<2> grid(Size<2>{11, 6}, linear, VecD<2>(2, -1));
    const VecD<2> a(-2.0, 0.75);
    const VectorField<2> g = gradient(sample_function(grid, [&](const VecD<2>& p) { return a.dot(p) - 1; }));
    for (Index o = 0; o < g.voxel_count(); ++o)
        ASSERT_LT((g[o].cast<double>() - a).norm(), 2e-4) << "voxel " << o << ": " << g[o].transpose();
}

TEST(Gradient, QuadraticInteriorMatchesAnalyticGradient) {
    // Central differences are exact for quadratics: the interior gradient of
    // f(p) = p^T Q p is 2 Q p at every voxel.
    const Grid<3> grid = Grid<3>::from_spacing({8, 9, 7}, VecD<3>(1.1, 0.8, 1.6), VecD<3>(-4, -3, -5),
                                               rotation(0.3, VecD<3>(1, 2, 0)));
    MatD<3> q;
    q << 0.05, 0.01, 0, 0.01, -0.03, 0.02, 0, 0.02, 0.04;
    const VectorField<3> g = gradient(sample_function(grid, [&](const VecD<3>& p) { return p.dot(q * p); }));
    for (Index o = 0; o < g.voxel_count(); ++o) {
        const Size<3> i = grid.index_of(o);
        bool interior = true;
        for (int a = 0; a < 3; ++a) interior &= i[a] > 0 && i[a] < grid.size(a) - 1;
        if (!interior) continue;
        const VecD<3> p = grid.physical(voxel_index(grid, o));
        ASSERT_LT((g[o].cast<double>() - 2 * q * p).norm(), 1e-4) << "voxel " << o;
    }
}

// ---------------------------------------------------------------------------------
// Pyramid

TEST(Pyramid, ShrinkGridScalesSpacingAndKeepsDirection) {
    const Grid<3> grid = Grid<3>::from_spacing({20, 24, 8}, VecD<3>(0.9, 1.1, 2.0), VecD<3>(3, -8, 12),
                                               rotation(0.35, VecD<3>(1, 0.5, -1)));
    for (int factor : {2, 3}) {
        const Grid<3> s = shrink_grid(grid, factor);
        EXPECT_EQ(s.size(0), 20 / factor);
        EXPECT_EQ(s.size(1), 24 / factor);
        EXPECT_EQ(s.size(2), 8 / factor);
        EXPECT_LT((s.spacing() - factor * grid.spacing()).norm(), 1e-12) << "factor " << factor;
        EXPECT_LT((s.direction() - grid.direction()).norm(), 1e-12) << "factor " << factor;
    }
    // Sizes divisible by the factor: the same physical box (first and last corner of
    // the voxel boxes coincide), hence the same centre.
    const Grid<3> s = shrink_grid(grid, 2);
    EXPECT_LT((s.physical(VecD<3>::Constant(-0.5)) - grid.physical(VecD<3>::Constant(-0.5))).norm(), 1e-9);
    EXPECT_LT((s.physical(VecD<3>(9.5, 11.5, 3.5)) - grid.physical(VecD<3>(19.5, 23.5, 7.5))).norm(), 1e-9);
    // Each shrunk voxel centre is the centre of its 2x2x2 block.
    EXPECT_LT((s.physical(VecD<3>(3, 4, 1)) - grid.physical(VecD<3>(6.5, 8.5, 2.5))).norm(), 1e-9);
    EXPECT_LT((s.center() - grid.center()).norm(), 1e-9);
}

TEST(Pyramid, ShrinkGridKeepsThePhysicalCentreForAnySize) {
    // As ITK's ShrinkImageFilter: the output size is floor(n / f) and the origin is
    // chosen so that the physical centre of the image stays where it was.
    const Grid<3> grid = Grid<3>::from_spacing({21, 25, 7}, VecD<3>(0.9, 1.1, 2.0), VecD<3>(3, -8, 12),
                                               rotation(0.35, VecD<3>(1, 0.5, -1)));
    for (int factor : {2, 3, 4}) {
        const Grid<3> s = shrink_grid(grid, factor);
        EXPECT_EQ(s.size(0), 21 / factor);
        EXPECT_EQ(s.size(1), 25 / factor);
        EXPECT_EQ(s.size(2), 7 / factor);
        EXPECT_LT((s.spacing() - factor * grid.spacing()).norm(), 1e-12) << "factor " << factor;
        EXPECT_LT((s.center() - grid.center()).norm(), 1e-9)
            << "factor " << factor << ": centre moved from " << grid.center().transpose() << " to "
            << s.center().transpose();
    }
    // 2-D.
    const Grid<2> g2 = Grid<2>::from_spacing({15, 10}, VecD<2>(1.5, 0.5), VecD<2>(1, 2));
    const Grid<2> s2 = shrink_grid(g2, 2);
    EXPECT_EQ(s2.size(0), 7);
    EXPECT_EQ(s2.size(1), 5);
    EXPECT_LT((s2.center() - g2.center()).norm(), 1e-9);
}

TEST(Pyramid, LevelApproximatesASmoothFunctionOnTheShrunkGrid) {
    const Grid<3> grid = Grid<3>::from_spacing({40, 36, 32}, VecD<3>(1.0, 1.2, 0.9), VecD<3>(-20, -21, -14),
                                               rotation(0.3, VecD<3>(0, 1, 1)));
    // Wavelength ~50 mm: a 1-voxel Gaussian attenuates it by ~1 %.
    const auto f = [](const VecD<3>& p) { return std::cos(0.12 * p[0] - 0.03 * p[1] + 0.5) + 0.5 * std::sin(0.1 * p[2]); };
    const ScalarImage<3> image = sample_function(grid, f);
    const ScalarImage<3> level = pyramid_level(image, 2, 1.0);
    ASSERT_TRUE(level.grid().same_as(shrink_grid(grid, 2), 1e-9));
    Index checked = 0;
    for (Index o = 0; o < level.voxel_count(); ++o) {
        const VecD<3> p = level.grid().physical(voxel_index(level.grid(), o));
        if (!inside_with_margin(grid, grid.continuous_index(p), 3.0)) continue;  // smoothing border
        ++checked;
        ASSERT_NEAR(level[o], f(p), 0.03) << "at " << p.transpose();
    }
    EXPECT_GT(checked, level.voxel_count() / 4);

    // 2-D, factor 3, no smoothing: linear interpolation of a smooth function.
    const Grid<2> g2 = Grid<2>::from_spacing({60, 45}, VecD<2>(0.5, 0.7), VecD<2>(-10, 4));
    const auto f2 = [](const VecD<2>& p) { return std::sin(0.2 * p[0]) * std::cos(0.15 * p[1]); };
    const ScalarImage<2> level2 = pyramid_level(sample_function(g2, f2), 3, 0.0);
    EXPECT_EQ(level2.size()[0], 20);
    EXPECT_EQ(level2.size()[1], 15);
    for (Index o = 0; o < level2.voxel_count(); ++o) {
        const VecD<2> p = level2.grid().physical(voxel_index(level2.grid(), o));
        ASSERT_NEAR(level2[o], f2(p), 0.01) << "at " << p.transpose();
    }
}

TEST(Pyramid, FactorOneOnlySmooths) {
    const Grid<2> grid = Grid<2>::from_spacing({30, 20}, VecD<2>(1, 2));
    ScalarImage<2> image(grid, 0.0f);
    image.at({15, 10}) = 1.0f;
    const ScalarImage<2> level = pyramid_level(image, 1, 2.0);
    ASSERT_TRUE(level.grid().same_as(grid, 0));
    ScalarImage<2> expected = image;
    gaussian_smooth(expected, VecD<2>(2.0, 2.0));
    for (Index o = 0; o < grid.voxel_count(); ++o) ASSERT_EQ(level[o], expected[o]);
    EXPECT_LT(level.at({15, 10}), 0.1f);
}

// Sigmas in mm on a thick-slice grid (1 x 1 x 3 mm): each axis gets mm / spacing
// voxels, so an impulse becomes the same Gaussian in mm along every axis (a single
// isotropic voxel sigma would give 9 mm along z instead of 3).
TEST(Pyramid, SigmaInMillimetresIsTheSameGaussianOnAnAnisotropicGrid) {
    const Grid<3> grid = Grid<3>::from_spacing({41, 41, 21}, VecD<3>(1, 1, 3), VecD<3>(-20, -20, -30));
    ScalarImage<3> image(grid, 0.0f);
    image.at({20, 20, 10}) = 1.0f;
    PyramidSchedule schedule{{1}, {3.0}, true, {1}};
    const VecD<3> sigma = schedule.sigma_voxels(0, grid);
    EXPECT_NEAR(sigma[0], 3.0, 1e-12);
    EXPECT_NEAR(sigma[2], 1.0, 1e-12);
    const ScalarImage<3> smooth = pyramid_level(image, 1, sigma);
    // The reference: a Gaussian of sigma 3 mm about the impulse, sampled on the grid
    // and normalised to the same total (the kernels are normalised discrete Gaussians).
    const VecD<3> centre = grid.physical(VecD<3>(20, 20, 10));
    ScalarImage<3> reference = sample_function(grid, [&](const VecD<3>& p) {
        return std::exp(-(p - centre).squaredNorm() / (2 * 9.0));
    });
    double total = 0;
    for (float v : reference.voxels()) total += v;
    for (float& v : reference.voxels()) v = static_cast<float>(v / total);
    float peak = 0, worst = 0;
    for (Index o = 0; o < grid.voxel_count(); ++o) {
        peak = std::max(peak, reference[o]);
        worst = std::max(worst, std::abs(smooth[o] - reference[o]));
    }
    EXPECT_LT(worst, 0.03f * peak) << "largest difference from the reference Gaussian, relative to its peak";
    // Second moments along x and z, in mm^2: both sigma^2 = 9 (truncation at 3 sigma
    // and the discrete kernel take off a few per cent).
    double mxx = 0, mzz = 0, mass = 0;
    for (Index o = 0; o < grid.voxel_count(); ++o) {
        const VecD<3> d = grid.physical(voxel_index(grid, o)) - centre;
        mxx += smooth[o] * d[0] * d[0];
        mzz += smooth[o] * d[2] * d[2];
        mass += smooth[o];
    }
    EXPECT_NEAR(mxx / mass, 9.0, 0.5);
    EXPECT_NEAR(mzz / mass, 9.0, 0.5);
}
