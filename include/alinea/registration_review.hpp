#pragma once
// What a person checks after a registration, made from its result: the pictures
// (before and after side by side with the fixed image's edges and a checkerboard; for
// a deformable stage the log-Jacobian map and the deformed grid; the convergence of
// every level) and the warnings (images that barely overlap at the start, a level whose
// metric got worse, folding, a mean Jacobian far from 1 inside the fixed mask).
#include "alinea/figure.hpp"
#include "alinea/registration.hpp"

#include <optional>
#include <string>
#include <vector>

namespace alinea {

struct NamedPicture {
    std::string name;     // "alignment", "edges", "deformation", "convergence"
    std::string caption;  // one sentence saying how to read it
    Picture picture;
};

template <int D>
struct RegistrationReviewInputs {
    const ScalarImage<D>& fixed;
    const ScalarImage<D>& moving;
    const ScalarImage<D>& warped;                 // the moving image on the fixed grid, after
    const ScalarImage<D>* fixed_mask = nullptr;   // the slices cut through its centre; the Jacobian is averaged in it
    std::optional<VecD<D>> through = std::nullopt;  // where the slices cut instead (physical LPS mm)
    bool pictures = true;
};

struct RegistrationReview {
    std::vector<NamedPicture> pictures;  // the first is the overview (PREFIXqc.png)
    std::vector<std::string> warnings;
    double start_overlap = 1;            // the fixed foreground's fraction inside the moving image at the start
    std::optional<double> mean_jacobian;  // over the fixed mask (or foreground), with a deformable stage
};

template <int D>
RegistrationReview review_registration(const RegistrationResult<D>& result, const RegistrationReviewInputs<D>& inputs);

}  // namespace alinea
