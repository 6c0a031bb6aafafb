// alinea register: read the images, run the plan through the library, write the results.
#include "commands.hpp"
#include "dimension.hpp"
#include "input_notes.hpp"
#include "outputs.hpp"
#include "progress.hpp"

#include "alinea/error.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/image_io.hpp"
#include "alinea/parallel.hpp"
#include "alinea/registration_outputs.hpp"
#include "alinea/transform_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <optional>

namespace alinea::cli {

namespace {

struct RegisterOptions {
    std::string fixed, moving, prefix, fixed_mask, moving_mask;
    std::string init = "identity";  // an initial alignment mode, or a transform file
    bool qc = true, report = true;
    std::string qc_slices;
    std::vector<double> qc_point;  // LPS mm
    std::vector<std::string> notes;  // warnings about the inputs, for the report
    ProgressMode progress = ProgressMode::text;
    int threads = 0;
    RegistrationPlan plan;
    std::string command;
};

template <int D>
std::optional<ScalarImage<D>> read_mask(const std::string& path, const ScalarImage<D>& image, const char* which) {
    if (path.empty()) return std::nullopt;
    ScalarImage<D> mask = read_image<D>(path);
    if (!mask.grid().same_as(image.grid()))
        throw Error(path + ": the " + which + " mask's grid differs from the " + which + " image's");
    if (std::none_of(mask.voxels().begin(), mask.voxels().end(), [](float v) { return v > 0.5f; }))
        throw Error(path + ": the " + which + " mask is empty (no voxel above 0.5): nothing would be compared");
    return mask;
}

template <int D>
void run(const RegisterOptions& o) {
    std::vector<std::string> notes = o.notes;
    const ScalarImage<D> fixed = read_image<D>(o.fixed);
    const ScalarImage<D> moving = read_image<D>(o.moving);
    for (const auto& [image, path] : {std::pair{&fixed, &o.fixed}, std::pair{&moving, &o.moving}})
        if (const std::string problem = content_problem(*image); !problem.empty())
            throw Error(*path + ": the image " + problem);
        else if (const Index bad = count_nonfinite(*image); bad > 0) {
            notes.push_back(*path + ": " + std::to_string(bad) + " non-finite voxels (NaN or inf), treated as missing data");
            if (o.progress != ProgressMode::quiet) std::fprintf(stderr, "alinea: warning: %s\n", notes.back().c_str());
        }
    if (!o.qc_point.empty()) {  // before the work: the pictures are made after it
        if constexpr (D == 2) throw Error("--qc-slices: a 2-D image is shown whole; the option chooses 3-D slices");
        if (o.qc_point.size() != static_cast<std::size_t>(D))
            throw Error("--qc-slices " + o.qc_slices + ": a " + std::to_string(D) + "-D image needs " + std::to_string(D) +
                        " coordinates");
        const VecD<D> ci = fixed.grid().continuous_index(Eigen::Map<const VecD<D>>(o.qc_point.data()));
        for (int a = 0; a < D; ++a)
            if (!(ci[a] >= -0.5 && ci[a] <= static_cast<double>(fixed.grid().size(a)) - 0.5))
                throw Error("--qc-slices " + o.qc_slices + ": the point is outside the fixed image " + o.fixed +
                            " (LPS mm; ras:X,Y,Z for RAS)");
    }
    const auto fixed_mask = read_mask(o.fixed_mask, fixed, "fixed");
    const auto moving_mask = read_mask(o.moving_mask, moving, "moving");
    RegistrationInputs<D> inputs{fixed, moving, fixed_mask ? &*fixed_mask : nullptr,
                                 moving_mask ? &*moving_mask : nullptr};
    if (!is_initial_alignment_spec(o.init)) inputs.initial_affine = read_linear_transform<D>(o.init);

    ProgressPrinter progress(o.progress, outline_of<D>(o.plan, fixed.voxel_count()));
    RegistrationResult<D> result = register_images(inputs, o.plan, progress);
    if (result.deformation) result.deformation->velocity = {};  // not written: free it before writing the rest

    RegistrationRecord record{.command = o.command, .fixed = o.fixed, .moving = o.moving,
                              .fixed_mask = o.fixed_mask, .moving_mask = o.moving_mask, .init = o.init,
                              .codes = is_nifti_path(o.fixed) ? read_nifti_codes(o.fixed) : NiftiCodes{},
                              .qc_picture = o.qc, .report = o.report, .qc_point = o.qc_point, .warnings = notes,
                              .threads = omp_get_max_threads()};
    const std::vector<std::string> warnings =
        write_registration_outputs(o.prefix, result, fixed, moving, record, fixed_mask ? &*fixed_mask : nullptr);
    for (std::size_t k = notes.size(); k < warnings.size(); ++k)  // the inputs' notes were said already
        progress.say("warning: " + warnings[k], "warning", {{"message", warnings[k]}});
    char line[300];
    if (const auto& d = result.deformation) {
        std::snprintf(line, sizeof line,
                      "deformation: Jacobian determinant %.3g .. %.3g, %lld voxels folded; inverse residual %.3g mm",
                      d->jacobian.min, d->jacobian.max, static_cast<long long>(d->jacobian.folded), d->inverse_residual);
        progress.say(line, "deformation", {{"jacobian_min", d->jacobian.min}, {"jacobian_max", d->jacobian.max},
                                           {"folded_voxels", d->jacobian.folded},
                                           {"inverse_residual_mm", d->inverse_residual}});
    }
    std::snprintf(line, sizeof line, "done in %.2f s; outputs %saffine.txt, %swarped.nii.gz, %slog.json ...", result.seconds,
                  o.prefix.c_str(), o.prefix.c_str(), o.prefix.c_str());
    std::vector<std::string> written;
    for (const std::string& name : registration_output_names(o.prefix))
        if (std::filesystem::exists(name)) written.push_back(name);
    progress.say(line, "done", {{"seconds", result.seconds}, {"outputs", written}});
}

// "X,Y,Z" (LPS mm) or "ras:X,Y,Z".
std::vector<double> parse_qc_point(const std::string& text) {
    const bool ras = text.rfind("ras:", 0) == 0;
    std::vector<double> point;
    std::string rest = ras ? text.substr(4) : text;
    std::size_t start = 0;
    while (start <= rest.size()) {
        const std::size_t comma = std::min(rest.find(',', start), rest.size());
        const std::string field = rest.substr(start, comma - start);
        char* end = nullptr;
        const double v = std::strtod(field.c_str(), &end);
        if (field.empty() || *end != '\0' || !std::isfinite(v))
            throw Error("--qc-slices " + text + ": expected X,Y,Z in mm (or ras:X,Y,Z), e.g. --qc-slices 0,-18,12");
        point.push_back(v);
        start = comma + 1;
    }
    if (point.size() != 3) throw Error("--qc-slices " + text + ": expected 3 coordinates (X,Y,Z in mm)");
    if (ras) point[0] = -point[0], point[1] = -point[1];  // RAS -> LPS
    return point;
}

}  // namespace

void add_register_command(CLI::App& app) {
    auto o = std::make_shared<RegisterOptions>();
    CLI::App* cmd = app.add_subcommand(
        "register", "Align a moving image to a fixed image: rigid, affine and deformable stages");
    cmd->add_option("-f,--fixed", o->fixed, "Fixed (reference) image")->required();
    cmd->add_option("-m,--moving", o->moving, "Moving image")->required();
    cmd->add_option("-o,--output", o->prefix,
                    "Output prefix: writes PREFIXaffine.txt, PREFIXwarped.nii.gz, PREFIXqc.png, PREFIXreport.html, PREFIXlog.json, "
                    "and with a deformable stage PREFIXwarp.nii.gz, PREFIXinverse_warp.nii.gz")
        ->required();
    cmd->add_option("--fixed-mask", o->fixed_mask, "Use only fixed voxels where this mask is > 0.5");
    cmd->add_option("--moving-mask", o->moving_mask, "Use only points mapping where this mask is > 0.5");
    cmd->add_option("--init", o->init,
                    "identity, centers, mass, moments, search[:range=90,step=30,shrink=4] (rotations, for badly "
                    "misaligned inputs), or a transform file to start from")
        ->capture_default_str();
    cmd->add_option("--threads", o->threads, "Number of threads: 0 (all cores) or 1 to 4 x the cores");
    cmd->add_flag("!--no-qc", o->qc, "Do not write the QC picture");
    cmd->add_flag("!--no-report", o->report, "Do not write PREFIXreport.html");
    cmd->add_option("--qc-slices", o->qc_slices,
                    "Where the pictures' slices cut: X,Y,Z in mm, LPS as in `alinea points`, or ras:X,Y,Z as NIfTI "
                    "viewers show it (default: the centre of the fixed mask, or of the fixed image's foreground)");
    add_progress_options(*cmd, o->progress);
    cmd->allow_extras();  // the stage options, parsed in order by the plan
    cmd->footer(registration_plan_help());
    cmd->callback([o, cmd] {
        std::vector<std::string> tokens = cmd->remaining();
        const bool init_is_mode = is_initial_alignment_spec(o->init);
        if (init_is_mode) tokens.insert(tokens.begin(), {"--init", o->init});
        o->plan = parse_registration_plan(tokens);
        if (!o->qc_slices.empty()) o->qc_point = parse_qc_point(o->qc_slices);
        std::vector<std::string> printed = plan_tokens(o->plan);
        if (!init_is_mode) printed[1] = o->init;  // the starting transform file
        o->command = register_command_line(o->fixed, o->moving, o->prefix, o->fixed_mask, o->moving_mask, printed);
        if (!o->qc_slices.empty()) o->command += " --qc-slices " + o->qc_slices;
        std::vector<std::string> inputs{o->fixed, o->moving, o->fixed_mask, o->moving_mask};
        if (!init_is_mode) inputs.push_back(o->init);
        check_outputs_spare_inputs(inputs, registration_output_names(o->prefix));
        check_output_prefix(o->prefix);
        for (const std::string& image : {o->fixed, o->moving})
            if (const std::string note = colour_note(image); !note.empty()) {
                o->notes.push_back(note);
                if (o->progress != ProgressMode::quiet) std::fprintf(stderr, "alinea: warning: %s\n", note.c_str());
            }
        set_thread_count(o->threads);
        dispatch_dimension(image_dimension(o->fixed), [&]<int D>() {
            if (image_dimension(o->moving) != D)
                throw Error(o->moving + ": the moving image is " + std::to_string(image_dimension(o->moving)) +
                            "-D but the fixed image " + o->fixed + " is " + std::to_string(D) +
                            "-D (an image with one slice is 2-D)");
            run<D>(*o);
        });
    });
}

}  // namespace alinea::cli
