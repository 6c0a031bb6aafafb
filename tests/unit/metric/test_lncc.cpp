// Local NCC: exact agreement with a brute-force definition (a loop over every window),
// including invalid voxels and windows truncated at the border, and a cost that does
// not grow with the radius.
#include "alinea/error.hpp"
#include "alinea/metric.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <random>

using namespace alinea;

namespace {

struct Case {
    FixedSamples fixed;
    std::vector<float> moving;
    std::vector<std::uint8_t> valid;
};

// Textured, correlated images: the moving one is a nonlinear map of the fixed one plus
// its own texture, so no window is flat (the flat-window guard never fires here).
Case make_case(const Size<3>& shape, bool holes, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    Case c;
    c.fixed.dense_shape = shape;
    const Index n = shape[0] * shape[1] * shape[2];
    c.fixed.values.resize(n);
    c.moving.resize(n);
    c.valid.assign(n, 1);
    for (Index i = 0; i < n; ++i) {
        const double x = i % shape[0], y = (i / shape[0]) % shape[1], z = i / (shape[0] * shape[1]);
        const double f = 2 + std::sin(0.9 * x + 0.4 * y) + 0.7 * std::cos(0.5 * y - 0.8 * z + 1) + 0.3 * (u(rng) - 0.5);
        c.fixed.values[i] = static_cast<float>(f);
        c.moving[i] = static_cast<float>(0.5 + 0.7 * f + 0.1 * f * f + 0.4 * std::sin(1.3 * x - 0.6 * z) +
                                         0.3 * (u(rng) - 0.5));
        // A block at a corner (touching three borders) and an interior block.
        const bool corner = x < shape[0] / 3 && y < shape[1] / 2 && z >= shape[2] / 2;
        const bool inner = std::abs(x - shape[0] / 2 - 1) <= 1 && std::abs(y - shape[1] / 2) <= 1 &&
                           std::abs(z - (shape[2] - 1) / 3.0) <= 1;
        if (holes && (corner || inner)) c.valid[i] = 0;
    }
    return c;
}

// The definition, one window at a time (double sums of raw intensities), with the
// per-window derivative written straight from the quotient rule:
//   d cc / d m(x) = 2 sFM (f(x) - muF) / (sFF sMM) - 2 sFM^2 (m(x) - muM) / (sFF sMM^2).
double brute_force(const Case& c, int r, std::vector<double>& deriv) {
    const Size<3> s = *c.fixed.dense_shape;
    const int rz = s[2] > 1 ? r : 0;
    const auto& f = c.fixed.values;
    const auto& m = c.moving;
    deriv.assign(f.size(), 0.0);
    double cc_sum = 0;
    Index nv = 0;
    auto window = [&](Index cx, Index cy, Index cz, auto&& fn) {
        for (Index z = std::max<Index>(0, cz - rz); z <= std::min(s[2] - 1, cz + rz); ++z)
            for (Index y = std::max<Index>(0, cy - r); y <= std::min(s[1] - 1, cy + r); ++y)
                for (Index x = std::max<Index>(0, cx - r); x <= std::min(s[0] - 1, cx + r); ++x) {
                    const Index i = x + s[0] * (y + s[1] * z);
                    if (c.valid[i]) fn(i);
                }
    };
    for (Index cz = 0; cz < s[2]; ++cz)
        for (Index cy = 0; cy < s[1]; ++cy)
            for (Index cx = 0; cx < s[0]; ++cx) {
                if (!c.valid[cx + s[0] * (cy + s[1] * cz)]) continue;
                ++nv;
                double n = 0, sf = 0, sm = 0, sff = 0, smm = 0, sfm = 0;
                window(cx, cy, cz, [&](Index i) {
                    n += 1, sf += f[i], sm += m[i];
                    sff += double(f[i]) * f[i], smm += double(m[i]) * m[i], sfm += double(f[i]) * m[i];
                });
                const double mf = sf / n, mm = sm / n;
                const double vff = sff - n * mf * mf, vmm = smm - n * mm * mm, vfm = sfm - n * mf * mm;
                if (!(vff * vmm > 1e-12)) continue;
                cc_sum += vfm * vfm / (vff * vmm);
                window(cx, cy, cz, [&](Index i) {
                    deriv[i] += 2 * vfm * (f[i] - mf) / (vff * vmm) - 2 * vfm * vfm * (m[i] - mm) / (vff * vmm * vmm);
                });
            }
    for (double& d : deriv) d *= -1.0 / nv;
    return -cc_sum / nv;
}

void expect_matches_brute_force(const Size<3>& shape, int radius, bool holes) {
    SCOPED_TRACE("shape " + std::to_string(shape[0]) + "x" + std::to_string(shape[1]) + "x" +
                 std::to_string(shape[2]) + " radius " + std::to_string(radius) + (holes ? " with holes" : ""));
    const Case c = make_case(shape, holes, 7u + radius);
    std::vector<double> ref;
    const double ref_value = brute_force(c, radius, ref);
    const auto metric = make_metric(LnccOptions{radius}, c.fixed, {0.f, 1.f});
    std::vector<float> d(c.moving.size(), 123.f);
    const double value = metric->evaluate({c.moving, c.valid}, d);
    EXPECT_NEAR(value, ref_value, 1e-5 * std::abs(ref_value));
    EXPECT_LT(ref_value, -0.05);  // a meaningful correlation, not a degenerate case
    // Value-only evaluation takes another code path: it must agree exactly.
    EXPECT_EQ(metric->evaluate({c.moving, c.valid}, {}), value);
    double max_ref = 0;
    for (double v : ref) max_ref = std::max(max_ref, std::abs(v));
    ASSERT_GT(max_ref, 0);
    int bad = 0;
    for (size_t i = 0; i < d.size(); ++i) {
        if (!c.valid[i]) {
            EXPECT_EQ(d[i], 0.f);
            continue;
        }
        // 1e-5 relative; the small absolute part only covers entries that cancel to ~0.
        if (std::abs(d[i] - ref[i]) > 1e-5 * std::abs(ref[i]) + 1e-7 * max_ref && ++bad <= 5)
            ADD_FAILURE() << "sample " << i << ": " << d[i] << " vs brute force " << ref[i];
    }
    EXPECT_EQ(bad, 0);
}

}  // namespace

