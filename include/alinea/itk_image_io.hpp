#pragma once
// Images in the formats ITK's IO modules know: MetaImage (.mha, .mhd), NRRD (.nrrd,
// .nhdr), Analyze 7.5 and NIfTI pairs (.hdr/.img; written as a NIfTI-1 pair, as ITK
// does) and VTK structured points (.vtk; no orientation) read and written; TIFF (.tif,
// .tiff) and DICOM (a .dcm file, or a folder holding one series) read only. The geometry is exactly what ITK reports; ITK's physical space is LPS
// like Alinea's, so nothing is flipped. Only src/io/itk_image_io.cpp includes ITK; a
// build without ITK has the same functions, which say what is missing.
#include "alinea/image.hpp"
#include "alinea/image_file_info.hpp"
#include "alinea/pixel_type.hpp"

#include <string>

namespace alinea {

// By extension, or a folder (a DICOM series): whether the ITK backend is the reader.
bool is_itk_image_path(const std::string& path);
bool itk_image_io_available();

ImageFileInfo read_itk_image_info(const std::string& path);
// Colour is read as grey (luminance); a 4-D series or a vector image is refused.
// For D == 2 the file must hold one slice.
template <int D> ScalarImage<D> read_itk_image(const std::string& path);
// Through temporary files in the destination folder, renamed when complete (a
// header/data pair moves data first). Integer types round and clamp, as NIfTI.
template <int D> void write_itk_image(const std::string& path, const ScalarImage<D>& image, PixelType type);

}  // namespace alinea
