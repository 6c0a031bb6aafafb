#pragma once
// A linear (affine) map of physical space: phi(x) = A x + b, in LPS millimetres.
// As everywhere in Alinea, a registration transform maps fixed points to moving points.
#include "alinea/grid.hpp"

namespace alinea {

template <int D>
struct Affine {
    MatD<D> matrix = MatD<D>::Identity();
    VecD<D> offset = VecD<D>::Zero();

    VecD<D> operator()(const VecD<D>& x) const { return matrix * x + offset; }
    Affine inverse() const {
        const MatD<D> inv = matrix.inverse();
        return {inv, -inv * offset};
    }
    // (this ∘ inner)(x) = this(inner(x))
    Affine after(const Affine& inner) const {
        return {matrix * inner.matrix, matrix * inner.offset + offset};
    }
    // The (D+1)x(D+1) homogeneous matrix.
    Eigen::Matrix<double, D + 1, D + 1> homogeneous() const {
        Eigen::Matrix<double, D + 1, D + 1> h = Eigen::Matrix<double, D + 1, D + 1>::Identity();
        h.template topLeftCorner<D, D>() = matrix;
        h.template topRightCorner<D, 1>() = offset;
        return h;
    }
    static Affine identity() { return {}; }
};

}  // namespace alinea
