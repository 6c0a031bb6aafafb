// Every metric's derivative dM/dt_i against central finite differences of evaluate(),
// in 2-D and 3-D, with and without invalid samples; thread-count invariance; and the
// values that identify each metric (perfect matches, shuffled images).
#include "alinea/metric.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

using namespace alinea;

namespace {

const char* const all_metrics[] = {"ssd", "ncc", "lncc:radius=1", "lncc:radius=2", "mi:bins=16"};

struct Case {
    FixedSamples fixed;
    std::vector<float> moving;
    std::vector<std::uint8_t> valid;
    std::pair<float, float> range;
};

// A smooth random field: a few plane waves of random direction, wavelength in
// [lmin, lmax] voxels, and phase.
std::vector<double> smooth_field(const Size<3>& shape, std::mt19937& rng, int waves, double lmin, double lmax) {
    std::uniform_real_distribution<double> u(0, 1);
    const Index n = shape[0] * shape[1] * shape[2];
    std::vector<double> out(n, 0.0);
    for (int w = 0; w < waves; ++w) {
        Eigen::Vector3d k(u(rng) - 0.5, u(rng) - 0.5, shape[2] > 1 ? u(rng) - 0.5 : 0.0);
        k *= 2 * M_PI / ((lmin + (lmax - lmin) * u(rng)) * k.norm());
        const double phase = 2 * M_PI * u(rng), amp = 0.5 + u(rng);
        for (Index i = 0; i < n; ++i) {
            const Eigen::Vector3d p(i % shape[0], (i / shape[0]) % shape[1], i / (shape[0] * shape[1]));
            out[i] += amp * std::sin(k.dot(p) + phase);
        }
    }
    return out;
}

// Fixed: smooth texture. Moving: a nonlinear (monotone) map of the fixed intensities
// plus its own smooth texture, so the images are correlated but different. With
// holes, a block of ~20% of the samples (touching the border) is invalid.
Case make_case(const Size<3>& shape, bool holes, unsigned seed) {
    std::mt19937 rng(seed);
    const std::vector<double> f = smooth_field(shape, rng, 4, 4, 9), g = smooth_field(shape, rng, 3, 2.5, 5);
    Case c;
    c.fixed.dense_shape = shape;
    const Index n = shape[0] * shape[1] * shape[2];
    for (Index i = 0; i < n; ++i) {
        const double fi = 3 + f[i];
        c.fixed.values.push_back(static_cast<float>(fi));
        c.moving.push_back(static_cast<float>(1 + 0.6 * fi + 0.08 * fi * fi + 0.3 * g[i]));
        const Index x = i % shape[0], y = (i / shape[0]) % shape[1], z = i / (shape[0] * shape[1]);
        const bool block = shape[2] > 1 ? (x < 0.6 * shape[0] && y < 0.6 * shape[1] && z >= 0.45 * shape[2])
                                        : (x >= 0.45 * shape[0] && y < 0.36 * shape[1]);
        c.valid.push_back(holes && block ? 0 : 1);
    }
    const auto [lo, hi] = std::ranges::minmax(c.moving);
    // MI bins the moving intensities over the moving image's range; a margin keeps
    // the finite-difference perturbations of the extreme samples inside it.
    c.range = {lo - 0.05f * (hi - lo), hi + 0.05f * (hi - lo)};
    return c;
}

double evaluate(const Metric& m, const Case& c, std::span<float> derivative = {}) {
    return m.evaluate({c.moving, c.valid}, derivative);
}

void check_derivative(const std::string& spec, const Size<3>& shape, bool holes) {
    SCOPED_TRACE(spec + (shape[2] > 1 ? " 3-D" : " 2-D") + (holes ? " with invalid block" : " all valid"));
    Case c = make_case(shape, holes, 1234u + static_cast<unsigned>(shape[2]) + (holes ? 1 : 0));
    const auto metric = make_metric(parse_metric(spec), c.fixed, c.range);
    std::vector<float> d(c.moving.size(), 123.f);
    const double value = evaluate(*metric, c, d);
    ASSERT_TRUE(std::isfinite(value));

    Index invalid = 0;
    float scale = 0;  // the derivative's magnitude, for the absolute tolerance
    for (size_t i = 0; i < d.size(); ++i) {
        if (!c.valid[i]) {
            ++invalid;
            EXPECT_EQ(d[i], 0.f) << "invalid sample " << i;
        }
        scale = std::max(scale, std::abs(d[i]));
    }
    if (holes) {
        EXPECT_GT(invalid, c.moving.size() / 7);
    }
    ASSERT_GT(scale, 0.f);

    // Step: the central difference errs by ~(h/l)^2 relative (truncation; l = the
    // intensity scale over which M bends: local window spread ~0.3, MI bin width ~1)
    // plus ~1e-16 |M| / h (rounding of the double-accumulated value, against a
    // per-sample derivative ~1/N). h = 1e-3 puts the first near 1e-5 and the second
    // near 1e-10 of the derivative, both far below the tolerance, and is still large
    // against float resolution (~5e-7 at these intensities); since the samples are
    // floats, the step actually taken is read back from the perturbed floats.
    const double h = 1e-3;
    std::mt19937 rng(99);
    std::uniform_int_distribution<size_t> pick(0, c.moving.size() - 1);
    int checked = 0;
    while (checked < 20) {
        const size_t i = pick(rng);
        if (!c.valid[i]) continue;
        ++checked;
        const float t = c.moving[i];
        const float tp = static_cast<float>(t + h), tm = static_cast<float>(t - h);
        c.moving[i] = tp;
        const double vp = evaluate(*metric, c);
        c.moving[i] = tm;
        const double vm = evaluate(*metric, c);
        c.moving[i] = t;
        const double fd = (vp - vm) / (static_cast<double>(tp) - tm);
        // 0.2% relative plus 0.02% of the largest derivative (correct metrics measure
        // below 1/20 of that): a factor 2, a flipped sign or a missing term (typically
        // tens of percent) fails by far.
        EXPECT_NEAR(d[i], fd, 2e-3 * std::abs(fd) + 2e-4 * scale) << "sample " << i << " (M = " << value << ")";
    }
    EXPECT_EQ(evaluate(*metric, c), value) << "unperturbed value changed";
}

}  // namespace

