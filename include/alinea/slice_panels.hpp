#pragma once
// Several images of one space side by side, as a person compares them: one column per
// image with its title and its intensity range, one row per view (3-D: axial, coronal,
// sagittal through the first image's box centre, radiological: the patient's left on
// the right; 2-D: the image), and a title over all. Grey images are windowed robustly
// (background-free 1st to 99.5th percentile); signed maps use a blue-white-red scale
// symmetric about 0. Drawn with Cairo.
#include "alinea/image.hpp"

#include <string>
#include <vector>

namespace alinea {

template <int D>
struct SlicePanel {
    std::string title;
    const ScalarImage<D>* image = nullptr;
    bool signed_map = false;  // blue (< 0), white (0), red (> 0)
};

template <int D>
void write_slice_panels(const std::string& path, const std::string& title, const std::vector<SlicePanel<D>>& panels);

}  // namespace alinea
