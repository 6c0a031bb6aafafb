#pragma once
// Sampling an image at continuous voxel indices. A point is inside when every
// coordinate lies in [0, n-1] (ITK's rule); outside points get a caller's value.
#include "alinea/image.hpp"

#include <cmath>

namespace alinea {

enum class Interpolation { nearest, linear, bspline, label };
Interpolation parse_interpolation(const std::string& name);
std::string to_string(Interpolation interpolation);

namespace detail {
inline constexpr double inside_tolerance = 1e-6;
template <int D, class S>
bool inside(const Size<D>& size, const Eigen::Matrix<S, D, 1>& ci) {
    for (int a = 0; a < D; ++a)
        if (!(ci[a] >= static_cast<S>(-inside_tolerance) &&
              ci[a] <= static_cast<S>(size[a] - 1) + static_cast<S>(inside_tolerance)))
            return false;
    return true;
}
// Lower corner and fraction along one axis, clamped so that corner+1 stays inside.
template <class S>
void cell(S c, Index n, Index& lo, S& frac) {
    if (n == 1) { lo = 0; frac = 0; return; }
    const S f = std::floor(c);
    lo = static_cast<Index>(f);
    frac = c - f;
    if (lo < 0) { lo = 0; frac = 0; }
    if (lo >= n - 1) { lo = n - 2; frac = 1; }
}
}  // namespace detail

// Multilinear interpolation of scalar or vector voxels.
template <class T, int D>
bool sample_linear(const Image<T, D>& image, const VecD<D>& ci, T& out) {
    const Size<D>& n = image.size();
    if (!detail::inside<D>(n, ci)) return false;
    Index lo[D];
    double f[D];
    for (int a = 0; a < D; ++a) detail::cell(ci[a], n[a], lo[a], f[a]);
    const T* p = image.data();
    const Index sx = 1, sy = n[0];
    const Index b = lo[0] + lo[1] * n[0] + (D == 3 ? lo[D - 1] * n[0] * n[1] : 0);
    const Index dx = n[0] > 1 ? sx : 0, dy = n[1] > 1 ? sy : 0;
    auto plane = [&](Index o) {
        const T r0 = p[o] * static_cast<float>(1 - f[0]) + p[o + dx] * static_cast<float>(f[0]);
        const T r1 = p[o + dy] * static_cast<float>(1 - f[0]) + p[o + dy + dx] * static_cast<float>(f[0]);
        return T(r0 * static_cast<float>(1 - f[1]) + r1 * static_cast<float>(f[1]));
    };
    if constexpr (D == 2) {
        out = plane(b);
    } else {
        const Index dz = n[2] > 1 ? n[0] * n[1] : 0;
        out = T(plane(b) * static_cast<float>(1 - f[2]) + plane(b + dz) * static_cast<float>(f[2]));
    }
    return true;
}

// Multilinear value and its exact derivative in continuous-index units. The index may
// be float (the dense models' inner loop: no conversions) or double.
template <int D, class S>
bool sample_linear_with_gradient(const Image<float, D>& image, const Eigen::Matrix<S, D, 1>& ci, float& value,
                                 Vec<D>& grad) {
    const Size<D>& n = image.size();
    if (!detail::inside<D>(n, ci)) return false;
    Index lo[D];
    S fd[D];
    for (int a = 0; a < D; ++a) detail::cell(ci[a], n[a], lo[a], fd[a]);
    const float fx = static_cast<float>(fd[0]), fy = static_cast<float>(fd[1]);
    const float* p = image.data() + lo[0] + lo[1] * n[0] + (D == 3 ? lo[D - 1] * n[0] * n[1] : 0);
    const Index dx = n[0] > 1 ? 1 : 0, dy = n[1] > 1 ? n[0] : 0;
    // Per xy-plane: value, d/dx, d/dy.
    auto plane = [&](const float* q, float& v, float& gx, float& gy) {
        const float a = q[0], b = q[dx], c = q[dy], d = q[dy + dx];
        const float r0 = a + fx * (b - a), r1 = c + fx * (d - c);
        v = r0 + fy * (r1 - r0);
        gx = (b - a) + fy * ((d - c) - (b - a));
        gy = r1 - r0;
    };
    float v0, gx0, gy0;
    plane(p, v0, gx0, gy0);
    if constexpr (D == 2) {
        value = v0;
        grad << gx0, gy0;
    } else {
        const float fz = static_cast<float>(fd[2]);
        const Index dz = n[2] > 1 ? n[0] * n[1] : 0;
        float v1, gx1, gy1;
        plane(p + dz, v1, gx1, gy1);
        value = v0 + fz * (v1 - v0);
        grad << gx0 + fz * (gx1 - gx0), gy0 + fz * (gy1 - gy0), v1 - v0;
    }
    return true;
}

template <class T, int D>
bool sample_nearest(const Image<T, D>& image, const VecD<D>& ci, T& out) {
    const Size<D>& n = image.size();
    if (!detail::inside<D>(n, ci)) return false;
    Size<D> idx;
    for (int a = 0; a < D; ++a)
        idx[a] = std::clamp<Index>(static_cast<Index>(std::lround(ci[a])), 0, n[a] - 1);
    out = image.at(idx);
    return true;
}

// The label with the largest total multilinear weight among the 2^D neighbours:
// smooth label boundaries without inventing labels that are not there.
template <int D>
bool sample_label(const Image<float, D>& labels, const VecD<D>& ci, float& out);

// Cubic B-spline interpolation needs the image's B-spline coefficients first.
template <int D> Image<float, D> bspline_coefficients(const Image<float, D>& image);
template <int D>
bool sample_bspline(const Image<float, D>& coefficients, const VecD<D>& ci, float& out);

// Point sampling with a chosen interpolation, set up once per resampling (the
// B-spline coefficients are computed here). `outside` where the point is outside.
template <int D>
struct Sampler {
    const ScalarImage<D>& input;
    Interpolation interpolation;
    ScalarImage<D> coefficients;  // only for bspline

    Sampler(const ScalarImage<D>& in, Interpolation how) : input(in), interpolation(how) {
        if (how == Interpolation::bspline) coefficients = bspline_coefficients(in);
    }
    float operator()(const VecD<D>& ci, float outside) const {
        float v = outside;
        switch (interpolation) {
            case Interpolation::nearest: sample_nearest(input, ci, v); break;
            case Interpolation::linear: sample_linear(input, ci, v); break;
            case Interpolation::bspline: sample_bspline(coefficients, ci, v); break;
            case Interpolation::label: sample_label(input, ci, v); break;
        }
        return v;
    }
};

}  // namespace alinea
