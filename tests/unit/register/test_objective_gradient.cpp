

// The linear stage's analytic gradient (metric derivative x moving image gradient x
// transform Jacobian) against central finite differences of its value, for every
// metric and every linear model, in 2-D and 3-D, with and without a fixed mask.
// The fixed grid lies well inside the moving one, so that no sample leaves the
// moving image while the parameters are perturbed: a sample crossing the border (or
// a moving-mask edge) is a true discontinuity of the value that no gradient sees.
#include "register/linear_objective.hpp"

#include "alinea/resample.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace alinea;

namespace {

// A smooth random image: blobs on an oblique, anisotropic grid.
template <int D>
ScalarImage<D> blobs(const Grid<D>& grid, unsigned seed, bool remap) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    ScalarImage<D> image(grid);
    for (int b = 0; b < 12; ++b) {
        VecD<D> c;
        for (int a = 0; a < D; ++a) c[a] = u(rng) * static_cast<double>(grid.size(a) - 1);
        const double amplitude = 50 + 100 * u(rng), width = 2 + 3 * u(rng);
        for (Index i = 0; i < image.voxel_count(); ++i) {
            const Size<D> idx = grid.index_of(i);
            double r2 = 0;
            for (int a = 0; a < D; ++a) r2 += (idx[a] - c[a]) * (idx[a] - c[a]);
            image[i] += static_cast<float>(amplitude * std::exp(-r2 / (2 * width * width)));
        }
    }
    // A faint texture everywhere: no window is flat (in flat windows local NCC is
    // 0/0, guarded by an epsilon, and its value is not differentiable).
    for (Index i = 0; i < image.voxel_count(); ++i) {
        const Size<D> idx = grid.index_of(i);
        double phase = 0;
        for (int a = 0; a < D; ++a) phase += (0.5 + 0.23 * a) * static_cast<double>(idx[a]);
        image[i] += static_cast<float>(8 * std::sin(phase) + 20);
    }
    if (remap)  // a non-linear, non-monotonic intensity map (another "contrast")
        for (float& v : image.voxels()) v = 200 * std::sin(v / 60.0f) + 0.3f * v;
    return image;
}

template <int D>
Grid<D> oblique_grid(const Size<D>& size) {
    MatD<D> rotation = MatD<D>::Identity();
    if constexpr (D == 2) rotation = Eigen::Rotation2Dd(0.2).toRotationMatrix();
    else rotation = Eigen::AngleAxisd(0.2, VecD<3>(1, 2, 3).normalized()).toRotationMatrix();
    VecD<D> spacing;
    for (int a = 0; a < D; ++a) spacing[a] = 0.9 + 0.15 * a;
    return Grid<D>::from_spacing(size, spacing, VecD<D>::Constant(-5), rotation);
}

template <int D>
ScalarImage<D> box_mask(const Grid<D>& grid) {
    ScalarImage<D> m(grid);
    for (Index i = 0; i < m.voxel_count(); ++i) {
        const Size<D> idx = grid.index_of(i);
        bool in = true;
        for (int a = 0; a < D; ++a) in = in && idx[a] >= 2 && idx[a] < grid.size(a) - 3;
        m[i] = in ? 1.0f : 0.0f;
    }
    return m;
}

template <int D>
void check(LinearModel model, const std::string& metric_spec, bool masks, const Size<D>& size) {
    const Grid<D> grid = oblique_grid<D>(size);
    const bool remap = metric_spec.rfind("mi", 0) == 0;
    const ScalarImage<D> moving = blobs(grid, 1, remap);
    // The fixed image: the same blobs on a grid 4 voxels in from every side.
    Size<D> inner;
    for (int a = 0; a < D; ++a) inner[a] = size[a] - 8;
    const Grid<D> fixed_grid(inner, grid.linear(), grid.physical(VecD<D>::Constant(4)));
    const ScalarImage<D> fixed = resample(blobs(grid, 1, false), fixed_grid, Affine<D>{}, Interpolation::linear);
    const ScalarImage<D> mask = box_mask(fixed_grid);
    const LinearParameterization<D> p(model, grid.center());
    Affine<D> initial;
    initial.offset = VecD<D>::Constant(0.7);
    const LinearObjective<D> objective(fixed, moving, masks ? &mask : nullptr, nullptr,
                                       parse_metric(metric_spec), 0, p, initial);
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(-1, 1);
    Parameters theta = p.identity();
    for (int k = 0; k < p.size(); ++k) theta[k] += k < p.size() - D ? 0.02 * u(rng) : 0.8 * u(rng);
    Parameters analytic;
    objective(theta, &analytic);
    const double scale = analytic.cwiseAbs().maxCoeff();
    ASSERT_GT(scale, 0);
    for (int k = 0; k < p.size(); ++k) {
        // The value is continuous but only piecewise smooth (multilinear interpolation
        // has kinks at voxel boundaries), so a central difference over [-h, h] is
        // compared with the mean of the analytic derivative over the same interval
        // (exact by the fundamental theorem of calculus), not with its value at 0.
        const double h = k < p.size() - D ? 2e-3 : 5e-2;  // radians (or scale) vs mm
        Parameters plus = theta, minus = theta;
        plus[k] += h;
        minus[k] -= h;
        const double numeric = (objective(plus, nullptr) - objective(minus, nullptr)) / (2 * h);
        constexpr int points = 24;
        double mean_analytic = 0;
        for (int j = 0; j < points; ++j) {
            Parameters t = theta, g;
            t[k] += h * (-1 + (2 * j + 1) / double(points));
            objective(t, &g);
            mean_analytic += g[k] / points;
        }
        EXPECT_NEAR(mean_analytic, numeric, 0.01 * std::abs(numeric) + 1e-3 * scale)
            << metric_spec << " " << to_string(model) << " " << D << "-D masks=" << masks << " parameter " << k
            << " (analytic at 0: " << analytic[k] << ")";
    }
}

}  // namespace

class ObjectiveGradient : public ::testing::TestWithParam<std::string> {};

TEST_P(ObjectiveGradient, MatchesFiniteDifferences2D) {
    for (LinearModel m : {LinearModel::translation, LinearModel::rigid, LinearModel::similarity, LinearModel::affine})
        for (bool masks : {false, true}) check<2>(m, GetParam(), masks, {44, 40});
}

TEST_P(ObjectiveGradient, MatchesFiniteDifferences3D) {
    for (LinearModel m : {LinearModel::rigid, LinearModel::affine})
        for (bool masks : {false, true}) check<3>(m, GetParam(), masks, {26, 24, 22});
}

INSTANTIATE_TEST_SUITE_P(Metrics, ObjectiveGradient, ::testing::Values("ssd", "ncc", "lncc:radius=2", "mi:bins=16"),
                         [](const auto& info) {
                             std::string name = info.param.substr(0, info.param.find(':'));
                             return name;
                         });
