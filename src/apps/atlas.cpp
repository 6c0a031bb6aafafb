#include "alinea/atlas.hpp"

#include "concurrent_tasks.hpp"

#include "alinea/affine_mean.hpp"
#include "alinea/displacement.hpp"
#include "alinea/parallel.hpp"
#include "alinea/resample_chain.hpp"
#include "alinea/smooth.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace alinea {

TemplateAverage parse_template_average(const std::string& name) {
    if (name == "mean") return TemplateAverage::mean;
    if (name == "median") return TemplateAverage::median;
    if (name == "normalized-mean") return TemplateAverage::normalized_mean;
    throw Error("unknown template average '" + name + "' (expected mean, median or normalized-mean)");
}

std::string to_string(TemplateAverage average) {
    switch (average) {
        case TemplateAverage::mean: return "mean";
        case TemplateAverage::median: return "median";
        case TemplateAverage::normalized_mean: return "normalized-mean";
    }
    return "?";
}

TemplateSharpening parse_template_sharpening(const std::string& name) {
    if (name == "none") return TemplateSharpening::none;
    if (name == "laplacian") return TemplateSharpening::laplacian;
    if (name == "unsharp") return TemplateSharpening::unsharp;
    throw Error("unknown sharpening '" + name + "' (expected none, laplacian or unsharp)");
}

std::string to_string(TemplateSharpening sharpening) {
    switch (sharpening) {
        case TemplateSharpening::none: return "none";
        case TemplateSharpening::laplacian: return "laplacian";
        case TemplateSharpening::unsharp: return "unsharp";
    }
    return "?";
}

RegistrationPlan AtlasOptions::default_atlas_plan() {
    return parse_registration_plan("--init mass --transform rigid --transform affine --transform diffeo");
}

void AtlasOptions::validate() const {
    if (iterations < 1 || iterations > 100) throw Error("atlas: iterations must be 1 to 100, got " + std::to_string(iterations));
    if (plan.linear.empty() && !plan.deformable) throw Error("atlas: the registration plan has no stage");
}

template <int D>
TransformChain<D> SubjectMapping<D>::chain() const {
    TransformChain<D> c;
    if (!warp.empty()) c.then(DisplacementField<D>{warp});
    c.then(affine);
    return c;
}

namespace {

// y + u(y), u extended beyond its grid by its border values (as displacement.hpp's
// compositions do: a field that is not zero at the border would otherwise make the
// composed maps jump there). Samples without copying the field.
template <int D>
VecD<D> displaced(const VectorField<D>& u, const VecD<D>& y) {
    VecD<D> ci = u.grid().continuous_index(y);
    for (int a = 0; a < D; ++a) ci[a] = std::clamp(ci[a], 0.0, static_cast<double>(u.grid().size(a) - 1));
    Vec<D> d = Vec<D>::Zero();
    sample_linear(u, ci, d);
    return y + d.template cast<double>();
}

}  // namespace

