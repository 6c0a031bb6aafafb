#pragma once
// One pyramid level of a dense (nonlinear) stage: the level's images, the metric on
// the whole fixed grid, and the dense gradient dM/du of the metric with respect to a
// displacement u on the fixed grid, for phi(x) = A(x + u(x)); or, for the symmetric
// model, the gradients with respect to the two half-way displacements.
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
        const auto [flo, fhi] = std::minmax_element(fixed_.voxels().begin(), fixed_.voxels().end());
        moving_range_ = {*lo, *hi};
        fixed_range_ = {*flo, *fhi};
        metric_options_ = metric;
        metric_ = make_metric(metric, samples_, moving_range_);
        indifferent_ = metric_->indifferent_samples();
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
        // Row-incremental: the grid point's moving index is the row's start plus x steps,
        // and only u goes through K per voxel (in float, as in the compositions).
        const Eigen::Matrix<float, D, D> kf = k.template cast<float>();
        const Vec<D> step = (k * g.linear().col(0)).template cast<float>();
        for_each_row(g, [&](Index offset, const VecD<D>& row) {
            const Vec<D> start = (k * g.physical(row) + k0).template cast<float>();
            for (Index x = 0; x < g.size(0); ++x) {
                const Index i = offset + x;
                const Vec<D> ci = start + static_cast<float>(x) * step + kf * u[i];
                Vec<D> grad = Vec<D>::Zero();
                // Where the metric is indifferent to the moving value, only whether the
                // sample counts is needed (the metric's sample count): no interpolation.
                const bool indifferent = !indifferent_.empty() && indifferent_[i];
                if (indifferent) values_[i] = 0;
                bool ok = (!fixed_mask_ || (*fixed_mask_)[i] > 0.5f) &&
                          (indifferent ? detail::inside<D>(moving_.size(), ci)
                                       : sample_linear_with_gradient(moving_, ci, values_[i], grad));
                if (ok && moving_mask_) {
                    float m = 0;
                    ok = sample_nearest(*moving_mask_, VecD<D>(ci.template cast<double>()), m) && m > 0.5f;
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

    // The symmetric model's step: the metric between the fixed image at x + a(x) and
    // the moving one at A(x + b(x)), a = exp(-v/2) and b = exp(v/2) on the fixed grid,
    // and in force -dM/db(x) + dM/da(x): the descent direction for v (b ~ v/2 and
    // a ~ -v/2 to first order). The value is the mean of the metric taken both ways,
    // so that swapping the images gives the same numbers. `b` is consumed: it holds
    // the fixed image's gradient afterwards (one field less in memory at 1 mm).
    double symmetric_force(const VectorField<D>& a, VectorField<D>& b, VectorField<D>& force) {
        const Grid<D>& g = fixed_.grid();
        const Grid<D>& mg = moving_.grid();
        const MatD<D> k = mg.inverse_linear() * affine_.matrix;
        const VecD<D> k0 = mg.inverse_linear() * (affine_.offset - mg.origin());
        const MatD<D> kf = g.inverse_linear();
        const Eigen::Matrix<float, D, D> kt = k.transpose().template cast<float>();
        const Eigen::Matrix<float, D, D> kft = kf.transpose().template cast<float>();
        std::vector<float>& fixed_values = symmetric_.values;
        fixed_values.resize(values_.size());
        fixed_derivative_.resize(values_.size());
        for_each_row(g, [&](Index offset, VecD<D> index) {
            for (Index x = 0; x < g.size(0); ++x) {
                const Index i = offset + x;
                index[0] = static_cast<double>(x);
                const VecD<D> cm = k * (g.physical(index) + b[i].template cast<double>()) + k0;
                const VecD<D> cf = index + kf * a[i].template cast<double>();
                Vec<D> grad_m, grad_f;
                bool ok = sample_linear_with_gradient(moving_, cm, values_[i], grad_m) &&
                          sample_linear_with_gradient(fixed_, cf, fixed_values[i], grad_f);
                float m = 0;
                if (ok && moving_mask_) ok = sample_nearest(*moving_mask_, cm, m) && m > 0.5f;
                if (ok && fixed_mask_) ok = sample_nearest(*fixed_mask_, cf, m) && m > 0.5f;
                valid_[i] = ok;
                // Invalid samples count for nothing; the bottom of each range keeps MI's
                // bins where they are.
                if (!ok) values_[i] = moving_range_.first, fixed_values[i] = fixed_range_.first;
                force[i] = ok ? Vec<D>(kt * grad_m) : Vec<D>::Zero();
                b[i] = ok ? Vec<D>(kft * grad_f) : Vec<D>::Zero();
            }
        });
        // dM/dm with the warped fixed image as the reference, dM/df with the roles swapped.
        symmetric_.dense_shape = samples_.dense_shape;
        const FixedSamples moving_side{values_, samples_.dense_shape};
        const MovingSamples as_moving{values_, valid_}, as_fixed{fixed_values, valid_};
        const double to_moving =
            make_metric(metric_options_, symmetric_, moving_range_)->evaluate(as_moving, derivative_);
        const double to_fixed =
            make_metric(metric_options_, moving_side, fixed_range_)->evaluate(as_fixed, fixed_derivative_);
        parallel_for(fixed_.voxel_count(),
                     [&](Index i) { force[i] = fixed_derivative_[i] * b[i] - derivative_[i] * force[i]; });
        return 0.5 * (to_moving + to_fixed);
    }

private:
    ScalarImage<D> fixed_, moving_;
    std::optional<ScalarImage<D>> fixed_mask_, moving_mask_;
    Affine<D> affine_;
    FixedSamples samples_;
    std::unique_ptr<Metric> metric_;
    MetricOptions metric_options_;
    std::pair<float, float> fixed_range_, moving_range_;
    FixedSamples symmetric_;  // the symmetric model's warped fixed image
    std::vector<float> values_, derivative_, fixed_derivative_;
    std::vector<std::uint8_t> valid_;
    std::vector<std::uint8_t> indifferent_;  // the metric's indifferent samples (force is zero there)
};

}  // namespace alinea
