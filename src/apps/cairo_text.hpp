#pragma once
// Text and surfaces for the pictures drawn with Cairo (line plots, slice panels).
#include "alinea/atomic_file.hpp"
#include "alinea/error.hpp"

#include <cairo.h>

#include <memory>
#include <string>

namespace alinea::drawing {

// Draws s with its box aligned at (x, y): align 0 = left/top, 0.5 = centre, 1 = right/bottom.
inline void text(cairo_t* cr, const std::string& s, double x, double y, double align_x, double align_y, double size,
                 bool bold = false, double angle = 0) {
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.c_str(), &e);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, angle);
    cairo_move_to(cr, -e.x_bearing - align_x * e.width, -e.y_bearing - align_y * e.height);
    cairo_show_text(cr, s.c_str());
    cairo_restore(cr);
}

using Surface = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using Context = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;

// A white canvas.
inline std::pair<Surface, Context> canvas(int width, int height) {
    Surface surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height), cairo_surface_destroy);
    Context cr(cairo_create(surface.get()), cairo_destroy);
    cairo_set_source_rgb(cr.get(), 1, 1, 1);
    cairo_paint(cr.get());
    return {std::move(surface), std::move(cr)};
}

// Writes the canvas as a PNG, atomically.
inline void write_png(const std::string& path, cairo_surface_t* surface, cairo_t* cr) {
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) throw Error(path + ": drawing failed");
    write_atomically(path, [&](const std::string& temp) {
        if (cairo_surface_write_to_png(surface, temp.c_str()) != CAIRO_STATUS_SUCCESS)
            throw Error(path + ": cannot write the PNG");
    });
}

}  // namespace alinea::drawing
