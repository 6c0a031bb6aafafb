#include "alinea/grid.hpp"

#include <stdexcept>

namespace alinea {

template <int D>
Grid<D>::Grid(const Size<D>& size, const MatD<D>& linear, const VecD<D>& origin)
    : size_(size), linear_(linear), origin_(origin) {
    for (Index s : size_)
        if (s < 0) throw std::invalid_argument("Grid: negative size");
    Eigen::FullPivLU<MatD<D>> lu(linear_);
    if (!lu.isInvertible() || !linear_.allFinite())
        throw std::invalid_argument("Grid: the index-to-physical matrix is singular or not finite");
    inverse_ = lu.inverse();
}

template <int D>
Grid<D> Grid<D>::from_spacing(const Size<D>& size, const VecD<D>& spacing, const VecD<D>& origin,
                              const MatD<D>& direction) {
    return Grid(size, direction * spacing.asDiagonal(), origin);
}

template <int D>
Index Grid<D>::voxel_count() const {
    Index n = 1;
    for (Index s : size_) n *= s;
    return n;
}

template <int D>
VecD<D> Grid<D>::spacing() const {
    return linear_.colwise().norm().transpose();
}

template <int D>
MatD<D> Grid<D>::direction() const {
    return linear_ * spacing().cwiseInverse().asDiagonal();
}

template <int D>
VecD<D> Grid<D>::center() const {
    VecD<D> mid;
    for (int a = 0; a < D; ++a) mid[a] = 0.5 * static_cast<double>(size_[a] - 1);
    return physical(mid);
}

template <int D>
Size<D> Grid<D>::index_of(Index offset) const {
    Size<D> idx;
    for (int a = 0; a < D; ++a) {
        idx[a] = offset % size_[a];
        offset /= size_[a];
    }
    return idx;
}

template <int D>
bool Grid<D>::same_as(const Grid& other, double tol) const {
    if (size_ != other.size_) return false;
    const double scale = spacing().minCoeff();
    return (linear_ - other.linear_).cwiseAbs().maxCoeff() <= tol * scale &&
           (origin_ - other.origin_).cwiseAbs().maxCoeff() <= tol * scale;
}

template class Grid<2>;
template class Grid<3>;

}  // namespace alinea
