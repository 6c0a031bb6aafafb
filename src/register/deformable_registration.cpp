#include "alinea/deformable_registration.hpp"

#include "alinea/displacement.hpp"
#include "alinea/error.hpp"
#include "alinea/interpolate.hpp"
#include "alinea/parallel.hpp"
#include "alinea/pyramid.hpp"
#include "alinea/resample.hpp"
#include "alinea/smooth.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <sstream>

namespace alinea {

namespace {

double parse_positive(const std::string& spec, const std::string& key, const std::string& value) {
    double v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || end != value.data() + value.size() || !(v >= 0) || v > 100)
        throw Error("transform '" + spec + "': " + key + " must be a number in [0, 100], got '" + value + "'");
    return v;
}

}  // namespace

bool is_deformable_spec(const std::string& spec) {
    const std::string name = spec.substr(0, spec.find(':'));
    return name == "diffeo" || name == "greedy";
}

DeformableStage parse_deformable(const std::string& spec) {
    DeformableStage s;
    const size_t colon = spec.find(':');
    const std::string name = spec.substr(0, colon);
    if (name == "greedy") s.model = DeformableModel::greedy;
    else if (name != "diffeo") throw Error("unknown deformable transform '" + name + "' (expected diffeo or greedy)");
    if (colon == std::string::npos) return s;
    std::stringstream rest(spec.substr(colon + 1));
    std::string item;
    while (std::getline(rest, item, ',')) {
        const size_t eq = item.find('=');
        const std::string key = item.substr(0, eq), value = eq == std::string::npos ? "" : item.substr(eq + 1);
        if (key == "step") s.step = parse_positive(spec, key, value);
        else if (key == "fluid") s.fluid_sigma = parse_positive(spec, key, value);
        else if (key == "elastic") s.elastic_sigma = parse_positive(spec, key, value);
        else throw Error("transform '" + spec + "': unknown key '" + key + "' (known: step, fluid, elastic)");
    }
    if (s.step <= 0) throw Error("transform '" + spec + "': step must be > 0");
    return s;
}

std::string describe(const DeformableStage& s) {
    std::ostringstream o;
    o << (s.model == DeformableModel::greedy ? "greedy" : "diffeo") << ":step=" << s.step << ",fluid=" << s.fluid_sigma
      << ",elastic=" << s.elastic_sigma;
    return o.str();
}

namespace {

template <int D>
std::optional<ScalarImage<D>> level_mask(const ScalarImage<D>* mask, const Grid<D>& grid) {
    if (!mask) return std::nullopt;
    return resample(*mask, grid, Affine<D>::identity(), Interpolation::nearest, 0.0f);
}

// One pyramid level: the images, the metric on the whole fixed grid, and scratch.
template <int D>
class DenseLevel {
public:
    DenseLevel(const ScalarImage<D>& fixed, const ScalarImage<D>& moving, const ScalarImage<D>* fixed_mask,
               const ScalarImage<D>* moving_mask, const MetricOptions& metric, const Affine<D>& affine)
        : fixed_(fixed), moving_(moving), fixed_mask_(fixed_mask), moving_mask_(moving_mask), affine_(affine) {
        samples_.values.assign(fixed.voxels().begin(), fixed.voxels().end());
        const Grid<D>& g = fixed.grid();
        samples_.dense_shape = Size<3>{g.size(0), g.size(1), D == 3 ? g.size(D - 1) : 1};
        const auto [lo, hi] = std::minmax_element(moving.voxels().begin(), moving.voxels().end());
        metric_ = make_metric(metric, samples_, {*lo, *hi});
        const size_t n = static_cast<size_t>(fixed.voxel_count());
        values_.resize(n);
        valid_.resize(n);
        derivative_.resize(n);
    }

    // The metric at phi(x) = A(x + u(x)) and, in force, -dM/du(x) (physical, mm).
    double force(const VectorField<D>& u, VectorField<D>& force) {
        const Grid<D>& g = fixed_.grid();
        const Grid<D>& mg = moving_.grid();
        // Fixed point p = x + u -> moving continuous index: K p + k.
        const MatD<D> k = mg.inverse_linear() * affine_.matrix;
        const VecD<D> k0 = mg.inverse_linear() * (affine_.offset - mg.origin());
        // Index-space gradient -> gradient in p: (d index / d p)^T = K^T.
        const Eigen::Matrix<float, D, D> kt = k.transpose().template cast<float>();
        for_each_row(g, [&](Index offset, VecD<D> index) {
            for (Index x = 0; x < g.size(0); ++x) {
                const Index i = offset + x;
                index[0] = static_cast<double>(x);
                const VecD<D> p = g.physical(index) + u[i].template cast<double>();
                const VecD<D> ci = k * p + k0;
                Vec<D> grad;
                bool ok = (!fixed_mask_ || (*fixed_mask_)[i] > 0.5f) &&
                          sample_linear_with_gradient(moving_, ci, values_[i], grad);
                if (ok && moving_mask_) {
                    float m = 0;
                    ok = sample_nearest(*moving_mask_, ci, m) && m > 0.5f;
                }
                valid_[i] = ok;
                if (!ok) values_[i] = 0;
                force[i] = ok ? Vec<D>(kt * grad) : Vec<D>::Zero();
            }
        });
        const double value = metric_->evaluate(MovingSamples{values_, valid_}, derivative_);
        parallel_for(fixed_.voxel_count(), [&](Index i) { force[i] *= -derivative_[i]; });
        return value;
    }

private:
    const ScalarImage<D>& fixed_;
    const ScalarImage<D>& moving_;
    const ScalarImage<D>* fixed_mask_;
    const ScalarImage<D>* moving_mask_;
    Affine<D> affine_;
    FixedSamples samples_;
    std::unique_ptr<Metric> metric_;
    std::vector<float> values_, derivative_;
    std::vector<std::uint8_t> valid_;
};

}  // namespace

