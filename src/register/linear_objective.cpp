#include "linear_objective.hpp"

#include "alinea/interpolate.hpp"
#include "alinea/parallel.hpp"
#include "sample_selection.hpp"

#include <algorithm>

namespace alinea {

namespace {

constexpr Index chunk = 1 << 12;

template <int D>
std::pair<float, float> value_range(const ScalarImage<D>& image) {
    const auto [lo, hi] = std::minmax_element(image.voxels().begin(), image.voxels().end());
    return {*lo, *hi};
}

}  // namespace

template <int D>
LinearObjective<D>::LinearObjective(const ScalarImage<D>& fixed, const ScalarImage<D>& moving,
                                    const ScalarImage<D>* fixed_mask, const ScalarImage<D>* moving_mask,
                                    const MetricOptions& metric, Index max_samples,
                                    const LinearParameterization<D>& parameterization, const Affine<D>& initial)
    : moving_(moving), moving_mask_(moving_mask), parameterization_(parameterization), initial_(initial) {
    SampleSet<D> samples = select_samples(fixed.grid(), fixed_mask, needs_dense_samples(metric), max_samples);
    points_ = std::move(samples.points);
    in_fixed_mask_ = std::move(samples.in_mask);
    fixed_.dense_shape = samples.dense_shape;
    fixed_.values.reserve(samples.voxels.size());
    for (Index i : samples.voxels) fixed_.values.push_back(fixed[i]);
    metric_ = make_metric(metric, fixed_, value_range(moving));
    const size_t n = points_.size();
    values_.resize(n);
    derivative_.resize(n);
    gradients_.resize(n);
    valid_.resize(n);
}

template <int D>
double LinearObjective<D>::operator()(const Parameters& theta, Parameters* gradient) const {
    const Affine<D> phi = initial_.after(parameterization_.affine(theta));
    // Fixed physical point -> moving continuous index, in one affine map.
    const Grid<D>& mg = moving_.grid();
    const Eigen::Matrix<double, D, D> k = mg.inverse_linear() * phi.matrix;
    const VecD<D> k0 = mg.inverse_linear() * (phi.offset - mg.origin());
    const Index n = static_cast<Index>(points_.size());
    parallel_for((n + chunk - 1) / chunk, [&](Index c) {
        for (Index i = c * chunk; i < std::min(n, (c + 1) * chunk); ++i) {
            const VecD<D> ci = k * points_[i].template cast<double>() + k0;
            bool ok = in_fixed_mask_[i] && sample_linear_with_gradient(moving_, ci, values_[i], gradients_[i]);
            if (ok && moving_mask_) {
                float m = 0;
                ok = sample_nearest(*moving_mask_, ci, m) && m > 0.5f;
            }
            valid_[i] = ok;
            if (!ok) values_[i] = 0, gradients_[i].setZero();
        }
    });
    const MovingSamples moving{values_, valid_};
    const double value = metric_->evaluate(moving, gradient ? std::span<float>(derivative_) : std::span<float>());
    if (!gradient) return value;
    // Sum of w_i * grad_i [x_i; 1]^T in index units, then to physical via the chain.
    using Acc = Eigen::Matrix<double, D, D + 1>;
    const Acc sum = parallel_sum(n, chunk, Acc(Acc::Zero()), [&](Index b, Index e) {
        Acc s = Acc::Zero();
        for (Index i = b; i < e; ++i) {
            if (!valid_[i] || derivative_[i] == 0) continue;
            const Vec<D> g = derivative_[i] * gradients_[i];
            s.template leftCols<D>() += (g * points_[i].transpose()).template cast<double>();
            s.col(D) += g.template cast<double>();
        }
        return s;
    });
    // dM/d(phi_theta(x)) = (K_inv^T ... ): the index gradient maps back through
    // moving^-1 and the initial transform's matrix.
    const MatD<D> q = (mg.inverse_linear() * initial_.matrix).transpose();
    const MatD<D> d_matrix = q * sum.template leftCols<D>();
    const VecD<D> d_offset = q * sum.col(D);
    *gradient = parameterization_.chain(theta, d_matrix, d_offset);
    return value;
}

template class LinearObjective<2>;
template class LinearObjective<3>;

}  // namespace alinea