TEST(Lncc, MatchesBruteForce3d) {
    for (bool holes : {false, true}) {
        expect_matches_brute_force({13, 11, 9}, 1, holes);
        expect_matches_brute_force({13, 11, 9}, 2, holes);
        expect_matches_brute_force({10, 12, 20}, 3, holes);
        expect_matches_brute_force({7, 9, 8}, 5, holes);  // windows wider than the image
        // Tall enough in y to be split into several bands of rows (one per thread task).
        expect_matches_brute_force({9, 37, 6}, 1, holes);
        expect_matches_brute_force({8, 45, 7}, 2, holes);
    }
}

TEST(Lncc, MatchesBruteForce2d) {
    for (bool holes : {false, true}) {
        expect_matches_brute_force({23, 17, 1}, 1, holes);
        expect_matches_brute_force({23, 17, 1}, 2, holes);
        expect_matches_brute_force({9, 40, 1}, 4, holes);
    }
}

TEST(Lncc, NeedsDenseSamples) {
    FixedSamples sparse;
    sparse.values.assign(100, 1.f);
    EXPECT_THROW(make_metric(LnccOptions{2}, sparse, {0.f, 1.f}), Error);
    FixedSamples wrong = sparse;
    wrong.dense_shape = Size<3>{10, 9, 1};
    EXPECT_THROW(make_metric(LnccOptions{2}, wrong, {0.f, 1.f}), Error);
}

TEST(Lncc, FlatRegionsContributeNothing) {
    // A constant image correlates with nothing: the guard must give 0, not NaN.
    Case c = make_case({12, 10, 8}, false, 3);
    std::ranges::fill(c.moving, 5.f);
    const auto metric = make_metric(LnccOptions{2}, c.fixed, {0.f, 1.f});
    std::vector<float> d(c.moving.size());
    EXPECT_EQ(metric->evaluate({c.moving, c.valid}, d), 0.0);
    for (float v : d) ASSERT_EQ(v, 0.f);
}

