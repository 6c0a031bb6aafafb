#pragma once
// A whole registration as a value: how to start (the initial alignment), the linear
// stages in order, and at most one deformable stage last. It parses from the tokens
// the CLI takes (ANTs' style: each --transform opens a stage and the options after
// it belong to that stage) and prints back to tokens that reproduce it exactly:
// parse(print(plan)) == plan.
#include "alinea/deformable_registration.hpp"
#include "alinea/initialize.hpp"
#include "alinea/linear_registration.hpp"
#include "alinea/rotation_search.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace alinea {

// From the images alone (identity, centers, mass, moments), or by searching rotations.
using InitialAlignment = std::variant<Initialization, RotationSearch>;
// True for "identity", "centers", "mass", "moments", "search[:...]" (not a file name).
bool is_initial_alignment_spec(const std::string& spec);
InitialAlignment parse_initial_alignment(const std::string& spec);
std::string to_string(const InitialAlignment& init);

struct RegistrationPlan {
    InitialAlignment init = Initialization::identity;
    std::vector<LinearStage> linear;
    std::optional<DeformableStage> deformable;

    int stage_count() const { return static_cast<int>(linear.size()) + (deformable ? 1 : 0); }
    // The options that reproduce each stage, in order.
    std::vector<std::string> stage_descriptions() const;
    bool operator==(const RegistrationPlan&) const = default;
};

// The stage as `--transform MODEL` alone gives it: the defaults of that model.
LinearStage default_linear_stage(LinearModel model);
DeformableStage default_deformable_stage(DeformableModel model);

// Parses "--init mass --transform rigid --metric mi --transform affine ...". Without
// any --transform, the stages are rigid then affine with mutual information. Throws
// alinea::Error on unknown options or keys, missing values, stage options before the
// first --transform, and options that do not apply to the stage they follow.
RegistrationPlan parse_registration_plan(const std::vector<std::string>& tokens);
// The same from one string, split at white space.
RegistrationPlan parse_registration_plan(const std::string& text);
// The tokens that reproduce the plan, every option spelled out.
std::vector<std::string> plan_tokens(const RegistrationPlan& plan);
std::string to_string(const RegistrationPlan& plan);  // plan_tokens joined by spaces

// Help text for the plan's options.
std::string registration_plan_help();

}  // namespace alinea
