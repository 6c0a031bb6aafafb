// alinea points: carry points (landmarks) through a transform chain, as `apply` carries
// the reference grid's points.
#include "commands.hpp"
#include "dimension.hpp"
#include "outputs.hpp"

#include "alinea/error.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/image_io.hpp"
#include "alinea/point_table.hpp"
#include "alinea/transform_chain_file.hpp"
#include "alinea/transform_file.hpp"

namespace alinea::cli {

namespace {

struct PointsOptions {
    std::string input, output;
    std::vector<std::string> transforms;
    bool ras = false;
};

template <int D>
void run(const PointsOptions& o) {
    PointTable table = read_point_table(o.input);
    std::vector<VecD<D>> points = table_points<D>(table, o.input);
    std::vector<std::string> files = o.transforms;  // as in ANTs, "identity" may stand in the list
    std::erase_if(files, [](const std::string& f) { return f == "identity" || f == "Identity"; });
    const TransformChain<D> chain = read_transform_chain<D>(files);
    for (VecD<D>& p : points) p = o.ras ? flip_lps_ras<D>(chain(flip_lps_ras<D>(p))) : chain(p);
    set_table_points<D>(table, points);
    write_point_table(o.output, table);
}

}  // namespace

// The dimension of a transform list: that of its first file (a warp's image, a linear
// file's matrix); without files, 3-D when the table has a z column.
int chain_dimension(const std::vector<std::string>& specs, const std::string& table) {
    for (const std::string& file : transform_files(specs))
        return is_nifti_path(file) ? image_dimension(file) : transform_file_dimension(file);
    return read_point_table(table).coordinate_column[2] >= 0 ? 3 : 2;
}

void add_points_command(CLI::App& app) {
    auto o = std::make_shared<PointsOptions>();
    CLI::App* cmd = app.add_subcommand("points", "Carry points (landmarks) through a chain of transforms");
    cmd->footer(
        "The chain maps each point as `alinea apply` maps the reference grid's points (ANTs order;\n"
        "[FILE,1] for a linear file's inverse). So the chain that resamples the moving image onto\n"
        "the fixed grid, `-t PREFIXwarp.nii.gz -t PREFIXaffine.txt`, carries FIXED points to the\n"
        "MOVING image; moving points go to the fixed image through `-t [PREFIXaffine.txt,1]\n"
        "-t PREFIXinverse_warp.nii.gz`. (antsApplyTransformsToPoints uses the same rule.)\n"
        "CSV as ANTs writes it: a header with x,y[,z,t] (any other columns are kept), one point\n"
        "per row, LPS millimetres; --ras for RAS (nibabel, 3D Slicer).");
    cmd->add_option("-i,--input", o->input, "Points (CSV with a header: x,y,z,t ...)")->required();
    cmd->add_option("-o,--output", o->output, "Output CSV (the same columns)")->required();
    cmd->add_option("-t,--transform", o->transforms, "Transform file (repeatable; [FILE,1]: its inverse)")
        ->allow_extra_args(false);
    cmd->add_flag("--ras", o->ras, "Coordinates in RAS (x left to right, y posterior to anterior) instead of LPS");
    cmd->callback([o] {
        std::vector<std::string> inputs = transform_files(o->transforms);
        inputs.push_back(o->input);
        check_outputs_spare_inputs(inputs, {o->output});
        dispatch_dimension(chain_dimension(o->transforms, o->input), [&]<int D>() { run<D>(*o); });
    });
}

}  // namespace alinea::cli
