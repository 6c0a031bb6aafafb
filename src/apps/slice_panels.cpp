#include "alinea/slice_panels.hpp"

#include "cairo_text.hpp"
#include "slices.hpp"

#include <cstdio>

namespace alinea {

namespace {

using namespace slices;

constexpr double cell = 240;      // the widest view's width on the picture (px)
constexpr double row_label = 74;  // left column with the views' names
constexpr double title_height = 34, header = 22, legend = 34, gap = 8;

std::string number(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3g", v);
    return buffer;
}

// The largest |value| a signed map is shown up to: its 99th percentile.
template <int D>
float signed_limit(const ScalarImage<D>& image) {
    std::vector<float> v;
    const Index step = std::max<Index>(1, image.voxel_count() / 200000);
    for (Index i = 0; i < image.voxel_count(); i += step)
        if (std::isfinite(image[i]) && image[i] != 0) v.push_back(std::abs(image[i]));
    if (v.empty()) return 1;
    auto it = v.begin() + static_cast<Index>(0.99 * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), it, v.end());
    return std::max(*it, 1e-6f);
}

// Blue (0) - white (0.5) - red (1).
std::array<double, 3> diverging(double t) {
    if (t < 0.5) return {2 * t, 2 * t, 1};
    return {1, 2 * (1 - t), 2 * (1 - t)};
}

// Paints a slice of values in [0, 1] at (x, y), scaled to w x h.
void paint(cairo_t* cr, const Slice& s, bool signed_map, double x, double y, double w, double h) {
    drawing::Surface image(cairo_image_surface_create(CAIRO_FORMAT_RGB24, s.width, s.height), cairo_surface_destroy);
    cairo_surface_flush(image.get());
    unsigned char* data = cairo_image_surface_get_data(image.get());
    const int stride = cairo_image_surface_get_stride(image.get());
    for (int r = 0; r < s.height; ++r)
        for (int c = 0; c < s.width; ++c) {
            const double t = s.pixels[static_cast<size_t>(r) * s.width + c];
            const std::array<double, 3> rgb = signed_map ? diverging(t) : std::array<double, 3>{t, t, t};
            auto* px = reinterpret_cast<std::uint32_t*>(data + static_cast<size_t>(r) * stride) + c;
            *px = (static_cast<std::uint32_t>(std::lround(255 * rgb[0])) << 16) |
                  (static_cast<std::uint32_t>(std::lround(255 * rgb[1])) << 8) |
                  static_cast<std::uint32_t>(std::lround(255 * rgb[2]));
        }
    cairo_surface_mark_dirty(image.get());
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, w / s.width, h / s.height);
    cairo_set_source_surface(cr, image.get(), 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_restore(cr);
}

// A horizontal scale bar under a column: its colours from lo to hi, the two ends named.
void scale_bar(cairo_t* cr, bool signed_map, double lo, double hi, double x, double y, double w) {
    const double bar = 10;
    for (int i = 0; i < 100; ++i) {
        const double t = (i + 0.5) / 100;
        const std::array<double, 3> c = signed_map ? diverging(t) : std::array<double, 3>{t, t, t};
        cairo_set_source_rgb(cr, c[0], c[1], c[2]);
        cairo_rectangle(cr, x + w * i / 100, y, w / 100 + 0.5, bar);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, x + 0.5, y + 0.5, w - 1, bar);
    cairo_stroke(cr);
    drawing::text(cr, number(lo), x, y + bar + 3, 0, 0, 10);
    if (signed_map) drawing::text(cr, "0", x + w / 2, y + bar + 3, 0.5, 0, 10);
    drawing::text(cr, number(hi), x + w, y + bar + 3, 1, 0, 10);
}

}  // namespace

