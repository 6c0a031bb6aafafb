#include "alinea/optimizer.hpp"

#include <gtest/gtest.h>

using namespace alinea;

namespace {
// An ill-conditioned quadratic with its minimum at (3, -2, 1).
double quadratic(const Eigen::VectorXd& u, Eigen::VectorXd* g) {
    const Eigen::Vector3d target(3, -2, 1), weight(1, 10, 0.3);
    const Eigen::VectorXd d = u - target;
    if (g) *g = 2 * weight.cwiseProduct(d);
    return d.dot(weight.cwiseProduct(d));
}
}  // namespace

TEST(Optimizer, BothMethodsFindTheMinimumOfAQuadratic) {
    for (OptimizerKind kind : {OptimizerKind::adaptive_gradient_descent, OptimizerKind::lbfgs}) {
        OptimizerOptions o;
        o.max_iterations = 2000;
        o.initial_step = 1;
        o.min_step = 1e-7;
        o.convergence.tolerance = 0;
        const OptimizerResult r = minimize(kind, quadratic, Eigen::Vector3d::Zero(), o);
        EXPECT_LT((r.u - Eigen::Vector3d(3, -2, 1)).norm(), 1e-3) << to_string(kind);
        // The line search only accepts descents (the adaptive descent traces only
        // accepted steps, so this holds there by construction).
        if (kind == OptimizerKind::lbfgs)
            for (size_t i = 1; i < r.trace.size(); ++i) EXPECT_LE(r.trace[i], r.trace[i - 1]);
    }
}

TEST(Optimizer, AdaptiveStepGrowsAfterSuccessAndHalvesAfterFailure) {
    // Along a line f(u) = |u - 10|: from 0 with step 1, steps succeed and grow by 10 %
    // until one overshoots; the iteration count follows from that rule exactly.
    int evaluations = 0;
    const Objective f = [&](const Eigen::VectorXd& u, Eigen::VectorXd* g) {
        ++evaluations;
        if (g) *g = Eigen::VectorXd::Constant(1, u[0] > 10 ? 1.0 : -1.0);
        return std::abs(u[0] - 10);
    };
    OptimizerOptions o;
    o.max_iterations = 6;
    o.initial_step = 1;
    o.min_step = 1e-9;
    o.convergence.tolerance = 0;
    const OptimizerResult r = adaptive_gradient_descent(f, Eigen::VectorXd::Zero(1), o);
    // 1 + 1.1 + 1.21 + 1.331 + 1.4641 + 1.61051 = 7.71561 after six successful steps.
    EXPECT_NEAR(r.u[0], 7.71561, 1e-9);
    EXPECT_NEAR(r.last_step, 1.61051, 1e-9);
    // Past the minimum a step fails and is halved: 9.3 + ... never overshoots twice.
    o.max_iterations = 200;
    const OptimizerResult r2 = adaptive_gradient_descent(f, Eigen::VectorXd::Zero(1), o);
    EXPECT_NEAR(r2.u[0], 10, 1e-3);
}

TEST(Optimizer, AdaptiveStepHalvesAndStopsBelowTheMinimumStep) {
    // f(u) = |u - 10| from 9.5 with step 1, worked by hand: 10.5 is no better (0.5), the
    // step halves to 0.5 and reaches 10 exactly; the step grows to 0.55, and every trial
    // from 10 is worse, so it halves: 0.275, 0.1375, 0.06875, 0.034375, 0.0171875,
    // 0.00859375 < 0.01 = the minimum step, which ends the level after 8 iterations
    // (9 evaluations). Quartering instead of halving, or no stop on the step, would
    // give other counts.
    const Objective f = [](const Eigen::VectorXd& u, Eigen::VectorXd* g) {
        if (g) *g = Eigen::VectorXd::Constant(1, u[0] > 10 ? 1.0 : -1.0);
        return std::abs(u[0] - 10);
    };
    OptimizerOptions o;
    o.max_iterations = 100;
    o.initial_step = 1;
    o.min_step = 0.01;
    o.convergence.tolerance = 0;
    const OptimizerResult r = adaptive_gradient_descent(f, Eigen::VectorXd::Constant(1, 9.5), o);
    EXPECT_EQ(r.u[0], 10.0);
    EXPECT_EQ(r.last_step, 0.5);
    EXPECT_EQ(r.iterations, 8);
    EXPECT_EQ(r.evaluations, 9);
    EXPECT_EQ(r.stop_reason, "step below minimum");
}

TEST(Optimizer, ParseAndPrint) {
    EXPECT_EQ(parse_optimizer("gd"), OptimizerKind::adaptive_gradient_descent);
    EXPECT_EQ(parse_optimizer("lbfgs"), OptimizerKind::lbfgs);
    EXPECT_EQ(to_string(parse_optimizer("lbfgs")), "lbfgs");
    EXPECT_ANY_THROW(parse_optimizer("newton"));
}
