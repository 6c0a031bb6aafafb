// alinea register: linear registration of a moving image to a fixed image, in stages.
#include "commands.hpp"
#include "dimension.hpp"
#include "progress.hpp"
#include "stage_arguments.hpp"

#include "alinea/displacement.hpp"
#include "alinea/error.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/image_io.hpp"
#include "alinea/initialize.hpp"
#include "alinea/parallel.hpp"
#include "alinea/qc_picture.hpp"
#include "alinea/resample.hpp"
#include "alinea/rotation_search.hpp"
#include "alinea/transform_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace alinea::cli {

namespace {

struct RegisterOptions {
    std::string fixed, moving, prefix, fixed_mask, moving_mask;
    std::string init = "identity";
    bool qc = true, quiet = false;
    int threads = 0;
    RegistrationPlan plan;
    std::string command;
};

template <int D>
Affine<D> initial(const RegisterOptions& o, const RegistrationImages<D>& images) {
    if (o.init == "search") return search_rotations(images, RotationSearch{});
    for (const char* mode : {"identity", "centers", "centres", "mass", "moments"})
        if (o.init == mode) return initial_transform(parse_initialization(o.init), images.fixed, images.moving);
    return read_linear_transform<D>(o.init);
}

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

template <int D>
void run(const RegisterOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    const ScalarImage<D> fixed = read_image<D>(o.fixed);
    const ScalarImage<D> moving = read_image<D>(o.moving);
    std::optional<ScalarImage<D>> fixed_mask, moving_mask;
    if (!o.fixed_mask.empty()) fixed_mask = read_image<D>(o.fixed_mask);
    if (!o.moving_mask.empty()) moving_mask = read_image<D>(o.moving_mask);
    if (fixed_mask && !fixed_mask->grid().same_as(fixed.grid()))
        throw Error(o.fixed_mask + ": the fixed mask's grid differs from the fixed image's");
    if (moving_mask && !moving_mask->grid().same_as(moving.grid()))
        throw Error(o.moving_mask + ": the moving mask's grid differs from the moving image's");
    const RegistrationImages<D> images{fixed, moving, fixed_mask ? &*fixed_mask : nullptr,
                                       moving_mask ? &*moving_mask : nullptr};

    ProgressPrinter progress(o.quiet, o.plan.descriptions());
    nlohmann::json log;
    log["command"] = o.command;
    log["version"] = ALINEA_VERSION;
    log["fixed"] = o.fixed;
    log["moving"] = o.moving;
    log["dimension"] = D;
    log["init"] = o.init;
    Affine<D> transform = initial<D>(o, images);
    log["initial_matrix"] = matrix_json(transform);
    transform = register_linear(images, o.plan.linear, transform, &progress);
    std::optional<DeformableResult<D>> deformation;
    if (o.plan.deformable) deformation = register_deformable(images, *o.plan.deformable, transform, &progress);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // A prefix may name a folder that does not exist yet ("out/subject1_").
    if (const auto folder = std::filesystem::path(o.prefix + "x").parent_path(); !folder.empty())
        std::filesystem::create_directories(folder);
    write_itk_transform(o.prefix + "affine.txt", transform);
    const NiftiCodes codes = is_nifti_path(o.fixed) ? read_nifti_codes(o.fixed) : NiftiCodes{};
    TransformChain<D> chain;  // fixed point -> warp -> affine -> moving point
    if (deformation) {
        write_nifti(o.prefix + "warp.nii.gz", deformation->warp, codes);
        write_nifti(o.prefix + "inverse_warp.nii.gz", deformation->inverse_warp, codes);
        if (!deformation->control_points.empty())
            write_nifti(o.prefix + "control_points.nii.gz", deformation->control_points, codes);
        const ScalarImage<D> det = jacobian_determinant(deformation->warp);
        const auto [lo, hi] = std::minmax_element(det.voxels().begin(), det.voxels().end());
        const Index folded = std::count_if(det.voxels().begin(), det.voxels().end(), [](float v) { return v <= 0; });
        log["jacobian"] = {{"min", *lo}, {"max", *hi}, {"folded_fraction", double(folded) / double(det.voxel_count())}};
        log["inverse_residual_mm"] = deformation->inverse_residual;
        if (!o.quiet)
            std::printf("deformation: Jacobian determinant %.3g .. %.3g, %lld voxels folded; inverse residual %.3g mm\n",
                        *lo, *hi, static_cast<long long>(folded), deformation->inverse_residual);
        chain.then(DisplacementField<D>{std::move(deformation->warp)});
    }
    chain.then(transform);
    const ScalarImage<D> warped = resample(moving, fixed.grid(), chain, Interpolation::linear, 0.0f);
    write_image(o.prefix + "warped.nii.gz", warped, PixelType::f32, codes);
    if (o.qc) write_qc_picture(o.prefix + "qc.png", fixed, warped);

    log["stages"] = o.plan.descriptions();
    log["levels"] = progress.levels_json();
    log["matrix"] = matrix_json(transform);
    log["seconds"] = seconds;
    log["threads"] = omp_get_max_threads();
    const std::string log_path = o.prefix + "log.json";
    std::ofstream(log_path) << log.dump(2) << "\n";
    progress.finished(seconds, o.prefix);
}

}  // namespace

void add_register_command(CLI::App& app) {
    auto o = std::make_shared<RegisterOptions>();
    CLI::App* cmd = app.add_subcommand("register", "Align a moving image to a fixed image (linear stages)");
    cmd->add_option("-f,--fixed", o->fixed, "Fixed (reference) image")->required();
    cmd->add_option("-m,--moving", o->moving, "Moving image")->required();
    cmd->add_option("-o,--output", o->prefix,
                    "Output prefix: writes PREFIXaffine.txt, PREFIXwarped.nii.gz, PREFIXqc.png, PREFIXlog.json")
        ->required();
    cmd->add_option("--fixed-mask", o->fixed_mask, "Use only fixed voxels where this mask is > 0.5");
    cmd->add_option("--moving-mask", o->moving_mask, "Use only points mapping where this mask is > 0.5");
    cmd->add_option("--init", o->init, "identity, centers, mass, moments, search (rotations, for badly misaligned inputs), or a transform file")->capture_default_str();
    cmd->add_option("--threads", o->threads, "Number of threads (0: all cores)");
    cmd->add_flag("!--no-qc", o->qc, "Do not write the QC picture");
    cmd->add_flag("-q,--quiet", o->quiet, "No progress output");
    cmd->allow_extras();  // the stage options, parsed in order below
    cmd->footer(stage_help());
    cmd->callback([o, cmd] {
        o->plan = parse_stages(cmd->remaining());
        if (o->plan.linear.empty() && !o->plan.deformable)
            o->plan = parse_stages({"--transform", "rigid", "--transform", "affine"});
        o->command = "alinea register -f " + o->fixed + " -m " + o->moving + " -o " + o->prefix + " --init " + o->init +
                     (o->fixed_mask.empty() ? "" : " --fixed-mask " + o->fixed_mask) +
                     (o->moving_mask.empty() ? "" : " --moving-mask " + o->moving_mask);
        for (const std::string& s : o->plan.descriptions()) o->command += " " + s;
        set_thread_count(o->threads);
        dispatch_dimension(image_dimension(o->fixed), [&]<int D>() {
            if (image_dimension(o->moving) != D)
                throw Error(o->moving + ": the moving image is " + std::to_string(image_dimension(o->moving)) +
                            "-D but the fixed image is " + std::to_string(D) + "-D");
            run<D>(*o);
        });
    });
}

}  // namespace alinea::cli
