#pragma once
// Averages of linear maps for a population (the shape update of an atlas): the mean
// in the log domain, exp(mean_i log H_i) with H the homogeneous matrices, which is the
// identity for a set closed under inversion ({A, A^-1}) and does not depend on the
// order of the maps; and the part of a map that neither rotates nor translates.
#include "alinea/affine.hpp"

#include <span>

namespace alinea {

// Throws alinea::Error on an empty set or a map that reflects or collapses space
// (det <= 0: no real logarithm).
template <int D>
Affine<D> log_mean(std::span<const Affine<D>> maps);

// The symmetric factor S of the polar decomposition of the map's matrix, A = R S (R a
// rotation), acting about `centre`: x -> centre + S (x - centre). What remains of a
// map when its rotation and translation are left out (scaling and shear only).
template <int D>
Affine<D> without_rigid(const Affine<D>& map, const VecD<D>& centre);

}  // namespace alinea
