#pragma once
// The nonlinear stage: a dense deformation on the fixed grid, after the linear
// stages (models and their options: deformable_model.hpp). It maps a fixed point x
// to A(x + u(x)); coarse to fine over a Gaussian pyramid, each level stopping after
// its iteration count or when the metric stops improving (the convergence rule).
#include "alinea/affine.hpp"
#include "alinea/deformable_model.hpp"
#include "alinea/jacobian_summary.hpp"
#include "alinea/metric.hpp"
#include "alinea/pyramid_schedule.hpp"
#include "alinea/registration_observer.hpp"

#include <string>

namespace alinea {

struct DeformableStage {
    DeformableModel model = DiffeoOptions{};
    MetricOptions metric = LnccOptions{2};
    PyramidSchedule pyramid{{4, 2, 1}, {2, 1, 0}, false, {100, 60, 20}};
    // Stop a level when the metric improved by less than 1e-4 (relative) over the
    // last 20 iterations. With the fixed step the metric jitters near the optimum,
    // which this rule detects; a window of 10 stopped the coarse levels of the 1 mm
    // benchmark brain too early (mean error 0.252 mm against 0.250 with 20, measured
    // with the earlier sigmas 2 and 1).
    Convergence convergence{1e-4, 20};
    bool operator==(const DeformableStage&) const = default;
};

// The options that reproduce a stage ("--transform diffeo:step=0.5,... --metric ...").
std::string describe(const DeformableStage& stage);

template <int D>
struct DeformableResult {
    VectorField<D> warp;          // u on the fixed grid: phi(x) = A(x + u(x))
    VectorField<D> inverse_warp;  // w on the fixed grid: x + u(x) -> inverse is y + w(y)
    double inverse_residual = 0;  // mean |u(x + w(x)) + w(x)| (mm)
    JacobianSummary jacobian;     // det of x -> x + u(x) over the fixed grid
    VectorField<D> velocity;        // diffeo only: v with warp = exp(v), on the fixed grid
    VectorField<D> control_points;  // bspline only: the coefficients on the control grid
};

// Where a stage starts: from zero at its coarsest level, or from a field (on any
// grid: resampled to each level) at one of its levels (the warm start of tracking and
// of an atlas's later iterations). The field is a velocity field for diffeo, a
// displacement field for greedy and bspline.
template <int D>
struct DeformableStart {
    const VectorField<D>* field = nullptr;
    int first_level = 0;
};

template <int D>
DeformableResult<D> register_deformable(const RegistrationImages<D>& images, const DeformableStage& stage,
                                        const Affine<D>& affine, DeformableStart<D> start = {},
                                        RegistrationObserver* observer = nullptr);

}  // namespace alinea
