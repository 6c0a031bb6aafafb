// alinea register: read the images, run the plan through the library, write the results.
#include "commands.hpp"
#include "dimension.hpp"
#include "outputs.hpp"
#include "progress.hpp"

#include "alinea/output_set.hpp"
#include "alinea/error.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/image_io.hpp"
#include "alinea/parallel.hpp"
#include "alinea/qc_picture.hpp"
#include "alinea/registration.hpp"
#include "alinea/transform_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

namespace alinea::cli {

namespace {

struct RegisterOptions {
    std::string fixed, moving, prefix, fixed_mask, moving_mask;
    std::string init = "identity";  // an initial alignment mode, or a transform file
    bool qc = true, quiet = false;
    int threads = 0;
    RegistrationPlan plan;
    std::string command;
};

template <int D>
nlohmann::json matrix_json(const Affine<D>& a) {
    nlohmann::json rows = nlohmann::json::array();
    const auto h = a.homogeneous();
    for (int r = 0; r < D + 1; ++r) {
        nlohmann::json row = nlohmann::json::array();
        for (int c = 0; c < D + 1; ++c) row.push_back(h(r, c));
        rows.push_back(row);
    }
    return rows;
}

nlohmann::json stages_json(const std::vector<StageReport>& stages) {
    nlohmann::json out = nlohmann::json::array();
    for (const StageReport& s : stages) {
        nlohmann::json levels = nlohmann::json::array();
        for (const LevelReport& r : s.levels)
            levels.push_back({{"level", r.level},
                              {"shrink", r.shrink},
                              {"model", r.model},
                              {"metric", r.metric},
                              {"optimizer", r.optimizer},
                              {"samples", r.samples},
                              {"iterations", r.result.iterations},
                              {"evaluations", r.result.evaluations},
                              {"stop_reason", r.result.stop_reason},
                              {"initial_value", r.initial_value},
                              {"final_value", r.result.value},
                              {"trace", r.result.trace},
                              {"seconds", r.seconds}});
        out.push_back({{"stage", s.stage}, {"options", s.description}, {"seconds", s.seconds}, {"levels", levels}});
    }
    return out;
}

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
    const ScalarImage<D> fixed = read_image<D>(o.fixed);
    const ScalarImage<D> moving = read_image<D>(o.moving);
    for (const auto& [image, path] : {std::pair{&fixed, &o.fixed}, std::pair{&moving, &o.moving}})
        if (const std::string problem = content_problem(*image); !problem.empty())
            throw Error(*path + ": the image " + problem);
        else if (const Index bad = count_nonfinite(*image); bad > 0 && !o.quiet)
            std::fprintf(stderr, "alinea: warning: %s: %lld non-finite voxels (NaN or inf), treated as missing data\n",
                         path->c_str(), static_cast<long long>(bad));
    const auto fixed_mask = read_mask(o.fixed_mask, fixed, "fixed");
    const auto moving_mask = read_mask(o.moving_mask, moving, "moving");
    RegistrationInputs<D> inputs{fixed, moving, fixed_mask ? &*fixed_mask : nullptr,
                                 moving_mask ? &*moving_mask : nullptr};
    if (!is_initial_alignment_spec(o.init)) inputs.initial_affine = read_linear_transform<D>(o.init);

    ProgressPrinter progress(o.quiet);
    RegistrationResult<D> result = register_images(inputs, o.plan, progress);
    if (result.deformation) result.deformation->velocity = {};  // not written: free it before writing the rest

