// alinea simulate: a moving image with a known true transform, made from a real image.
#include "commands.hpp"
#include "dimension.hpp"
#include "outputs.hpp"

#include "alinea/output_set.hpp"
#include "alinea/displacement.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/image_io.hpp"
#include "alinea/parallel.hpp"
#include "alinea/simulate.hpp"
#include "alinea/transform_file.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace alinea::cli {

namespace {

struct SimulateOptions {
    std::string input, labels, prefix;
    SimulationOptions simulation;
    int threads = 0;
};

template <class V>
std::string list(const V& values) {
    std::ostringstream s;
    s.precision(4);
    for (size_t i = 0; i < static_cast<size_t>(values.size()); ++i) s << (i ? ", " : "") << values[i];
    return "(" + s.str() + ")";
}

template <int D>
void run(const SimulateOptions& o) {
    const ScalarImage<D> fixed = read_image<D>(o.input);
    ScalarImage<D> labels;
    if (!o.labels.empty()) labels = read_image<D>(o.labels);
    const Simulation<D> sim = simulate(fixed, o.simulation, o.labels.empty() ? nullptr : &labels);

    const NiftiCodes codes = is_nifti_path(o.input) ? read_nifti_codes(o.input) : NiftiCodes{};
    std::vector<std::string> written;
    OutputSet outputs;  // all of them or none
    auto out = [&](const std::string& name) { return outputs(written.emplace_back(o.prefix + name)); };
    write_nifti(out("moving.nii.gz"), sim.moving, PixelType::f32, codes);
    write_itk_transform(out("true_affine.txt"), sim.affine);
    if (!sim.warp.empty()) {
        write_nifti(out("true_warp.nii.gz"), sim.warp, codes);
        write_nifti(out("true_inverse_warp.nii.gz"), sim.inverse_warp, codes);
    }
    if (!o.labels.empty()) {
        // Label maps keep their type on disk.
        const PixelType type = is_nifti_path(o.labels) ? read_nifti_info(o.labels).pixel_type : PixelType::u16;
        write_nifti(out("moving_labels.nii.gz"), sim.moving_labels, type, codes);
    }
    outputs.commit();

    const AffineParameters<D>& p = sim.parameters;
    std::printf("affine: rotation %s deg, scale %s, shear %s, translation %s mm\n", list(p.angles).c_str(),
                list(p.scales).c_str(), list(p.shears).c_str(), list(p.translation).c_str());
    if (!sim.warp.empty()) {
        const ScalarImage<D> det = jacobian_determinant(sim.warp);
        const auto [lo, hi] = std::minmax_element(det.voxels().begin(), det.voxels().end());
        std::printf("warp: max displacement %.3f mm, Jacobian determinant in [%.3f, %.3f]\n", max_norm(sim.warp), *lo,
                    *hi);
    }
    for (const std::string& f : written) std::printf("wrote %s\n", f.c_str());
}

}  // namespace

void add_simulate_command(CLI::App& app) {
    auto o = std::make_shared<SimulateOptions>();
    SimulationOptions& s = o->simulation;
    CLI::App* cmd = app.add_subcommand("simulate", "Make a moving image with a known true transform from a real image");
    cmd->footer(
        "The input is the fixed image. The true fixed->moving map is x -> A(x + u(x)), written as\n"
        "PREFIXtrue_affine.txt (A) and PREFIXtrue_warp.nii.gz (u = exp(v) on the fixed grid), so that\n"
        "  alinea apply -r IMAGE -i PREFIXmoving.nii.gz -t PREFIXtrue_warp.nii.gz -t PREFIXtrue_affine.txt\n"
        "maps the moving image back onto the fixed one, and `alinea evaluate --truth` takes the same\n"
        "list. PREFIXtrue_inverse_warp.nii.gz holds exp(-v): `-t [PREFIXtrue_affine.txt,1]\n"
        "-t PREFIXtrue_inverse_warp.nii.gz` carries the fixed image (or its labels) onto the moving one.\n"
        "The warp fades to zero over the outer 10 % of the grid. Same seed, same bytes (any thread count).");
    cmd->add_option("-i,--input", o->input, "Fixed image (.nii, .nii.gz or .png)")->required();
    cmd->add_option("-l,--labels", o->labels, "Label map of the fixed image, carried to PREFIXmoving_labels.nii.gz");
    cmd->add_option("-o,--output", o->prefix, "Output prefix (e.g. out/sim_)")->required();
    cmd->add_option("--seed", s.seed, "Random seed")->required();
    cmd->add_option("--rotation", s.rotation, "Rotation angles uniform in +-DEG about each axis")
        ->check(CLI::Range(0.0, 180.0))->capture_default_str();
    cmd->add_option("--scale", s.scale, "Per-axis scales uniform in 1 +- FRAC")->check(CLI::Range(0.0, 0.9))->capture_default_str();
    cmd->add_option("--shear", s.shear, "Shears uniform in +- FRAC")->check(CLI::Range(0.0, 0.9))->capture_default_str();
    cmd->add_option("--translation", s.translation, "Translations uniform in +- MM per axis")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    cmd->add_option("--deformation", s.deformation, "Largest displacement of the smooth warp, MM (0: none)")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    cmd->add_option("--smoothness", s.smoothness, "Gaussian sigma of the random velocity, MM")
        ->check(CLI::PositiveNumber)->capture_default_str();
    cmd->add_option("--bspline-spacing", s.bspline_spacing,
                    "Make the warp a cubic B-spline field with random coefficients on a control grid of this "
                    "spacing, MM (0: a smooth velocity field, exp(v))")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    cmd->add_option("--bias", s.bias, "Smooth multiplicative bias field within about 1 +- FRAC")
        ->check(CLI::Range(0.0, 10.0))->capture_default_str();
    cmd->add_option("--noise", s.noise, "Gaussian noise, sigma as FRAC of the 1st-99th percentile range")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    cmd->add_flag("--remap", s.remap,
                  "Non-monotonic intensity map imitating another contrast: with t = (v - p1) / (p99 - p1),\n"
                  "v -> p1 + (p99 - p1) [0.3 t + 0.7 (1 - cos(c pi t)) / 2], c random in [1.5, 2.5]");
    cmd->add_option("--threads", o->threads, "Number of threads: 0 (all cores) or 1 to 4 x the cores");
    cmd->callback([o] {
        std::vector<std::string> outputs;
        for (const char* name : {"moving.nii.gz", "true_affine.txt", "true_warp.nii.gz", "true_inverse_warp.nii.gz",
                                 "moving_labels.nii.gz"})
            outputs.push_back(o->prefix + name);
        check_outputs_spare_inputs({o->input, o->labels}, outputs);
        set_thread_count(o->threads);
        dispatch_dimension(image_dimension(o->input), [&]<int D>() { run<D>(*o); });
    });
}

}  // namespace alinea::cli
