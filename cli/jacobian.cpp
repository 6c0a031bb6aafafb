// alinea jacobian: the Jacobian determinant (or its log) of a displacement field.
#include "commands.hpp"
#include "dimension.hpp"
#include "outputs.hpp"

#include "alinea/displacement.hpp"
#include "alinea/evaluate.hpp"
#include "alinea/image_io.hpp"
#include "alinea/parallel.hpp"

#include <cmath>
#include <cstdio>

namespace alinea::cli {

namespace {

struct JacobianOptions {
    std::string warp, output;
    bool log = false;
    int threads = 0;
};

template <int D>
void run(const JacobianOptions& o) {
    ScalarImage<D> det = jacobian_determinant(read_nifti_vector<D>(o.warp));
    const JacobianSummary s = jacobian_summary(det);
    if (o.log) take_log_of_determinant(det);
    write_nifti(o.output, det, PixelType::f32, read_nifti_codes(o.warp));
    std::printf("Jacobian determinant: min %.4f, max %.4f, fraction <= 0: %.6f (%lld of %lld voxels)\n", s.min, s.max,
                s.folded_fraction, static_cast<long long>(s.folded), static_cast<long long>(s.points));
}

}  // namespace

void add_jacobian_command(CLI::App& app) {
    auto o = std::make_shared<JacobianOptions>();
    CLI::App* cmd = app.add_subcommand("jacobian", "Jacobian determinant map of a displacement field");
    cmd->footer("det(I + du/dx) of the map x -> x + u(x), by central differences in millimetres.\n"
                "With --log, folded voxels (det <= 0) are written as log(1e-6).");
    cmd->add_option("warp", o->warp, "Displacement field (NIfTI vector image)")->required();
    cmd->add_option("-o,--output", o->output, "Output determinant image")->required();
    cmd->add_flag("--log", o->log, "Write the log-determinant");
    cmd->add_option("--threads", o->threads, "Number of threads: 0 (all cores) or 1 to 4 x the cores");
    cmd->callback([o] {
        check_outputs_spare_inputs({o->warp}, {o->output});
        set_thread_count(o->threads);
        dispatch_dimension(image_dimension(o->warp), [&]<int D>() { run<D>(*o); });
    });
}

}  // namespace alinea::cli
