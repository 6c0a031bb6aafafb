// Image files by name: the extension picks the format (a folder is a DICOM series).
#include "alinea/image_io.hpp"

#include "alinea/error.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/itk_image_io.hpp"
#include "alinea/png.hpp"

namespace alinea {

namespace {

enum class Format { nifti, png, itk };

Format format_of(const std::string& path) {
    if (is_nifti_path(path)) return Format::nifti;
    if (is_png_path(path)) return Format::png;
    if (is_itk_image_path(path)) return Format::itk;
    throw file_error(path, "unknown image format (supported: " + supported_image_formats() + ")");
}

}  // namespace

std::string supported_image_formats() {
    return ".nii, .nii.gz, .png, .mha, .mhd, .nrrd, .nhdr, .hdr/.img (Analyze or NIfTI pair), .vtk, .tif (read), "
           "a DICOM file or folder (read)";
}

ImageFileInfo read_image_info(const std::string& path) {
    switch (format_of(path)) {
        case Format::nifti: {
            const NiftiInfo n = read_nifti_info(path);
            return {.format = "NIfTI-" + std::to_string(n.version),
                    .dimension = n.spatial_dimension,
                    .time_points = n.time_points,
                    .components = n.components,
                    .pixel_type = n.pixel_type,
                    .grid = n.grid};
        }
        case Format::png: {
            const PngInfo p = read_png_info(path);
            return {.format = "PNG",
                    .dimension = 2,
                    .colour = p.colour,
                    .pixel_type = p.bit_depth == 16 ? PixelType::u16 : PixelType::u8,
                    .grid = Grid<3>::from_spacing({p.width, p.height, 1}, VecD<3>::Ones())};
        }
        case Format::itk: return read_itk_image_info(path);
    }
    return {};
}

int image_dimension(const std::string& path) {
    if (format_of(path) == Format::png) return 2;
    return read_image_info(path).dimension;
}

template <int D>
ScalarImage<D> read_image(const std::string& path) {
    switch (format_of(path)) {
        case Format::nifti:
            // A series where one image is expected is refused, not cut to its first frame.
            if (const Index frames = read_nifti_info(path).time_points; frames > 1)
                throw file_error(path, "is a 4-D series (" + std::to_string(frames) + " frames) where one image is expected");
            return read_nifti_scalar<D>(path);
        case Format::png:
            if constexpr (D == 2) return read_png(path);
            else throw file_error(path, "a PNG is a 2-D image; a 3-D image was expected");
        case Format::itk: return read_itk_image<D>(path);
    }
    return {};
}

template <int D>
void write_image(const std::string& path, const ScalarImage<D>& image, PixelType type, NiftiCodes codes) {
    switch (format_of(path)) {
        case Format::nifti: return write_nifti<D>(path, image, type, codes);
        case Format::png:
            if constexpr (D == 2) return write_png(path, image, type == PixelType::u16 ? 16 : 8);
            else throw file_error(path, "PNG can only hold 2-D images");
        case Format::itk: return write_itk_image<D>(path, image, type);
    }
}

template ScalarImage<2> read_image<2>(const std::string&);
template ScalarImage<3> read_image<3>(const std::string&);
template void write_image<2>(const std::string&, const ScalarImage<2>&, PixelType, NiftiCodes);
template void write_image<3>(const std::string&, const ScalarImage<3>&, PixelType, NiftiCodes);

}  // namespace alinea
