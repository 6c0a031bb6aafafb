// Pull resampling through affines, chains and displacement fields, on oblique and
// anisotropic grids; and the promise that results do not depend on the thread count.
#include "alinea/gradient.hpp"
#include "alinea/parallel.hpp"
#include "alinea/resample_chain.hpp"
#include "alinea/smooth.hpp"

#include "unit/test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace alinea;
using namespace alinea::test;

namespace {

template <int D>
ScalarImage<D> random_image(const Grid<D>& grid, unsigned seed, float lo = 1, float hi = 2) {
    ScalarImage<D> image(grid);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(lo, hi);
    for (float& v : image.voxels()) v = u(rng);
    return image;
}

// True when the continuous index lies inside the grid with `margin` voxels to spare.
template <int D>
bool inside_with_margin(const Grid<D>& grid, const VecD<D>& ci, double margin) {
    for (int a = 0; a < D; ++a)
        if (ci[a] < margin || ci[a] > static_cast<double>(grid.size(a) - 1) - margin) return false;
    return true;
}

// A smooth test function of physical position (wavelengths of tens of mm).
double smooth_function(const VecD<3>& p) {
    return std::cos(0.11 * p[0] + 0.03 * p[1]) * std::sin(0.07 * p[1] - 0.05 * p[2] + 0.4) + 0.2 * std::cos(0.09 * p[2]);
}

template <class T, int D>
bool bitwise_equal(const Image<T, D>& a, const Image<T, D>& b) {
    return a.voxel_count() == b.voxel_count() &&
           std::memcmp(a.data(), b.data(), sizeof(T) * static_cast<size_t>(a.voxel_count())) == 0;
}

}  // namespace

TEST(Resample, IdentityReturnsTheInputExactly) {
    const Grid<3> grid = Grid<3>::from_spacing({9, 8, 7}, VecD<3>(0.9, 1.3, 2.1), VecD<3>(-12.5, 3.25, 40),
                                               rotation(0.4, VecD<3>(1, -2, 0.5)));
    const ScalarImage<3> input = random_image(grid, 21);
    TransformChain<3> with_field;  // a chain that is not affine: the general path
    with_field.then(Affine<3>::identity());
    with_field.then(DisplacementField<3>{VectorField<3>(grid, Vec<3>::Zero())});
    ASSERT_FALSE(with_field.is_affine());
    for (Interpolation how : {Interpolation::nearest, Interpolation::linear, Interpolation::label}) {
        const ScalarImage<3> a = resample(input, grid, Affine<3>::identity(), how);
        const ScalarImage<3> b = resample(input, grid, TransformChain<3>{}, how);
        const ScalarImage<3> c = resample(input, grid, with_field, how);
        EXPECT_TRUE(a.grid().same_as(grid, 0));
        for (Index o = 0; o < input.voxel_count(); ++o) {
            ASSERT_EQ(a[o], input[o]) << to_string(how) << " voxel " << o;
            ASSERT_EQ(b[o], input[o]) << to_string(how) << " voxel " << o;
            ASSERT_EQ(c[o], input[o]) << to_string(how) << " voxel " << o;
        }
    }
    // B-spline interpolates: equal up to float rounding of the prefilter.
    const ScalarImage<3> s = resample(input, grid, Affine<3>::identity(), Interpolation::bspline);
    for (Index o = 0; o < input.voxel_count(); ++o) ASSERT_NEAR(s[o], input[o], 1e-4) << "voxel " << o;
}

