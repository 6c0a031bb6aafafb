#pragma once
// The nonlinear stage: a dense deformation on the fixed grid, after the linear stages.
//   diffeo: a stationary velocity field v; the deformation is exp(v) (scaling and
//           squaring), its inverse exp(-v). Smooth and invertible by construction.
//   greedy: a displacement field u updated directly (the fast classic); its inverse
//           is computed by fixed-point iteration.
//   bspline: a cubic B-spline free-form deformation (control point spacing in mm)
//           with a bending penalty, optimised by L-BFGS through the adjoint of the
//           B-spline interpolation; the control grid is refined between levels.
// Each iteration: warp the moving image through phi(x) = A(x + u(x)), take the
// metric's dense gradient, smooth it ("fluid" sigma), scale it to a fixed largest
// step, add it to the field and smooth the field ("elastic" sigma); coarse to fine.
#include "alinea/affine.hpp"
#include "alinea/metric.hpp"
#include "alinea/pyramid_schedule.hpp"
#include "alinea/registration_observer.hpp"

#include <string>

namespace alinea {

enum class DeformableModel { diffeo, greedy, bspline };

struct DeformableStage {
    DeformableModel model = DeformableModel::diffeo;
    MetricOptions metric = LnccOptions{2};
    PyramidSchedule pyramid{{4, 2, 1}, {2, 1, 0}, false, {100, 60, 20}};
    double step = 0.5;           // largest update per iteration, in voxels of the level
    double fluid_sigma = 2.0;    // smoothing of the update, voxels of the level
    double elastic_sigma = 1.0;  // smoothing of the field, voxels of the level
    double spacing_mm = 8;       // bspline: control point spacing at the finest level
    double bending = 0.01;       // bspline: weight of the mean squared second difference
};

// "diffeo", "greedy:step=0.25,fluid=3,elastic=0.5", "bspline:spacing=8,bending=0.1"
// -> a stage with the default pyramid.
DeformableStage parse_deformable(const std::string& spec);
bool is_deformable_spec(const std::string& spec);
std::string describe(const DeformableStage& stage);  // the spec that reproduces it

template <int D>
struct DeformableResult {
    VectorField<D> warp;          // u on the fixed grid: phi(x) = A(x + u(x))
    VectorField<D> inverse_warp;  // w on the fixed grid: x + u(x) -> inverse is y + w(y)
    double inverse_residual = 0;  // mean |u(x + w(x)) + w(x)| (mm)
    VectorField<D> control_points;  // bspline only: the coefficients on the control grid
};

template <int D>
DeformableResult<D> register_deformable(const RegistrationImages<D>& images, const DeformableStage& stage,
                                        const Affine<D>& affine, RegistrationObserver* observer = nullptr);

}  // namespace alinea
