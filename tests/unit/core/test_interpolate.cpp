// Interpolation at continuous voxel indices: linear (value and derivative), nearest,
// cubic B-spline and label, checked against functions whose values are known exactly.
#include "alinea/interpolate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>

using namespace alinea;

namespace {

template <int D>
Grid<D> unit_grid(const Size<D>& size) {
    return Grid<D>::from_spacing(size, VecD<D>::Ones());
}

// Fills an image with f(index).
template <int D, class F>
ScalarImage<D> from_index_function(const Size<D>& size, F f) {
    ScalarImage<D> image(unit_grid<D>(size));
    for (Index o = 0; o < image.voxel_count(); ++o) {
        const Size<D> idx = image.grid().index_of(o);
        VecD<D> ci;
        for (int a = 0; a < D; ++a) ci[a] = static_cast<double>(idx[a]);
        image[o] = static_cast<float>(f(ci));
    }
    return image;
}

// A random point with every coordinate in [lo, hi[a] - margin].
template <int D>
VecD<D> random_point(std::mt19937& rng, const Size<D>& size, double margin) {
    VecD<D> p;
    for (int a = 0; a < D; ++a) {
        std::uniform_real_distribution<double> u(margin, static_cast<double>(size[a] - 1) - margin);
        p[a] = u(rng);
    }
    return p;
}

}  // namespace

// ---------------------------------------------------------------------------------
// Linear

TEST(InterpolateLinear, ExactForLinearFunction2D) {
    const Size<2> size{7, 5};
    const auto f = [](const VecD<2>& c) { return 0.5 + 1.25 * c[0] - 0.75 * c[1]; };
    const ScalarImage<2> image = from_index_function<2>(size, f);
    std::mt19937 rng(1);
    std::vector<VecD<2>> points;
    for (int i = 0; i < 200; ++i) points.push_back(random_point<2>(rng, size, 0.0));
    // Corners, the last voxel and points inside the last cell along each axis.
    points.push_back(VecD<2>(0, 0));
    points.push_back(VecD<2>(6, 4));
    points.push_back(VecD<2>(6, 0));
    points.push_back(VecD<2>(0, 4));
    points.push_back(VecD<2>(5.7, 3.2));
    points.push_back(VecD<2>(6, 3.5));
    points.push_back(VecD<2>(2.5, 4));
    for (const VecD<2>& p : points) {
        float v = -1000;
        ASSERT_TRUE(sample_linear(image, p, v)) << p.transpose();
        EXPECT_NEAR(v, f(p), 1e-5) << "at " << p.transpose();
    }
}

TEST(InterpolateLinear, ExactForLinearFunction3D) {
    const Size<3> size{6, 5, 4};
    const auto f = [](const VecD<3>& c) { return 2.0 + 0.5 * c[0] - 1.5 * c[1] + 0.25 * c[2]; };
    const ScalarImage<3> image = from_index_function<3>(size, f);
    std::mt19937 rng(2);
    std::vector<VecD<3>> points;
    for (int i = 0; i < 300; ++i) points.push_back(random_point<3>(rng, size, 0.0));
    points.push_back(VecD<3>(5, 4, 3));      // the last voxel
    points.push_back(VecD<3>(0, 0, 0));
    points.push_back(VecD<3>(4.5, 3.5, 2.5)); // the last cell
    points.push_back(VecD<3>(5, 1.3, 3));
    points.push_back(VecD<3>(0.2, 4, 2.7));
    for (const VecD<3>& p : points) {
        float v = -1000;
        ASSERT_TRUE(sample_linear(image, p, v)) << p.transpose();
        EXPECT_NEAR(v, f(p), 1e-5) << "at " << p.transpose();
    }
}

