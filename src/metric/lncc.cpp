// Local normalised cross-correlation over a (2r+1)^D window around every sample:
//   M = -(1/Nv) sum_{valid w} cc_w,   cc_w = sFM^2 / (sFF sMM),
// with the window sums taken over the window's valid voxels only (windows are
// truncated at the image border). The derivative is exact: m(x) enters cc_w for
// every window w that contains x, and
//   d cc_w / d m(x) = A_w (f(x) - muF_w) - B_w (m(x) - muM_w) = A_w f(x) - B_w m(x) + C_w
//   A_w = 2 sFM / (sFF sMM),  B_w = A_w sFM / sMM,  C_w = B_w muM_w - A_w muF_w,
// so dM/dm(x) = -(1/Nv) [f(x) box(A) - m(x) box(B) + box(C)](x), box() summing over the
// (symmetric) window around x.
//
// Every window sum is a separable running box sum: O(1) work per voxel whatever the
// radius. The volume is streamed slice by slice along z: the 2-D box sums of a slice
// are built row by row (running sums along x, then along y over a ring of rows), and a
// ring of slices feeds a running sum along z. The first stage (window moments -> cc,
// A, B, C) and the second (box of A, B, C -> derivative) are chained in one stream, so
// only rings of slices live in memory, never whole volumes of moments. Each task owns
// a fixed tile (a band of rows in 3-D, a chunk of rows in 2-D) and recomputes the
// halo it needs, so the rings stay cache-sized and the arithmetic depends on the tile
// boundaries only, never on the thread count.
//
// Precision: sums of squares are accumulated in double on intensities centred by a
// global mean (cc, and the derivative, are invariant to such shifts), so the
// cancellation in sFF = SFF - SF^2/n stays harmless.
#include "alinea/error.hpp"
#include "alinea/parallel.hpp"
#include "metric_factories.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <memory>

namespace alinea {

namespace {

// Running sum of a stream of items 0..count-1 (each `width` doubles) over a window
// [i-r, i+r] clipped to the stream. Items are produced on demand into a ring of 2r+2
// slots, so the item that enters and the one that leaves never share a slot and the
// steady-state step is a single fused pass: sum += entering - leaving.
class RunningBox {
public:
    RunningBox(int radius, Index count, Index width)
        : r_(radius), count_(count), width_(width),
          ring_(std::make_unique_for_overwrite<double[]>(static_cast<size_t>((2 * radius + 2) * width))),
          sum_(std::make_unique_for_overwrite<double[]>(static_cast<size_t>(width))) {}

    // Moves the window to centre i (non-decreasing between calls); produce(j, out)
    // writes item j. Returns the window sum.
    template <class Produce>
    const double* advance(Index i, Produce&& produce) {
        const Index lo = std::max<Index>(0, i - r_), hi = std::min(count_, i + r_ + 1);
        double* sum = sum_.get();
        if (hi_ <= lo) {  // nothing reusable (first call): start from an exact zero
            lo_ = hi_ = lo;
            std::fill_n(sum, width_, 0.0);
        }
        while (lo_ < lo || hi_ < hi) {
            const double* out = lo_ < lo ? slot(lo_++) : nullptr;
            double* in = nullptr;
            if (hi_ < hi) produce(hi_, in = slot(hi_)), ++hi_;
            if (in && out)
                for (Index k = 0; k < width_; ++k) sum[k] += in[k] - out[k];
            else if (in)
                for (Index k = 0; k < width_; ++k) sum[k] += in[k];
            else
                for (Index k = 0; k < width_; ++k) sum[k] -= out[k];
        }
        return sum;
    }
    // Starts a new stream (the next call to advance() begins from zero).
    void restart() { lo_ = hi_ = 0; }

private:
    double* slot(Index j) { return ring_.get() + (j % (2 * r_ + 2)) * width_; }

