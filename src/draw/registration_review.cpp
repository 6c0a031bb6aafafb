#include "alinea/registration_review.hpp"

#include "alinea/displacement.hpp"
#include "alinea/line_plot.hpp"
#include "alinea/slice_view.hpp"

#include <cmath>
#include <cstdio>

namespace alinea {

namespace {

constexpr Rgb edge_colour{1.0, 0.1, 0.05};
constexpr Rgb grid_colour{1.0, 0.75, 0.0};
const char* const radiological = "slice positions in RAS mm; radiological view (the patient's left on the right)";

std::string format(const char* pattern, double a, double b = 0, double c = 0) {
    char buffer[320];
    std::snprintf(buffer, sizeof buffer, pattern, a, b, c);
    return buffer;
}

// The fixed image's foreground: its mask, or voxels above a tenth of its robust maximum
// (w: the fixed image's window).
template <int D>
ScalarImage<D> foreground(const ScalarImage<D>& fixed, const Window& w, const ScalarImage<D>* mask) {
    if (mask) return *mask;
    ScalarImage<D> out(fixed.grid());
    for (Index i = 0; i < fixed.voxel_count(); ++i) out[i] = std::isfinite(fixed[i]) && fixed[i] > 0.1 * w.hi ? 1.0f : 0.0f;
    return out;
}

// A grid spacing of 1, 2 or 5 x 10^k mm giving about 40 lines across the field of view.
double nice_spacing(double field_of_view) {
    const double raw = field_of_view / 40, magnitude = std::pow(10, std::floor(std::log10(raw)));
    for (const double m : {1.0, 2.0, 5.0})
        if (m * magnitude >= raw) return m * magnitude;
    return 10 * magnitude;
}

// The display windows of the fixed and moving images (robust percentiles of millions
// of voxels: found once for all pictures).
struct Windows {
    Window fixed, moving;
};

// "before" is the moving image itself, sampled at the fixed image's slices' points
// (physical coordinates, no transform).
template <int D>
Picture alignment_picture(const RegistrationReviewInputs<D>& in, const std::vector<SliceView<D>>& views,
                          const Windows& w) {
    const Window &fw = w.fixed, &mw = w.moving;
    Figure f;
    f.title = "Registration: the moving image before and after, on the fixed image's grid";
    f.column_titles = {"fixed", "moving, before", "moving, after", "fixed edges on after", "checkerboard fixed / after"};
    f.colour_bars = {{"fixed intensity", ColourMap::grey, fw.lo, fw.hi},
                     {"moving intensity", ColourMap::grey, mw.lo, mw.hi},
                     {"moving intensity", ColourMap::grey, mw.lo, mw.hi}, {}, {}};
    f.legend = {{"edges of the fixed image", edge_colour}};
    for (const SliceView<D>& view : views) {
        const Slice fixed = sample_slice(in.fixed, view);
        const Raster fr = colour_slice(fixed, fw, ColourMap::grey, view.pixel_mm);
        const Raster br = colour_slice(sample_slice(in.moving, view), mw, ColourMap::grey, view.pixel_mm);
        const Raster ar = colour_slice(sample_slice(in.warped, view), mw, ColourMap::grey, view.pixel_mm);
        Raster edges = ar;
        draw_edges(edges, fixed, fw, edge_colour);
        const int tile = std::max(8, std::min(fr.width, fr.height) / 8);
        f.row_titles.push_back(view.name);
        f.rows.push_back({{fr, view.position}, {br, view.position}, {ar, view.position},
                          {std::move(edges), view.position}, {checkerboard(fr, ar, tile), view.position}});
    }
    f.note = std::string("before: the moving image through no transform (physical coordinates); ") +
             (D == 3 ? radiological : "");
    return draw_figure(f);
}

template <int D>
Picture edges_picture(const RegistrationReviewInputs<D>& in, const Grid<D>& grid, const VecD<D>& through,
                      const Windows& w) {
    const Window &fw = w.fixed, &mw = w.moving;
    Figure f;
    f.title = "The fixed image's edges on the moving image, before and after registration";
    f.column_titles = {"before", "after"};
    f.legend = {{"edges of the fixed image", edge_colour}};
    for (const SliceView<D>& view : orthogonal_views(grid, through, 360)) {
        const Slice fixed = sample_slice(in.fixed, view);
        Raster b = colour_slice(sample_slice(in.moving, view), mw, ColourMap::grey, view.pixel_mm);
        Raster a = colour_slice(sample_slice(in.warped, view), mw, ColourMap::grey, view.pixel_mm);
        draw_edges(b, fixed, fw, edge_colour);
        draw_edges(a, fixed, fw, edge_colour);
        f.row_titles.push_back(view.name);
        f.rows.push_back({{std::move(b), view.position}, {std::move(a), view.position}});
    }
    if constexpr (D == 3) f.note = radiological;
    return draw_figure(f);
}

template <int D>
Picture deformation_picture(const RegistrationReviewInputs<D>& in, const std::vector<SliceView<D>>& views,
                            const DeformableResult<D>& d, const ScalarImage<D>& log_jacobian, const ScalarImage<D>& mask,
                            const Window& fw) {
    const Window jw = symmetric_window(log_jacobian, &mask, 0.1);
    const Grid<D>& g = in.fixed.grid();
    double field_of_view = 0;
    for (int a = 0; a < D; ++a) field_of_view = std::max(field_of_view, g.spacing()[a] * static_cast<double>(g.size(a)));
    const double spacing = nice_spacing(field_of_view);
    Figure f;
    f.title = "The deformation: local volume change and the deformed grid";
    f.column_titles = {"log Jacobian determinant", format("deformed %g mm grid on fixed", spacing)};
    f.colour_bars = {{"log det J (> 0: the moving image is larger there)", ColourMap::diverging, jw.lo, jw.hi}, {}};
    f.legend = {{"grid of the moving space, drawn where it lands on the fixed image", grid_colour}};
    for (const SliceView<D>& view : views) {
        const Raster jr = colour_slice(sample_slice(log_jacobian, view), jw, ColourMap::diverging, view.pixel_mm);
        Raster grid = colour_slice(sample_slice(in.fixed, view), fw, ColourMap::grey, view.pixel_mm);
        draw_deformed_grid(grid, sample_in_plane(d.warp, view), view, spacing, grid_colour);
        f.row_titles.push_back(view.name);
        f.rows.push_back({{jr, view.position}, {std::move(grid), view.position}});
    }
    f.note = std::string("the deformable part only (the affine stages' map is not in it); ") + (D == 3 ? radiological : "");
    return draw_figure(f);
}

Picture convergence_picture(const std::vector<StageReport>& stages) {
    std::vector<LinePlot> plots;
    for (const StageReport& s : stages) {
        if (s.levels.empty()) continue;
        const LevelReport& first = s.levels.front();
        // Each level from its own start: levels differ in scale (smoothing, samples), so
        // their raw values would leave every curve flat.
        LinePlot p{"stage " + std::to_string(s.stage + 1) + ": " + first.model + ", " + first.metric, "iteration",
                   "metric - its value at the level's start", {}};
        p.markers = false;
        p.integer_x = true;
        for (const LevelReport& l : s.levels) {
            PlotSeries series{"level " + std::to_string(l.level + 1) + " (shrink " + std::to_string(l.shrink) + ")", {}, {}};
            series.x.push_back(0);
            series.y.push_back(0);
            for (std::size_t i = 0; i < l.result.trace.size(); ++i) {
                series.x.push_back(static_cast<double>(i + 1));
                series.y.push_back(l.result.trace[i] - l.initial_value);
            }
            if (series.x.size() == 1) p.markers = true;  // a single point needs its dot
            p.series.push_back(std::move(series));
        }
        plots.push_back(std::move(p));
    }
    if (plots.empty()) plots.push_back({"no stage ran", "iteration", "metric", {}});
    return draw_line_plots(plots, 3);
}

}  // namespace

template <int D>
RegistrationReview review_registration(const RegistrationResult<D>& result, const RegistrationReviewInputs<D>& in) {
    RegistrationReview review;
    const Grid<D>& g = in.fixed.grid();
    const Windows windows{robust_window(in.fixed), in.pictures ? robust_window(in.moving) : Window{}};
    const ScalarImage<D> mask = foreground(in.fixed, windows.fixed, in.fixed_mask);
    const char* region = in.fixed_mask ? "the fixed mask" : "the fixed image's foreground";

    // Overlap at the start: the fixed foreground mapped by the initial transform into the moving box.
    Index in_mask = 0, inside = 0;
    for (Index i = 0; i < g.voxel_count(); ++i) {
        if (mask[i] <= 0.5f) continue;
        ++in_mask;
        const Size<D> idx = g.index_of(i);
        VecD<D> ci;
        for (int a = 0; a < D; ++a) ci[a] = static_cast<double>(idx[a]);
        const VecD<D> m = in.moving.grid().continuous_index(result.initial_affine(g.physical(ci)));
        bool within = true;
        for (int a = 0; a < D; ++a) within = within && m[a] >= -0.5 && m[a] <= static_cast<double>(in.moving.grid().size(a)) - 0.5;
        inside += within;
    }
    review.start_overlap = in_mask > 0 ? static_cast<double>(inside) / static_cast<double>(in_mask) : 0;
    if (review.start_overlap < 0.5)
        review.warnings.push_back(format("the images barely overlap at the start: %.0f %% of ", 100 * review.start_overlap) +
                                  region + " falls inside the moving image (try --init centers, mass or search)");
    for (const StageReport& s : result.stages)
        for (const LevelReport& l : s.levels)
            if (l.result.value > l.initial_value + 1e-9 * std::max(1.0, std::abs(l.initial_value)))
                review.warnings.push_back("stage " + std::to_string(s.stage + 1) + " (" + l.model + "), level " +
                                          std::to_string(l.level + 1) +
                                          format(": the metric got worse (%.6g to %.6g)", l.initial_value, l.result.value));

    std::optional<ScalarImage<D>> log_jacobian;
    if (const auto& d = result.deformation) {
        ScalarImage<D> det = jacobian_determinant(d->warp);
        double sum = 0;
        Index n = 0;
        for (Index i = 0; i < det.voxel_count(); ++i)
            if (mask[i] > 0.5f && std::isfinite(det[i])) sum += det[i], ++n;
        if (n > 0) {
            review.mean_jacobian = sum / static_cast<double>(n);
            if (std::abs(*review.mean_jacobian - 1) > 0.1)
                review.warnings.push_back(std::string("the mean Jacobian determinant inside ") + region +
                                          format(" is %.3f: the deformable stage changed the volume by %+.0f %% "
                                                 "(did the affine stages fail?)",
                                                 *review.mean_jacobian, 100 * (*review.mean_jacobian - 1)));
        }
        if (d->jacobian.folded > 0)
            review.warnings.push_back(format("%.0f voxels fold (Jacobian determinant <= 0, minimum %.3g): "
                                             "increase the regularisation or check the inputs",
                                             static_cast<double>(d->jacobian.folded), d->jacobian.min));
        take_log_of_determinant(det);
        log_jacobian = std::move(det);
    }
    if (!in.pictures) return review;

    const VecD<D> through = in.through ? *in.through : picture_centre(in.fixed, in.fixed_mask);
    const auto views = orthogonal_views(g, through);
    review.pictures.push_back({"alignment",
                               "The fixed image, the moving image before registration (no transform) and after, the "
                               "fixed image's edges on the result, and a checkerboard of the two: edges and "
                               "checkerboard seams should run continuously across structures.",
                               alignment_picture(in, views, windows)});
    review.pictures.push_back({"edges", "The same edges, larger, before and after: after registration they should lie on the moving image's boundaries.",
                               edges_picture(in, g, through, windows)});
    if (result.deformation)
        review.pictures.push_back({"deformation",
                                   "Local volume change of the deformable stage (log det J; 0: kept, ±0.69: doubled or "
                                   "halved) and a regular grid of the moving space drawn where it lands: smooth, "
                                   "unfolded lines mean a plausible deformation.",
                                   deformation_picture(in, views, *result.deformation, *log_jacobian, mask, windows.fixed)});
    review.pictures.push_back({"convergence",
                               "The metric at every iteration of every level (lower is better), from each level's "
                               "start, one panel per stage: each curve should fall and flatten.",
                               convergence_picture(result.stages)});
    return review;
}

template RegistrationReview review_registration<2>(const RegistrationResult<2>&, const RegistrationReviewInputs<2>&);
template RegistrationReview review_registration<3>(const RegistrationResult<3>&, const RegistrationReviewInputs<3>&);

}  // namespace alinea