    // A prefix may name a folder that does not exist yet ("out/subject1_").
    if (const auto folder = std::filesystem::path(o.prefix + "x").parent_path(); !folder.empty())
        std::filesystem::create_directories(folder);
    OutputSet out;  // all of them or none
    write_itk_transform(out(o.prefix + "affine.txt"), result.affine);
    const NiftiCodes codes = is_nifti_path(o.fixed) ? read_nifti_codes(o.fixed) : NiftiCodes{};
    nlohmann::json log;
    log["command"] = o.command;
    log["version"] = ALINEA_VERSION;
    log["fixed"] = o.fixed;
    log["moving"] = o.moving;
    log["dimension"] = D;
    log["init"] = o.init;
    log["initial_matrix"] = matrix_json(result.initial_affine);
    log["nonfinite_voxels"] = {{"fixed", result.nonfinite_fixed}, {"moving", result.nonfinite_moving}};
    if (const auto& d = result.deformation) {
        write_nifti(out(o.prefix + "warp.nii.gz"), d->warp, codes);
        write_nifti(out(o.prefix + "inverse_warp.nii.gz"), d->inverse_warp, codes);
        if (!d->control_points.empty())
            write_nifti(out(o.prefix + "control_points.nii.gz"), d->control_points, codes);
        const JacobianSummary& j = d->jacobian;
        log["jacobian"] = {{"min", j.min}, {"max", j.max}, {"folded_fraction", j.folded_fraction}};
        log["inverse_residual_mm"] = d->inverse_residual;
        if (!o.quiet)
            std::printf("deformation: Jacobian determinant %.3g .. %.3g, %lld voxels folded; inverse residual %.3g mm\n",
                        j.min, j.max, static_cast<long long>(j.folded), d->inverse_residual);
    }
    const ScalarImage<D> warped = apply_registration(result, moving);
    write_image(out(o.prefix + "warped.nii.gz"), warped, PixelType::f32, codes);
    if (o.qc) write_qc_picture(out(o.prefix + "qc.png"), fixed, warped);

    log["stages"] = stages_json(result.stages);
    log["matrix"] = matrix_json(result.affine);
    log["seconds"] = result.seconds;
    log["threads"] = omp_get_max_threads();
    write_text_file(out(o.prefix + "log.json"), log.dump(2) + "\n");
    out.commit();
    if (!o.quiet)
        std::printf("done in %.2f s; outputs %saffine.txt, %swarped.nii.gz, %slog.json ...\n", result.seconds,
                    o.prefix.c_str(), o.prefix.c_str(), o.prefix.c_str());
}

}  // namespace

void add_register_command(CLI::App& app) {
    auto o = std::make_shared<RegisterOptions>();
    CLI::App* cmd = app.add_subcommand(
        "register", "Align a moving image to a fixed image: rigid, affine and deformable stages");
    cmd->add_option("-f,--fixed", o->fixed, "Fixed (reference) image")->required();
    cmd->add_option("-m,--moving", o->moving, "Moving image")->required();
    cmd->add_option("-o,--output", o->prefix,
                    "Output prefix: writes PREFIXaffine.txt, PREFIXwarped.nii.gz, PREFIXqc.png, PREFIXlog.json, "
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
    cmd->add_flag("-q,--quiet", o->quiet, "No progress output");
    cmd->allow_extras();  // the stage options, parsed in order by the plan
    cmd->footer(registration_plan_help());
    cmd->callback([o, cmd] {
        std::vector<std::string> tokens = cmd->remaining();
        const bool init_is_mode = is_initial_alignment_spec(o->init);
        if (init_is_mode) tokens.insert(tokens.begin(), {"--init", o->init});
        o->plan = parse_registration_plan(tokens);
        std::vector<std::string> printed = plan_tokens(o->plan);
        if (!init_is_mode) printed[1] = o->init;  // the starting transform file
        o->command = "alinea register -f " + o->fixed + " -m " + o->moving + " -o " + o->prefix +
                     (o->fixed_mask.empty() ? "" : " --fixed-mask " + o->fixed_mask) +
                     (o->moving_mask.empty() ? "" : " --moving-mask " + o->moving_mask);
        for (const std::string& t : printed) o->command += " " + t;
        std::vector<std::string> inputs{o->fixed, o->moving, o->fixed_mask, o->moving_mask};
        if (!init_is_mode) inputs.push_back(o->init);
        std::vector<std::string> outputs;
        for (const char* name : {"affine.txt", "warped.nii.gz", "warp.nii.gz", "inverse_warp.nii.gz",
                                 "control_points.nii.gz", "qc.png", "log.json"})
            outputs.push_back(o->prefix + name);
        check_outputs_spare_inputs(inputs, outputs);
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