TEST(Resample, IntegerTranslationShiftsTheArray3D) {
    const Grid<3> grid = Grid<3>::from_spacing({10, 9, 8}, VecD<3>(2.0, 0.5, 1.5), VecD<3>(5, -7, 1),
                                               rotation(0.3, VecD<3>(0.2, 1, 1)));
    const ScalarImage<3> input = random_image(grid, 22);
    const Size<3> k{3, -2, 1};  // voxels along the grid's axes
    Affine<3> shift;
    shift.offset = grid.linear() * VecD<3>(3, -2, 1);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (Interpolation how : {Interpolation::nearest, Interpolation::linear, Interpolation::label, Interpolation::bspline}) {
        for (float outside : {-7.0f, nan}) {
            const ScalarImage<3> out = resample(input, grid, shift, how, outside);
            Index inside_count = 0, outside_count = 0;
            for (Index o = 0; o < out.voxel_count(); ++o) {
                const Size<3> i = grid.index_of(o);
                Size<3> j;
                bool in = true;
                for (int a = 0; a < 3; ++a) {
                    j[a] = i[a] + k[a];
                    in &= j[a] >= 0 && j[a] < grid.size(a);
                }
                if (in) {
                    ++inside_count;
                    const double tol = how == Interpolation::bspline ? 1e-4 : how == Interpolation::linear ? 1e-6 : 0;
                    ASSERT_NEAR(out[o], input.at(j), tol) << to_string(how) << " voxel " << o;
                } else {
                    ++outside_count;
                    if (std::isnan(outside)) ASSERT_TRUE(std::isnan(out[o])) << to_string(how) << " voxel " << o;
                    else ASSERT_EQ(out[o], outside) << to_string(how) << " voxel " << o;
                }
            }
            EXPECT_EQ(inside_count, 7 * 7 * 7);
            EXPECT_GT(outside_count, 0);
        }
    }
}

TEST(Resample, IntegerTranslationShiftsTheArray2D) {
    const Grid<2> grid = Grid<2>::from_spacing({12, 7}, VecD<2>(0.75, 3.0), VecD<2>(-4, 9));
    const ScalarImage<2> input = random_image(grid, 23);
    Affine<2> shift;
    shift.offset = VecD<2>(-2 * 0.75, 3 * 3.0);  // (-2, +3) voxels
    const ScalarImage<2> out = resample(input, grid, shift, Interpolation::linear, -1.0f);
    for (Index y = 0; y < 7; ++y)
        for (Index x = 0; x < 12; ++x) {
            const Index sx = x - 2, sy = y + 3;
            const float expected = (sx >= 0 && sy < 7) ? input.at({sx, sy}) : -1.0f;
            ASSERT_NEAR(out.at({x, y}), expected, 1e-6) << x << "," << y;
        }
}

TEST(Resample, AffineEqualsChainEqualsDisplacementField) {
    const Grid<3> in_grid = Grid<3>::from_spacing({30, 28, 26}, VecD<3>(1.2, 1.0, 1.5), VecD<3>(-17, -14, -19),
                                                  rotation(0.2, VecD<3>(1, 1, 0)));
    const ScalarImage<3> input = sample_function(in_grid, smooth_function);
    const Grid<3> target = Grid<3>::from_spacing({22, 20, 18}, VecD<3>(1.4, 1.1, 1.3), VecD<3>(-14, -10, -12),
                                                 rotation(-0.3, VecD<3>(0, 1, 2)));
    // A = second ∘ first, neither a pure translation.
    Affine<3> first, second;
    first.matrix = rotation(0.15, VecD<3>(1, 0, 1)) * Eigen::Vector3d(1.05, 0.95, 1.1).asDiagonal();
    first.offset = VecD<3>(1.5, -2, 0.7);
    second.matrix << 1, 0.08, 0, 0, 1, -0.05, 0.03, 0, 0.97;
    second.offset = VecD<3>(-0.8, 0.6, 1.2);
    const Affine<3> a = second.after(first);

    TransformChain<3> chain_one, chain_two, chain_mixed, chain_field;
    chain_one.then(a);
    chain_two.then(first);
    chain_two.then(second);
    chain_mixed.then(a);
    chain_mixed.then(DisplacementField<3>{VectorField<3>(target, Vec<3>::Zero())});
    // A displacement field u(x) = A(x) - x on its own coarser grid covering the target.
    const Grid<3> field_grid = Grid<3>::from_spacing({26, 24, 26}, VecD<3>(2.5, 2.5, 2.5), VecD<3>(-35, -30, -32));
    VectorField<3> u(field_grid);
    for (Index o = 0; o < u.voxel_count(); ++o) {
        const VecD<3> x = field_grid.physical(voxel_index(field_grid, o));
        u[o] = (a(x) - x).cast<float>();
    }
    chain_field.then(DisplacementField<3>{u});
    ASSERT_TRUE(chain_two.is_affine());
    ASSERT_FALSE(chain_mixed.is_affine());
    // Every target point must lie well inside the field's grid (else u = 0 there).
    for (Index o = 0; o < target.voxel_count(); ++o)
        ASSERT_TRUE(inside_with_margin(field_grid, field_grid.continuous_index(target.physical(voxel_index(target, o))), 1.0));

    for (Interpolation how : {Interpolation::linear, Interpolation::bspline}) {
        const ScalarImage<3> ref = resample(input, target, a, how, -5.0f);
        const std::vector<ScalarImage<3>> others{
            resample(input, target, chain_one, how, -5.0f), resample(input, target, chain_two, how, -5.0f),
            resample(input, target, chain_mixed, how, -5.0f), resample(input, target, chain_field, how, -5.0f)};
        Index compared = 0;
        for (Index o = 0; o < target.voxel_count(); ++o) {
            const VecD<3> x = target.physical(voxel_index(target, o));
            const VecD<3> ci = in_grid.continuous_index(a(x));
            if (!inside_with_margin(in_grid, ci, 0.5)) continue;
            ++compared;
            // The reference itself is right: it interpolates f at A(x).
            ASSERT_NEAR(ref[o], smooth_function(a(x)), 0.02) << to_string(how);
            for (size_t k = 0; k < others.size(); ++k)
                ASSERT_NEAR(others[k][o], ref[o], 1e-4) << to_string(how) << " chain " << k << " voxel " << o;
        }
        EXPECT_GT(compared, target.voxel_count() / 2);
    }
}

