#pragma once
// Registration as one call: a whole plan (initial alignment, linear stages, an
// optional deformable stage) on images in memory, every result returned as values.
// The CLI, the applications (atlas, segmentation, tracking) and Python all run
// registrations through register_images().
#include "alinea/interpolate.hpp"
#include "alinea/registration_observer.hpp"
#include "alinea/registration_plan.hpp"
#include "alinea/transform_chain.hpp"

#include <optional>
#include <vector>

namespace alinea {

template <int D>
struct RegistrationInputs {
    const ScalarImage<D>& fixed;
    const ScalarImage<D>& moving;
    const ScalarImage<D>* fixed_mask = nullptr;   // on the fixed grid; samples only where > 0.5
    const ScalarImage<D>* moving_mask = nullptr;  // on the moving grid; only points mapping where > 0.5
    // Start here (fixed -> moving) instead of the plan's initial alignment.
    std::optional<Affine<D>> initial_affine = std::nullopt;
    // Warm start of the deformable stage, on any grid (resampled): a velocity field
    // for diffeo, a displacement field for greedy and bspline.
    const VectorField<D>* initial_field = nullptr;
    // A warm-started stage runs only this many of its finest levels (0: all of them).
    // The initial field is already right at the coarse scales; coarse levels would
    // pull it toward their smoothed optimum and the fine levels would spend their
    // iterations pulling it back.
    int warm_start_levels = 1;
};

template <int D>
struct RegistrationResult {
    Grid<D> fixed_grid;
    Affine<D> initial_affine;                     // where the linear stages started
    Affine<D> affine;                             // the linear result, fixed -> moving
    std::optional<DeformableResult<D>> deformation;  // when the plan has a deformable stage (+ its Jacobian)
    std::vector<StageReport> stages;              // per stage and level: iterations, values, stop reasons, time
    // Non-finite (NaN, inf) voxels, treated as missing data: left out of every sample.
    Index nonfinite_fixed = 0, nonfinite_moving = 0;
    double seconds = 0;

    // The whole fixed -> moving map: x -> affine(x + warp(x)) (ANTs' -t warp -t affine).
    TransformChain<D> transform() const;
};

// Non-finite voxels (NaN, inf) in either image are missing data: they take no part in
// the metric, the pyramid or the initialisation (as if outside the masks). Throws
// alinea::Error on an image without a finite voxel, on inconsistent inputs (masks on
// other grids, an initial field without a deformable stage, no samples) and Cancelled
// when the observer asks.
template <int D>
RegistrationResult<D> register_images(const RegistrationInputs<D>& inputs, const RegistrationPlan& plan,
                                      RegistrationObserver& observer);
template <int D>
RegistrationResult<D> register_images(const RegistrationInputs<D>& inputs, const RegistrationPlan& plan);

// An image of the moving space (the moving image, its labels, a probability map)
// resampled onto the fixed grid through the result. Labels: Interpolation::label.
// The number of non-finite voxels of an image.
template <int D>
Index count_nonfinite(const ScalarImage<D>& image);

// Why an image cannot be registered at all, or "" when it can: "has no finite voxel
// (all NaN or inf)", "is constant (every voxel 7): there is nothing to align".
template <int D>
std::string content_problem(const ScalarImage<D>& image);

template <int D>
ScalarImage<D> apply_registration(const RegistrationResult<D>& result, const ScalarImage<D>& image,
                                  Interpolation interpolation = Interpolation::linear, float outside = 0.0f);

}  // namespace alinea
