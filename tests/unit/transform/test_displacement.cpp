// Dense displacement and velocity fields against answers known in closed form or by
// an independent computation: translations add under composition, the exponential of
// a linear velocity is the matrix exponential, the exponential of a smooth velocity
// is its flow (RK4 on the same interpolated velocity), exp(v) and exp(-v) undo each
// other, invert() undoes a field that is not an exponential, and the Jacobian
// determinant of x -> A x is det(A) on an oblique anisotropic grid. Grids are oblique
// and anisotropic throughout so that a mix-up of index and physical space shows.
#include "alinea/displacement.hpp"
#include "alinea/interpolate.hpp"
#include "alinea/parallel.hpp"
#include "alinea/pyramid.hpp"

#include "unit/test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <numbers>

using namespace alinea;
using namespace alinea::test;

namespace {

MatD<2> rotation2(double angle) { return Eigen::Rotation2Dd(angle).toRotationMatrix(); }

Grid<3> oblique_grid(const Size<3>& size = {44, 40, 36}) {
    return Grid<3>::from_spacing(size, VecD<3>(1.1, 0.8, 1.4), VecD<3>(-20.5, 7.25, 31),
                                 rotation(0.35, VecD<3>(1, -2, 0.7)));
}

Grid<2> oblique_grid2() {
    return Grid<2>::from_spacing({70, 64}, VecD<2>(0.9, 1.3), VecD<2>(12, -30), rotation2(-0.4));
}

template <int D>
VecD<D> voxel_point(const Grid<D>& grid, Index offset) {
    return grid.physical(voxel_index(grid, offset));
}

// u(x) = f(physical x) at every voxel.
template <int D>
VectorField<D> sample_field(const Grid<D>& grid, const std::function<VecD<D>(const VecD<D>&)>& f) {
    VectorField<D> field(grid);
    for (Index o = 0; o < field.voxel_count(); ++o) field[o] = f(voxel_point(grid, o)).template cast<float>();
    return field;
}

// Voxels at least `margin` voxels away from every face: far enough from the border
// that the "zero outside the grid" rule cannot reach them.
template <int D>
bool interior(const Grid<D>& grid, Index offset, double margin) {
    const VecD<D> ci = voxel_index(grid, offset);
    for (int a = 0; a < D; ++a)
        if (ci[a] < margin || ci[a] > static_cast<double>(grid.size(a) - 1) - margin) return false;
    return true;
}

// Mean and max of |f(offset)| over interior voxels.
struct Residual {
    double mean = 0, max = 0;
    Index count = 0;
};
template <int D, class F>
Residual interior_residual(const Grid<D>& grid, double margin, F f) {
    Residual r;
    for (Index o = 0; o < grid.voxel_count(); ++o) {
        if (!interior(grid, o, margin)) continue;
        const double e = f(o);
        r.mean += e;
        r.max = std::max(r.max, e);
        ++r.count;
    }
    if (r.count > 0) r.mean /= static_cast<double>(r.count);
    return r;
}

template <int D>
MatD<D> matrix_exponential(const MatD<D>& b) {
    // Taylor series: converges fast for the small matrices used here.
    MatD<D> sum = MatD<D>::Identity(), term = MatD<D>::Identity();
    for (int k = 1; k < 40; ++k) {
        term = term * b / static_cast<double>(k);
        sum += term;
    }
    return sum;
}

// A smooth velocity (wavelengths ~50-70 mm) with a maximum of about `amplitude` mm.
VecD<3> smooth_velocity(const VecD<3>& p, double amplitude) {
    return amplitude * VecD<3>(0.6 * std::sin(0.09 * p[1] + 0.3) * std::cos(0.07 * p[2]),
                               0.5 * std::cos(0.08 * p[0] - 0.05 * p[2]),
                               0.55 * std::sin(0.1 * p[0] + 0.06 * p[1] + 1.0));
}

// The flow of dx/dt = v(x) over t in [0, 1] from x0, with v the linear interpolant of
// the sampled field (so the reference and the exponential see the same velocity):
// classic RK4 with many small steps.
VecD<3> rk4_flow(const VectorField<3>& v, const VecD<3>& x0, int steps) {
    auto at = [&](const VecD<3>& p) {
        Vec<3> s;
        return sample_linear(v, v.grid().continuous_index(p), s) ? VecD<3>(s.cast<double>()) : VecD<3>::Zero();
    };
    const double h = 1.0 / steps;
    VecD<3> x = x0;
    for (int i = 0; i < steps; ++i) {
        const VecD<3> k1 = at(x), k2 = at(x + 0.5 * h * k1), k3 = at(x + 0.5 * h * k2), k4 = at(x + h * k3);
        x += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    return x;
}

template <class T, int D>
bool bitwise_equal(const Image<T, D>& a, const Image<T, D>& b) {
    return a.voxel_count() == b.voxel_count() &&
           std::memcmp(a.data(), b.data(), sizeof(T) * static_cast<size_t>(a.voxel_count())) == 0;
}

// Restores the default thread count when a test ends, whatever happens.
struct ThreadCount {
    explicit ThreadCount(int n) : saved(omp_get_max_threads()) { set_thread_count(n); }
    ~ThreadCount() { set_thread_count(saved); }
    int saved;
};

}  // namespace

// ---------------------------------------------------------------------------------
// compose

TEST(Compose, TwoTranslationsAddUp) {
    const Grid<3> grid = oblique_grid();
    const VecD<3> t_outer(2.5, -1.25, 0.75), t_inner(-0.5, 3.0, 1.2);
    const VectorField<3> outer(grid, t_outer.cast<float>()), inner(grid, t_inner.cast<float>());
    const VectorField<3> both = compose(outer, inner);
    ASSERT_TRUE(both.grid().same_as(inner.grid()));
    // x + t_inner must stay inside the outer field's grid: 4 voxels of margin are plenty.
    const Residual r = interior_residual(grid, 4.0, [&](Index o) {
        return (both[o].cast<double>() - (t_outer + t_inner)).norm();
    });
    EXPECT_GT(r.count, 10000);
    EXPECT_LT(r.max, 1e-5);
}

TEST(Compose, OuterFieldIsSampledInPhysicalSpaceOnItsOwnGrid) {
    // The outer field lives on another grid (coarser, other orientation) and is a
    // linear function there, so linear interpolation is exact: out(x) = t + B (x + t).
    const Grid<3> grid = oblique_grid();
    const MatD<3> coarse_linear = rotation(-0.2, VecD<3>(0, 1, 1)) * VecD<3>(2.5, 2.0, 3.0).asDiagonal();
    const Grid<3> coarse({30, 30, 30}, coarse_linear, grid.center() - coarse_linear * VecD<3>::Constant(14.5));
    MatD<3> b;
    b << 0.02, -0.01, 0.03, 0.01, -0.02, 0.0, 0.015, 0.01, 0.01;
    const VecD<3> t(1.5, -2.0, 0.5);
    const VectorField<3> outer = sample_field<3>(coarse, [&](const VecD<3>& p) { return VecD<3>(b * p); });
    const VectorField<3> inner(grid, t.cast<float>());
    const VectorField<3> both = compose(outer, inner);
    Index checked = 0;
    for (Index o = 0; o < grid.voxel_count(); ++o) {
        const VecD<3> y = voxel_point(grid, o) + t;
        const VecD<3> ci = coarse.continuous_index(y);
        if ((ci.array() < 1).any() || (ci.array() > 28).any()) continue;
        ASSERT_LT((both[o].cast<double>() - (t + b * y)).norm(), 1e-4) << "voxel " << o;
        ++checked;
    }
    EXPECT_GT(checked, 10000);
}

TEST(Compose, OuterFieldIsExtendedByItsBorderValues) {
    // Points pushed out of the outer field's grid by the inner field see the outer
    // field's value at the nearest border point (clamped continuous index).
    const Grid<3> grid = oblique_grid({20, 18, 16});
    MatD<3> b;
    b << 0.02, -0.01, 0.03, 0.01, -0.02, 0.0, 0.015, 0.01, 0.01;
    const VectorField<3> outer = sample_field<3>(grid, [&](const VecD<3>& p) { return VecD<3>(b * p); });
    const VecD<3> far(40, -10, 5);
    const VectorField<3> both = compose(outer, VectorField<3>(grid, far.cast<float>()));
    Index outside = 0;
    for (Index o = 0; o < grid.voxel_count(); ++o) {
        VecD<3> ci = grid.continuous_index(voxel_point(grid, o) + far);
        bool out = false;
        for (int a = 0; a < 3; ++a) {
            const double c = std::clamp(ci[a], 0.0, static_cast<double>(grid.size(a) - 1));
            out = out || c != ci[a];
            ci[a] = c;
        }
        outside += out;
        ASSERT_LT((both[o].cast<double>() - (far + b * grid.physical(ci))).norm(), 1e-4) << "voxel " << o;
    }
    EXPECT_GT(outside, grid.voxel_count() / 2);
}

// ---------------------------------------------------------------------------------
// exponential

TEST(Exponential, OfLinearVelocityIsTheMatrixExponential) {
    // v(x) = B (x - c): the flow is phi(x) = c + expm(B) (x - c), so u = (expm(B) - I)(x - c).
    // Linear interpolation is exact for v and for every squared field, so only the
    // scaling-and-squaring approximation and the grid border remain; the border's effect
    // travels inward by at most the displacement, so the check stays inside a ball.
    const Grid<3> grid = oblique_grid({56, 60, 48});
    const VecD<3> c = grid.center();
    MatD<3> b;
    b << 0.05, -0.12, 0.03, 0.10, 0.02, -0.06, -0.04, 0.07, -0.03;
    const VectorField<3> v = sample_field<3>(grid, [&](const VecD<3>& p) { return VecD<3>(b * (p - c)); });
    const VectorField<3> u = exponential(v);
    const MatD<3> e = matrix_exponential<3>(b) - MatD<3>::Identity();
    const double voxel = grid.spacing().minCoeff();
    double worst = 0, largest = 0;
    Index count = 0;
    for (Index o = 0; o < grid.voxel_count(); ++o) {
        const VecD<3> p = voxel_point(grid, o);
        if ((p - c).norm() > 15) continue;
        const VecD<3> expected = e * (p - c);
        largest = std::max(largest, expected.norm());
        worst = std::max(worst, (u[o].cast<double>() - expected).norm());
        ++count;
    }
    EXPECT_GT(count, 5000);
    EXPECT_GT(largest, 2.0) << "the test needs a displacement of a few voxels";
    EXPECT_LT(worst, 0.05 * voxel) << "largest displacement " << largest << " mm";
}

TEST(Exponential, OfLinearVelocityIn2D) {
    const Grid<2> grid = oblique_grid2();
    const VecD<2> c = grid.center();
    MatD<2> b;
    b << 0.04, -0.15, 0.12, -0.02;
    const VectorField<2> v = sample_field<2>(grid, [&](const VecD<2>& p) { return VecD<2>(b * (p - c)); });
    const VectorField<2> u = exponential(v);
    const MatD<2> e = matrix_exponential<2>(b) - MatD<2>::Identity();
    double worst = 0;
    for (Index o = 0; o < grid.voxel_count(); ++o) {
        const VecD<2> p = voxel_point(grid, o);
        if ((p - c).norm() > 18) continue;
        worst = std::max(worst, (u[o].cast<double>() - e * (p - c)).norm());
    }
    EXPECT_LT(worst, 0.05 * grid.spacing().minCoeff());
}

TEST(Exponential, OfSmoothVelocityMatchesRk4Flow) {
    const Grid<3> grid = oblique_grid({56, 60, 48});
    const VectorField<3> v = sample_field<3>(grid, [](const VecD<3>& p) { return smooth_velocity(p, 4.0); });
    ASSERT_GT(max_norm(v), 2.5);
    const VectorField<3> u = exponential(v);
    const double voxel = grid.spacing().minCoeff();
    double sum = 0, worst = 0;
    Index count = 0;
    // Every 3rd voxel along each axis, 8 voxels (> the largest displacement) from the border.
    for (Index o = 0; o < grid.voxel_count(); ++o) {
        const Size<3> idx = grid.index_of(o);
        if (idx[0] % 3 || idx[1] % 3 || idx[2] % 3 || !interior(grid, o, 8.0)) continue;
        const VecD<3> x = voxel_point(grid, o);
        const double e = (u[o].cast<double>() - (rk4_flow(v, x, 200) - x)).norm();
        sum += e;
        worst = std::max(worst, e);
        ++count;
    }
    EXPECT_GT(count, 1000);
    EXPECT_LT(sum / static_cast<double>(count), 0.05 * voxel);
    EXPECT_LT(worst, 0.1 * voxel);
}

// The two-scale exponential is exact (to interpolation) for the coarse part of a
// velocity, and first-order for its fine part: right when the fine part varies little
// along the displacement. Two regimes: a large smooth velocity (it must match the
// full-resolution exponential as closely as a half-resolution copy does), and a small
// one with detail at the scale of two voxels (it must keep the detail that the
// half-resolution copy loses).
TEST(TwoScaleExponential, ExactForTheCoarsePartFirstOrderForTheFine) {
    const Grid<3> grid = oblique_grid({56, 60, 48});
    const double voxel = grid.spacing().minCoeff();
    const auto mean_errors = [&](const VectorField<3>& v) {
        VectorField<3> two_scale;
        two_scale_exponential(v, 1.0f, two_scale);
        EXPECT_TRUE(two_scale.grid().same_as(grid));
        const VectorField<3> half_only = resample_field(exponential(resample_field(v, shrink_grid(grid, 2))), grid);
        const VectorField<3> full = exponential(v);
        double two = 0, half = 0;
        Index count = 0;
        for (Index o = 0; o < grid.voxel_count(); ++o) {
            const Size<3> idx = grid.index_of(o);
            if (idx[0] % 3 || idx[1] % 3 || idx[2] % 3 || !interior(grid, o, 8.0)) continue;
            two += (two_scale[o] - full[o]).norm();
            half += (half_only[o] - full[o]).norm();
            ++count;
        }
        EXPECT_GT(count, 1000);
        return std::pair{two / static_cast<double>(count), half / static_cast<double>(count)};
    };
    const VectorField<3> smooth = sample_field<3>(grid, [](const VecD<3>& p) { return smooth_velocity(p, 4.0); });
    const auto [smooth_two, smooth_half] = mean_errors(smooth);
    EXPECT_LT(smooth_two, 0.05 * voxel);
    EXPECT_LT(smooth_two, 1.5 * smooth_half);

    const VectorField<3> detailed = sample_field<3>(grid, [](const VecD<3>& p) {
        const VecD<3> fine(std::sin(2.2 * p[0]) * std::cos(1.9 * p[1]), std::cos(2.4 * p[2]), std::sin(2.0 * p[1]));
        return VecD<3>(smooth_velocity(p, 0.3) + 0.1 * fine);
    });
    const auto [detail_two, detail_half] = mean_errors(detailed);
    EXPECT_LT(detail_two, 0.02 * voxel);
    EXPECT_LT(detail_two, 0.25 * detail_half);

    // exp(s v) with s = -1 undoes s = 1, as exponential(-v) does.
    VectorField<3> forward, inverse;
    two_scale_exponential(smooth, 1.0f, forward);
    two_scale_exponential(smooth, -1.0f, inverse);
    EXPECT_LT(inverse_residual(forward, inverse), 0.05 * voxel);
}

TEST(Exponential, OfVelocityAndItsNegativeUndoEachOther) {
    const Grid<3> grid = oblique_grid({56, 60, 48});
    const VectorField<3> v = sample_field<3>(grid, [](const VecD<3>& p) { return smooth_velocity(p, 4.0); });
    VectorField<3> minus_v = v;
    for (Vec<3>& x : minus_v.voxels()) x = -x;
    const VectorField<3> forward = exponential(v), backward = exponential(minus_v);
    const double voxel = grid.spacing().minCoeff();
    for (const auto& [outer, inner] : {std::pair{&forward, &backward}, std::pair{&backward, &forward}}) {
        const VectorField<3> identity = compose(*outer, *inner);
        const Residual r = interior_residual(grid, 8.0, [&](Index o) { return static_cast<double>(identity[o].norm()); });
        EXPECT_GT(r.count, 10000);
        EXPECT_LT(r.mean, 0.05 * voxel);
        EXPECT_LT(r.max, 0.2 * voxel);
    }
}

TEST(Exponential, ZeroSquaringsReturnsTheVelocityAndZeroStaysZero) {
    const Grid<3> grid = oblique_grid({12, 10, 8});
    const VectorField<3> v = sample_field<3>(grid, [](const VecD<3>& p) { return smooth_velocity(p, 1.0); });
    EXPECT_TRUE(bitwise_equal(exponential(v, 0), v));
    const VectorField<3> zero(grid, Vec<3>::Zero());
    const VectorField<3> exp_zero = exponential(zero);  // keep it alive for the loop
    for (const Vec<3>& x : exp_zero.voxels()) ASSERT_EQ(x.norm(), 0.0f);
}

TEST(Exponential, SameResultForAnyThreadCount) {
    const Grid<3> grid = oblique_grid();
    const VectorField<3> v = sample_field<3>(grid, [](const VecD<3>& p) { return smooth_velocity(p, 5.0); });
    VectorField<3> one, two;
    {
        ThreadCount t(1);
        one = exponential(v);
    }
    {
        ThreadCount t(2);
        two = exponential(v);
    }
    EXPECT_TRUE(bitwise_equal(one, two));
}

// ---------------------------------------------------------------------------------
// invert

TEST(Invert, InverseConsistencyOfASmoothField) {
    // A smooth field that is not an exponential, up to ~4 mm, with |du/dx| < 1 so that
    // the fixed-point iteration converges.
    const Grid<3> grid = oblique_grid({56, 60, 48});
    const VectorField<3> u = sample_field<3>(grid, [](const VecD<3>& p) {
        return VecD<3>(3.0 * std::sin(0.07 * p[1] + 0.2 * std::cos(0.05 * p[2])),
                       -2.0 * std::cos(0.06 * p[0]) * std::sin(0.05 * p[2] + 0.5), 2.5 * std::sin(0.08 * p[0] + 0.04 * p[1]));
    });
    ASSERT_GT(max_norm(u), 3.5);
    ASSERT_LT(max_norm(u), 4.5);
    double reported = -1;
    const VectorField<3> w = invert(u, 40, &reported);
    const double voxel = grid.spacing().minCoeff();
    EXPECT_GE(reported, 0);
    EXPECT_LT(reported, 0.05 * voxel);
    // Right inverse (what the iteration solves) and left inverse.
    for (const auto& [outer, inner] : {std::pair{&u, &w}, std::pair{&w, &u}}) {
        const VectorField<3> identity = compose(*outer, *inner);
        const Residual r = interior_residual(grid, 8.0, [&](Index o) { return static_cast<double>(identity[o].norm()); });
        EXPECT_GT(r.count, 10000);
        EXPECT_LT(r.mean, 0.05 * voxel);
        EXPECT_LT(r.max, 0.2 * voxel);
    }
}

TEST(Invert, OfATranslationIsTheOppositeTranslation) {
    const Grid<2> grid = oblique_grid2();
    const VecD<2> t(2.25, -1.5);
    const VectorField<2> w = invert(VectorField<2>(grid, t.cast<float>()), 5);
    const Residual r = interior_residual(grid, 4.0, [&](Index o) { return (w[o].cast<double>() + t).norm(); });
    EXPECT_GT(r.count, 1000);
    EXPECT_LT(r.max, 1e-5);
}

TEST(Invert, BorderVoxelsConvergeAndTheReportedResidualIsSmall) {
    // Near the face that a translation pulls points across, x + w leaves the grid. The
    // answer there must not depend on the parity of the iteration count, and the
    // residual that invert() reports must describe the field it returns (a translation
    // has an exact inverse, so ~0).
    const Grid<3> grid = Grid<3>::from_spacing({20, 20, 20}, VecD<3>(1, 1, 1));
    const VectorField<3> u(grid, Vec<3>(3, 0, 0));
    double r6 = -1, r7 = -1;
    const VectorField<3> w6 = invert(u, 6, &r6), w7 = invert(u, 7, &r7);
    const Size<3> border{1, 10, 10};
    EXPECT_NEAR(w6.at(border)[0], w7.at(border)[0], 1e-4) << "the iteration oscillates at the border";
    EXPECT_LT(r6, 0.01);
    EXPECT_LT(r7, 0.01);
}

TEST(InverseResidual, MeasuresHowFarAFieldIsFromAnInverse) {
    const Grid<3> grid = oblique_grid({16, 14, 12});
    const VecD<3> t(1.5, -2.0, 0.5);
    const VectorField<3> u(grid, t.cast<float>());
    EXPECT_LT(inverse_residual(u, VectorField<3>(grid, (-t).cast<float>())), 1e-6);
    // The identity as a candidate inverse is |t| away everywhere.
    EXPECT_NEAR(inverse_residual(u, VectorField<3>(grid, Vec<3>::Zero())), t.norm(), 1e-5);
    // invert() reports what inverse_residual() measures.
    const VectorField<3> v = sample_field<3>(grid, [](const VecD<3>& p) { return smooth_velocity(p, 3.0); });
    double reported = -1;
    const VectorField<3> w = invert(v, 3, &reported);
    EXPECT_DOUBLE_EQ(reported, inverse_residual(v, w));
}

// ---------------------------------------------------------------------------------
// resample_field

TEST(ResampleField, LinearFieldOnAFinerGridAndBorderValuesOutside) {
    const Grid<3> grid = oblique_grid({16, 14, 12});
    MatD<3> b;
    b << 0.1, -0.2, 0.05, 0.0, 0.3, -0.1, 0.2, 0.1, -0.05;
    const VectorField<3> field = sample_field<3>(grid, [&](const VecD<3>& p) { return VecD<3>(b * p); });
    // A finer grid, other orientation, reaching beyond the field's grid on every side.
    const MatD<3> fine_linear = rotation(0.3, VecD<3>(1, 1, 0)) * VecD<3>(0.7, 0.6, 0.9).asDiagonal();
    const Grid<3> fine({40, 44, 36}, fine_linear, grid.center() - fine_linear * VecD<3>(19.5, 21.5, 17.5));
    const VectorField<3> out = resample_field(field, fine);
    ASSERT_TRUE(out.grid().same_as(fine));
    Index outside = 0;
    for (Index o = 0; o < fine.voxel_count(); ++o) {
        VecD<3> ci = grid.continuous_index(voxel_point(fine, o));
        const VecD<3> clamped = ci.cwiseMax(0.0).cwiseMin(VecD<3>(15, 13, 11));
        outside += clamped != ci;
        ASSERT_LT((out[o].cast<double>() - b * grid.physical(clamped)).norm(), 1e-4) << "voxel " << o;
    }
    EXPECT_GT(outside, 1000);
}

// Between axis-aligned grids (a pyramid level and its parent, or a flipped and shifted
// copy) resampling takes the separable path: it must give the same linear field, with
// border values outside, as the general path does.
TEST(ResampleField, AxisAlignedGridsIncludingFlippedAxesAndBorderValues) {
    const Grid<3> grid = oblique_grid({17, 14, 12});
    MatD<3> b;
    b << 0.1, -0.2, 0.05, 0.0, 0.3, -0.1, 0.2, 0.1, -0.05;
    const VectorField<3> field = sample_field<3>(grid, [&](const VecD<3>& p) { return VecD<3>(b * p); });
    const MatD<3> flipped_linear = grid.linear() * VecD<3>(-0.45, 0.7, 1.3).asDiagonal();
    const std::vector<Grid<3>> targets = {
        shrink_grid(grid, 2),
        Grid<3>({40, 22, 11}, flipped_linear, grid.physical(VecD<3>(18, -2.5, -1.25))),
    };
    for (const Grid<3>& target : targets) {
        const VectorField<3> out = resample_field(field, target);
        Index outside = 0;
        for (Index o = 0; o < target.voxel_count(); ++o) {
            const VecD<3> ci = grid.continuous_index(voxel_point(target, o));
            const VecD<3> clamped = ci.cwiseMax(0.0).cwiseMin(VecD<3>(16, 13, 11));
            outside += (clamped - ci).norm() > 1e-9;
            ASSERT_LT((out[o].cast<double>() - b * grid.physical(clamped)).norm(), 1e-4) << "voxel " << o;
        }
        if (target.size(0) == 40) EXPECT_GT(outside, 1000);
    }
}

// ---------------------------------------------------------------------------------
// jacobian_determinant

TEST(JacobianDeterminant, OfALinearMapIsItsDeterminantEverywhere) {
    // x -> A x + b, i.e. u(x) = (A - I) x + b, on an oblique anisotropic grid. Central
    // and one-sided differences are exact for a linear field, so every voxel counts.
    const Grid<3> grid = oblique_grid({20, 24, 18});
    MatD<3> a;
    a << 1.1, 0.2, -0.05, -0.1, 0.9, 0.15, 0.05, -0.2, 1.25;
    const VecD<3> b(3, -1, 2);
    const VectorField<3> u = sample_field<3>(grid, [&](const VecD<3>& p) { return VecD<3>((a - MatD<3>::Identity()) * p + b); });
    const ScalarImage<3> det = jacobian_determinant(u);
    ASSERT_TRUE(det.grid().same_as(grid));
    for (Index o = 0; o < det.voxel_count(); ++o) ASSERT_NEAR(det[o], a.determinant(), 2e-4) << "voxel " << o;
}

TEST(JacobianDeterminant, OfALinearMapIn2D) {
    const Grid<2> grid = oblique_grid2();
    MatD<2> a;
    a << 0.8, 0.3, -0.2, 1.15;
    const VectorField<2> u = sample_field<2>(grid, [&](const VecD<2>& p) { return VecD<2>((a - MatD<2>::Identity()) * p); });
    const ScalarImage<2> det = jacobian_determinant(u);
    for (Index o = 0; o < det.voxel_count(); ++o) ASSERT_NEAR(det[o], a.determinant(), 2e-4) << "voxel " << o;
}

TEST(JacobianDeterminant, FoldingFieldHasNegativeDeterminantsWhereItFolds) {
    // u = a sin(k s) e along a physical direction e, with s = x.e: det = 1 + a k cos(k s),
    // negative where cos(k s) < -1/(a k) (a k = 2: where cos < -1/2).
    const Grid<3> grid = oblique_grid({40, 40, 30});
    const VecD<3> e = VecD<3>(1, 0.5, -0.3).normalized();
    const double k = 2 * std::numbers::pi / 20.0, a = 2.0 / k;
    const VectorField<3> u = sample_field<3>(grid, [&](const VecD<3>& p) { return VecD<3>(a * std::sin(k * p.dot(e)) * e); });
    const ScalarImage<3> det = jacobian_determinant(u);
    Index negative = 0, positive = 0;
    for (Index o = 0; o < det.voxel_count(); ++o) {
        if (!interior(grid, o, 1.0)) continue;
        const double c = std::cos(k * voxel_point(grid, o).dot(e));
        // Away from the sign change (discretisation moves it slightly).
        if (c < -0.7) {
            ASSERT_LT(det[o], 0.0f) << "voxel " << o;
            ++negative;
        } else if (c > -0.3) {
            ASSERT_GT(det[o], 0.0f) << "voxel " << o;
            ++positive;
        }
    }
    EXPECT_GT(negative, 1000);
    EXPECT_GT(positive, 1000);
}

// ---------------------------------------------------------------------------------
// max_norm

TEST(MaxNorm, IsTheLongestVector) {
    VectorField<2> field(oblique_grid2(), Vec<2>(1, 1));
    field[17] = Vec<2>(-3, 4);
    EXPECT_DOUBLE_EQ(max_norm(field), 5.0);
}
