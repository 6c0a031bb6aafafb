#pragma once
// PREFIXreport.html of a registration: the warnings first, the inputs' geometry, what
// every stage did (iterations, the metric before and after, time), the transform, the
// deformation's Jacobian and inverse residual, and every picture of the review.
#include "alinea/registration_outputs.hpp"
#include "alinea/registration_review.hpp"

#include <string>

namespace alinea {

template <int D>
std::string registration_report(const RegistrationResult<D>& result, const RegistrationRecord& record,
                                const RegistrationReview& review, const Grid<D>& moving_grid,
                                const std::vector<std::string>& outputs);

}  // namespace alinea
