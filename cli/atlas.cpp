// alinea atlas: build an unbiased template of a population by group registration,
// with its tissue-probability maps and its variability maps. Every iteration is
// written as it completes; --resume continues from the last complete one.
#include "commands.hpp"
#include "dimension.hpp"
#include "outputs.hpp"
#include "progress.hpp"

#include "alinea/application_reports.hpp"
#include "alinea/atlas.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/image_io.hpp"
#include "alinea/mpi_job.hpp"
#include "alinea/nifti.hpp"
#include "alinea/png.hpp"
#include "alinea/output_set.hpp"
#include "alinea/option_spec.hpp"
#include "alinea/parallel.hpp"
#include "alinea/probability_atlas.hpp"
#include "alinea/slice_panels.hpp"
#include "alinea/transform_file.hpp"
#include "alinea/variability.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <optional>
#include <set>

namespace alinea::cli {

namespace {

struct AtlasCliOptions {
    std::vector<std::string> subjects, labels;
    std::string prefix, initial_template, average = "normalized-mean", sharpen = "laplacian";
    int iterations = 4, threads = 0;
    bool rigid_update = true, parallel = true, warm_start = true, resume = false, qc = true, report = true;
    ProgressMode progress = ProgressMode::text;
    std::vector<std::string> plan_tokens;
};

// Each rank reports its own subjects (lines prefixed with the rank when there are
// several); rank 0 reports the iterations.
class AtlasProgress final : public ApplicationProgress<AtlasObserver> {
public:
    // Registrations in parallel (or on several ranks) would interleave their levels.
    AtlasProgress(ProgressMode mode, bool parallel, const Communicator& ranks)
        : ApplicationProgress(mode, parallel || ranks.size() > 1 ? ProgressMode::quiet : mode),
          lead_(ranks.rank() == 0), rank_(ranks.rank()),
          prefix_(ranks.size() > 1 ? "rank " + std::to_string(ranks.rank()) + ": " : "") {}
    void registration_started(int iteration, std::size_t subject, std::size_t subjects, const std::string& name) override {
        say(prefix_ + "iteration " + std::to_string(iteration) + ": subject " + std::to_string(subject + 1) + "/" +
                std::to_string(subjects) + " " + name,
            "subject", {{"iteration", iteration}, {"subject", subject + 1}, {"subjects", subjects}, {"name", name},
                        {"rank", rank_}});
    }
    void averaging_started(int iteration) override {
        if (lead_) say("iteration " + std::to_string(iteration) + ": shape update and average", "average",
                       {{"iteration", iteration}});
    }
    using ApplicationProgress::say;

private:
    bool lead_;
    int rank_;
    std::string prefix_;
};

// What an atlas run is made of, besides how long it runs: a resumed run must match it.
std::string signature(const AtlasCliOptions& o, const RegistrationPlan& plan) {
    std::string s = "-i";
    for (const std::string& f : o.subjects) s += " " + f;
    if (!o.labels.empty()) {
        s += " --labels";
        for (const std::string& f : o.labels) s += " " + f;
    }
    if (!o.initial_template.empty()) s += " --initial-template " + o.initial_template;
    s += " --average " + o.average + " --sharpen " + o.sharpen + (o.rigid_update ? "" : " --no-rigid-update") +
         (o.warm_start ? "" : " --no-warm-start");
    return s + " " + to_string(plan);
}

void write_json(const std::string& path, const nlohmann::json& j) { write_text_file(path, j.dump(2) + "\n"); }

nlohmann::json figures_json(const AtlasIterationFigures& f, const std::vector<double>& metric) {
    return {{"iteration", f.iteration},         {"shape_update_mm", f.shape_update_mm},
            {"velocity_update_mm", f.velocity_update_mm}, {"mean_metric", f.mean_metric},
            {"template_change", f.template_change}, {"seconds", f.seconds},
            {"metric", metric}};
}

template <int D>
struct Files {
    const AtlasCliOptions& o;
    const AtlasTeam& team;
    std::vector<std::string> stems;
    std::string iteration_template(int k) const { return o.prefix + "iteration" + std::to_string(k) + "_template.nii.gz"; }
    std::string affine(std::size_t s) const { return o.prefix + stems[s] + "_affine.txt"; }
    std::string warp(std::size_t s) const { return o.prefix + stems[s] + "_warp.nii.gz"; }
    // Where an iteration's maps wait until the log records the iteration (same folder,
    // same extension, so that the rename is atomic and the writers accept the name).
    static std::string staged(const std::string& path) {
        const std::filesystem::path p(path);
        return (p.parent_path() / (".staged-" + p.filename().string())).string();
    }
    // This rank's subjects' maps onto the last complete iteration's template, as
    // written (the others' are left empty).
    std::vector<SubjectMapping<D>> read_mappings(bool warps) const {
        std::vector<SubjectMapping<D>> out(stems.size());
        for (std::size_t s = 0; s < stems.size(); ++s) {
            if (!team.owns(s)) continue;
            out[s].affine = read_linear_transform<D>(affine(s));
            if (warps) out[s].warp = read_nifti_vector<D>(warp(s));
        }
        return out;
    }
};

// An iteration's maps are committed in two steps, so that a run stopped at any moment
// leaves either the previous iteration's maps or this one's, never a mix: the log
// lists the staged files with the iteration, then they are renamed over the maps.
void commit_staged(nlohmann::json& log, const std::string& log_path) {
    for (const auto& pair : log["staged"]) {
        const std::string from = pair.at(0), to = pair.at(1);
        if (std::filesystem::exists(from)) std::filesystem::rename(from, to);
    }
    log.erase("staged");
    write_json(log_path, log);
}

// The shared outputs, all or none (rank 0).
template <int D>
void write_final_outputs(const AtlasCliOptions& o, const Files<D>& files, const NiftiCodes& codes,
                         const ScalarImage<D>& final_template, const std::optional<ProbabilityAtlas<D>>& probabilities,
                         const Variability<D>& variability, nlohmann::json& log) {
    const Grid<D>& grid = final_template.grid();
    OutputSet out;
    write_image(out(o.prefix + "template.nii.gz"), final_template, PixelType::f32, codes);
    nlohmann::json outputs = {o.prefix + "template.nii.gz", o.prefix + "intensity_sd.nii.gz"};
    if (probabilities) {
        const ProbabilityAtlas<D>& p = *probabilities;
        const auto n = static_cast<double>(p.subjects);
        // Frame k is label k's probability (frames of absent labels are empty), as
        // `segment --posteriors` writes them: `segment --atlas TEMPLATE PROBABILITIES` reads it.
        std::vector<int> compact(static_cast<std::size_t>(p.label_values.back()) + 1, -1);
        for (std::size_t k = 0; k < p.label_values.size(); ++k) compact[p.label_values[k]] = static_cast<int>(k);
        write_nifti_frames<D>(out(o.prefix + "probabilities.nii.gz"), grid, static_cast<Index>(compact.size()),
                              [&](Index t, std::span<float> frame) {
                                  if (compact[t] < 0) return;
                                  for (Index v = 0; v < grid.voxel_count(); ++v)
                                      frame[v] = p.probability(static_cast<std::size_t>(compact[t]), v);
                              },
                              p.subjects <= 255 ? PixelType::u8 : PixelType::u16, codes, 1.0 / n);
        std::string csv = "frame,label\n";
        for (const int label : p.label_values) csv += std::to_string(label) + "," + std::to_string(label) + "\n";
        write_text_file(out(o.prefix + "labels.csv"), csv);
        write_image(out(o.prefix + "labels.nii.gz"), p.labels, p.label_values.back() <= 65535 ? PixelType::u16 : PixelType::i32,
                    codes);
        for (const char* f : {"probabilities.nii.gz", "labels.csv", "labels.nii.gz"}) outputs.push_back(o.prefix + f);
    }
    write_image(out(o.prefix + "logjac_mean.nii.gz"), variability.log_jacobian_mean, PixelType::f32, codes);
    write_image(out(o.prefix + "logjac_sd.nii.gz"), variability.log_jacobian_sd, PixelType::f32, codes);
    outputs.push_back(o.prefix + "logjac_mean.nii.gz");
    outputs.push_back(o.prefix + "logjac_sd.nii.gz");
    if (probabilities) {
        std::string csv = "subject,label,volume_mm3,mean_logjac\n";
        for (const LabelVolume& v : variability.volumes)
            csv += files.stems[v.subject] + "," + std::to_string(v.label) + "," + format_number(v.volume) + "," +
                   (std::isfinite(v.mean_log_jacobian) ? format_number(v.mean_log_jacobian) : "") + "\n";
        write_text_file(out(o.prefix + "volumes.csv"), csv);
        outputs.push_back(o.prefix + "volumes.csv");
    }
    if (o.qc) {
        const ScalarImage<D> initial = read_image<D>(files.iteration_template(0));
        const ScalarImage<D> sd = read_image<D>(o.prefix + "intensity_sd.nii.gz");
        write_slice_panels<D>(out(o.prefix + "qc.png"),
                              "Atlas of " + std::to_string(files.stems.size()) + " subjects, " +
                                  std::to_string(o.iterations) + " iterations",
                              {{"initial mean (centres of mass)", &initial, false, "intensity"},
                               {"template", &final_template, false, "intensity"},
                               {"intensity SD across subjects", &sd, false, "SD (intensity)"},
                               {"mean log det J", &variability.log_jacobian_mean, true, "log det J (> 0: subjects larger)"}});
        outputs.push_back(o.prefix + "qc.png");
    }
    if (o.report) {
        const ScalarImage<D> initial = read_image<D>(files.iteration_template(0));
        const ScalarImage<D> sd = read_image<D>(o.prefix + "intensity_sd.nii.gz");
        AtlasReportInputs<D> a{initial, final_template, sd, variability, {}, files.stems, o.subjects, {}, {}, {}};
        for (const std::string& path : o.subjects) a.subject_headers.push_back(read_image_info(path));
        double seconds = 0;
        for (const auto& it : log["iterations"]) {
            AtlasIterationFigures f;
            f.iteration = it.at("iteration"), f.shape_update_mm = it.at("shape_update_mm");
            f.velocity_update_mm = it.at("velocity_update_mm"), f.mean_metric = it.at("mean_metric");
            f.template_change = it.at("template_change"), f.seconds = it.at("seconds");
            seconds += f.seconds;
            a.iterations.push_back(f);
        }
        if (!log["iterations"].empty()) a.final_metric = log["iterations"].back().at("metric").get<std::vector<double>>();
        // The first subjects through their final maps, read back as written (any rank's).
        const bool warps = std::filesystem::exists(files.warp(0));
        for (std::size_t s = 0; s < std::min<std::size_t>(24, files.stems.size()); ++s) {
            SubjectMapping<D> m{read_linear_transform<D>(files.affine(s)), {}};
            if (warps) m.warp = read_nifti_vector<D>(files.warp(s));
            a.subjects_in_template.push_back(warp_subject(read_image<D>(o.subjects[s]), grid, m));
        }
        std::string command = log.value("command", std::string());
        write_text_file(out(o.prefix + "report.html"), atlas_report(a, {.command = command, .seconds = seconds, .warnings = {}}));
        outputs.push_back(o.prefix + "report.html");
    }
    log["folded_voxels"] = variability.folded_voxels;
    log["outputs"] = outputs;
    log["complete"] = true;
    write_json(out(o.prefix + "log.json"), log);
    out.commit();
}

// A subject's voxels, from its header.
double header_voxels(const std::string& path) {
    if (is_nifti_path(path)) return static_cast<double>(read_nifti_info(path).grid.voxel_count());
    const PngInfo png = read_png_info(path);
    return static_cast<double>(png.width) * png.height;
}

template <int D>
void run(const AtlasCliOptions& o, const std::string& command, const Communicator& ranks) {
    AtlasOptions options;
    if (!o.plan_tokens.empty()) options.plan = parse_registration_plan(o.plan_tokens);
    options.iterations = o.iterations;
    options.average = parse_template_average(o.average);
    options.sharpening = parse_template_sharpening(o.sharpen);
    options.rigid_update = o.rigid_update;
    options.subjects_in_parallel = o.parallel;
    options.warm_start = o.warm_start;
    options.validate();
    const std::string sig = signature(o, options.plan);
    const bool lead = ranks.rank() == 0;  // writes the shared outputs

    // The subjects are shared among the ranks by cost (every rank computes the same
    // assignment); each rank reads its own, and the first (the initial template's grid).
    // A subject's work: its own voxels (its pyramid, its warping) on top of the
    // template's (the registration's samples), the template about as large as the first.
    std::vector<double> costs;
    const double template_voxels = header_voxels(o.subjects[0]);
    for (const std::string& path : o.subjects) costs.push_back(template_voxels + header_voxels(path));
    const AtlasTeam team{&ranks, balanced_assignment(costs, ranks.size())};

    // Every input is read and checked before the first registration.
    const std::size_t count = o.subjects.size();
    std::vector<ScalarImage<D>> images(count), labels(o.labels.empty() ? 0 : count);
    for (std::size_t s = 0; s < count; ++s)
        if (team.owns(s) || s == 0) images[s] = read_image<D>(o.subjects[s]);
    for (std::size_t s = 0; s < o.labels.size(); ++s) {
        if (!team.owns(s)) continue;
        labels[s] = read_image<D>(o.labels[s]);
        if (!labels[s].grid().same_as(images[s].grid()))
            throw Error(o.labels[s] + ": the labels' grid differs from subject " + o.subjects[s] + "'s");
    }
    std::vector<AtlasSubject<D>> subjects;
    for (std::size_t s = 0; s < count; ++s) subjects.push_back({o.subjects[s], images[s]});
    Files<D> files{o, team, {}};
    for (const std::string& path : o.subjects) files.stems.push_back(file_stem(path));
    const NiftiCodes codes = is_nifti_path(o.subjects[0]) ? read_nifti_codes(o.subjects[0]) : NiftiCodes{};

    // Rank 0 reads the log of a resumed run and tells the others where it stands.
    nlohmann::json log;
    const std::string log_path = o.prefix + "log.json";
    std::int64_t done = 0;
    if (lead && o.resume && std::filesystem::exists(log_path)) {
        try {
            std::ifstream in(log_path);
            log = nlohmann::json::parse(in);
            if (log.at("signature").get<std::string>() != sig)
                throw Error("it was made by another atlas command (" + log.at("command").get<std::string>() +
                            "); run without --resume to start again");
            done = log.at("completed_iterations").get<int>();
            // The maps on disk are those of the last complete iteration: an earlier
            // template cannot be paired with them.
            if (done > o.iterations)
                throw Error(std::to_string(done) + " iterations are complete; resume with --iterations " +
                            std::to_string(done) + " or more");
            if (log.contains("staged")) commit_staged(log, log_path);
        } catch (const nlohmann::json::exception& e) {
            throw Error(log_path + ": not an atlas log (" + e.what() + ")");
        } catch (const Error& e) {
            throw Error(log_path + ": " + e.what());
        }
        ProgressPrinter(o.progress).say("resuming after iteration " + std::to_string(done) + " of " +
                                            std::to_string(o.iterations), "resume", {{"after_iteration", done}});
        auto kept = log["iterations"];
        log["iterations"] = nlohmann::json::array();
        for (int k = 0; k < done; ++k) log["iterations"].push_back(kept.at(k));
    }
    std::int64_t resumed = done > 0 || (lead && o.resume && std::filesystem::exists(log_path)) ? 1 : 0;
    std::int64_t state[2] = {done, resumed};
    ranks.max(state);
    done = state[0];
    if (!state[1]) {
        ScalarImage<D> initial;
        if (!o.initial_template.empty()) initial = read_image<D>(o.initial_template);
        else initial = initial_template<D>(subjects, options.average, team).image;
        if (lead) write_image(files.iteration_template(0), initial, PixelType::f32, codes);
        log["iterations"] = nlohmann::json::array();
    }
    ranks.barrier();  // the starting template is on disk
    log["command"] = command;
    log["signature"] = sig;
    log["version"] = ALINEA_VERSION;
    log["dimension"] = D;
    log["subjects"] = o.subjects;
    log["labels"] = o.labels;
    log["plan"] = to_string(options.plan);
    log["options"] = {{"iterations", o.iterations}, {"average", o.average}, {"sharpen", o.sharpen},
                      {"rigid_update", o.rigid_update}, {"warm_start", o.warm_start},
                      {"subjects_in_parallel", o.parallel}};
    log["threads"] = omp_get_max_threads();
    log["ranks"] = ranks.size();
    log["rank_of_subject"] = team.owner;

    // Each iteration starts from the template as written (so a resumed run starts from
    // exactly what an uninterrupted one had), and is complete once the log says so.
    // Each rank writes its own subjects' maps (staged); rank 0 then writes the
    // template and the log, and commits the maps.
    AtlasProgress progress(o.progress, o.parallel, ranks);
    const bool warps = options.plan.deformable.has_value();
    for (int k = static_cast<int>(done) + 1; k <= o.iterations; ++k) {
        const ScalarImage<D> current = read_image<D>(files.iteration_template(k - 1));
        const std::vector<SubjectMapping<D>> previous =
            options.warm_start && k > 1 ? files.read_mappings(warps) : std::vector<SubjectMapping<D>>{};
        AtlasIteration<D> it = atlas_iteration<D>(subjects, current, k, options, progress, previous, team);
        nlohmann::json staged = nlohmann::json::array();
        for (std::size_t s = 0; s < count; ++s) {
            if (team.owns(s)) {
                write_itk_transform(Files<D>::staged(files.affine(s)), it.mappings[s].affine);
                if (warps) write_nifti(Files<D>::staged(files.warp(s)), it.mappings[s].warp, codes);
            }
            staged.push_back({Files<D>::staged(files.affine(s)), files.affine(s)});
            if (warps) staged.push_back({Files<D>::staged(files.warp(s)), files.warp(s)});
        }
        ranks.barrier();  // every rank's maps are staged
        if (lead) {
            write_image(files.iteration_template(k), it.template_image, PixelType::f32, codes);
            write_image(o.prefix + "intensity_sd.nii.gz", it.intensity_sd, PixelType::f32, codes);
            log["iterations"].push_back(figures_json(it.figures, it.metric));
            log["completed_iterations"] = k;
            log["staged"] = staged;
            write_json(log_path, log);
            commit_staged(log, log_path);
        }
        ranks.barrier();  // the iteration is complete on disk
        const AtlasIterationFigures& f = it.figures;
        if (lead) {
            char line[200];
            std::snprintf(line, sizeof line,
                          "iteration %d done in %.1f s: shape update %.3f mm (velocity %.3f mm), mean metric %.5g, "
                          "template change %.4f",
                          k, f.seconds, f.shape_update_mm, f.velocity_update_mm, f.mean_metric, f.template_change);
            progress.say(line, "iteration_done",
                         {{"iteration", k}, {"seconds", f.seconds}, {"shape_update_mm", f.shape_update_mm},
                          {"velocity_update_mm", f.velocity_update_mm}, {"mean_metric", f.mean_metric},
                          {"template_change", f.template_change}});
        }
    }

    // The final maps, from the files (the same whether this run made them or resumed);
    // the probability and variability maps combine every rank's subjects.
    const ScalarImage<D> final_template = read_image<D>(files.iteration_template(o.iterations));
    const std::vector<SubjectMapping<D>> mappings = files.read_mappings(warps);
    const Grid<D>& grid = final_template.grid();
    std::optional<ProbabilityAtlas<D>> probabilities;
    if (!labels.empty()) probabilities = probability_atlas<D>(labels, mappings, o.subjects, grid, team);
    const Variability<D> variability = population_variability<D>(
        mappings, grid, labels, probabilities ? &probabilities->labels : nullptr, team);
    if (lead) write_final_outputs<D>(o, files, codes, final_template, probabilities, variability, log);
    ranks.barrier();  // done only once the outputs are
    if (lead)
        progress.say("done: " + o.prefix + "template.nii.gz from " + std::to_string(count) + " subjects; maps in " +
                         o.prefix + "log.json",
                     "done", {{"template", o.prefix + "template.nii.gz"}, {"subjects", count}});
}

// `--iterations N` before the first --transform counts template updates; after it, it
// belongs to the stage, as in `register`.
std::vector<std::string> take_atlas_iterations(std::vector<std::string> tokens, int& iterations) {
    for (std::size_t i = 0; i < tokens.size() && tokens[i] != "--transform" && !tokens[i].starts_with("--transform=");
         ++i) {
        std::string value;
        std::size_t used = 0;
        if (tokens[i] == "--iterations") {
            if (i + 1 >= tokens.size()) throw Error("--iterations: expected the number of template updates");
            value = tokens[i + 1], used = 2;
        } else if (tokens[i].starts_with("--iterations=")) {
            value = tokens[i].substr(13), used = 1;
        } else {
            continue;
        }
        std::size_t end = 0;
        try {
            iterations = std::stoi(value, &end);
        } catch (const std::exception&) {
            end = 0;
        }
        if (end == 0 || end != value.size())
            throw Error("--iterations: expected the number of template updates, got '" + value + "'");
        tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(i), tokens.begin() + static_cast<std::ptrdiff_t>(i + used));
        --i;
    }
    return tokens;
}

}  // namespace