TEST(InterpolateLinear, VectorVoxelsInterpolateEachComponent) {
    // A vector image whose components are two different linear functions.
    const Size<3> size{5, 4, 6};
    VectorField<3> field(unit_grid<3>(size));
    for (Index o = 0; o < field.voxel_count(); ++o) {
        const Size<3> i = field.grid().index_of(o);
        field[o] = Vec<3>(float(1 + i[0] + 2 * i[1]), float(3 * i[2] - i[0]), float(0.5 * i[1]));
    }
    std::mt19937 rng(3);
    for (int k = 0; k < 100; ++k) {
        const VecD<3> p = random_point<3>(rng, size, 0.0);
        Vec<3> v;
        ASSERT_TRUE(sample_linear(field, p, v));
        EXPECT_NEAR(v[0], 1 + p[0] + 2 * p[1], 1e-5);
        EXPECT_NEAR(v[1], 3 * p[2] - p[0], 1e-5);
        EXPECT_NEAR(v[2], 0.5 * p[1], 1e-5);
    }
}

TEST(InterpolateLinear, GradientIsExactSlopeOfLinearFunction) {
    const Size<3> size{6, 5, 4};
    const VecD<3> slope(0.5, -1.5, 0.25);
    const auto f = [&](const VecD<3>& c) { return 2.0 + slope.dot(c); };
    const ScalarImage<3> image = from_index_function<3>(size, f);
    std::mt19937 rng(4);
    std::vector<VecD<3>> points;
    for (int i = 0; i < 200; ++i) points.push_back(random_point<3>(rng, size, 0.0));
    points.push_back(VecD<3>(5, 4, 3));  // the last voxel: slope of the last cell
    points.push_back(VecD<3>(0, 0, 0));
    points.push_back(VecD<3>(2, 3, 1));  // a voxel centre
    for (const VecD<3>& p : points) {
        float v;
        Vec<3> g;
        ASSERT_TRUE(sample_linear_with_gradient(image, p, v, g));
        EXPECT_NEAR(v, f(p), 1e-5);
        for (int a = 0; a < 3; ++a) EXPECT_NEAR(g[a], slope[a], 1e-5) << "axis " << a << " at " << p.transpose();
    }
    // 2-D too.
    const VecD<2> slope2(-0.8, 2.2);
    const ScalarImage<2> image2 = from_index_function<2>({5, 6}, [&](const VecD<2>& c) { return 1.0 + slope2.dot(c); });
    for (const VecD<2>& p : {VecD<2>(0, 0), VecD<2>(4, 5), VecD<2>(1.3, 4.9), VecD<2>(3.5, 2.25)}) {
        float v;
        Vec<2> g;
        ASSERT_TRUE(sample_linear_with_gradient(image2, p, v, g));
        EXPECT_NEAR(v, 1.0 + slope2.dot(p), 1e-5);
        EXPECT_NEAR(g[0], slope2[0], 1e-5);
        EXPECT_NEAR(g[1], slope2[1], 1e-5);
    }
}

TEST(InterpolateLinear, GradientMatchesFiniteDifferencesInsideCells) {
    // A curved function: the multilinear interpolant is linear along each axis within
    // a cell, so a central difference that stays in the cell is its exact derivative.
    const Size<3> size{9, 8, 7};
    const auto f = [](const VecD<3>& c) {
        return std::sin(0.7 * c[0]) * std::cos(0.5 * c[1]) + 0.3 * std::sin(0.9 * c[2] + c[0]);
    };
    const ScalarImage<3> image = from_index_function<3>(size, f);
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> frac(0.15, 0.85);
    const double h = 0.05;
    for (int k = 0; k < 200; ++k) {
        VecD<3> p;
        for (int a = 0; a < 3; ++a) {
            std::uniform_int_distribution<int> cell(0, static_cast<int>(size[a]) - 2);
            p[a] = cell(rng) + frac(rng);
        }
        float v;
        Vec<3> g;
        ASSERT_TRUE(sample_linear_with_gradient(image, p, v, g));
        float ref;
        ASSERT_TRUE(sample_linear(image, p, ref));
        EXPECT_NEAR(v, ref, 1e-6);
        for (int a = 0; a < 3; ++a) {
            VecD<3> plus = p, minus = p;
            plus[a] += h;
            minus[a] -= h;
            float vp, vm;
            ASSERT_TRUE(sample_linear(image, plus, vp));
            ASSERT_TRUE(sample_linear(image, minus, vm));
            EXPECT_NEAR(g[a], (vp - vm) / (2 * h), 2e-4) << "axis " << a << " at " << p.transpose();
        }
    }
}

