// alinea segment: label a target image from labelled atlases: register each atlas to
// the target (or take its transform), carry its labels over, fuse them.
#include "commands.hpp"
#include "dimension.hpp"
#include "input_notes.hpp"
#include "outputs.hpp"
#include "progress.hpp"

#include "alinea/output_set.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/image_io.hpp"
#include "alinea/label_measures.hpp"
#include "alinea/option_spec.hpp"
#include "alinea/parallel.hpp"
#include "alinea/application_reports.hpp"
#include "alinea/label_picture.hpp"
#include "alinea/segmentation.hpp"
#include "alinea/transform_chain_file.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <optional>

namespace alinea::cli {

namespace {

struct SegmentOptions {
    std::string target, target_mask, prefix, fusion;
    std::vector<std::vector<std::string>> atlases;  // IMAGE LABELS [TRANSFORM...] per --atlas
    LabelFusionOptions fusion_options;
    bool posteriors = false, save_atlases = false, qc = true, report = true;
    ProgressMode progress = ProgressMode::text;
    int threads = 0;
    std::vector<std::string> plan_tokens;
};

// The progress of the registrations under a line per atlas.
class SegmentProgress final : public ApplicationProgress<SegmentationObserver> {
public:
    using ApplicationProgress::ApplicationProgress;
    using ApplicationProgress::say;
    void atlas_started(std::size_t atlas, std::size_t atlases, const std::string& name) override {
        say("atlas " + std::to_string(atlas + 1) + "/" + std::to_string(atlases) + ": " + name, "atlas",
            {{"atlas", atlas + 1}, {"atlases", atlases}, {"name", name}});
    }
    void atlas_failed(std::size_t atlas, const std::string& name, const std::string& message) override {
        std::fprintf(stderr, "alinea: warning: atlas %zu (%s) left out: %s\n", atlas + 1, name.c_str(), message.c_str());
    }
    void fusion_started(FusionMethod method, std::size_t atlases) override {
        say("fusion: " + to_string(method) + " of " + std::to_string(atlases) + " atlases", "fusion",
            {{"method", to_string(method)}, {"atlases", atlases}});
    }
};

// Label maps keep integers: 16 bits when the labels fit.
PixelType label_type(const std::vector<int>& labels) {
    return labels.back() <= 65535 ? PixelType::u16 : PixelType::i32;
}

// An atlas's labels: a label map, or a 4-D file of probability maps whose frame k is
// label k's probability (frame 0 the background's, as --posteriors writes them); the
// atlas then votes, at each voxel, its most probable label (ties: the smaller).
template <int D>
ScalarImage<D> read_atlas_labels(const std::string& path) {
    if (!is_nifti_path(path) || read_nifti_info(path).time_points == 1) return read_image<D>(path);
    ScalarImage<D> labels, best;
    read_nifti_frames<D>(path, [&](Index t, const ScalarImage<D>& p) {
        if (t == 0) {
            labels = ScalarImage<D>(p.grid());
            best = p;
            return;
        }
        for (Index v = 0; v < p.voxel_count(); ++v)
            if (p[v] > best[v]) best[v] = p[v], labels[v] = static_cast<float>(t);
    });
    return labels;
}

template <int D>
void run(SegmentOptions& o, std::string command) {
    const ScalarImage<D> target = read_image<D>(o.target);
    std::optional<ScalarImage<D>> mask;
    if (!o.target_mask.empty()) {
        mask = read_image<D>(o.target_mask);
        if (!mask->grid().same_as(target.grid()))
            throw Error(o.target_mask + ": the mask's grid differs from the target's");
    }
    // All atlases are read (and checked) before the first registration.
    std::vector<ScalarImage<D>> images, labels;
    images.reserve(o.atlases.size());
    labels.reserve(o.atlases.size());
    std::vector<Atlas<D>> atlases;
    for (const auto& files : o.atlases) {
        images.push_back(read_image<D>(files[0]));
        labels.push_back(read_atlas_labels<D>(files[1]));
        if (!labels.back().grid().same_as(images.back().grid()))
            throw Error(files[1] + ": the labels' grid differs from the atlas image " + files[0] + "'s");
        Atlas<D>& a = atlases.emplace_back(Atlas<D>{files[0], images.back(), labels.back()});
        if (files.size() > 2) {
            std::vector<std::string> chain(files.begin() + 2, files.end());
            std::erase_if(chain, [](const std::string& f) { return f == "identity" || f == "Identity"; });
            a.transform = read_transform_chain<D>(chain);
        }
    }
    SegmentationOptions options;
    if (!o.plan_tokens.empty()) options.plan = parse_registration_plan(o.plan_tokens);
    options.fusion = o.fusion_options;
    options.fusion.method = o.fusion.empty() ? default_fusion_method(atlases.size()) : parse_fusion_method(o.fusion);

    command += " --fusion " + to_string(options.fusion.method) + " --patch-radius " +
               std::to_string(options.fusion.patch_radius) + " --search-radius " +
               std::to_string(options.fusion.search_voxels(target.grid().spacing().minCoeff())) + " --alpha " + format_number(options.fusion.alpha) +
               " --beta " + format_number(options.fusion.beta) + " --consensus " +
               format_number(options.fusion.consensus);
    for (const std::string& t : plan_tokens(options.plan)) command += " " + t;

    SegmentProgress progress(o.progress);
    Segmentation<D> s = segment_image<D>(target, atlases, options, mask ? &*mask : nullptr, progress);

    const NiftiCodes codes = is_nifti_path(o.target) ? read_nifti_codes(o.target) : NiftiCodes{};
    const FusedLabels<D>& fused = s.fused;
    OutputSet out;  // all of them or none
    write_image(out(o.prefix + "labels.nii.gz"), fused.labels, label_type(fused.label_values), codes);
    if (o.posteriors) {
        // Frame k is label k's probability (frame 0 the background's): the file is its
        // own legend, and can serve as a probabilistic atlas.
        std::vector<int> index_of(static_cast<std::size_t>(fused.label_values.back()) + 1, -1);
        for (std::size_t i = 0; i < fused.label_values.size(); ++i) index_of[fused.label_values[i]] = static_cast<int>(i);
        write_nifti_frames<D>(out(o.prefix + "posteriors.nii.gz"), target.grid(), static_cast<Index>(index_of.size()),
                              [&](Index t, std::span<float> frame) {
                                  if (index_of[t] < 0) return;  // a label no atlas has
                                  const ScalarImage<D> p = fused.posterior(static_cast<std::size_t>(index_of[t]));
                                  std::copy(p.voxels().begin(), p.voxels().end(), frame.begin());
                              },
                              PixelType::u8, codes, 1.0 / 255);
    }
    {
        std::ostringstream csv;
        csv << "label,voxels,volume_mm3\n";
        for (const LabelMeasure<D>& m : measure_labels(fused.labels))
            csv << m.label << "," << m.voxels << "," << format_number(m.volume) << "\n";
        write_text_file(out(o.prefix + "volumes.csv"), csv.str());
    }
    if (o.qc) write_label_picture(out(o.prefix + "qc.png"), "Segmentation of " + o.target, target, fused.labels);

    nlohmann::json log;
    log["command"] = command;
    log["version"] = ALINEA_VERSION;
    log["target"] = o.target;
    log["dimension"] = D;
    log["fusion"] = {{"method", to_string(options.fusion.method)},
                     {"patch_radius", options.fusion.patch_radius},
                     {"search_radius", fused.search_radius},
                     {"alpha", options.fusion.alpha},
                     {"beta", options.fusion.beta},
                     {"consensus", options.fusion.consensus},
                     {"fused_voxels", fused.fused_voxels},
                     {"seconds", s.fusion_seconds}};
    log["labels"] = fused.label_values;
    log["plan"] = to_string(options.plan);
    nlohmann::json atlas_log = nlohmann::json::array();
    for (std::size_t k = 0; k < s.atlases.size(); ++k) {
        const AtlasOnTarget<D>& a = s.atlases[k];
        const std::size_t input = s.atlas_index[k];
        nlohmann::json entry = {{"image", o.atlases[input][0]}, {"labels", o.atlases[input][1]},
                                {"seconds", a.seconds}, {"registered", !a.stages.empty()}};
        if (o.save_atlases) {
            const std::string stem = o.prefix + "atlas" + std::to_string(input + 1) + "_";
            write_image(out(stem + "labels.nii.gz"), a.labels, label_type(fused.label_values), codes);
            entry["warped_labels"] = stem + "labels.nii.gz";
            entry["transforms"] = write_transform_chain(stem, a.transform, codes, out);  // ANTs order: --atlas IMAGE LABELS these files
        }
        atlas_log.push_back(entry);
    }
    log["atlases"] = atlas_log;
    log["failures"] = s.failures;
    log["registration_seconds"] = s.registration_seconds;
    log["threads"] = omp_get_max_threads();
    if (o.report) {
        std::vector<std::string> atlas_names;
        std::vector<ImageFileInfo> atlas_headers;
        for (const auto& files : o.atlases) {
            atlas_headers.push_back(read_image_info(files[0]));
            std::string name;
            for (const std::string& f : files) name += (name.empty() ? "" : " ") + f;
            atlas_names.push_back(name);
        }
        const std::string note = colour_note(o.target);
        write_text_file(out(o.prefix + "report.html"),
                        segmentation_report<D>(s, target, o.target, atlas_names, atlas_headers,
                                               {.command = command,
                                                .seconds = s.registration_seconds + s.fusion_seconds,
                                                .warnings = note.empty() ? std::vector<std::string>{}
                                                                         : std::vector<std::string>{note}}));
    }
    write_text_file(out(o.prefix + "log.json"), log.dump(2) + "\n");
    out.commit();
    char line[400];
    std::snprintf(line, sizeof line,
                  "done: %zu labels from %zu atlases (%s, %lld voxels fused) in %.1f s + %.1f s; outputs %slabels.nii.gz, "
                  "%svolumes.csv, %slog.json ...",
                  fused.label_values.size() - 1, s.atlases.size(), to_string(options.fusion.method).c_str(),
                  static_cast<long long>(fused.fused_voxels), s.registration_seconds, s.fusion_seconds,
                  o.prefix.c_str(), o.prefix.c_str(), o.prefix.c_str());
    progress.say(line, "done", {{"labels", fused.label_values.size() - 1}, {"atlases", s.atlases.size()},
                                {"registration_seconds", s.registration_seconds}, {"fusion_seconds", s.fusion_seconds},
                                {"outputs", o.prefix + "labels.nii.gz"}});
}

}  // namespace

void add_segment_command(CLI::App& app) {
    auto o = std::make_shared<SegmentOptions>();
    CLI::App* cmd = app.add_subcommand("segment", "Label an image from labelled atlases (registration + label fusion)");
    cmd->add_option("-i,--input", o->target, "Target image to label")->required();
    cmd->add_option("--atlas", o->atlases,
                    "IMAGE LABELS [TRANSFORM...]: an atlas and its label map (repeatable), or its probability maps "
                    "(4-D, frame k = label k, as --posteriors writes them: the atlas votes its most probable label); "
                    "transforms (target -> atlas, ANTs order, as `register -f TARGET -m IMAGE` writes them) skip "
                    "its registration")
        ->expected(2, 64)
        ->required();
    cmd->add_option("-o,--output", o->prefix,
                    "Output prefix: PREFIXlabels.nii.gz, PREFIXvolumes.csv, PREFIXqc.png, PREFIXreport.html, PREFIXlog.json")
        ->required();
    cmd->add_option("--target-mask", o->target_mask, "Register and label only where this mask is > 0.5");
    cmd->add_option("--fusion", o->fusion,
                    "majority, weighted or jlf (default: jlf with 3 or more atlases, weighted with 2)")
        ->check(CLI::IsMember({"majority", "weighted", "jlf"}));
    cmd->add_option("--patch-radius", o->fusion_options.patch_radius, "Patch radius in voxels (weighted, jlf)")
        ->capture_default_str();
    cmd->add_option("--search-radius", o->fusion_options.search_radius,
                    "Search radius in voxels (jlf; default -1: about 3 mm, 2 voxels at 2 mm, 3 at 1 mm)")
        ->capture_default_str();
    cmd->add_option("--alpha", o->fusion_options.alpha, "Ridge on the joint error matrix (jlf)")->capture_default_str();
    cmd->add_option("--beta", o->fusion_options.beta, "Exponent of the joint errors (jlf)")->capture_default_str();
    cmd->add_option("--consensus", o->fusion_options.consensus,
                    "Where at least this fraction of the atlases agree, take their label without fusion")
        ->capture_default_str();
    cmd->add_flag("--posteriors", o->posteriors,
                  "Also write PREFIXposteriors.nii.gz: frame k is label k's probability (frame 0 the "
                  "background's), stored as 8 bits (scl_slope 1/255)");
    cmd->add_flag("--save-atlases", o->save_atlases,
                  "Also write each atlas's labels on the target (PREFIXatlasK_labels.nii.gz) and its transforms "
                  "(PREFIXatlasK_transformN.*, to give back after --atlas IMAGE LABELS)");
    cmd->add_option("--threads", o->threads, "Number of threads: 0 (all cores) or 1 to 4 x the cores");
    cmd->add_flag("!--no-qc", o->qc, "Do not write the QC picture");
    cmd->add_flag("!--no-report", o->report, "Do not write PREFIXreport.html");
    add_progress_options(*cmd, o->progress);
    cmd->allow_extras();  // the registration stages, as for `register`
    cmd->footer("Atlas registrations: the stage options of `alinea register` (default: --transform rigid "
                "--transform affine --transform diffeo).\n"
                "Majority voting breaks ties towards the smaller label. Joint label fusion: Wang et al., IEEE PAMI "
                "2013.\n\n" +
                registration_plan_help());
    cmd->callback([o, cmd] {
        o->plan_tokens = cmd->remaining();
        if (!o->plan_tokens.empty()) parse_registration_plan(o->plan_tokens);  // bad stage options fail now
        check_output_prefix(o->prefix);
        if (o->progress != ProgressMode::quiet) warn_if_colour(o->target);
        std::string command = "alinea segment -i " + o->target + " -o " + o->prefix;
        for (const auto& a : o->atlases) {
            command += " --atlas";
            for (const std::string& f : a) command += " " + f;
        }
        std::vector<std::string> outputs{o->prefix + "labels.nii.gz", o->prefix + "volumes.csv", o->prefix + "log.json",
                                         o->prefix + "qc.png", o->prefix + "report.html", o->prefix + "posteriors.nii.gz"};
        for (std::size_t k = 1; o->save_atlases && k <= o->atlases.size(); ++k) {
            const std::string stem = o->prefix + "atlas" + std::to_string(k) + "_";
            for (const char* name : {"labels.nii.gz", "transform0.nii.gz", "transform0.txt", "transform1.nii.gz",
                                     "transform1.txt"})
                outputs.push_back(stem + name);
        }
        std::vector<std::string> inputs{o->target};
        if (!o->target_mask.empty()) inputs.push_back(o->target_mask);
        for (const auto& a : o->atlases) inputs.insert(inputs.end(), a.begin(), a.end());
        check_outputs_spare_inputs(inputs, outputs);
        o->fusion_options.validate();
        set_thread_count(o->threads);
        dispatch_dimension(image_dimension(o->target), [&]<int D>() {
            for (const auto& a : o->atlases)
                for (std::size_t f = 0; f < 2; ++f)
                    if (image_dimension(a[f]) != D)
                        throw Error(a[f] + ": the atlas is " + std::to_string(image_dimension(a[f])) +
                                    "-D but the target is " + std::to_string(D) + "-D");
            run<D>(*o, command);
        });
    });
}

}  // namespace alinea::cli
