#include "alinea/displacement.hpp"

#include "alinea/interpolate.hpp"
#include "alinea/parallel.hpp"
#include "alinea/pyramid.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace alinea {

namespace {

// Multilinear interpolation of a vector field at a continuous index already inside
// [0, n-1] on every axis (the compositions clamp it): float arithmetic, no bounds test.
// Compositions are the exponential's inner loop: sample_linear (double index, bounds
// test) was 12 % of the 1 mm benchmark's samples there before.
template <int D>
Vec<D> interpolate_inside(const VectorField<D>& field, const Vec<D>& ci) {
    const Size<D>& n = field.size();
    Index lo[D];
    float w[D];
    for (int a = 0; a < D; ++a) {
        lo[a] = n[a] > 1 ? std::min(static_cast<Index>(ci[a]), n[a] - 2) : 0;  // ci >= 0: truncation is floor
        w[a] = n[a] > 1 ? ci[a] - static_cast<float>(lo[a]) : 0.0f;
    }
    const Index dx = n[0] > 1 ? 1 : 0, dy = n[1] > 1 ? n[0] : 0;
    const Vec<D>* p = field.data() + lo[0] + lo[1] * n[0];
    const auto plane = [&](const Vec<D>* q) {
        const Vec<D> r0 = q[0] + w[0] * (q[dx] - q[0]), r1 = q[dy] + w[0] * (q[dy + dx] - q[dy]);
        return Vec<D>(r0 + w[1] * (r1 - r0));
    };
    if constexpr (D == 2) {
        return plane(p);
    } else {
        const Index dz = n[2] > 1 ? n[0] * n[1] : 0;
        const Vec<D>* q = p + lo[2] * n[0] * n[1];
        const Vec<D> a = plane(q), b = plane(q + dz);
        return Vec<D>(a + w[2] * (b - a));
    }
}

// Calls fn(offset, (outer ∘ inner)(x) - x) for every voxel x of inner's grid, rows in
// parallel. The point x + inner(x) is mapped to outer's continuous index by one affine
// map per row (index -> index) plus the displacement through outer's inverse linear
// part, in float: this is the inner loop of scaling and squaring.
template <int D, class F>
void for_each_composed(const VectorField<D>& outer, const VectorField<D>& inner, F&& fn) {
    const Grid<D>& g = inner.grid();
    const Grid<D>& og = outer.grid();
    const Eigen::Matrix<float, D, D> to_outer = og.inverse_linear().template cast<float>();
    const MatD<D> index_map = og.inverse_linear() * g.linear();
    const VecD<D> index_offset = og.inverse_linear() * (g.origin() - og.origin());
    Vec<D> upper;
    for (int a = 0; a < D; ++a) upper[a] = static_cast<float>(og.size(a) - 1);
    for_each_row(g, [&](Index offset, const VecD<D>& row) {
        const Vec<D> start = (index_map * row + index_offset).template cast<float>();
        const Vec<D> step = index_map.col(0).template cast<float>();
        for (Index x = 0; x < g.size(0); ++x) {
            const Vec<D> a = inner[offset + x];
            Vec<D> ci = start + static_cast<float>(x) * step + to_outer * a;
            ci = ci.cwiseMax(Vec<D>::Zero()).cwiseMin(upper);  // border values outside
            fn(offset + x, Vec<D>(a + interpolate_inside(outer, ci)));
        }
    });
}

}  // namespace

// out = outer ∘ inner on inner's grid, into a field of the right size.
template <int D>
void compose_into(VectorField<D>& out, const VectorField<D>& outer, const VectorField<D>& inner) {
    for_each_composed(outer, inner, [&](Index i, const Vec<D>& u) { out[i] = u; });
}

template <int D>
VectorField<D> compose(const VectorField<D>& outer, const VectorField<D>& inner) {
    VectorField<D> out(inner.grid());
    compose_into(out, outer, inner);
    return out;
}

