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

// Convolves every line along `axis` with the kernel (border: renormalised weights).
template <class T, int D>
void convolve_axis(Image<T, D>& image, int axis, const std::vector<float>& kernel) {
    const Size<D>& n = image.size();
    const Index len = n[axis];
    if (len < 2) return;
    Index stride = 1;
    for (int a = 0; a < axis; ++a) stride *= n[a];
    const int radius = static_cast<int>(kernel.size() / 2);
    std::vector<float> interior(kernel);  // normalised once for the lines' inner part
    float total = 0;
    for (const float k : kernel) total += k;
    for (float& k : interior) k /= total;
    const Index lines = image.voxel_count() / len;
    T* data = image.data();
    // Work on bundles of up to 64 lines at once (len x count copies, line index
    // fastest) so that the inner loop runs over contiguous values and vectorises.
    // Along x, a bundle is 64 consecutive rows; along y or z, 64 neighbouring lines.
    constexpr Index bundle = 64;
    const Index blocks = lines / stride;  // lines along `axis` share an index above it
    const Index per_block = axis == 0 ? (lines + bundle - 1) / bundle : (stride + bundle - 1) / bundle;
    const Index groups = axis == 0 ? per_block : blocks * per_block;
    parallel_for(groups, [&](Index g) {
        Index count;
        Index step;                       // distance between consecutive lines
        T* base;                          // first element of the first line
        if (axis == 0) {
            count = std::min(bundle, lines - g * bundle);
            step = len;
            base = data + g * bundle * len;
        } else {
            const Index block = g / per_block, first = (g % per_block) * bundle;
            count = std::min(bundle, stride - first);
            step = 1;
            base = data + first + block * stride * len;
        }
        // Copy the bundle (len x count, line index fastest) so that the inner loop
        // runs over contiguous lines and vectorises.
        thread_local std::vector<T> in, acc;
        in.resize(static_cast<size_t>(len * count));
        acc.resize(static_cast<size_t>(count));
        for (Index i = 0; i < len; ++i)
            for (Index l = 0; l < count; ++l) in[i * count + l] = base[i * stride + l * step];
        for (Index i = 0; i < len; ++i) {
            if (i >= radius && i + radius < len) {
                // Inside: the kernel is symmetric, so pairs of values share one product.
                const T* centre = in.data() + i * count;
                for (Index l = 0; l < count; ++l) acc[l] = centre[l] * interior[radius];
                for (int j = 1; j <= radius; ++j) {
                    const float w = interior[radius + j];
                    const T* before = centre - j * count;
                    const T* after = centre + j * count;
                    for (Index l = 0; l < count; ++l) acc[l] += (before[l] + after[l]) * w;
                }
                for (Index l = 0; l < count; ++l) base[i * stride + l * step] = acc[l];
                continue;
            }
            const Index lo = std::max<Index>(0, i - radius), hi = std::min<Index>(len - 1, i + radius);
            float wsum = 0;
            for (Index j = lo; j <= hi; ++j) wsum += kernel[j - i + radius];
            const float inv = 1.0f / wsum;
            for (Index l = 0; l < count; ++l) acc[l] = in[lo * count + l] * (kernel[lo - i + radius] * inv);
            for (Index j = lo + 1; j <= hi; ++j) {
                const float w = kernel[j - i + radius] * inv;
                const T* src = in.data() + j * count;
                for (Index l = 0; l < count; ++l) acc[l] += src[l] * w;
            }
            for (Index l = 0; l < count; ++l) base[i * stride + l * step] = acc[l];
        }
    });
}

}  // namespace

template <class T, int D>
void gaussian_smooth(Image<T, D>& image, const VecD<D>& sigma_voxels) {
    if constexpr (std::is_same_v<T, float>) {
        for (int axis = 0; axis < D; ++axis)
            if (sigma_voxels[axis] > 0.01) convolve_axis(image, axis, gaussian_kernel(sigma_voxels[axis]));
    } else {
        // Vector fields: one component at a time, as contiguous floats (the inner
        // loops vectorise; interleaved 3-float voxels do not).
        constexpr int components = T::RowsAtCompileTime;
        Image<float, D> plane(image.grid());
        for (int c = 0; c < components; ++c) {
            parallel_for(image.voxel_count(), [&](Index i) { plane[i] = image[i][c]; });
            gaussian_smooth(plane, sigma_voxels);
            parallel_for(image.voxel_count(), [&](Index i) { image[i][c] = plane[i]; });
        }
    }
}

template void gaussian_smooth<float, 2>(Image<float, 2>&, const VecD<2>&);
template void gaussian_smooth<float, 3>(Image<float, 3>&, const VecD<3>&);
template void gaussian_smooth<Vec<2>, 2>(Image<Vec<2>, 2>&, const VecD<2>&);
template void gaussian_smooth<Vec<3>, 3>(Image<Vec<3>, 3>&, const VecD<3>&);

}  // namespace alinea
