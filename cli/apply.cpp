// alinea apply: resample an image through a chain of transforms onto a reference grid.
#include "commands.hpp"
#include "dimension.hpp"
#include "input_notes.hpp"
#include "outputs.hpp"

#include "alinea/error.hpp"
#include "alinea/transform_chain_file.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/image_io.hpp"
#include "alinea/parallel.hpp"
#include "alinea/resample_chain.hpp"
#include "alinea/storage_loss.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>

namespace alinea::cli {

namespace {

struct ApplyOptions {
    std::string reference, input, output;
    std::vector<std::string> transforms;
    std::string interpolation = "linear";
    std::string outside = "0";
    std::string type;
    int threads = 0;
};

float parse_outside(const std::string& text) {
    if (text == "nan" || text == "NaN") return std::numeric_limits<float>::quiet_NaN();
    try {
        size_t used = 0;
        const float v = std::stof(text, &used);
        if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    throw Error("--outside: expected a number or 'nan', got '" + text + "'");
}

// Labels keep their type on disk; intensities are written as float32 unless asked.
PixelType output_type(const ApplyOptions& o, Interpolation how) {
    if (!o.type.empty()) return parse_pixel_type(o.type);
    if (how == Interpolation::label || how == Interpolation::nearest) return read_image_info(o.input).pixel_type;
    return PixelType::f32;
}

template <int D>
void run(const ApplyOptions& o) {
    const Interpolation how = parse_interpolation(o.interpolation);
    const float outside = parse_outside(o.outside);
    const PixelType type = output_type(o, how);
    const ScalarImage<D> reference = read_image<D>(o.reference);
    const ScalarImage<D> input = read_image<D>(o.input);
    const TransformChain<D> chain = read_transform_chain<D>(o.transforms);
    const ScalarImage<D> out = resample(input, reference.grid(), chain, how, outside);
    const NiftiCodes codes = is_nifti_path(o.reference) ? read_nifti_codes(o.reference) : NiftiCodes{};
    if (const StorageLoss loss = storage_loss(out, type); loss.any())
        std::fprintf(stderr, "alinea: warning: %s: %s\n", o.output.c_str(), describe(loss, type).c_str());
    write_image(o.output, out, type, codes);
}

}  // namespace

void add_apply_command(CLI::App& app) {
    auto o = std::make_shared<ApplyOptions>();
    CLI::App* cmd = app.add_subcommand(
        "apply", "Resample an image onto a reference grid through a chain of transforms");
    cmd->footer(
        "Transforms are listed as in ANTs: `-t warp.nii.gz -t affine.txt` maps a reference point x\n"
        "to affine(x + warp(x)) (the warp lives on the fixed grid; for the image, the affine acts\n"
        "first). Linear transforms are ITK text files or RAS matrices (.mat), [FILE,1] for the\n"
        "inverse; warps are NIfTI displacement fields.");
    cmd->add_option("-r,--reference", o->reference, "Image whose grid the output takes")->required();
    cmd->add_option("-i,--input", o->input, "Image to resample")->required();
    cmd->add_option("-o,--output", o->output, "Output image (.nii, .nii.gz or .png)")->required();
    cmd->add_option("-t,--transform", o->transforms, "Transform file (repeatable; [FILE,1]: its inverse; none = identity)")
        ->allow_extra_args(false);
    cmd->add_option("-n,--interpolation", o->interpolation, "nearest, linear, bspline or label")
        ->capture_default_str();
    cmd->add_option("--outside", o->outside, "Value outside the input (a number or nan)")->capture_default_str();
    cmd->add_option("--type", o->type, "Output data type (uint8, int16, float32, ...)");
    cmd->add_option("--threads", o->threads, "Number of threads: 0 (all cores) or 1 to 4 x the cores");
    cmd->callback([o] {
        std::vector<std::string> inputs = transform_files(o->transforms);
        inputs.insert(inputs.end(), {o->reference, o->input});
        check_outputs_spare_inputs(inputs, {o->output});
        warn_if_colour(o->input);
        set_thread_count(o->threads);
        dispatch_dimension(image_dimension(o->reference), [&]<int D>() { run<D>(*o); });
    });
}

}  // namespace alinea::cli
