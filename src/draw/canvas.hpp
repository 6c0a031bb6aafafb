#pragma once
// A Cairo canvas for the pictures: a white page, text in DejaVu Sans aligned on its box,
// and a record of every text drawn (what tests read to check titles and colour-bar
// labels without reading pixels).
#include "alinea/figure.hpp"

#include <cairo.h>

#include <memory>
#include <string>
#include <vector>

namespace alinea::drawing {

class Canvas {
public:
    Canvas(int width, int height);

    cairo_t* cr() const { return cr_.get(); }
    int width() const { return width_; }
    int height() const { return height_; }

    void colour(const Rgb& c) const { cairo_set_source_rgb(cr(), c.r, c.g, c.b); }
    // Draws s with its box aligned at (x, y): align 0 = left/top, 0.5 = centre, 1 = right/bottom.
    void text(const std::string& s, double x, double y, double align_x, double align_y, double size,
              bool bold = false, double angle = 0);
    // The width of s at this size.
    double text_width(const std::string& s, double size, bool bold = false) const;
    // Paints a raster at (x, y), scaled to w x h (smoothly: pictures are shown enlarged).
    void raster(const Raster& r, double x, double y, double w, double h) const;

    // The finished picture: PNG bytes and the texts drawn. Throws alinea::Error when
    // Cairo failed (out of memory, a size too large).
    Picture finish() const;

private:
    using Surface = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
    using Context = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;
    int width_, height_;
    Surface surface_;
    Context cr_;
    std::vector<std::string> texts_;
};

}  // namespace alinea::drawing
