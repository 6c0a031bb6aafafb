#pragma once
// One linear stage of a registration: a transform model, a metric, a pyramid
// schedule and an optimiser. The stage refines phi = initial ∘ phi_theta from the
// coarsest to the finest level and returns the whole fixed -> moving affine.
#include "alinea/image.hpp"
#include "alinea/linear_model.hpp"
#include "alinea/metric.hpp"
#include "alinea/optimizer.hpp"
#include "alinea/pyramid_schedule.hpp"
#include "alinea/registration_observer.hpp"

namespace alinea {

struct LinearStage {
    LinearModel model = LinearModel::rigid;
    MetricOptions metric = MiOptions{};
    PyramidSchedule pyramid;
    OptimizerKind optimizer = OptimizerKind::adaptive_gradient_descent;
    // At most this many fixed samples per level (a fixed pseudo-random subset);
    // 0: all voxels. Dense metrics (local NCC) always use all voxels.
    Index max_samples = 100000;
    // Where the objective is integrated: over the fixed grid (the standard form), or
    // over the moving grid (cheaper: no interpolated gradients; see
    // src/register/moving_grid_objective.hpp).
    enum class Space { fixed, moving } space = Space::fixed;
    Convergence convergence;  // per level: relative 1e-6 over 8 iterations
    bool operator==(const LinearStage&) const = default;
};

// The options that reproduce a stage ("--transform rigid --metric mi:bins=32 ...").
std::string describe(const LinearStage& stage);

// Runs the stages in order, each starting from the previous one's result. Pyramid
// levels are computed once and shared by the stages that use the same ones.
template <int D>
Affine<D> register_linear(const RegistrationImages<D>& images, const std::vector<LinearStage>& stages,
                          const Affine<D>& initial, RegistrationObserver* observer = nullptr);

}  // namespace alinea
