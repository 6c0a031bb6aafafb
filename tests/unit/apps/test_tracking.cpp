// Tracking on a synthetic series whose truth is known: a textured ellipsoid that grows
// by a known factor and moves along a known path over six noisy frames. Direct and
// hybrid tracking (the default) must give each frame's volume within 2 % and its
// centroid within half a voxel; the chain drifts as its transforms compose (2.7 % two
// frames from the reference here), which is why hybrid refines it: within 4 %.
#include "alinea/tracking.hpp"

#include "alinea/image_io.hpp"
#include "alinea/label_agreement.hpp"
#include "alinea/resample.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace alinea;

namespace {

constexpr int frames = 6;
const Grid<3> grid = Grid<3>::from_spacing({46, 44, 40}, VecD<3>(1.2, 1.0, 1.1), VecD<3>(-27, -22, -22));

double scale_at(int t) { return 1.0 + 0.06 * t; }  // the volume grows to 1.3^3 = 2.2 times
VecD<3> centre_at(int t) { return VecD<3>(1.2 * t, -0.8 * t, 0.3 * t * t / 2); }

// Inside the ellipsoid (semi-axes 12, 10, 9 mm times the frame's scale): its implicit value.
double shape(const VecD<3>& p, int t) {
    const VecD<3> q = (p - centre_at(t)) / scale_at(t);
    return std::sqrt(q[0] * q[0] / 144 + q[1] * q[1] / 100 + q[2] * q[2] / 81);
}

// A bright ellipsoid with a soft edge and an inner pattern that moves with it, in noise.
ScalarImage<3> frame_image(int t) {
    ScalarImage<3> image(grid);
    std::mt19937 rng(100 + t);
    std::normal_distribution<float> noise(0, 2);
    for (Index v = 0; v < image.voxel_count(); ++v) {
        const Size<3> i = grid.index_of(v);
        const VecD<3> p = grid.physical(VecD<3>(double(i[0]), double(i[1]), double(i[2])));
        const VecD<3> q = (p - centre_at(t)) / scale_at(t);
        const double r = shape(p, t);
        const double inside = 1 / (1 + std::exp((r - 1) * 12));
        const double pattern = 0.25 * std::sin(q[0] / 3) * std::cos(q[1] / 2.5);
        image[v] = static_cast<float>(100 * inside * (1 + pattern) + 10 + noise(rng));
    }
    return image;
}

ScalarImage<3> frame_labels(int t) {
    ScalarImage<3> labels(grid);
    for (Index v = 0; v < labels.voxel_count(); ++v) {
        const Size<3> i = grid.index_of(v);
        labels[v] = shape(grid.physical(VecD<3>(double(i[0]), double(i[1]), double(i[2]))), t) <= 1 ? 5.0f : 0.0f;
    }
    return labels;
}

}  // namespace

TEST(Tracking, AGrowingMovingBlobKeepsItsVolumeAndCentroidInEveryMode) {
    std::vector<ScalarImage<3>> series;
    for (int t = 0; t < frames; ++t) series.push_back(frame_image(t));
    const std::size_t reference = 2;  // the middle: tracked forwards and backwards
    const ScalarImage<3> labels = frame_labels(static_cast<int>(reference));
    TrackingObserver quiet;
    for (const TrackingMode mode : {TrackingMode::chain, TrackingMode::direct, TrackingMode::hybrid}) {
        TrackingOptions options;
        options.mode = mode;
        const Tracking<3> tracking = track_labels<3>(series, reference, labels, options, quiet);
        ASSERT_EQ(tracking.frames.size(), static_cast<std::size_t>(frames));
        for (int t = 0; t < frames; ++t) {
            const auto truth = measure_labels(frame_labels(t));
            const auto& found = tracking.frames[static_cast<std::size_t>(t)].measures;
            ASSERT_EQ(found.size(), 1u);
            EXPECT_EQ(found[0].label, 5);
            const double volume_error = std::abs(found[0].volume - truth[0].volume) / truth[0].volume;
            EXPECT_LT(volume_error, mode == TrackingMode::chain ? 0.04 : 0.02) << to_string(mode) << " frame " << t + 1;
            // Half a voxel, in the voxel units of each axis.
            const VecD<3> off = (found[0].centroid - truth[0].centroid).cwiseQuotient(grid.spacing());
            EXPECT_LT(off.cwiseAbs().maxCoeff(), 0.5) << to_string(mode) << " frame " << t + 1;
        }
    }
}

TEST(Tracking, BadInputsAreClearErrors) {
    const std::vector<ScalarImage<3>> series{frame_image(0), frame_image(1)};
    TrackingObserver quiet;
    EXPECT_THROW(track_labels<3>(series, 2, frame_labels(0), {}, quiet), Error);
    EXPECT_THROW(track_labels<3>(series, 0, ScalarImage<3>(grid), {}, quiet), Error);  // no label
    EXPECT_THROW(parse_tracking_mode("drift"), Error);
    // A frame that cannot be registered (no finite voxel) is named, counted from 1.
    std::vector<ScalarImage<3>> broken{frame_image(0), frame_image(1), ScalarImage<3>(grid, std::nanf(""))};
    try {
        track_labels<3>(broken, 0, frame_labels(0), {}, quiet);
        ADD_FAILURE() << "a frame without a finite voxel was tracked";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("frame 3"), std::string::npos) << e.what();
    }
}

// Scans repositioned independently (±12 degrees, 8 mm): a chain that warm-starts each
// registration from its predecessor's result starts the second link from the opposite
// motion. Whatever the chain does, hybrid keeps per frame the better of the refined
// chain and a direct registration, so no frame is lost; the real anatomy is ITK's
// example slice, the labels two intensity classes of it.
TEST(Tracking, HybridSurvivesABrokenChain) {
    const ScalarImage<2> base =
        read_image<2>("/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainProtonDensitySlice.png");
    ScalarImage<2> labels(base.grid());
    for (Index v = 0; v < labels.voxel_count(); ++v) labels[v] = base[v] > 150 ? 2.0f : base[v] > 90 ? 1.0f : 0.0f;
    const VecD<2> centre = base.grid().center();
    std::vector<ScalarImage<2>> series;
    std::vector<ScalarImage<2>> truth;
    for (int t = 0; t < 5; ++t) {
        const double angle = (t % 2 ? 12.0 : -12.0) * (t > 0) * M_PI / 180;
        Affine<2> motion;  // frame point -> reference point
        motion.matrix << std::cos(angle), -std::sin(angle), std::sin(angle), std::cos(angle);
        motion.offset = centre - motion.matrix * centre + VecD<2>(t % 2 ? 8.0 : -8.0, 4.0) * (t > 0);
        series.push_back(resample(base, base.grid(), motion, Interpolation::linear));
        truth.push_back(resample(labels, base.grid(), motion, Interpolation::label));
    }
    TrackingOptions options = TrackingOptions::preset(TrackingMotion::large);
    options.chain_warm_start = true;  // the wrong start for independent scans
    TrackingObserver quiet;
    const Tracking<2> tracking = track_labels<2>(series, 0, labels, options, quiet);
    for (std::size_t t = 1; t < series.size(); ++t) {
        const LabelComparison agreement = compare_labels(tracking.frames[t].labels, truth[t], false);
        EXPECT_GT(agreement.mean_dice, 0.93) << "frame " << t + 1 << " (kept: " << tracking.frames[t].origin << ")";
        EXPECT_TRUE(tracking.frames[t].origin == "chain" || tracking.frames[t].origin == "direct");
    }
    EXPECT_EQ(tracking.frames[0].origin, "reference");
}
