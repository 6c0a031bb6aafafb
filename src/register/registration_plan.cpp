#include "alinea/registration_plan.hpp"

#include "alinea/error.hpp"

#include <charconv>
#include <set>
#include <sstream>

namespace alinea {

bool is_initial_alignment_spec(const std::string& spec) {
    const std::string name = spec.substr(0, spec.find(':'));
    for (const char* mode : {"identity", "centers", "centres", "mass", "moments", "search"})
        if (name == mode) return true;
    return false;
}

InitialAlignment parse_initial_alignment(const std::string& spec) {
    if (spec.rfind("search", 0) == 0) return RotationSearch::parse(spec);
    if (spec.find(':') != std::string::npos)
        throw Error("initialisation '" + spec + "': only search takes keys (range, step, shrink)");
    return parse_initialization(spec);
}

std::string to_string(const InitialAlignment& init) {
    if (const auto* search = std::get_if<RotationSearch>(&init)) return search->spec();
    return to_string(std::get<Initialization>(init));
}

LinearStage default_linear_stage(LinearModel model) {
    LinearStage s;  // defaults that work on 1 mm brains and on 2-D slices without tuning
    s.model = model;
    s.metric = MiOptions{};
    s.pyramid = {{4, 2, 1}, {2, 1, 0}, false, {100, 50, 25}};
    return s;
}

DeformableStage default_deformable_stage(DeformableModel model) {
    DeformableStage s;
    // L-BFGS makes real progress every iteration; its rule is stricter.
    if (std::holds_alternative<BsplineOptions>(model)) s.convergence = {1e-5, 8};
    s.model = std::move(model);
    return s;
}

RegistrationPlan parse_registration_plan(const std::vector<std::string>& tokens) {
    RegistrationPlan plan;
    bool init_given = false;
    std::set<std::string> stage_keys;  // the options given since the stage's --transform
    for (size_t i = 0; i < tokens.size(); ++i) {
        std::string key = tokens[i], value;
        if (key.rfind("-", 0) != 0) throw Error("unexpected argument '" + key + "'");
        if (const size_t eq = key.find('='); key.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = key.substr(eq + 1);
            key = key.substr(0, eq);
        } else if (i + 1 < tokens.size()) {
            value = tokens[++i];
        } else {
            throw Error("option " + key + " needs a value");
        }
        if (key == "--init") {
            if (init_given) throw Error("--init given twice");
            if (!is_initial_alignment_spec(value))
                throw Error("--init: unknown initialisation '" + value +
                            "' (expected identity, centers, mass, moments or search[:range=R,step=S,shrink=F])");
            plan.init = parse_initial_alignment(value);
            init_given = true;
            continue;
        }
        if (key == "--transform" || key == "-t") {
            if (plan.deformable)
                throw Error("--transform " + value + ": the deformable stage must be the last stage");
            if (is_deformable_spec(value)) {
                plan.deformable = default_deformable_stage(parse_deformable_model(value));
            } else {
                try {
                    plan.linear.push_back(default_linear_stage(parse_linear_model(value)));
                } catch (const Error&) {
                    throw Error("--transform: unknown transform '" + value +
                                "' (expected translation, rigid, similarity, affine, or a deformable diffeo, greedy "
                                "or bspline)");
                }
            }
            stage_keys.clear();
            continue;
        }
        if (plan.linear.empty() && !plan.deformable)
            throw Error("unknown option '" + key + "' (or a stage option before the first --transform)");
        if (!stage_keys.insert(key).second)
            throw Error(key + " given twice for the stage --transform " +
                        (plan.deformable ? to_string(plan.deformable->model) : to_string(plan.linear.back().model)));
        LinearStage* linear = plan.deformable ? nullptr : &plan.linear.back();
        PyramidSchedule& pyramid = linear ? linear->pyramid : plan.deformable->pyramid;
        if (key == "--metric") {
            (linear ? linear->metric : plan.deformable->metric) = parse_metric(value);
        } else if (key == "--levels") {
            pyramid.shrink = parse_int_list(key, value);
        } else if (key == "--smoothing") {
            pyramid.smoothing = parse_sigma_list(key, value, pyramid.smoothing_in_mm);
        } else if (key == "--iterations") {
            pyramid.iterations = parse_int_list(key, value);
        } else if (key == "--convergence") {
            Convergence& c = linear ? linear->convergence : plan.deformable->convergence;
            c = Convergence::parse(value, c.window);
        } else if (!linear && (key == "--optimizer" || key == "--samples" || key == "--space")) {
            throw Error(key + " applies to linear stages only (the deformable stage takes --metric, --levels, "
                        "--smoothing, --iterations, --convergence and its model's keys)");
        } else if (key == "--space") {
            if (value != "fixed" && value != "moving")
                throw Error("--space: expected fixed or moving, got '" + value + "'");
            linear->space = value == "moving" ? LinearStage::Space::moving : LinearStage::Space::fixed;
        } else if (key == "--optimizer") {
            linear->optimizer = parse_optimizer(value);
        } else if (key == "--samples") {
            Index n = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec != std::errc() || end != value.data() + value.size() || n < 0)
                throw Error("--samples: expected a count >= 0 (0: all voxels), got '" + value + "'");
            linear->max_samples = n;
        } else {
            throw Error("unknown option '" + key + "'");
        }
    }
    if (plan.linear.empty() && !plan.deformable)
        plan.linear = {default_linear_stage(LinearModel::rigid), default_linear_stage(LinearModel::affine)};
    for (const LinearStage& s : plan.linear) s.pyramid.validate();
    if (plan.deformable) plan.deformable->pyramid.validate();
    return plan;
}