TEST(Lncc, CostDoesNotGrowWithRadius) {
    // Running box sums: the work per voxel is the same for every radius (up to the
    // halo rows each task recomputes). Work is measured as the CPU time of a
    // single-threaded evaluation, best of several, which other processes competing
    // for the cores barely disturb (wall time would).
    const Case c = make_case({64, 64, 64}, true, 11);
    std::vector<float> d(c.moving.size());
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    auto best_time = [&](int radius) {
        const auto metric = make_metric(LnccOptions{radius}, c.fixed, {0.f, 1.f});
        double best = 1e30;
        for (int k = 0; k < 5; ++k) {
            const std::clock_t t0 = std::clock();
            metric->evaluate({c.moving, c.valid}, d);
            best = std::min(best, double(std::clock() - t0) / CLOCKS_PER_SEC);
        }
        return best;
    };
    best_time(1);  // warm up
    const double t1 = best_time(1), t5 = best_time(5);
    omp_set_num_threads(threads);
    EXPECT_LT(t5, 2 * t1) << "radius 1: " << t1 << " s, radius 5: " << t5 << " s";
}

TEST(Lncc, IndifferentSamplesAreThoseWhoseWindowsAreAllFlat) {
    // A textured block inside a constant background (a skull-stripped brain's box):
    // samples farther than 2r from the block are indifferent, and changing the moving
    // image there changes neither the value (beyond rounding) nor any derivative.
    const Size<3> shape{20, 18, 16};
    Case c = make_case(shape, false, 5);
    const auto in_block = [&](Index i) {
        const Index x = i % shape[0], y = (i / shape[0]) % shape[1], z = i / (shape[0] * shape[1]);
        return x >= 6 && x < 12 && y >= 5 && y < 11 && z >= 4 && z < 10;
    };
    for (Index i = 0; i < c.fixed.size(); ++i)
        if (!in_block(i)) c.fixed.values[i] = 0.25f;
    const int r = 2;
    const auto metric = make_metric(LnccOptions{r}, c.fixed, {0.f, 1.f});
    const std::vector<std::uint8_t> indifferent = metric->indifferent_samples();
    ASSERT_EQ(static_cast<Index>(indifferent.size()), c.fixed.size());
    Index count = 0;
    for (Index i = 0; i < c.fixed.size(); ++i) {
        const Index x = i % shape[0], y = (i / shape[0]) % shape[1], z = i / (shape[0] * shape[1]);
        // Chebyshev distance to the block, in voxels.
        const Index d = std::max({std::max<Index>({6 - x, x - 11, 0}), std::max<Index>({5 - y, y - 10, 0}),
                                  std::max<Index>({4 - z, z - 9, 0})});
        // The block's edge voxels also differ from the background: the constant box must
        // avoid the block by more than 2r.
        EXPECT_EQ(indifferent[i] != 0, d > 2 * r) << "voxel " << i;
        count += indifferent[i];
    }
    ASSERT_GT(count, 0);
    std::vector<float> d0(c.moving.size()), d1(c.moving.size());
    const double v0 = metric->evaluate({c.moving, c.valid}, d0);
    std::vector<float> changed = c.moving;
    std::mt19937 rng(9);
    std::uniform_real_distribution<float> u(-3, 3);
    for (Index i = 0; i < c.fixed.size(); ++i)
        if (indifferent[i]) changed[i] = u(rng);
    const double v1 = metric->evaluate({changed, c.valid}, d1);
    EXPECT_NE(v0, 0);
    EXPECT_NEAR(v1, v0, 1e-9 * std::abs(v0));
    float largest = 0;
    for (float v : d0) largest = std::max(largest, std::abs(v));
    ASSERT_GT(largest, 0);
    for (Index i = 0; i < c.fixed.size(); ++i) {
        // Zero up to the running sums' rounding (a window that streamed past the block).
        if (indifferent[i]) EXPECT_LE(std::abs(d0[i]), 1e-12f * largest) << "voxel " << i;
        EXPECT_NEAR(d1[i], d0[i], 1e-5 * std::abs(d0[i]) + 1e-12 * largest) << "voxel " << i;
    }
}

TEST(Lncc, NoSampleIsIndifferentInATexturedImage) {
    const Case c = make_case({12, 10, 8}, false, 3);
    const auto metric = make_metric(LnccOptions{2}, c.fixed, {0.f, 1.f});
    for (std::uint8_t v : metric->indifferent_samples()) ASSERT_EQ(v, 0);
}
