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

// Convolves every line of `len` floats `stride` apart with the kernel (border:
// renormalised weights). Line L starts at (L / stride) * stride * len + L % stride:
// with stride 1 the lines are consecutive rows; with stride = the product of the
// lower axes' sizes (times the components of interleaved vectors) they run along
// a higher axis.
void convolve_lines(float* data, Index total, Index len, Index stride, const std::vector<float>& kernel) {
    if (len < 2) return;
    const int radius = static_cast<int>(kernel.size() / 2);
    std::vector<float> interior(kernel);  // normalised once for the lines' inner part
    float sum = 0;
    for (const float k : kernel) sum += k;
    for (float& k : interior) k /= sum;
    const Index lines = total / len;
    // Work on bundles of up to 64 lines at once, copied as len x count values with the
    // line index fastest, so that the inner loops run over contiguous values and
    // vectorise whatever the axis.
    constexpr Index bundle = 64;
    parallel_for((lines + bundle - 1) / bundle, [&](Index g) {
        const Index first = g * bundle, count = std::min(bundle, lines - first);
        thread_local std::vector<float> in, acc;
        thread_local std::vector<Index> start;
        in.resize(static_cast<size_t>(len * count));
        acc.resize(static_cast<size_t>(count));
        start.resize(static_cast<size_t>(count));
        for (Index l = 0; l < count; ++l) {
            const Index line = first + l;
            start[l] = (line / stride) * stride * len + line % stride;
        }
        for (Index i = 0; i < len; ++i)
            for (Index l = 0; l < count; ++l) in[i * count + l] = data[start[l] + i * stride];
        const auto store = [&](Index i) {
            for (Index l = 0; l < count; ++l) data[start[l] + i * stride] = acc[l];
        };
        for (Index i = 0; i < len; ++i) {
            if (i >= radius && i + radius < len) {
                // Inside: the kernel is symmetric, so pairs of values share one product.
                const float* centre = in.data() + i * count;
                for (Index l = 0; l < count; ++l) acc[l] = centre[l] * interior[radius];
                for (int j = 1; j <= radius; ++j) {
                    const float w = interior[radius + j];
                    const float* before = centre - j * count;
                    const float* after = centre + j * count;
                    for (Index l = 0; l < count; ++l) acc[l] += (before[l] + after[l]) * w;
                }
                store(i);
                continue;
            }
            const Index lo = std::max<Index>(0, i - radius), hi = std::min<Index>(len - 1, i + radius);
            float wsum = 0;
            for (Index j = lo; j <= hi; ++j) wsum += kernel[j - i + radius];
            const float inv = 1.0f / wsum;
            for (Index l = 0; l < count; ++l) acc[l] = in[lo * count + l] * (kernel[lo - i + radius] * inv);
            for (Index j = lo + 1; j <= hi; ++j) {
                const float w = kernel[j - i + radius] * inv;
                const float* src = in.data() + j * count;
                for (Index l = 0; l < count; ++l) acc[l] += src[l] * w;
            }
            store(i);
        }
    });
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