// ---------------------------------------------------------------------------------
// Nearest

TEST(InterpolateNearest, TakesTheClosestVoxel) {
    const Size<3> size{5, 6, 4};
    ScalarImage<3> image(unit_grid<3>(size));
    std::mt19937 rng(6);
    std::uniform_real_distribution<float> value(-10, 10);
    for (float& v : image.voxels()) v = value(rng);
    for (int k = 0; k < 300; ++k) {
        const VecD<3> p = random_point<3>(rng, size, 0.0);
        Size<3> idx;
        bool tie = false;
        for (int a = 0; a < 3; ++a) {
            idx[a] = static_cast<Index>(std::floor(p[a] + 0.5));
            tie |= std::abs(p[a] - std::floor(p[a]) - 0.5) < 1e-9;
        }
        if (tie) continue;
        float v;
        ASSERT_TRUE(sample_nearest(image, p, v));
        EXPECT_EQ(v, image.at(idx)) << p.transpose();
    }
    // Exactly on the last voxel and the first.
    float v;
    ASSERT_TRUE(sample_nearest(image, VecD<3>(4, 5, 3), v));
    EXPECT_EQ(v, image.at({4, 5, 3}));
    ASSERT_TRUE(sample_nearest(image, VecD<3>(0, 0, 0), v));
    EXPECT_EQ(v, image.at({0, 0, 0}));
}

// ---------------------------------------------------------------------------------
// Cubic B-spline

namespace {

template <int D>
void expect_bspline_reproduces_voxels(const Size<D>& size, unsigned seed) {
    ScalarImage<D> image(unit_grid<D>(size));
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> value(0, 1);
    for (float& v : image.voxels()) v = value(rng);
    const ScalarImage<D> c = bspline_coefficients(image);
    double worst = 0;
    for (Index o = 0; o < image.voxel_count(); ++o) {
        const Size<D> idx = image.grid().index_of(o);
        VecD<D> ci;
        for (int a = 0; a < D; ++a) ci[a] = static_cast<double>(idx[a]);
        float v;
        ASSERT_TRUE(sample_bspline(c, ci, v));
        worst = std::max(worst, std::abs(double(v) - image[o]));
    }
    EXPECT_LT(worst, 1e-4) << "largest error at a voxel centre, image size " << size[0] << "x" << size[1]
                           << (D == 3 ? "x" + std::to_string(size[D - 1]) : std::string());
}

}  // namespace

TEST(InterpolateBSpline, ReproducesVoxelValues) {
    expect_bspline_reproduces_voxels<3>({12, 10, 9}, 7);
    expect_bspline_reproduces_voxels<2>({40, 33}, 8);
    expect_bspline_reproduces_voxels<3>({31, 32, 35}, 9);
}

TEST(InterpolateBSpline, ReproducesVoxelValuesOfSmallImages) {
    // Interpolation must hold for every image size, not only for lines longer than the
    // prefilter's initialisation horizon.
    for (Index n : {2, 3, 4, 5, 6, 8, 12, 20})
        expect_bspline_reproduces_voxels<2>({n, n + 1}, static_cast<unsigned>(10 + n));
}

TEST(InterpolateBSpline, ExactForCubicPolynomialsAwayFromTheBorder) {
    // Cubic B-spline interpolation reproduces every polynomial of degree <= 3 per axis
    // on an infinite grid; with mirror boundaries the error decays like |z|^d with
    // z = sqrt(3) - 2 (|z| ~ 0.27) at d voxels from the border, so at 12 voxels it is
    // ~1e-7 of the mismatch.
    const Size<2> size{40, 36};
    const auto f = [](const VecD<2>& c) {
        const double u = c[0] - 20, v = c[1] - 18;
        return 1 + 0.3 * u - 0.2 * v + 0.05 * u * u + 0.03 * u * v - 0.04 * v * v + 0.002 * u * u * u -
               0.001 * u * v * v + 0.0015 * v * v * v;
    };
    const ScalarImage<2> image = from_index_function<2>(size, f);
    const ScalarImage<2> c = bspline_coefficients(image);
    std::mt19937 rng(11);
    double worst_bspline = 0, worst_linear = 0;
    for (int k = 0; k < 300; ++k) {
        const VecD<2> p = random_point<2>(rng, size, 12.0);
        float v, lin;
        ASSERT_TRUE(sample_bspline(c, p, v));
        ASSERT_TRUE(sample_linear(image, p, lin));
        worst_bspline = std::max(worst_bspline, std::abs(v - f(p)));
        worst_linear = std::max(worst_linear, std::abs(lin - f(p)));
    }
    EXPECT_LT(worst_bspline, 2e-4);
    // The points are not at voxel centres: linear interpolation is visibly wrong there.
    EXPECT_GT(worst_linear, 1e-2);
}