    int r_;
    Index count_, width_;
    std::unique_ptr<double[]> ring_, sum_;
    Index lo_ = 0, hi_ = 0;
};

// Box sum along one row of K interleaved quantities: out[i] = sum_{|j-i|<=r} in[j].
template <int K>
void box_row(const double* in, double* out, Index n, int r) {
    std::array<double, K> s{};  // K independent chains: no add-latency bottleneck
    for (Index j = 0; j < std::min<Index>(r, n); ++j)
        for (int k = 0; k < K; ++k) s[k] += in[j * K + k];
    for (Index i = 0; i < n; ++i) {
        if (i + r < n)
            for (int k = 0; k < K; ++k) s[k] += in[(i + r) * K + k];
        for (int k = 0; k < K; ++k) out[i * K + k] = s[k];
        if (i >= r)
            for (int k = 0; k < K; ++k) s[k] -= in[(i - r) * K + k];
    }
}

using Stats = Eigen::Matrix<double, 3, 1>;  // count, sum, sum of squared deviations from the mean

class Lncc final : public Metric {
public:
    Lncc(const LnccOptions& options, const FixedSamples& fixed) : r_(options.radius), fixed_(fixed.values) {
        if (!fixed.dense_shape)
            throw Error("lncc: needs a dense sample set (a whole fixed grid), got a sparse one");
        if (r_ < 1) throw Error("lncc: radius must be at least 1, got " + std::to_string(r_));
        const Size<3> s = *fixed.dense_shape;
        if (s[0] < 1 || s[1] < 1 || s[2] < 1 || s[0] * s[1] * s[2] != fixed.size())
            throw Error("lncc: dense shape does not match the number of samples");
        // Work is split into tiles (z chunks x y bands) whose sizes depend on the image
        // and the radius only (determinism). 3-D: bands of rows, each streamed over
        // the whole z range, so that a tile's rings of slices stay cache-sized (halo:
        // 2r rows). 2-D: the image is streamed along y as slices of one row (no y
        // window) in chunks (halo: 4r rows), so 2-D images are split across threads too.
        nx_ = s[0];
        if (s[2] > 1) {
            ny_ = s[1], nz_ = s[2], ry_ = r_;
            band_ = std::max<Index>(16, 8 * Index(r_)), chunk_ = nz_;
        } else {
            ny_ = 1, nz_ = s[1], ry_ = 0;
            band_ = 1, chunk_ = std::max<Index>({(nz_ + 7) / 8, 8 * Index(r_), 1});
        }
        const Stats st = stats(fixed_.data(), nullptr);
        f_mean_ = st[1] / st[0];
        f_var_ = variance_scale(st);
    }

    double evaluate(const MovingSamples& moving, std::span<float> derivative) const override {
        const Index n = static_cast<Index>(fixed_.size());
        if (static_cast<Index>(moving.values.size()) != n || static_cast<Index>(moving.valid.size()) != n)
            throw Error("lncc: moving samples do not match the fixed samples");
        if (!derivative.empty() && static_cast<Index>(derivative.size()) != n)
            throw Error("lncc: derivative buffer does not match the samples");
        const Stats st = stats(moving.values.data(), moving.valid.data());
        if (st[0] < 1) {
            std::ranges::fill(derivative, 0.0f);
            return 0;
        }
        const Pass pass{moving.values.data(), moving.valid.data(), st[1] / st[0],
                        1e-10 * f_var_ * variance_scale(st), -1 / st[0],
                        derivative.empty() ? nullptr : derivative.data()};
        const Index chunks = (nz_ + chunk_ - 1) / chunk_, bands = (ny_ + band_ - 1) / band_;
        std::vector<double> cc(static_cast<size_t>(chunks * bands));
        parallel_for(chunks * bands, [&](Index t) {
            const Index z0 = t / bands * chunk_, y0 = t % bands * band_;
            cc[t] = run_tile(pass, z0, std::min(nz_, z0 + chunk_), y0, std::min(ny_, y0 + band_));
        });
        double total = 0;
        for (double v : cc) total += v;  // tile order: independent of the thread count
        return pass.scale * total;
    }

