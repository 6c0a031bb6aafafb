#include "moving_grid_objective.hpp"

#include "alinea/gradient.hpp"
#include "alinea/interpolate.hpp"
#include "alinea/parallel.hpp"
#include "sample_selection.hpp"

#include <algorithm>

namespace alinea {

namespace {
constexpr Index chunk = 1 << 12;
}  // namespace

template <int D>
MovingGridObjective<D>::MovingGridObjective(const ScalarImage<D>& fixed, const ScalarImage<D>& moving,
                                            const ScalarImage<D>* fixed_mask, const ScalarImage<D>* moving_mask,
                                            const MetricOptions& metric, Index max_samples,
                                            const LinearParameterization<D>& parameterization, const Affine<D>& initial)
    : fixed_(fixed), fixed_mask_(fixed_mask), metric_(metric), parameterization_(parameterization), initial_(initial) {
    SampleSet<D> samples = select_samples(moving.grid(), moving_mask, needs_dense_samples(metric), max_samples);
    const VectorField<D> grad = gradient(moving);
    points_ = std::move(samples.points);
    in_moving_mask_ = std::move(samples.in_mask);
    dense_shape_ = samples.dense_shape;
    for (Index i : samples.voxels) {
        moving_values_.push_back(moving[i]);
        gradients_.push_back(grad[i]);
    }
    const auto [lo, hi] = std::minmax_element(moving.voxels().begin(), moving.voxels().end());
    moving_range_ = {*lo, *hi};
    pulled_back_.values.resize(points_.size());
    pulled_back_.dense_shape = dense_shape_;
    valid_.resize(points_.size());
    derivative_.resize(points_.size());
}

template <int D>
double MovingGridObjective<D>::operator()(const Parameters& theta, Parameters* gradient) const {
    const Affine<D> phi = initial_.after(parameterization_.affine(theta));
    const Affine<D> inverse = phi.inverse();
    // Moving physical point -> fixed continuous index, in one affine map.
    const Grid<D>& fg = fixed_.grid();
    const MatD<D> k = fg.inverse_linear() * inverse.matrix;
    const VecD<D> k0 = fg.inverse_linear() * (inverse.offset - fg.origin());
    const Index n = sample_count();
    parallel_for((n + chunk - 1) / chunk, [&](Index c) {
        for (Index i = c * chunk; i < std::min(n, (c + 1) * chunk); ++i) {
            const VecD<D> ci = k * points_[i].template cast<double>() + k0;
            float r = 0;
            bool ok = in_moving_mask_[i] && sample_linear(fixed_, ci, r);
            if (ok && fixed_mask_) {
                float m = 0;
                ok = sample_nearest(*fixed_mask_, ci, m) && m > 0.5f;
            }
            pulled_back_.values[i] = ok ? r : 0.0f;
            valid_[i] = ok;
        }
    });
    // The metric's roles stay as in the standard form: fixed values (now pulled
    // back) and moving values; its derivative is in the moving value t.
    const std::unique_ptr<Metric> metric = make_metric(metric_, pulled_back_, moving_range_);
    const double value =
        metric->evaluate(MovingSamples{moving_values_, valid_}, gradient ? std::span<float>(derivative_) : std::span<float>());
    if (!gradient) return value;
    using Acc = Eigen::Matrix<double, D, D + 1>;
    const MatD<D> kx = inverse.matrix;
    const VecD<D> kx0 = inverse.offset;
    const Acc sum = parallel_sum(n, chunk, Acc(Acc::Zero()), [&](Index b, Index e) {
        Acc s = Acc::Zero();
        for (Index i = b; i < e; ++i) {
            if (!valid_[i] || derivative_[i] == 0) continue;
            const VecD<D> g = (derivative_[i] * gradients_[i]).template cast<double>();
            // x = phi^-1(y): the fixed point that maps to y.
            const VecD<D> x = kx * points_[i].template cast<double>() + kx0;
            s.template leftCols<D>() += g * x.transpose();
            s.col(D) += g;
        }
        return s;
    });
    // d(phi)/d(phi_theta) = initial's matrix.
    const MatD<D> q = initial_.matrix.transpose();
    *gradient = parameterization_.chain(theta, q * sum.template leftCols<D>(), q * sum.col(D));
    return value;
}

template class MovingGridObjective<2>;
template class MovingGridObjective<3>;

}  // namespace alinea
