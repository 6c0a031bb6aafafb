#include "alinea/transform_chain.hpp"

#include "alinea/interpolate.hpp"

namespace alinea {

template <int D>
VecD<D> DisplacementField<D>::operator()(const VecD<D>& x) const {
    Vec<D> u;
    if (!sample_linear(field, field.grid().continuous_index(x), u)) return x;
    return x + u.template cast<double>();
}

template <int D>
bool TransformChain<D>::is_affine(Affine<D>* affine) const {
    Affine<D> total;
    for (const auto& step : steps_) {
        if (!std::holds_alternative<Affine<D>>(step)) return false;
        total = std::get<Affine<D>>(step).after(total);
    }
    if (affine) *affine = total;
    return true;
}

template <int D>
VecD<D> TransformChain<D>::operator()(const VecD<D>& x) const {
    VecD<D> y = x;
    for (const auto& step : steps_) y = std::visit([&](const auto& t) { return t(y); }, step);
    return y;
}

template struct DisplacementField<2>;
template struct DisplacementField<3>;
template class TransformChain<2>;
template class TransformChain<3>;

}  // namespace alinea
