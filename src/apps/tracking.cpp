#include "alinea/tracking.hpp"

#include "concurrent_tasks.hpp"

#include "alinea/distance_transform.hpp"
#include "alinea/resample_chain.hpp"

#include <chrono>
#include <omp.h>
#include <cmath>
#include <optional>

namespace alinea {

TrackingMode parse_tracking_mode(const std::string& name) {
    if (name == "chain") return TrackingMode::chain;
    if (name == "direct") return TrackingMode::direct;
    if (name == "hybrid") return TrackingMode::hybrid;
    throw Error("unknown tracking mode '" + name + "' (expected chain, direct or hybrid)");
}

std::string to_string(TrackingMode mode) {
    switch (mode) {
        case TrackingMode::chain: return "chain";
        case TrackingMode::direct: return "direct";
        case TrackingMode::hybrid: return "hybrid";
    }
    return "?";
}

RegistrationPlan TrackingOptions::small_motion_plan() {
    return parse_registration_plan(
        "--transform affine --metric ncc --levels 2x1 --smoothing 1x0vox --iterations 60x30 "
        "--transform greedy --metric ncc --levels 2x1 --smoothing 1x0vox --iterations 60x40");
}

RegistrationPlan TrackingOptions::large_motion_plan() {
    return parse_registration_plan(
        "--init mass --transform rigid --metric mi --transform affine --metric mi "
        "--transform greedy --metric lncc:radius=2 --levels 2x1 --smoothing 1x0vox --iterations 60x40");
}

TrackingOptions TrackingOptions::preset(TrackingMotion motion) {
    TrackingOptions options;
    options.plan = motion == TrackingMotion::small ? small_motion_plan() : large_motion_plan();
    options.chain_warm_start = motion == TrackingMotion::small;
    return options;
}

TrackingMotion parse_tracking_motion(const std::string& name) {
    if (name == "small") return TrackingMotion::small;
    if (name == "large") return TrackingMotion::large;
    throw Error("--motion: expected small or large, got '" + name + "'");
}

namespace {

// The final metric value of a registration (its last stage's finest level): the lower,
// the better it matches.
template <int D>
double final_value(const RegistrationResult<D>& r) {
    return r.stages.back().levels.back().result.value;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The labelled voxels grown by `mm` (an exact Euclidean distance).
template <int D>
ScalarImage<D> dilated_mask(const ScalarImage<D>& labels, double mm) {
    ScalarImage<D> features(labels.grid());
    for (Index v = 0; v < labels.voxel_count(); ++v) features[v] = labels[v] != 0 ? 1.0f : 0.0f;
    ScalarImage<D> mask = distance_transform(features);
    for (float& d : mask.voxels()) d = d <= mm ? 1.0f : 0.0f;
    return mask;
}

// x -> first(x) -> then(first(x)): a frame's pairwise transform to its neighbour, then
// the neighbour's transform to the reference.
template <int D>
TransformChain<D> compose(const TransformChain<D>& first, const TransformChain<D>& then) {
    TransformChain<D> out = first;
    for (const Transform<D>& step : then.steps()) out.then(step);
    return out;
}

// The deformation a later registration can start from: a velocity for diffeo, a
// displacement otherwise.
template <int D>
const VectorField<D>* start_field(const RegistrationResult<D>& r, const RegistrationPlan& plan) {
    if (!r.deformation) return nullptr;
    const bool diffeo = std::holds_alternative<DiffeoOptions>(plan.deformable->model);
    return diffeo ? &r.deformation->velocity : &r.deformation->warp;
}

// chain(x) - x on `grid`, as the start of a deformable stage whose affine is the
// identity (for diffeo, as a velocity: exp(u) ~ x + u for the small residual motion
// left after the chain, refined by the registration).
template <int D>
VectorField<D> displacement_of(const TransformChain<D>& chain, const Grid<D>& grid) {
    VectorField<D> u(grid);
    for (Index v = 0; v < u.voxel_count(); ++v) {
        const Size<D> idx = grid.index_of(v);
        VecD<D> ci;
        for (int a = 0; a < D; ++a) ci[a] = static_cast<double>(idx[a]);
        const VecD<D> x = grid.physical(ci);
        u[v] = (chain(x) - x).template cast<float>();
    }
    return u;
}

// A registration whose failure names the frame (counted from 1), as the user counts.
template <int D>
RegistrationResult<D> register_naming_frame(std::size_t frame, const RegistrationInputs<D>& in,
                                            const RegistrationPlan& plan, RegistrationObserver& observer) {
    try {
        return register_images(in, plan, observer);
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("tracking: frame " + std::to_string(frame + 1) + ": " + e.what());
    }
}

// The tracking's own report, locked like the registrations'.
class LockedTrackingObserver final : public LockedObserver<TrackingObserver> {
public:
    using LockedObserver::LockedObserver;
    void registration_started(std::size_t frame, std::size_t target, const std::string& what) override {
        const std::lock_guard lock(mutex_);
        inner_.registration_started(frame, target, what);
    }
};

}  // namespace

template <int D>
Tracking<D> track_labels(std::span<const ScalarImage<D>> frames, std::size_t reference, const ScalarImage<D>& labels,
                         const TrackingOptions& options, TrackingObserver& observer) {
    const auto start = std::chrono::steady_clock::now();
    const std::size_t n = frames.size();
    if (reference >= n)
        throw Error("tracking: reference frame " + std::to_string(reference + 1) + " of " + std::to_string(n) + " frames");
    if (!labels.grid().same_as(frames[reference].grid()))
        throw Error("tracking: the labels are not on the reference frame's grid");
    const std::vector<LabelMeasure<D>> reference_measures = measure_labels(labels);
    if (reference_measures.empty()) throw Error("tracking: the reference labels have no labelled voxel");
    if (!(options.mask_dilation >= 0)) throw Error("tracking: the mask dilation must be >= 0 mm");

    Tracking<D> out;
    out.reference = reference;
    out.frames.resize(n);
    std::optional<ScalarImage<D>> mask;
    if (options.mode != TrackingMode::chain && options.mask_dilation > 0) mask = dilated_mask(labels, options.mask_dilation);

    LockedTrackingObserver locked(observer);
    const int workers = options.frames_in_parallel ? omp_get_max_threads() : 1;
    // Chain: the frames after the reference, and those before it, one after the other.
    auto chain = [&](std::size_t task) {
        const int direction = task == 0 ? +1 : -1;
        std::optional<RegistrationResult<D>> previous;
        for (auto t = static_cast<std::ptrdiff_t>(reference) + direction; t >= 0 && t < static_cast<std::ptrdiff_t>(n);
             t += direction) {
            const auto frame = static_cast<std::size_t>(t), neighbour = static_cast<std::size_t>(t - direction);
            const auto frame_start = std::chrono::steady_clock::now();
            locked.registration_started(frame, neighbour, "chain");
            RegistrationInputs<D> in{frames[frame], frames[neighbour]};
            if (previous && options.chain_warm_start) {  // start from the neighbours' motion
                in.initial_affine = previous->affine;
                in.initial_field = start_field(*previous, options.plan);
                in.warm_start_levels = 0;  // the motion changes: a start, not an answer
            }
            RegistrationResult<D> r = register_naming_frame(frame, in, options.plan, locked);
            TrackedFrame<D>& f = out.frames[frame];
            f.transform = compose(r.transform(), out.frames[neighbour].transform);
            f.stages = r.stages;
            f.origin = "chain";
            f.seconds = seconds_since(frame_start);
            previous = std::move(r);
        }
    };
    // Direct, or hybrid: each frame on its own, to the reference.
    std::vector<std::size_t> others;
    for (std::size_t frame = 0; frame < n; ++frame)
        if (frame != reference) others.push_back(frame);
    auto direct = [&](std::size_t task) {
        const std::size_t frame = others[task];
        const auto frame_start = std::chrono::steady_clock::now();
        TrackedFrame<D>& f = out.frames[frame];
        const RegistrationInputs<D> direct_inputs{frames[frame], frames[reference], nullptr, mask ? &*mask : nullptr};
        locked.registration_started(frame, reference, "direct");
        RegistrationResult<D> r = register_naming_frame(frame, direct_inputs, options.plan, locked);
        std::string origin = "direct";
        if (options.mode == TrackingMode::hybrid) {
            // Refine the chained transform: as the start of the deformable stage alone,
            // or, for a linear plan, of its last stage.
            locked.registration_started(frame, reference, "hybrid");
            RegistrationInputs<D> in = direct_inputs;
            RegistrationPlan plan = options.plan;
            VectorField<D> chained;
            if (plan.deformable) {
                plan.linear.clear();
                chained = displacement_of(f.transform, frames[frame].grid());
                in.initial_affine = Affine<D>{};
                in.initial_field = &chained;
            } else {
                Affine<D> affine;
                if (!f.transform.is_affine(&affine)) throw Error("tracking: a linear chain that is not affine");
                in.initial_affine = affine;
                plan.linear.erase(plan.linear.begin(), plan.linear.end() - 1);
            }
            RegistrationResult<D> refined = register_naming_frame(frame, in, plan, locked);
            if (final_value(refined) <= final_value(r)) {
                r = std::move(refined);
                origin = "chain";
            }
        }
        f.transform = r.transform();
        f.stages.insert(f.stages.end(), r.stages.begin(), r.stages.end());
        f.origin = origin;
        f.seconds += seconds_since(frame_start);
    };
    if (options.mode != TrackingMode::direct) run_tasks(2, workers, chain);
    if (options.mode != TrackingMode::chain) run_tasks(others.size(), workers, direct);
    for (std::size_t frame = 0; frame < n; ++frame) {
        TrackedFrame<D>& f = out.frames[frame];
        if (frame == reference) f.origin = "reference";
        f.labels = frame == reference ? labels : resample(labels, frames[frame].grid(), f.transform, Interpolation::label);
        // Every reference label, also where it was lost.
        const std::vector<LabelMeasure<D>> found = measure_labels(f.labels);
        for (const LabelMeasure<D>& m : reference_measures) {
            LabelMeasure<D> entry{m.label, 0, 0, VecD<D>::Constant(std::nan(""))};
            for (const LabelMeasure<D>& g : found)
                if (g.label == m.label) entry = g;
            f.measures.push_back(entry);
        }
    }
    out.seconds = seconds_since(start);
    return out;
}

template Tracking<2> track_labels<2>(std::span<const ScalarImage<2>>, std::size_t, const ScalarImage<2>&,
                                     const TrackingOptions&, TrackingObserver&);
template Tracking<3> track_labels<3>(std::span<const ScalarImage<3>>, std::size_t, const ScalarImage<3>&,
                                     const TrackingOptions&, TrackingObserver&);

template <int D>
std::vector<TrackedMeasure> tracked_measures(const Tracking<D>& tracking) {
    std::vector<TrackedMeasure> rows;
    const auto& reference = tracking.frames[tracking.reference].measures;
    for (std::size_t t = 0; t < tracking.frames.size(); ++t)
        for (std::size_t l = 0; l < reference.size(); ++l) {
            const LabelMeasure<D>& m = tracking.frames[t].measures[l];
            TrackedMeasure row{t, m.label, m.voxels, m.volume};
            for (int a = 0; a < D; ++a) row.centroid[a] = a < 2 ? -m.centroid[a] : m.centroid[a];  // LPS -> RAS
            row.displacement = (m.centroid - reference[l].centroid).norm();
            row.volume_change_percent = 100 * (m.volume - reference[l].volume) / reference[l].volume;
            rows.push_back(row);
        }
    return rows;
}

template std::vector<TrackedMeasure> tracked_measures<2>(const Tracking<2>&);
template std::vector<TrackedMeasure> tracked_measures<3>(const Tracking<3>&);

}  // namespace alinea
