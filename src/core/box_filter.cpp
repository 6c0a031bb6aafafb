#include "alinea/box_filter.hpp"

#include "alinea/parallel.hpp"

#include <algorithm>
#include <vector>

namespace alinea {

namespace {

// Sums along one axis from `in` to `out`. The image is seen as [outer][n][inner] with
// the axis in the middle; each output row is the sum of up to 2r+1 input rows, added
// in order of offset (so the result does not depend on how the work is split), a
// block of an inner row at a time so that the additions vectorise. Along x (inner
// 1) the offsets are the outer loop instead, for the same reason.
template <int D>
void box_sum_along(const float* in, float* out, const Size<D>& size, int axis, int radius) {
    Index inner = 1, outer = 1;
    for (int a = 0; a < axis; ++a) inner *= size[a];
    for (int a = axis + 1; a < D; ++a) outer *= size[a];
    const Index n = size[axis];
    if (axis == 0) {
        parallel_for(outer, [&](Index row) {
            const float* src = in + row * n;
            float* dst = out + row * n;
            std::fill(dst, dst + n, 0.0f);
            for (Index k = -radius; k <= radius; ++k)
                for (Index x = std::max<Index>(0, -k); x < std::min(n, n - k); ++x) dst[x] += src[x + k];
        });
        return;
    }
    constexpr Index block = 512;
    const Index blocks = (inner + block - 1) / block;
    parallel_for(outer * blocks, [&](Index task) {
        const Index first = (task / blocks) * n * inner + (task % blocks) * block;
        const Index width = std::min(block, inner - (task % blocks) * block);
        for (Index j = 0; j < n; ++j) {
            float* dst = out + first + j * inner;
            std::fill(dst, dst + width, 0.0f);
            for (Index k = std::max<Index>(0, j - radius); k <= std::min(n - 1, j + radius); ++k) {
                const float* src = in + first + k * inner;
                for (Index i = 0; i < width; ++i) dst[i] += src[i];
            }
        }
    });
}

}  // namespace

template <int D>
ScalarImage<D> box_sum(ScalarImage<D> image, int radius) {
    if (radius < 0) throw Error("box filter: negative radius");
    ScalarImage<D> other(image.grid());
    for (int a = 0; a < D; ++a) {
        box_sum_along<D>(image.data(), other.data(), image.size(), a, radius);
        std::swap(image, other);
    }
    return image;
}

template <int D>
ScalarImage<D> box_mean(ScalarImage<D> image, int radius) {
    const Size<D> size = image.size();
    ScalarImage<D> out = box_sum(std::move(image), radius);
    // Voxels inside the cut box: a product of per-axis counts.
    std::array<std::vector<float>, D> count;
    for (int a = 0; a < D; ++a) {
        const Index n = size[a];
        count[a].resize(static_cast<size_t>(n));
        for (Index j = 0; j < n; ++j)
            count[a][j] = static_cast<float>(std::min(n - 1, j + radius) - std::max<Index>(0, j - radius) + 1);
    }
    for_each_row(out.grid(), [&](Index offset, const VecD<D>& start) {
        float across = 1;
        for (int a = 1; a < D; ++a) across *= count[a][static_cast<Index>(start[a])];
        for (Index x = 0; x < out.size()[0]; ++x) out[offset + x] /= count[0][x] * across;
    });
    return out;
}

template ScalarImage<2> box_sum<2>(ScalarImage<2>, int);
template ScalarImage<3> box_sum<3>(ScalarImage<3>, int);
template ScalarImage<2> box_mean<2>(ScalarImage<2>, int);
template ScalarImage<3> box_mean<3>(ScalarImage<3>, int);

}  // namespace alinea
