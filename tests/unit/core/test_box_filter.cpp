// Box filters and the distance transform against brute force on random images, on
// sizes smaller and larger than the box, and for any thread count.
#include "alinea/box_filter.hpp"
#include "alinea/distance_transform.hpp"
#include "alinea/parallel.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

using namespace alinea;

namespace {

ScalarImage<3> random_image(const Size<3>& size, unsigned seed, double spacing_x = 1) {
    ScalarImage<3> image(Grid<3>::from_spacing(size, VecD<3>(spacing_x, 1.0, 2.0)));
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1, 1);
    for (float& v : image.voxels()) v = u(rng);
    return image;
}

// Sum over the box cut to the image, and the number of voxels in it.
std::pair<double, int> brute_box(const ScalarImage<3>& image, const Size<3>& at, int r) {
    double sum = 0;
    int count = 0;
    for (Index z = at[2] - r; z <= at[2] + r; ++z)
        for (Index y = at[1] - r; y <= at[1] + r; ++y)
            for (Index x = at[0] - r; x <= at[0] + r; ++x) {
                if (x < 0 || y < 0 || z < 0 || x >= image.size()[0] || y >= image.size()[1] || z >= image.size()[2])
                    continue;
                sum += image.at({x, y, z});
                ++count;
            }
    return {sum, count};
}

}  // namespace

TEST(BoxFilter, SumsAndMeansEqualBruteForceInsideAndAtTheBorder) {
    for (const int r : {0, 1, 2, 4}) {
        const ScalarImage<3> image = random_image({7, 5, 3}, 11u + r);
        const ScalarImage<3> sum = box_sum(image, r), mean = box_mean(image, r);
        for (Index v = 0; v < image.voxel_count(); ++v) {
            const auto [s, n] = brute_box(image, image.grid().index_of(v), r);
            ASSERT_NEAR(sum[v], s, 1e-5) << "radius " << r << " voxel " << v;
            ASSERT_NEAR(mean[v], s / n, 1e-6) << "radius " << r << " voxel " << v;
        }
    }
}

TEST(BoxFilter, TwoDimensionsAndAConstantStaysConstant) {
    ScalarImage<2> image(Grid<2>::from_spacing({9, 4}, VecD<2>(1, 1)), 3.5f);
    const ScalarImage<2> mean = box_mean(image, 3);
    for (const float v : mean.voxels()) ASSERT_FLOAT_EQ(v, 3.5f);
    image.at({4, 2}) = 10;
    const ScalarImage<2> sum = box_sum(image, 1);
    EXPECT_FLOAT_EQ(sum.at({4, 2}), 8 * 3.5f + 10);  // 3x3 box
    EXPECT_FLOAT_EQ(sum.at({0, 0}), 4 * 3.5f);       // cut to 2x2 in the corner
}

TEST(BoxFilter, SameBytesForOneAndTwoThreads) {
    const ScalarImage<3> image = random_image({600, 9, 7}, 5);  // rows longer than one block
    set_thread_count(1);
    const ScalarImage<3> one = box_mean(image, 2);
    set_thread_count(2);
    const ScalarImage<3> two = box_mean(image, 2);
    set_thread_count(0);
    for (Index v = 0; v < image.voxel_count(); ++v) ASSERT_EQ(one[v], two[v]);
}

TEST(DistanceTransform, EqualsBruteForceOnAnAnisotropicGrid) {
    ScalarImage<3> features = random_image({13, 11, 9}, 3, 0.7);
    for (float& v : features.voxels()) v = v > 0.93f ? 1.0f : 0.0f;  // a few scattered points
    const ScalarImage<3> d = distance_transform(features);
    const Grid<3>& g = features.grid();
    for (Index v = 0; v < g.voxel_count(); ++v) {
        double best = std::numeric_limits<double>::infinity();
        for (Index w = 0; w < g.voxel_count(); ++w)
            if (features[w] > 0.5f) {
                const Size<3> a = g.index_of(v), b = g.index_of(w);
                VecD<3> delta;
                for (int k = 0; k < 3; ++k) delta[k] = static_cast<double>(a[k] - b[k]) * g.spacing()[k];
                best = std::min(best, delta.norm());
            }
        ASSERT_NEAR(d[v], best, 1e-4) << "voxel " << v;
    }
}

TEST(DistanceTransform, NoFeatureIsInfinitelyFar) {
    const ScalarImage<2> none(Grid<2>::from_spacing({5, 4}, VecD<2>(1, 1)));
    const ScalarImage<2> d = distance_transform(none);
    for (const float v : d.voxels()) EXPECT_TRUE(std::isinf(v));
}
