#include "alinea/deformable_registration.hpp"

#include "alinea/displacement.hpp"
#include "alinea/error.hpp"
#include "alinea/interpolate.hpp"
#include "alinea/parallel.hpp"
#include "alinea/pyramid.hpp"
#include "alinea/resample.hpp"
#include "alinea/smooth.hpp"
#include "bspline_registration.hpp"
#include "dense_level.hpp"

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
    return name == "diffeo" || name == "greedy" || name == "bspline";
}

DeformableStage parse_deformable(const std::string& spec) {
    DeformableStage s;
    const size_t colon = spec.find(':');
    const std::string name = spec.substr(0, colon);
    if (name == "greedy") s.model = DeformableModel::greedy;
    else if (name == "bspline") s.model = DeformableModel::bspline;
    else if (name != "diffeo")
        throw Error("unknown deformable transform '" + name + "' (expected diffeo, greedy or bspline)");
    if (colon == std::string::npos) return s;
    std::stringstream rest(spec.substr(colon + 1));
    std::string item;
    while (std::getline(rest, item, ',')) {
        const size_t eq = item.find('=');
        const std::string key = item.substr(0, eq), value = eq == std::string::npos ? "" : item.substr(eq + 1);
        if (key == "step") s.step = parse_positive(spec, key, value);
        else if (key == "fluid") s.fluid_sigma = parse_positive(spec, key, value);
        else if (key == "elastic") s.elastic_sigma = parse_positive(spec, key, value);
        else if (key == "spacing" && s.model == DeformableModel::bspline) s.spacing_mm = parse_positive(spec, key, value);
        else if (key == "bending" && s.model == DeformableModel::bspline) s.bending = parse_positive(spec, key, value);
        else
            throw Error("transform '" + spec + "': unknown key '" + key + "' (known: " +
                        (s.model == DeformableModel::bspline ? "spacing, bending" : "step, fluid, elastic") + ")");
    }
    if (s.step <= 0) throw Error("transform '" + spec + "': step must be > 0");
    if (s.spacing_mm < 1) throw Error("transform '" + spec + "': spacing must be at least 1 mm");
    return s;
}

std::string describe(const DeformableStage& s) {
    std::ostringstream o;
    if (s.model == DeformableModel::bspline) {
        o << "bspline:spacing=" << s.spacing_mm << ",bending=" << s.bending;
        return o.str();
    }
    o << (s.model == DeformableModel::greedy ? "greedy" : "diffeo") << ":step=" << s.step << ",fluid=" << s.fluid_sigma
      << ",elastic=" << s.elastic_sigma;
    return o.str();
}

namespace {

// exp(v) during the iterations. On large grids it is computed at half resolution and
// interpolated back: v is smooth at the scale of a few voxels, and scaling and
// squaring at full resolution (six compositions of the whole field per iteration)
// would dominate the run time. The final result is exponentiated at full resolution.
template <int D>
VectorField<D> iteration_exponential(const VectorField<D>& v) {
    constexpr Index large = Index(1) << 18;
    if (v.voxel_count() < large) return exponential(v);
    const Grid<D> coarse = shrink_grid(v.grid(), 2);
    return resample_field(exponential(resample_field(v, coarse)), v.grid());
}

}  // namespace

template <int D>
DeformableResult<D> register_deformable(const RegistrationImages<D>& images, const DeformableStage& stage,
                                        const Affine<D>& affine, RegistrationObserver* observer) {
    stage.pyramid.validate();
    if (stage.model == DeformableModel::bspline) return register_bspline(images, stage, affine, observer);
    if (observer) observer->stage_started();
    const bool diffeo = stage.model == DeformableModel::diffeo;
    VectorField<D> field;  // velocity (diffeo) or displacement (greedy), on the level's grid
    for (int level = 0; level < stage.pyramid.levels(); ++level) {
        const auto start = std::chrono::steady_clock::now();
        const int shrink = stage.pyramid.shrink[level];
        DenseLevel<D> dense(images, stage.pyramid, level, stage.metric, affine);
        field = field.empty() ? VectorField<D>(dense.grid(), Vec<D>::Zero()) : resample_field(field, dense.grid());
        const double spacing = dense.grid().spacing().minCoeff();
        const VecD<D> fluid = VecD<D>::Constant(stage.fluid_sigma), elastic = VecD<D>::Constant(stage.elastic_sigma);
        VectorField<D> update(dense.grid());
        LevelReport report;
        for (int it = 0; it < stage.pyramid.iterations[level]; ++it) {
            const double value = diffeo ? dense.force(iteration_exponential(field), update) : dense.force(field, update);
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
            report.samples = dense.grid().voxel_count();
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
