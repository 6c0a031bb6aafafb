#include "alinea/smooth.hpp"

#include "alinea/parallel.hpp"

#include <cmath>
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
    const Index lines = image.voxel_count() / len;
    T* data = image.data();
    // Lines along x are contiguous; for other axes process `stride`-wide bundles of
    // lines together so memory is read row by row (cache-friendly).
    const Index bundle = axis == 0 ? 1 : std::min<Index>(stride, 64);
    const Index groups = axis == 0 ? lines : (lines / stride) * ((stride + bundle - 1) / bundle);
    const Index groups_per_block = axis == 0 ? 1 : (stride + bundle - 1) / bundle;
    parallel_for(groups, [&](Index g) {
        const Index block = g / groups_per_block;                 // index above the axis
        const Index first = (g % groups_per_block) * bundle;      // first line below
        const Index count = axis == 0 ? 1 : std::min(bundle, stride - first);
        T* base = axis == 0 ? data + g * len : data + first + block * stride * len;
        std::vector<T> in(static_cast<size_t>(len * count));
        for (Index i = 0; i < len; ++i)
            for (Index l = 0; l < count; ++l) in[i * count + l] = base[i * stride + l];
        for (Index i = 0; i < len; ++i) {
            const Index lo = std::max<Index>(0, i - radius), hi = std::min<Index>(len - 1, i + radius);
            float wsum = 0;
            for (Index j = lo; j <= hi; ++j) wsum += kernel[j - i + radius];
            const float inv = 1.0f / wsum;
            for (Index l = 0; l < count; ++l) {
                T acc = in[lo * count + l] * kernel[lo - i + radius];
                for (Index j = lo + 1; j <= hi; ++j) acc += in[j * count + l] * kernel[j - i + radius];
                base[i * stride + l] = acc * inv;
            }
        }
    });
}

}  // namespace

template <class T, int D>
void gaussian_smooth(Image<T, D>& image, const VecD<D>& sigma_voxels) {
    for (int axis = 0; axis < D; ++axis)
        if (sigma_voxels[axis] > 0.01) convolve_axis(image, axis, gaussian_kernel(sigma_voxels[axis]));
}

template void gaussian_smooth<float, 2>(Image<float, 2>&, const VecD<2>&);
template void gaussian_smooth<float, 3>(Image<float, 3>&, const VecD<3>&);
template void gaussian_smooth<Vec<2>, 2>(Image<Vec<2>, 2>&, const VecD<2>&);
template void gaussian_smooth<Vec<3>, 3>(Image<Vec<3>, 3>&, const VecD<3>&);

}  // namespace alinea
