#include "alinea/distance_transform.hpp"

#include "alinea/parallel.hpp"

#include <cmath>
#include <limits>
#include <vector>

namespace alinea {

namespace {

// Squared distances along one line: f holds the squared distances so far (or inf), in
// place; w is the squared spacing of the axis. The lower envelope of the parabolas
// w (q - p)^2 + f(p).
void envelope(std::vector<double>& f, double w, std::vector<int>& v, std::vector<double>& z, std::vector<double>& out) {
    const int n = static_cast<int>(f.size());
    constexpr double inf = std::numeric_limits<double>::infinity();
    int k = -1;
    for (int q = 0; q < n; ++q) {
        if (f[q] == inf) continue;
        while (k >= 0) {
            const int p = v[k];
            const double s = ((f[q] + w * q * q) - (f[p] + w * p * p)) / (2 * w * (q - p));
            if (s > z[k]) break;
            --k;
        }
        ++k;
        v[k] = q;
        z[k] = k == 0 ? -inf : ((f[q] + w * q * q) - (f[v[k - 1]] + w * double(v[k - 1]) * v[k - 1])) / (2 * w * (q - v[k - 1]));
        z[k + 1] = inf;
    }
    if (k < 0) return;  // no finite value on this line
    int j = 0;
    for (int q = 0; q < n; ++q) {
        while (z[j + 1] < q) ++j;
        out[q] = w * double(q - v[j]) * (q - v[j]) + f[v[j]];
    }
    f = out;
}

}  // namespace

template <int D>
ScalarImage<D> distance_transform(const ScalarImage<D>& features) {
    const Grid<D>& g = features.grid();
    constexpr double inf = std::numeric_limits<double>::infinity();
    std::vector<double> d(static_cast<std::size_t>(g.voxel_count()));
    for (Index i = 0; i < g.voxel_count(); ++i) d[i] = features[i] > 0.5f ? 0.0 : inf;
    const VecD<D> spacing = g.spacing();
    for (int axis = 0; axis < D; ++axis) {
        Index stride = 1, lines = 1;
        for (int a = 0; a < axis; ++a) stride *= g.size(a);
        for (int a = 0; a < D; ++a) lines *= a == axis ? 1 : g.size(a);
        const Index n = g.size(axis);
        parallel_for(lines, [&](Index line) {
            const Index start = (line / stride) * stride * n + line % stride;  // first voxel of the line
            std::vector<double> f(static_cast<std::size_t>(n)), out(static_cast<std::size_t>(n)), z(static_cast<std::size_t>(n + 1));
            std::vector<int> v(static_cast<std::size_t>(n));
            for (Index q = 0; q < n; ++q) f[q] = d[start + q * stride];
            envelope(f, spacing[axis] * spacing[axis], v, z, out);
            for (Index q = 0; q < n; ++q) d[start + q * stride] = f[q];
        });
    }
    ScalarImage<D> out(g);
    for (Index i = 0; i < g.voxel_count(); ++i) out[i] = static_cast<float>(std::sqrt(d[i]));
    return out;
}

template ScalarImage<2> distance_transform<2>(const ScalarImage<2>&);
template ScalarImage<3> distance_transform<3>(const ScalarImage<3>&);

}  // namespace alinea