template <int D>
VecD<D> ShapeUpdate<D>::operator()(const VecD<D>& x) const {
    const VecD<D> y = mean_affine.inverse()(x);
    return inverse_warp.empty() ? y : displaced(inverse_warp, y);
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The mean intensity of the foreground (finite voxels above the image's mean): the
// scale that normalises a subject, robust to how much background its field of view has.
template <int D>
double foreground_mean(const ScalarImage<D>& image) {
    double sum = 0;
    Index n = 0;
    for (float v : image.voxels())
        if (std::isfinite(v)) sum += v, ++n;
    if (n == 0) return 0;
    const double mean = sum / static_cast<double>(n);
    double fg = 0;
    Index m = 0;
    for (float v : image.voxels())
        if (std::isfinite(v) && v > mean) fg += v, ++m;
    return m > 0 ? fg / static_cast<double>(m) : mean;
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
ScalarImage<D> warp_subject(const ScalarImage<D>& subject, const Grid<D>& template_grid, const SubjectMapping<D>& mapping,
                            Interpolation interpolation) {
    return resample(subject, template_grid, mapping.chain(), interpolation, std::numeric_limits<float>::quiet_NaN());
}

template <int D>
ShapeUpdate<D> shape_update(std::span<const Affine<D>> affines, std::span<const VectorField<D>> velocities,
                            const Grid<D>& template_grid, bool rigid_update) {
    ShapeUpdate<D> out;
    out.mean_affine = log_mean(affines);
    if (!rigid_update) out.mean_affine = without_rigid(out.mean_affine, template_grid.center());
    if (velocities.empty()) return out;
    VectorField<D> mean(template_grid);
    for (const VectorField<D>& v : velocities) {
        if (!v.grid().same_as(template_grid)) throw Error("shape update: a velocity field is not on the template grid");
        parallel_for(mean.voxel_count(), [&](Index i) { mean[i] += v[i]; });
    }
    const float scale = -1.0f / static_cast<float>(velocities.size());
    parallel_for(mean.voxel_count(), [&](Index i) { mean[i] *= scale; });
    out.inverse_warp = exponential(mean);
    return out;
}

template <int D>
SubjectMapping<D> updated_mapping(const SubjectMapping<D>& mapping, const ShapeUpdate<D>& update) {
    SubjectMapping<D> out;
    const Affine<D>& mean = update.mean_affine;
    out.affine = mapping.affine.after(mean.inverse());
    if (mapping.warp.empty() && update.inverse_warp.empty()) return out;
    const Grid<D>& grid = mapping.warp.empty() ? update.inverse_warp.grid() : mapping.warp.grid();
    out.warp = VectorField<D>(grid);
    for_each_row(grid, [&](Index offset, VecD<D> index) {
        for (Index x = 0; x < grid.size(0); ++x) {
            index[0] = static_cast<double>(x);
            const VecD<D> p = grid.physical(index);
            const VecD<D> w = update(p);
            const VecD<D> q = mapping.warp.empty() ? w : displaced(mapping.warp, w);
            out.warp[offset + x] = (mean(q) - p).template cast<float>();
        }
    });
    return out;
}

template <int D>
TemplateAverageResult<D> average_subjects(std::span<const AtlasSubject<D>> subjects,
                                          std::span<const SubjectMapping<D>> mappings, const Grid<D>& grid,
                                          TemplateAverage average) {
    if (subjects.size() != mappings.size() || subjects.empty())
        throw Error("atlas average: " + std::to_string(subjects.size()) + " subjects, " +
                    std::to_string(mappings.size()) + " maps");
    const Index n = grid.voxel_count();
    std::vector<double> scale(subjects.size(), 1.0);
    double mean_scale = 1;
    if (average == TemplateAverage::normalized_mean) {
        mean_scale = 0;
        for (std::size_t s = 0; s < subjects.size(); ++s) {
            scale[s] = foreground_mean(subjects[s].image);
            if (!(scale[s] > 0))
                throw Error("atlas: subject " + subjects[s].name + " has no positive foreground to normalise");
            mean_scale += scale[s] / static_cast<double>(subjects.size());
        }
    }
    TemplateAverageResult<D> out{ScalarImage<D>(grid), ScalarImage<D>(grid)};
    std::vector<double> sum(static_cast<size_t>(n), 0.0), squares(static_cast<size_t>(n), 0.0);
    std::vector<std::uint32_t> count(static_cast<size_t>(n), 0);
    std::vector<ScalarImage<D>> all;  // the median only
    for (std::size_t s = 0; s < subjects.size(); ++s) {
        ScalarImage<D> w = warp_subject(subjects[s].image, grid, mappings[s]);
        const double f = mean_scale / scale[s];
        parallel_for(n, [&](Index i) {
            if (!std::isfinite(w[i])) return;
            const double v = f * w[i];
            sum[i] += v, squares[i] += v * v, ++count[i];
        });
        if (average == TemplateAverage::median) all.push_back(std::move(w));
    }
    parallel_for(n, [&](Index i) {
        if (count[i] == 0) return;
        const double m = sum[i] / count[i];
        out.average[i] = static_cast<float>(m);
        out.sd[i] = static_cast<float>(std::sqrt(std::max(0.0, squares[i] / count[i] - m * m)));
    });
    if (average == TemplateAverage::median) {
        for_each_row(grid, [&](Index offset, const VecD<D>&) {
            std::vector<float> v;
            v.reserve(all.size());
            for (Index i = offset; i < offset + grid.size(0); ++i) {
                v.clear();
                for (const ScalarImage<D>& w : all)
                    if (std::isfinite(w[i])) v.push_back(w[i]);
                if (v.empty()) continue;
                std::sort(v.begin(), v.end());
                const std::size_t k = v.size();
                out.average[i] = k % 2 ? v[k / 2] : 0.5f * (v[k / 2 - 1] + v[k / 2]);
            }
        });
    }
    return out;
}

template <int D>
ScalarImage<D> sharpen(const ScalarImage<D>& image, TemplateSharpening sharpening) {
    if (sharpening == TemplateSharpening::none) return image;
    float lo = std::numeric_limits<float>::max(), hi = std::numeric_limits<float>::lowest();
    for (float v : image.voxels()) lo = std::min(lo, v), hi = std::max(hi, v);
    ScalarImage<D> out(image.grid());
    const Grid<D>& g = image.grid();
    if (sharpening == TemplateSharpening::unsharp) {
        ScalarImage<D> blurred = image;
        gaussian_smooth(blurred, VecD<D>(VecD<D>::Ones()));
        parallel_for(image.voxel_count(), [&](Index i) {
            out[i] = std::clamp(image[i] + 0.5f * (image[i] - blurred[i]), lo, hi);
        });
        return out;
    }
    // Laplacian in voxel units, the border mirrored (a constant image stays constant).
    for_each_row(g, [&](Index offset, VecD<D> index) {
        Size<D> at;
        for (int a = 0; a < D; ++a) at[a] = static_cast<Index>(index[a]);
        for (Index x = 0; x < g.size(0); ++x) {
            at[0] = x;
            const float c = image[offset + x];
            float laplacian = 0;
            for (int a = 0; a < D; ++a) {
                Size<D> lo_at = at, hi_at = at;
                lo_at[a] = std::max<Index>(0, at[a] - 1);
                hi_at[a] = std::min<Index>(g.size(a) - 1, at[a] + 1);
                laplacian += image.at(lo_at) + image.at(hi_at) - 2 * c;
            }
            out[offset + x] = std::clamp(c - 0.25f * laplacian, lo, hi);
        }
    });
    return out;
}

template <int D>
InitialTemplate<D> initial_template(std::span<const AtlasSubject<D>> subjects, TemplateAverage average) {
    if (subjects.empty()) throw Error("atlas: no subject");
    InitialTemplate<D> out;
    const ScalarImage<D>& first = subjects.front().image;
    for (const AtlasSubject<D>& s : subjects)
        out.mappings.push_back({initial_transform(Initialization::mass, first, s.image), {}});
    out.image = average_subjects<D>(subjects, out.mappings, first.grid(), average).average;
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
    if (!r.stages.empty() && !r.stages.back().levels.empty()) out.metric = r.stages.back().levels.back().result.value;
    return out;
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
                                  std::span<const SubjectMapping<D>> previous) {
    options.validate();
    if (subjects.empty()) throw Error("atlas: no subject");
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
    run_tasks(n, workers, [&](std::size_t s) {
        locked.registration_started(iteration, s, n, subjects[s].name);
        try {
            registered[s] = register_subject(subjects[s], current, plan, warm ? &previous[s] : nullptr, locked);
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {
            throw Error("atlas: subject " + std::to_string(s + 1) + " (" + subjects[s].name + "): " + e.what());
        }
    });

    observer.averaging_started(iteration);
    std::vector<Affine<D>> affines;
    std::vector<VectorField<D>> velocities;
    for (SubjectRegistration<D>& r : registered) {
        affines.push_back(r.mapping.affine);
        if (!r.velocity.empty()) velocities.push_back(std::move(r.velocity));
    }
    const ShapeUpdate<D> update = shape_update<D>(affines, velocities, current.grid(), options.rigid_update);
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
    for (SubjectRegistration<D>& r : registered) {
        out.mappings.push_back(updated_mapping(r.mapping, update));
        r.mapping.warp = VectorField<D>();  // one field per subject at a time
        out.metric.push_back(r.metric);
        out.figures.mean_metric += r.metric / static_cast<double>(n);
    }
    TemplateAverageResult<D> average = average_subjects<D>(subjects, out.mappings, grid, options.average);
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
                                 AtlasObserver& observer, const ScalarImage<D>* initial) {
    options.validate();
    AtlasConstruction<D> out;
    out.initial = initial ? *initial : initial_template(subjects, options.average).image;
    const ScalarImage<D>* current = &out.initial;
    for (int k = 1; k <= options.iterations; ++k) {
        out.last = atlas_iteration<D>(subjects, *current, k, options, observer, out.last.mappings);
        out.figures.push_back(out.last.figures);
        current = &out.last.template_image;  // read by the next call before its result replaces it
    }
    return out;
}

#define ALINEA_ATLAS(D)                                                                                              \
    template struct SubjectMapping<D>;                                                                               \
    template struct ShapeUpdate<D>;                                                                                  \
    template ScalarImage<D> warp_subject<D>(const ScalarImage<D>&, const Grid<D>&, const SubjectMapping<D>&,          \
                                            Interpolation);                                                          \
    template ShapeUpdate<D> shape_update<D>(std::span<const Affine<D>>, std::span<const VectorField<D>>,             \
                                            const Grid<D>&, bool);                                                   \
    template SubjectMapping<D> updated_mapping<D>(const SubjectMapping<D>&, const ShapeUpdate<D>&);                  \
    template TemplateAverageResult<D> average_subjects<D>(std::span<const AtlasSubject<D>>,                          \
                                                          std::span<const SubjectMapping<D>>, const Grid<D>&,        \
                                                          TemplateAverage);                                          \
    template ScalarImage<D> sharpen<D>(const ScalarImage<D>&, TemplateSharpening);                                   \
    template InitialTemplate<D> initial_template<D>(std::span<const AtlasSubject<D>>, TemplateAverage);              \
    template AtlasIteration<D> atlas_iteration<D>(std::span<const AtlasSubject<D>>, const ScalarImage<D>&, int,      \
                                                  const AtlasOptions&, AtlasObserver&,                               \
                                                  std::span<const SubjectMapping<D>>);                               \
    template AtlasConstruction<D> build_atlas<D>(std::span<const AtlasSubject<D>>, const AtlasOptions&,              \
                                                 AtlasObserver&, const ScalarImage<D>*);
ALINEA_ATLAS(2)
ALINEA_ATLAS(3)

}  // namespace alinea
