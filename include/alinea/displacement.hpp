#pragma once
// Dense displacement and velocity fields on a grid, in LPS millimetres: a field u
// stands for the map phi(x) = x + u(x) (ITK/ANTs convention). The operations here
// extend a field beyond its grid by its border values (so that compositions do not
// fold at the border); a DisplacementField in a transform chain is zero outside.
#include "alinea/image.hpp"

namespace alinea {

// (outer ∘ inner): x -> x + inner(x) + outer(x + inner(x)), on inner's grid.
template <int D>
VectorField<D> compose(const VectorField<D>& outer, const VectorField<D>& inner);

// The exponential of a stationary velocity field by scaling and squaring: v / 2^N,
// then N self-compositions. squarings < 0 picks N so that the scaled field moves no
// point by more than half a voxel.
template <int D>
VectorField<D> exponential(const VectorField<D>& velocity, int squarings = -1);

// exp(s v) for a smooth v on a large grid at a fraction of scaling and squaring's cost:
// the coarse part c of v (on shrink_grid(grid, 2)) is exponentiated there, and the fine
// remainder s (v - c) is added as it is (its own flow to first order):
// u = exp(s c) - s c, interpolated, + s v. Exact (to interpolation) for the coarse part;
// the fine part is right while it varies little along the displacement, as in a
// registration's finest level, not where detail at the scale of a few voxels is moved
// further than that. Into `out` (on v's grid; reused if it is).
template <int D>
void two_scale_exponential(const VectorField<D>& v, float s, VectorField<D>& out);

// Inverse of x + u(x) by the fixed-point iteration w(x) = -u(x + w(x)) (for fields
// that are not exponentials). Returns the mean residual |u(x + w) + w| in mm.
template <int D>
VectorField<D> invert(const VectorField<D>& displacement, int iterations, double* mean_residual = nullptr);

// Mean |u(x + w(x)) + w(x)| over w's grid (mm): how far w is from inverting u.
template <int D>
double inverse_residual(const VectorField<D>& displacement, const VectorField<D>& inverse);

// A field resampled onto another grid (linear; points outside the field's grid take
// the value at the nearest border point, so upsampling keeps the borders).
template <int D>
VectorField<D> resample_field(const VectorField<D>& field, const Grid<D>& grid);
// The same into `out`, whose grid is the target (no allocation: iterations reuse it).
template <int D>
void resample_field_into(VectorField<D>& out, const VectorField<D>& field);

// det(I + du/dx) at every voxel (central differences, physical units).
template <int D>
ScalarImage<D> jacobian_determinant(const VectorField<D>& displacement);

// log(det) in place. Where the field folds (det <= 0) the log is -infinity or undefined:
// those voxels get log(1e-6) instead, so that the map stays finite for viewers and
// statistics.
inline constexpr double log_determinant_floor = 1e-6;
template <int D>
void take_log_of_determinant(ScalarImage<D>& determinant);

// The largest displacement length (mm).
template <int D>
double max_norm(const VectorField<D>& field);

}  // namespace alinea