RegistrationPlan parse_registration_plan(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> tokens;
    for (std::string t; in >> t;) tokens.push_back(t);
    return parse_registration_plan(tokens);
}

std::vector<std::string> RegistrationPlan::stage_descriptions() const {
    std::vector<std::string> d;
    for (const LinearStage& s : linear) d.push_back(describe(s));
    if (deformable) d.push_back(describe(*deformable));
    return d;
}

std::vector<std::string> plan_tokens(const RegistrationPlan& plan) {
    std::vector<std::string> tokens{"--init", to_string(plan.init)};
    for (const std::string& stage : plan.stage_descriptions()) {
        std::istringstream in(stage);
        for (std::string t; in >> t;) tokens.push_back(t);
    }
    return tokens;
}

std::string to_string(const RegistrationPlan& plan) {
    std::string s;
    for (const std::string& t : plan_tokens(plan)) s += (s.empty() ? "" : " ") + t;
    return s;
}

std::string registration_plan_help() {
    const LinearStage d = default_linear_stage(LinearModel::rigid);
    const DeformableStage dd = default_deformable_stage(DiffeoOptions{});
    return "Stages (each --transform opens one; the options after it belong to it):\n"
           "  --transform MODEL     translation, rigid, similarity or affine; or, last, one deformable\n"
           "                        model with its keys (defaults shown):\n" +
           deformable_model_help() +
           "  --metric SPEC         ssd, ncc, lncc[:radius=R] or mi[:bins=N]   (linear default " +
           to_string(d.metric) + ", deformable " + to_string(dd.metric) + ")\n"
           "                        (also accepted: cc for lncc, as ANTs names it; mattes for mi)\n"
           "  --levels LIST         shrink factors, coarse to fine            (default " + format_list(d.pyramid.shrink) + ")\n"
           "  --smoothing LIST      Gaussian sigmas, 'vox' or 'mm' suffix     (default " +
           format_sigmas(d.pyramid.smoothing, false) + ")\n"
           "  --iterations LIST     most iterations per level                 (linear default " +
           format_list(d.pyramid.iterations) + ", deformable " + format_list(dd.pyramid.iterations) + ")\n"
           "  --convergence TOL[,N] stop a level when the metric improved by less than TOL (relative)\n"
           "                        over N iterations (linear default " + d.convergence.spec() + ", deformable " +
           dd.convergence.spec() + ")\n"
           "  --optimizer NAME      lbfgs or gd (adaptive-step gradient descent) (default " + to_string(d.optimizer) + ")\n"
           "  --samples N           samples per level, 0 = all voxels         (default " + std::to_string(d.max_samples) + ")\n"
           "  --space fixed|moving  integrate over the fixed grid, or the moving grid (cheaper)\n"
           "Without any --transform: rigid, then affine, both with mutual information.\n"
           "Example: --transform rigid --metric mi --transform affine --metric ncc --levels 4x2x1\n"
           "         --transform diffeo --metric lncc:radius=2 --iterations 100x60x20";
}

}  // namespace alinea
