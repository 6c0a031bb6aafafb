// alinea.track, alinea.segment, alinea.atlas and alinea.read_series: the applications
// on images in memory, with the commands' options as keyword arguments and their
// results as objects (the library's functions; nothing is redone here).
#include "py_applications.hpp"

#include "py_image.hpp"
#include "py_plan.hpp"
#include "py_progress.hpp"
#include "py_transform.hpp"

#include "alinea/atlas.hpp"
#include "alinea/nifti.hpp"
#include "alinea/probability_atlas.hpp"
#include "alinea/segmentation.hpp"
#include "alinea/tracking.hpp"

#include <pybind11/eigen.h>
#include <pybind11/stl.h>

namespace alinea::python {

namespace {

using namespace pybind11::literals;

template <int D>
std::vector<std::reference_wrapper<const ScalarImage<D>>> scalars(const std::vector<ImagePtr>& images, const char* what) {
    std::vector<std::reference_wrapper<const ScalarImage<D>>> out;
    for (const ImagePtr& image : images) out.emplace_back(scalar_image<D>(*image, what));
    return out;
}

std::string name_of(const ImagePtr& image, std::size_t index, const char* kind) {
    return image->source.empty() ? std::string(kind) + " " + std::to_string(index + 1) : image->source;
}

// ---- tracking ----------------------------------------------------------------------

class TrackingProgress final : public ObserverOf<TrackingObserver> {
public:
    using ObserverOf::ObserverOf;
    void registration_started(std::size_t frame, std::size_t target, const std::string& what) override {
        progress_.report([&] { return py::dict("event"_a = "registration", "frame"_a = frame + 1, "target"_a = target + 1,
                                               "what"_a = what); });
    }
};

template <int D>
py::object track_series(const std::vector<ImagePtr>& frame_images, const ImagePtr& labels, int reference_frame,
                        const py::object& plan, const std::string& motion, const std::string& mode, double mask_dilation,
                        bool parallel_frames, int threads, const py::object& callback) {
    std::vector<ScalarImage<D>> frames;  // the library takes a span of images
    for (const auto& f : scalars<D>(frame_images, "track: frames")) frames.push_back(f.get());
    if (reference_frame < 1 || static_cast<std::size_t>(reference_frame) > frames.size())
        throw py::value_error("track: reference_frame " + std::to_string(reference_frame) + ": the series has frames 1 to " +
                              std::to_string(frames.size()));
    TrackingOptions options = TrackingOptions::preset(parse_tracking_motion(motion));
    if (const auto tokens = plan_token_list(plan); !tokens.empty()) options.plan = parse_registration_plan(tokens);
    options.mode = parse_tracking_mode(mode);
    options.mask_dilation = mask_dilation;
    options.frames_in_parallel = parallel_frames;
    const ScalarImage<D>& reference_labels = scalar_image<D>(*labels, "track: labels");

    PythonProgress progress(callback);
    TrackingProgress observer(progress);
    const std::size_t k = static_cast<std::size_t>(reference_frame - 1);
    Tracking<D> tracking = progress.run(
        [&] { return track_labels<D>(frames, k, reference_labels, options, observer); }, threads);

    py::list measures;
    for (const TrackedMeasure& m : tracked_measures(tracking))
        measures.append(py::dict("frame"_a = m.frame + 1, "label"_a = m.label, "voxels"_a = m.voxels,
                                 "volume_mm3"_a = m.volume, "centroid_ras"_a = m.centroid,
                                 "displacement_mm"_a = m.displacement,
                                 "volume_change_percent"_a = m.volume_change_percent));
    py::list out_frames;
    for (std::size_t t = 0; t < tracking.frames.size(); ++t) {
        TrackedFrame<D>& f = tracking.frames[t];
        out_frames.append(py::dict("frame"_a = t + 1, "labels"_a = share(std::move(f.labels)),
                                   "transform"_a = share_transform(std::move(f.transform)), "origin"_a = f.origin,
                                   "seconds"_a = f.seconds));
    }
    return py::dict("frames"_a = out_frames, "measures"_a = measures, "reference_frame"_a = reference_frame,
                    "mode"_a = to_string(options.mode), "plan"_a = to_string(options.plan), "seconds"_a = tracking.seconds);
}

// ---- segmentation ------------------------------------------------------------------

class SegmentationProgress final : public ObserverOf<SegmentationObserver> {
public:
    using ObserverOf::ObserverOf;
    void atlas_started(std::size_t atlas, std::size_t atlases, const std::string& name) override {
        progress_.report([&] { return py::dict("event"_a = "atlas", "atlas"_a = atlas + 1, "atlases"_a = atlases,
                                               "name"_a = name); });
    }
    void atlas_failed(std::size_t atlas, const std::string& name, const std::string& message) override {
        progress_.report([&] { return py::dict("event"_a = "atlas_failed", "atlas"_a = atlas + 1, "name"_a = name,
                                               "message"_a = message); });
    }
    void fusion_started(FusionMethod method, std::size_t atlases) override {
        progress_.report([&] { return py::dict("event"_a = "fusion", "method"_a = to_string(method),
                                               "atlases"_a = atlases); });
    }
};

template <int D>
py::object segment_target(const ImagePtr& target_image, const std::vector<std::pair<ImagePtr, ImagePtr>>& atlas_pairs,
                          const py::object& plan, const py::object& fusion, const LabelFusionOptions& fusion_options,
                          const ImagePtr& target_mask, bool posteriors, int threads, const py::object& callback) {
    const ScalarImage<D>& target = scalar_image<D>(*target_image, "segment: target");
    std::vector<Atlas<D>> atlases;
    for (std::size_t a = 0; a < atlas_pairs.size(); ++a)
        atlases.push_back({name_of(atlas_pairs[a].first, a, "atlas"), scalar_image<D>(*atlas_pairs[a].first, "segment: atlas image"),
                           scalar_image<D>(*atlas_pairs[a].second, "segment: atlas labels")});
    if (atlases.empty()) throw py::value_error("segment: give at least one (image, labels) atlas");
    SegmentationOptions options;
    if (const auto tokens = plan_token_list(plan); !tokens.empty()) options.plan = parse_registration_plan(tokens);
    options.fusion = fusion_options;
    options.fusion.method = fusion.is_none() ? default_fusion_method(atlases.size())
                                             : parse_fusion_method(fusion.cast<std::string>());
    options.fusion.validate();
    const ScalarImage<D>* mask = target_mask ? &scalar_image<D>(*target_mask, "segment: target_mask") : nullptr;

    PythonProgress progress(callback);
    SegmentationProgress observer(progress);
    Segmentation<D> s = progress.run([&] { return segment_image<D>(target, atlases, options, mask, observer); }, threads);

    py::list on_target;
    for (std::size_t i = 0; i < s.atlases.size(); ++i) {
        AtlasOnTarget<D>& a = s.atlases[i];
        on_target.append(py::dict("atlas"_a = s.atlas_index[i] + 1, "image"_a = share(std::move(a.image)),
                                  "labels"_a = share(std::move(a.labels)),
                                  "transform"_a = share_transform(std::move(a.transform)), "seconds"_a = a.seconds));
    }
    py::dict out("labels"_a = share(s.fused.labels), "label_values"_a = s.fused.label_values, "atlases"_a = on_target,
                 "failures"_a = s.failures, "fusion"_a = to_string(options.fusion.method),
                 "registration_seconds"_a = s.registration_seconds, "fusion_seconds"_a = s.fusion_seconds);
    if (posteriors) {
        py::list maps;
        for (std::size_t k = 0; k < s.fused.label_values.size(); ++k) maps.append(share(s.fused.posterior(k)));
        out["posteriors"] = maps;
    }
    return out;
}

// ---- atlas construction --------------------------------------------------------------

class AtlasProgress final : public ObserverOf<AtlasObserver> {
public:
    using ObserverOf::ObserverOf;
    void registration_started(int iteration, std::size_t subject, std::size_t subjects, const std::string& name) override {
        progress_.report([&] { return py::dict("event"_a = "registration", "iteration"_a = iteration,
                                               "subject"_a = subject + 1, "subjects"_a = subjects, "name"_a = name); });
    }
    void averaging_started(int iteration) override {
        progress_.report([&] { return py::dict("event"_a = "averaging", "iteration"_a = iteration); });
    }
};

template <int D>
py::object build_template(const std::vector<ImagePtr>& subject_images, const py::object& plan, int iterations,
                          const std::string& average, const std::string& sharpen, const std::vector<ImagePtr>& labels,
                          const ImagePtr& initial_template, bool rigid_update, bool warm_start, bool parallel_subjects,
                          int threads, const py::object& callback) {
    std::vector<AtlasSubject<D>> subjects;
    for (std::size_t s = 0; s < subject_images.size(); ++s)
        subjects.push_back({name_of(subject_images[s], s, "subject"), scalar_image<D>(*subject_images[s], "atlas: subjects")});
    if (subjects.size() < 2) throw py::value_error("atlas: give at least two subjects");
    if (!labels.empty() && labels.size() != subjects.size())
        throw py::value_error("atlas: give one label map per subject (or none)");
    AtlasOptions options;
    if (const auto tokens = plan_token_list(plan); !tokens.empty()) options.plan = parse_registration_plan(tokens);
    options.iterations = iterations;
    options.average = parse_template_average(average);
    options.sharpening = parse_template_sharpening(sharpen);
    options.rigid_update = rigid_update;
    options.warm_start = warm_start;
    options.subjects_in_parallel = parallel_subjects;
    options.validate();
    const ScalarImage<D>* initial = initial_template ? &scalar_image<D>(*initial_template, "atlas: initial_template") : nullptr;
    std::vector<ScalarImage<D>> label_maps;
    for (std::size_t s = 0; s < labels.size(); ++s) {
        label_maps.push_back(scalar_image<D>(*labels[s], "atlas: labels"));
        if (!label_maps.back().grid().same_as(subjects[s].image.grid()))
            throw py::value_error("atlas: the labels of subject " + std::to_string(s + 1) + " are not on its image's grid");
    }

    PythonProgress progress(callback);
    AtlasProgress observer(progress);
    AtlasConstruction<D> atlas = progress.run([&] { return build_atlas<D>(subjects, options, observer, initial); }, threads);

    py::list figures, mappings;
    for (const AtlasIterationFigures& f : atlas.figures)
        figures.append(py::dict("iteration"_a = f.iteration, "shape_update_mm"_a = f.shape_update_mm,
                                "velocity_update_mm"_a = f.velocity_update_mm, "mean_metric"_a = f.mean_metric,
                                "template_change"_a = f.template_change, "seconds"_a = f.seconds));
    for (const SubjectMapping<D>& m : atlas.last.mappings) mappings.append(share_transform(m.chain()));
    py::dict out("template"_a = share(atlas.last.template_image), "intensity_sd"_a = share(atlas.last.intensity_sd),
                 "initial"_a = share(atlas.initial), "figures"_a = figures, "mappings"_a = mappings,
                 "metric"_a = atlas.last.metric);
    if (!label_maps.empty()) {
        std::vector<std::string> names;
        for (const auto& s : subjects) names.push_back(s.name);
        const ProbabilityAtlas<D> p = progress.run(
            [&] { return probability_atlas<D>(label_maps, atlas.last.mappings, names, atlas.last.template_image.grid()); },
            threads);
        py::list maps;
        for (std::size_t k = 0; k < p.label_values.size(); ++k) {
            ScalarImage<D> map(p.grid);
            for (Index v = 0; v < map.voxel_count(); ++v) map[v] = p.probability(k, v);
            maps.append(share(std::move(map)));
        }
        out["labels"] = share(p.labels);
        out["label_values"] = p.label_values;
        out["probabilities"] = maps;
    }
    return out;
}

std::vector<ImagePtr> read_series(const std::string& path) {
    std::vector<ImagePtr> frames;
    const int d = read_nifti_info(path).spatial_dimension;
    if (d == 2) read_nifti_frames<2>(path, [&](Index, const ScalarImage<2>& f) { frames.push_back(share(f, path)); });
    else read_nifti_frames<3>(path, [&](Index, const ScalarImage<3>& f) { frames.push_back(share(f, path)); });
    return frames;
}

int dimension_of(const std::vector<ImagePtr>& images, const char* what) {
    if (images.empty()) throw py::value_error(std::string(what) + ": the list is empty");
    for (const ImagePtr& image : images)
        if (image->dimension() != images[0]->dimension())
            throw py::value_error(std::string(what) + ": the images are not all 2-D or all 3-D");
    return images[0]->dimension();
}

}  // namespace

void bind_applications(py::module_& m) {
    m.def("read_series", &read_series, py::arg("path"),
          "The frames of a 4-D NIfTI series (dim[4] = time) as a list of Images, in time order.");

    m.def(
        "track",
        [](const std::vector<ImagePtr>& frames, const ImagePtr& labels, int reference_frame, const py::object& plan,
           const std::string& motion, const std::string& mode, double mask_dilation, bool parallel_frames,
           const py::object& threads, const py::object& progress) {
            if (dimension_of(frames, "track: frames") == 2)
                return track_series<2>(frames, labels, reference_frame, plan, motion, mode, mask_dilation,
                                       parallel_frames, thread_count(threads), progress);
            return track_series<3>(frames, labels, reference_frame, plan, motion, mode, mask_dilation, parallel_frames,
                                   thread_count(threads), progress);
        },
        py::arg("frames"), py::arg("labels"), py::arg("reference_frame"), py::kw_only(), py::arg("plan") = py::none(),
        py::arg("motion") = "small", py::arg("mode") = "hybrid", py::arg("mask_dilation") = 10.0,
        py::arg("parallel_frames") = true, py::arg("threads") = py::none(), py::arg("progress") = py::none(),
        R"doc(
Carries the labels of one frame of a time series to every frame, as `alinea track`.

    frames           a list of Images in time order (alinea.read_series reads a 4-D file)
    labels           the label map of the reference frame, on its grid
    reference_frame  counted from 1, as ITK-SNAP and greedy count time points
    motion           "small" (frames of one acquisition) or "large" (scans days or months
                     apart): the registration preset; plan replaces it
    mode             "chain", "direct" or "hybrid"; mask_dilation in mm

Returns a dict: "frames" (per frame: "labels" on that frame's grid, "transform" the
frame's points -> the reference frame's, "seconds"), "measures" (one dict per frame and
label, the columns of PREFIXmeasures.csv; centroids in RAS mm), "seconds".)doc");

    m.def(
        "segment",
        [](const ImagePtr& target, const std::vector<std::pair<ImagePtr, ImagePtr>>& atlases, const py::object& plan,
           const py::object& fusion, int patch_radius, int search_radius, double alpha, double beta, double consensus,
           const ImagePtr& target_mask, bool posteriors, const py::object& threads, const py::object& progress) {
            const LabelFusionOptions f{.patch_radius = patch_radius, .search_radius = search_radius, .alpha = alpha,
                                       .beta = beta, .consensus = consensus};
            if (target->dimension() == 2)
                return segment_target<2>(target, atlases, plan, fusion, f, target_mask, posteriors, thread_count(threads),
                                         progress);
            return segment_target<3>(target, atlases, plan, fusion, f, target_mask, posteriors, thread_count(threads),
                                     progress);
        },
        py::arg("target"), py::arg("atlases"), py::kw_only(), py::arg("plan") = py::none(),
        py::arg("fusion") = py::none(), py::arg("patch_radius") = LabelFusionOptions{}.patch_radius,
        py::arg("search_radius") = LabelFusionOptions{}.search_radius, py::arg("alpha") = LabelFusionOptions{}.alpha,
        py::arg("beta") = LabelFusionOptions{}.beta, py::arg("consensus") = LabelFusionOptions{}.consensus,
        py::arg("target_mask") = nullptr, py::arg("posteriors") = false, py::arg("threads") = py::none(),
        py::arg("progress") = py::none(), R"doc(
Labels a target image from atlases, as `alinea segment`: each atlas registered to the
target, its labels carried over, the labels fused.

    atlases      a list of (image, labels) pairs of Images
    fusion       "majority", "weighted" or "jlf" (joint label fusion); None: jlf with
                 three or more atlases, weighted with two, propagation with one
    patch_radius, search_radius (-1: about 3 mm), alpha, beta, consensus: as the command

Returns a dict: "labels" (an Image on the target's grid), "label_values", "atlases"
(per atlas that took part: "image" and "labels" on the target's grid, "transform"
target -> atlas), "failures" (atlases left out, with why), "posteriors" (one Image per
label value, with posteriors=True), times.)doc");

    m.def(
        "atlas",
        [](const std::vector<ImagePtr>& subjects, const py::object& plan, int iterations, const std::string& average,
           const std::string& sharpen, const std::vector<ImagePtr>& labels, const ImagePtr& initial_template,
           bool rigid_update, bool warm_start, bool parallel_subjects, const py::object& threads,
           const py::object& progress) {
            if (dimension_of(subjects, "atlas: subjects") == 2)
                return build_template<2>(subjects, plan, iterations, average, sharpen, labels, initial_template,
                                         rigid_update, warm_start, parallel_subjects, thread_count(threads), progress);
            return build_template<3>(subjects, plan, iterations, average, sharpen, labels, initial_template,
                                     rigid_update, warm_start, parallel_subjects, thread_count(threads), progress);
        },
        py::arg("subjects"), py::kw_only(), py::arg("plan") = py::none(), py::arg("iterations") = AtlasOptions{}.iterations,
        py::arg("average") = "normalized-mean", py::arg("sharpen") = "laplacian",
        py::arg("labels") = std::vector<ImagePtr>{}, py::arg("initial_template") = nullptr,
        py::arg("rigid_update") = true, py::arg("warm_start") = true, py::arg("parallel_subjects") = true,
        py::arg("threads") = py::none(), py::arg("progress") = py::none(), R"doc(
Builds an unbiased template of a population by group registration, as `alinea atlas`.

    subjects     a list of Images (any grids)
    iterations, average ("mean", "median", "normalized-mean"), sharpen ("none",
    "laplacian", "unsharp"), rigid_update, warm_start, parallel_subjects: as the command
    labels       one label map per subject: the result then has probability maps
    initial_template  an Image to start from instead of the subjects' mean

Returns a dict: "template", "intensity_sd", "initial" (Images), "figures" (per
iteration: shape update, template change, ...), "mappings" (per subject, a Transform
from template points to the subject's), "metric"; with labels also "labels" (the most
probable label), "label_values" and "probabilities" (one Image per label value).)doc");
}

}  // namespace alinea::python
