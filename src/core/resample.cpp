#include "alinea/resample.hpp"

#include "alinea/parallel.hpp"

namespace alinea {

namespace {

// A sampler that knows the interpolation; built once per resampling.
template <int D>
struct Sampler {
    const ScalarImage<D>& input;
    Interpolation interpolation;
    ScalarImage<D> coefficients;  // only for bspline

    Sampler(const ScalarImage<D>& in, Interpolation how) : input(in), interpolation(how) {
        if (how == Interpolation::bspline) coefficients = bspline_coefficients(in);
    }
    float operator()(const VecD<D>& ci, float outside) const {
        float v = outside;
        switch (interpolation) {
            case Interpolation::nearest: sample_nearest(input, ci, v); break;
            case Interpolation::linear: sample_linear(input, ci, v); break;
            case Interpolation::bspline: sample_bspline(coefficients, ci, v); break;
            case Interpolation::label: sample_label(input, ci, v); break;
        }
        return v;
    }
};

}  // namespace

template <int D>
ScalarImage<D> resample(const ScalarImage<D>& input, const Grid<D>& target, const Affine<D>& transform,
                        Interpolation interpolation, float outside) {
    const Sampler<D> sample(input, interpolation);
    // Target index -> input continuous index is one affine map: step along rows.
    const Grid<D>& in = input.grid();
    const MatD<D> m = in.inverse_linear() * transform.matrix * target.linear();
    const VecD<D> c = in.inverse_linear() * (transform.matrix * target.origin() + transform.offset - in.origin());
    ScalarImage<D> out(target);
    float* o = out.data();
    for_each_row(target, [&](Index offset, const VecD<D>& row) {
        VecD<D> ci = m * row + c;
        const VecD<D> step = m.col(0);
        for (Index x = 0; x < target.size(0); ++x, ci += step) o[offset + x] = sample(ci, outside);
    });
    return out;
}

template <int D>
ScalarImage<D> resample(const ScalarImage<D>& input, const Grid<D>& target,
                        const TransformChain<D>& transform, Interpolation interpolation, float outside) {
    Affine<D> affine;
    if (transform.is_affine(&affine)) return resample(input, target, affine, interpolation, outside);
    const Sampler<D> sample(input, interpolation);
    ScalarImage<D> out(target);
    float* o = out.data();
    for_each_row(target, [&](Index offset, VecD<D> index) {
        for (Index x = 0; x < target.size(0); ++x) {
            index[0] = static_cast<double>(x);
            const VecD<D> p = transform(target.physical(index));
            o[offset + x] = sample(input.grid().continuous_index(p), outside);
        }
    });
    return out;
}

template ScalarImage<2> resample<2>(const ScalarImage<2>&, const Grid<2>&, const Affine<2>&, Interpolation, float);
template ScalarImage<3> resample<3>(const ScalarImage<3>&, const Grid<3>&, const Affine<3>&, Interpolation, float);
template ScalarImage<2> resample<2>(const ScalarImage<2>&, const Grid<2>&, const TransformChain<2>&, Interpolation, float);
template ScalarImage<3> resample<3>(const ScalarImage<3>&, const Grid<3>&, const TransformChain<3>&, Interpolation, float);

}  // namespace alinea