template <int D>
void write_slice_panels(const std::string& path, const std::string& title, const std::vector<SlicePanel<D>>& panels) {
    if (panels.empty()) throw Error(path + ": no image to show");
    std::vector<Window> windows;
    for (const SlicePanel<D>& p : panels) {
        if (!p.image || !p.image->grid().same_as(panels[0].image->grid(), 1e-3))
            throw Error(path + ": the images of a picture must share one grid");
        if (p.signed_map) {
            const float m = signed_limit(*p.image);
            windows.push_back({-m, m});
        } else {
            windows.push_back(robust_window(*p.image));
        }
    }
    // rows[view][column]
    std::vector<std::vector<Slice>> rows;
    std::vector<std::string> views;
    double aspect_scale = 1;  // picture pixels per slice pixel
    if constexpr (D == 2) {
        rows.emplace_back();
        for (std::size_t c = 0; c < panels.size(); ++c) rows[0].push_back(index_slice(*panels[c].image, windows[c]));
        views.push_back("");
        aspect_scale = cell / std::max(rows[0][0].width, rows[0][0].height);
    } else {
        const Grid<3>& g = panels[0].image->grid();
        const auto box = physical_box(g);  // (no structured binding: lambdas capture it)
        const VecD<3>& centre = box.first;
        const VecD<3>& half = box.second;
        const double pixel = std::max(g.spacing().minCoeff() / 2, 2 * half.maxCoeff() / cell);
        const VecD<3> x = VecD<3>::UnitX(), y = VecD<3>::UnitY(), z = VecD<3>::UnitZ();
        const std::array<std::array<VecD<3>, 2>, 3> axes{{{x, y}, {x, -z}, {y, -z}}};
        const std::array<std::array<double, 2>, 3> halves{{{half[0], half[1]}, {half[0], half[2]}, {half[1], half[2]}}};
        views = {"axial", "coronal", "sagittal"};
        for (int v = 0; v < 3; ++v) {
            rows.emplace_back();
            for (std::size_t c = 0; c < panels.size(); ++c)
                rows[v].push_back(physical_slice(*panels[c].image, windows[c], centre, axes[v][0], axes[v][1],
                                                 halves[v][0], halves[v][1], pixel));
        }
        int widest = 0;
        for (const auto& r : rows) widest = std::max(widest, r[0].width);
        aspect_scale = cell / widest;
    }
    double column = 0, body = 0;
    for (const auto& r : rows) {
        column = std::max(column, r[0].width * aspect_scale);
        body += r[0].height * aspect_scale + gap;
    }
    const double left = D == 3 ? row_label : gap;
    const int width = static_cast<int>(left + panels.size() * (column + gap) + gap);
    const int height = static_cast<int>(title_height + header + body + legend + gap);
    auto [surface, cr] = drawing::canvas(width, height);
    cairo_set_source_rgb(cr.get(), 0, 0, 0);
    drawing::text(cr.get(), title, width / 2.0, 10, 0.5, 0, 15, true);
    for (std::size_t c = 0; c < panels.size(); ++c) {
        const double x0 = left + c * (column + gap);
        cairo_set_source_rgb(cr.get(), 0, 0, 0);
        drawing::text(cr.get(), panels[c].title, x0 + column / 2, title_height + 4, 0.5, 0, 11.5);
        double y0 = title_height + header;
        for (std::size_t v = 0; v < rows.size(); ++v) {
            const Slice& s = rows[v][c];
            const double w = s.width * aspect_scale, h = s.height * aspect_scale;
            paint(cr.get(), s, panels[c].signed_map, x0 + (column - w) / 2, y0, w, h);
            if (c == 0 && !views[v].empty()) {
                cairo_set_source_rgb(cr.get(), 0, 0, 0);
                drawing::text(cr.get(), views[v], gap, y0 + h / 2, 0, 0.5, 11.5);
            }
            y0 += h + gap;
        }
        scale_bar(cr.get(), panels[c].signed_map, windows[c].lo, windows[c].hi, x0 + column * 0.1, y0 + 2, column * 0.8);
    }
    drawing::write_png(path, surface.get(), cr.get());
}

template void write_slice_panels<2>(const std::string&, const std::string&, const std::vector<SlicePanel<2>>&);
template void write_slice_panels<3>(const std::string&, const std::string&, const std::vector<SlicePanel<3>>&);

}  // namespace alinea
