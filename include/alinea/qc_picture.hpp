#pragma once
// A picture that tells at a glance whether a registration worked: for 3-D, the three
// orthogonal mid-slices through the fixed image (axial, coronal, sagittal rows in
// radiological view), each as fixed | warped moving | checkerboard of the two; for
// 2-D, one such row. Intensities are windowed robustly (1st-99th percentile).
#include "alinea/image.hpp"

#include <string>

namespace alinea {

// warped must be on the fixed image's grid.
template <int D>
void write_qc_picture(const std::string& path, const ScalarImage<D>& fixed, const ScalarImage<D>& warped);

// A segmentation at a glance: the image's slices (3-D: axial | coronal | sagittal
// through the centre of the labelled voxels) with every label's contour drawn in a
// colour of its own. labels must be on the image's grid.
template <int D>
void write_label_picture(const std::string& path, const ScalarImage<D>& image, const ScalarImage<D>& labels);

}  // namespace alinea
