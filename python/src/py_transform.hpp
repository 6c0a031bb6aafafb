#pragma once
// alinea.Transform: a chain of affines and warps (points go through steps[0] first),
// as the applications return them (a tracked frame's map to the reference frame, a
// subject's map from the atlas template, an atlas's map onto a segmentation target).
// alinea.apply takes it in its transform list.
#include "alinea/transform_chain.hpp"

#include <pybind11/pybind11.h>

#include <memory>
#include <variant>

namespace alinea::python {

struct PyTransform {
    std::variant<TransformChain<2>, TransformChain<3>> chain;
    int dimension() const { return chain.index() == 0 ? 2 : 3; }
};
using TransformPtr = std::shared_ptr<PyTransform>;

template <int D>
TransformPtr share_transform(TransformChain<D> chain) {
    return std::make_shared<PyTransform>(PyTransform{std::move(chain)});
}

void bind_transform(pybind11::module_& m);

}  // namespace alinea::python
