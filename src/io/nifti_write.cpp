// Writing NIfTI: header from the grid, voxels converted (integers rounded and clamped)
// piece by piece, .gz compressed in 8 MiB gzip members, all through a temporary file.
#include "alinea/atomic_file.hpp"
#include "alinea/error.hpp"
#include "alinea/nifti.hpp"
#include "bytes.hpp"
#include "gzip.hpp"
#include "nifti_header.hpp"
#include "nifti_orientation.hpp"
#include "stored_values.hpp"

#include <cmath>
#include <cstring>
#include <nifti1.h>

namespace alinea {

namespace {

// Header for nx x ny x nz voxels (with `components` > 1: a 5-D vector image).
io::NiftiHeader make_header(const Size<3>& size, int components, PixelType type, const Eigen::Matrix4d& ras,
                            NiftiCodes codes, int dimension) {
    io::NiftiHeader h;
    const Index largest = std::max({size[0], size[1], size[2], Index{components}});
    // NIfTI-1 stores dims as int16: larger images need NIfTI-2.
    h.version = largest > 32767 ? 2 : 1;
    h.dim = {components > 1 ? 5 : dimension, size[0], size[1], size[2], 1, components, 1, 1};
    h.datatype = io::nifti_datatype(type);
    h.scl_slope = 1.0;
    h.scl_inter = 0.0;
    h.intent_code = components > 1 ? NIFTI_INTENT_VECTOR : NIFTI_INTENT_NONE;
    // A file with neither code would be read with the pixdim fallback, losing the
    // origin and direction; ITK does the same and marks the qform as scanner space.
    if (codes.sform_code == 0 && codes.qform_code == 0) codes.qform_code = NIFTI_XFORM_SCANNER_ANAT;
    h.sform_code = codes.sform_code;
    h.qform_code = codes.qform_code;
    io::set_nifti_orientation(h, ras);
    return h;
}

// The deflate level by what it buys. Displacement fields (vector images) are floats
// whose low mantissa bits are noise: level 1 shrinks a 1 mm brain's warp by 9 % for
// 0.7 s of CPU, so they go in stored deflate blocks (still a valid .nii.gz, read
// at memory speed). Scalar float images (intensities, with their zero background)
// shrink by 15 % at level 1, within 0.1 % of level 6's size at 1.4x its speed.
// Integers (labels, masks) compress 30 % better at level 6.
int compression_level(PixelType type, int components) {
    if (components > 1) return 0;
    return type == PixelType::f32 || type == PixelType::f64 ? 1 : 6;
}

// Encodes header + voxels (components stored one volume after another), made piece
// by piece as it is compressed or written: an 85 MB warp is never held twice.
void write_voxels(const std::string& path, const io::NiftiHeader& header, const float* values, Index voxels,
                  int components, PixelType type) {
    const std::vector<std::uint8_t> head = io::encode_nifti_header(header);
    const std::size_t bpv = static_cast<std::size_t>(io::bytes_per_voxel(type));
    const std::size_t volume = static_cast<std::size_t>(voxels) * bpv;  // bytes per component
    const std::size_t size = head.size() + volume * static_cast<std::size_t>(components);
    // Pieces (8 MiB) and headers (352 or 544 bytes) are multiples of 8 bytes, so every
    // piece starts on a whole voxel; a component's volume may still end inside a piece.
    static_assert(io::gzip_piece % 8 == 0);
    if (head.size() % 8 != 0) throw Error("internal: a NIfTI header of " + std::to_string(head.size()) + " bytes");
    const auto fill = [&](std::size_t offset, std::span<std::uint8_t> piece) {
        std::size_t at = 0;  // within the piece
        if (offset < head.size()) {
            at = std::min(head.size() - offset, piece.size());
            std::memcpy(piece.data(), head.data() + offset, at);
        }
        while (at < piece.size()) {
            const std::size_t data = offset + at - head.size();  // byte in the voxel data
            const std::size_t c = data / volume, first = (data % volume) / bpv;
            const float* src = values + first * static_cast<std::size_t>(components) + c;
            const std::size_t n = std::min((piece.size() - at) / bpv, static_cast<std::size_t>(voxels) - first);
            io::store(type, src, static_cast<Index>(n), components, piece.data() + at);
            at += n * bpv;
        }
    };
    const bool gz = io::has_suffix(path, ".gz");
    write_atomically(path, [&](const std::string& temp) {
        io::FileWriter out(temp, path);
        const auto sink = [&](std::span<const std::uint8_t> bytes) { out.append(bytes); };
        if (gz) {
            io::gzip_stream(size, fill, compression_level(type, components), sink);
        } else {
            std::vector<std::uint8_t> piece(std::min(size, io::gzip_piece));
            for (std::size_t offset = 0; offset < size; offset += piece.size()) {
                const std::span<std::uint8_t> part(piece.data(), std::min(piece.size(), size - offset));
                fill(offset, part);
                sink(part);
            }
        }
        out.close();
    });
}

void check_output_name(const std::string& path) {
    if (!io::has_suffix(path, ".nii") && !io::has_suffix(path, ".nii.gz"))
        throw file_error(path, "a NIfTI file name must end in .nii or .nii.gz");
}

template <int D>
Size<3> size3(const Grid<D>& grid) {
    return {grid.size(0), grid.size(1), D == 3 ? grid.size(D - 1) : 1};
}

}  // namespace

template <int D>
void write_nifti(const std::string& path, const ScalarImage<D>& image, PixelType type, NiftiCodes codes) {
    check_output_name(path);
    if (image.empty()) throw file_error(path, "cannot write an empty image");
    const io::NiftiHeader header = make_header(size3(image.grid()), 1, type, ras_affine(image.grid()), codes, D);
    write_voxels(path, header, image.data(), image.voxel_count(), 1, type);
}

template <int D>
void write_nifti(const std::string& path, const VectorField<D>& field, NiftiCodes codes) {
    static_assert(sizeof(Vec<D>) == D * sizeof(float), "vector fields are interleaved floats");
    check_output_name(path);
    if (field.empty()) throw file_error(path, "cannot write an empty vector image");
    const io::NiftiHeader header =
        make_header(size3(field.grid()), D, PixelType::f32, ras_affine(field.grid()), codes, D);
    write_voxels(path, header, reinterpret_cast<const float*>(field.data()), field.voxel_count(), D, PixelType::f32);
}

template <int D>
void write_nifti_frames(const std::string& path, const Grid<D>& grid, Index frames,
                        const std::function<void(Index, std::span<float>)>& frame, PixelType type, NiftiCodes codes,
                        double slope) {
    check_output_name(path);
    if (frames < 1 || grid.voxel_count() == 0) throw file_error(path, "cannot write an empty series");
    if (frames > 32767) throw file_error(path, "more than 32767 frames");
    if (!(slope > 0) || !std::isfinite(slope)) throw file_error(path, "the scale slope must be > 0");
    io::NiftiHeader header = make_header(size3(grid), 1, type, ras_affine(grid), codes, D);
    header.dim[0] = 4;
    header.dim[4] = frames;
    header.pixdim[4] = 1;
    header.scl_slope = slope;
    const std::vector<std::uint8_t> head = io::encode_nifti_header(header);
    const Index voxels = grid.voxel_count();
    const std::size_t bpv = static_cast<std::size_t>(io::bytes_per_voxel(type));
    const bool gz = io::has_suffix(path, ".gz");
    // Streamed: frames are made, stored and compressed a few at a time (whole 8 MiB
    // pieces, each a gzip member: the bytes do not depend on how the frames fall), so
    // memory does not grow with the number of frames.
    constexpr std::size_t piece = std::size_t(8) << 20;
    write_atomically(path, [&](const std::string& temp) {
        io::FileWriter out(temp, path);
        std::vector<std::uint8_t> pending(head.begin(), head.end());
        auto flush = [&](bool all) {
            std::size_t at = 0;
            for (; pending.size() - at >= piece || (all && at < pending.size());) {
                const std::span<const std::uint8_t> part(pending.data() + at, std::min(piece, pending.size() - at));
                if (gz) out.append(io::gzip(part, compression_level(type, 1)).bytes());
                else out.append(part);
                at += part.size();
            }
            pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(at));
        };
        std::vector<float> values(static_cast<std::size_t>(voxels));
        for (Index t = 0; t < frames; ++t) {
            std::fill(values.begin(), values.end(), 0.0f);
            frame(t, values);
            if (slope != 1.0)
                for (float& v : values) v = static_cast<float>(v / slope);
            const std::size_t at = pending.size();
            pending.resize(at + static_cast<std::size_t>(voxels) * bpv);
            io::store(type, values.data(), voxels, 1, pending.data() + at);
            flush(false);
        }
        flush(true);
        out.close();
    });
}

template void write_nifti<2>(const std::string&, const ScalarImage<2>&, PixelType, NiftiCodes);
template void write_nifti<3>(const std::string&, const ScalarImage<3>&, PixelType, NiftiCodes);
template void write_nifti<2>(const std::string&, const VectorField<2>&, NiftiCodes);
template void write_nifti<3>(const std::string&, const VectorField<3>&, NiftiCodes);

template void write_nifti_frames<2>(const std::string&, const Grid<2>&, Index,
                                    const std::function<void(Index, std::span<float>)>&, PixelType, NiftiCodes, double);
template void write_nifti_frames<3>(const std::string&, const Grid<3>&, Index,
                                    const std::function<void(Index, std::span<float>)>&, PixelType, NiftiCodes, double);

}  // namespace alinea