TEST(MetricDerivatives, MatchFiniteDifferences2d) {
    for (const char* spec : all_metrics)
        for (bool holes : {false, true}) check_derivative(spec, {24, 20, 1}, holes);
}

TEST(MetricDerivatives, MatchFiniteDifferences3d) {
    for (const char* spec : all_metrics)
        for (bool holes : {false, true}) check_derivative(spec, {12, 11, 10}, holes);
}

TEST(MetricDerivatives, IndependentOfThreadCount) {
    // Large enough for several reduction chunks, LNCC tiles and MI histogram chunks.
    const Case c = make_case({48, 40, 36}, true, 5);
    const int threads = omp_get_max_threads();
    for (const char* spec : all_metrics) {
        SCOPED_TRACE(spec);
        const auto metric = make_metric(parse_metric(spec), c.fixed, c.range);
        std::vector<float> d1(c.moving.size()), d2(c.moving.size());
        omp_set_num_threads(1);
        const double v1 = evaluate(*metric, c, d1);
        omp_set_num_threads(2);
        const double v2 = evaluate(*metric, c, d2);
        omp_set_num_threads(threads);
        EXPECT_EQ(std::memcmp(&v1, &v2, sizeof v1), 0) << v1 << " vs " << v2;
        EXPECT_EQ(std::memcmp(d1.data(), d2.data(), d1.size() * sizeof(float)), 0);
    }
}

TEST(MetricValues, SsdOfIdenticalImagesIsZero) {
    Case c = make_case({20, 18, 9}, true, 6);
    c.moving = c.fixed.values;
    const auto metric = make_metric(parse_metric("ssd"), c.fixed, c.range);
    std::vector<float> d(c.moving.size());
    EXPECT_EQ(evaluate(*metric, c, d), 0.0);
    for (float v : d) ASSERT_EQ(v, 0.f);
}

TEST(MetricValues, CorrelationWithPositiveAffineMapIsMinusOne) {
    for (const Size<3>& shape : {Size<3>{20, 18, 9}, Size<3>{30, 25, 1}}) {
        Case c = make_case(shape, true, 7);
        for (size_t i = 0; i < c.moving.size(); ++i) c.moving[i] = 2.5f * c.fixed.values[i] + 7.f;
        for (const char* spec : {"ncc", "lncc:radius=1", "lncc:radius=2"}) {
            SCOPED_TRACE(spec);
            const auto metric = make_metric(parse_metric(spec), c.fixed, c.range);
            std::vector<float> d(c.moving.size());
            EXPECT_NEAR(evaluate(*metric, c, d), -1.0, 1e-5);
            // At a maximum of the correlation the derivative vanishes (relative to
            // its size for a mismatched image, ~1/N).
            for (float v : d) ASSERT_LT(std::abs(v), 1e-3f / c.moving.size());
        }
    }
}

TEST(MetricValues, MutualInformationPrefersTheMatchingImage) {
    Case c = make_case({20, 18, 9}, false, 8);
    c.moving = c.fixed.values;
    const auto [lo, hi] = std::ranges::minmax(c.moving);
    c.range = {lo, hi};
    const auto metric = make_metric(parse_metric("mi:bins=16"), c.fixed, c.range);
    const double self = evaluate(*metric, c);
    std::mt19937 rng(3);
    std::shuffle(c.moving.begin(), c.moving.end(), rng);
    const double shuffled = evaluate(*metric, c);
    EXPECT_LT(self, shuffled - 0.5) << "self " << self << ", shuffled " << shuffled;
}
