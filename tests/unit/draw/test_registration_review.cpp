// The review of a registration: its pictures carry their titles and colour-bar texts,
// and its warnings say what went wrong (and nothing when nothing did).
#include "alinea/registration_review.hpp"

#include "alinea/displacement.hpp"

#include "unit/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace alinea {
namespace {

bool has_text(const Picture& p, const std::string& s) { return std::find(p.texts.begin(), p.texts.end(), s) != p.texts.end(); }

bool any_warning(const RegistrationReview& r, const std::string& part) {
    return std::any_of(r.warnings.begin(), r.warnings.end(), [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

// A blob phantom at 2 mm, 24^3.
struct Phantom {
    Grid<3> grid = Grid<3>::from_spacing({24, 24, 24}, {2, 2, 2}, {-23, -23, -23});
    ScalarImage<3> image = test::sample_function(grid, [](const VecD<3>& p) {
        return 100 * std::exp(-p.squaredNorm() / (2 * 12.0 * 12.0)) + 20 * std::exp(-(p - VecD<3>(8, 0, 4)).squaredNorm() / 18);
    });
};

// A result made by hand: `scale` - 1 of uniform expansion in the deformable part, and
// one linear level whose metric went from `before` to `after`.
RegistrationResult<3> made_result(const Grid<3>& g, double scale, double before, double after) {
    RegistrationResult<3> r;
    r.fixed_grid = g;
    VectorField<3> u(g);
    for (Index i = 0; i < g.voxel_count(); ++i) u[i] = ((scale - 1) * g.physical(test::voxel_index(g, i))).cast<float>();
    DeformableResult<3> d;
    d.warp = u;
    d.inverse_warp = u;
    d.jacobian = jacobian_summary(jacobian_determinant(u));
    r.deformation = std::move(d);
    LevelReport level;
    level.model = "affine";
    level.metric = "ncc";
    level.levels = 1;
    level.initial_value = before;
    level.result.value = after;
    level.result.trace = {before + 0.5 * (after - before), after};
    r.stages = {StageReport{0, "--transform affine", {level}, 0.1}};
    return r;
}

TEST(RegistrationReview, PicturesHaveTheirTitlesAndColourBars) {
    const Phantom ph;
    const RegistrationResult<3> result = made_result(ph.grid, 1.0, -0.5, -0.9);
    const RegistrationReview review = review_registration(result, RegistrationReviewInputs<3>{ph.image, ph.image, ph.image});
    ASSERT_EQ(review.pictures.size(), 4u);
    EXPECT_EQ(review.pictures[0].name, "alignment");
    EXPECT_EQ(review.pictures[2].name, "deformation");
    const Picture& alignment = review.pictures[0].picture;
    for (const char* s : {"Registration: the moving image before and after, on the fixed image's grid", "fixed",
                          "moving, before", "moving, after", "fixed edges on after", "checkerboard fixed / after",
                          "fixed intensity", "moving intensity", "edges of the fixed image", "axial", "coronal", "sagittal"})
        EXPECT_TRUE(has_text(alignment, s)) << s;
    const Picture& deformation = review.pictures[2].picture;
    for (const char* s : {"The deformation: local volume change and the deformed grid", "log Jacobian determinant",
                          "log det J (> 0: the moving image is larger there)", "deformed 2 mm grid on fixed"})
        EXPECT_TRUE(has_text(deformation, s)) << s;
    const Picture& convergence = review.pictures[3].picture;
    for (const char* s : {"stage 1: affine, ncc", "iteration", "level 1 (shrink 1)"}) EXPECT_TRUE(has_text(convergence, s)) << s;
    EXPECT_TRUE(review.warnings.empty()) << review.warnings.front();
    EXPECT_NEAR(review.start_overlap, 1, 1e-12);
    ASSERT_TRUE(review.mean_jacobian);
    EXPECT_NEAR(*review.mean_jacobian, 1, 1e-6);
}

TEST(RegistrationReview, WarnsAboutAWorseMetricAndAVolumeChange) {
    const Phantom ph;
    const RegistrationResult<3> result = made_result(ph.grid, 1.1, -0.9, -0.5);  // det J = 1.331
    RegistrationReviewInputs<3> in{ph.image, ph.image, ph.image};
    in.pictures = false;
    const RegistrationReview review = review_registration(result, in);
    EXPECT_TRUE(review.pictures.empty());
    EXPECT_TRUE(any_warning(review, "level 1: the metric got worse (-0.9 to -0.5)"));
    EXPECT_TRUE(any_warning(review, "the mean Jacobian determinant inside the fixed image's foreground is 1.331"));
    EXPECT_FALSE(any_warning(review, "barely overlap"));
}

TEST(RegistrationReview, WarnsWhenTheImagesBarelyOverlapAtTheStart) {
    const Phantom ph;
    RegistrationResult<3> result = made_result(ph.grid, 1.0, -0.5, -0.9);
    result.initial_affine.offset = VecD<3>(40, 0, 0);  // fixed points map 40 mm away, most outside the moving box
    RegistrationReviewInputs<3> in{ph.image, ph.image, ph.image};
    in.pictures = false;
    const RegistrationReview review = review_registration(result, in);
    EXPECT_LT(review.start_overlap, 0.5);
    EXPECT_TRUE(any_warning(review, "the images barely overlap at the start"));
}

TEST(RegistrationReview, SlicesCutWhereAsked) {
    const Phantom ph;
    const RegistrationResult<3> result = made_result(ph.grid, 1.0, -0.5, -0.9);
    RegistrationReviewInputs<3> in{ph.image, ph.image, ph.image};
    in.through = VecD<3>(4, -6, 10);  // LPS: RAS x = -4, y = 6
    const RegistrationReview review = review_registration(result, in);
    for (const char* s : {"z = 10.0 mm", "y = 6.0 mm", "x = -4.0 mm"}) EXPECT_TRUE(has_text(review.pictures[0].picture, s)) << s;
}

}  // namespace
}  // namespace alinea
