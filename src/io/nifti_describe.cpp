// From a raw header to validated facts: every check a reader needs happens here,
// before a single voxel byte is read or allocated.
#include "alinea/error.hpp"
#include "nifti_header.hpp"
#include "nifti_orientation.hpp"

#include <cmath>
#include <nifti1.h>

namespace alinea::io {

namespace {

std::string dims_text(const NiftiHeader& h) {
    std::string s;
    for (int i = 1; i <= h.dim[0]; ++i) s += (i > 1 ? "x" : "") + std::to_string(h.dim[i]);
    return s;
}

void check_dims(const NiftiHeader& h, const std::string& path) {
    const std::int64_t ndim = h.dim[0];
    if (ndim < 1 || ndim > 7) throw file_error(path, "invalid dim[0] = " + std::to_string(ndim) + " (must be 1 to 7)");
    for (int i = 1; i <= ndim; ++i)
        if (h.dim[i] < 1)
            throw file_error(path, "invalid dim[" + std::to_string(i) + "] = " + std::to_string(h.dim[i]) +
                                       " (every dimension must be at least 1)");
    for (int i = 6; i <= ndim; ++i)
        if (h.dim[i] > 1) throw file_error(path, "images with more than 5 dimensions are not supported (" + dims_text(h) + ")");
}

}  // namespace

std::uint64_t nifti_data_offset(const NiftiHeader& h) {
    // Some writers leave vox_offset at 0 in single files; the data then follows the
    // header and its 4 extension bytes.
    if (h.vox_offset == 0) return h.version == 1 ? 352 : 544;
    return static_cast<std::uint64_t>(h.vox_offset);
}

std::uint64_t nifti_data_bytes(const NiftiInfo& info) {
    return static_cast<std::uint64_t>(info.size[0] * info.size[1] * info.size[2] * info.time_points *
                                      info.components * bytes_per_voxel(info.pixel_type));
}

NiftiInfo describe_nifti(const NiftiHeader& h, const std::string& path) {
    check_dims(h, path);
    NiftiInfo info;
    info.version = h.version;
    info.pixel_type = pixel_type_of(h.datatype, path);
    const auto dim = [&](int i) -> Index { return i <= h.dim[0] ? h.dim[i] : 1; };
    info.size = {dim(1), dim(2), dim(3)};
    info.time_points = dim(4);
    info.components = dim(5);

    // The product can overflow 64 bits (dims up to 2^63 each in NIfTI-2): stop at the limit.
    std::uint64_t bytes = static_cast<std::uint64_t>(bytes_per_voxel(info.pixel_type));
    for (int i = 1; i <= 5; ++i) {
        const auto n = static_cast<std::uint64_t>(dim(i));
        if (n > kMaxDataBytes / bytes)
            throw file_error(path, "image too large: " + dims_text(h) + " voxels of " + to_string(info.pixel_type) +
                                       " exceed the limit of " + std::to_string(kMaxDataBytes >> 30) + " GiB");
        bytes *= n;
    }

    if (!std::isfinite(h.vox_offset) || h.vox_offset < 0 || h.vox_offset != std::floor(h.vox_offset) ||
        h.vox_offset > static_cast<double>(kMaxDataBytes))
        throw file_error(path, "invalid vox_offset " + std::to_string(h.vox_offset));
    const std::uint64_t header_bytes = h.version == 1 ? 348 : 540;
    if (h.vox_offset != 0 && nifti_data_offset(h) < header_bytes)
        throw file_error(path, "invalid vox_offset " + std::to_string(nifti_data_offset(h)) + " (inside the header)");

    // As nibabel: a zero or non-finite slope means "no scaling".
    if (h.scl_slope != 0 && std::isfinite(h.scl_slope)) {
        if (!std::isfinite(h.scl_inter))
            throw file_error(path, "scl_slope is set but scl_inter is not finite");
        info.scl_slope = h.scl_slope;
        info.scl_inter = h.scl_inter;
    }
    info.sform_code = h.sform_code;
    info.qform_code = h.qform_code;
    info.intent_code = h.intent_code;
    info.spatial_dimension = info.size[2] == 1 && info.components != 3 ? 2 : 3;
    info.ras_affine = nifti_ras_affine(h, path);
    info.grid = lps_grid(info.ras_affine, info.size, path);
    return info;
}

}  // namespace alinea::io
