#include "alinea/label_picture.hpp"

#include "alinea/error.hpp"
#include "alinea/slice_view.hpp"

#include <cmath>
#include <set>

namespace alinea {

template <int D>
Picture draw_label_picture(const std::string& title, const ScalarImage<D>& image, const ScalarImage<D>& labels) {
    if (!labels.grid().same_as(image.grid(), 1e-3)) throw Error("drawing: the labels must be on the image's grid (" + title + ")");
    const Window window = robust_window(image);
    Figure f;
    f.title = title;
    f.column_titles = {"image", "label contours"};
    f.colour_bars = {{"intensity", ColourMap::grey, window.lo, window.hi}, {}};
    for (const SliceView<D>& view : orthogonal_views(image.grid(), picture_centre(image, &labels), 300)) {
        const Raster grey = colour_slice(sample_slice(image, view), window, ColourMap::grey, view.pixel_mm);
        Raster contours = grey;
        draw_contours(contours, sample_slice(labels, view, true));
        f.row_titles.push_back(view.name);
        f.rows.push_back({{grey, view.position}, {std::move(contours), view.position}});
    }
    std::set<int> values;
    for (const float v : labels.voxels())
        if (std::isfinite(v) && std::lround(v) != 0) values.insert(static_cast<int>(std::lround(v)));
    if (values.size() <= 12)
        for (const int l : values) f.legend.push_back({"label " + std::to_string(l), label_colour(l)});
    else
        f.subtitle = std::to_string(values.size()) + " labels, each in a colour of its own";
    if constexpr (D == 3) f.note = "slice positions in RAS mm; radiological view (the patient's left on the right)";
    return draw_figure(f);
}

template <int D>
void write_label_picture(const std::string& path, const std::string& title, const ScalarImage<D>& image,
                         const ScalarImage<D>& labels) {
    write_picture(path, draw_label_picture(title, image, labels));
}

template Picture draw_label_picture<2>(const std::string&, const ScalarImage<2>&, const ScalarImage<2>&);
template Picture draw_label_picture<3>(const std::string&, const ScalarImage<3>&, const ScalarImage<3>&);
template void write_label_picture<2>(const std::string&, const std::string&, const ScalarImage<2>&, const ScalarImage<2>&);
template void write_label_picture<3>(const std::string&, const std::string&, const ScalarImage<3>&, const ScalarImage<3>&);

}  // namespace alinea
