#pragma once
// A regular sampling of physical space: a size and an index-to-physical affine.
// Physical space is ITK's LPS, in millimetres. The linear part is a general matrix
// (direction * diag(spacing), possibly sheared), so any NIfTI sform survives.
#include <Eigen/Dense>
#include <array>
#include <cstdint>

namespace alinea {

using Index = std::int64_t;
template <int D> using VecD = Eigen::Matrix<double, D, 1>;
template <int D> using MatD = Eigen::Matrix<double, D, D>;
template <int D> using Size = std::array<Index, D>;

template <int D>
class Grid {
public:
    static_assert(D == 2 || D == 3, "Alinea works in 2-D and 3-D");

    Grid() : Grid(Size<D>{}, MatD<D>::Identity(), VecD<D>::Zero()) { size_.fill(0); }
    // linear: physical = linear * index + origin.
    Grid(const Size<D>& size, const MatD<D>& linear, const VecD<D>& origin);
    // The ITK way of saying it: spacing, origin and direction cosines (columns).
    static Grid from_spacing(const Size<D>& size, const VecD<D>& spacing,
                             const VecD<D>& origin = VecD<D>::Zero(),
                             const MatD<D>& direction = MatD<D>::Identity());

    const Size<D>& size() const { return size_; }
    Index size(int axis) const { return size_[axis]; }
    Index voxel_count() const;
    const MatD<D>& linear() const { return linear_; }
    const MatD<D>& inverse_linear() const { return inverse_; }
    const VecD<D>& origin() const { return origin_; }
    VecD<D> spacing() const;     // column norms of the linear part
    MatD<D> direction() const;   // linear part with unit columns

    VecD<D> physical(const VecD<D>& index) const { return linear_ * index + origin_; }
    VecD<D> continuous_index(const VecD<D>& point) const { return inverse_ * (point - origin_); }
    // Physical centre of the voxel box (the mean of the corner voxel centres).
    VecD<D> center() const;

    // Offset of a voxel in a contiguous buffer (x fastest).
    Index offset(const Size<D>& idx) const {
        Index o = idx[D - 1];
        for (int a = D - 2; a >= 0; --a) o = o * size_[a] + idx[a];
        return o;
    }
    Size<D> index_of(Index offset) const;

    // Same size and the same affine up to tol (relative to the spacing).
    bool same_as(const Grid& other, double tol = 1e-4) const;

private:
    Size<D> size_;
    MatD<D> linear_;
    MatD<D> inverse_;
    VecD<D> origin_;
};

extern template class Grid<2>;
extern template class Grid<3>;

}  // namespace alinea
