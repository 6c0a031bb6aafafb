#pragma once
// Initial fixed -> moving transforms from the images alone, before any optimisation.
#include "alinea/affine.hpp"
#include "alinea/image.hpp"

#include <string>

namespace alinea {

enum class Initialization {
    identity,  // trust the headers
    centers,   // align the centres of the image boxes
    mass,      // align the intensity centres of mass
    moments,   // centres of mass and principal axes of inertia
};
Initialization parse_initialization(const std::string& name);
std::string to_string(Initialization init);

template <int D>
Affine<D> initial_transform(Initialization init, const ScalarImage<D>& fixed, const ScalarImage<D>& moving);

}  // namespace alinea
