#pragma once
// The exact Euclidean distance transform (Felzenszwalb and Huttenlocher's lower
// envelope of parabolas, one pass per axis, linear time): for every voxel, the
// distance in mm to the nearest voxel where `features` > 0.5, with the grid's spacing
// per axis (axes taken as orthogonal). Infinity when there is no feature voxel.
#include "alinea/image.hpp"

namespace alinea {

template <int D>
ScalarImage<D> distance_transform(const ScalarImage<D>& features);

}  // namespace alinea