    // The windows that hold voxel x are centred within r of it, so they cover [x-2r, x+2r]:
    // x is indifferent where the fixed image is constant over that box (clipped at the
    // border, as the windows are). Then every window with x is flat (cc = 0, A = B = C = 0).
    std::vector<std::uint8_t> indifferent_samples() const override {
        std::vector<float> lo(fixed_), hi(fixed_);
        const Index counts[3] = {nx_, ny_, nz_}, strides[3] = {1, nx_, nx_ * ny_};
        const int radius[3] = {2 * r_, 2 * ry_, 2 * r_};
        for (int a = 0; a < 3; ++a) {
            if (counts[a] <= 1 || radius[a] == 0) continue;
            const Index n = counts[a], stride = strides[a], lines = static_cast<Index>(fixed_.size()) / n;
            parallel_for(lines, [&](Index line) {
                // The line's first voxel: lines run over the other two axes in storage order.
                const Index start = line % stride + line / stride * stride * n;
                std::vector<float> min_line(static_cast<size_t>(n)), max_line(static_cast<size_t>(n));
                for (Index i = 0; i < n; ++i) {
                    float mn = lo[start + i * stride], mx = hi[start + i * stride];
                    for (Index j = std::max<Index>(0, i - radius[a]); j <= std::min(n - 1, i + radius[a]); ++j)
                        mn = std::min(mn, lo[start + j * stride]), mx = std::max(mx, hi[start + j * stride]);
                    min_line[i] = mn, max_line[i] = mx;
                }
                for (Index i = 0; i < n; ++i) lo[start + i * stride] = min_line[i], hi[start + i * stride] = max_line[i];
            });
        }
        std::vector<std::uint8_t> indifferent(fixed_.size());
        for (size_t i = 0; i < indifferent.size(); ++i) indifferent[i] = lo[i] == hi[i];
        return indifferent;
    }

private:
    struct Pass {
        const float* m;
        const std::uint8_t* valid;
        double m_mean;
        double eps;     // cc = 0 where sFF sMM <= eps n^2 (flat windows)
        double scale;   // -1 / Nv
        float* deriv;   // null: value only
    };

    // Count, sum and sum of squared deviations from the mean, accumulated relative to
    // the first value (stable enough for a mean and a variance scale); fixed-order chunks.
    Stats stats(const float* v, const std::uint8_t* valid) const {
        const Index n = static_cast<Index>(fixed_.size());
        Index first = 0;
        if (valid)
            while (first < n && !valid[first]) ++first;
        if (first == n) return Stats::Zero();
        const double ref = v[first];
        const Stats d = parallel_sum(n, Index(1) << 16, Stats(Stats::Zero()), [&](Index b, Index e) {
            // Four lanes of partial sums break the add-latency chain (fixed order still).
            double c[4] = {}, s1[4] = {}, s2[4] = {};
            for (Index i = b; i < e; ++i) {
                const double w = valid ? valid[i] : 1, x = w * (v[i] - ref);
                c[i & 3] += w, s1[i & 3] += x, s2[i & 3] += x * x;
            }
            return Stats((c[0] + c[1]) + (c[2] + c[3]), (s1[0] + s1[1]) + (s1[2] + s1[3]),
                         (s2[0] + s2[1]) + (s2[2] + s2[3]));
        });
        return Stats(d[0], d[1] + ref * d[0], d[2] - d[1] * d[1] / d[0]);
    }
    // Per-voxel variance, floored so that a constant image (variance ~ rounding) still
    // counts as flat, and never zero.
    static double variance_scale(const Stats& s) {
        const double mean = s[1] / s[0];
        return std::max(s[2] / s[0], 0.0) + 1e-12 * mean * mean + std::numeric_limits<double>::min();
    }

