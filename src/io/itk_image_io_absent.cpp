// A build without ITK: the formats it would read are named, and so is what is missing.
#include "alinea/error.hpp"
#include "alinea/itk_image_io.hpp"

#include <filesystem>

namespace alinea {

namespace {

[[noreturn]] void missing(const std::string& path) {
    throw file_error(path, "MetaImage, NRRD, Analyze, VTK, TIFF and DICOM need Alinea built with ITK "
                           "(Debian's libinsighttoolkit5-dev; cmake -DALINEA_ITK=ON)");
}

}  // namespace

bool is_itk_image_path(const std::string& path) {
    for (const char* e : {".mha", ".mhd", ".nrrd", ".nhdr", ".hdr", ".img", ".vtk", ".tif", ".tiff", ".dcm"})
        if (path.ends_with(e)) return true;
    std::error_code ec;
    return std::filesystem::is_directory(path, ec);
}

bool itk_image_io_available() { return false; }

ImageFileInfo read_itk_image_info(const std::string& path) { missing(path); }

template <int D>
ScalarImage<D> read_itk_image(const std::string& path) {
    missing(path);
}

template <int D>
void write_itk_image(const std::string& path, const ScalarImage<D>&, PixelType) {
    missing(path);
}

template ScalarImage<2> read_itk_image<2>(const std::string&);
template ScalarImage<3> read_itk_image<3>(const std::string&);
template void write_itk_image<2>(const std::string&, const ScalarImage<2>&, PixelType);
template void write_itk_image<3>(const std::string&, const ScalarImage<3>&, PixelType);

}  // namespace alinea
