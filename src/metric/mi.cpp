// Mattes mutual information: a joint histogram with a zero-order Parzen window on
// the fixed intensities and a cubic B-spline window on the moving ones, so that the
// histogram, and with it M = -MI, is differentiable in every moving intensity.
#include "alinea/error.hpp"
#include "alinea/parallel.hpp"
#include "metric_factories.hpp"

#include <algorithm>
#include <cmath>

namespace alinea {

namespace {

constexpr Index chunk = 1 << 15;
constexpr int padding = 2;  // moving bins kept free at each end for the cubic window's support

double bspline3(double u) {
    u = std::abs(u);
    if (u < 1) return (4 - 6 * u * u + 3 * u * u * u) / 6;
    if (u < 2) return (2 - u) * (2 - u) * (2 - u) / 6;
    return 0;
}
double bspline3_derivative(double u) {
    const double a = std::abs(u);
    if (a < 1) return -2 * u + 1.5 * u * a;
    if (a < 2) return (u > 0 ? -0.5 : 0.5) * (2 - a) * (2 - a);
    return 0;
}

class MattesMi final : public Metric {
public:
    MattesMi(const MiOptions& options, const FixedSamples& fixed, std::pair<float, float> moving_range)
        : bins_(options.bins), fixed_bin_(fixed.values.size()) {
        if (fixed.values.empty()) throw Error("mutual information: no samples");
        const auto [lo, hi] = std::minmax_element(fixed.values.begin(), fixed.values.end());
        const double fmin = *lo, fwidth = std::max(1e-12, static_cast<double>(*hi - *lo)) / bins_;
        for (size_t i = 0; i < fixed.values.size(); ++i)
            fixed_bin_[i] = static_cast<std::uint16_t>(
                std::clamp(static_cast<int>((fixed.values[i] - fmin) / fwidth), 0, bins_ - 1));
        moving_min_ = moving_range.first;
        moving_max_ = moving_range.second;
        moving_width_ = std::max(1e-12, static_cast<double>(moving_max_ - moving_min_)) / (bins_ - 2 * padding - 1);
    }

    double evaluate(const MovingSamples& moving, std::span<float> derivative) const override {
        const Index n = static_cast<Index>(fixed_bin_.size());
        const int b = bins_;
        // Joint histogram (row: fixed bin, column: moving bin), deterministic sum of chunks.
        Eigen::VectorXd zero = Eigen::VectorXd::Zero(b * b + 1);  // last entry: sample count
        const Eigen::VectorXd joint = parallel_sum(n, chunk, zero, [&](Index begin, Index end) {
            Eigen::VectorXd h = Eigen::VectorXd::Zero(b * b + 1);
            for (Index i = begin; i < end; ++i) {
                if (!moving.valid[i]) continue;
                const double xi = position(moving.values[i]);
                const int k0 = static_cast<int>(xi) - 1;
                double* row = h.data() + fixed_bin_[i] * b;
                for (int k = k0; k < k0 + 4; ++k) row[k] += bspline3(k - xi);
                h[b * b] += 1;
            }
            return h;
        });
        const double count = joint[b * b];
        if (count < 1) {
            if (!derivative.empty()) std::fill(derivative.begin(), derivative.end(), 0.0f);
            return 0;
        }
        Eigen::VectorXd pf = Eigen::VectorXd::Zero(b), pm = Eigen::VectorXd::Zero(b);
        for (int f = 0; f < b; ++f)
            for (int m = 0; m < b; ++m) {
                pf[f] += joint[f * b + m] / count;
                pm[m] += joint[f * b + m] / count;
            }
        double mi = 0;
        // log(p / pm) per cell, reused by the derivative.
        std::vector<double> log_ratio(static_cast<size_t>(b * b), 0.0);
        for (int f = 0; f < b; ++f)
            for (int m = 0; m < b; ++m) {
                const double p = joint[f * b + m] / count;
                if (p <= 0) continue;
                log_ratio[f * b + m] = std::log(p / pm[m]);
                mi += p * (log_ratio[f * b + m] - std::log(pf[f]));
            }
        if (!derivative.empty()) {
            // dM/dt_i = (1 / (N w)) sum_k beta3'(k - xi_i) log(p(f_i, k) / pm(k)); M = -MI.
            const double scale = 1 / (count * moving_width_);
            parallel_for(n, [&](Index i) {
                // Outside the binned range the value is flat in t (clamped): no slope.
                const float t = moving.values[i];
                if (!moving.valid[i] || t < moving_min_ || t > moving_max_) { derivative[i] = 0; return; }
                const double xi = position(moving.values[i]);
                const int k0 = static_cast<int>(xi) - 1;
                const double* row = log_ratio.data() + fixed_bin_[i] * b;
                double d = 0;
                for (int k = k0; k < k0 + 4; ++k) d += bspline3_derivative(k - xi) * row[k];
                derivative[i] = static_cast<float>(scale * d);
            });
        }
        return -mi;
    }

private:
    // Continuous moving bin coordinate, within [padding, bins - padding - 1].
    double position(float t) const {
        const float c = std::clamp(t, moving_min_, moving_max_);
        return padding + (c - moving_min_) / moving_width_;
    }

    int bins_;
    std::vector<std::uint16_t> fixed_bin_;
    float moving_min_ = 0, moving_max_ = 1;
    double moving_width_ = 1;
};

}  // namespace

std::unique_ptr<Metric> make_mi_metric(const MiOptions& options, const FixedSamples& fixed,
                                       std::pair<float, float> moving_range) {
    return std::make_unique<MattesMi>(options, fixed, moving_range);
}

}  // namespace alinea
