// alinea convert: an image in another format or voxel type, with a warning for what the
// type cannot hold.
#include "commands.hpp"
#include "dimension.hpp"
#include "input_notes.hpp"
#include "outputs.hpp"

#include "alinea/error.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/image_io.hpp"
#include "alinea/png.hpp"
#include "alinea/storage_loss.hpp"

#include <cstdio>

namespace alinea::cli {

namespace {

struct ConvertOptions {
    std::string input, output, type;
    bool quiet = false;
};

// The input's own type: a NIfTI's data type, a PNG's bit depth, ITK's component type.
PixelType input_type(const std::string& path) { return read_image_info(path).pixel_type; }

template <int D>
void run(const ConvertOptions& o) {
    const NiftiCodes codes = is_nifti_path(o.input) ? read_nifti_codes(o.input) : NiftiCodes{};
    if (is_nifti_path(o.input) && read_nifti_info(o.input).components > 1) {  // a warp
        if (!o.type.empty() && parse_pixel_type(o.type) != PixelType::f32)
            throw Error(o.input + ": a vector image (a warp) is converted as float32 only");
        if (!is_nifti_path(o.output)) throw Error(o.output + ": a vector image (a warp) is written as NIfTI only");
        write_nifti(o.output, read_nifti_vector<D>(o.input), codes);
        return;
    }
    const ScalarImage<D> image = read_image<D>(o.input);
    const PixelType type = o.type.empty() ? input_type(o.input) : parse_pixel_type(o.type);
    if (const StorageLoss loss = storage_loss(image, type); loss.any() && !o.quiet)
        std::fprintf(stderr, "alinea: warning: %s: %s\n", o.output.c_str(), describe(loss, type).c_str());
    write_image(o.output, image, type, codes);
}

}  // namespace

void add_convert_command(CLI::App& app) {
    auto o = std::make_shared<ConvertOptions>();
    CLI::App* cmd = app.add_subcommand("convert", "Convert an image to another format or voxel type");
    cmd->footer(
        "Formats by extension: .nii, .nii.gz (NIfTI) and .png (2-D; uint8 or uint16). The geometry\n"
        "and the NIfTI codes are kept. Integer types round and clip: values beyond the type's range\n"
        "and NaN (written as 0) are counted in a warning. Default type: the input's own.");
    cmd->add_option("-i,--input", o->input, "Image to convert")->required();
    cmd->add_option("-o,--output", o->output, "Output image")->required();
    cmd->add_option("--type", o->type, "Output data type: uint8, int8, uint16, int16, uint32, int32, float32, float64");
    cmd->add_flag("-q,--quiet", o->quiet, "No warnings");
    cmd->callback([o] {
        check_outputs_spare_inputs({o->input}, {o->output});
        if (!o->quiet) warn_if_colour(o->input);
        dispatch_dimension(image_dimension(o->input), [&]<int D>() { run<D>(*o); });
    });
}

}  // namespace alinea::cli
