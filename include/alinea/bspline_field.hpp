#pragma once
// A cubic B-spline free-form deformation: displacement coefficients on a control grid
// (same orientation as the image grid, spacing in mm), u(x) = sum_k c_k B(x/h - k).
// The control grid reaches one control point beyond the image on every side, so the
// cubic support covers every voxel.
#include "alinea/image.hpp"

namespace alinea {

// The control grid for `image` with control point spacing `spacing_mm`.
template <int D>
Grid<D> control_grid(const Grid<D>& image, double spacing_mm);

// The dense displacement the coefficients stand for, on `grid`.
template <int D>
VectorField<D> bspline_displacement(const VectorField<D>& coefficients, const Grid<D>& grid);

// The adjoint of bspline_displacement: dM/dc_k = sum_x B(x/h - k) dM/du(x).
template <int D>
VectorField<D> bspline_adjoint(const VectorField<D>& dense, const Grid<D>& control);

// Coefficients on `control` whose B-spline interpolates `dense` at the control points
// (used to refine a control grid between pyramid levels).
template <int D>
VectorField<D> fit_coefficients(const VectorField<D>& dense, const Grid<D>& control);

// Bending-like penalty: sum over control points of |discrete Laplacian of c|^2 (mm^2),
// its gradient added to *gradient scaled by weight; returns the penalty.
template <int D>
double bending_penalty(const VectorField<D>& coefficients, double weight, VectorField<D>* gradient);

}  // namespace alinea
