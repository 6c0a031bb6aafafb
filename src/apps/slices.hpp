#pragma once
// Slices of images for pictures: planes through physical space sampled into grey
// values in [0, 1] (or raw values), robust intensity windows, the physical box of a grid.
#include "alinea/interpolate.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace alinea::slices {

// A grey picture of one slice, values in [0, 1].
struct Slice {
    int width = 0, height = 0;
    std::vector<float> pixels;
};

struct Window {
    float lo = 0, hi = 1;
    float operator()(float v) const { return std::clamp((v - lo) / std::max(hi - lo, 1e-12f), 0.0f, 1.0f); }
};

template <int D>
Window robust_window(const ScalarImage<D>& image) {
    std::vector<float> v;
    const Index step = std::max<Index>(1, image.voxel_count() / 200000);
    for (Index i = 0; i < image.voxel_count(); i += step)
        if (std::isfinite(image[i]) && image[i] != 0) v.push_back(image[i]);  // ignore the background
    if (v.empty()) return {};
    auto at = [&](double q) {
        auto it = v.begin() + static_cast<Index>(q * static_cast<double>(v.size() - 1));
        std::nth_element(v.begin(), it, v.end());
        return *it;
    };
    return {std::min(0.0f, at(0.01)), at(0.995)};
}

// Samples a plane through `centre` spanned by physical axes u (columns) and v (rows);
// sample(point, value) says whether the point is inside.
template <class Sample>
Slice plane_slice(Sample&& sample, const VecD<3>& centre, const VecD<3>& u, const VecD<3>& v, double half_u,
                  double half_v, double pixel) {
    Slice s;
    s.width = std::max(1, static_cast<int>(2 * half_u / pixel));
    s.height = std::max(1, static_cast<int>(2 * half_v / pixel));
    s.pixels.resize(static_cast<size_t>(s.width) * s.height);
    for (int r = 0; r < s.height; ++r)
        for (int c = 0; c < s.width; ++c) {
            const VecD<3> p = centre + u * (-half_u + (c + 0.5) * pixel) + v * (-half_v + (r + 0.5) * pixel);
            float value = 0;
            s.pixels[static_cast<size_t>(r) * s.width + c] = sample(p, value) ? value : 0.0f;
        }
    return s;
}

inline Slice physical_slice(const ScalarImage<3>& image, const Window& window, const VecD<3>& centre,
                     const VecD<3>& u, const VecD<3>& v, double half_u, double half_v, double pixel) {
    auto sample = [&](const VecD<3>& p, float& value) {
        const bool in = sample_linear(image, image.grid().continuous_index(p), value) && std::isfinite(value);
        value = window(value);
        return in;
    };
    return plane_slice(sample, centre, u, v, half_u, half_v, pixel);
}

inline Slice label_slice(const ScalarImage<3>& labels, const VecD<3>& centre, const VecD<3>& u, const VecD<3>& v,
                  double half_u, double half_v, double pixel) {
    auto sample = [&](const VecD<3>& p, float& value) {
        return sample_nearest(labels, labels.grid().continuous_index(p), value);
    };
    return plane_slice(sample, centre, u, v, half_u, half_v, pixel);
}

// The physical box of a grid: its centre and half extents along x, y, z.
inline std::pair<VecD<3>, VecD<3>> physical_box(const Grid<3>& g) {
    VecD<3> lo = VecD<3>::Constant(1e300), hi = VecD<3>::Constant(-1e300);
    for (int corner = 0; corner < 8; ++corner) {
        VecD<3> ci;
        for (int a = 0; a < 3; ++a) ci[a] = (corner >> a) & 1 ? static_cast<double>(g.size(a) - 1) : 0.0;
        lo = lo.cwiseMin(g.physical(ci));
        hi = hi.cwiseMax(g.physical(ci));
    }
    return {g.center(), 0.5 * (hi - lo)};
}

inline Slice index_slice(const ScalarImage<2>& image, const Window& window) {
    Slice s{static_cast<int>(image.size()[0]), static_cast<int>(image.size()[1]), {}};
    s.pixels.resize(static_cast<size_t>(image.voxel_count()));
    for (Index i = 0; i < image.voxel_count(); ++i) s.pixels[i] = std::isfinite(image[i]) ? window(image[i]) : 0.0f;
    return s;
}

}  // namespace alinea::slices
