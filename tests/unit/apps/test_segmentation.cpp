// segment_image on small phantoms: atlases (a blob and its label, moved) registered to
// the target bring the label back onto it; an atlas that cannot be registered is left
// out with its name, and the segmentation goes on; a given transform is not registered
// again; cancelling stops it.
#include "alinea/label_agreement.hpp"
#include "alinea/segmentation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace alinea;

namespace {

Grid<2> grid() { return Grid<2>::from_spacing({48, 44}, VecD<2>(1.0, 1.0)); }

// A smooth bright ellipse centred at c; its label is the set where it exceeds half.
ScalarImage<2> blob(const VecD<2>& c) {
    ScalarImage<2> image(grid());
    for (Index v = 0; v < image.voxel_count(); ++v) {
        const Size<2> i = grid().index_of(v);
        const double dx = (static_cast<double>(i[0]) - c[0]) / 10, dy = (static_cast<double>(i[1]) - c[1]) / 7;
        image[v] = static_cast<float>(100 * std::exp(-(dx * dx + dy * dy)));
    }
    return image;
}

ScalarImage<2> label_of(const ScalarImage<2>& image) {
    ScalarImage<2> labels(image.grid());
    for (Index v = 0; v < image.voxel_count(); ++v) labels[v] = image[v] > 100 * std::exp(-1.0) ? 3.0f : 0.0f;
    return labels;
}

class Recorder : public SegmentationObserver {
public:
    std::vector<std::string> failed;
    int started = 0, fused = 0;
    bool cancel = false;
    void atlas_started(std::size_t, std::size_t, const std::string&) override { ++started; }
    void atlas_failed(std::size_t, const std::string& name, const std::string&) override { failed.push_back(name); }
    void fusion_started(FusionMethod, std::size_t) override { ++fused; }
    bool stop_requested() override { return cancel; }
};

SegmentationOptions translation_plan() {
    SegmentationOptions o;
    o.plan = parse_registration_plan("--transform translation --metric ssd --levels 2x1 --smoothing 1x0vox --iterations 60x40");
    o.fusion.method = FusionMethod::majority;
    return o;
}

}  // namespace

TEST(Segmentation, AtlasesRegisteredToTheTargetBringTheLabelBack) {
    const ScalarImage<2> target = blob({24, 22});
    const ScalarImage<2> a1 = blob({28, 20}), a2 = blob({21, 25}), a3 = blob({25, 18});
    const ScalarImage<2> l1 = label_of(a1), l2 = label_of(a2), l3 = label_of(a3);
    ScalarImage<2> broken(grid(), std::numeric_limits<float>::quiet_NaN());
    const std::vector<Atlas<2>> atlases{{"one", a1, l1}, {"broken", broken, l1}, {"two", a2, l2}, {"three", a3, l3}};
    Recorder observer;
    const Segmentation<2> s = segment_image<2>(target, atlases, translation_plan(), nullptr, observer);
    EXPECT_EQ(observer.started, 4);
    EXPECT_EQ(observer.fused, 1);
    ASSERT_EQ(observer.failed, std::vector<std::string>{"broken"});
    ASSERT_EQ(s.failures.size(), 1u);
    EXPECT_NE(s.failures[0].find("broken"), std::string::npos);
    EXPECT_EQ(s.atlas_index, (std::vector<std::size_t>{0, 2, 3}));
    const double before = compare_labels(label_of(target), l1, false).mean_dice;
    const double after = compare_labels(label_of(target), s.fused.labels, false).mean_dice;
    EXPECT_LT(before, 0.8);
    EXPECT_GT(after, 0.97);
}

TEST(Segmentation, AGivenTransformIsNotRegisteredAgain) {
    const ScalarImage<2> target = blob({24, 22}), a1 = blob({28, 20});
    const ScalarImage<2> l1 = label_of(a1);
    TransformChain<2> shift;  // target -> atlas: x -> x + (4, -2)
    Affine<2> t;
    t.offset = VecD<2>(4, -2);
    shift.then(t);
    const std::vector<Atlas<2>> atlases{{"given", a1, l1, shift}};
    Recorder observer;
    const Segmentation<2> s = segment_image<2>(target, atlases, translation_plan(), nullptr, observer);
    EXPECT_TRUE(s.atlases[0].stages.empty());
    EXPECT_GT(compare_labels(label_of(target), s.fused.labels, false).mean_dice, 0.97);
}

TEST(Segmentation, NoUsableAtlasOrACancelIsAnError) {
    const ScalarImage<2> target = blob({24, 22});
    ScalarImage<2> broken(grid(), std::numeric_limits<float>::quiet_NaN());
    const ScalarImage<2> labels = label_of(target);
    Recorder observer;
    const std::vector<Atlas<2>> none{{"broken", broken, labels}};
    EXPECT_THROW(segment_image<2>(target, none, translation_plan(), nullptr, observer), Error);
    const std::vector<Atlas<2>> fine{{"fine", target, labels}};
    observer.cancel = true;
    EXPECT_THROW(segment_image<2>(target, fine, translation_plan(), nullptr, observer), Cancelled);
}
