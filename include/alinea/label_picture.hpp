#pragma once
// A segmentation at a glance: the image's slices (3-D: axial, coronal, sagittal through
// the centre of the labelled voxels), plain and with every label's contour in a colour
// of its own (a legend when there are few labels). labels must be on the image's grid.
#include "alinea/figure.hpp"
#include "alinea/image.hpp"

#include <string>

namespace alinea {

template <int D>
Picture draw_label_picture(const std::string& title, const ScalarImage<D>& image, const ScalarImage<D>& labels);

template <int D>
void write_label_picture(const std::string& path, const std::string& title, const ScalarImage<D>& image,
                         const ScalarImage<D>& labels);

}  // namespace alinea
