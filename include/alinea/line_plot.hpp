#pragma once
// Line plots a person can read: panels side by side in one PNG, each with a title,
// axes with ticks and units, one coloured line (with markers) per series and a
// legend. Drawn with Cairo (real fonts); NaN values leave gaps.
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
};

void write_line_plots(const std::string& path, const std::vector<LinePlot>& panels);

}  // namespace alinea
