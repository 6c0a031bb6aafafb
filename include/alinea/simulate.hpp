#pragma once
// A registration problem with a known answer, made from a real image: the input is
// the fixed image, and the moving image is the same anatomy under a random affine and
// a random smooth diffeomorphism, with optional bias field, noise and a non-monotonic
// intensity map (another "contrast").
//
// The truth is written the way a registration writes its result (ANTs order,
// `-t warp -t affine`): the fixed -> moving map is
//     phi(x) = A(x + u(x)),   u = exp(v)  on the fixed grid,
// so that the moving image satisfies moving(phi(x)) ~ fixed(x). The moving image is on
// the fixed grid and is built by pulling the fixed image through the inverse map,
//     moving(y) = fixed(phi^-1(y)),   phi^-1(y) = z + w(z),  z = A^-1 y,  w = exp(-v),
// with cubic B-spline interpolation clipped to the fixed image's range. The velocity
// is Gaussian-smoothed white noise that fades to zero over the outer 10 % of the grid,
// so the warp is zero at the border, where fields are extended differently by
// different operations (border values vs zero).
#include "alinea/transform_chain.hpp"

#include <cstdint>

namespace alinea {

struct SimulationOptions {
    std::uint64_t seed = 0;
    double rotation = 0;      // degrees: each rotation angle uniform in [-rotation, rotation]
    double scale = 0;         // per-axis scale uniform in [1 - scale, 1 + scale]
    double shear = 0;         // each shear coefficient uniform in [-shear, shear]
    double translation = 0;   // mm: each component uniform in [-translation, translation]
    double deformation = 0;   // mm: largest displacement of the warp (0: no warp)
    double smoothness = 12;   // mm: Gaussian sigma of the velocity's white noise
    // mm: when > 0 the warp is instead a cubic B-spline displacement with random
    // coefficients on a control grid of this spacing (elastix's and NiftyReg's model),
    // and its inverse is computed by fixed-point iteration.
    double bspline_spacing = 0;
    double bias = 0;          // multiplicative bias within about [1/(1 + bias), 1 + bias]
    double noise = 0;         // Gaussian noise sigma as a fraction of the robust range
    bool remap = false;       // non-monotonic intensity map (see remap_intensity)
};

// The random affine's parameters, as drawn (for reports). 2-D: one angle, one shear.
template <int D>
struct AffineParameters {
    std::vector<double> angles;  // degrees, about x, y, z (3-D) or in-plane (2-D)
    VecD<D> scales = VecD<D>::Ones();
    std::vector<double> shears;  // xy, xz, yz (3-D) or xy (2-D)
    VecD<D> translation = VecD<D>::Zero();
};

template <int D>
struct Simulation {
    AffineParameters<D> parameters;
    Affine<D> affine;                // A: M (x - c) + c + t about the grid centre c
    VectorField<D> warp;             // u = exp(v) (or the B-spline field) on the fixed grid (empty: none)
    VectorField<D> inverse_warp;     // w = exp(-v) (or the B-spline field's inverse)
    ScalarImage<D> moving;           // on the fixed grid
    ScalarImage<D> moving_labels;    // empty unless labels were given

    // fixed -> moving: x -> A(x + u(x)) (steps()[0] = the warp).
    TransformChain<D> truth() const;
    // moving -> fixed: y -> z + w(z), z = A^-1 y.
    TransformChain<D> inverse() const;
};

// Deterministic for a given seed, whatever the thread count. Labels, if given, are
// carried to the moving grid by the same inverse map with label interpolation (they
// may be on any grid: they are sampled in physical space).
template <int D>
Simulation<D> simulate(const ScalarImage<D>& fixed, const SimulationOptions& options,
                       const ScalarImage<D>* labels = nullptr);

// The intensity map of --remap, imitating another contrast. With t = (v - lo) / range
// (lo, range: 1st percentile and 99th - 1st percentile of the fixed image),
//     v -> lo + range * [(1 - m) t + m (1 - cos(c pi t)) / 2],   m = 0.7,
// c drawn uniformly in [1.5, 2.5]: background (t = 0) stays put, t = 1/c becomes the
// brightest and brighter values fall again (in a T1 brain, grey matter ends up
// brighter than white matter, as in T2-like contrasts), so only a statistical metric
// (mutual information) can match the pair.
float remap_intensity(float value, float lo, float range, double c);

}  // namespace alinea
