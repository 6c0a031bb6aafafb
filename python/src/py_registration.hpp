#pragma once
// alinea.register and its result; the result is also a transform for alinea.apply.
#include "py_image.hpp"

#include "alinea/registration.hpp"
#include "alinea/registration_outputs.hpp"

#include <optional>

namespace alinea::python {

struct PyRegistration {
    std::variant<RegistrationResult<2>, RegistrationResult<3>> result;
    ImagePtr fixed, moving, fixed_mask, moving_mask;
    std::vector<std::string> plan;  // the plan's tokens, as plan_tokens() prints them
    RegistrationRecord record;      // all but the command, which names the prefix
    ImagePtr warp, inverse_warp, warped;  // made when first asked for

    int dimension() const { return result.index() == 0 ? 2 : 3; }
    // The fixed -> moving map (ANTs order: the warp, then the affine), or its inverse.
    template <int D> TransformChain<D> chain(bool inverse) const;
};
using RegistrationPtr = std::shared_ptr<PyRegistration>;

void bind_registration(py::module_& m);

}  // namespace alinea::python
