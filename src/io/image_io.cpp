// Image files by name: the extension picks the format.
#include "alinea/image_io.hpp"

#include "alinea/error.hpp"
#include "alinea/png.hpp"
#include "bytes.hpp"

namespace alinea {

namespace {

enum class Format { nifti, png };

Format format_of(const std::string& path) {
    if (io::has_suffix(path, ".nii") || io::has_suffix(path, ".nii.gz")) return Format::nifti;
    if (io::has_suffix(path, ".png")) return Format::png;
    throw file_error(path, "unknown image format (supported: .nii, .nii.gz, .png)");
}

}  // namespace

int image_dimension(const std::string& path) {
    if (format_of(path) == Format::png) return 2;
    return read_nifti_info(path).spatial_dimension;
}

template <int D>
ScalarImage<D> read_image(const std::string& path) {
    if (format_of(path) == Format::nifti) {
        // A series where one image is expected is refused, not cut to its first frame.
        if (const Index frames = read_nifti_info(path).time_points; frames > 1)
            throw file_error(path, "is a 4-D series (" + std::to_string(frames) + " frames) where one image is expected");
        return read_nifti_scalar<D>(path);
    }
    if constexpr (D == 2) {
        return read_png(path);
    } else {
        throw file_error(path, "a PNG is a 2-D image; a 3-D image was expected");
    }
}

template <int D>
void write_image(const std::string& path, const ScalarImage<D>& image, PixelType type, NiftiCodes codes) {
    if (format_of(path) == Format::nifti) return write_nifti<D>(path, image, type, codes);
    if constexpr (D == 2) {
        write_png(path, image, type == PixelType::u16 ? 16 : 8);
    } else {
        throw file_error(path, "PNG can only hold 2-D images");
    }
}

template ScalarImage<2> read_image<2>(const std::string&);
template ScalarImage<3> read_image<3>(const std::string&);
template void write_image<2>(const std::string&, const ScalarImage<2>&, PixelType, NiftiCodes);
template void write_image<3>(const std::string&, const ScalarImage<3>&, PixelType, NiftiCodes);

}  // namespace alinea
