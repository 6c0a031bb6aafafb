#pragma once
// Initialisation for badly misaligned inputs: an exhaustive search over rotations
// about the fixed image's centre of mass (each candidate also maps the centres of
// mass onto each other), scored by a metric on a coarse pyramid level. The best
// candidate starts the registration.
#include "alinea/affine.hpp"
#include "alinea/metric.hpp"
#include "alinea/registration_observer.hpp"

namespace alinea {

struct RotationSearch {
    double range_degrees = 90;  // search -range..+range about every axis
    double step_degrees = 30;
    int shrink = 4;             // the pyramid level the candidates are scored on
    MetricOptions metric = MiOptions{};
    bool operator==(const RotationSearch&) const = default;

    // "search", "search:range=90,step=30,shrink=4"; unknown keys are errors.
    static RotationSearch parse(const std::string& spec);
    std::string spec() const;
};

template <int D>
Affine<D> search_rotations(const RegistrationImages<D>& images, const RotationSearch& search);

}  // namespace alinea
