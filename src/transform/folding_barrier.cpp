#include "alinea/folding_barrier.hpp"

#include "alinea/parallel.hpp"

#include <limits>
#include <vector>

namespace alinea {

namespace {

// The voxel axis a's difference of u at o and its weights on the two neighbours it
// reads (central inside, one-sided at the border), as in jacobian_determinant.
struct Difference {
    Index minus, plus;  // offsets read: u[plus] - u[minus], times `scale`
    float scale;
};

Difference difference(Index o, Index i, Index n, Index stride) {
    if (n <= 1) return {o, o, 0.0f};
    if (i == 0) return {o, o + stride, 1.0f};
    if (i == n - 1) return {o - stride, o, 1.0f};
    return {o - stride, o + stride, 0.5f};
}

}  // namespace

template <int D>
double folding_barrier(const VectorField<D>& u, const FoldingBarrier& barrier, VectorField<D>* gradient,
                       Index* folded) {
    if (barrier.weight <= 0) return 0;
    const Grid<D>& g = u.grid();
    Index stride[D];
    stride[0] = 1;
    for (int a = 1; a < D; ++a) stride[a] = stride[a - 1] * g.size(a - 1);
    const MatD<D> inverse = g.inverse_linear();  // d index / d x
    const double scale = barrier.weight / static_cast<double>(std::max<Index>(g.voxel_count(), 1));
    // Per row: the penalty and the voxels inside the barrier with dP/d(difference_a).
    // Few voxels are ever inside, so they are kept as a list and scattered serially
    // afterwards, in row order (the result does not depend on the thread count).
    struct Active {
        Index o;
        MatD<D> d_diff;  // column a: dP / d(difference along axis a)
    };
    const Index rows = g.voxel_count() / std::max<Index>(g.size(0), 1);
    std::vector<double> row_penalty(static_cast<size_t>(rows), 0.0);
    std::vector<Index> row_folded(static_cast<size_t>(rows), 0);
    std::vector<std::vector<Active>> row_active(static_cast<size_t>(rows));
    for_each_row(g, [&](Index offset, VecD<D> index) {
        const Index row = offset / g.size(0);
        for (Index x = 0; x < g.size(0); ++x) {
            index[0] = static_cast<double>(x);
            const Index o = offset + x;
            MatD<D> d_index;
            for (int a = 0; a < D; ++a) {
                const Difference d = difference(o, static_cast<Index>(index[a]), g.size(a), stride[a]);
                d_index.col(a) = (d.scale * (u[d.plus] - u[d.minus])).template cast<double>();
            }
            const MatD<D> jac = MatD<D>::Identity() + d_index * inverse;
            const double det = jac.determinant(), gap = barrier.floor - det;
            if (!(gap > 0)) continue;
            row_penalty[static_cast<size_t>(row)] += gap * gap;
            row_folded[static_cast<size_t>(row)] += !(det > 0);
            if (!gradient) continue;
            // dJ/dM is the cofactor matrix; M = I + d_index * inverse.
            MatD<D> cofactor;
            if constexpr (D == 2) cofactor << jac(1, 1), -jac(1, 0), -jac(0, 1), jac(0, 0);
            else
                for (int r = 0; r < 3; ++r)
                    for (int c = 0; c < 3; ++c)
                        cofactor(r, c) = jac((r + 1) % 3, (c + 1) % 3) * jac((r + 2) % 3, (c + 2) % 3) -
                                         jac((r + 1) % 3, (c + 2) % 3) * jac((r + 2) % 3, (c + 1) % 3);
            row_active[static_cast<size_t>(row)].push_back({o, (-2 * scale * gap) * cofactor * inverse.transpose()});
        }
    });
    Index folds = 0;
    for (Index n : row_folded) folds += n;
    if (folded) *folded = folds;
    if (barrier.max_folded >= 0 && folds > barrier.max_folded) return std::numeric_limits<double>::infinity();
    double penalty = 0;
    for (double p : row_penalty) penalty += p;
    if (gradient) {
        for (const std::vector<Active>& active : row_active)
            for (const Active& v : active) {
                const Size<D> idx = g.index_of(v.o);
                for (int a = 0; a < D; ++a) {
                    const Difference d = difference(v.o, idx[a], g.size(a), stride[a]);
                    const Vec<D> w = (d.scale * v.d_diff.col(a)).template cast<float>();
                    (*gradient)[d.plus] += w;
                    (*gradient)[d.minus] -= w;
                }
            }
    }
    return scale * penalty;
}

template double folding_barrier<2>(const VectorField<2>&, const FoldingBarrier&, VectorField<2>*, Index*);
template double folding_barrier<3>(const VectorField<3>&, const FoldingBarrier&, VectorField<3>*, Index*);

}  // namespace alinea
