#include "alinea/rotation_search.hpp"

#include "alinea/error.hpp"
#include "alinea/initialize.hpp"
#include "alinea/option_spec.hpp"
#include "alinea/pyramid.hpp"
#include "alinea/resample.hpp"
#include "linear_objective.hpp"

#include <cmath>
#include <limits>
#include <optional>

namespace alinea {

RotationSearch RotationSearch::parse(const std::string& text) {
    const OptionSpec spec = parse_option_spec(text, "initialisation");
    if (spec.name != "search") throw Error("initialisation '" + text + "' is not a rotation search");
    RotationSearch s;
    for (const auto& [key, value] : spec.keys) {
        if (key == "range") s.range_degrees = option_double(spec, "initialisation", key, value, 0, 180);
        else if (key == "step") s.step_degrees = option_double(spec, "initialisation", key, value, 1, 180);
        else if (key == "shrink") s.shrink = option_int(spec, "initialisation", key, value, 1, 64);
        else reject_option_key(spec, "initialisation", key, "range, step, shrink");
    }
    return s;
}

std::string RotationSearch::spec() const {
    return "search:range=" + format_number(range_degrees) + ",step=" + format_number(step_degrees) +
           ",shrink=" + std::to_string(shrink);
}

template <int D>
Affine<D> search_rotations(const RegistrationImages<D>& images, const RotationSearch& search) {
    const ScalarImage<D> fixed = pyramid_level(images.fixed, search.shrink, 0.5 * search.shrink);
    const ScalarImage<D> moving = pyramid_level(images.moving, search.shrink, 0.5 * search.shrink);
    std::optional<ScalarImage<D>> fixed_mask, moving_mask;
    if (images.fixed_mask)
        fixed_mask = resample(*images.fixed_mask, fixed.grid(), Affine<D>{}, Interpolation::nearest);
    if (images.moving_mask)
        moving_mask = resample(*images.moving_mask, moving.grid(), Affine<D>{}, Interpolation::nearest);
    const Affine<D> mass = initial_transform(Initialization::mass, fixed, moving);
    const Affine<D> identity;
    // Rotations are about the fixed grid's centre, which goes where the mass
    // alignment sends it.
    const VecD<D> centre = fixed.grid().center();
    const VecD<D> moving_target = mass(centre);
    const LinearParameterization<D> rigid(LinearModel::rigid, centre);
    const LinearObjective<D> objective(fixed, moving, fixed_mask ? &*fixed_mask : nullptr,
                                       moving_mask ? &*moving_mask : nullptr, search.metric, 20000, rigid, identity);
    const int steps = std::max(0, static_cast<int>(std::floor(search.range_degrees / search.step_degrees + 1e-9)));
    const double step = search.step_degrees * M_PI / 180;
    constexpr int angles = D == 2 ? 1 : 3;
    Parameters best = rigid.identity();
    double best_value = std::numeric_limits<double>::infinity();
    // Candidates in a fixed order (deterministic); ties keep the first.
    const int per_axis = 2 * steps + 1;
    int total = 1;
    for (int a = 0; a < angles; ++a) total *= per_axis;
    for (int c = 0; c < total; ++c) {
        Parameters theta = rigid.identity();
        for (int a = 0, rest = c; a < angles; ++a, rest /= per_axis) theta[a] = (rest % per_axis - steps) * step;
        // Translation so that the centre lands on moving_target: R(c - c) + c + t = target.
        theta.template tail<D>() = moving_target - centre;
        const double value = objective(theta, nullptr);
        if (value < best_value) {
            best_value = value;
            best = theta;
        }
    }
    return rigid.affine(best);
}

template Affine<2> search_rotations<2>(const RegistrationImages<2>&, const RotationSearch&);
template Affine<3> search_rotations<3>(const RegistrationImages<3>&, const RotationSearch&);

}  // namespace alinea