TEST(InterpolateBSpline, ExactForQuadraticsIn3D) {
    const Size<3> size{28, 26, 24};
    const auto f = [](const VecD<3>& c) {
        const double u = c[0] - 14, v = c[1] - 13, w = c[2] - 12;
        return 2 + 0.1 * u + 0.2 * w + 0.04 * u * u - 0.03 * v * v + 0.02 * w * w + 0.05 * u * v - 0.01 * v * w;
    };
    const ScalarImage<3> image = from_index_function<3>(size, f);
    const ScalarImage<3> c = bspline_coefficients(image);
    std::mt19937 rng(12);
    double worst = 0;
    for (int k = 0; k < 200; ++k) {
        const VecD<3> p = random_point<3>(rng, size, 10.0);
        float v;
        ASSERT_TRUE(sample_bspline(c, p, v));
        worst = std::max(worst, std::abs(v - f(p)));
    }
    EXPECT_LT(worst, 2e-4);
}

// ---------------------------------------------------------------------------------
// Labels

namespace {

// The reference rule: the label with the largest total multilinear weight.
template <int D>
float reference_label(const ScalarImage<D>& labels, const VecD<D>& p, std::set<float>& corners) {
    Index lo[D];
    double f[D];
    for (int a = 0; a < D; ++a) {
        lo[a] = std::min<Index>(static_cast<Index>(std::floor(p[a])), labels.size()[a] - 2);
        f[a] = p[a] - static_cast<double>(lo[a]);
    }
    std::map<float, double> total;
    for (int c = 0; c < (1 << D); ++c) {
        Size<D> idx;
        double w = 1;
        for (int a = 0; a < D; ++a) {
            const int bit = (c >> a) & 1;
            idx[a] = lo[a] + bit;
            w *= bit ? f[a] : 1 - f[a];
        }
        total[labels.at(idx)] += w;
        corners.insert(labels.at(idx));
    }
    float best = 0;
    double best_weight = -1;
    for (const auto& [label, w] : total)
        if (w > best_weight) { best = label; best_weight = w; }
    return best;
}

template <int D>
void check_labels(const Size<D>& size, unsigned seed) {
    const std::vector<float> palette{3, 7, 11, 42, 1000};
    ScalarImage<D> labels(unit_grid<D>(size));
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> pick(0, static_cast<int>(palette.size()) - 1);
    for (float& v : labels.voxels()) v = palette[pick(rng)];
    const std::set<float> present(labels.voxels().begin(), labels.voxels().end());
    for (int k = 0; k < 500; ++k) {
        const VecD<D> p = random_point<D>(rng, size, 0.0);
        float v = -1;
        ASSERT_TRUE(sample_label(labels, p, v));
        std::set<float> corners;
        const float expected = reference_label(labels, p, corners);
        EXPECT_TRUE(present.count(v)) << v << " is not an input label";
        EXPECT_TRUE(corners.count(v)) << v << " is not the label of a neighbouring voxel";
        EXPECT_EQ(v, expected) << "at " << p.transpose();
    }
}

}  // namespace

TEST(InterpolateLabel, NeverInventsLabelsAndTakesTheLargestWeight) {
    check_labels<2>({9, 8}, 13);
    check_labels<3>({7, 6, 5}, 14);
}

