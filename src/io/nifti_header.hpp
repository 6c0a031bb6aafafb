#pragma once
// The NIfTI-1 and NIfTI-2 headers as one version-independent record, in native byte
// order, plus the facts derived from it (data type sizes, limits). No file access here.
#include "alinea/nifti.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace alinea::io {

// Images whose voxel data would exceed this are refused before anything is allocated.
inline constexpr std::uint64_t kMaxDataBytes = std::uint64_t{1} << 34;

struct NiftiHeader {
    int version = 1;        // 1 or 2
    bool swapped = false;   // file is in the other byte order
    std::array<std::int64_t, 8> dim{};
    std::array<double, 8> pixdim{};
    int datatype = 0;
    double vox_offset = 0;  // a float in NIfTI-1: validated before use
    double scl_slope = 0, scl_inter = 0;
    int qform_code = 0, sform_code = 0, intent_code = 0;
    double quatern_b = 0, quatern_c = 0, quatern_d = 0;
    double qoffset_x = 0, qoffset_y = 0, qoffset_z = 0;
    std::array<std::array<double, 4>, 3> srow{};
};

// Bytes the header occupies in the file (348 or 540), from its first four bytes;
// throws if they are no NIfTI header in either byte order.
std::size_t nifti_header_size(std::span<const std::uint8_t> start, const std::string& path);
// Decodes (and byte-swaps) a header; checks the magic string.
NiftiHeader decode_nifti_header(std::span<const std::uint8_t> bytes, const std::string& path);
// The header plus the 4 zero extension bytes, i.e. exactly the bytes before the voxels.
std::vector<std::uint8_t> encode_nifti_header(const NiftiHeader& header);

PixelType pixel_type_of(int datatype, const std::string& path);
int nifti_datatype(PixelType type);
int bytes_per_voxel(PixelType type);

// Everything `alinea info` needs, validated: dims, data type, scaling and orientation.
// Throws a one-line Error for anything a reader could not use.
NiftiInfo describe_nifti(const NiftiHeader& header, const std::string& path);
// Byte offset of the voxel data in the file.
std::uint64_t nifti_data_offset(const NiftiHeader& header);
// Bytes of voxel data of every frame and component.
std::uint64_t nifti_data_bytes(const NiftiInfo& info);

}  // namespace alinea::io