template <int D>
DeformableResult<D> register_deformable(const RegistrationImages<D>& images, const DeformableStage& stage,
                                        const Affine<D>& affine, RegistrationObserver* observer) {
    stage.pyramid.validate();
    if (observer) observer->stage_started();
    const bool diffeo = stage.model == DeformableModel::diffeo;
    VectorField<D> field;  // velocity (diffeo) or displacement (greedy), on the level's grid
    for (int level = 0; level < stage.pyramid.levels(); ++level) {
        const auto start = std::chrono::steady_clock::now();
        const int shrink = stage.pyramid.shrink[level];
        auto sigma = [&](const Grid<D>& g) {
            const double s = stage.pyramid.smoothing[level];
            return stage.pyramid.smoothing_in_mm ? s / g.spacing().minCoeff() : s;
        };
        const ScalarImage<D> fixed = pyramid_level(images.fixed, shrink, sigma(images.fixed.grid()));
        const ScalarImage<D> moving = pyramid_level(images.moving, shrink, sigma(images.moving.grid()));
        const auto fixed_mask = level_mask(images.fixed_mask, fixed.grid());
        const auto moving_mask = level_mask(images.moving_mask, moving.grid());
        DenseLevel<D> dense(fixed, moving, fixed_mask ? &*fixed_mask : nullptr, moving_mask ? &*moving_mask : nullptr,
                            stage.metric, affine);
        field = field.empty() ? VectorField<D>(fixed.grid(), Vec<D>::Zero()) : resample_field(field, fixed.grid());
        const double spacing = fixed.grid().spacing().minCoeff();
        const VecD<D> fluid = VecD<D>::Constant(stage.fluid_sigma), elastic = VecD<D>::Constant(stage.elastic_sigma);
        VectorField<D> update(fixed.grid());
        LevelReport report;
        for (int it = 0; it < stage.pyramid.iterations[level]; ++it) {
            const double value = diffeo ? dense.force(exponential(field), update) : dense.force(field, update);
            if (it == 0) report.initial_value = value;
            report.result.trace.push_back(value);
            gaussian_smooth(update, fluid);
            const double largest = max_norm(update);
            if (!(largest > 0)) break;
            const float scale = static_cast<float>(stage.step * spacing / largest);
            parallel_for(field.voxel_count(), [&](Index i) { field[i] += scale * update[i]; });
            gaussian_smooth(field, elastic);
            ++report.result.iterations;
        }
        if (observer) {
            report.level = level;
            report.levels = stage.pyramid.levels();
            report.shrink = shrink;
            report.model = diffeo ? "diffeo" : "greedy";
            report.metric = to_string(stage.metric);
            report.optimizer = "fixed-step gradient descent";
            report.samples = fixed.voxel_count();
            report.result.evaluations = report.result.iterations;
            report.result.value = report.result.trace.empty() ? 0 : report.result.trace.back();
            report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            observer->level_done(report);
        }
    }
    if (!field.grid().same_as(images.fixed.grid())) field = resample_field(field, images.fixed.grid());
    DeformableResult<D> result;
    if (diffeo) {
        result.warp = exponential(field);
        for (Vec<D>& v : field.voxels()) v = -v;
        result.inverse_warp = exponential(field);
        result.inverse_residual = inverse_residual(result.warp, result.inverse_warp);
    } else {
        result.warp = std::move(field);
        result.inverse_warp = invert(result.warp, 20, &result.inverse_residual);
    }
    return result;
}

template DeformableResult<2> register_deformable<2>(const RegistrationImages<2>&, const DeformableStage&,
                                                    const Affine<2>&, RegistrationObserver*);
template DeformableResult<3> register_deformable<3>(const RegistrationImages<3>&, const DeformableStage&,
                                                    const Affine<3>&, RegistrationObserver*);

}  // namespace alinea
