#include "alinea/smooth.hpp"

#include "alinea/parallel.hpp"

#include <cmath>
#include <optional>
#include <type_traits>
#include <vector>

namespace alinea {

namespace {

std::vector<float> gaussian_kernel(double sigma) {
    const int radius = std::max(1, static_cast<int>(std::ceil(3 * sigma)));
    std::vector<float> k(2 * radius + 1);
    for (int i = -radius; i <= radius; ++i) k[i + radius] = static_cast<float>(std::exp(-0.5 * i * i / (sigma * sigma)));
    return k;
}

// The kernel's weights: normalised for the lines' inner part, and renormalised over
// the taps that fall inside the line near its ends.
struct Taps {
    explicit Taps(const std::vector<float>& k) : kernel(k), interior(k), radius(static_cast<int>(k.size() / 2)) {
        float sum = 0;
        for (const float w : kernel) sum += w;
        for (float& w : interior) w /= sum;
    }
    // One value at position i of a line of len values `step` apart (i near an end).
    float at_border(const float* line, Index i, Index len, Index step) const {
        const Index lo = std::max<Index>(0, i - radius), hi = std::min<Index>(len - 1, i + radius);
        float wsum = 0;
        for (Index j = lo; j <= hi; ++j) wsum += kernel[j - i + radius];
        const float inv = 1.0f / wsum;
        float acc = line[lo * step] * (kernel[lo - i + radius] * inv);
        for (Index j = lo + 1; j <= hi; ++j) acc += line[j * step] * (kernel[j - i + radius] * inv);
        return acc;
    }
    std::vector<float> kernel, interior;
    int radius;
};

// One row of `len` values, each `stride` interleaved floats (a scalar row, or the
// components of vectors), convolved with taps `stride` apart: the inner loop runs
// over the whole row and vectorises.
void convolve_row(float* out, Index len, Index stride, const Taps& taps) {
    const Index width = len * stride, r = taps.radius;
    thread_local std::vector<float> copy;
    copy.assign(out, out + width);
    const float* in = copy.data();
    // Positions [r, len - r) have every tap inside (none when the kernel is wider than the row).
    const Index inner_begin = std::min(len, r) * stride;
    const Index inner_end = std::max(len - r, std::min(len, r)) * stride;
    for (Index k = inner_begin; k < inner_end; ++k) out[k] = in[k] * taps.interior[r];
    for (Index j = 1; j <= r; ++j) {
        // Inside: the kernel is symmetric, so pairs of values share one product.
        const float w = taps.interior[r + j];
        const Index d = j * stride;
        for (Index k = inner_begin; k < inner_end; ++k) out[k] += (in[k - d] + in[k + d]) * w;
    }
    for (Index k = 0; k < width; ++k) {
        if (k >= inner_begin && k < inner_end) continue;
        out[k] = taps.at_border(in + k % stride, k / stride, len, stride);
    }
}

// `count` neighbouring lines (contiguous in memory, `stride` floats from one position
// to the next) copied as len x count values and convolved together, the line index
// fastest, so that the inner loops vectorise.
void convolve_bundle(float* base, Index len, Index stride, Index count, const Taps& taps) {
    const int r = taps.radius;
    thread_local std::vector<float> in, acc;
    in.resize(static_cast<size_t>(len * count));
    acc.resize(static_cast<size_t>(count));
    for (Index i = 0; i < len; ++i) std::copy_n(base + i * stride, count, in.data() + i * count);
    for (Index i = 0; i < len; ++i) {
        float* out = base + i * stride;
        if (i >= r && i + r < len) {
            const float* centre = in.data() + i * count;
            for (Index l = 0; l < count; ++l) acc[l] = centre[l] * taps.interior[r];
            for (int j = 1; j <= r; ++j) {
                const float w = taps.interior[r + j];
                const float* before = centre - j * count;
                const float* after = centre + j * count;
                for (Index l = 0; l < count; ++l) acc[l] += (before[l] + after[l]) * w;
            }
            std::copy_n(acc.data(), count, out);
        } else {
            for (Index l = 0; l < count; ++l) out[l] = taps.at_border(in.data() + l, i, len, count);
        }
    }
}

// Lines of `len` floats `stride` apart, in blocks of `stride` lines (len x stride
// floats each): stride 1 (or a vector's components) is the fastest axis, the product
// of the lower axes' sizes (times the components) a higher one. Short strides are
// rows; longer ones go in bundles of up to 64 lines.
constexpr Index row_stride_limit = 8, bundle = 64;

void convolve_block(float* block, Index len, Index stride, const Taps& taps) {
    if (stride < row_stride_limit) return convolve_row(block, len, stride, taps);
    for (Index first = 0; first < stride; first += bundle)
        convolve_bundle(block + first, len, stride, std::min(bundle, stride - first), taps);
}

// All the blocks of `total` floats, in parallel (bundle by bundle: the slowest axis is
// one block).
void convolve_lines(float* data, Index total, Index len, Index stride, const Taps& taps) {
    const Index blocks = total / (len * stride);
    if (stride < row_stride_limit) {
        parallel_for(blocks, [&](Index b) { convolve_row(data + b * len * stride, len, stride, taps); });
        return;
    }
    const Index per_block = (stride + bundle - 1) / bundle;
    parallel_for(blocks * per_block, [&](Index g) {
        const Index first = (g % per_block) * bundle;
        convolve_bundle(data + (g / per_block) * stride * len + first, len, stride, std::min(bundle, stride - first),
                        taps);
    });
}

std::optional<Taps> taps_for(double sigma, Index len) {
    if (!(sigma > 0.01) || len < 2) return std::nullopt;
    return Taps(gaussian_kernel(sigma));
}

}  // namespace

template <class T, int D>
void gaussian_smooth(Image<T, D>& image, const VecD<D>& sigma_voxels) {
    // Vector fields are smoothed as interleaved floats, all components in one pass
    // (a component is one more, innermost, axis that is not smoothed).
    constexpr Index components = static_cast<Index>(sizeof(T) / sizeof(float));
    float* data = reinterpret_cast<float*>(image.data());
    const Size<D>& n = image.size();
    const Index total = image.voxel_count() * components;
    const auto tx = taps_for(sigma_voxels[0], n[0]), ty = taps_for(sigma_voxels[1], n[1]);
    if constexpr (D == 3) {
        // x and y slice by slice while the slice is in cache (one pass over memory
        // instead of two), then z.
        const Index slice = components * n[0] * n[1];
        parallel_for(n[2], [&](Index z) {
            float* s = data + z * slice;
            if (tx)
                for (Index y = 0; y < n[1]; ++y) convolve_block(s + y * components * n[0], n[0], components, *tx);
            if (ty) convolve_block(s, n[1], components * n[0], *ty);
        });
        if (const auto tz = taps_for(sigma_voxels[2], n[2])) convolve_lines(data, total, n[2], slice, *tz);
    } else {
        if (tx) convolve_lines(data, total, n[0], components, *tx);
        if (ty) convolve_lines(data, total, n[1], components * n[0], *ty);
    }
}

template void gaussian_smooth<float, 2>(Image<float, 2>&, const VecD<2>&);
template void gaussian_smooth<float, 3>(Image<float, 3>&, const VecD<3>&);
template void gaussian_smooth<Vec<2>, 2>(Image<Vec<2>, 2>&, const VecD<2>&);
template void gaussian_smooth<Vec<3>, 3>(Image<Vec<3>, 3>&, const VecD<3>&);

}  // namespace alinea
