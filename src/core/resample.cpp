#include "alinea/resample.hpp"

#include "alinea/parallel.hpp"

namespace alinea {

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

template ScalarImage<2> resample<2>(const ScalarImage<2>&, const Grid<2>&, const Affine<2>&, Interpolation, float);
template ScalarImage<3> resample<3>(const ScalarImage<3>&, const Grid<3>&, const Affine<3>&, Interpolation, float);

}  // namespace alinea
