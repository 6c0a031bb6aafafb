#include "alinea/slice_panels.hpp"

#include "alinea/error.hpp"
#include "alinea/slice_view.hpp"

#include <algorithm>

namespace alinea {

template <int D>
Picture draw_slice_panels(const std::string& title, const std::vector<SlicePanel<D>>& panels, const std::string& subtitle) {
    if (panels.empty()) throw Error("drawing: no image to show (" + title + ")");
    for (const SlicePanel<D>& p : panels)
        if (!p.image || !p.image->grid().same_as(panels[0].image->grid(), 1e-3))
            throw Error("drawing: the images of a picture must share one grid (" + title + ")");
    Figure f;
    f.title = title;
    f.subtitle = subtitle;
    const auto views = orthogonal_views(panels[0].image->grid(), picture_centre(*panels[0].image));
    std::vector<Window> windows;
    for (const SlicePanel<D>& p : panels) {
        windows.push_back(p.signed_map ? symmetric_window(*p.image) : robust_window(*p.image));
        f.column_titles.push_back(p.title);
        f.colour_bars.push_back({p.bar_label, p.signed_map ? ColourMap::diverging : ColourMap::grey,
                                 windows.back().lo, windows.back().hi});
    }
    for (const SliceView<D>& view : views) {
        f.row_titles.push_back(view.name);
        f.rows.emplace_back();
        for (std::size_t c = 0; c < panels.size(); ++c)
            f.rows.back().push_back({colour_slice(sample_slice(*panels[c].image, view), windows[c],
                                                  panels[c].signed_map ? ColourMap::diverging : ColourMap::grey,
                                                  view.pixel_mm),
                                     view.position});
    }
    if constexpr (D == 3) f.note = "slice positions in RAS mm; radiological view (the patient's left on the right)";
    return draw_figure(f);
}

template <int D>
void write_slice_panels(const std::string& path, const std::string& title, const std::vector<SlicePanel<D>>& panels) {
    write_picture(path, draw_slice_panels(title, panels));
}

template <int D>
Picture draw_thumbnails(const std::string& title, const std::vector<Thumbnail<D>>& images, int per_row, double pixels) {
    if (images.empty()) throw Error("drawing: no image to show (" + title + ")");
    per_row = std::max(1, std::min(per_row, static_cast<int>(images.size())));
    Figure f;
    f.title = title;
    for (std::size_t i = 0; i < images.size(); ++i) {
        const Thumbnail<D>& t = images[i];
        if (i % static_cast<std::size_t>(per_row) == 0) f.rows.emplace_back();
        const SliceView<D> view = orthogonal_views(t.image->grid(), picture_centre(*t.image, t.labels), pixels).front();
        Raster r = colour_slice(sample_slice(*t.image, view), robust_window(*t.image), ColourMap::grey, view.pixel_mm);
        if (t.labels) draw_contours(r, sample_slice(*t.labels, view, true));
        f.rows.back().push_back({std::move(r), t.name + (view.position.empty() ? "" : ", " + view.position)});
    }
    while (f.rows.back().size() < static_cast<std::size_t>(per_row)) f.rows.back().push_back({});  // blank tiles
    if constexpr (D == 3) f.note = "axial slices; positions in RAS mm; radiological view (the patient's left on the right)";
    return draw_figure(f);
}

template Picture draw_thumbnails<2>(const std::string&, const std::vector<Thumbnail<2>>&, int, double);
template Picture draw_thumbnails<3>(const std::string&, const std::vector<Thumbnail<3>>&, int, double);
template Picture draw_slice_panels<2>(const std::string&, const std::vector<SlicePanel<2>>&, const std::string&);
template Picture draw_slice_panels<3>(const std::string&, const std::vector<SlicePanel<3>>&, const std::string&);
template void write_slice_panels<2>(const std::string&, const std::string&, const std::vector<SlicePanel<2>>&);
template void write_slice_panels<3>(const std::string&, const std::string&, const std::vector<SlicePanel<3>>&);

}  // namespace alinea
