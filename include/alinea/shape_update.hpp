#pragma once
// The shape update of an atlas: the inverse of the population's mean map, which moves
// the template to the centre of the population. With each subject's map
// template -> subject written psi_i = A_i o exp(v_i),
//     W = exp(-mean v_i) o (log-mean A_i)^-1
// maps the new template to the old one, and the subjects' maps become psi_i o W,
// which average to the identity (to first order).
#include "alinea/communicator.hpp"
#include "alinea/subject_mapping.hpp"

#include <span>

namespace alinea {

// The map W from the updated template to the current one: x -> warp(affine(x)) with
// affine = (mean A_i)^-1 and warp = exp(-mean v_i), on the template grid. Composing
// with W (and with the subjects' warps), fields are extended beyond the grid by their
// border values.
template <int D>
struct ShapeUpdate {
    Affine<D> mean_affine;        // the log-domain mean of the A_i (without rigid part if so chosen)
    VectorField<D> inverse_warp;  // exp(-mean v_i) as a displacement (empty without velocities)
    VecD<D> operator()(const VecD<D>& x) const;
};

// From the subjects' affines and velocity fields (on the template grid; none for a
// linear atlas). Non-diffeomorphic models give displacements, used as velocities
// (their first-order logarithm). With a team of ranks: `affines` are every subject's,
// `velocities` this rank's subjects' only; their mean is an exact sum, the same bytes
// on every rank and for any split.
template <int D>
ShapeUpdate<D> shape_update(std::span<const Affine<D>> affines, std::span<const VectorField<D>> velocities,
                            const Grid<D>& template_grid, bool rigid_update,
                            const Communicator& team = single_process());

// psi o W, as an affine and a warp on the template grid: affine A_i (mean A)^-1 and
// warp x -> mean A (phi_i(W(x))) - x.
template <int D>
SubjectMapping<D> updated_mapping(const SubjectMapping<D>& mapping, const ShapeUpdate<D>& update);

}  // namespace alinea
