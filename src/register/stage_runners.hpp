#pragma once
// The stages as register_images() runs them: each reports through a StageMonitor
// that carries its index in the whole plan.
#include "alinea/deformable_registration.hpp"
#include "alinea/linear_registration.hpp"
#include "pyramid_cache.hpp"
#include "stage_monitor.hpp"

namespace alinea {

template <int D>
Affine<D> run_linear_stage(const RegistrationImages<D>& images, const LinearStage& stage, const Affine<D>& initial,
                           PyramidCache<D>& pyramid, StageMonitor& monitor);

template <int D>
DeformableResult<D> run_deformable_stage(const RegistrationImages<D>& images, const DeformableStage& stage,
                                         const Affine<D>& affine, DeformableStart<D> start, StageMonitor& monitor);

template <int D>
DeformableResult<D> run_bspline_stage(const RegistrationImages<D>& images, const DeformableStage& stage,
                                      const BsplineOptions& options, const Affine<D>& affine,
                                      DeformableStart<D> start, StageMonitor& monitor);

}  // namespace alinea
