#pragma once
// Reading and writing images by file name: .nii/.nii.gz (NIfTI) and .png (2-D) natively,
// and through ITK's IO (itk_image_io.hpp) MetaImage, NRRD, Analyze, VTK, TIFF and DICOM.
#include "alinea/image_file_info.hpp"
#include "alinea/nifti.hpp"

namespace alinea {

// "NIfTI (.nii, .nii.gz), PNG (.png), MetaImage (.mha, .mhd), ...": for help and errors.
std::string supported_image_formats();

// What the file holds, from its header (for a DICOM folder: the series').
ImageFileInfo read_image_info(const std::string& path);
// 2 or 3: the spatial dimension of the image in the file (PNG: 2).
int image_dimension(const std::string& path);

template <int D> ScalarImage<D> read_image(const std::string& path);
// PNG writes 8-bit unless type is u16 (values rounded and clamped).
template <int D>
void write_image(const std::string& path, const ScalarImage<D>& image,
                 PixelType type = PixelType::f32, NiftiCodes codes = {});

}  // namespace alinea