template <int D>
double max_norm(const VectorField<D>& field) {
    // The largest squared norm per block, then across blocks: the same value whatever the threads.
    constexpr Index block = Index(1) << 16;
    const Index n = field.voxel_count(), blocks = (n + block - 1) / block;
    std::vector<float> largest(static_cast<std::size_t>(blocks), 0.0f);
    parallel_for(blocks, [&](Index b) {
        float m = 0;
        for (Index i = b * block; i < std::min(n, (b + 1) * block); ++i) m = std::max(m, field[i].squaredNorm());
        largest[static_cast<std::size_t>(b)] = m;
    });
    float m = 0;
    for (const float v : largest) m = std::max(m, v);
    return std::sqrt(static_cast<double>(m));
}

template <int D>
VectorField<D> exponential(const VectorField<D>& velocity, int squarings) {
    if (squarings < 0) {
        const double half_voxel = 0.5 * velocity.grid().spacing().minCoeff();
        const double m = max_norm(velocity);
        squarings = m > half_voxel ? static_cast<int>(std::ceil(std::log2(m / half_voxel))) : 0;
        squarings = std::clamp(squarings + 1, 1, 20);
    }
    VectorField<D> u = velocity;
    const float scale = std::ldexp(1.0f, -squarings);
    for (Vec<D>& v : u.voxels()) v *= scale;
    VectorField<D> scratch(u.grid());
    for (int k = 0; k < squarings; ++k) {
        compose_into(scratch, u, u);
        std::swap(u, scratch);
    }
    return u;
}

template <int D>
void two_scale_exponential(const VectorField<D>& v, float s, VectorField<D>& out) {
    const Grid<D>& grid = v.grid();
    const VectorField<D> coarse = resample_field(v, shrink_grid(grid, 2));
    VectorField<D> remainder = coarse;
    parallel_for(remainder.voxel_count(), [&](Index i) { remainder[i] *= s; });
    remainder = exponential(remainder);
    // exp(s c) - s c, interpolated (interpolation is linear: the same as the difference
    // of the interpolated fields), plus s v at full resolution.
    parallel_for(remainder.voxel_count(), [&](Index i) { remainder[i] -= s * coarse[i]; });
    if (!out.grid().same_as(grid)) out = VectorField<D>(grid);
    resample_field_into(out, remainder);
    parallel_for(out.voxel_count(), [&](Index i) { out[i] += s * v[i]; });
}

template <int D>
VectorField<D> invert(const VectorField<D>& displacement, int iterations, double* mean_residual) {
    VectorField<D> w(displacement.grid());
    for (Vec<D>& v : w.voxels()) v.setZero();
    for (int k = 0; k < iterations; ++k) {
        VectorField<D> next(w.grid());
        // -u(x + w(x)) = w(x) - (u ∘ w)(x) + x.
        for_each_composed(displacement, w, [&](Index i, const Vec<D>& composed) { next[i] = w[i] - composed; });
        w = std::move(next);
    }
    if (mean_residual) *mean_residual = inverse_residual(displacement, w);
    return w;
}

template <int D>
double inverse_residual(const VectorField<D>& displacement, const VectorField<D>& inverse) {
    // |u(x + w(x)) + w(x)| is the length of (u ∘ w)(x) - x; summed per row, then rows in order.
    const Grid<D>& g = inverse.grid();
    const Index width = std::max<Index>(g.size(0), 1);
    std::vector<double> row_sum(static_cast<std::size_t>(g.voxel_count() / width), 0.0);
    for_each_composed(displacement, inverse, [&](Index i, const Vec<D>& r) {
        row_sum[static_cast<std::size_t>(i / width)] += r.norm();
    });
    double sum = 0;
    for (const double s : row_sum) sum += s;
    return sum / static_cast<double>(std::max<Index>(g.voxel_count(), 1));
}

