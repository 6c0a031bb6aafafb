#pragma once
// A chain of transforms applied to points: linear maps and dense displacement
// fields. A displacement field is defined on its own grid and maps x to x + u(x)
// (ITK/ANTs convention; u is zero outside the field's grid). The chain is stored in
// the order the transforms act on a point: steps()[0] acts first.
#include "alinea/affine.hpp"
#include "alinea/image.hpp"

#include <variant>
#include <vector>

namespace alinea {

template <int D>
struct DisplacementField {
    VectorField<D> field;
    VecD<D> operator()(const VecD<D>& x) const;
};

template <int D> using Transform = std::variant<Affine<D>, DisplacementField<D>>;

template <int D>
class TransformChain {
public:
    TransformChain() = default;
    // Appends a transform that acts after the ones already in the chain.
    void then(Transform<D> step) { steps_.push_back(std::move(step)); }
    const std::vector<Transform<D>>& steps() const { return steps_; }
    bool empty() const { return steps_.empty(); }
    // True when the whole chain is one affine map (then *affine is that map).
    bool is_affine(Affine<D>* affine = nullptr) const;

    VecD<D> operator()(const VecD<D>& x) const;

private:
    std::vector<Transform<D>> steps_;
};

}  // namespace alinea
