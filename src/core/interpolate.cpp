#include "alinea/interpolate.hpp"

#include "alinea/error.hpp"
#include "alinea/parallel.hpp"

#include <array>
#include <vector>

namespace alinea {

Interpolation parse_interpolation(const std::string& name) {
    if (name == "nearest" || name == "NearestNeighbor") return Interpolation::nearest;
    if (name == "linear" || name == "Linear") return Interpolation::linear;
    if (name == "bspline" || name == "BSpline" || name == "cubic") return Interpolation::bspline;
    if (name == "label" || name == "GenericLabel" || name == "MultiLabel") return Interpolation::label;
    throw Error("unknown interpolation '" + name + "' (expected nearest, linear, bspline or label)");
}

std::string to_string(Interpolation interpolation) {
    switch (interpolation) {
        case Interpolation::nearest: return "nearest";
        case Interpolation::linear: return "linear";
        case Interpolation::bspline: return "bspline";
        case Interpolation::label: return "label";
    }
    return "?";
}

template <int D>
bool sample_label(const Image<float, D>& labels, const VecD<D>& ci, float& out) {
    const Size<D>& n = labels.size();
    if (!detail::inside<D>(n, ci)) return false;
    Index lo[D];
    double f[D];
    for (int a = 0; a < D; ++a) detail::cell(ci[a], n[a], lo[a], f[a]);
    constexpr int corners = 1 << D;
    std::array<float, corners> value;
    std::array<double, corners> weight;
    for (int c = 0; c < corners; ++c) {
        Size<D> idx;
        double w = 1;
        for (int a = 0; a < D; ++a) {
            const int bit = (c >> a) & 1;
            idx[a] = std::min(lo[a] + bit, n[a] - 1);
            w *= bit ? f[a] : 1 - f[a];
        }
        value[c] = labels.at(idx);
        weight[c] = w;
    }
    // Total weight per distinct label; ties go to the first corner (deterministic).
    double best = -1;
    for (int c = 0; c < corners; ++c) {
        double total = 0;
        for (int k = 0; k < corners; ++k)
            if (value[k] == value[c]) total += weight[k];
        if (total > best + 1e-12) { best = total; out = value[c]; }
    }
    return true;
}

namespace {

// In-place cubic B-spline prefilter of one line with mirror boundaries (Unser 1993):
// a causal and an anti-causal first-order recursion with pole sqrt(3) - 2.
void prefilter_line(float* v, Index n, Index stride) {
    if (n < 2) return;
    const double z = std::sqrt(3.0) - 2.0;
    const double gain = (1 - z) * (1 - 1 / z);
    std::vector<double> c(static_cast<size_t>(n));
    for (Index i = 0; i < n; ++i) c[i] = v[i * stride] * gain;
    // Causal initialisation for the mirrored signal: a truncated sum on long lines
    // (z^30 < 1e-17), the exact closed form on short ones.
    if (n > 30) {
        double sum = c[0], zk = z;
        for (Index k = 1; k < 30; ++k) { sum += zk * c[k]; zk *= z; }
        c[0] = sum;
    } else {
        const double iz = 1 / z;
        double zn = z, z2n = std::pow(z, static_cast<double>(n - 1));
        double sum = c[0] + z2n * c[n - 1];
        z2n *= z2n * iz;
        for (Index k = 1; k <= n - 2; ++k) { sum += (zn + z2n) * c[k]; zn *= z; z2n *= iz; }
        c[0] = sum / (1 - zn * zn);
    }
    for (Index i = 1; i < n; ++i) c[i] += z * c[i - 1];
    c[n - 1] = (z / (z * z - 1)) * (z * c[n - 2] + c[n - 1]);
    for (Index i = n - 2; i >= 0; --i) c[i] = z * (c[i + 1] - c[i]);
    for (Index i = 0; i < n; ++i) v[i * stride] = static_cast<float>(c[i]);
}

inline Index mirror(Index i, Index n) {
    if (n == 1) return 0;
    const Index period = 2 * n - 2;
    i = ((i % period) + period) % period;
    return i < n ? i : period - i;
}

inline void cubic_weights(double t, double w[4]) {
    const double s = 1 - t;
    w[0] = s * s * s / 6;
    w[1] = (4 - 6 * t * t + 3 * t * t * t) / 6;
    w[2] = (1 + 3 * t + 3 * t * t - 3 * t * t * t) / 6;
    w[3] = t * t * t / 6;
}

}  // namespace

template <int D>
Image<float, D> bspline_coefficients(const Image<float, D>& image) {
    Image<float, D> c = image;
    const Size<D>& n = c.size();
    for (int axis = 0; axis < D; ++axis) {
        Index stride = 1;
        for (int a = 0; a < axis; ++a) stride *= n[a];
        const Index lines = c.voxel_count() / n[axis];
        float* data = c.data();
        parallel_for(lines, [&](Index line) {
            // The line's first voxel: split `line` into the index below and above `axis`.
            const Index below = line % stride, above = line / stride;
            prefilter_line(data + below + above * stride * n[axis], n[axis], stride);
        });
    }
    return c;
}

template <int D>
bool sample_bspline(const Image<float, D>& coefficients, const VecD<D>& ci, float& out) {
    const Size<D>& n = coefficients.size();
    if (!detail::inside<D>(n, ci)) return false;
    Index base[D];
    double w[D][4];
    for (int a = 0; a < D; ++a) {
        const double f = std::floor(ci[a]);
        base[a] = static_cast<Index>(f) - 1;
        cubic_weights(ci[a] - f, w[a]);
    }
    const float* p = coefficients.data();
    double sum = 0;
    if constexpr (D == 2) {
        for (int j = 0; j < 4; ++j) {
            const Index y = mirror(base[1] + j, n[1]);
            double row = 0;
            for (int i = 0; i < 4; ++i) row += w[0][i] * p[mirror(base[0] + i, n[0]) + y * n[0]];
            sum += w[1][j] * row;
        }
    } else {
        for (int k = 0; k < 4; ++k) {
            const Index z = mirror(base[2] + k, n[2]);
            double plane = 0;
            for (int j = 0; j < 4; ++j) {
                const Index y = mirror(base[1] + j, n[1]);
                double row = 0;
                for (int i = 0; i < 4; ++i)
                    row += w[0][i] * p[mirror(base[0] + i, n[0]) + (y + z * n[1]) * n[0]];
                plane += w[1][j] * row;
            }
            sum += w[2][k] * plane;
        }
    }
    out = static_cast<float>(sum);
    return true;
}

template bool sample_label<2>(const Image<float, 2>&, const VecD<2>&, float&);
template bool sample_label<3>(const Image<float, 3>&, const VecD<3>&, float&);
template Image<float, 2> bspline_coefficients<2>(const Image<float, 2>&);
template Image<float, 3> bspline_coefficients<3>(const Image<float, 3>&);
template bool sample_bspline<2>(const Image<float, 2>&, const VecD<2>&, float&);
template bool sample_bspline<3>(const Image<float, 3>&, const VecD<3>&, float&);

}  // namespace alinea
