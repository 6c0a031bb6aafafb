#include "alinea/atlas.hpp"

#include "concurrent_tasks.hpp"

#include "alinea/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>

namespace alinea {

RegistrationPlan AtlasOptions::default_atlas_plan() {
    return parse_registration_plan("--init mass --transform rigid --transform affine --transform diffeo");
}

void AtlasOptions::validate() const {
    if (iterations < 1 || iterations > 100) throw Error("atlas: iterations must be 1 to 100, got " + std::to_string(iterations));
    if (plan.linear.empty() && !plan.deformable) throw Error("atlas: the registration plan has no stage");
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Voxels of the template's foreground (above its mean): where the update and the
// change are measured (the background's zero motion would dilute them).
template <int D>
std::vector<Index> foreground_voxels(const ScalarImage<D>& image) {
    double sum = 0;
    for (float v : image.voxels()) sum += v;
    const double mean = sum / static_cast<double>(std::max<Index>(1, image.voxel_count()));
    std::vector<Index> out;
    for (Index i = 0; i < image.voxel_count(); ++i)
        if (image[i] > mean) out.push_back(i);
    return out;
}

}  // namespace

template <int D>
InitialTemplate<D> initial_template(std::span<const AtlasSubject<D>> subjects, TemplateAverage average,
                                    const AtlasTeam& team) {
    if (subjects.empty()) throw Error("atlas: no subject");
    InitialTemplate<D> out;
    const ScalarImage<D>& first = subjects.front().image;
    for (std::size_t s = 0; s < subjects.size(); ++s)
        out.mappings.push_back({team.owns(s) ? initial_transform(Initialization::mass, first, subjects[s].image) : Affine<D>{},
                                {}});
    out.image = average_subjects<D>(subjects, out.mappings, first.grid(), average, team).average;
    return out;
}

namespace {

class LockedAtlasObserver final : public LockedObserver<AtlasObserver> {
public:
    using LockedObserver::LockedObserver;
    void registration_started(int iteration, std::size_t subject, std::size_t subjects, const std::string& name) override {
        const std::lock_guard lock(mutex_);
        inner_.registration_started(iteration, subject, subjects, name);
    }
    // One registration failed: the others give up at their next iteration (the
    // iteration fails anyway, and a distributed job must fail within seconds).
    void abandon() { abandoned_ = true; }
    bool stop_requested() override { return abandoned_ || LockedObserver::stop_requested(); }

private:
    std::atomic<bool> abandoned_{false};
};

// One subject's registration to the template: what the shape update and the new maps need.
template <int D>
struct SubjectRegistration {
    SubjectMapping<D> mapping;
    VectorField<D> velocity;  // diffeo: v; other deformable models: the warp; linear: empty
    double metric = 0;
};

template <int D>
SubjectRegistration<D> register_subject(const AtlasSubject<D>& subject, const ScalarImage<D>& current,
                                        const RegistrationPlan& plan, const SubjectMapping<D>* start,
                                        RegistrationObserver& observer) {
    RegistrationInputs<D> inputs{current, subject.image};
    if (start) {
        inputs.initial_affine = start->affine;
        // The warp is the first-order velocity of a diffeo stage, and the very field of
        // the others.
        if (plan.deformable && !start->warp.empty()) inputs.initial_field = &start->warp;
        inputs.warm_start_levels = 1;
    }
    RegistrationResult<D> r = register_images<D>(inputs, plan, observer);
    SubjectRegistration<D> out;
    out.mapping.affine = r.affine;
    if (r.deformation) {
        out.velocity = r.deformation->velocity.empty() ? r.deformation->warp : std::move(r.deformation->velocity);
        out.mapping.warp = std::move(r.deformation->warp);
    }
    // The last level that ran (a first iteration may skip the finest level: its report holds no value).
    if (!r.stages.empty())
        for (auto level = r.stages.back().levels.rbegin(); level != r.stages.back().levels.rend(); ++level)
            if (level->result.iterations > 0) {
                out.metric = level->result.value;
                break;
            }
    return out;
}

// Every subject's affine on every rank, from their owners'.
template <int D>
void merge_affines(const Communicator& team, const AtlasTeam& owners, std::vector<Affine<D>>& affines) {
    constexpr std::size_t values = D * D + D;
    std::vector<double> flat(affines.size() * values, 0.0);
    for (std::size_t s = 0; s < affines.size(); ++s)
        if (owners.owns(s)) {
            std::copy_n(affines[s].matrix.data(), D * D, flat.begin() + static_cast<std::ptrdiff_t>(s * values));
            std::copy_n(affines[s].offset.data(), D, flat.begin() + static_cast<std::ptrdiff_t>(s * values + D * D));
        }
    merge_values(team, std::span(flat));
    for (std::size_t s = 0; s < affines.size(); ++s) {
        std::copy_n(flat.begin() + static_cast<std::ptrdiff_t>(s * values), D * D, affines[s].matrix.data());
        std::copy_n(flat.begin() + static_cast<std::ptrdiff_t>(s * values + D * D), D, affines[s].offset.data());
    }
}

double rms_over(const std::vector<Index>& voxels, auto&& value) {
    if (voxels.empty()) return 0;
    double sum = 0;
    for (Index i : voxels) sum += value(i);
    return std::sqrt(sum / static_cast<double>(voxels.size()));
}

}  // namespace

template <int D>
AtlasIteration<D> atlas_iteration(std::span<const AtlasSubject<D>> subjects, const ScalarImage<D>& current,
                                  int iteration, const AtlasOptions& options, AtlasObserver& observer,
                                  std::span<const SubjectMapping<D>> previous, const AtlasTeam& team) {
    options.validate();
    if (subjects.empty()) throw Error("atlas: no subject");
    if (!team.owner.empty() && team.owner.size() != subjects.size())
        throw Error("atlas: ranks given for " + std::to_string(team.owner.size()) + " of " +
                    std::to_string(subjects.size()) + " subjects");
    if (!previous.empty() && previous.size() != subjects.size())
        throw Error("atlas: " + std::to_string(previous.size()) + " previous maps for " +
                    std::to_string(subjects.size()) + " subjects");
    const bool warm = options.warm_start && !previous.empty();
    const auto start = std::chrono::steady_clock::now();
    const std::size_t n = subjects.size();
    std::vector<SubjectRegistration<D>> registered(n);
    LockedAtlasObserver locked(observer);
    const int workers = options.subjects_in_parallel ? omp_get_max_threads() : 1;
    RegistrationPlan plan = options.plan;
    if (options.coarse_first_iteration && iteration == 1 && plan.deformable && plan.deformable->pyramid.levels() > 1)
        plan.deformable->pyramid.iterations.back() = 0;
    std::vector<std::size_t> mine;
    for (std::size_t s = 0; s < n; ++s)
        if (team.owns(s)) mine.push_back(s);
    run_tasks(mine.size(), workers, [&](std::size_t task) {
        const std::size_t s = mine[task];
        locked.registration_started(iteration, s, n, subjects[s].name);
        try {
            registered[s] = register_subject(subjects[s], current, plan, warm ? &previous[s] : nullptr, locked);
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {
            locked.abandon();
            throw Error("atlas: subject " + std::to_string(s + 1) + " (" + subjects[s].name + "): " + e.what());
        }
    });

    observer.averaging_started(iteration);
    const Communicator& ranks = team.ranks();
    std::vector<Affine<D>> affines;
    std::vector<VectorField<D>> velocities;  // this rank's
    std::vector<double> metric(n, 0.0);
    for (std::size_t s = 0; s < n; ++s) {
        SubjectRegistration<D>& r = registered[s];
        affines.push_back(r.mapping.affine);
        if (!team.owns(s)) continue;
        metric[s] = r.metric;
        if (!r.velocity.empty()) velocities.push_back(std::move(r.velocity));
    }
    merge_affines(ranks, team, affines);
    merge_values(ranks, std::span(metric));
    const ShapeUpdate<D> update = shape_update<D>(affines, velocities, current.grid(), options.rigid_update, ranks);
    velocities.clear();

    AtlasIteration<D> out;
    out.figures.iteration = iteration;
    const Grid<D>& grid = current.grid();
    const std::vector<Index> foreground = foreground_voxels(current);
    std::vector<double> moved(static_cast<size_t>(grid.voxel_count()), 0.0);
    for_each_row(grid, [&](Index offset, VecD<D> index) {
        for (Index x = 0; x < grid.size(0); ++x) {
            index[0] = static_cast<double>(x);
            const VecD<D> p = grid.physical(index);
            moved[offset + x] = (update(p) - p).squaredNorm();
        }
    });
    out.figures.shape_update_mm = rms_over(foreground, [&](Index i) { return moved[i]; });
    if (!update.inverse_warp.empty())
        out.figures.velocity_update_mm =
            rms_over(foreground, [&](Index i) { return static_cast<double>(update.inverse_warp[i].squaredNorm()); });
    for (std::size_t s = 0; s < n; ++s) {
        SubjectRegistration<D>& r = registered[s];
        out.mappings.push_back(team.owns(s) ? updated_mapping(r.mapping, update) : SubjectMapping<D>{});
        r.mapping.warp = VectorField<D>();  // one field per subject at a time
        out.metric.push_back(metric[s]);
        out.figures.mean_metric += metric[s] / static_cast<double>(n);
    }
    TemplateAverageResult<D> average = average_subjects<D>(subjects, out.mappings, grid, options.average, team);
    out.template_image = sharpen(average.average, options.sharpening);
    out.intensity_sd = std::move(average.sd);
    const double old_rms = rms_over(foreground, [&](Index i) { return double(current[i]) * current[i]; });
    const double change = rms_over(foreground, [&](Index i) {
        const double d = double(out.template_image[i]) - current[i];
        return d * d;
    });
    out.figures.template_change = old_rms > 0 ? change / old_rms : 0;
    out.figures.seconds = seconds_since(start);
    return out;
}

template <int D>
AtlasConstruction<D> build_atlas(std::span<const AtlasSubject<D>> subjects, const AtlasOptions& options,
                                 AtlasObserver& observer, const ScalarImage<D>* initial, const AtlasTeam& team) {
    options.validate();
    AtlasConstruction<D> out;
    out.initial = initial ? *initial : initial_template(subjects, options.average, team).image;
    const ScalarImage<D>* current = &out.initial;
    for (int k = 1; k <= options.iterations; ++k) {
        out.last = atlas_iteration<D>(subjects, *current, k, options, observer, out.last.mappings, team);
        out.figures.push_back(out.last.figures);
        current = &out.last.template_image;  // read by the next call before its result replaces it
    }
    return out;
}

#define ALINEA_ATLAS(D)                                                                                              \
    template InitialTemplate<D> initial_template<D>(std::span<const AtlasSubject<D>>, TemplateAverage,               \
                                                    const AtlasTeam&);                                               \
    template AtlasIteration<D> atlas_iteration<D>(std::span<const AtlasSubject<D>>, const ScalarImage<D>&, int,      \
                                                  const AtlasOptions&, AtlasObserver&,                               \
                                                  std::span<const SubjectMapping<D>>, const AtlasTeam&);             \
    template AtlasConstruction<D> build_atlas<D>(std::span<const AtlasSubject<D>>, const AtlasOptions&,              \
                                                 AtlasObserver&, const ScalarImage<D>*, const AtlasTeam&);
ALINEA_ATLAS(2)
ALINEA_ATLAS(3)

}  // namespace alinea
