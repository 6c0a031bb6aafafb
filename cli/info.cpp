// alinea info: what an image file holds (geometry, orientation, type, value range).
#include "commands.hpp"

#include "alinea/error.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/image_io.hpp"
#include "alinea/itk_image_io.hpp"
#include "alinea/nifti.hpp"
#include "alinea/png.hpp"
#include "alinea/ras_affine.hpp"

#include <cmath>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace alinea::cli {

namespace {

struct InfoOptions {
    std::string image;
    bool json = false;
};

// Everything shown, gathered first so text and JSON print the same facts.
struct Description {
    std::string format;
    bool compressed = false;
    int dimension = 3;
    std::vector<Index> size;
    Eigen::VectorXd spacing, origin;
    Eigen::MatrixXd direction;  // LPS, columns are the voxel axes
    Eigen::Matrix4d ras_affine;
    std::string orientation, data_type, description;
    bool colour = false;
    int sform_code = 0, qform_code = 0, intent_code = 0;
    Index time_points = 1, components = 1;
    double scl_slope = 1, scl_inter = 0;
    ValueStats stats;
};

std::string xform_name(int code) {
    switch (code) {
        case 0: return "unknown";
        case 1: return "scanner";
        case 2: return "aligned";
        case 3: return "talairach";
        case 4: return "mni";
        case 5: return "template";
        default: return "invalid";
    }
}

// The first D axes of the LPS grid (a 2-D image: its top-left block, as the readers do).
void set_geometry(Description& d, const Grid<3>& grid, int dimension) {
    const int n = dimension;
    d.dimension = n;
    d.size.assign(grid.size().begin(), grid.size().begin() + n);
    const Eigen::MatrixXd linear = grid.linear().topLeftCorner(n, n);
    d.spacing = linear.colwise().norm().transpose();
    d.direction = linear * d.spacing.cwiseInverse().asDiagonal();
    d.origin = grid.origin().head(n);
}

Description describe_nifti(const std::string& path) {
    const NiftiInfo info = read_nifti_info(path);
    Description d;
    d.format = "NIfTI-" + std::to_string(info.version);
    d.compressed = info.compressed;
    set_geometry(d, info.grid, info.spatial_dimension);
    d.ras_affine = info.ras_affine;
    d.data_type = to_string(info.pixel_type);
    d.sform_code = info.sform_code;
    d.qform_code = info.qform_code;
    d.intent_code = info.intent_code;
    d.time_points = info.time_points;
    d.components = info.components;
    d.scl_slope = info.scl_slope;
    d.scl_inter = info.scl_inter;
    d.stats = read_nifti_value_stats(path);
    return d;
}

Description describe_png(const std::string& path) {
    const PngInfo png = read_png_info(path);
    const ScalarImage<2> image = read_png(path);
    Description d;
    d.format = "PNG";
    d.dimension = 2;
    d.size = {image.size()[0], image.size()[1]};
    d.spacing = image.grid().spacing();
    d.origin = image.grid().origin();
    d.direction = image.grid().direction();
    // The PNG's LPS identity grid seen as a file affine: x and y negated.
    d.ras_affine = Eigen::Vector4d(-1, -1, 1, 1).asDiagonal();
    d.data_type = png.bit_depth == 16 ? "uint16" : "uint8";
    d.components = png.channels;
    d.colour = png.colour;
    double sum = 0;
    d.stats.min = image.empty() ? 0 : image[0];
    d.stats.max = d.stats.min;
    for (float v : image.voxels()) {
        d.stats.min = std::min<double>(d.stats.min, v);
        d.stats.max = std::max<double>(d.stats.max, v);
        sum += v;
    }
    d.stats.count = image.voxel_count();
    d.stats.mean = d.stats.count ? sum / static_cast<double>(d.stats.count) : 0;
    return d;
}

template <int D>
ValueStats stats_of(const ScalarImage<D>& image) {
    ValueStats stats;
    double sum = 0;
    bool first = true;
    for (float v : image.voxels()) {
        if (!std::isfinite(v)) {
            ++stats.non_finite;
            continue;
        }
        stats.min = first ? v : std::min<double>(stats.min, v);
        stats.max = first ? v : std::max<double>(stats.max, v);
        first = false;
        sum += v;
        ++stats.count;
    }
    stats.mean = stats.count ? sum / static_cast<double>(stats.count) : 0;
    return stats;
}

// MetaImage, NRRD, Analyze, VTK, TIFF, DICOM: ITK's geometry, and the values of a
// scalar (or colour, as grey) image; a series or vector image shows its header only.
Description describe_itk(const std::string& path) {
    const ImageFileInfo info = read_itk_image_info(path);
    Description d;
    d.format = info.format;
    d.description = info.description;
    d.colour = info.colour;
    set_geometry(d, info.grid, info.dimension);
    d.ras_affine = ras_affine(info.grid);
    d.data_type = to_string(info.pixel_type);
    d.time_points = info.time_points;
    d.components = info.components;
    if (info.time_points == 1 && (info.components == 1 || info.colour)) {
        if (info.dimension == 2) d.stats = stats_of(read_itk_image<2>(path));
        else d.stats = stats_of(read_itk_image<3>(path));
    }
    return d;
}

std::string numbers(const Eigen::VectorXd& v) {
    std::ostringstream s;
    s.precision(6);
    for (Index i = 0; i < v.size(); ++i) s << (i ? " " : "") << (v[i] == 0 ? 0.0 : v[i]);
    return s.str();
}

nlohmann::json to_json(const std::string& path, const Description& d) {
    const auto rows = [](const Eigen::MatrixXd& m) {
        nlohmann::json out = nlohmann::json::array();
        for (Index r = 0; r < m.rows(); ++r) {
            std::vector<double> row(m.cols());
            for (Index c = 0; c < m.cols(); ++c) row[c] = m(r, c);
            out.push_back(row);
        }
        return out;
    };
    const auto vec = [](const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); };
    return {{"file", path},
            {"format", d.format},
            {"description", d.description},
            {"colour", d.colour},
            {"compressed", d.compressed},
            {"dimension", d.dimension},
            {"size", d.size},
            {"spacing", vec(d.spacing)},
            {"origin", vec(d.origin)},
            {"direction", rows(d.direction)},
            {"orientation", d.orientation},
            {"ras_affine", rows(d.ras_affine)},
            {"data_type", d.data_type},
            {"time_points", d.time_points},
            {"components", d.components},
            {"scl_slope", d.scl_slope},
            {"scl_inter", d.scl_inter},
            {"sform_code", d.sform_code},
            {"qform_code", d.qform_code},
            {"intent_code", d.intent_code},
            {"min", d.stats.min},
            {"max", d.stats.max},
            {"mean", d.stats.mean},
            {"non_finite", d.stats.non_finite}};
}

