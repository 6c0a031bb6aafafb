#include "alinea/simulate.hpp"

#include "alinea/bspline_field.hpp"

#include "alinea/displacement.hpp"
#include "alinea/parallel.hpp"
#include "alinea/resample_chain.hpp"
#include "alinea/smooth.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace alinea {

namespace {

// Counter-based random numbers (the SplitMix64 sequence, which can be entered at any
// index): value i of a stream is a pure function of (seed, stream, i), so fields fill
// in parallel with results independent of the thread count, and each ingredient has
// its own stream: adding noise does not change the deformation drawn for a seed.
class RandomStream {
public:
    RandomStream(std::uint64_t seed, std::uint64_t stream) : key_(mix(seed ^ mix(stream * golden + 1))) {}
    double uniform(std::uint64_t i) const {  // [0, 1), 53 random bits
        return static_cast<double>(mix(key_ + (i + 1) * golden) >> 11) * 0x1p-53;
    }
    double uniform(std::uint64_t i, double lo, double hi) const { return lo + (hi - lo) * uniform(i); }
    double gaussian(std::uint64_t i) const {  // Box-Muller, one value per pair of uniforms
        const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform(2 * i)));
        return radius * std::cos(2.0 * std::numbers::pi * uniform(2 * i + 1));
    }

private:
    static constexpr std::uint64_t golden = 0x9e3779b97f4a7c15ULL;
    static std::uint64_t mix(std::uint64_t z) {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::uint64_t key_;
};

enum Stream : std::uint64_t { affine_stream = 1, bias_stream, noise_stream, remap_stream, velocity_stream };

template <int D>
AffineParameters<D> draw_affine(const SimulationOptions& o) {
    const RandomStream r(o.seed, affine_stream);
    constexpr int rotations = D == 2 ? 1 : 3;  // also the number of shears
    AffineParameters<D> p;
    std::uint64_t k = 0;
    for (int i = 0; i < rotations; ++i) p.angles.push_back(r.uniform(k++, -o.rotation, o.rotation));
    for (int a = 0; a < D; ++a) p.scales[a] = r.uniform(k++, 1 - o.scale, 1 + o.scale);
    for (int i = 0; i < rotations; ++i) p.shears.push_back(r.uniform(k++, -o.shear, o.shear));
    for (int a = 0; a < D; ++a) p.translation[a] = r.uniform(k++, -o.translation, o.translation);
    return p;
}

// M = R Sh S (scale, then shear, then rotate), about the grid centre c:
// A(x) = M (x - c) + c + t, so that the image stays roughly in its field of view.
template <int D>
Affine<D> affine_from(const AffineParameters<D>& p, const VecD<D>& center) {
    constexpr double degree = std::numbers::pi / 180;
    MatD<D> rotation, shear = MatD<D>::Identity();
    if constexpr (D == 2) {
        rotation = Eigen::Rotation2Dd(p.angles[0] * degree).toRotationMatrix();
        shear(0, 1) = p.shears[0];
    } else {
        rotation = (Eigen::AngleAxisd(p.angles[2] * degree, VecD<3>::UnitZ()) *
                    Eigen::AngleAxisd(p.angles[1] * degree, VecD<3>::UnitY()) *
                    Eigen::AngleAxisd(p.angles[0] * degree, VecD<3>::UnitX()))
                       .toRotationMatrix();
        shear(0, 1) = p.shears[0];
        shear(0, 2) = p.shears[1];
        shear(1, 2) = p.shears[2];
    }
    Affine<D> a;
    a.matrix = rotation * shear * p.scales.asDiagonal();
    a.offset = center + p.translation - a.matrix * center;
    return a;
}

// A grid over the same box, `factor` times coarser along each axis, with `pad` extra
// voxels on every side: coarse index = fine index / factor + pad.
template <int D>
Grid<D> coarse_grid(const Grid<D>& grid, const VecD<D>& factor, const VecD<D>& pad) {
    Size<D> size;
    for (int a = 0; a < D; ++a)
        size[a] = static_cast<Index>(std::ceil(static_cast<double>(grid.size(a) - 1) / factor[a])) + 1 +
                  2 * static_cast<Index>(pad[a]);
    const MatD<D> linear = grid.linear() * factor.asDiagonal();
    return Grid<D>(size, linear, grid.origin() - linear * pad);
}

// Per-axis integer factors that make voxels about `mm` wide (never finer than the grid).
template <int D>
VecD<D> coarsening(const Grid<D>& grid, double mm) {
    VecD<D> f;
    for (int a = 0; a < D; ++a) f[a] = std::max(1.0, std::floor(mm / grid.spacing()[a]));
    return f;
}

