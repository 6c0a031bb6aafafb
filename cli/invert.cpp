// alinea invert: the inverse of a displacement field (fixed-point iteration).
#include "commands.hpp"
#include "dimension.hpp"
#include "outputs.hpp"

#include "alinea/displacement.hpp"
#include "alinea/image_io.hpp"
#include "alinea/parallel.hpp"

#include <cmath>
#include <cstdio>

namespace alinea::cli {

namespace {

struct InvertOptions {
    std::string warp, output;
    int iterations = 20;
    int threads = 0;
};

template <int D>
void run(const InvertOptions& o) {
    const VectorField<D> u = read_nifti_vector<D>(o.warp);
    double residual = 0;
    const VectorField<D> w = invert(u, o.iterations, &residual);
    if (!std::isfinite(residual))
        throw Error(o.warp + ": the inverse diverged (residual " + std::to_string(residual) + " mm): the field is not invertible");
    write_nifti(o.output, w, read_nifti_codes(o.warp));
    std::printf("mean residual %.4f mm after %d iterations\n", residual, o.iterations);
}

}  // namespace

void add_invert_command(CLI::App& app) {
    auto o = std::make_shared<InvertOptions>();
    CLI::App* cmd = app.add_subcommand("invert", "Invert a displacement field");
    cmd->footer("Solves w(x) = -u(x + w(x)) on the field's grid, so that x -> x + w(x) undoes x -> x + u(x).\n"
                "Converges where |du/dx| < 1; the mean residual |u(x + w(x)) + w(x)| is printed.");
    cmd->add_option("warp", o->warp, "Displacement field (NIfTI vector image)")->required();
    cmd->add_option("-o,--output", o->output, "Output inverse field")->required();
    cmd->add_option("--iterations", o->iterations, "Fixed-point iterations")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    cmd->add_option("--threads", o->threads, "Number of threads: 0 (all cores) or 1 to 4 x the cores");
    cmd->callback([o] {
        check_outputs_spare_inputs({o->warp}, {o->output});
        set_thread_count(o->threads);
        dispatch_dimension(image_dimension(o->warp), [&]<int D>() { run<D>(*o); });
    });
}

}  // namespace alinea::cli
