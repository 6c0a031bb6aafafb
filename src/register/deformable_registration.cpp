#include "alinea/deformable_registration.hpp"

#include "alinea/displacement.hpp"
#include "alinea/parallel.hpp"
#include "alinea/pyramid.hpp"
#include "alinea/smooth.hpp"
#include "dense_level.hpp"
#include "stage_runners.hpp"

#include <algorithm>
#include <cmath>

namespace alinea {

std::string describe(const DeformableStage& s) {
    return "--transform " + to_string(s.model) + " --metric " + to_string(s.metric) + " " + describe(s.pyramid) +
           " --convergence " + s.convergence.spec();
}

namespace {

// exp(s v) during the iterations and for the result. On large grids, in two scales (see
// two_scale_exponential): scaling and squaring at full resolution (six compositions
// of the whole field per iteration) would dominate the run time, and exponentiating
// only a half-resolution copy of v loses its finest detail (0.010 of mean Dice on the
// IXI pairs). The result is the same map, so that the warp written is the one whose
// metric the iterations measured. `out` (on v's grid) is reused from iteration to
// iteration: a fresh full-resolution field would cost its page faults again.
template <int D>
void velocity_exponential(const VectorField<D>& v, float s, VectorField<D>& out) {
    constexpr Index large = Index(1) << 18;
    if (v.voxel_count() >= large) return two_scale_exponential(v, s, out);
    VectorField<D> scaled = v;
    if (s != 1.0f) parallel_for(scaled.voxel_count(), [&](Index i) { scaled[i] *= s; });
    out = exponential(scaled);
}

enum class DenseModel { greedy, diffeo, symmetric };

// The dense models (diffeo, greedy): the field is a velocity or a displacement.
template <int D>
DeformableResult<D> run_dense(const RegistrationImages<D>& images, const DeformableStage& stage,
                              const DenseFieldOptions& options, DenseModel model, const Affine<D>& affine,
                              DeformableStart<D> start, StageMonitor& monitor) {
    const bool diffeo = model != DenseModel::greedy;
    const VectorField<D>* initial_field = start.field;
    // The field is the initial field (a warm start) plus what the levels have added.
    // Only the added part goes from level to level: the initial field is resampled
    // afresh from its own grid at each level, so its detail survives the coarse levels.
    VectorField<D> field;  // velocity (diffeo) or displacement (greedy), on the level's grid
    VectorField<D> added;  // field minus the initial field, on the previous level's grid
    const int levels = stage.pyramid.levels();
    for (int level = std::clamp(start.first_level, 0, levels - 1); level < levels; ++level) {
        DenseLevel<D> dense(images, stage.pyramid, level, stage.metric, affine);
        const Grid<D>& grid = dense.grid();
        const VectorField<D> base = initial_field ? resample_field(*initial_field, grid) : VectorField<D>();
        field = added.empty() ? VectorField<D>(grid, Vec<D>::Zero()) : resample_field(added, grid);
        if (!base.empty()) parallel_for(field.voxel_count(), [&](Index i) { field[i] += base[i]; });
        monitor.begin_level(level, levels, stage.pyramid.shrink[level], grid.voxel_count(), model_name(stage.model),
                            to_string(stage.metric), "fixed-step gradient descent");
        const double spacing = grid.spacing().minCoeff();
        const VecD<D> fluid = VecD<D>::Constant(options.fluid), elastic = VecD<D>::Constant(options.elastic);
        VectorField<D> update(grid), warp, half_fixed, half_moving;  // symmetric: exp(-v/2), exp(v/2)
        const auto step_force = [&] {
            if (model == DenseModel::greedy) return dense.force(field, update);
            if (model == DenseModel::diffeo) {
                velocity_exponential(field, 1.0f, warp);
                return dense.force(warp, update);
            }
            // The symmetric model's half-way maps: exp(-v/2) for the fixed image, exp(v/2) for the moving one.
            velocity_exponential(field, -0.5f, half_fixed);
            velocity_exponential(field, 0.5f, half_moving);
            return dense.symmetric_force(half_fixed, half_moving, update);
        };
        OptimizerResult result;
        result.stop_reason = "iterations";
        double initial_value = 0;
        const int max_iterations = stage.pyramid.iterations[level];
        for (int it = 0; it < max_iterations; ++it) {
            const double value = step_force();
            if (it == 0) initial_value = value;
            result.trace.push_back(value);
            result.value = value;
            if (converged(result.trace, stage.convergence)) {
                result.stop_reason = "converged";
                break;
            }
            gaussian_smooth(update, fluid);
            const double largest = max_norm(update);
            if (!(largest > 0)) {
                result.stop_reason = "zero gradient";
                break;
            }
            const float scale = static_cast<float>(options.step * spacing / largest);
            parallel_for(field.voxel_count(), [&](Index i) { field[i] += scale * update[i]; });
            gaussian_smooth(field, elastic);
            ++result.iterations;
            monitor.iteration(result.iterations, max_iterations, value);
        }
        result.evaluations = static_cast<int>(result.trace.size());
        monitor.end_level(std::move(result), initial_value);
        warp = half_fixed = half_moving = VectorField<D>();
        if (level + 1 == levels && field.grid().same_as(images.fixed.grid())) break;  // field is the result
        added = std::move(field);
        if (!base.empty()) parallel_for(added.voxel_count(), [&](Index i) { added[i] -= base[i]; });
        if (level + 1 == levels) {  // the finest level is coarser than the fixed grid
            field = resample_field(added, images.fixed.grid());
            if (initial_field) {
                const VectorField<D> full = resample_field(*initial_field, images.fixed.grid());
                parallel_for(field.voxel_count(), [&](Index i) { field[i] += full[i]; });
            }
        }
    }
    DeformableResult<D> r;
    if (diffeo) {
        velocity_exponential(field, 1.0f, r.warp);
        r.jacobian = jacobian_summary(jacobian_determinant(r.warp));
        velocity_exponential(field, -1.0f, r.inverse_warp);
        r.inverse_residual = inverse_residual(r.warp, r.inverse_warp);
        r.velocity = std::move(field);
    } else {
        r.warp = std::move(field);
        r.jacobian = jacobian_summary(jacobian_determinant(r.warp));
        r.inverse_warp = invert(r.warp, 20, &r.inverse_residual);
    }
    return r;
}

}  // namespace

template <int D>
DeformableResult<D> run_deformable_stage(const RegistrationImages<D>& images, const DeformableStage& stage,
                                         const Affine<D>& affine, DeformableStart<D> start, StageMonitor& monitor) {
    stage.pyramid.validate();
    struct Runner {
        const RegistrationImages<D>& images;
        const DeformableStage& stage;
        const Affine<D>& affine;
        DeformableStart<D> start;
        StageMonitor& monitor;
        DeformableResult<D> operator()(const DiffeoOptions& o) const {
            return run_dense(images, stage, o, o.symmetric ? DenseModel::symmetric : DenseModel::diffeo, affine,
                             start, monitor);
        }
        DeformableResult<D> operator()(const GreedyOptions& o) const {
            return run_dense(images, stage, o, DenseModel::greedy, affine, start, monitor);
        }
        DeformableResult<D> operator()(const BsplineOptions& o) const {
            return run_bspline_stage(images, stage, o, affine, start, monitor);
        }
    };
    if (start.field && start.field->empty()) throw Error("the initial deformation field is empty");
    return std::visit(Runner{images, stage, affine, start, monitor}, stage.model);
}

template <int D>
DeformableResult<D> register_deformable(const RegistrationImages<D>& images, const DeformableStage& stage,
                                        const Affine<D>& affine, DeformableStart<D> start,
                                        RegistrationObserver* observer) {
    StageMonitor monitor(observer, 0, 1, describe(stage));
    return run_deformable_stage(images, stage, affine, start, monitor);
}

#define ALINEA_INSTANTIATE(D)                                                                                     \
    template DeformableResult<D> run_deformable_stage<D>(const RegistrationImages<D>&, const DeformableStage&,  \
                                                         const Affine<D>&, DeformableStart<D>, StageMonitor&);   \
    template DeformableResult<D> register_deformable<D>(const RegistrationImages<D>&, const DeformableStage&,   \
                                                        const Affine<D>&, DeformableStart<D>,                    \
                                                        RegistrationObserver*);
ALINEA_INSTANTIATE(2)
ALINEA_INSTANTIATE(3)
#undef ALINEA_INSTANTIATE

}  // namespace alinea