    // Processes the output voxels of slices [z0, z1), rows [y0, y1); returns their sum
    // of cc. Stage 2 needs A, B, C on rows [ya0, ya1) (r more on each side), which
    // need window moments there.
    double run_tile(const Pass& p, Index z0, Index z1, Index y0, Index y1) const {
        const Index ya0 = std::max<Index>(0, y0 - ry_), ya1 = std::min(ny_, y1 + ry_);
        const Index row6 = 6 * nx_, row3 = 3 * nx_;
        std::vector<double> raw(static_cast<size_t>(row6)), abc(static_cast<size_t>(row3 * (ya1 - ya0)));
        RunningBox rows6(ry_, ny_, row6), rows3(ry_, ny_, row3);
        RunningBox moments(r_, nz_, row6 * (ya1 - ya0)), boxed(r_, nz_, row3 * (y1 - y0));

        // Stage 1 input: 2-D box sums of (n, f, m, ff, mm, fm) on rows [ya0, ya1) of slice z.
        auto moment_slice = [&](Index z, double* out) {
            for (Index y = ya0; y < ya1; ++y) {
                const double* sum = rows6.advance(y, [&](Index yy, double* item) {
                    const Index o = (z * ny_ + yy) * nx_;
                    for (Index x = 0; x < nx_; ++x) {
                        const double w = p.valid[o + x];  // 0 or 1: invalid voxels add nothing
                        const double f = w * (fixed_[o + x] - f_mean_), m = w * (p.m[o + x] - p.m_mean);
                        double* q = raw.data() + 6 * x;
                        q[0] = w, q[1] = f, q[2] = m, q[3] = f * f, q[4] = m * m, q[5] = f * m;
                    }
                    box_row<6>(raw.data(), item, nx_, r_);
                });
                std::memcpy(out + (y - ya0) * row6, sum, sizeof(double) * row6);
            }
            rows6.restart();
        };
        // Stage 1: cc of the windows centred in slice z, summed over the tile's own rows;
        // with abc, also A, B, C on rows [ya0, ya1).
        auto cc_slice = [&](Index z, double* abc_out) {
            const double* moments_z = moments.advance(z, moment_slice);
            double cc_sum = 0;
            for (Index y = abc_out ? ya0 : y0; y < (abc_out ? ya1 : y1); ++y) {
                const double* s = moments_z + (y - ya0) * row6;
                const std::uint8_t* valid = p.valid + (z * ny_ + y) * nx_;
                double* out = abc_out + (y - ya0) * row3;
                double row_cc = 0;
                for (Index x = 0; x < nx_; ++x, s += 6) {
                    // Branch-free (selects, not jumps) so that the compiler can vectorise.
                    const double inv_n = 1 / std::max(s[0], 1.0), mu_f = s[1] * inv_n, mu_m = s[2] * inv_n;
                    const double sff = s[3] - s[1] * mu_f, smm = s[4] - s[2] * mu_m, sfm = s[5] - s[1] * mu_m;
                    const double prod = sff * smm;
                    const bool ok = valid[x] && sff > 0 && smm > 0 && prod > p.eps * s[0] * s[0];
                    const double inv = ok ? 1 / prod : 0.0, cc = sfm * sfm * inv;
                    const double a = 2 * sfm * inv, b = ok ? 2 * cc / smm : 0.0;
                    row_cc += cc;
                    if (abc_out) out[3 * x] = a, out[3 * x + 1] = b, out[3 * x + 2] = b * mu_m - a * mu_f;
                }
                if (y >= y0 && y < y1) cc_sum += row_cc;
            }
            return cc_sum;
        };

        double total = 0;
        if (!p.deriv) {
            // Start the moment stream where the derivative pass starts it, so that both
            // passes round alike and return bitwise the same value.
            for (Index z = std::max<Index>(0, z0 - r_); z < z0; ++z) moments.advance(z, moment_slice);
            for (Index z = z0; z < z1; ++z) total += cc_slice(z, nullptr);
            return total;
        }
        // Stage 2 input: 2-D box sums of (A, B, C) on rows [y0, y1) of slice z (its cc
        // counted once, by the tile that owns the slice).
        auto abc_slice = [&](Index z, double* out) {
            const double cc = cc_slice(z, abc.data());
            if (z >= z0 && z < z1) total += cc;
            for (Index y = y0; y < y1; ++y) {
                const double* sum = rows3.advance(
                    y, [&](Index yy, double* item) { box_row<3>(abc.data() + (yy - ya0) * row3, item, nx_, r_); });
                std::memcpy(out + (y - y0) * row3, sum, sizeof(double) * row3);
            }
            rows3.restart();
        };
        for (Index z = z0; z < z1; ++z) {
            const double* u = boxed.advance(z, abc_slice);
            for (Index y = y0; y < y1; ++y) {
                const Index o = (z * ny_ + y) * nx_;
                for (Index x = 0; x < nx_; ++x, u += 3) {
                    const Index i = o + x;
                    const double d = (fixed_[i] - f_mean_) * u[0] - (p.m[i] - p.m_mean) * u[1] + u[2];
                    p.deriv[i] = p.valid[i] ? static_cast<float>(p.scale * d) : 0.0f;
                }
            }
        }
        return total;
    }

    int r_;
    std::vector<float> fixed_;  // a copy: the metric may outlive the caller's samples
    Index nx_ = 0, ny_ = 0, nz_ = 0, band_ = 1, chunk_ = 1;
    int ry_ = 0;
    double f_mean_ = 0, f_var_ = 1;
};

}  // namespace

std::unique_ptr<Metric> make_lncc_metric(const LnccOptions& options, const FixedSamples& fixed) {
    return std::make_unique<Lncc>(options, fixed);
}

}  // namespace alinea
