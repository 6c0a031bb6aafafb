#pragma once
// Several images of one space side by side, as a person compares them: one column per
// image with its title and a colour bar of its values, one row per view (3-D: axial,
// coronal, sagittal through the first image's foreground centre, radiological; 2-D:
// the image), and a title over all. Grey images are windowed robustly; signed maps
// use a blue-white-red scale symmetric about 0.
#include "alinea/figure.hpp"
#include "alinea/image.hpp"

#include <string>
#include <vector>

namespace alinea {

template <int D>
struct SlicePanel {
    std::string title;
    const ScalarImage<D>* image = nullptr;
    bool signed_map = false;  // blue (< 0), white (0), red (> 0)
    std::string bar_label = "intensity";  // what the colour bar measures, with units
};

template <int D>
Picture draw_slice_panels(const std::string& title, const std::vector<SlicePanel<D>>& panels, const std::string& subtitle = "");

// Many images at a glance, in rows of `per_row`: each one's axial slice (2-D: the
// image) through its foreground's centre (its labels' centre when it has labels, whose
// contours are drawn), named under it. Each image is windowed on its own.
template <int D>
struct Thumbnail {
    std::string name;
    const ScalarImage<D>* image = nullptr;
    const ScalarImage<D>* labels = nullptr;  // on the image's grid, or none
};
template <int D>
Picture draw_thumbnails(const std::string& title, const std::vector<Thumbnail<D>>& images, int per_row = 6,
                        double pixels = 150);

template <int D>
void write_slice_panels(const std::string& path, const std::string& title, const std::vector<SlicePanel<D>>& panels);

}  // namespace alinea