// Gaussian-smoothed white noise on `grid` (unnormalised). Smoothing at full resolution
// would cost a 6-sigma kernel per voxel and axis; the noise is smoothed instead on a
// grid a few times coarser (still two or more samples per sigma) and interpolated,
// which is as smooth for a fraction of the time. The coarse grid reaches 3 sigma past
// the image on every side so that the border renormalisation of the smoothing does
// not make the noise stronger near the border.
template <int D>
ScalarImage<D> smooth_noise(const Grid<D>& grid, double sigma_mm, const RandomStream& random) {
    const VecD<D> factor = coarsening(grid, sigma_mm / 2);
    const VecD<D> sigma = sigma_in_voxels(grid, sigma_mm).cwiseQuotient(factor);
    const VecD<D> pad = (3 * sigma).array().ceil().matrix();
    ScalarImage<D> coarse(coarse_grid(grid, factor, pad));
    parallel_for(coarse.voxel_count(), [&](Index i) { coarse[i] = static_cast<float>(random.gaussian(static_cast<std::uint64_t>(i))); });
    gaussian_smooth(coarse, sigma);
    ScalarImage<D> out(grid);
    for_each_row(grid, [&](Index offset, VecD<D> index) {
        for (Index x = 0; x < grid.size(0); ++x) {
            index[0] = static_cast<double>(x);
            float v = 0;
            sample_linear(coarse, VecD<D>(index.cwiseQuotient(factor) + pad), v);
            out[offset + x] = v;
        }
    });
    return out;
}

// 0 on the grid's faces, 1 from 10 % of the extent inward (a smoothstep per axis).
// The warp thus vanishes at the border, where the two conventions for a field beyond
// its grid (border values in compose/exponential, zero in a transform chain) would
// otherwise disagree, and exp(v) and exp(-v) stay inverse up to the border.
template <int D>
double taper(const Grid<D>& grid, const VecD<D>& index) {
    double w = 1;
    for (int a = 0; a < D; ++a) {
        const double last = static_cast<double>(grid.size(a) - 1);
        if (last <= 0) continue;
        const double t = std::clamp(std::min(index[a], last - index[a]) / (0.1 * last), 0.0, 1.0);
        w *= t * t * (3 - 2 * t);
    }
    return w;
}

// Smooth random velocity, tapered, with the largest vector of length 1.
template <int D>
VectorField<D> unit_velocity(const Grid<D>& grid, const SimulationOptions& o) {
    std::array<ScalarImage<D>, D> component;
    for (int a = 0; a < D; ++a)
        component[a] = smooth_noise(grid, o.smoothness, RandomStream(o.seed, velocity_stream + static_cast<std::uint64_t>(a)));
    VectorField<D> v(grid);
    for_each_row(grid, [&](Index offset, VecD<D> index) {
        for (Index x = 0; x < grid.size(0); ++x) {
            index[0] = static_cast<double>(x);
            const float w = static_cast<float>(taper(grid, index));
            for (int a = 0; a < D; ++a) v[offset + x][a] = w * component[a][offset + x];
        }
    });
    const double m = max_norm(v);
    if (m > 0)
        for (Vec<D>& x : v.voxels()) x /= static_cast<float>(m);
    return v;
}

template <int D>
VectorField<D> scaled(const VectorField<D>& v, double s) {
    VectorField<D> out = v;
    for (Vec<D>& x : out.voxels()) x *= static_cast<float>(s);
    return out;
}

// The velocity is scaled so that the largest displacement of exp(v) is about the
// requested one. The displacement is nearly proportional to the velocity, so a few
// secant-like corrections bring it within 1 %; they run on a grid about smoothness / 3
// coarse (the field is smooth at that scale, and a full-resolution exponential of a
// brain takes seconds), then the full-resolution warp and its inverse are computed once.
template <int D>
void make_deformation(const Grid<D>& grid, const SimulationOptions& o, Simulation<D>& sim) {
    const VectorField<D> unit = unit_velocity(grid, o);
    if (max_norm(unit) == 0) return;
    const VectorField<D> coarse =
        resample_field(unit, coarse_grid<D>(grid, coarsening(grid, o.smoothness / 3), VecD<D>::Zero()));
    const double target = o.deformation;
    double s = target;
    for (int k = 0; k < 4; ++k) {
        const double m = max_norm(exponential(scaled(coarse, s)));
        if (m == 0 || std::abs(m - target) <= 0.01 * target) break;
        s *= target / m;
    }
    sim.warp = exponential(scaled(unit, s));
    sim.inverse_warp = exponential(scaled(unit, -s));
}

// A cubic B-spline displacement: Gaussian random coefficients on a control grid of
// the given spacing, tapered like the velocity, scaled so that its largest vector is
// the requested displacement; the inverse by fixed-point iteration.
template <int D>
void make_bspline_deformation(const Grid<D>& grid, const SimulationOptions& o, Simulation<D>& sim) {
    VectorField<D> coefficients(control_grid(grid, o.bspline_spacing));
    const RandomStream random(o.seed, velocity_stream);
    parallel_for(coefficients.voxel_count(), [&](Index i) {
        for (int a = 0; a < D; ++a)
            coefficients[i][a] = static_cast<float>(random.gaussian(static_cast<std::uint64_t>(i * D + a)));
    });
    VectorField<D> u = bspline_displacement(coefficients, grid);
    for_each_row(grid, [&](Index offset, VecD<D> index) {
        for (Index x = 0; x < grid.size(0); ++x) {
            index[0] = static_cast<double>(x);
            u[offset + x] *= static_cast<float>(taper(grid, index));
        }
    });
    const double m = max_norm(u);
    if (m == 0) return;
    const float scale = static_cast<float>(o.deformation / m);
    parallel_for(u.voxel_count(), [&](Index i) { u[i] *= scale; });
    sim.inverse_warp = invert(u, 50);
    sim.warp = std::move(u);
}

