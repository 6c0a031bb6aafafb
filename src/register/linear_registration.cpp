#include "alinea/linear_registration.hpp"

#include "alinea/error.hpp"
#include "alinea/pyramid.hpp"
#include "alinea/resample.hpp"
#include "dense_level.hpp"
#include "linear_objective.hpp"
#include "moving_grid_objective.hpp"
#include "stage_runners.hpp"

#include <cmath>
#include <functional>
#include <memory>
#include <optional>

namespace alinea {

namespace {

// Typical distance of the fixed image's points from its centre: a rotation of one
// radian moves such points this many millimetres.
template <int D>
double typical_radius(const Grid<D>& grid) {
    VecD<D> extent;
    for (int a = 0; a < D; ++a) extent[a] = static_cast<double>(std::max<Index>(grid.size(a) - 1, 1));
    return 0.5 * (grid.linear() * extent.asDiagonal()).colwise().norm().norm() / std::sqrt(static_cast<double>(D));
}

}  // namespace

std::string describe(const LinearStage& s) {
    return "--transform " + to_string(s.model) + " --metric " + to_string(s.metric) + " " + describe(s.pyramid) +
           " --convergence " + s.convergence.spec() +
           " --optimizer " + to_string(s.optimizer) + " --samples " + std::to_string(s.max_samples) +
           (s.space == LinearStage::Space::moving ? " --space moving" : "");
}

template <int D>
Affine<D> run_linear_stage(const RegistrationImages<D>& images, const LinearStage& stage, const Affine<D>& initial,
                           PyramidCache<D>& pyramid, StageMonitor& monitor) {
    stage.pyramid.validate();
    const LinearParameterization<D> model(stage.model, images.fixed.grid().center());
    const Parameters scales = model.physical_scales(typical_radius(images.fixed.grid()));
    Parameters theta = model.identity();
    // Build the pyramid from fine to coarse, so coarse levels derive from finer ones.
    for (int level = stage.pyramid.levels() - 1; level >= 0; --level)
        for (const ScalarImage<D>* image : {&images.fixed, &images.moving})
            pyramid.level(*image, stage.pyramid.shrink[level], stage.pyramid.sigma_voxels(level, image->grid()));
    for (int level = 0; level < stage.pyramid.levels(); ++level) {
        const int shrink = stage.pyramid.shrink[level];
        const ScalarImage<D>& fixed =
            pyramid.level(images.fixed, shrink, stage.pyramid.sigma_voxels(level, images.fixed.grid()));
        const ScalarImage<D>& moving =
            pyramid.level(images.moving, shrink, stage.pyramid.sigma_voxels(level, images.moving.grid()));
        const auto fixed_mask = level_mask(images.fixed_mask, fixed.grid());
        const auto moving_mask = level_mask(images.moving_mask, moving.grid());
        const ScalarImage<D>* fm = fixed_mask ? &*fixed_mask : nullptr;
        const ScalarImage<D>* mm = moving_mask ? &*moving_mask : nullptr;
        std::function<double(const Parameters&, Parameters*)> objective;
        Index samples = 0;
        if (stage.space == LinearStage::Space::fixed) {
            auto o = std::make_shared<LinearObjective<D>>(fixed, moving, fm, mm, stage.metric, stage.max_samples,
                                                          model, initial);
            samples = o->sample_count();
            objective = [o](const Parameters& t, Parameters* g) { return (*o)(t, g); };
        } else {
            auto o = std::make_shared<MovingGridObjective<D>>(fixed, moving, fm, mm, stage.metric, stage.max_samples,
                                                              model, initial);
            samples = o->sample_count();
            objective = [o](const Parameters& t, Parameters* g) { return (*o)(t, g); };
        }
        if (samples == 0)
            throw Error("no samples at level " + std::to_string(level + 1) + " (is the mask empty?)");
        // The optimiser works in u = theta * scales (millimetres of point motion).
        const Objective f = [&](const Eigen::VectorXd& u, Eigen::VectorXd* gradient) {
            const Parameters t = u.cwiseQuotient(scales);
            const double value = objective(t, gradient);
            if (gradient) *gradient = gradient->cwiseQuotient(scales);
            return value;
        };
        monitor.begin_level(level, stage.pyramid.levels(), shrink, samples, to_string(stage.model),
                            to_string(stage.metric), to_string(stage.optimizer));
        const double spacing = fixed.grid().spacing().minCoeff();
        OptimizerOptions options;
        options.max_iterations = stage.pyramid.iterations[level];
        options.initial_step = spacing;
        options.min_step = 0.002 * spacing;
        options.convergence = stage.convergence;
        options.on_iteration = monitor.iteration_callback(options.max_iterations);
        const Eigen::VectorXd u0 = theta.cwiseProduct(scales);
        const double initial_value = f(u0, nullptr);
        OptimizerResult result = minimize(stage.optimizer, f, u0, options);
        theta = result.u.cwiseQuotient(scales);
        monitor.end_level(std::move(result), initial_value);
    }
    return initial.after(model.affine(theta));
}

template <int D>
Affine<D> register_linear(const RegistrationImages<D>& images, const std::vector<LinearStage>& stages,
                          const Affine<D>& initial, RegistrationObserver* observer) {
    PyramidCache<D> pyramid;
    Affine<D> transform = initial;
    const int count = static_cast<int>(stages.size());
    for (int s = 0; s < count; ++s) {
        StageMonitor monitor(observer, s, count, describe(stages[s]));
        transform = run_linear_stage(images, stages[s], transform, pyramid, monitor);
    }
    return transform;
}

#define ALINEA_INSTANTIATE(D)                                                                                  \
    template Affine<D> run_linear_stage<D>(const RegistrationImages<D>&, const LinearStage&, const Affine<D>&, \
                                           PyramidCache<D>&, StageMonitor&);                                   \
    template Affine<D> register_linear<D>(const RegistrationImages<D>&, const std::vector<LinearStage>&,      \
                                          const Affine<D>&, RegistrationObserver*);
ALINEA_INSTANTIATE(2)
ALINEA_INSTANTIATE(3)
#undef ALINEA_INSTANTIATE

}  // namespace alinea
