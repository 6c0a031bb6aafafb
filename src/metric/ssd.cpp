// Mean squared difference: M = (1/N) sum (t_i - r_i)^2 over valid samples.
#include "alinea/parallel.hpp"
#include "metric_factories.hpp"

namespace alinea {

namespace {

constexpr Index chunk = 1 << 14;

class Ssd final : public Metric {
public:
    explicit Ssd(const FixedSamples& fixed) : fixed_(fixed) {}

    double evaluate(const MovingSamples& moving, std::span<float> derivative) const override {
        const float* r = fixed_.values.data();
        const Eigen::Vector2d sums = parallel_sum(fixed_.size(), chunk, Eigen::Vector2d(0, 0), [&](Index b, Index e) {
            Eigen::Vector2d s(0, 0);
            for (Index i = b; i < e; ++i)
                if (moving.valid[i]) {
                    const double d = moving.values[i] - r[i];
                    s += Eigen::Vector2d(d * d, 1);
                }
            return s;
        });
        const double n = std::max(sums[1], 1.0);
        if (!derivative.empty()) {
            const float scale = static_cast<float>(2 / n);
            parallel_for(fixed_.size(), [&](Index i) {
                derivative[i] = moving.valid[i] ? scale * (moving.values[i] - r[i]) : 0.0f;
            });
        }
        return sums[0] / n;
    }

private:
    const FixedSamples& fixed_;
};

}  // namespace

std::unique_ptr<Metric> make_ssd_metric(const FixedSamples& fixed) { return std::make_unique<Ssd>(fixed); }

}  // namespace alinea
