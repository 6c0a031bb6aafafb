#include "bspline_registration.hpp"

#include "alinea/bspline_field.hpp"
#include "alinea/displacement.hpp"
#include "alinea/error.hpp"
#include "alinea/pyramid.hpp"
#include "dense_level.hpp"

#include <chrono>

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
DeformableResult<D> register_bspline(const RegistrationImages<D>& images, const DeformableStage& stage,
                                     const Affine<D>& affine, RegistrationObserver* observer) {
    if (observer) observer->stage_started();
    VectorField<D> displacement;  // the previous level's dense result, to start the next
    VectorField<D> coefficients;
    for (int level = 0; level < stage.pyramid.levels(); ++level) {
        const auto start = std::chrono::steady_clock::now();
        const int shrink = stage.pyramid.shrink[level];
        DenseLevel<D> dense(images, stage.pyramid, level, stage.metric, affine);
        // Coarser levels get a proportionally coarser control grid (refined level by level).
        const Grid<D> control = control_grid(dense.grid(), stage.spacing_mm * shrink);
        coefficients = displacement.empty() ? VectorField<D>(control, Vec<D>::Zero())
                                            : fit_coefficients(displacement, control);
        const double bending = stage.bending / static_cast<double>(control.voxel_count());
        VectorField<D> force(dense.grid());
        VectorField<D> c(control);
        const Objective objective = [&](const Eigen::VectorXd& x, Eigen::VectorXd* gradient) {
            unflatten(x, c);
            const VectorField<D> u = bspline_displacement(c, dense.grid());
            double value = dense.force(u, force);  // force = -dM/du
            if (!gradient) return value + bending_penalty<D>(c, bending, nullptr);
            VectorField<D> g = bspline_adjoint(force, control);
            for (Vec<D>& v : g.voxels()) v = -v;
            value += bending_penalty(c, bending, &g);
            *gradient = flatten(g);
            return value;
        };
        OptimizerOptions options;
        options.max_iterations = stage.pyramid.iterations[level];
        options.initial_step = dense.grid().spacing().minCoeff();
        options.min_step = 0.01 * options.initial_step;
        options.relative_tolerance = 1e-5;
        LevelReport report;
        const Eigen::VectorXd x0 = flatten(coefficients);
        report.initial_value = objective(x0, nullptr);
        report.result = lbfgs(objective, x0, options);
        unflatten(report.result.u, coefficients);
        displacement = bspline_displacement(coefficients, dense.grid());
        if (observer) {
            report.level = level;
            report.levels = stage.pyramid.levels();
            report.shrink = shrink;
            report.model = "bspline";
            report.metric = to_string(stage.metric);
            report.optimizer = "lbfgs";
            report.samples = dense.grid().voxel_count();
            report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            observer->level_done(report);
        }
    }
    DeformableResult<D> result;
    result.warp = bspline_displacement(coefficients, images.fixed.grid());
    result.inverse_warp = invert(result.warp, 20, &result.inverse_residual);
    result.control_points = std::move(coefficients);
    return result;
}

template DeformableResult<2> register_bspline<2>(const RegistrationImages<2>&, const DeformableStage&,
                                                 const Affine<2>&, RegistrationObserver*);
template DeformableResult<3> register_bspline<3>(const RegistrationImages<3>&, const DeformableStage&,
                                                 const Affine<3>&, RegistrationObserver*);

}  // namespace alinea