namespace {

// Axis-aligned grids (a diagonal index map, as between pyramid levels): multilinear
// interpolation is separable, so each output row blends its 2^(D-1) input rows once
// with the row's own y (and z) weights, then interpolates along x with weights found
// once for all rows. No per-voxel index arithmetic and half the loads of a gather.
template <int D>
void resample_axis_aligned(VectorField<D>& out, const VectorField<D>& field, const VecD<D>& scale,
                           const VecD<D>& offset) {
    const Grid<D>& g = out.grid();
    const Size<D>& n = field.size();
    const auto axis_cell = [&](int a, Index i, Index& lo, float& w) {
        const double c = std::clamp(scale[a] * static_cast<double>(i) + offset[a], 0.0,
                                    static_cast<double>(n[a] - 1));
        double f;
        detail::cell(c, n[a], lo, f);
        w = static_cast<float>(f);
    };
    const Index width = g.size(0);
    const Index dx = n[0] > 1 ? 1 : 0, dy = n[1] > 1 ? n[0] : 0;
    std::vector<Index> xlo(static_cast<size_t>(width));
    std::vector<float> xw(static_cast<size_t>(width));
    for (Index x = 0; x < width; ++x) axis_cell(0, x, xlo[static_cast<size_t>(x)], xw[static_cast<size_t>(x)]);
    const auto [first, last] = std::minmax_element(xlo.begin(), xlo.end());
    const Index x0 = *first, x1 = *last + dx;  // the input columns the row needs
    for_each_row(g, [&](Index row_offset, const VecD<D>& row) {
        thread_local std::vector<Vec<D>> blended;
        blended.resize(static_cast<size_t>(n[0]));
        Index ylo;
        float wy;
        axis_cell(1, static_cast<Index>(row[1]), ylo, wy);
        const Vec<D>* p = field.data() + ylo * n[0];
        if constexpr (D == 3) {
            Index zlo;
            float wz;
            axis_cell(2, static_cast<Index>(row[2]), zlo, wz);
            p += zlo * n[0] * n[1];
            const Index dz = n[2] > 1 ? n[0] * n[1] : 0;
            for (Index x = x0; x <= x1; ++x) {
                const Vec<D> r0 = p[x] * (1 - wy) + p[x + dy] * wy;
                const Vec<D> r1 = p[x + dz] * (1 - wy) + p[x + dz + dy] * wy;
                blended[static_cast<size_t>(x)] = r0 * (1 - wz) + r1 * wz;
            }
        } else {
            for (Index x = x0; x <= x1; ++x) blended[static_cast<size_t>(x)] = p[x] * (1 - wy) + p[x + dy] * wy;
        }
        for (Index x = 0; x < width; ++x) {
            const size_t s = static_cast<size_t>(x);
            const size_t lo = static_cast<size_t>(xlo[s]);
            out[row_offset + x] = blended[lo] * (1 - xw[s]) + blended[lo + static_cast<size_t>(dx)] * xw[s];
        }
    });
}

}  // namespace

template <int D>
void resample_field_into(VectorField<D>& out, const VectorField<D>& field) {
    // Linear, with points outside the field clamped to its border; the index map is done
    // once per row (the grids' affines compose into one index -> index map).
    const Grid<D>& grid = out.grid();
    const Grid<D>& fg = field.grid();
    const MatD<D> index_map = fg.inverse_linear() * grid.linear();
    const VecD<D> index_offset = fg.inverse_linear() * (grid.origin() - fg.origin());
    const MatD<D> off_diagonal = index_map - MatD<D>(index_map.diagonal().asDiagonal());
    if (off_diagonal.cwiseAbs().maxCoeff() <= 1e-9 * index_map.cwiseAbs().maxCoeff())
        return resample_axis_aligned(out, field, VecD<D>(index_map.diagonal()), index_offset);
    VecD<D> upper;
    for (int a = 0; a < D; ++a) upper[a] = static_cast<double>(fg.size(a) - 1);
    for_each_row(grid, [&](Index offset, const VecD<D>& row) {
        const VecD<D> start = index_map * row + index_offset;
        for (Index x = 0; x < grid.size(0); ++x) {
            const VecD<D> ci = (start + static_cast<double>(x) * index_map.col(0)).cwiseMax(VecD<D>::Zero()).cwiseMin(upper);
            sample_linear(field, ci, out[offset + x]);
        }
    });
}

