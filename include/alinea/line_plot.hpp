#pragma once
// Line plots a person can read: panels side by side in one PNG, each with a title,
// axes with ticks and units, one coloured line (with markers) per series and a
// legend. Drawn with Cairo (real fonts); NaN values leave gaps.
#include "alinea/figure.hpp"

#include <string>
#include <vector>

namespace alinea {

struct PlotSeries {
    std::string name;
    std::vector<double> x, y;
};

struct LinePlot {
    std::string title, x_label, y_label;  // labels with their units, e.g. "volume (mm³)"
    std::vector<PlotSeries> series;
    bool markers = true;     // a dot at every point (off for long traces)
    bool integer_x = false;  // x counts (frames, iterations): ticks at whole numbers only
};

// Panels in rows of `columns`.
Picture draw_line_plots(const std::vector<LinePlot>& panels, int columns = 3);
// All panels side by side, written atomically.
void write_line_plots(const std::string& path, const std::vector<LinePlot>& panels);

}  // namespace alinea