TEST(Resample, DisplacementFieldIsZeroOutsideItsGrid) {
    const Grid<2> small = Grid<2>::from_spacing({3, 3}, VecD<2>(1, 1), VecD<2>(2, 2));
    DisplacementField<2> warp{VectorField<2>(small, Vec<2>(1.0f, -1.0f))};
    EXPECT_LT((warp(VecD<2>(3, 3)) - VecD<2>(4, 2)).norm(), 1e-6);  // inside: x + u
    EXPECT_LT((warp(VecD<2>(8, 8)) - VecD<2>(8, 8)).norm(), 1e-12); // outside: x
    // A chain acts in order: steps()[0] first.
    TransformChain<2> chain;
    Affine<2> scale;
    scale.matrix = 2 * MatD<2>::Identity();
    chain.then(scale);
    chain.then(warp);
    EXPECT_LT((chain(VecD<2>(1.5, 1.5)) - VecD<2>(4, 2)).norm(), 1e-6);  // scale, then warp
}

TEST(Resample, ObliqueAnisotropicRoundTripPreservesASmoothFunction) {
    const Grid<3> g1 = Grid<3>::from_spacing({40, 30, 24}, VecD<3>(1.0, 1.5, 2.0), VecD<3>(-20, -22, -18),
                                             rotation(0.45, VecD<3>(1, 1, 0)));
    const ScalarImage<3> image = sample_function(g1, smooth_function);
    // Same centre, another orientation and spacing, inside g1 (so that the way back
    // never meets an outside value: a NaN would spread through the B-spline prefilter).
    const MatD<3> dir2 = rotation(-0.5, VecD<3>(0.3, -1, 2));
    const Size<3> size2{20, 24, 16};
    const VecD<3> spacing2(1.2, 0.8, 1.1);
    VecD<3> half;
    for (int a = 0; a < 3; ++a) half[a] = 0.5 * static_cast<double>(size2[a] - 1) * spacing2[a];
    const Grid<3> g2 = Grid<3>::from_spacing(size2, spacing2, g1.center() - dir2 * half, dir2);
    ASSERT_LT((g2.center() - g1.center()).norm(), 1e-9);
    for (Index o = 0; o < g2.voxel_count(); ++o)
        ASSERT_TRUE(inside_with_margin(g1, g1.continuous_index(g2.physical(voxel_index(g2, o))), 1.0));

    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (Interpolation how : {Interpolation::linear, Interpolation::bspline}) {
        const double tol = how == Interpolation::linear ? 0.02 : 2e-3;
        const ScalarImage<3> there = resample(image, g2, Affine<3>::identity(), how, nan);
        for (Index o = 0; o < there.voxel_count(); ++o) {
            const VecD<3> p = g2.physical(voxel_index(g2, o));
            ASSERT_NEAR(there[o], smooth_function(p), tol) << to_string(how) << " at " << p.transpose();
        }
        const ScalarImage<3> back = resample(there, g1, Affine<3>::identity(), how, nan);
        Index checked = 0;
        for (Index o = 0; o < back.voxel_count(); ++o) {
            const VecD<3> p = g1.physical(voxel_index(g1, o));
            if (!inside_with_margin(g2, g2.continuous_index(p), 2.0)) {
                // Points outside g2 (by more than the tolerance) get the outside value.
                if (!inside_with_margin(g2, g2.continuous_index(p), -0.01)) {
                    ASSERT_TRUE(std::isnan(back[o])) << to_string(how) << " at " << p.transpose();
                }
                continue;
            }
            ++checked;
            ASSERT_NEAR(back[o], smooth_function(p), 2 * tol) << to_string(how) << " at " << p.transpose();
        }
        EXPECT_GT(checked, 500);
    }
}