template <int D>
VectorField<D> resample_field(const VectorField<D>& field, const Grid<D>& grid) {
    VectorField<D> out(grid);
    resample_field_into(out, field);
    return out;
}

template <int D>
ScalarImage<D> jacobian_determinant(const VectorField<D>& u) {
    const Grid<D>& g = u.grid();
    ScalarImage<D> det(g);
    Index stride[D];
    stride[0] = 1;
    for (int a = 1; a < D; ++a) stride[a] = stride[a - 1] * g.size(a - 1);
    for_each_row(g, [&](Index offset, VecD<D> index) {
        for (Index x = 0; x < g.size(0); ++x) {
            index[0] = static_cast<double>(x);
            const Index o = offset + x;
            // Columns: derivative of u along each voxel axis (one-sided at the border).
            MatD<D> d_index;
            for (int a = 0; a < D; ++a) {
                const Index i = static_cast<Index>(index[a]), n = g.size(a);
                Vec<D> diff = Vec<D>::Zero();
                if (n > 1) {
                    if (i == 0) diff = u[o + stride[a]] - u[o];
                    else if (i == n - 1) diff = u[o] - u[o - stride[a]];
                    else diff = 0.5f * (u[o + stride[a]] - u[o - stride[a]]);
                }
                d_index.col(a) = diff.template cast<double>();
            }
            // du/dx = du/dindex * dindex/dx.
            const MatD<D> jac = MatD<D>::Identity() + d_index * g.inverse_linear();
            det[o] = static_cast<float>(jac.determinant());
        }
    });
    return det;
}

template VectorField<2> compose<2>(const VectorField<2>&, const VectorField<2>&);
template VectorField<3> compose<3>(const VectorField<3>&, const VectorField<3>&);
template VectorField<2> exponential<2>(const VectorField<2>&, int);
template VectorField<3> exponential<3>(const VectorField<3>&, int);
template void two_scale_exponential<2>(const VectorField<2>&, float, VectorField<2>&);
template void two_scale_exponential<3>(const VectorField<3>&, float, VectorField<3>&);
template VectorField<2> invert<2>(const VectorField<2>&, int, double*);
template VectorField<3> invert<3>(const VectorField<3>&, int, double*);
template double inverse_residual<2>(const VectorField<2>&, const VectorField<2>&);
template double inverse_residual<3>(const VectorField<3>&, const VectorField<3>&);
template VectorField<2> resample_field<2>(const VectorField<2>&, const Grid<2>&);
template void resample_field_into<2>(VectorField<2>&, const VectorField<2>&);
template void resample_field_into<3>(VectorField<3>&, const VectorField<3>&);
template VectorField<3> resample_field<3>(const VectorField<3>&, const Grid<3>&);
template ScalarImage<2> jacobian_determinant<2>(const VectorField<2>&);
template ScalarImage<3> jacobian_determinant<3>(const VectorField<3>&);

template <int D>
void take_log_of_determinant(ScalarImage<D>& det) {
    parallel_for(det.voxel_count(), [&](Index i) {
        det[i] = static_cast<float>(std::log(std::max(static_cast<double>(det[i]), log_determinant_floor)));
    });
}

template void take_log_of_determinant<2>(ScalarImage<2>&);
template void take_log_of_determinant<3>(ScalarImage<3>&);
template double max_norm<2>(const VectorField<2>&);
template double max_norm<3>(const VectorField<3>&);

}  // namespace alinea
