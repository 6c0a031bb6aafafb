#include "alinea/gradient.hpp"

#include "alinea/parallel.hpp"

namespace alinea {

template <int D>
VectorField<D> gradient(const ScalarImage<D>& image) {
    const Grid<D>& grid = image.grid();
    VectorField<D> out(grid, Vec<D>::Zero());
    const Eigen::Matrix<float, D, D> to_physical = grid.inverse_linear().transpose().template cast<float>();
    const float* p = image.data();
    Vec<D>* g = out.data();
    Index stride[D];
    stride[0] = 1;
    for (int a = 1; a < D; ++a) stride[a] = stride[a - 1] * grid.size(a - 1);
    for_each_row(grid, [&](Index offset, VecD<D> index) {
        for (Index x = 0; x < grid.size(0); ++x) {
            index[0] = static_cast<double>(x);
            Vec<D> d;
            for (int a = 0; a < D; ++a) {
                const Index i = static_cast<Index>(index[a]), n = grid.size(a);
                if (n < 2) { d[a] = 0; continue; }
                const Index o = offset + x;
                if (i == 0) d[a] = p[o + stride[a]] - p[o];
                else if (i == n - 1) d[a] = p[o] - p[o - stride[a]];
                else d[a] = 0.5f * (p[o + stride[a]] - p[o - stride[a]]);
            }
            g[offset + x] = to_physical * d;
        }
    });
    return out;
}

template VectorField<2> gradient<2>(const ScalarImage<2>&);
template VectorField<3> gradient<3>(const ScalarImage<3>&);

}  // namespace alinea
