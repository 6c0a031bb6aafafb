#pragma once
// The cheaper variant of a linear stage's objective: the integral over the fixed
// grid rewritten over the moving grid by the substitution y = phi(x). Samples are
// moving voxels, so the moving image and its gradient are needed only at grid points
// (the gradient precomputed once, no interpolation), and the fixed image is pulled
// back through phi^-1 (one interpolation of a value). The gradient is the same
// chain rule, dM/dtheta = sum_y dM/dt(y) grad T(y) d phi/d theta (phi^-1(y)); the
// constant 1/|det A| of the substitution is absorbed in the step.
#include "alinea/linear_model.hpp"
#include "alinea/linear_registration.hpp"

namespace alinea {

template <int D>
class MovingGridObjective {
public:
    MovingGridObjective(const ScalarImage<D>& fixed, const ScalarImage<D>& moving, const ScalarImage<D>* fixed_mask,
                        const ScalarImage<D>* moving_mask, const MetricOptions& metric, Index max_samples,
                        const LinearParameterization<D>& parameterization, const Affine<D>& initial);

    double operator()(const Parameters& theta, Parameters* gradient) const;
    Index sample_count() const { return static_cast<Index>(points_.size()); }

private:
    const ScalarImage<D>& fixed_;
    const ScalarImage<D>* fixed_mask_;
    MetricOptions metric_;
    const LinearParameterization<D>& parameterization_;
    Affine<D> initial_;
    std::pair<float, float> moving_range_;
    std::vector<Vec<D>> points_;     // moving voxel positions y
    std::vector<Vec<D>> gradients_;  // grad T(y), physical
    std::vector<float> moving_values_;
    std::vector<std::uint8_t> in_moving_mask_;
    std::optional<Size<3>> dense_shape_;
    mutable FixedSamples pulled_back_;  // R(phi^-1(y)), refreshed by each evaluation
    mutable std::vector<std::uint8_t> valid_;
    mutable std::vector<float> derivative_;
};

extern template class MovingGridObjective<2>;
extern template class MovingGridObjective<3>;

}  // namespace alinea