// ---------------------------------------------------------------------------------
// Thread count independence

namespace {

class ThreadCount : public ::testing::Test {
protected:
    void SetUp() override { saved_ = omp_get_max_threads(); }
    void TearDown() override { omp_set_num_threads(saved_); }
    // Runs fn with 1 thread, then 2, and returns both results.
    template <class F>
    auto both(F fn) {
        omp_set_num_threads(1);
        auto one = fn();
        omp_set_num_threads(2);
        auto two = fn();
        return std::make_pair(std::move(one), std::move(two));
    }
    int saved_ = 1;
};

Grid<3> odd_grid() {
    return Grid<3>::from_spacing({37, 29, 23}, VecD<3>(1.1, 0.9, 1.7), VecD<3>(-20, -13, -19),
                                 rotation(0.25, VecD<3>(2, 1, -1)));
}

}  // namespace

TEST_F(ThreadCount, ResampleIsBitwiseIdenticalFor1And2Threads) {
    const Grid<3> grid = odd_grid();
    const ScalarImage<3> input = random_image(grid, 31, -3, 5);
    Affine<3> a;
    a.matrix = rotation(0.1, VecD<3>(1, 2, 3)) * 1.02;
    a.offset = VecD<3>(0.7, -0.4, 1.1);
    TransformChain<3> chain;
    chain.then(a);
    chain.then(DisplacementField<3>{VectorField<3>(grid, Vec<3>(0.3f, -0.2f, 0.1f))});
    const Grid<3> target = Grid<3>::from_spacing({31, 33, 19}, VecD<3>(1.2, 1.0, 1.4), VecD<3>(-16, -15, -12));
    for (Interpolation how : {Interpolation::nearest, Interpolation::linear, Interpolation::bspline, Interpolation::label}) {
        auto [one, two] = both([&] { return resample(input, target, a, how); });
        EXPECT_TRUE(bitwise_equal(one, two)) << to_string(how) << " (affine)";
        auto [one_c, two_c] = both([&] { return resample(input, target, chain, how); });
        EXPECT_TRUE(bitwise_equal(one_c, two_c)) << to_string(how) << " (chain)";
    }
}

TEST_F(ThreadCount, FiltersAreBitwiseIdenticalFor1And2Threads) {
    const Grid<3> grid = odd_grid();
    const ScalarImage<3> input = random_image(grid, 32, -3, 5);
    {
        auto [one, two] = both([&] {
            ScalarImage<3> s = input;
            gaussian_smooth(s, VecD<3>(1.5, 2.2, 0.9));
            return s;
        });
        EXPECT_TRUE(bitwise_equal(one, two)) << "gaussian_smooth (scalar)";
    }
    {
        VectorField<3> field(grid);
        std::mt19937 rng(33);
        std::uniform_real_distribution<float> u(-1, 1);
        for (Vec<3>& v : field.voxels()) v = Vec<3>(u(rng), u(rng), u(rng));
        auto [one, two] = both([&] {
            VectorField<3> s = field;
            gaussian_smooth(s, VecD<3>(2.0, 1.0, 1.3));
            return s;
        });
        EXPECT_TRUE(bitwise_equal(one, two)) << "gaussian_smooth (vector)";
    }
    {
        auto [one, two] = both([&] { return gradient(input); });
        EXPECT_TRUE(bitwise_equal(one, two)) << "gradient";
    }
    {
        auto [one, two] = both([&] { return bspline_coefficients(input); });
        EXPECT_TRUE(bitwise_equal(one, two)) << "bspline_coefficients";
    }
}
