// The B-spline free-form deformation stage: L-BFGS on the control points through the
// adjoint of B-spline interpolation, with a bending penalty and a folding barrier; the
// control grid is refined from level to level (coarser levels get a proportionally
// coarser grid).
#include "alinea/bspline_field.hpp"
#include "alinea/displacement.hpp"
#include "alinea/folding_barrier.hpp"
#include "dense_level.hpp"
#include "stage_runners.hpp"

#include <algorithm>

namespace alinea {

namespace {

template <int D>
Eigen::VectorXd flatten(const VectorField<D>& f) {
    Eigen::VectorXd v(f.voxel_count() * D);
    for (Index k = 0; k < f.voxel_count(); ++k) v.template segment<D>(k * D) = f[k].template cast<double>();
    return v;
}

template <int D>
void unflatten(const Eigen::VectorXd& v, VectorField<D>& f) {
    for (Index k = 0; k < f.voxel_count(); ++k) f[k] = v.template segment<D>(k * D).template cast<float>();
}

}  // namespace

template <int D>
DeformableResult<D> run_bspline_stage(const RegistrationImages<D>& images, const DeformableStage& stage,
                                      const BsplineOptions& bspline, const Affine<D>& affine,
                                      DeformableStart<D> start, StageMonitor& monitor) {
    VectorField<D> displacement;  // the previous level's dense result, to start the next
    VectorField<D> coefficients;
    const int levels = stage.pyramid.levels();
    for (int level = std::clamp(start.first_level, 0, levels - 1); level < levels; ++level) {
        const int shrink = stage.pyramid.shrink[level];
        DenseLevel<D> dense(images, stage.pyramid, level, stage.metric, affine);
        const Grid<D> control = control_grid(dense.grid(), bspline.spacing * shrink);
        if (!displacement.empty()) coefficients = fit_coefficients(displacement, control);
        else if (start.field) coefficients = fit_coefficients(resample_field(*start.field, dense.grid()), control);
        else coefficients = VectorField<D>(control, Vec<D>::Zero());
        monitor.begin_level(level, levels, shrink, dense.grid().voxel_count(), model_name(stage.model),
                            to_string(stage.metric), "lbfgs");
        const double bending = bspline.bending / static_cast<double>(control.voxel_count());
        const Eigen::VectorXd x0 = flatten(coefficients);
        // The wall: no step may fold more voxels than the level starts with (none at the
        // first level; a refined grid's fit can start with a few).
        FoldingBarrier barrier{bspline.barrier};
        if (barrier.weight > 0)
            folding_barrier<D>(bspline_displacement(coefficients, dense.grid()), barrier, nullptr, &barrier.max_folded);
        VectorField<D> force(dense.grid());
        VectorField<D> c(control);
        const Objective objective = [&](const Eigen::VectorXd& x, Eigen::VectorXd* gradient) {
            unflatten(x, c);
            const VectorField<D> u = bspline_displacement(c, dense.grid());
            double value = dense.force(u, force);  // force = -dM/du
            if (!gradient) return value + folding_barrier(u, barrier) + bending_penalty<D>(c, bending, nullptr);
            for (Vec<D>& f : force.voxels()) f = -f;  // dM/du, then + dP/du
            value += folding_barrier(u, barrier, &force);
            VectorField<D> g = bspline_adjoint(force, control);
            value += bending_penalty(c, bending, &g);
            *gradient = flatten(g);
            return value;
        };
        OptimizerOptions options;
        options.max_iterations = stage.pyramid.iterations[level];
        options.initial_step = dense.grid().spacing().minCoeff();
        options.min_step = 0.01 * options.initial_step;
        options.convergence = stage.convergence;
        options.on_iteration = monitor.iteration_callback(options.max_iterations);
        const double initial_value = objective(x0, nullptr);
        OptimizerResult result = lbfgs(objective, x0, options);
        unflatten(result.u, coefficients);
        displacement = bspline_displacement(coefficients, dense.grid());
        monitor.end_level(std::move(result), initial_value);
    }
    DeformableResult<D> result;
    result.warp = bspline_displacement(coefficients, images.fixed.grid());
    result.jacobian = jacobian_summary(jacobian_determinant(result.warp));
    result.inverse_warp = invert(result.warp, 20, &result.inverse_residual);
    result.control_points = std::move(coefficients);
    return result;
}

template DeformableResult<2> run_bspline_stage<2>(const RegistrationImages<2>&, const DeformableStage&,
                                                  const BsplineOptions&, const Affine<2>&, DeformableStart<2>,
                                                  StageMonitor&);
template DeformableResult<3> run_bspline_stage<3>(const RegistrationImages<3>&, const DeformableStage&,
                                                  const BsplineOptions&, const Affine<3>&, DeformableStart<3>,
                                                  StageMonitor&);

}  // namespace alinea
