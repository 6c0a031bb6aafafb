#include "alinea/registration.hpp"

#include "alinea/displacement.hpp"
#include "alinea/resample.hpp"
#include "alinea/parallel.hpp"
#include "stage_runners.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

namespace alinea {

template <int D>
TransformChain<D> RegistrationResult<D>::transform() const {
    TransformChain<D> chain;
    if (deformation) chain.then(DisplacementField<D>{deformation->warp});
    chain.then(affine);
    return chain;
}

template <int D>
Index count_nonfinite(const ScalarImage<D>& image) {
    return parallel_sum(image.voxel_count(), Index(1) << 16, Index(0), [&](Index begin, Index end) {
        Index n = 0;
        for (Index i = begin; i < end; ++i) n += !std::isfinite(image[i]);
        return n;
    });
}

template <int D>
std::string content_problem(const ScalarImage<D>& image) {
    float lo = std::numeric_limits<float>::max(), hi = std::numeric_limits<float>::lowest();
    for (const float v : image.voxels())
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (lo > hi) return "has no finite voxel (all NaN or inf)";
    // One value: any transform "fits" it, and a registration would report a meaningless identity.
    if (lo == hi) {
        char value[32];
        std::snprintf(value, sizeof value, "%g", lo);
        return std::string("is constant (every voxel ") + value + "): there is nothing to align";
    }
    return "";
}

namespace {

// An image whose non-finite voxels are missing data: a copy with them set to 0 (so
// that smoothing and interpolation stay finite) and a mask without them (combined
// with the user's mask). Nothing is copied when every voxel is finite.
template <int D>
struct FiniteImage {
    std::optional<ScalarImage<D>> image, mask;
    Index nonfinite = 0;

    FiniteImage(const ScalarImage<D>& input, const ScalarImage<D>* user_mask, const char* which) {
        if (const std::string problem = content_problem(input); !problem.empty())
            throw Error(std::string("the ") + which + " image " + problem);
        nonfinite = count_nonfinite(input);
        if (nonfinite == 0) return;
        image = input;
        mask = ScalarImage<D>(input.grid());
        parallel_for(input.voxel_count(), [&](Index i) {
            const bool finite = std::isfinite(input[i]);
            (*image)[i] = finite ? input[i] : 0.0f;
            (*mask)[i] = finite && (!user_mask || (*user_mask)[i] > 0.5f) ? 1.0f : 0.0f;
        });
    }
    const ScalarImage<D>& image_or(const ScalarImage<D>& input) const { return image ? *image : input; }
    const ScalarImage<D>* mask_or(const ScalarImage<D>* user_mask) const { return mask ? &*mask : user_mask; }
};

template <int D>
Affine<D> initial_alignment(const InitialAlignment& init, const RegistrationImages<D>& images) {
    if (const auto* search = std::get_if<RotationSearch>(&init)) return search_rotations(images, *search);
    return initial_transform(std::get<Initialization>(init), images.fixed, images.moving);
}

}  // namespace

template <int D>
RegistrationResult<D> register_images(const RegistrationInputs<D>& in, const RegistrationPlan& plan,
                                      RegistrationObserver& observer) {
    const auto start = std::chrono::steady_clock::now();
    if (in.fixed_mask && !in.fixed_mask->grid().same_as(in.fixed.grid()))
        throw Error("the fixed mask's grid differs from the fixed image's");
    if (in.moving_mask && !in.moving_mask->grid().same_as(in.moving.grid()))
        throw Error("the moving mask's grid differs from the moving image's");
    for (const auto& [mask, which] : {std::pair{in.fixed_mask, "fixed"}, std::pair{in.moving_mask, "moving"}})
        if (mask && std::none_of(mask->voxels().begin(), mask->voxels().end(), [](float v) { return v > 0.5f; }))
            throw Error(std::string("the ") + which + " mask is empty (no voxel above 0.5)");
    if (in.initial_field && !plan.deformable)
        throw Error("an initial deformation field was given but the plan has no deformable stage");
    const FiniteImage<D> fixed(in.fixed, in.fixed_mask, "fixed"), moving(in.moving, in.moving_mask, "moving");
    const RegistrationImages<D> images{fixed.image_or(in.fixed), moving.image_or(in.moving),
                                       fixed.mask_or(in.fixed_mask), moving.mask_or(in.moving_mask)};
    const int stages = plan.stage_count();

    RegistrationResult<D> r;
    r.nonfinite_fixed = fixed.nonfinite;
    r.nonfinite_moving = moving.nonfinite;
    r.fixed_grid = in.fixed.grid();
    r.initial_affine = in.initial_affine ? *in.initial_affine : initial_alignment(plan.init, images);
    r.affine = r.initial_affine;
    PyramidCache<D> pyramid;
    for (int s = 0; s < static_cast<int>(plan.linear.size()); ++s) {
        StageMonitor monitor(&observer, s, stages, describe(plan.linear[s]));
        r.affine = run_linear_stage(images, plan.linear[s], r.affine, pyramid, monitor);
        r.stages.push_back(monitor.finish());
    }
    if (plan.deformable) {
        StageMonitor monitor(&observer, stages - 1, stages, describe(*plan.deformable));
        DeformableStart<D> start{in.initial_field, 0};
        if (in.initial_field && in.warm_start_levels > 0)
            start.first_level = std::max(0, plan.deformable->pyramid.levels() - in.warm_start_levels);
        r.deformation = run_deformable_stage(images, *plan.deformable, r.affine, start, monitor);
        r.stages.push_back(monitor.finish());
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

template <int D>
RegistrationResult<D> register_images(const RegistrationInputs<D>& inputs, const RegistrationPlan& plan) {
    RegistrationObserver silent;
    return register_images(inputs, plan, silent);
}

template <int D>
ScalarImage<D> apply_registration(const RegistrationResult<D>& result, const ScalarImage<D>& image,
                                  Interpolation interpolation, float outside) {
    if (!result.deformation) return resample(image, result.fixed_grid, result.affine, interpolation, outside);
    // The warp lives on the fixed grid: its value at a voxel is the voxel's own
    // (no interpolation, and no copy of the field into a chain).
    const Grid<D>& grid = result.fixed_grid;
    const VectorField<D>& warp = result.deformation->warp;
    const Sampler<D> sample(image, interpolation);
    ScalarImage<D> out(grid);
    for_each_row(grid, [&](Index offset, VecD<D> index) {
        for (Index x = 0; x < grid.size(0); ++x) {
            index[0] = static_cast<double>(x);
            const VecD<D> p = result.affine(grid.physical(index) + warp[offset + x].template cast<double>());
            out[offset + x] = sample(image.grid().continuous_index(p), outside);
        }
    });
    return out;
}

#define ALINEA_INSTANTIATE(D)                                                                                   \
    template struct RegistrationResult<D>;                                                                      \
    template RegistrationResult<D> register_images<D>(const RegistrationInputs<D>&, const RegistrationPlan&,    \
                                                      RegistrationObserver&);                                   \
    template RegistrationResult<D> register_images<D>(const RegistrationInputs<D>&, const RegistrationPlan&);   \
    template Index count_nonfinite<D>(const ScalarImage<D>&);                                                   \
    template std::string content_problem<D>(const ScalarImage<D>&);                                             \
    template ScalarImage<D> apply_registration<D>(const RegistrationResult<D>&, const ScalarImage<D>&,          \
                                                  Interpolation, float);
ALINEA_INSTANTIATE(2)
ALINEA_INSTANTIATE(3)
#undef ALINEA_INSTANTIATE

}  // namespace alinea
