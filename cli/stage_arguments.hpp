#pragma once
// Stage options in ANTs' style: each --transform opens a stage, and the stage
// options that follow it (--metric, --levels, --smoothing, --iterations, --optimizer,
// --samples) belong to that stage. Options left out take good defaults.
#include "alinea/deformable_registration.hpp"
#include "alinea/linear_registration.hpp"

#include <optional>

#include <string>
#include <vector>

namespace alinea::cli {

// Linear stages first, then at most one deformable stage.
struct RegistrationPlan {
    std::vector<LinearStage> linear;
    std::optional<DeformableStage> deformable;
    // The options that reproduce each stage, in order.
    std::vector<std::string> descriptions() const;
};

// Parses the stage part of the command line (tokens in order). Throws alinea::Error
// on unknown options, missing values or options before the first --transform.
RegistrationPlan parse_stages(const std::vector<std::string>& tokens);

// The options that reproduce a stage.
std::string format_stage(const LinearStage& stage);
std::string format_stage(const DeformableStage& stage);

// Help text for the stage options.
std::string stage_help();

}  // namespace alinea::cli
