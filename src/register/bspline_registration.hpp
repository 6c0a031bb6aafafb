#pragma once
// The B-spline free-form deformation stage (see deformable_registration.hpp).
#include "alinea/deformable_registration.hpp"

namespace alinea {

template <int D>
DeformableResult<D> register_bspline(const RegistrationImages<D>& images, const DeformableStage& stage,
                                     const Affine<D>& affine, RegistrationObserver* observer);

}  // namespace alinea
