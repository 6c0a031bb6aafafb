#pragma once
// One pyramid level of a dense (nonlinear) stage: the level's images, the metric on
// the whole fixed grid, and the dense gradient dM/du of the metric with respect to a
// displacement u on the fixed grid, for phi(x) = A(x + u(x)).
#include "alinea/affine.hpp"
#include "alinea/interpolate.hpp"
#include "alinea/metric.hpp"
#include "alinea/parallel.hpp"
#include "alinea/pyramid.hpp"
#include "alinea/pyramid_schedule.hpp"
#include "alinea/registration_observer.hpp"
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
    DenseLevel(const RegistrationImages<D>& images, const PyramidSchedule& pyramid, int level,
               const MetricOptions& metric, const Affine<D>& affine)
        : fixed_(pyramid_level(images.fixed, pyramid.shrink[level], pyramid.sigma_voxels(level, images.fixed.grid()))),
          moving_(pyramid_level(images.moving, pyramid.shrink[level],
                                pyramid.sigma_voxels(level, images.moving.grid()))),
          fixed_mask_(level_mask(images.fixed_mask, fixed_.grid())),
          moving_mask_(level_mask(images.moving_mask, moving_.grid())),
          affine_(affine) {
        samples_.values.assign(fixed_.voxels().begin(), fixed_.voxels().end());
        const Grid<D>& g = fixed_.grid();
        samples_.dense_shape = Size<3>{g.size(0), g.size(1), D == 3 ? g.size(D - 1) : 1};
        const auto [lo, hi] = std::minmax_element(moving_.voxels().begin(), moving_.voxels().end());
        metric_ = make_metric(metric, samples_, {*lo, *hi});
        const size_t n = static_cast<size_t>(fixed_.voxel_count());
        values_.resize(n);
        valid_.resize(n);
        derivative_.resize(n);
    }

    // The level's fixed grid: where u and the force live.
    const Grid<D>& grid() const { return fixed_.grid(); }

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
    ScalarImage<D> fixed_, moving_;
    std::optional<ScalarImage<D>> fixed_mask_, moving_mask_;
    Affine<D> affine_;
    FixedSamples samples_;
    std::unique_ptr<Metric> metric_;
    std::vector<float> values_, derivative_;
    std::vector<std::uint8_t> valid_;
};

}  // namespace alinea
