// alinea resample: an image on a grid of another voxel size (or another image's grid),
// anti-aliased when coarser.
#include "commands.hpp"
#include "dimension.hpp"
#include "input_notes.hpp"
#include "outputs.hpp"

#include "alinea/error.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/image_io.hpp"
#include "alinea/parallel.hpp"
#include "alinea/regrid.hpp"
#include "alinea/storage_loss.hpp"

#include <cstdio>
#include <sstream>

namespace alinea::cli {

namespace {

struct ResampleOptions {
    std::string input, output, spacing, size, like, interpolation = "linear", type;
    bool antialias = true, quiet = false;
    int threads = 0;
};

// "2" or "2x2x3" (also "2,2,3"): one value for every axis, or one per axis.
template <int D>
std::array<double, D> per_axis(const std::string& text, const char* option) {
    std::vector<double> values;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, text.find(',') != std::string::npos ? ',' : 'x')) {
        try {
            std::size_t used = 0;
            values.push_back(std::stod(item, &used));
            if (used != item.size()) throw std::invalid_argument(item);
        } catch (const std::exception&) {
            throw Error(std::string(option) + ": '" + item + "' is not a number (expected e.g. 2 or 2x2x3)");
        }
    }
    if (values.size() == 1) values.resize(D, values[0]);
    if (static_cast<int>(values.size()) != D)
        throw Error(std::string(option) + ": expected 1 or " + std::to_string(D) + " values, got '" + text + "'");
    std::array<double, D> out;
    std::copy(values.begin(), values.end(), out.begin());
    return out;
}

template <int D>
void run(const ResampleOptions& o) {
    const ScalarImage<D> image = read_image<D>(o.input);
    const Interpolation how = parse_interpolation(o.interpolation);
    Grid<D> target;
    if (!o.like.empty()) {
        target = read_image<D>(o.like).grid();
    } else if (!o.spacing.empty()) {
        const auto s = per_axis<D>(o.spacing, "--spacing");
        target = grid_with_spacing(image.grid(), VecD<D>(Eigen::Map<const VecD<D>>(s.data())));
    } else {
        const auto n = per_axis<D>(o.size, "--size");
        Size<D> size;
        for (int a = 0; a < D; ++a) {
            if (n[a] != std::floor(n[a])) throw Error("--size: whole numbers of voxels, got '" + o.size + "'");
            size[a] = static_cast<Index>(n[a]);
        }
        target = grid_with_size<D>(image.grid(), size);
    }
    const ScalarImage<D> out = resample_onto(image, target, how, o.antialias);
    PixelType type = PixelType::f32;
    if (!o.type.empty()) type = parse_pixel_type(o.type);
    else if (how == Interpolation::label || how == Interpolation::nearest) type = read_image_info(o.input).pixel_type;
    if (const StorageLoss loss = storage_loss(out, type); loss.any() && !o.quiet)
        std::fprintf(stderr, "alinea: warning: %s: %s\n", o.output.c_str(), describe(loss, type).c_str());
    write_image(o.output, out, type, is_nifti_path(o.input) ? read_nifti_codes(o.input) : NiftiCodes{});
    if (!o.quiet) {
        const VecD<D> s = target.spacing();
        std::printf("resampled %s to", o.input.c_str());
        for (int a = 0; a < D; ++a) std::printf("%s%lld", a ? "x" : " ", static_cast<long long>(target.size(a)));
        std::printf(" voxels of");
        for (int a = 0; a < D; ++a) std::printf("%s%.4g", a ? "x" : " ", s[a]);
        std::printf(" mm\n");
    }
}

}  // namespace

void add_resample_command(CLI::App& app) {
    auto o = std::make_shared<ResampleOptions>();
    CLI::App* cmd = app.add_subcommand("resample", "Resample an image to another voxel size, size or grid");
    cmd->footer(
        "The new grid keeps the image's direction and the centre of its voxel box. Where it is\n"
        "coarser, the image is first smoothed along each axis by a Gaussian with\n"
        "sigma = sqrt(new^2 - old^2) / 2.355 mm (the difference in voxel size as the full width\n"
        "at half maximum); --no-antialias skips it, and nearest and label interpolation never\n"
        "smooth. Intensities are written as float32, nearest and label as the input's type,\n"
        "unless --type says otherwise.");
    cmd->add_option("-i,--input", o->input, "Image to resample")->required();
    cmd->add_option("-o,--output", o->output, "Output image")->required();
    auto* spacing = cmd->add_option("--spacing", o->spacing, "Voxel size in mm: one value, or one per axis (2x2x3)");
    auto* size = cmd->add_option("--size", o->size, "Voxels per axis (one value, or 96x96x80)");
    auto* like = cmd->add_option("--like", o->like, "The grid of this image");
    spacing->excludes(size)->excludes(like);
    size->excludes(like);
    cmd->add_option("-n,--interpolation", o->interpolation, "nearest, linear, bspline or label")->capture_default_str();
    cmd->add_flag("!--no-antialias", o->antialias, "Do not smooth before downsampling");
    cmd->add_option("--type", o->type, "Output data type (uint8, int16, float32, ...)");
    cmd->add_option("--threads", o->threads, "Number of threads: 0 (all cores) or 1 to 4 x the cores");
    cmd->add_flag("-q,--quiet", o->quiet, "No output but errors");
    cmd->callback([o] {
        if (o->spacing.empty() && o->size.empty() && o->like.empty())
            throw Error("resample: give --spacing, --size or --like");
        check_outputs_spare_inputs({o->input, o->like}, {o->output});
        if (!o->quiet) warn_if_colour(o->input);
        set_thread_count(o->threads);
        dispatch_dimension(image_dimension(o->input), [&]<int D>() { run<D>(*o); });
    });
}

}  // namespace alinea::cli
