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

std::vector<LinearStage> parse_stages(const std::vector<std::string>& tokens) {
    std::vector<LinearStage> stages;
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
            stages.push_back(default_stage(parse_linear_model(value)));
            continue;
        }
        if (key.rfind("-", 0) != 0) throw Error("unexpected argument '" + key + "'");
        if (stages.empty())
            throw Error("unknown option '" + key + "' (or a stage option before the first --transform)");
        LinearStage& s = stages.back();
        if (key == "--metric") s.metric = parse_metric(value);
        else if (key == "--levels") s.pyramid.shrink = parse_int_list(key, value);
        else if (key == "--smoothing") s.pyramid.smoothing = parse_sigma_list(key, value, s.pyramid.smoothing_in_mm);
        else if (key == "--iterations") s.pyramid.iterations = parse_int_list(key, value);
        else if (key == "--optimizer") s.optimizer = parse_optimizer(value);
        else if (key == "--samples") {
            Index n = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec != std::errc() || end != value.data() + value.size() || n < 0)
                throw Error("--samples: expected a count >= 0 (0: all voxels), got '" + value + "'");
            s.max_samples = n;
        } else {
            throw Error("unknown option '" + key + "'");
        }
    }
    for (const LinearStage& s : stages) s.pyramid.validate();
    return stages;
}

std::string format_stage(const LinearStage& s) {
    return "--transform " + to_string(s.model) + " --metric " + to_string(s.metric) + " --levels " +
           format_list(s.pyramid.shrink) + " --smoothing " + format_sigmas(s.pyramid.smoothing, s.pyramid.smoothing_in_mm) +
           " --iterations " + format_list(s.pyramid.iterations) + " --optimizer " + to_string(s.optimizer) +
           " --samples " + std::to_string(s.max_samples);
}

std::string stage_help() {
    const LinearStage d = default_stage(LinearModel::rigid);
    return "Stages (each --transform opens one; the options after it belong to it):\n"
           "  --transform MODEL     translation, rigid, similarity or affine\n"
           "  --metric SPEC         ssd, ncc, lncc[:radius=R] or mi[:bins=N]   (default " + to_string(d.metric) + ")\n"
           "  --levels LIST         shrink factors, coarse to fine            (default " + format_list(d.pyramid.shrink) + ")\n"
           "  --smoothing LIST      Gaussian sigmas, 'vox' or 'mm' suffix     (default " +
           format_sigmas(d.pyramid.smoothing, false) + ")\n"
           "  --iterations LIST     iterations per level                      (default " + format_list(d.pyramid.iterations) + ")\n"
           "  --optimizer NAME      lbfgs or gd (adaptive-step gradient descent) (default " + to_string(d.optimizer) + ")\n"
           "  --samples N           fixed samples per level, 0 = all voxels   (default " + std::to_string(d.max_samples) + ")\n"
           "Example: --transform rigid --metric mi --transform affine --metric ncc --levels 4x2x1";
}

}  // namespace alinea::cli
