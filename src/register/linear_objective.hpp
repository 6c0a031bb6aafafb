#pragma once
// The objective of a linear stage at one pyramid level: theta -> metric value and its
// analytic gradient, through phi = initial ∘ phi_theta. Samples are fixed-grid voxel
// positions; the moving image is sampled with multilinear interpolation and its exact
// derivative, so the gradient is the true gradient of the value.
#include "alinea/linear_model.hpp"
#include "alinea/linear_registration.hpp"

#include <memory>

namespace alinea {

template <int D>
class LinearObjective {
public:
    // fixed/moving are this level's (smoothed, shrunk) images; masks on their grids.
    LinearObjective(const ScalarImage<D>& fixed, const ScalarImage<D>& moving, const ScalarImage<D>* fixed_mask,
                    const ScalarImage<D>* moving_mask, const MetricOptions& metric, Index max_samples,
                    const LinearParameterization<D>& parameterization, const Affine<D>& initial);

    double operator()(const Parameters& theta, Parameters* gradient) const;
    Index sample_count() const { return static_cast<Index>(fixed_.values.size()); }

private:
    const ScalarImage<D>& moving_;
    const ScalarImage<D>* moving_mask_;
    const LinearParameterization<D>& parameterization_;
    Affine<D> initial_;
    std::vector<Vec<D>> points_;   // physical positions of the samples
    std::vector<std::uint8_t> in_fixed_mask_;
    FixedSamples fixed_;
    std::unique_ptr<Metric> metric_;
    // Scratch, reused between evaluations.
    mutable std::vector<float> values_, derivative_;
    mutable std::vector<Vec<D>> gradients_;
    mutable std::vector<std::uint8_t> valid_;
};

extern template class LinearObjective<2>;
extern template class LinearObjective<3>;

}  // namespace alinea
