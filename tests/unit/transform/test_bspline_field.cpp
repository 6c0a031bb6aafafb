// The B-spline free-form deformation: interpolation of fitted coefficients, the
// adjoint identity <B c, g> = <c, B^T g>, and the bending penalty's gradient.
#include "alinea/bspline_field.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace alinea;

namespace {

Grid<3> oblique_grid() {
    const MatD<3> r = Eigen::AngleAxisd(0.3, VecD<3>(1, -1, 2).normalized()).toRotationMatrix();
    return Grid<3>::from_spacing({30, 26, 22}, VecD<3>(1.0, 1.2, 1.5), VecD<3>(-10, 5, 3), r);
}

VectorField<3> smooth_field(const Grid<3>& g) {
    VectorField<3> f(g);
    for (Index i = 0; i < f.voxel_count(); ++i) {
        const Size<3> idx = g.index_of(i);
        VecD<3> ci(idx[0], idx[1], idx[2]);
        const VecD<3> p = g.physical(ci);
        f[i] = Vec<3>(std::sin(p[0] / 9), std::cos(p[1] / 11), 0.5 * std::sin((p[0] + p[2]) / 13)).cast<float>();
    }
    return f;
}

}  // namespace

TEST(BsplineField, FittedCoefficientsReproduceASmoothFieldInside) {
    const Grid<3> g = oblique_grid();
    const VectorField<3> f = smooth_field(g);
    const Grid<3> control = control_grid(g, 3.0);
    const VectorField<3> u = bspline_displacement(fit_coefficients(f, control), g);
    double worst = 0;
    for (Index i = 0; i < f.voxel_count(); ++i) {
        const Size<3> idx = g.index_of(i);
        bool interior = true;
        for (int a = 0; a < 3; ++a) interior = interior && idx[a] > 4 && idx[a] < g.size(a) - 5;
        if (interior) worst = std::max(worst, double((u[i] - f[i]).norm()));
    }
    EXPECT_LT(worst, 0.02);  // the field changes by ~0.1 per mm; spacing 3 mm
}

TEST(BsplineField, AdjointIsTheTranspose) {
    const Grid<3> g = oblique_grid();
    const Grid<3> control = control_grid(g, 4.0);
    std::mt19937 rng(1);
    std::normal_distribution<float> n(0, 1);
    VectorField<3> c(control), dense(g);
    for (Vec<3>& v : c.voxels()) v = Vec<3>(n(rng), n(rng), n(rng));
    for (Vec<3>& v : dense.voxels()) v = Vec<3>(n(rng), n(rng), n(rng));
    const VectorField<3> bc = bspline_displacement(c, g);
    const VectorField<3> btg = bspline_adjoint(dense, control);
    double lhs = 0, rhs = 0;
    for (Index i = 0; i < g.voxel_count(); ++i) lhs += bc[i].cast<double>().dot(dense[i].cast<double>());
    for (Index k = 0; k < control.voxel_count(); ++k) rhs += c[k].cast<double>().dot(btg[k].cast<double>());
    EXPECT_NEAR(lhs, rhs, 1e-4 * std::abs(lhs));
}

TEST(BsplineField, BendingGradientMatchesFiniteDifferences) {
    const Grid<2> control = Grid<2>::from_spacing({7, 6}, VecD<2>(5, 5));
    std::mt19937 rng(2);
    std::normal_distribution<float> n(0, 1);
    VectorField<2> c(control);
    for (Vec<2>& v : c.voxels()) v = Vec<2>(n(rng), n(rng));
    VectorField<2> g(control, Vec<2>::Zero());
    bending_penalty(c, 0.7, &g);
    for (Index k : {Index(0), Index(8), Index(20), Index(41)})
        for (int a = 0; a < 2; ++a) {
            const float h = 1e-2f;
            VectorField<2> plus = c, minus = c;
            plus[k][a] += h;
            minus[k][a] -= h;
            const double numeric = (bending_penalty<2>(plus, 0.7, nullptr) - bending_penalty<2>(minus, 0.7, nullptr)) / (2 * h);
            EXPECT_NEAR(g[k][a], numeric, 1e-3 * std::max(1.0, std::abs(numeric)));
        }
}
