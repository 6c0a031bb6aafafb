#include "alinea/smooth.hpp"

#include "alinea/parallel.hpp"

#include <cmath>
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

// Lines along the fastest axis (stride 1, or the components of interleaved vectors):
// each block of `stride` lines is one contiguous row, convolved with taps `stride`
// apart, so that the inner loop runs over the whole row and vectorises.
void convolve_rows(float* data, Index total, Index len, Index stride, const Taps& taps) {
    const Index width = len * stride, r = taps.radius;
    parallel_for(total / width, [&](Index row) {
        float* out = data + row * width;
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
    });
}

// Lines along a slower axis: bundles of up to 64 neighbouring lines (contiguous in
// memory) are copied as len x count values and convolved together, the line index
// fastest, so that the inner loops vectorise.
void convolve_bundles(float* data, Index total, Index len, Index stride, const Taps& taps) {
    constexpr Index bundle = 64;
    const Index blocks = total / (len * stride), per_block = (stride + bundle - 1) / bundle;
    const int r = taps.radius;
    parallel_for(blocks * per_block, [&](Index g) {
        const Index first = (g % per_block) * bundle, count = std::min(bundle, stride - first);
        float* base = data + (g / per_block) * stride * len + first;
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
    });
}

// Convolves every line of `len` floats `stride` apart with the kernel (border:
// renormalised weights): blocks of `stride` lines, each block len x stride floats.
// Stride 1 (or a vector's components) is the fastest axis; the product of the lower
// axes' sizes (times the components) is a higher one.
void convolve_lines(float* data, Index total, Index len, Index stride, const std::vector<float>& kernel) {
    if (len < 2) return;
    const Taps taps(kernel);
    if (stride < 8) convolve_rows(data, total, len, stride, taps);
    else convolve_bundles(data, total, len, stride, taps);
}

}  // namespace

template <class T, int D>
void gaussian_smooth(Image<T, D>& image, const VecD<D>& sigma_voxels) {
    // Vector fields are smoothed as interleaved floats, all components in one pass
    // (a component is one more, innermost, axis that is not smoothed).
    constexpr Index components = static_cast<Index>(sizeof(T) / sizeof(float));
    float* data = reinterpret_cast<float*>(image.data());
    const Index total = image.voxel_count() * components;
    Index stride = components;
    for (int axis = 0; axis < D; ++axis) {
        if (sigma_voxels[axis] > 0.01)
            convolve_lines(data, total, image.size()[axis], stride, gaussian_kernel(sigma_voxels[axis]));
        stride *= image.size()[axis];
    }
}

template void gaussian_smooth<float, 2>(Image<float, 2>&, const VecD<2>&);
template void gaussian_smooth<float, 3>(Image<float, 3>&, const VecD<3>&);
template void gaussian_smooth<Vec<2>, 2>(Image<Vec<2>, 2>&, const VecD<2>&);
template void gaussian_smooth<Vec<3>, 3>(Image<Vec<3>, 3>&, const VecD<3>&);

}  // namespace alinea
