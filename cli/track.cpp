// alinea track: carry one frame's labels through a time series by registration and
// report every label's volume and centroid in every frame.
#include "commands.hpp"
#include "dimension.hpp"
#include "outputs.hpp"
#include "progress.hpp"

#include "alinea/output_set.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/image_io.hpp"
#include "alinea/application_reports.hpp"
#include "alinea/option_spec.hpp"
#include "alinea/parallel.hpp"
#include "alinea/tracking.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

namespace alinea::cli {

namespace {

struct TrackOptions {
    std::vector<std::string> series;
    std::string labels, prefix, mode = "hybrid", motion = "small";
    int reference = 1;  // counted from 1
    double mask_dilation = 10;
    bool frames_in_parallel = true, report = true;
    ProgressMode progress = ProgressMode::text;
    int threads = 0;
    std::vector<std::string> plan_tokens;
};

class TrackProgress final : public ApplicationProgress<TrackingObserver> {
public:
    using ApplicationProgress::ApplicationProgress;
    using ApplicationProgress::say;
    void registration_started(std::size_t frame, std::size_t target, const std::string& what) override {
        say("frame " + std::to_string(frame + 1) + " -> " + std::to_string(target + 1) + " (" + what + ")", "frame",
            {{"frame", frame + 1}, {"target", target + 1}, {"what", what}});
    }
};

template <int D>
void run(const TrackOptions& o, std::string command) {
    // The frames: one 4-D NIfTI, or one image per time point.
    std::vector<ScalarImage<D>> frames;
    std::vector<std::string> names;
    const bool series4d = o.series.size() == 1 && is_nifti_path(o.series[0]) && read_nifti_info(o.series[0]).time_points > 1;
    if (series4d) {
        read_nifti_frames<D>(o.series[0], [&](Index t, const ScalarImage<D>& frame) {
            frames.push_back(frame);
            names.push_back("frame" + std::to_string(t + 1));
        });
    } else {
        if (o.series.size() < 2) throw Error(o.series[0] + ": one 3-D image is not a series (give a 4-D image or several)");
        for (const std::string& path : o.series) {
            if (is_nifti_path(path) && read_nifti_info(path).time_points > 1)
                throw Error(path + ": a 4-D image in a list of frames (give it alone, or its frames as files)");
            frames.push_back(read_image<D>(path));
            names.push_back(file_stem(path));
        }
    }
    const auto n = frames.size();
    if (o.reference < 1 || static_cast<std::size_t>(o.reference) > n)
        throw Error("--reference-frame " + std::to_string(o.reference) + ": the series has frames 1 to " + std::to_string(n));
    const std::size_t k = static_cast<std::size_t>(o.reference - 1);
    const ScalarImage<D> labels = read_image<D>(o.labels);
    if (!labels.grid().same_as(frames[k].grid()))
        throw Error(o.labels + ": the labels are not on the grid of frame " + std::to_string(o.reference));

    TrackingOptions options = TrackingOptions::preset(parse_tracking_motion(o.motion));
    if (!o.plan_tokens.empty()) options.plan = parse_registration_plan(o.plan_tokens);
    options.mode = parse_tracking_mode(o.mode);
    options.mask_dilation = o.mask_dilation;
    options.frames_in_parallel = o.frames_in_parallel;
    for (const std::string& t : plan_tokens(options.plan)) command += " " + t;

    TrackProgress progress(o.progress);
    const Tracking<D> tracking = track_labels<D>(frames, k, labels, options, progress);

    const NiftiCodes codes = is_nifti_path(o.series[0]) ? read_nifti_codes(o.series[0]) : NiftiCodes{};
    int largest = 0;
    for (const auto& m : tracking.frames[k].measures) largest = std::max(largest, m.label);
    const PixelType type = largest <= 65535 ? PixelType::u16 : PixelType::i32;
    bool one_grid = true;
    for (const ScalarImage<D>& f : frames) one_grid = one_grid && f.grid().same_as(frames[0].grid());
    OutputSet out;  // all of them or none
    if (one_grid)
        write_nifti_frames<D>(out(o.prefix + "labels.nii.gz"), frames[0].grid(), static_cast<Index>(n),
                              [&](Index t, std::span<float> out) {
                                  const auto& l = tracking.frames[static_cast<std::size_t>(t)].labels;
                                  std::copy(l.voxels().begin(), l.voxels().end(), out.begin());
                              },
                              type, codes);
    nlohmann::json frame_log = nlohmann::json::array();
    for (std::size_t t = 0; t < n; ++t) {
        const TrackedFrame<D>& f = tracking.frames[t];
        nlohmann::json entry = {{"frame", t + 1}, {"name", names[t]}, {"origin", f.origin}, {"seconds", f.seconds}};
        if (!series4d) {
            const std::string path = o.prefix + names[t] + "_labels.nii.gz";
            write_image(out(path), f.labels, type, is_nifti_path(o.series[t]) ? read_nifti_codes(o.series[t]) : NiftiCodes{});
            entry["labels"] = path;
        }
        entry["transforms"] = write_transform_chain(o.prefix + "frame" + std::to_string(t + 1) + "_", f.transform, codes, out);  // ANTs order: this frame's grid -> the reference frame
        frame_log.push_back(entry);
    }

    // Measures: one row per frame and label, centroids in RAS mm (as nibabel prints them).
    std::ostringstream csv;
    csv << "frame,label,voxels,volume_mm3,centroid_x,centroid_y,centroid_z,displacement_mm,volume_change_percent\n";
    const auto number = [](double v) { return std::isfinite(v) ? format_number(v) : std::string("nan"); };
    const std::size_t labels_tracked = tracking.frames[k].measures.size();
    const std::vector<TrackedMeasure> rows = tracked_measures(tracking);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const TrackedMeasure& m = rows[r];
        csv << m.frame + 1 << "," << m.label << "," << m.voxels << "," << number(m.volume) << ","
            << number(m.centroid[0]) << "," << number(m.centroid[1]) << "," << (D == 3 ? number(m.centroid[2]) : "0")
            << "," << number(m.displacement) << "," << number(m.volume_change_percent) << "\n";
    }
    write_text_file(out(o.prefix + "measures.csv"), csv.str());
    write_line_plots(out(o.prefix + "plot.png"), tracking_plots(tracking));
    if (o.report)
        write_text_file(out(o.prefix + "report.html"),
                        tracking_report<D>(tracking, frames, names, {.command = command, .seconds = tracking.seconds, .warnings = {}}));