// 1st and 99th percentiles of the voxel values.
template <int D>
std::pair<float, float> robust_limits(const ScalarImage<D>& image) {
    std::vector<float> v(image.voxels().begin(), image.voxels().end());
    std::erase_if(v, [](float x) { return !std::isfinite(x); });
    if (v.empty()) return {0.0f, 1.0f};
    auto at = [&](double q) {
        auto it = v.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(v.size() - 1));
        std::nth_element(v.begin(), it, v.end());
        return *it;
    };
    const float lo = at(0.01), hi = at(0.99);
    return {lo, hi > lo ? hi : lo + 1.0f};
}

}  // namespace

float remap_intensity(float value, float lo, float range, double c) {
    constexpr double m = 0.7;
    const double t = (static_cast<double>(value) - lo) / range;
    const double mapped = (1 - m) * t + m * 0.5 * (1 - std::cos(c * std::numbers::pi * t));
    return static_cast<float>(lo + range * mapped);
}

template <int D>
TransformChain<D> Simulation<D>::truth() const {
    TransformChain<D> chain;
    if (!warp.empty()) chain.then(DisplacementField<D>{warp});
    chain.then(affine);
    return chain;
}

template <int D>
TransformChain<D> Simulation<D>::inverse() const {
    TransformChain<D> chain;
    chain.then(affine.inverse());
    if (!inverse_warp.empty()) chain.then(DisplacementField<D>{inverse_warp});
    return chain;
}

template <int D>
Simulation<D> simulate(const ScalarImage<D>& fixed, const SimulationOptions& o, const ScalarImage<D>* labels) {
    const Grid<D>& grid = fixed.grid();
    Simulation<D> sim;
    sim.parameters = draw_affine<D>(o);
    sim.affine = affine_from(sim.parameters, grid.center());
    if (o.deformation > 0 && o.bspline_spacing > 0) make_bspline_deformation(grid, o, sim);
    else if (o.deformation > 0) make_deformation(grid, o, sim);

    const TransformChain<D> back = sim.inverse();
    const auto [lo, hi] = robust_limits(fixed);
    const float range = hi - lo;
    // Cubic B-splines keep the anatomy sharp (linear interpolation would blur it once
    // here and again when the pair is registered); their overshoot at sharp edges (a
    // skull-stripped brain) is clipped to the input's range. Outside the field of view
    // the moving image shows the fixed image's background.
    sim.moving = resample(fixed, grid, back, Interpolation::bspline, lo);
    const auto [min, max] = std::minmax_element(fixed.voxels().begin(), fixed.voxels().end());
    parallel_for(sim.moving.voxel_count(), [&](Index i) { sim.moving[i] = std::clamp(sim.moving[i], *min, *max); });
    if (labels) sim.moving_labels = resample(*labels, grid, back, Interpolation::label, 0.0f);

    if (o.remap) {
        const double c = RandomStream(o.seed, remap_stream).uniform(0, 1.5, 2.5);
        parallel_for(sim.moving.voxel_count(), [&](Index i) { sim.moving[i] = remap_intensity(sim.moving[i], lo, range, c); });
    }
    if (o.bias > 0) {
        // Very smooth: a quarter of the largest extent of the image as sigma.
        double extent = 0;
        for (int a = 0; a < D; ++a)
            extent = std::max(extent, static_cast<double>(grid.size(a) - 1) * grid.spacing()[a]);
        ScalarImage<D> g = smooth_noise(grid, std::max(0.25 * extent, 1.0), RandomStream(o.seed, bias_stream));
        float m = 0;
        for (float x : g.voxels()) m = std::max(m, std::abs(x));
        const double gain = m > 0 ? std::log1p(o.bias) / m : 0.0;
        parallel_for(g.voxel_count(), [&](Index i) { sim.moving[i] *= static_cast<float>(std::exp(gain * g[i])); });
    }
    if (o.noise > 0) {
        const RandomStream random(o.seed, noise_stream);
        const double sigma = o.noise * range;
        parallel_for(sim.moving.voxel_count(), [&](Index i) {
            sim.moving[i] += static_cast<float>(sigma * random.gaussian(static_cast<std::uint64_t>(i)));
        });
    }
    return sim;
}

template struct Simulation<2>;
template struct Simulation<3>;
template Simulation<2> simulate<2>(const ScalarImage<2>&, const SimulationOptions&, const ScalarImage<2>*);
template Simulation<3> simulate<3>(const ScalarImage<3>&, const SimulationOptions&, const ScalarImage<3>*);

}  // namespace alinea
