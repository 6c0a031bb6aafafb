// The folding barrier: zero on a regular map, positive where the determinant falls
// below its floor, and its gradient against finite differences, in 2-D and on an
// oblique 3-D grid (the chain rule through the grid's direction and spacing).
#include "alinea/displacement.hpp"
#include "alinea/folding_barrier.hpp"
#include "alinea/jacobian_summary.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace alinea;

namespace {

// A compression along x that drives the determinant to about 1 - amplitude near the
// centre: folds for amplitude > 1.
template <int D>
VectorField<D> squeeze(const Grid<D>& g, double amplitude, double width) {
    VectorField<D> u(g, Vec<D>::Zero());
    VecD<D> middle;
    for (int a = 0; a < D; ++a) middle[a] = (g.size(a) - 1) / 2.0;
    const VecD<D> centre = g.physical(middle);
    for (Index i = 0; i < u.voxel_count(); ++i) {
        const Size<D> idx = g.index_of(i);
        VecD<D> index;
        for (int a = 0; a < D; ++a) index[a] = static_cast<double>(idx[a]);
        const VecD<D> p = g.physical(index) - centre;
        // u_x = -amplitude * width * sin(x / width) * envelope: du_x/dx = -amplitude at the centre.
        const double envelope = std::exp(-p.squaredNorm() / (8 * width * width));
        u[i][0] = static_cast<float>(-amplitude * width * std::sin(p[0] / width) * envelope);
    }
    return u;
}

template <int D>
void expect_gradient_matches(const VectorField<D>& u, const FoldingBarrier& barrier) {
    VectorField<D> grad(u.grid(), Vec<D>::Zero());
    const double p0 = folding_barrier(u, barrier, &grad);
    ASSERT_GT(p0, 0);
    // The voxels where the gradient is largest, and a few random ones.
    std::vector<Index> probe;
    Index best = 0;
    for (Index i = 0; i < grad.voxel_count(); ++i)
        if (grad[i].norm() > grad[best].norm()) best = i;
    probe.push_back(best);
    std::mt19937 rng(3);
    for (int k = 0; k < 6; ++k) probe.push_back(static_cast<Index>(rng() % static_cast<unsigned>(u.voxel_count())));
    ASSERT_GT(grad[best].norm(), 0);
    for (Index k : probe)
        for (int a = 0; a < D; ++a) {
            const float h = 1e-3f;
            VectorField<D> plus = u, minus = u;
            plus[k][a] += h;
            minus[k][a] -= h;
            const double numeric =
                (folding_barrier(plus, barrier) - folding_barrier(minus, barrier)) / (2 * h);
            EXPECT_NEAR(grad[k][a], numeric, 2e-2 * std::abs(grad[best].norm()) + 1e-9) << "voxel " << k << " axis " << a;
        }
}

}  // namespace

TEST(FoldingBarrier, ZeroOnARegularMapPositiveNearFolding) {
    const Grid<2> g = Grid<2>::from_spacing({40, 36}, VecD<2>(1.5, 1.0), VecD<2>(0, 0), MatD<2>::Identity());
    const FoldingBarrier barrier{1.0, 0.2};
    EXPECT_EQ(folding_barrier(squeeze(g, 0.5, 4.0), barrier), 0);  // det >= 0.5
    const VectorField<2> folded = squeeze(g, 1.3, 4.0);
    EXPECT_LE(jacobian_summary(jacobian_determinant(folded)).min, 0);
    EXPECT_GT(folding_barrier(folded, barrier), 0);
    EXPECT_EQ(folding_barrier(folded, FoldingBarrier{0, 0.2}), 0);  // off
}

TEST(FoldingBarrier, TheWallRejectsMoreFoldsThanAllowed) {
    const Grid<2> g = Grid<2>::from_spacing({40, 36}, VecD<2>(1.5, 1.0), VecD<2>(0, 0), MatD<2>::Identity());
    const VectorField<2> folded = squeeze(g, 1.3, 4.0);
    Index folds = -1;
    const double penalty = folding_barrier<2>(folded, FoldingBarrier{1.0, 0.2}, nullptr, &folds);
    EXPECT_EQ(folds, jacobian_summary(jacobian_determinant(folded)).folded);  // the same count as the maps'
    ASSERT_GT(folds, 0);
    FoldingBarrier wall{1.0, 0.2, folds};
    EXPECT_EQ(folding_barrier(folded, wall), penalty);  // as many folds as allowed: the finite penalty
    wall.max_folded = folds - 1;
    EXPECT_TRUE(std::isinf(folding_barrier(folded, wall)));
    wall.max_folded = 0;
    EXPECT_EQ(folding_barrier(squeeze(g, 0.9, 4.0), wall), folding_barrier(squeeze(g, 0.9, 4.0), FoldingBarrier{1.0, 0.2}));
}

TEST(FoldingBarrier, GradientMatchesFiniteDifferences2D) {
    const Grid<2> g = Grid<2>::from_spacing({40, 36}, VecD<2>(1.5, 1.0), VecD<2>(3, -2), MatD<2>::Identity());
    expect_gradient_matches(squeeze(g, 1.1, 5.0), FoldingBarrier{2.0, 0.2});
}

TEST(FoldingBarrier, GradientMatchesFiniteDifferencesOnAnObliqueGrid3D) {
    const MatD<3> r = Eigen::AngleAxisd(0.4, VecD<3>(1, 2, -1).normalized()).toRotationMatrix();
    const Grid<3> g = Grid<3>::from_spacing({24, 22, 20}, VecD<3>(1.0, 1.3, 1.7), VecD<3>(-5, 4, 2), r);
    expect_gradient_matches(squeeze(g, 1.1, 4.0), FoldingBarrier{2.0, 0.3});
}

TEST(FoldingBarrier, DescentOnTheBarrierUnfoldsTheMap) {
    // Gradient steps on the barrier alone lift the smallest determinant above zero.
    const Grid<2> g = Grid<2>::from_spacing({40, 36}, VecD<2>(1.0, 1.0), VecD<2>(0, 0), MatD<2>::Identity());
    VectorField<2> u = squeeze(g, 1.4, 4.0);
    ASSERT_LT(jacobian_summary(jacobian_determinant(u)).min, 0);
    const FoldingBarrier barrier{1.0, 0.2};
    for (int it = 0; it < 400; ++it) {
        VectorField<2> grad(g, Vec<2>::Zero());
        folding_barrier(u, barrier, &grad);
        const double scale = 0.05 * g.voxel_count();  // the barrier is a mean over voxels
        for (Index i = 0; i < u.voxel_count(); ++i) u[i] -= static_cast<float>(scale) * grad[i];
    }
    EXPECT_GT(jacobian_summary(jacobian_determinant(u)).min, 0);
}
