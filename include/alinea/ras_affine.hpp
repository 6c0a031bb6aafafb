#pragma once
// A grid as the 4x4 voxel -> RAS matrix that nibabel calls img.affine (NIfTI's world
// convention: x to the right, y anterior, z superior), and back. Alinea's grids are
// LPS (ITK's): the two differ by the sign of the first two rows, so both ways are exact.
// A 2-D grid is the plane z = 0 with a unit z axis (the third row and column of the
// identity).
#include "alinea/grid.hpp"

namespace alinea {

Eigen::Matrix4d ras_affine(const Grid<3>& grid);
Eigen::Matrix4d ras_affine(const Grid<2>& grid);

// Throws alinea::Error for a matrix that is not affine (last row other than 0 0 0 1),
// not finite or not invertible, and, for D == 2, one that mixes z into the plane.
template <int D>
Grid<D> grid_from_ras_affine(const Size<D>& size, const Eigen::Matrix4d& ras);

}  // namespace alinea
