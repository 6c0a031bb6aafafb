// alinea compose: a chain of transforms as one displacement field on a reference grid.
#include "commands.hpp"
#include "dimension.hpp"
#include "outputs.hpp"

#include "alinea/displacement.hpp"
#include "alinea/transform_chain_file.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/image_io.hpp"
#include "alinea/parallel.hpp"
#include "alinea/transform_chain.hpp"

#include <cstdio>

namespace alinea::cli {

namespace {

struct ComposeOptions {
    std::string reference, output;
    std::vector<std::string> transforms;
    int threads = 0;
};

template <int D>
void run(const ComposeOptions& o) {
    const Grid<D> grid = read_image<D>(o.reference).grid();
    const TransformChain<D> chain = read_transform_chain<D>(o.transforms);
    VectorField<D> field(grid);
    for_each_row(grid, [&](Index offset, VecD<D> index) {
        for (Index x = 0; x < grid.size(0); ++x) {
            index[0] = static_cast<double>(x);
            const VecD<D> p = grid.physical(index);
            field[offset + x] = (chain(p) - p).template cast<float>();
        }
    });
    write_nifti(o.output, field, is_nifti_path(o.reference) ? read_nifti_codes(o.reference) : NiftiCodes{});
    std::printf("max displacement %.4f mm\n", max_norm(field));
}

}  // namespace

void add_compose_command(CLI::App& app) {
    auto o = std::make_shared<ComposeOptions>();
    CLI::App* cmd = app.add_subcommand("compose", "Resample a chain of transforms into one displacement field");
    cmd->footer("The chain is listed as for `alinea apply` (ANTs order: `-t warp.nii.gz -t affine.txt` is\n"
                "x -> affine(x + warp(x))); the output u(x) = chain(x) - x lives on the reference grid, so\n"
                "`apply -t OUT` resamples as `apply -t ...` did.");
    cmd->add_option("-r,--reference", o->reference, "Image whose grid the field takes")->required();
    cmd->add_option("-o,--output", o->output, "Output displacement field (NIfTI)")->required();
    cmd->add_option("-t,--transform", o->transforms, "Transform file (repeatable; [FILE,1]: its inverse)")
        ->required()
        ->allow_extra_args(false);
    cmd->add_option("--threads", o->threads, "Number of threads: 0 (all cores) or 1 to 4 x the cores");
    cmd->callback([o] {
        std::vector<std::string> inputs = transform_files(o->transforms);
        inputs.push_back(o->reference);
        check_outputs_spare_inputs(inputs, {o->output});
        set_thread_count(o->threads);
        dispatch_dimension(image_dimension(o->reference), [&]<int D>() { run<D>(*o); });
    });
}

}  // namespace alinea::cli
