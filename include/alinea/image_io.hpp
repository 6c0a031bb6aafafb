#pragma once
// Reading and writing images by file name: .nii/.nii.gz (NIfTI) and .png (2-D only).
#include "alinea/nifti.hpp"

namespace alinea {

// 2 or 3: the spatial dimension of the image in the file (PNG: 2).
int image_dimension(const std::string& path);

template <int D> ScalarImage<D> read_image(const std::string& path);
// PNG writes 8-bit unless type is u16 (values rounded and clamped).
template <int D>
void write_image(const std::string& path, const ScalarImage<D>& image,
                 PixelType type = PixelType::f32, NiftiCodes codes = {});

}  // namespace alinea
