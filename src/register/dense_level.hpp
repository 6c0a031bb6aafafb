#pragma once
// One pyramid level of a dense (nonlinear) stage: the level's images, the metric on
// the whole fixed grid, and the dense gradient dM/du of the metric with respect to a
// displacement u on the fixed grid, for phi(x) = A(x + u(x)).
#include "alinea/affine.hpp"
#include "alinea/interpolate.hpp"
#include "alinea/metric.hpp"
#include "alinea/parallel.hpp"
#include "alinea/resample.hpp"

#include <algorithm>
#include <memory>
#include <optional>

namespace alinea {

// A mask on a pyramid level's grid (nearest neighbour), or nothing.
template <int D>
std::optional<ScalarImage<D>> level_mask(const ScalarImage<D>* mask, const Grid<D>& grid) {
    if (!mask) return std::nullopt;
    return resample(*mask, grid, Affine<D>::identity(), Interpolation::nearest, 0.0f);
}

template <int D>
class DenseLevel {
public:
    DenseLevel(const ScalarImage<D>& fixed, const ScalarImage<D>& moving, const ScalarImage<D>* fixed_mask,
               const ScalarImage<D>* moving_mask, const MetricOptions& metric, const Affine<D>& affine)
        : fixed_(fixed), moving_(moving), fixed_mask_(fixed_mask), moving_mask_(moving_mask), affine_(affine) {
        samples_.values.assign(fixed.voxels().begin(), fixed.voxels().end());
        const Grid<D>& g = fixed.grid();
        samples_.dense_shape = Size<3>{g.size(0), g.size(1), D == 3 ? g.size(D - 1) : 1};
        const auto [lo, hi] = std::minmax_element(moving.voxels().begin(), moving.voxels().end());
        metric_ = make_metric(metric, samples_, {*lo, *hi});
        const size_t n = static_cast<size_t>(fixed.voxel_count());
        values_.resize(n);
        valid_.resize(n);
        derivative_.resize(n);
    }

    // The metric at phi(x) = A(x + u(x)) and, in force, -dM/du(x) (physical, mm).
    double force(const VectorField<D>& u, VectorField<D>& force) {
        const Grid<D>& g = fixed_.grid();
        const Grid<D>& mg = moving_.grid();
        // Fixed point p = x + u -> moving continuous index: K p + k.
        const MatD<D> k = mg.inverse_linear() * affine_.matrix;
        const VecD<D> k0 = mg.inverse_linear() * (affine_.offset - mg.origin());
        // Index-space gradient -> gradient in p: (d index / d p)^T = K^T.
        const Eigen::Matrix<float, D, D> kt = k.transpose().template cast<float>();
        for_each_row(g, [&](Index offset, VecD<D> index) {
            for (Index x = 0; x < g.size(0); ++x) {
                const Index i = offset + x;
                index[0] = static_cast<double>(x);
                const VecD<D> p = g.physical(index) + u[i].template cast<double>();
                const VecD<D> ci = k * p + k0;
                Vec<D> grad;
                bool ok = (!fixed_mask_ || (*fixed_mask_)[i] > 0.5f) &&
                          sample_linear_with_gradient(moving_, ci, values_[i], grad);
                if (ok && moving_mask_) {
                    float m = 0;
                    ok = sample_nearest(*moving_mask_, ci, m) && m > 0.5f;
                }
                valid_[i] = ok;
                if (!ok) values_[i] = 0;
                force[i] = ok ? Vec<D>(kt * grad) : Vec<D>::Zero();
            }
        });
        const double value = metric_->evaluate(MovingSamples{values_, valid_}, derivative_);
        parallel_for(fixed_.voxel_count(), [&](Index i) { force[i] *= -derivative_[i]; });
        return value;
    }

private:
    const ScalarImage<D>& fixed_;
    const ScalarImage<D>& moving_;
    const ScalarImage<D>* fixed_mask_;
    const ScalarImage<D>* moving_mask_;
    Affine<D> affine_;
    FixedSamples samples_;
    std::unique_ptr<Metric> metric_;
    std::vector<float> values_, derivative_;
    std::vector<std::uint8_t> valid_;
};

}  // namespace alinea
