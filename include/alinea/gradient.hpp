#pragma once
// Image gradient in physical units (per mm, LPS): central differences along the
// voxel axes (one-sided at the border), mapped through the inverse-transpose of the
// grid's linear part so that oblique and sheared grids get the true gradient.
#include "alinea/image.hpp"

namespace alinea {

template <int D> VectorField<D> gradient(const ScalarImage<D>& image);

}  // namespace alinea
