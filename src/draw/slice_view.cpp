#include "alinea/slice_view.hpp"

#include "alinea/interpolate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace alinea {

namespace {

constexpr float nan = std::numeric_limits<float>::quiet_NaN();

// The physical box of a grid: its centre and half extents along the physical axes.
template <int D>
std::pair<VecD<D>, VecD<D>> physical_box(const Grid<D>& g) {
    VecD<D> lo = VecD<D>::Constant(1e300), hi = VecD<D>::Constant(-1e300);
    for (int corner = 0; corner < (1 << D); ++corner) {
        VecD<D> ci;
        for (int a = 0; a < D; ++a) ci[a] = (corner >> a) & 1 ? static_cast<double>(g.size(a) - 1) : 0.0;
        lo = lo.cwiseMin(g.physical(ci));
        hi = hi.cwiseMax(g.physical(ci));
    }
    // Half a voxel beyond the outer voxel centres, at least half a millimetre.
    const VecD<D> pad = (0.5 * g.spacing()).cwiseMax(VecD<D>::Constant(0.5));
    return {0.5 * (lo + hi), 0.5 * (hi - lo) + pad};
}

std::string position(const char* axis, double mm) {
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%s = %.1f mm", axis, std::abs(mm) < 0.05 ? 0.0 : mm);
    return buffer;
}

// Quantile q of the finite values picked by keep, from at most about 200,000 voxels.
template <int D, class Keep>
std::optional<double> quantile(const ScalarImage<D>& image, double q, Keep&& keep) {
    std::vector<float> v;
    const Index step = std::max<Index>(1, image.voxel_count() / 200000);
    for (Index i = 0; i < image.voxel_count(); i += step)
        if (std::isfinite(image[i]) && keep(i)) v.push_back(image[i]);
    if (v.empty()) return std::nullopt;
    auto it = v.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), it, v.end());
    return *it;
}

}  // namespace

template <int D>
int SliceView<D>::width() const {
    return std::max(1, static_cast<int>(std::lround(2 * half_u / pixel_mm)));
}

template <int D>
int SliceView<D>::height() const {
    return std::max(1, static_cast<int>(std::lround(2 * half_v / pixel_mm)));
}

template <int D>
VecD<D> SliceView<D>::point(int row, int column) const {
    return centre + u * (-half_u + (column + 0.5) * pixel_mm) + v * (-half_v + (row + 0.5) * pixel_mm);
}

template <int D>
std::vector<SliceView<D>> orthogonal_views(const Grid<D>& grid, const VecD<D>& through, double pixels) {
    const auto [centre, half] = physical_box(grid);
    const double pixel = 2 * half.maxCoeff() / pixels;
    if constexpr (D == 2) {
        return {{"", "", centre, VecD<2>::UnitX(), VecD<2>::UnitY(), half[0], half[1], pixel}};
    } else {
        // LPS: x grows to the patient's left (shown on the right), y to posterior
        // (down in the axial view), z to superior (up). Positions are printed in RAS.
        const VecD<3> x = VecD<3>::UnitX(), y = VecD<3>::UnitY(), z = VecD<3>::UnitZ();
        return {{"axial", position("z", through[2]), {centre[0], centre[1], through[2]}, x, y, half[0], half[1], pixel},
                {"coronal", position("y", -through[1]), {centre[0], through[1], centre[2]}, x, -z, half[0], half[2], pixel},
                {"sagittal", position("x", -through[0]), {through[0], centre[1], centre[2]}, y, -z, half[1], half[2], pixel}};
    }
}

template <int D>
VecD<D> picture_centre(const ScalarImage<D>& image, const ScalarImage<D>* mask) {
    const Grid<D>& g = image.grid();
    double threshold = std::numeric_limits<double>::infinity();
    if (!mask)
        if (const auto top = quantile(image, 0.995, [&](Index i) { return image[i] != 0; })) threshold = 0.1 * *top;
    VecD<D> sum = VecD<D>::Zero();
    double count = 0;
    for (Index i = 0; i < g.voxel_count(); ++i) {
        const bool in = mask ? (*mask)[i] > 0.5f : (std::isfinite(image[i]) && image[i] > threshold);
        if (!in) continue;
        const Size<D> idx = g.index_of(i);
        VecD<D> ci;
        for (int a = 0; a < D; ++a) ci[a] = static_cast<double>(idx[a]);
        sum += g.physical(ci);
        ++count;
    }
    return count > 0 ? VecD<D>(sum / count) : g.center();
}