void print_text(const std::string& path, const Description& d) {
    std::ostream& out = std::cout;
    const auto line = [&](const char* key, const std::string& value) { out << key << std::string(13 - std::strlen(key), ' ') << value << "\n"; };
    line("file", path);
    line("format", d.format + (d.compressed ? " (gzip)" : ""));
    if (!d.description.empty()) line("description", d.description);
    line("dimension", std::to_string(d.dimension));
    std::string size;
    for (Index s : d.size) size += (size.empty() ? "" : " ") + std::to_string(s);
    line("size", size);
    if (d.time_points > 1) line("time points", std::to_string(d.time_points));
    if (d.components > 1)
        line("components", std::to_string(d.components) + (d.colour                                ? " (colour, read as grey)"
                                                            : d.format == "PNG" && d.components >= 3 ? " (grey stored as RGB)"
                                                                                                    : ""));
    line("spacing", numbers(d.spacing) + "  (mm)");
    line("origin", numbers(d.origin) + "  (LPS mm)");
    std::string direction;
    for (Index r = 0; r < d.direction.rows(); ++r)
        direction += (r ? " | " : "") + numbers(d.direction.row(r).transpose());
    line("direction", direction + "  (LPS rows; columns are voxel axes)");
    line("orientation", d.orientation + "  (voxel axes point to; nibabel convention)");
    line("data type", d.data_type);
    if (d.scl_slope != 1 || d.scl_inter != 0)
        line("scaling", "value * " + numbers(Eigen::VectorXd::Constant(1, d.scl_slope)) + " + " +
                            numbers(Eigen::VectorXd::Constant(1, d.scl_inter)));
    if (d.format.starts_with("NIfTI")) {
        line("sform code", std::to_string(d.sform_code) + " (" + xform_name(d.sform_code) + ")");
        line("qform code", std::to_string(d.qform_code) + " (" + xform_name(d.qform_code) + ")");
    }
    std::ostringstream range;
    range.precision(6);
    range << d.stats.min << " .. " << d.stats.max << ", mean " << d.stats.mean;
    if (d.stats.non_finite) range << ", " << d.stats.non_finite << " NaN/Inf";
    line("range", range.str());
}

void run_info(const InfoOptions& o) {
    if (!is_png_path(o.image) && !is_nifti_path(o.image) && !is_itk_image_path(o.image))
        throw file_error(o.image, "unknown image format (supported: " + supported_image_formats() + ")");
    Description d = is_png_path(o.image)     ? describe_png(o.image)
                    : is_nifti_path(o.image) ? describe_nifti(o.image)
                                             : describe_itk(o.image);
    d.orientation = orientation_code(d.ras_affine);
    if (o.json) std::cout << to_json(o.image, d).dump(2) << "\n";
    else print_text(o.image, d);
}

}  // namespace

void add_info_command(CLI::App& app) {
    auto o = std::make_shared<InfoOptions>();
    CLI::App* cmd = app.add_subcommand("info", "Show an image's geometry, orientation, data type and value range");
    cmd->footer(
        "Origin and direction are in LPS (ITK) millimetres. The orientation code follows\n"
        "nibabel's aff2axcodes on the file's RAS affine: each letter says where a voxel axis\n"
        "points TO (\"RAS\": i increases to the Right, j Anterior, k Superior). ITK names the\n"
        "same image by where the axes point FROM (\"RAS\" here is ITK's \"LPI\").");
    cmd->add_option("image", o->image, "Image file (" + supported_image_formats() + ")")->required();
    cmd->add_flag("--json", o->json, "Print a JSON object (includes the 4x4 voxel-to-RAS affine)");
    cmd->callback([o] { run_info(*o); });
}

}  // namespace alinea::cli
