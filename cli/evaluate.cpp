// alinea evaluate: how good a registration result is: its distance from a known true
// transform, the overlap of label maps it brings into line, and the folding of its warps.
#include "commands.hpp"
#include "dimension.hpp"

#include "alinea/displacement.hpp"
#include "alinea/transform_chain_file.hpp"
#include "alinea/evaluate.hpp"
#include "alinea/image_io.hpp"
#include "alinea/parallel.hpp"
#include "alinea/point_table.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>

namespace alinea::cli {

namespace {

struct EvaluateOptions {
    std::string reference, mask, fixed_labels, moving_labels, fixed_points, moving_points;
    std::vector<std::string> truth, result;
    bool before = false, json = false;
    int threads = 0;
};

// As in ANTs, "identity" may stand in a transform list.
template <int D>
TransformChain<D> chain_of(std::vector<std::string> files) {
    std::erase_if(files, [](const std::string& f) { return f == "identity" || f == "Identity"; });
    return read_transform_chain<D>(files);
}

nlohmann::json to_json(const TransformError& e) {
    return {{"points", e.points}, {"mean_mm", e.mean}, {"p95_mm", e.p95}, {"max_mm", e.max}};
}

nlohmann::json to_json(const LabelOverlap& o) {
    nlohmann::json labels = nlohmann::json::object();
    for (const auto& [label, dice] : o.dice) labels[std::to_string(label)] = dice;
    return {{"mean", o.mean}, {"labels", labels}};
}

nlohmann::json to_json(const JacobianSummary& s) {
    return {{"points", s.points}, {"folded", s.folded}, {"folded_fraction", s.folded_fraction},
            {"min_determinant", s.min}, {"max_determinant", s.max}};
}

void print_error(const char* what, const TransformError& e) {
    std::printf("%s over %lld points: mean %.4f mm, p95 %.4f mm, max %.4f mm\n", what,
                static_cast<long long>(e.points), e.mean, e.p95, e.max);
}

// Target registration error: each fixed landmark carried through the result, against
// its moving counterpart (the same row of the other table).
template <int D>
nlohmann::json landmark_error(const EvaluateOptions& o, const TransformChain<D>& result) {
    const std::vector<VecD<D>> fixed = table_points<D>(read_point_table(o.fixed_points), o.fixed_points);
    const std::vector<VecD<D>> moving = table_points<D>(read_point_table(o.moving_points), o.moving_points);
    if (fixed.size() != moving.size() || fixed.empty())
        throw Error(o.moving_points + ": " + std::to_string(moving.size()) + " points, but " + o.fixed_points + " has " +
                    std::to_string(fixed.size()) + " (expected the same landmarks, row by row)");
    std::vector<double> errors;
    for (std::size_t i = 0; i < fixed.size(); ++i) errors.push_back((result(fixed[i]) - moving[i]).norm());
    std::vector<double> sorted = errors;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    const double median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    double mean = 0;
    for (double e : errors) mean += e / static_cast<double>(n);
    if (!o.json) {
        std::printf("landmark error (TRE) over %zu points: mean %.4f mm, median %.4f mm, max %.4f mm\n", n, mean, median,
                    sorted.back());
        for (std::size_t i = 0; i < n; ++i) std::printf("  point %zu: %.4f mm\n", i + 1, errors[i]);
    }
    return {{"points", n}, {"mean_mm", mean}, {"median_mm", median}, {"max_mm", sorted.back()}, {"per_point_mm", errors}};
}

template <int D>
void run_points_only(const EvaluateOptions& o) {
    nlohmann::json report = {{"landmarks", landmark_error<D>(o, chain_of<D>(o.result))}};
    if (o.json) std::cout << report.dump(2) << "\n";
}

template <int D>
void run(const EvaluateOptions& o) {
    const ScalarImage<D> reference = read_image<D>(o.reference);
    ScalarImage<D> mask = o.mask.empty() ? reference : read_image<D>(o.mask);
    if (!mask.grid().same_as(reference.grid())) throw Error(o.mask + ": the mask's grid differs from the reference's");
    if (o.mask.empty())  // default: the non-zero voxels of the reference (e.g. a skull-stripped brain)
        for (float& v : mask.voxels()) v = v > 0 ? 1.0f : 0.0f;
    const TransformChain<D> result = chain_of<D>(o.result);
    nlohmann::json report = nlohmann::json::object();
    if (!o.fixed_points.empty()) report["landmarks"] = landmark_error<D>(o, result);

    if (!o.truth.empty()) {
        const TransformChain<D> truth = chain_of<D>(o.truth);
        const TransformError e = transform_error(result, truth, mask);
        report["error"] = to_json(e);
        if (!o.json) print_error("error", e);
        if (o.before) {
            const TransformError b = transform_error(TransformChain<D>{}, truth, mask);
            report["error_before"] = to_json(b);
            if (!o.json) print_error("error before registration", b);
        }
    }
    if (!o.fixed_labels.empty()) {
        const ScalarImage<D> fixed_labels = read_image<D>(o.fixed_labels);
        const ScalarImage<D> moving_labels = read_image<D>(o.moving_labels);
        const LabelOverlap dice = warped_label_overlap(fixed_labels, moving_labels, result);
        report["dice"] = to_json(dice);
        if (!o.json) std::printf("Dice over %zu labels: mean %.4f\n", dice.dice.size(), dice.mean);
        if (o.before) {
            const LabelOverlap b = warped_label_overlap(fixed_labels, moving_labels, TransformChain<D>{});
            report["dice_before"] = to_json(b);
            if (!o.json) std::printf("Dice before registration over %zu labels: mean %.4f\n", b.dice.size(), b.mean);
        }
    }
    // Folding of every warp in the result, pooled, inside the mask.
    JacobianSummary folding;
    bool has_warp = false;
    for (const Transform<D>& step : result.steps())
        if (const auto* warp = std::get_if<DisplacementField<D>>(&step)) {
            folding += jacobian_summary(jacobian_determinant(warp->field), &mask);
            has_warp = true;
        }
    if (has_warp) {
        report["folding"] = to_json(folding);
        if (!o.json)
            std::printf("warp: Jacobian determinant in [%.4f, %.4f], folded fraction %.6f (%lld of %lld voxels)\n",
                        folding.min, folding.max, folding.folded_fraction, static_cast<long long>(folding.folded),
                        static_cast<long long>(folding.points));
    }
    if (o.json) std::cout << report.dump(2) << "\n";
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
    auto o = std::make_shared<EvaluateOptions>();
    CLI::App* cmd = app.add_subcommand("evaluate", "Evaluate a registration result: error, label overlap, folding");
    cmd->footer(
        "Transform lists are in ANTs order, as for `alinea apply` (\"identity\" allowed). Without\n"
        "--result the result is the identity (the figures before registration). Dice: the moving\n"
        "labels are pulled onto the fixed labels' grid through the result (label interpolation).\n"
        "Folding: Jacobian determinants of the result's warps inside the mask (det <= 0 folds).\n"
        "Landmarks: each fixed point carried through the result (as `alinea points -t ...`) against\n"
        "the moving point on the same row: mean, median, max and per-point distances in mm.");
    cmd->add_option("-r,--reference", o->reference, "Fixed image: its grid holds the points (not needed for landmarks alone)");
    cmd->add_option("--truth", o->truth, "True fixed->moving transform (repeatable, ANTs order)")
        ->allow_extra_args(false);  // keep ANTs' "[file,1]" whole
    cmd->add_option("-t,--result", o->result, "Result transform (repeatable, ANTs order; default: identity)")
        ->allow_extra_args(false);
    cmd->add_option("--mask", o->mask, "Points where this mask is > 0.5 (default: reference > 0)");
    auto* fixed = cmd->add_option("--fixed-labels", o->fixed_labels, "Label map of the fixed image");
    auto* moving = cmd->add_option("--moving-labels", o->moving_labels, "Label map of the moving image");
    fixed->needs(moving);
    moving->needs(fixed);
    auto* fixed_points = cmd->add_option("--fixed-points", o->fixed_points,
                                         "Landmarks in the fixed image (CSV x,y[,z], LPS mm, as `alinea points`)");
    auto* moving_points = cmd->add_option("--moving-points", o->moving_points,
                                          "The same landmarks in the moving image, row by row: target registration error");
    fixed_points->needs(moving_points);
    moving_points->needs(fixed_points);
    cmd->add_flag("--before", o->before, "Also report the figures for the identity (before registration)");
    cmd->add_flag("--json", o->json, "Print JSON");
    cmd->add_option("--threads", o->threads, "Number of threads: 0 (all cores) or 1 to 4 x the cores");
    cmd->callback([o] {
        if (o->truth.empty() && o->fixed_labels.empty() && o->result.empty() && o->fixed_points.empty())
            throw Error("evaluate: nothing to evaluate (give --truth, --fixed-labels/--moving-labels, "
                        "--fixed-points/--moving-points or --result)");
        set_thread_count(o->threads);
        if (o->reference.empty()) {
            if (o->fixed_points.empty() || !o->truth.empty() || !o->fixed_labels.empty())
                throw Error("evaluate: --reference is needed (it is optional for landmarks alone)");
            dispatch_dimension(chain_dimension(o->result, o->fixed_points), [&]<int D>() { run_points_only<D>(*o); });
            return;
        }
        dispatch_dimension(image_dimension(o->reference), [&]<int D>() { run<D>(*o); });
    });
}

}  // namespace alinea::cli
