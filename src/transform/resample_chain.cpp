#include "alinea/resample_chain.hpp"

#include "alinea/parallel.hpp"

namespace alinea {

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

template ScalarImage<2> resample<2>(const ScalarImage<2>&, const Grid<2>&, const TransformChain<2>&, Interpolation, float);
template ScalarImage<3> resample<3>(const ScalarImage<3>&, const Grid<3>&, const TransformChain<3>&, Interpolation, float);

}  // namespace alinea
