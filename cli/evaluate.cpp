// alinea evaluate: how far a registration result is from a known true transform.
#include "commands.hpp"
#include "dimension.hpp"

#include "alinea/evaluate.hpp"
#include "alinea/image_io.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace alinea::cli {

namespace {

struct EvaluateOptions {
    std::string reference, mask;
    std::vector<std::string> truth, result;
    bool json = false;
};

template <int D>
void run(const EvaluateOptions& o) {
    const ScalarImage<D> reference = read_image<D>(o.reference);
    ScalarImage<D> mask = o.mask.empty() ? reference : read_image<D>(o.mask);
    if (!mask.grid().same_as(reference.grid())) throw Error(o.mask + ": the mask's grid differs from the reference's");
    if (o.mask.empty())  // default: the non-zero voxels of the reference (e.g. a skull-stripped brain)
        for (float& v : mask.voxels()) v = v > 0 ? 1.0f : 0.0f;
    const TransformError e =
        transform_error(read_transform_chain<D>(o.result), read_transform_chain<D>(o.truth), mask);
    if (o.json) {
        std::cout << nlohmann::json{{"points", e.points}, {"mean_mm", e.mean}, {"p95_mm", e.p95}, {"max_mm", e.max}}
                         .dump(2)
                  << "\n";
    } else {
        std::printf("error over %lld points: mean %.4f mm, p95 %.4f mm, max %.4f mm\n",
                    static_cast<long long>(e.points), e.mean, e.p95, e.max);
    }
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
    auto o = std::make_shared<EvaluateOptions>();
    CLI::App* cmd = app.add_subcommand("evaluate", "Compare a registration result with the true transform");
    cmd->add_option("-r,--reference", o->reference, "Fixed image: its grid holds the points")->required();
    cmd->add_option("--truth", o->truth, "True fixed->moving transform(s), in ANTs order")
        ->required()
        ->allow_extra_args(false);
    cmd->add_option("--result", o->result, "Result transform(s), in ANTs order")
        ->required()
        ->allow_extra_args(false);
    cmd->add_option("--mask", o->mask, "Points where this mask is > 0.5 (default: reference > 0)");
    cmd->add_flag("--json", o->json, "Print JSON");
    cmd->callback([o] { dispatch_dimension(image_dimension(o->reference), [&]<int D>() { run<D>(*o); }); });
}

}  // namespace alinea::cli
