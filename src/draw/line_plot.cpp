#include "alinea/line_plot.hpp"

#include "alinea/error.hpp"

#include "canvas.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>

namespace alinea {

namespace {

constexpr double panel_width = 560, panel_height = 400;
constexpr double left = 78, right = 18, top = 40, bottom = 56;

// Matplotlib's tab10 colours: distinct, and readable on white.
constexpr std::array<std::array<double, 3>, 10> palette{{{0.12, 0.47, 0.71}, {1.00, 0.50, 0.05}, {0.17, 0.63, 0.17},
                                                          {0.84, 0.15, 0.16}, {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29},
                                                          {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50}, {0.74, 0.74, 0.13},
                                                          {0.09, 0.75, 0.81}}};

struct Range {
    double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
    void add(double v) {
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
};

// Ticks at 1, 2 or 5 x 10^k covering the range with about five steps; the range is
// widened to whole ticks.
std::vector<double> ticks(Range& r, bool integers = false) {
    if (!(r.lo <= r.hi)) r = {0, 1};
    if (r.hi - r.lo < 1e-12 * std::max(1.0, std::abs(r.hi))) r.lo -= 1, r.hi += 1;
    const double raw = (r.hi - r.lo) / 5, magnitude = std::pow(10, std::floor(std::log10(raw)));
    double step = magnitude;
    for (const double m : {1.0, 2.0, 5.0, 10.0})
        if (m * magnitude >= raw) { step = m * magnitude; break; }
    if (integers) step = std::max(1.0, std::round(step));
    r.lo = std::floor(r.lo / step + 1e-9) * step;
    r.hi = std::ceil(r.hi / step - 1e-9) * step;
    std::vector<double> out;
    for (double t = r.lo; t <= r.hi + step * 1e-6; t += step) out.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    return out;
}

std::string tick_text(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", v);
    return buffer;
}

void draw_panel(drawing::Canvas& canvas, const LinePlot& plot, double x0, double y0) {
    cairo_t* cr = canvas.cr();
    const double px = x0 + left, py = y0 + top, pw = panel_width - left - right, ph = panel_height - top - bottom;
    Range rx, ry;
    for (const PlotSeries& s : plot.series) {
        for (const double v : s.x) rx.add(v);
        for (const double v : s.y) ry.add(v);
    }
    const std::vector<double> tx = ticks(rx, plot.integer_x), ty = ticks(ry);
    const auto X = [&](double v) { return px + (v - rx.lo) / (rx.hi - rx.lo) * pw; };
    const auto Y = [&](double v) { return py + ph - (v - ry.lo) / (ry.hi - ry.lo) * ph; };

    cairo_set_source_rgb(cr, 0, 0, 0);
    canvas.text(plot.title, x0 + panel_width / 2, y0 + 12, 0.5, 0, 15, true);
    // Grid lines and ticks.
    cairo_set_line_width(cr, 1);
    for (const double t : ty) {
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_move_to(cr, px, std::round(Y(t)) + 0.5);
        cairo_line_to(cr, px + pw, std::round(Y(t)) + 0.5);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        canvas.text(tick_text(t), px - 6, Y(t), 1, 0.5, 11);
    }
    for (const double t : tx) {
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_move_to(cr, std::round(X(t)) + 0.5, py);
        cairo_line_to(cr, std::round(X(t)) + 0.5, py + ph);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        canvas.text(tick_text(t), X(t), py + ph + 6, 0.5, 0, 11);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_rectangle(cr, px + 0.5, py + 0.5, pw, ph);
    cairo_stroke(cr);
    canvas.text(plot.x_label, px + pw / 2, py + ph + 26, 0.5, 0, 13);
    canvas.text(plot.y_label, x0 + 14, py + ph / 2, 0.5, 0, 13, false, -M_PI / 2);

    // The series: lines with gaps at NaN, and a marker at every point.
    cairo_save(cr);
    cairo_rectangle(cr, px, py, pw, ph);
    cairo_clip(cr);
    for (std::size_t k = 0; k < plot.series.size(); ++k) {
        const PlotSeries& s = plot.series[k];
        const auto& c = palette[k % palette.size()];
        cairo_set_source_rgb(cr, c[0], c[1], c[2]);
        cairo_set_line_width(cr, 2);
        bool open = false;
        for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
            if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) { open = false; continue; }
            if (open) cairo_line_to(cr, X(s.x[i]), Y(s.y[i]));
            else cairo_move_to(cr, X(s.x[i]), Y(s.y[i]));
            open = true;
        }
        cairo_stroke(cr);
        for (std::size_t i = 0; plot.markers && i < std::min(s.x.size(), s.y.size()); ++i)
            if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
                cairo_arc(cr, X(s.x[i]), Y(s.y[i]), 3, 0, 2 * M_PI);
                cairo_fill(cr);
            }
    }
    cairo_restore(cr);

    // The legend, top right inside the axes, on white.
    if (plot.series.empty()) return;
    double widest = 0;
    for (const PlotSeries& s : plot.series) widest = std::max(widest, canvas.text_width(s.name, 11));
    const double row = 16, lw = widest + 40, lh = row * static_cast<double>(plot.series.size()) + 8;
    const double lx = px + pw - lw - 8, ly = py + 8;
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_rectangle(cr, lx, ly, lw, lh);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    for (std::size_t k = 0; k < plot.series.size(); ++k) {
        const auto& c = palette[k % palette.size()];
        const double y = ly + 4 + row * (static_cast<double>(k) + 0.5);
        cairo_set_source_rgb(cr, c[0], c[1], c[2]);
        cairo_set_line_width(cr, 2);
        cairo_move_to(cr, lx + 6, y);
        cairo_line_to(cr, lx + 28, y);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        canvas.text(plot.series[k].name, lx + 34, y, 0, 0.5, 11);
    }
}

}  // namespace

Picture draw_line_plots(const std::vector<LinePlot>& panels, int columns) {
    if (panels.empty()) throw Error("drawing: nothing to plot");
    const auto n = static_cast<int>(panels.size());
    columns = std::clamp(columns, 1, n);
    const int rows = (n + columns - 1) / columns;
    drawing::Canvas canvas(static_cast<int>(panel_width * columns), static_cast<int>(panel_height * rows));
    for (int p = 0; p < n; ++p) draw_panel(canvas, panels[p], panel_width * (p % columns), panel_height * (p / columns));
    return canvas.finish();
}

void write_line_plots(const std::string& path, const std::vector<LinePlot>& panels) {
    if (panels.empty()) throw Error(path + ": nothing to plot");
    write_picture(path, draw_line_plots(panels, static_cast<int>(panels.size())));
}

}  // namespace alinea