    nlohmann::json log;
    log["command"] = command;
    log["version"] = ALINEA_VERSION;
    log["series"] = o.series;
    log["labels"] = o.labels;
    log["reference_frame"] = o.reference;
    log["mode"] = to_string(options.mode);
    log["mask_dilation_mm"] = options.mask_dilation;
    log["plan"] = to_string(options.plan);
    log["frames"] = frame_log;
    log["seconds"] = tracking.seconds;
    log["threads"] = omp_get_max_threads();
    write_text_file(out(o.prefix + "log.json"), log.dump(2) + "\n");
    out.commit();
    char line[300];
    std::snprintf(line, sizeof line,
                  "done: %zu labels through %zu frames in %.1f s; outputs %smeasures.csv, %splot.png, %slog.json ...",
                  labels_tracked, n, tracking.seconds, o.prefix.c_str(), o.prefix.c_str(), o.prefix.c_str());
    progress.say(line, "done", {{"labels", labels_tracked}, {"frames", n}, {"seconds", tracking.seconds},
                                {"outputs", o.prefix + "measures.csv"}});
}

}  // namespace

void add_track_command(CLI::App& app) {
    auto o = std::make_shared<TrackOptions>();
    CLI::App* cmd = app.add_subcommand("track", "Follow labelled structures through a time series: labels, volume, centroid");
    cmd->add_option("-i,--input", o->series, "The series: one 4-D NIfTI, or one image per time point in time order")
        ->required();
    cmd->add_option("--labels", o->labels, "Label map of the reference frame")->required();
    cmd->add_option("--reference-frame", o->reference, "The frame the labels belong to, counted from 1 (as ITK-SNAP)")
        ->capture_default_str();
    cmd->add_option("-o,--output", o->prefix,
                    "Output prefix: PREFIXlabels.nii.gz (4-D), PREFIXmeasures.csv, PREFIXplot.png, PREFIXreport.html, PREFIXlog.json, "
                    "PREFIXframeT_transform*")
        ->required();
    cmd->add_option("--mode", o->mode, "chain, direct or hybrid")
        ->check(CLI::IsMember({"chain", "direct", "hybrid"}))
        ->capture_default_str();
    cmd->add_option("--motion", o->motion,
                    "Default registrations: small (frames of one acquisition: affine + greedy with NCC, 2 levels; "
                    "each registration of the chain starts from the previous one) or large (scans days to months "
                    "apart: centres of mass, rigid + affine with MI, then greedy with local NCC)")
        ->check(CLI::IsMember({"small", "large"}))
        ->capture_default_str();
    cmd->add_option("--mask-dilation", o->mask_dilation,
                    "Direct and hybrid registrations use the reference labels grown by this many mm (0: no mask)")
        ->capture_default_str();
    cmd->add_option("--threads", o->threads, "Number of threads: 0 (all cores) or 1 to 4 x the cores");
    cmd->add_flag("!--no-parallel-frames", o->frames_in_parallel,
                  "Register one frame at a time with every thread (default: one frame per thread; same result)");
    cmd->add_flag("!--no-report", o->report, "Do not write PREFIXreport.html");
    add_progress_options(*cmd, o->progress);
    cmd->allow_extras();
    cmd->footer("Frames are counted from 1. Each frame's transform maps its grid to the reference frame (ANTs\n"
                "order), and its labels are the reference labels resampled once through it. measures.csv:\n"
                "centroids in world mm in the NIfTI/RAS convention (as nibabel prints them), displacement of the\n"
                "centroid and volume change from the reference frame. The stage options of `register` replace\n"
                "the --motion preset.\n\n" +
                registration_plan_help());
    cmd->callback([o, cmd] {
        o->plan_tokens = cmd->remaining();
        if (!o->plan_tokens.empty()) parse_registration_plan(o->plan_tokens);
        check_output_prefix(o->prefix);
        std::string command = "alinea track -i";
        for (const std::string& s : o->series) command += " " + s;
        command += " --labels " + o->labels + " --reference-frame " + std::to_string(o->reference) + " -o " + o->prefix +
                   " --mode " + o->mode + " --mask-dilation " + format_number(o->mask_dilation);
        std::vector<std::string> inputs = o->series;
        inputs.push_back(o->labels);
        check_outputs_spare_inputs(inputs, {o->prefix + "labels.nii.gz", o->prefix + "measures.csv",
                                            o->prefix + "log.json", o->prefix + "plot.png", o->prefix + "report.html"});
        set_thread_count(o->threads);
        dispatch_dimension(image_dimension(o->series[0]), [&]<int D>() { run<D>(*o, command); });
    });
}

}  // namespace alinea::cli