void add_atlas_command(CLI::App& app) {
    auto o = std::make_shared<AtlasCliOptions>();
    CLI::App* cmd = app.add_subcommand("atlas", "Build an unbiased template of a population (group registration), "
                                                "its probability and variability maps");
    cmd->add_option("-i,--input", o->subjects, "Subject images (2-D or 3-D; any grids)")->required()->expected(2, -1);
    cmd->add_option("-o,--output", o->prefix,
                    "Output prefix: PREFIXtemplate.nii.gz, PREFIX<stem>_affine.txt and PREFIX<stem>_warp.nii.gz per "
                    "subject, PREFIXintensity_sd, PREFIXlogjac_mean/_sd, PREFIXqc.png, PREFIXreport.html, PREFIXlog.json, "
                    "PREFIXiteration<k>_template.nii.gz")
        ->required();
    cmd->add_option("--initial-template", o->initial_template,
                    "Start from this image (and its grid) instead of the mean of the subjects after centre-of-mass "
                    "alignment");
    cmd->add_option("--average", o->average, "mean, median or normalized-mean (each subject divided by its mean "
                                             "foreground intensity)")
        ->check(CLI::IsMember({"mean", "median", "normalized-mean"}))
        ->capture_default_str();
    cmd->add_option("--sharpen", o->sharpen, "none, laplacian or unsharp")
        ->check(CLI::IsMember({"none", "laplacian", "unsharp"}))
        ->capture_default_str();
    cmd->add_option("--labels", o->labels,
                    "One label map per subject, in the same order: PREFIXprobabilities.nii.gz (4-D: frame k is the "
                    "fraction of subjects with label k, frame 0 the background's; the labels present in "
                    "PREFIXlabels.csv), PREFIXlabels.nii.gz (the most probable), PREFIXvolumes.csv");
    cmd->add_flag("!--no-rigid-update", o->rigid_update,
                  "Leave the mean rotation and translation out of the shape update (the template keeps the "
                  "initial one's position)");
    cmd->add_flag("!--no-parallel-subjects", o->parallel,
                  "Register one subject at a time with every thread (default: one subject per thread; same result)");
    cmd->add_flag("!--no-warm-start", o->warm_start,
                  "Register every iteration from scratch (default: from the second iteration on, each subject starts "
                  "from its previous map and the deformable stage runs its finest level only)");
    cmd->add_flag("--resume", o->resume, "Continue from the last complete iteration of PREFIXlog.json");
    cmd->add_option("--threads", o->threads, "Number of threads: 0 (all cores) or 1 to 4 x the cores");
    cmd->add_flag("!--no-qc", o->qc, "Do not write the QC picture");
    cmd->add_flag("!--no-report", o->report, "Do not write PREFIXreport.html");
    add_progress_options(*cmd, o->progress);
    cmd->allow_extras();
    cmd->footer("--iterations N (before the stage options): template updates (default 4).\n"
                "Per-subject registrations (template fixed, subject moving): the stage options of `alinea register`\n"
                "(default: --init mass --transform rigid --transform affine --transform diffeo). The first\n"
                "iteration's deformable stage stops before its finest level (the starting mean is blurred); from\n"
                "the second on, each subject starts from its previous map (see --no-warm-start). Each iteration\n"
                "registers every subject to the template, moves the template to the population's centre (the\n"
                "exact inverse of the mean map: exp(-mean velocity) after the inverse log-mean affine, as greedy\n"
                "does) and averages the subjects carried onto it. Bring a subject into the template with\n"
                "  alinea apply -r PREFIXtemplate.nii.gz -i SUBJECT -t PREFIX<stem>_warp.nii.gz -t PREFIX<stem>_affine.txt\n"
                "log det J is that of the map template -> subject (affine and warp): > 0 where the subject is\n"
                "larger than the template (expansion), < 0 where smaller. volumes.csv: each label's volume in the\n"
                "subject's own space (mm^3) and the subject's mean log det J inside the template's label.\n"
                "On several machines: mpirun -np N alinea atlas ... --threads T shares the subjects among N MPI ranks\n"
                "(T threads each); the outputs are the same bytes as in one process. PREFIX must be visible to every\n"
                "rank; a failing rank ends the job, naming itself, its host and the subject; --resume works with any N.\n\n" +
                registration_plan_help());
    cmd->callback([o, cmd] {
        o->plan_tokens = take_atlas_iterations(cmd->remaining(), o->iterations);
        if (!o->plan_tokens.empty()) parse_registration_plan(o->plan_tokens);
        if (!o->labels.empty() && o->labels.size() != o->subjects.size())
            throw Error("--labels: " + std::to_string(o->labels.size()) + " label maps for " +
                        std::to_string(o->subjects.size()) + " subjects (give one per subject, in the same order)");
        check_output_prefix(o->prefix);
        std::set<std::string> stems;
        for (const std::string& s : o->subjects)
            if (!stems.insert(file_stem(s)).second)
                throw Error(s + ": two subjects named " + file_stem(s) + " (their outputs would collide)");
        std::string command = "alinea atlas -i";
        for (const std::string& s : o->subjects) command += " " + s;
        command += " -o " + o->prefix + " --iterations " + std::to_string(o->iterations) + " --average " + o->average +
                   " --sharpen " + o->sharpen;
        if (!o->labels.empty()) {
            command += " --labels";
            for (const std::string& s : o->labels) command += " " + s;
        }
        if (!o->initial_template.empty()) command += " --initial-template " + o->initial_template;
        if (!o->rigid_update) command += " --no-rigid-update";
        if (!o->warm_start) command += " --no-warm-start";
        std::vector<std::string> inputs = o->subjects;
        inputs.insert(inputs.end(), o->labels.begin(), o->labels.end());
        inputs.push_back(o->initial_template);
        std::vector<std::string> outputs;
        for (const char* f : {"template.nii.gz", "intensity_sd.nii.gz", "logjac_mean.nii.gz", "logjac_sd.nii.gz",
                              "probabilities.nii.gz", "labels.csv", "labels.nii.gz", "volumes.csv", "qc.png", "report.html", "log.json"})
            outputs.push_back(o->prefix + f);
        for (int k = 0; k <= o->iterations; ++k) outputs.push_back(o->prefix + "iteration" + std::to_string(k) + "_template.nii.gz");
        for (const std::string& s : stems) {
            outputs.push_back(o->prefix + s + "_affine.txt");
            outputs.push_back(o->prefix + s + "_warp.nii.gz");
        }
        check_outputs_spare_inputs(inputs, outputs);
        set_thread_count(o->threads);

        // Under mpirun the ranks share the subjects; a build without MPI runs on rank 0 alone.
        const std::optional<LaunchedRank> launched = started_by_mpirun();
        if (launched && !built_with_mpi()) {
            if (launched->rank > 0) {
                std::fprintf(stderr, "alinea atlas: rank %d: this alinea was built without MPI; rank 0 builds the "
                                     "atlas alone and this rank exits\n", launched->rank);
                return;
            }
            std::fprintf(stderr, "alinea atlas: this alinea was built without MPI: the atlas is built in one process "
                                 "(rank 0)\n");
        }
        std::optional<MpiJob> job;
        if (launched && built_with_mpi()) job.emplace();
        const Communicator& ranks = job ? job->world() : single_process();
        try {
            dispatch_dimension(image_dimension(o->subjects[0]), [&]<int D>() {
                const AtlasCliOptions& opts = *o;
                std::string full = command;
                AtlasOptions defaults;
                if (opts.plan_tokens.empty())
                    for (const std::string& t : plan_tokens(defaults.plan)) full += " " + t;
                else
                    for (const std::string& t : opts.plan_tokens) full += " " + t;
                run<D>(opts, full, ranks);
            });
        } catch (const std::exception& e) {
            // The other ranks wait in an exchange that this one will never join: end
            // the job now, naming the rank, its host and (in the message) the subject.
            if (ranks.size() > 1) {
                std::fprintf(stderr, "alinea: error: rank %d on %s: %s\n", ranks.rank(), ranks.host().c_str(), e.what());
                std::fflush(stderr);
                job->abort(1);
            }
            throw;
        }
    });
}

}  // namespace alinea::cli
