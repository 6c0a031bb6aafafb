// The parameter Jacobian of every linear model: chain() must be the exact adjoint of
// d(A, b)/dtheta, checked against central finite differences of affine(theta).
#include "alinea/linear_model.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace alinea;

namespace {

template <int D>
void check_chain(LinearModel model) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(-1, 1);
    const VecD<D> centre = VecD<D>::NullaryExpr([&](Eigen::Index) { return 20 * u(rng); });
    const LinearParameterization<D> p(model, centre);
    Parameters theta = p.identity();
    for (int k = 0; k < p.size(); ++k) theta[k] += 0.2 * u(rng);
    // A random linear functional of (A, b): M = <G, A> + <g, b>.
    const MatD<D> g_matrix = MatD<D>::NullaryExpr([&](Eigen::Index, Eigen::Index) { return u(rng); });
    const VecD<D> g_offset = VecD<D>::NullaryExpr([&](Eigen::Index) { return u(rng); });
    auto functional = [&](const Parameters& t) {
        const Affine<D> a = p.affine(t);
        return (g_matrix.array() * a.matrix.array()).sum() + g_offset.dot(a.offset);
    };
    const Parameters analytic = p.chain(theta, g_matrix, g_offset);
    for (int k = 0; k < p.size(); ++k) {
        const double h = 1e-6;
        Parameters plus = theta, minus = theta;
        plus[k] += h;
        minus[k] -= h;
        const double numeric = (functional(plus) - functional(minus)) / (2 * h);
        EXPECT_NEAR(analytic[k], numeric, 1e-6 * std::max(1.0, std::abs(numeric)))
            << to_string(model) << " " << D << "-D parameter " << k;
    }
}

template <int D>
void check_identity(LinearModel model) {
    const LinearParameterization<D> p(model, VecD<D>::Constant(5));
    const Affine<D> a = p.affine(p.identity());
    EXPECT_LT((a.matrix - MatD<D>::Identity()).norm(), 1e-15);
    EXPECT_LT(a.offset.norm(), 1e-12);
}

}  // namespace

TEST(LinearModel, ChainMatchesFiniteDifferences) {
    for (LinearModel m : {LinearModel::translation, LinearModel::rigid, LinearModel::similarity, LinearModel::affine}) {
        check_chain<2>(m);
        check_chain<3>(m);
    }
}

TEST(LinearModel, IdentityParametersGiveTheIdentity) {
    for (LinearModel m : {LinearModel::translation, LinearModel::rigid, LinearModel::similarity, LinearModel::affine}) {
        check_identity<2>(m);
        check_identity<3>(m);
    }
}

TEST(LinearModel, RigidStaysRigidAndKeepsTheCentre) {
    const VecD<3> centre(10, -20, 5);
    const LinearParameterization<3> p(LinearModel::rigid, centre);
    Parameters theta(6);
    theta << 0.3, -0.2, 0.5, 0, 0, 0;
    const Affine<3> a = p.affine(theta);
    EXPECT_LT((a.matrix.transpose() * a.matrix - MatD<3>::Identity()).norm(), 1e-12);
    EXPECT_NEAR(a.matrix.determinant(), 1.0, 1e-12);
    EXPECT_LT((a(centre) - centre).norm(), 1e-12);  // rotation about the centre
}

TEST(LinearModel, ParameterCounts) {
    EXPECT_EQ(LinearParameterization<2>(LinearModel::translation, {}).size(), 2);
    EXPECT_EQ(LinearParameterization<2>(LinearModel::rigid, {}).size(), 3);
    EXPECT_EQ(LinearParameterization<2>(LinearModel::similarity, {}).size(), 4);
    EXPECT_EQ(LinearParameterization<2>(LinearModel::affine, {}).size(), 6);
    EXPECT_EQ(LinearParameterization<3>(LinearModel::translation, {}).size(), 3);
    EXPECT_EQ(LinearParameterization<3>(LinearModel::rigid, {}).size(), 6);
    EXPECT_EQ(LinearParameterization<3>(LinearModel::similarity, {}).size(), 7);
    EXPECT_EQ(LinearParameterization<3>(LinearModel::affine, {}).size(), 12);
}