template <int D>
Slice sample_slice(const ScalarImage<D>& image, const SliceView<D>& view, bool nearest) {
    Slice s{view.width(), view.height(), {}};
    s.values.resize(static_cast<std::size_t>(s.width) * s.height);
    for (int r = 0; r < s.height; ++r)
        for (int c = 0; c < s.width; ++c) {
            const VecD<D> ci = image.grid().continuous_index(view.point(r, c));
            float value = nan;
            const bool in = nearest ? sample_nearest(image, ci, value) : sample_linear(image, ci, value);
            s.values[static_cast<std::size_t>(r) * s.width + c] = in ? value : nan;
        }
    return s;
}

template <int D>
std::pair<Slice, Slice> sample_in_plane(const VectorField<D>& field, const SliceView<D>& view) {
    Slice a{view.width(), view.height(), {}}, b = a;
    a.values.resize(static_cast<std::size_t>(a.width) * a.height);
    b.values.resize(a.values.size());
    for (int r = 0; r < a.height; ++r)
        for (int c = 0; c < a.width; ++c) {
            const VecD<D> ci = field.grid().continuous_index(view.point(r, c));
            Vec<D> d = Vec<D>::Zero();
            const bool in = sample_linear(field, ci, d);
            const std::size_t i = static_cast<std::size_t>(r) * a.width + c;
            a.values[i] = in ? static_cast<float>(d.template cast<double>().dot(view.u)) : nan;
            b.values[i] = in ? static_cast<float>(d.template cast<double>().dot(view.v)) : nan;
        }
    return {std::move(a), std::move(b)};
}

double Window::operator()(double v) const { return std::clamp((v - lo) / std::max(hi - lo, 1e-12), 0.0, 1.0); }

template <int D>
Window robust_window(const ScalarImage<D>& image) {
    const auto lo = quantile(image, 0.01, [&](Index i) { return image[i] != 0; });  // ignore the background
    const auto hi = quantile(image, 0.995, [&](Index i) { return image[i] != 0; });
    if (!lo || !hi) return {};
    const double low = std::min(0.0, *lo);
    return {low, *hi > low ? *hi : low + 1};
}

template <int D>
Window symmetric_window(const ScalarImage<D>& image, const ScalarImage<D>* mask, double floor) {
    ScalarImage<D> magnitude(image.grid());
    for (Index i = 0; i < image.voxel_count(); ++i) magnitude[i] = std::abs(image[i]);
    const auto m = quantile(magnitude, 0.99, [&](Index i) { return !mask || (*mask)[i] > 0.5f; });
    const double limit = std::max(m.value_or(floor), floor);
    return {-limit, limit};
}

Raster colour_slice(const Slice& slice, const Window& window, ColourMap map, double pixel_mm) {
    Raster r(slice.width, slice.height, pixel_mm);
    for (std::size_t i = 0; i < slice.values.size(); ++i)
        r.pixels[i] = std::isfinite(slice.values[i]) ? colour_of(map, window(slice.values[i])) : Rgb{0, 0, 0};
    return r;
}

void draw_edges(Raster& raster, const Slice& of, const Window& window, const Rgb& colour) {
    const int w = of.width, h = of.height;
    if (w < 3 || h < 3) return;
    // Windowed values, smoothed by a 3 x 3 binomial kernel so that noise makes no edges.
    std::vector<double> g(of.values.size()), s(of.values.size(), 0);
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = std::isfinite(of.values[i]) ? window(of.values[i]) : 0.0;
    const auto at = [&](const std::vector<double>& a, int r, int c) {
        return a[static_cast<std::size_t>(std::clamp(r, 0, h - 1)) * w + std::clamp(c, 0, w - 1)];
    };
    for (int r = 0; r < h; ++r)
        for (int c = 0; c < w; ++c) {
            double sum = 0;
            for (int dr = -1; dr <= 1; ++dr)
                for (int dc = -1; dc <= 1; ++dc) sum += (2 - std::abs(dr)) * (2 - std::abs(dc)) * at(g, r + dr, c + dc);
            s[static_cast<std::size_t>(r) * w + c] = sum / 16;
        }
    std::vector<double> gx(s.size(), 0), gy(s.size(), 0), magnitude(s.size(), 0);
    std::vector<double> strengths;
    for (int r = 1; r + 1 < h; ++r)
        for (int c = 1; c + 1 < w; ++c) {
            const std::size_t i = static_cast<std::size_t>(r) * w + c;
            gx[i] = (at(s, r - 1, c + 1) + 2 * at(s, r, c + 1) + at(s, r + 1, c + 1)) -
                    (at(s, r - 1, c - 1) + 2 * at(s, r, c - 1) + at(s, r + 1, c - 1));
            gy[i] = (at(s, r + 1, c - 1) + 2 * at(s, r + 1, c) + at(s, r + 1, c + 1)) -
                    (at(s, r - 1, c - 1) + 2 * at(s, r - 1, c) + at(s, r - 1, c + 1));
            magnitude[i] = std::hypot(gx[i], gy[i]);
            if (magnitude[i] > 1e-3) strengths.push_back(magnitude[i]);
        }
    if (strengths.empty()) return;
    // The strongest fifth of the gradients that are anything at all.
    auto it = strengths.begin() + static_cast<std::ptrdiff_t>(0.8 * static_cast<double>(strengths.size() - 1));
    std::nth_element(strengths.begin(), it, strengths.end());
    const double threshold = *it;
    for (int r = 1; r + 1 < h; ++r)
        for (int c = 1; c + 1 < w; ++c) {
            const std::size_t i = static_cast<std::size_t>(r) * w + c;
            if (magnitude[i] < threshold) continue;
            // Neighbours across the edge, along the gradient rounded to 45 degrees.
            const double angle = std::atan2(gy[i], gx[i]);
            const int octant = static_cast<int>(std::lround(angle / (M_PI / 4))) & 3;  // 0: -, 1: \, 2: |, 3: /
            static constexpr int dr[4] = {0, 1, 1, 1}, dc[4] = {1, 1, 0, -1};
            const double a = at(magnitude, r + dr[octant], c + dc[octant]), b = at(magnitude, r - dr[octant], c - dc[octant]);
            if (magnitude[i] >= a && magnitude[i] >= b) raster.at(r, c) = colour;
        }
}

