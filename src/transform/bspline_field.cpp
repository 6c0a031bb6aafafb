#include "alinea/bspline_field.hpp"

#include "alinea/displacement.hpp"
#include "alinea/interpolate.hpp"
#include "alinea/parallel.hpp"

#include <array>
#include <cmath>

namespace alinea {

namespace {

void cubic_weights(double t, double w[4]) {
    const double s = 1 - t;
    w[0] = s * s * s / 6;
    w[1] = (4 - 6 * t * t + 3 * t * t * t) / 6;
    w[2] = (1 + 3 * t + 3 * t * t - 3 * t * t * t) / 6;
    w[3] = t * t * t / 6;
}

// The 4^D control points that influence physical point p: first index and weights.
template <int D>
struct Support {
    Size<D> first;
    double w[D][4];
};

template <int D>
Support<D> support(const Grid<D>& control, const VecD<D>& p) {
    Support<D> s;
    const VecD<D> ci = control.continuous_index(p);
    for (int a = 0; a < D; ++a) {
        const double f = std::floor(ci[a]);
        s.first[a] = std::clamp<Index>(static_cast<Index>(f) - 1, 0, control.size(a) - 4);
        cubic_weights(std::clamp(ci[a] - static_cast<double>(s.first[a] + 1), 0.0, 1.0), s.w[a]);
    }
    return s;
}

// Calls fn(offset, weight) for the 4^D control points of a support.
template <int D, class F>
void for_each_weight(const Grid<D>& control, const Support<D>& s, F&& fn) {
    const Index nx = control.size(0), ny = control.size(1);
    if constexpr (D == 2) {
        for (int j = 0; j < 4; ++j)
            for (int i = 0; i < 4; ++i)
                fn((s.first[0] + i) + (s.first[1] + j) * nx, s.w[0][i] * s.w[1][j]);
    } else {
        for (int k = 0; k < 4; ++k)
            for (int j = 0; j < 4; ++j)
                for (int i = 0; i < 4; ++i)
                    fn((s.first[0] + i) + ((s.first[1] + j) + (s.first[2] + k) * ny) * nx,
                       s.w[0][i] * s.w[1][j] * s.w[2][k]);
    }
}

}  // namespace

template <int D>
Grid<D> control_grid(const Grid<D>& image, double spacing_mm) {
    const MatD<D> linear = image.direction() * spacing_mm;
    Size<D> size;
    const VecD<D> spacing = image.spacing();
    for (int a = 0; a < D; ++a) {
        const double extent = static_cast<double>(std::max<Index>(image.size(a) - 1, 0)) * spacing[a];
        size[a] = static_cast<Index>(std::ceil(extent / spacing_mm)) + 4;
    }
    return Grid<D>(size, linear, image.origin() - linear * VecD<D>::Ones());
}

template <int D>
VectorField<D> bspline_displacement(const VectorField<D>& c, const Grid<D>& grid) {
    VectorField<D> u(grid);
    for_each_row(grid, [&](Index offset, VecD<D> index) {
        for (Index x = 0; x < grid.size(0); ++x) {
            index[0] = static_cast<double>(x);
            const Support<D> s = support(c.grid(), grid.physical(index));
            Eigen::Matrix<double, D, 1> sum = Eigen::Matrix<double, D, 1>::Zero();
            for_each_weight(c.grid(), s, [&](Index k, double w) { sum += w * c[k].template cast<double>(); });
            u[offset + x] = sum.template cast<float>();
        }
    });
    return u;
}

template <int D>
VectorField<D> bspline_adjoint(const VectorField<D>& dense, const Grid<D>& control) {
    // Scatter into one partial grid per fixed chunk of rows, then add the partials in
    // chunk order: deterministic whatever the thread count.
    const Grid<D>& grid = dense.grid();
    const Index rows = grid.voxel_count() / grid.size(0);
    constexpr Index chunks = 16;
    std::vector<std::vector<Eigen::Matrix<double, D, 1>>> partial(
        chunks, std::vector<Eigen::Matrix<double, D, 1>>(static_cast<size_t>(control.voxel_count()),
                                                         Eigen::Matrix<double, D, 1>::Zero()));
    parallel_for(chunks, [&](Index c) {
        auto& acc = partial[c];
        for (Index row = c * rows / chunks; row < (c + 1) * rows / chunks; ++row) {
            VecD<D> index = VecD<D>::Zero();
            index[1] = static_cast<double>(row % grid.size(1));
            if constexpr (D == 3) index[2] = static_cast<double>(row / grid.size(1));
            for (Index x = 0; x < grid.size(0); ++x) {
                index[0] = static_cast<double>(x);
                const Eigen::Matrix<double, D, 1> g = dense[row * grid.size(0) + x].template cast<double>();
                if (g.isZero()) continue;
                const Support<D> s = support(control, grid.physical(index));
                for_each_weight(control, s, [&](Index k, double w) { acc[k] += w * g; });
            }
        }
    });
    VectorField<D> out(control);
    parallel_for(control.voxel_count(), [&](Index k) {
        Eigen::Matrix<double, D, 1> sum = Eigen::Matrix<double, D, 1>::Zero();
        for (Index c = 0; c < chunks; ++c) sum += partial[c][k];
        out[k] = sum.template cast<float>();
    });
    return out;
}

template <int D>
VectorField<D> fit_coefficients(const VectorField<D>& dense, const Grid<D>& control) {
    const VectorField<D> samples = resample_field(dense, control);
    VectorField<D> out(control);
    for (int a = 0; a < D; ++a) {
        ScalarImage<D> component(control);
        for (Index k = 0; k < control.voxel_count(); ++k) component[k] = samples[k][a];
        const ScalarImage<D> c = bspline_coefficients(component);
        for (Index k = 0; k < control.voxel_count(); ++k) out[k][a] = c[k];
    }
    return out;
}

template <int D>
double bending_penalty(const VectorField<D>& c, double weight, VectorField<D>* gradient) {
    if (weight <= 0) return 0;
    const Grid<D>& g = c.grid();
    Index stride[D];
    stride[0] = 1;
    for (int a = 1; a < D; ++a) stride[a] = stride[a - 1] * g.size(a - 1);
    double energy = 0;
    // Second differences at interior control points, along each axis (sum of squares).
    for (Index k = 0; k < g.voxel_count(); ++k) {
        const Size<D> idx = g.index_of(k);
        for (int a = 0; a < D; ++a) {
            if (idx[a] == 0 || idx[a] == g.size(a) - 1) continue;
            const Vec<D> d2 = c[k + stride[a]] - 2 * c[k] + c[k - stride[a]];
            energy += d2.squaredNorm();
            if (gradient) {
                const Vec<D> gd = static_cast<float>(2 * weight) * d2;
                (*gradient)[k + stride[a]] += gd;
                (*gradient)[k] -= 2 * gd;
                (*gradient)[k - stride[a]] += gd;
            }
        }
    }
    return weight * energy;
}

template Grid<2> control_grid<2>(const Grid<2>&, double);
template Grid<3> control_grid<3>(const Grid<3>&, double);
template VectorField<2> bspline_displacement<2>(const VectorField<2>&, const Grid<2>&);
template VectorField<3> bspline_displacement<3>(const VectorField<3>&, const Grid<3>&);
template VectorField<2> bspline_adjoint<2>(const VectorField<2>&, const Grid<2>&);
template VectorField<3> bspline_adjoint<3>(const VectorField<3>&, const Grid<3>&);
template VectorField<2> fit_coefficients<2>(const VectorField<2>&, const Grid<2>&);
template VectorField<3> fit_coefficients<3>(const VectorField<3>&, const Grid<3>&);
template double bending_penalty<2>(const VectorField<2>&, double, VectorField<2>*);
template double bending_penalty<3>(const VectorField<3>&, double, VectorField<3>*);

}  // namespace alinea