TEST(InterpolateLabel, MajorityOfTheCell) {
    // One cell: three corners of label 5, one of label 9.
    ScalarImage<2> labels(unit_grid<2>({2, 2}), 5.0f);
    labels.at({0, 0}) = 9;
    float v;
    // At the cell centre every corner weighs 1/4: the majority (5) wins; a linear
    // interpolation would give 6, a label that does not exist.
    ASSERT_TRUE(sample_label(labels, VecD<2>(0.5, 0.5), v));
    EXPECT_EQ(v, 5.0f);
    // Close to the lone corner its weight (0.81) beats the other three (0.19).
    ASSERT_TRUE(sample_label(labels, VecD<2>(0.1, 0.1), v));
    EXPECT_EQ(v, 9.0f);
    // The last voxel.
    ASSERT_TRUE(sample_label(labels, VecD<2>(1, 1), v));
    EXPECT_EQ(v, 5.0f);
    ASSERT_TRUE(sample_label(labels, VecD<2>(0, 0), v));
    EXPECT_EQ(v, 9.0f);
}

// ---------------------------------------------------------------------------------
// Outside points

TEST(Interpolate, OutsidePointsReturnFalseAndLeaveTheOutputAlone) {
    const Size<3> size{5, 4, 3};
    ScalarImage<3> image = from_index_function<3>(size, [](const VecD<3>& c) { return 1 + c.sum(); });
    const ScalarImage<3> coefficients = bspline_coefficients(image);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<VecD<3>> outside{VecD<3>(-0.01, 1, 1), VecD<3>(4.01, 1, 1), VecD<3>(1, -1, 1),
                                       VecD<3>(1, 3.5, 1),   VecD<3>(1, 1, 2.001), VecD<3>(1, 1, -0.5),
                                       VecD<3>(100, 100, 100), VecD<3>(nan, 1, 1), VecD<3>(1, 1, nan)};
    for (const VecD<3>& p : outside) {
        float v = -7;
        Vec<3> g(-7, -7, -7);
        EXPECT_FALSE(sample_linear(image, p, v)) << p.transpose();
        EXPECT_FALSE(sample_linear_with_gradient(image, p, v, g)) << p.transpose();
        EXPECT_FALSE(sample_nearest(image, p, v)) << p.transpose();
        EXPECT_FALSE(sample_bspline(coefficients, p, v)) << p.transpose();
        EXPECT_FALSE(sample_label(image, p, v)) << p.transpose();
        EXPECT_EQ(v, -7.0f);
        EXPECT_EQ(g, Vec<3>(-7, -7, -7));
    }
    // The extreme voxel centres are inside.
    for (const VecD<3>& p : {VecD<3>(0, 0, 0), VecD<3>(4, 3, 2), VecD<3>(4, 0, 2)}) {
        float v;
        EXPECT_TRUE(sample_linear(image, p, v));
        EXPECT_TRUE(sample_nearest(image, p, v));
        EXPECT_TRUE(sample_bspline(coefficients, p, v));
        EXPECT_TRUE(sample_label(image, p, v));
    }
    // 2-D as well.
    const ScalarImage<2> image2(unit_grid<2>({3, 3}), 1.0f);
    float v = -7;
    EXPECT_FALSE(sample_linear(image2, VecD<2>(2.01, 0), v));
    EXPECT_FALSE(sample_nearest(image2, VecD<2>(0, -0.2), v));
    EXPECT_EQ(v, -7.0f);
    EXPECT_TRUE(sample_linear(image2, VecD<2>(2, 2), v));
    EXPECT_EQ(v, 1.0f);
}

TEST(Interpolate, ParseAndPrintInterpolationNames) {
    for (Interpolation how : {Interpolation::nearest, Interpolation::linear, Interpolation::bspline, Interpolation::label})
        EXPECT_EQ(parse_interpolation(to_string(how)), how);
    EXPECT_EQ(parse_interpolation("NearestNeighbor"), Interpolation::nearest);
    EXPECT_EQ(parse_interpolation("GenericLabel"), Interpolation::label);
    EXPECT_THROW(parse_interpolation("sinc"), std::exception);
}