void draw_contours(Raster& raster, const Slice& labels) {
    const auto label = [&](int r, int c) {
        const float v = labels.at(r, c);
        return std::isfinite(v) ? static_cast<int>(std::lround(v)) : 0;
    };
    for (int r = 0; r < labels.height; ++r)
        for (int c = 0; c < labels.width; ++c) {
            const int l = label(r, c);
            if (l == 0) continue;
            const bool edge = (r > 0 && label(r - 1, c) != l) || (r + 1 < labels.height && label(r + 1, c) != l) ||
                              (c > 0 && label(r, c - 1) != l) || (c + 1 < labels.width && label(r, c + 1) != l);
            if (edge) raster.at(r, c) = label_colour(l);
        }
}

Raster checkerboard(const Raster& a, const Raster& b, int tile) {
    Raster out = a;
    tile = std::max(1, tile);
    for (int r = 0; r < a.height && r < b.height; ++r)
        for (int c = 0; c < a.width && c < b.width; ++c)
            if ((r / tile + c / tile) % 2) out.at(r, c) = b.at(r, c);
    return out;
}

template <int D>
void draw_deformed_grid(Raster& raster, const std::pair<Slice, Slice>& displacement, const SliceView<D>& view,
                        double spacing_mm, const Rgb& colour) {
    // Distance (pixels) of the deformed coordinate to the nearest grid line, drawn as an
    // anti-aliased line one pixel wide.
    const auto coverage = [&](double mm) {
        const double off = std::abs(mm / spacing_mm - std::round(mm / spacing_mm)) * spacing_mm / view.pixel_mm;
        return std::clamp(1.0 - off, 0.0, 1.0);
    };
    for (int r = 0; r < raster.height; ++r)
        for (int c = 0; c < raster.width; ++c) {
            const float du = displacement.first.at(r, c), dv = displacement.second.at(r, c);
            if (!std::isfinite(du) || !std::isfinite(dv)) continue;
            const double pu = -view.half_u + (c + 0.5) * view.pixel_mm + du;
            const double pv = -view.half_v + (r + 0.5) * view.pixel_mm + dv;
            const double a = std::max(coverage(pu), coverage(pv));
            Rgb& p = raster.at(r, c);
            p = {p.r + a * (colour.r - p.r), p.g + a * (colour.g - p.g), p.b + a * (colour.b - p.b)};
        }
}

#define ALINEA_SLICE_VIEW(D)                                                                                        \
    template struct SliceView<D>;                                                                                   \
    template std::vector<SliceView<D>> orthogonal_views<D>(const Grid<D>&, const VecD<D>&, double);                \
    template VecD<D> picture_centre<D>(const ScalarImage<D>&, const ScalarImage<D>*);                              \
    template Slice sample_slice<D>(const ScalarImage<D>&, const SliceView<D>&, bool);                              \
    template std::pair<Slice, Slice> sample_in_plane<D>(const VectorField<D>&, const SliceView<D>&);               \
    template Window robust_window<D>(const ScalarImage<D>&);                                                       \
    template Window symmetric_window<D>(const ScalarImage<D>&, const ScalarImage<D>*, double);                     \
    template void draw_deformed_grid<D>(Raster&, const std::pair<Slice, Slice>&, const SliceView<D>&, double, const Rgb&);
ALINEA_SLICE_VIEW(2)
ALINEA_SLICE_VIEW(3)
#undef ALINEA_SLICE_VIEW

}  // namespace alinea
