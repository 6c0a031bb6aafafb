#include "stage_arguments.hpp"

#include "alinea/error.hpp"

#include <charconv>

namespace alinea::cli {

namespace {

// Defaults that work on 1 mm brains and on 2-D slices without tuning.
LinearStage default_stage(LinearModel model) {
    LinearStage s;
    s.model = model;
    s.metric = MiOptions{};
    s.pyramid.shrink = {4, 2, 1};
    s.pyramid.smoothing = {2, 1, 0};
    s.pyramid.iterations = {100, 50, 25};
    return s;
}

}  // namespace

RegistrationPlan parse_stages(const std::vector<std::string>& tokens) {
    RegistrationPlan plan;
    for (size_t i = 0; i < tokens.size(); ++i) {
        std::string key = tokens[i], value;
        if (const size_t eq = key.find('='); key.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = key.substr(eq + 1);
            key = key.substr(0, eq);
        } else if (i + 1 < tokens.size()) {
            value = tokens[++i];
        } else {
            throw Error("option " + key + " needs a value");
        }
        if (key == "--transform" || key == "-t") {
            if (plan.deformable)
                throw Error("--transform " + value + ": the deformable stage must be the last stage");
            if (is_deformable_spec(value)) plan.deformable = parse_deformable(value);
            else plan.linear.push_back(default_stage(parse_linear_model(value)));
            continue;
        }
        if (key.rfind("-", 0) != 0) throw Error("unexpected argument '" + key + "'");
        if (plan.linear.empty() && !plan.deformable)
            throw Error("unknown option '" + key + "' (or a stage option before the first --transform)");
        PyramidSchedule& pyramid = plan.deformable ? plan.deformable->pyramid : plan.linear.back().pyramid;
        if (key == "--metric") {
            (plan.deformable ? plan.deformable->metric : plan.linear.back().metric) = parse_metric(value);
        } else if (key == "--levels") {
            pyramid.shrink = parse_int_list(key, value);
        } else if (key == "--smoothing") {
            pyramid.smoothing = parse_sigma_list(key, value, pyramid.smoothing_in_mm);
        } else if (key == "--iterations") {
            pyramid.iterations = parse_int_list(key, value);
        } else if (plan.deformable && (key == "--optimizer" || key == "--samples" || key == "--space")) {
            throw Error(key + " applies to linear stages only (the deformable stage takes step, fluid, elastic)");
        } else if (key == "--space") {
            if (value != "fixed" && value != "moving")
                throw Error("--space: expected fixed or moving, got '" + value + "'");
            plan.linear.back().space = value == "moving" ? LinearStage::Space::moving : LinearStage::Space::fixed;
        } else if (key == "--optimizer") {
            plan.linear.back().optimizer = parse_optimizer(value);
        } else if (key == "--samples") {
            Index n = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec != std::errc() || end != value.data() + value.size() || n < 0)
                throw Error("--samples: expected a count >= 0 (0: all voxels), got '" + value + "'");
            plan.linear.back().max_samples = n;
        } else {
            throw Error("unknown option '" + key + "'");
        }
    }
    for (const LinearStage& s : plan.linear) s.pyramid.validate();
    if (plan.deformable) plan.deformable->pyramid.validate();
    return plan;
}

std::vector<std::string> RegistrationPlan::descriptions() const {
    std::vector<std::string> d;
    for (const LinearStage& s : linear) d.push_back(format_stage(s));
    if (deformable) d.push_back(format_stage(*deformable));
    return d;
}

std::string format_stage(const DeformableStage& s) {
    return "--transform " + describe(s) + " --metric " + to_string(s.metric) + " --levels " +
           format_list(s.pyramid.shrink) + " --smoothing " + format_sigmas(s.pyramid.smoothing, s.pyramid.smoothing_in_mm) +
           " --iterations " + format_list(s.pyramid.iterations);
}

std::string format_stage(const LinearStage& s) {
    return "--transform " + to_string(s.model) + " --metric " + to_string(s.metric) + " --levels " +
           format_list(s.pyramid.shrink) + " --smoothing " + format_sigmas(s.pyramid.smoothing, s.pyramid.smoothing_in_mm) +
           " --iterations " + format_list(s.pyramid.iterations) + " --optimizer " + to_string(s.optimizer) +
           " --samples " + std::to_string(s.max_samples) +
           (s.space == LinearStage::Space::moving ? " --space moving" : "");
}

std::string stage_help() {
    const LinearStage d = default_stage(LinearModel::rigid);
    return "Stages (each --transform opens one; the options after it belong to it):\n"
           "  --transform MODEL     translation, rigid, similarity or affine; or, last, a deformable\n"
           "                        stage: diffeo (velocity field, invertible) or greedy, with\n"
           "                        options like diffeo:step=0.5,fluid=2,elastic=1 (voxels)\n"
           "  --metric SPEC         ssd, ncc, lncc[:radius=R] or mi[:bins=N]   (default " + to_string(d.metric) + ")\n"
           "  --levels LIST         shrink factors, coarse to fine            (default " + format_list(d.pyramid.shrink) + ")\n"
           "  --smoothing LIST      Gaussian sigmas, 'vox' or 'mm' suffix     (default " +
           format_sigmas(d.pyramid.smoothing, false) + ")\n"
           "  --iterations LIST     iterations per level                      (default " + format_list(d.pyramid.iterations) + ")\n"
           "  --optimizer NAME      lbfgs or gd (adaptive-step gradient descent) (default " + to_string(d.optimizer) + ")\n"
           "  --samples N           samples per level, 0 = all voxels         (default " + std::to_string(d.max_samples) + ")\n"
           "  --space fixed|moving  integrate over the fixed grid, or the moving grid (cheaper)\n"
           "Example: --transform rigid --metric mi --transform affine --metric ncc --levels 4x2x1\n"
           "         --transform diffeo --metric lncc:radius=2 --iterations 100x60x20";
}

}  // namespace alinea::cli
