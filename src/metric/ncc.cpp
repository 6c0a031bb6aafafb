// Global normalised cross-correlation over the valid samples: M = -ncc, so that
// M = -1 for images related by a positive linear intensity map.
#include "alinea/parallel.hpp"
#include "metric_factories.hpp"

#include <cmath>

namespace alinea {

namespace {

constexpr Index chunk = 1 << 14;
using Sums = Eigen::Matrix<double, 6, 1>;  // n, r, t, rr, tt, rt

class Ncc final : public Metric {
public:
    explicit Ncc(const FixedSamples& fixed) : fixed_(fixed) {}

    double evaluate(const MovingSamples& moving, std::span<float> derivative) const override {
        const float* r = fixed_.values.data();
        const Sums s = parallel_sum(fixed_.size(), chunk, Sums(Sums::Zero()), [&](Index b, Index e) {
            Sums p = Sums::Zero();
            for (Index i = b; i < e; ++i)
                if (moving.valid[i]) {
                    const double ri = r[i], ti = moving.values[i];
                    p += (Sums() << 1, ri, ti, ri * ri, ti * ti, ri * ti).finished();
                }
            return p;
        });
        const double n = std::max(s[0], 1.0);
        const double mr = s[1] / n, mt = s[2] / n;
        const double srr = s[3] - n * mr * mr, stt = s[4] - n * mt * mt, srt = s[5] - n * mr * mt;
        const double denom = std::sqrt(srr * stt);
        if (!(denom > 1e-12)) {
            if (!derivative.empty()) std::fill(derivative.begin(), derivative.end(), 0.0f);
            return 0;
        }
        const double ncc = srt / denom;
        if (!derivative.empty()) {
            // d ncc / d t_i = (r_i - mr) / denom - ncc (t_i - mt) / stt; M = -ncc.
            const double a = 1 / denom, b = ncc / stt;
            parallel_for(fixed_.size(), [&](Index i) {
                derivative[i] = moving.valid[i]
                                    ? static_cast<float>(-(a * (r[i] - mr) - b * (moving.values[i] - mt)))
                                    : 0.0f;
            });
        }
        return -ncc;
    }

private:
    const FixedSamples& fixed_;
};

}  // namespace

std::unique_ptr<Metric> make_ncc_metric(const FixedSamples& fixed) { return std::make_unique<Ncc>(fixed); }

}  // namespace alinea
