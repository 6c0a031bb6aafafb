#include "alinea/figure.hpp"

#include "alinea/atomic_file.hpp"
#include "alinea/error.hpp"

#include "canvas.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

namespace alinea {

namespace {

constexpr double margin = 10, gap = 8;
constexpr double title_size = 16, subtitle_size = 11.5, column_title_size = 12, caption_size = 10.5;
constexpr double bar_height = 10, bar_block = 44, legend_block = 24, note_block = 18;

std::string number(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3g", v);
    return buffer;
}

// A horizontal colour bar from lo to hi, the ends (and 0 inside a diverging one)
// named, its label under it.
void colour_bar(drawing::Canvas& canvas, const ColourBar& bar, double x, double y, double w) {
    cairo_t* cr = canvas.cr();
    for (int i = 0; i < 100; ++i) {
        canvas.colour(colour_of(bar.map, (i + 0.5) / 100));
        cairo_rectangle(cr, x + w * i / 100, y, w / 100 + 0.5, bar_height);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, std::round(x) + 0.5, std::round(y) + 0.5, std::round(w) - 1, bar_height);
    cairo_stroke(cr);
    canvas.text(number(bar.lo), x, y + bar_height + 2, 0, 0, 10);
    if (const double zero = -bar.lo / (bar.hi - bar.lo); zero > 0.2 && zero < 0.8)  // clear of the ends' numbers
        canvas.text("0", x + w * zero, y + bar_height + 2, 0.5, 0, 10);
    canvas.text(number(bar.hi), x + w, y + bar_height + 2, 1, 0, 10);
    canvas.text(bar.label, x + w / 2, y + bar_height + 17, 0.5, 0, 10.5);
}

}  // namespace

Rgb colour_of(ColourMap map, double t) {
    t = std::clamp(t, 0.0, 1.0);
    switch (map) {
        case ColourMap::grey: return {t, t, t};
        case ColourMap::diverging:
            // Blue (0.23, 0.30, 0.75) - white - red (0.71, 0.02, 0.15), after Moreland's cool-warm ends.
            if (t < 0.5) {
                const double s = 2 * t;
                return {0.23 + s * 0.77, 0.30 + s * 0.70, 0.75 + s * 0.25};
            } else {
                const double s = 2 * (1 - t);
                return {0.71 + s * 0.29, 0.02 + s * 0.98, 0.15 + s * 0.85};
            }
    }
    return {t, t, t};
}

Rgb label_colour(int label) {
    // Golden-angle hues: neighbouring label values get far-apart colours.
    const double h = std::fmod(std::abs(label) * 0.618033988749895, 1.0) * 6, f = h - std::floor(h), q = 1 - f;
    Rgb c;
    switch (static_cast<int>(h)) {
        case 0: c = {1, f, 0}; break;
        case 1: c = {q, 1, 0}; break;
        case 2: c = {0, 1, f}; break;
        case 3: c = {0, q, 1}; break;
        case 4: c = {f, 0, 1}; break;
        default: c = {1, 0, q}; break;
    }
    return {0.2 + 0.8 * c.r, 0.2 + 0.8 * c.g, 0.2 + 0.8 * c.b};
}

Picture draw_figure(const Figure& f) {
    const std::size_t columns = f.rows.empty() ? 0 : f.rows[0].size();
    if (columns == 0) throw Error("drawing: a figure without tiles (" + f.title + ")");
    for (const auto& row : f.rows)
        if (row.size() != columns) throw Error("drawing: the rows of a figure differ in length (" + f.title + ")");
    // Column widths and row heights: the tiles are shown pixel for pixel.
    std::vector<double> widths(columns, 0), heights(f.rows.size(), 0);
    bool captions = false;
    for (std::size_t r = 0; r < f.rows.size(); ++r)
        for (std::size_t c = 0; c < columns; ++c) {
            widths[c] = std::max(widths[c], double(f.rows[r][c].raster.width));
            heights[r] = std::max(heights[r], double(f.rows[r][c].raster.height));
            captions = captions || !f.rows[r][c].caption.empty();
        }
    for (double& w : widths) w = std::max(w, 120.0);  // room for a colour bar and its label
    const bool row_names = std::any_of(f.row_titles.begin(), f.row_titles.end(), [](auto& s) { return !s.empty(); });
    const bool bars = std::any_of(f.colour_bars.begin(), f.colour_bars.end(), [](auto& b) { return !b.label.empty(); });
    const double left = margin + (row_names ? 70 : 0);
    const double caption_block = captions ? 16 : 0;

    drawing::Canvas measure(1, 1);
    double width = left + margin;
    for (double w : widths) width += w + gap;
    width = std::max({width, measure.text_width(f.title, title_size, true) + 2 * margin,
                      measure.text_width(f.subtitle, subtitle_size) + 2 * margin,
                      measure.text_width(f.note, 10) + 2 * margin});
    double height = margin + 24 + (f.subtitle.empty() ? 0 : 18) + (f.column_titles.empty() ? 0 : 20);
    for (double h : heights) height += h + caption_block + gap;
    height += (bars ? bar_block : 0) + (f.legend.empty() ? 0 : legend_block) + (f.note.empty() ? 0 : note_block) + margin;

    drawing::Canvas canvas(static_cast<int>(std::ceil(width)), static_cast<int>(std::ceil(height)));
    double y = margin;
    canvas.text(f.title, width / 2, y, 0.5, 0, title_size, true);
    y += 24;
    if (!f.subtitle.empty()) {
        canvas.colour({0.25, 0.25, 0.25});
        canvas.text(f.subtitle, width / 2, y, 0.5, 0, subtitle_size);
        y += 18;
    }
    std::vector<double> x0(columns);
    double grid_width = 0;
    for (std::size_t c = 0; c < columns; ++c) {
        x0[c] = left + grid_width;
        grid_width += widths[c] + gap;
    }
    const double shift = std::max(0.0, (width - margin - left - grid_width + gap) / 2);  // centre the table
    for (double& x : x0) x += shift;
    if (!f.column_titles.empty()) {
        canvas.colour({0, 0, 0});
        for (std::size_t c = 0; c < columns && c < f.column_titles.size(); ++c)
            canvas.text(f.column_titles[c], x0[c] + widths[c] / 2, y, 0.5, 0, column_title_size, true);
        y += 20;
    }
    for (std::size_t r = 0; r < f.rows.size(); ++r) {
        if (r < f.row_titles.size()) {
            canvas.colour({0, 0, 0});
            canvas.text(f.row_titles[r], margin + shift, y + heights[r] / 2, 0, 0.5, 11.5);
        }
        for (std::size_t c = 0; c < columns; ++c) {
            const Tile& t = f.rows[r][c];
            const double tx = x0[c] + (widths[c] - t.raster.width) / 2, ty = y + (heights[r] - t.raster.height) / 2;
            canvas.raster(t.raster, tx, ty, t.raster.width, t.raster.height);
            canvas.colour({0.2, 0.2, 0.2});
            canvas.text(t.caption, x0[c] + widths[c] / 2, y + heights[r] + 2, 0.5, 0, caption_size);
        }
        y += heights[r] + caption_block + gap;
    }
    if (bars) {
        for (std::size_t c = 0; c < columns && c < f.colour_bars.size(); ++c)
            if (!f.colour_bars[c].label.empty())
                colour_bar(canvas, f.colour_bars[c], x0[c] + widths[c] * 0.08, y + 2, widths[c] * 0.84);
        y += bar_block;
    }
    if (!f.legend.empty()) {
        double total = 0;
        for (const LegendEntry& e : f.legend) total += 18 + canvas.text_width(e.name, 11) + 16;
        double x = std::max(margin, (width - total) / 2);
        for (const LegendEntry& e : f.legend) {
            canvas.colour(e.colour);
            cairo_rectangle(canvas.cr(), x, y + 4, 12, 12);
            cairo_fill(canvas.cr());
            canvas.colour({0, 0, 0});
            canvas.text(e.name, x + 18, y + 10, 0, 0.5, 11);
            x += 18 + canvas.text_width(e.name, 11) + 16;
        }
        y += legend_block;
    }
    if (!f.note.empty()) {
        canvas.colour({0.35, 0.35, 0.35});
        canvas.text(f.note, width / 2, y + 2, 0.5, 0, 10);
    }
    return canvas.finish();
}

void write_picture(const std::string& path, const Picture& picture) {
    write_atomically(path, [&](const std::string& temp) {
        std::ofstream out(temp, std::ios::binary);
        out.write(picture.png.data(), static_cast<std::streamsize>(picture.png.size()));
        if (!out.flush()) throw Error(path + ": cannot write the PNG");
    });
}

}  // namespace alinea
