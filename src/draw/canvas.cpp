#include "canvas.hpp"

#include "alinea/error.hpp"
#include "alinea/png.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace alinea::drawing {

namespace {

void select_font(cairo_t* cr, double size, bool bold) {
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

std::uint32_t packed(const Rgb& c) {
    const auto byte = [](double v) { return static_cast<std::uint32_t>(std::lround(255 * std::clamp(v, 0.0, 1.0))); };
    return (byte(c.r) << 16) | (byte(c.g) << 8) | byte(c.b);
}

}  // namespace

Canvas::Canvas(int width, int height)
    : width_(width), height_(height),
      surface_(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height), cairo_surface_destroy),
      cr_(cairo_create(surface_.get()), cairo_destroy) {
    cairo_set_source_rgb(cr(), 1, 1, 1);
    cairo_paint(cr());
    cairo_set_source_rgb(cr(), 0, 0, 0);
}

void Canvas::text(const std::string& s, double x, double y, double align_x, double align_y, double size, bool bold,
                  double angle) {
    if (s.empty()) return;
    texts_.push_back(s);
    select_font(cr(), size, bold);
    cairo_text_extents_t e;
    cairo_text_extents(cr(), s.c_str(), &e);
    cairo_save(cr());
    cairo_translate(cr(), x, y);
    cairo_rotate(cr(), angle);
    cairo_move_to(cr(), -e.x_bearing - align_x * e.width, -e.y_bearing - align_y * e.height);
    cairo_show_text(cr(), s.c_str());
    cairo_restore(cr());
}

double Canvas::text_width(const std::string& s, double size, bool bold) const {
    select_font(cr(), size, bold);
    cairo_text_extents_t e;
    cairo_text_extents(cr(), s.c_str(), &e);
    return e.x_advance;
}

void Canvas::raster(const Raster& r, double x, double y, double w, double h) const {
    if (r.width <= 0 || r.height <= 0) return;
    Surface image(cairo_image_surface_create(CAIRO_FORMAT_RGB24, r.width, r.height), cairo_surface_destroy);
    cairo_surface_flush(image.get());
    unsigned char* data = cairo_image_surface_get_data(image.get());
    if (!data) throw Error("drawing: cannot allocate a " + std::to_string(r.width) + " x " + std::to_string(r.height) + " tile");
    const int stride = cairo_image_surface_get_stride(image.get());
    for (int row = 0; row < r.height; ++row) {
        auto* line = reinterpret_cast<std::uint32_t*>(data + static_cast<std::size_t>(row) * stride);
        for (int c = 0; c < r.width; ++c) line[c] = packed(r.at(row, c));
    }
    cairo_surface_mark_dirty(image.get());
    cairo_save(cr());
    cairo_translate(cr(), x, y);
    cairo_scale(cr(), w / r.width, h / r.height);
    cairo_set_source_surface(cr(), image.get(), 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr()), CAIRO_FILTER_GOOD);
    cairo_paint(cr());
    cairo_restore(cr());
}

Picture Canvas::finish() const {
    if (cairo_status(cr()) != CAIRO_STATUS_SUCCESS)
        throw Error(std::string("drawing failed: ") + cairo_status_to_string(cairo_status(cr())));
    Picture p{width_, height_, {}, texts_};
    cairo_surface_flush(surface_.get());
    // Cairo's own PNG writer compresses at zlib's default level: libpng's fast mode
    // encodes these flat-coloured figures in a fraction of the time.
    const unsigned char* data = cairo_image_surface_get_data(surface_.get());
    const int stride = cairo_image_surface_get_stride(surface_.get());
    std::vector<unsigned char> rgb(static_cast<std::size_t>(width_) * height_ * 3);
    for (int row = 0; row < height_; ++row) {
        const auto* line = reinterpret_cast<const std::uint32_t*>(data + static_cast<std::size_t>(row) * stride);
        unsigned char* out = rgb.data() + static_cast<std::size_t>(row) * width_ * 3;
        for (int c = 0; c < width_; ++c, out += 3) {
            out[0] = static_cast<unsigned char>(line[c] >> 16);
            out[1] = static_cast<unsigned char>(line[c] >> 8);
            out[2] = static_cast<unsigned char>(line[c]);
        }
    }
    p.png = encode_png_rgb(width_, height_, rgb);
    return p;
}

}  // namespace alinea::drawing
