#pragma once
// The drawing layer: what a picture shows, said as data, and the one function that
// draws it (Cairo, real fonts). A figure is a table of slice pictures: a title, one
// title per column, a name per row (axial, coronal, sagittal), a caption under each
// tile (the slice's position in mm), a colour bar with its units under each column
// that needs one, a legend, and a note. The applications build rasters with
// slice_view.hpp and say what to draw; line plots are in line_plot.hpp.
#include <cstdint>
#include <string>
#include <vector>

namespace alinea {

struct Rgb {
    double r = 0, g = 0, b = 0;
    bool operator==(const Rgb&) const = default;
};

// The pixels of one picture tile, top row first, and the millimetres one pixel spans.
struct Raster {
    int width = 0, height = 0;
    std::vector<Rgb> pixels;
    double pixel_mm = 1;
    Raster() = default;
    Raster(int w, int h, double mm) : width(w), height(h), pixels(static_cast<std::size_t>(w) * h), pixel_mm(mm) {}
    Rgb& at(int row, int column) { return pixels[static_cast<std::size_t>(row) * width + column]; }
    const Rgb& at(int row, int column) const { return pixels[static_cast<std::size_t>(row) * width + column]; }
};

enum class ColourMap {
    grey,       // black to white
    diverging,  // blue (low), white (middle), red (high)
};
Rgb colour_of(ColourMap map, double t);  // t in [0, 1]

// A colour per label, far apart for neighbouring label values.
Rgb label_colour(int label);

struct ColourBar {
    std::string label;  // what the colours mean, with units: "log det J (0: volume kept)"
    ColourMap map = ColourMap::grey;
    double lo = 0, hi = 1;
};

struct LegendEntry {
    std::string name;
    Rgb colour;
};

struct Tile {
    Raster raster;
    std::string caption;  // e.g. "z = 12.0 mm"
};

struct Figure {
    std::string title, subtitle;
    std::vector<std::string> column_titles;
    std::vector<std::string> row_titles;  // empty, or one per row
    std::vector<std::vector<Tile>> rows;  // rows[r][c]; every row has one tile per column
    std::vector<ColourBar> colour_bars;   // empty, or one per column (an empty label: no bar)
    std::vector<LegendEntry> legend;
    std::string note;                     // a line under everything, e.g. the coordinate convention
};

// A drawn picture: its PNG bytes, and every text on it (for tests and reports).
struct Picture {
    int width = 0, height = 0;
    std::string png;
    std::vector<std::string> texts;
};

Picture draw_figure(const Figure& figure);

// Writes the PNG atomically. Throws alinea::Error naming the path.
void write_picture(const std::string& path, const Picture& picture);

}  // namespace alinea
