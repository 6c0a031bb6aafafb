#pragma once
// A barrier against folding for a displacement u on its grid:
//   P(u) = weight * mean_x max(0, floor - J(x))^2,
// J(x) the determinant of x -> x + u(x) from the same central differences as
// jacobian_determinant (one-sided at the border). Zero wherever J >= floor, so it never
// biases volume change where the map is regular (unlike NiftyReg's log(J)^2 over the
// whole image); it only grows, quadratically, as a voxel approaches folding. Used by
// the B-spline model, whose control points are otherwise free to fold the map.
// A finite penalty can still be stepped across (a few voxels folded on real pairs), so
// the barrier can also be a wall: P = +infinity when more voxels than `max_folded` have
// J <= 0, which the line search backs off from (the optimizer never adds a fold).
#include "alinea/image.hpp"

namespace alinea {

struct FoldingBarrier {
    double weight = 0;   // 0: off
    double floor = 0.2;  // determinant below which the barrier acts
    Index max_folded = -1;  // the wall: more voxels with J <= 0 give +infinity; -1: no wall
};

// P(u); with `gradient`, dP/du is added to it (same grid as u, physical units); with
// `folded` (and the barrier on), the number of voxels with J <= 0 is stored there.
template <int D>
double folding_barrier(const VectorField<D>& u, const FoldingBarrier& barrier, VectorField<D>* gradient = nullptr,
                       Index* folded = nullptr);

}  // namespace alinea
