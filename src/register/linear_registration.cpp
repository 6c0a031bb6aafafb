#include "alinea/linear_registration.hpp"

#include "alinea/error.hpp"
#include "alinea/pyramid.hpp"
#include "alinea/resample.hpp"
#include "dense_level.hpp"
#include "linear_objective.hpp"
#include "moving_grid_objective.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <cmath>
#include <list>
#include <tuple>
#include <optional>

namespace alinea {

namespace {

// Smoothed and shrunk images, computed once per (image, shrink, sigma). A coarse
// level is derived from a finer cached one when there is one (Gaussian sigmas add in
// quadrature), which costs a fraction of smoothing the full image again.
template <int D>
class PyramidCache {
public:
    // sigma_voxels: in voxels of the full image.
    const ScalarImage<D>& level(const ScalarImage<D>& image, int shrink, double sigma_voxels) {
        if (shrink == 1 && sigma_voxels <= 0) return image;  // the finest level is the image itself
        const Key key{&image, shrink, sigma_voxels};
        for (auto& [k, v] : entries_)
            if (k == key) return v;
        // The coarsest cached finer level this one can be derived from.
        const ScalarImage<D>* source = &image;
        int source_shrink = 1;
        double source_sigma = 0;
        for (auto& [k, v] : entries_) {
            const auto [img, s, sigma] = k;
            if (img == &image && s > source_shrink && s < shrink && shrink % s == 0 && sigma <= sigma_voxels) {
                source = &v;
                source_shrink = s;
                source_sigma = sigma;
            }
        }
        const double extra = std::sqrt(sigma_voxels * sigma_voxels - source_sigma * source_sigma) / source_shrink;
        entries_.emplace_back(key, pyramid_level(*source, shrink / source_shrink, extra));
        return entries_.back().second;
    }

private:
    using Key = std::tuple<const ScalarImage<D>*, int, double>;
    std::list<std::pair<Key, ScalarImage<D>>> entries_;  // a list: references stay valid
};

// Typical distance of the fixed image's points from its centre: a rotation of one
// radian moves such points this many millimetres.
template <int D>
double typical_radius(const Grid<D>& grid) {
    VecD<D> extent;
    for (int a = 0; a < D; ++a) extent[a] = static_cast<double>(std::max<Index>(grid.size(a) - 1, 1));
    return 0.5 * (grid.linear() * extent.asDiagonal()).colwise().norm().norm() / std::sqrt(static_cast<double>(D));
}

template <int D>
Affine<D> register_stage(const RegistrationImages<D>& images, const LinearStage& stage, const Affine<D>& initial,
                         PyramidCache<D>& pyramid, RegistrationObserver* observer) {
    stage.pyramid.validate();
    const LinearParameterization<D> model(stage.model, images.fixed.grid().center());
    const Parameters scales = model.physical_scales(typical_radius(images.fixed.grid()));
    Parameters theta = model.identity();
    // Build the pyramid from fine to coarse, so coarse levels derive from finer ones.
    for (int level = stage.pyramid.levels() - 1; level >= 0; --level)
        for (const ScalarImage<D>* image : {&images.fixed, &images.moving})
            pyramid.level(*image, stage.pyramid.shrink[level], stage.pyramid.sigma_voxels(level, image->grid()));
    for (int level = 0; level < stage.pyramid.levels(); ++level) {
        const auto start = std::chrono::steady_clock::now();
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
        const double spacing = fixed.grid().spacing().minCoeff();
        OptimizerOptions options;
        options.max_iterations = stage.pyramid.iterations[level];
        options.initial_step = spacing;
        options.min_step = 0.002 * spacing;
        const Eigen::VectorXd u0 = theta.cwiseProduct(scales);
        LevelReport report;
        report.initial_value = f(u0, nullptr);
        report.result = minimize(stage.optimizer, f, u0, options);
        theta = report.result.u.cwiseQuotient(scales);
        if (observer) {
            report.level = level;
            report.levels = stage.pyramid.levels();
            report.shrink = shrink;
            report.model = to_string(stage.model);
            report.metric = to_string(stage.metric);
            report.optimizer = to_string(stage.optimizer);
            report.samples = samples;
            report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            observer->level_done(report);
        }
    }
    return initial.after(model.affine(theta));
}

}  // namespace

template <int D>
Affine<D> register_linear(const RegistrationImages<D>& images, const std::vector<LinearStage>& stages,
                          const Affine<D>& initial, RegistrationObserver* observer) {
    PyramidCache<D> pyramid;
    Affine<D> transform = initial;
    for (size_t s = 0; s < stages.size(); ++s) {
        if (observer) observer->stage_started();
        transform = register_stage(images, stages[s], transform, pyramid, observer);
    }
    return transform;
}

template Affine<2> register_linear<2>(const RegistrationImages<2>&, const std::vector<LinearStage>&,
                                      const Affine<2>&, RegistrationObserver*);
template Affine<3> register_linear<3>(const RegistrationImages<3>&, const std::vector<LinearStage>&,
                                      const Affine<3>&, RegistrationObserver*);

}  // namespace alinea
