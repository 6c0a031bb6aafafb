// Binary NIfTI-1/2 headers <-> NiftiHeader. The structs come from the reference
// library's headers so the layout is the format's own, not a re-typed copy.
#include "nifti_header.hpp"

#include "alinea/error.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <nifti1.h>
#include <nifti2.h>

namespace alinea::io {

static_assert(sizeof(nifti_1_header) == 348 && sizeof(nifti_2_header) == 540);
static_assert(std::endian::native == std::endian::little, "the writer assumes a little-endian machine");

namespace {

constexpr char kMagic2[8] = {'n', '+', '2', '\0', '\r', '\n', '\032', '\n'};

std::int32_t first_int(std::span<const std::uint8_t> start) {
    std::int32_t v;
    std::memcpy(&v, start.data(), 4);
    return v;
}

// A value as stored in the other byte order.
template <class T>
T byte_swapped(T value) {
    auto bytes = std::bit_cast<std::array<std::uint8_t, sizeof(T)>>(value);
    std::reverse(bytes.begin(), bytes.end());
    return std::bit_cast<T>(bytes);
}

// Only the fields read here are swapped (the reference library's swap is not linked:
// ITK's NIfTI library exports functions of the same names).
template <class H>
void copy_common(const H& h, NiftiHeader& out) {
    const auto get = [&](auto v) { return out.swapped ? byte_swapped(v) : v; };
    for (int i = 0; i < 8; ++i) {
        out.dim[i] = get(h.dim[i]);
        out.pixdim[i] = get(h.pixdim[i]);
    }
    out.datatype = get(h.datatype);
    out.vox_offset = static_cast<double>(get(h.vox_offset));
    out.scl_slope = get(h.scl_slope);
    out.scl_inter = get(h.scl_inter);
    out.qform_code = get(h.qform_code);
    out.sform_code = get(h.sform_code);
    out.intent_code = get(h.intent_code);
    out.quatern_b = get(h.quatern_b);
    out.quatern_c = get(h.quatern_c);
    out.quatern_d = get(h.quatern_d);
    out.qoffset_x = get(h.qoffset_x);
    out.qoffset_y = get(h.qoffset_y);
    out.qoffset_z = get(h.qoffset_z);
    for (int c = 0; c < 4; ++c) {
        out.srow[0][c] = get(h.srow_x[c]);
        out.srow[1][c] = get(h.srow_y[c]);
        out.srow[2][c] = get(h.srow_z[c]);
    }
}

template <class H, class Dim, class Real>
void fill_common(const NiftiHeader& in, H& h) {
    for (int i = 0; i < 8; ++i) {
        h.dim[i] = static_cast<Dim>(in.dim[i]);
        h.pixdim[i] = static_cast<Real>(in.pixdim[i]);
    }
    h.datatype = static_cast<std::int16_t>(in.datatype);
    h.bitpix = static_cast<std::int16_t>(8 * bytes_per_voxel(pixel_type_of(in.datatype, "")));
    h.scl_slope = static_cast<Real>(in.scl_slope);
    h.scl_inter = static_cast<Real>(in.scl_inter);
    h.qform_code = static_cast<decltype(h.qform_code)>(in.qform_code);
    h.sform_code = static_cast<decltype(h.sform_code)>(in.sform_code);
    h.intent_code = static_cast<decltype(h.intent_code)>(in.intent_code);
    h.quatern_b = static_cast<Real>(in.quatern_b);
    h.quatern_c = static_cast<Real>(in.quatern_c);
    h.quatern_d = static_cast<Real>(in.quatern_d);
    h.qoffset_x = static_cast<Real>(in.qoffset_x);
    h.qoffset_y = static_cast<Real>(in.qoffset_y);
    h.qoffset_z = static_cast<Real>(in.qoffset_z);
    for (int c = 0; c < 4; ++c) {
        h.srow_x[c] = static_cast<Real>(in.srow[0][c]);
        h.srow_y[c] = static_cast<Real>(in.srow[1][c]);
        h.srow_z[c] = static_cast<Real>(in.srow[2][c]);
    }
    h.xyzt_units = NIFTI_UNITS_MM;
    std::strncpy(h.descrip, "alinea", sizeof h.descrip);
}

}  // namespace

std::size_t nifti_header_size(std::span<const std::uint8_t> start, const std::string& path) {
    if (start.size() < 4) throw file_error(path, "not a NIfTI file (too short)");
    const std::int32_t v = first_int(start);
    const std::int32_t swapped = static_cast<std::int32_t>(__builtin_bswap32(static_cast<std::uint32_t>(v)));
    if (v == 348 || swapped == 348) return 348;
    if (v == 540 || swapped == 540) return 540;
    throw file_error(path, "not a NIfTI file (the header size field is neither 348 nor 540)");
}

NiftiHeader decode_nifti_header(std::span<const std::uint8_t> bytes, const std::string& path) {
    const std::size_t size = nifti_header_size(bytes, path);
    if (bytes.size() < size) throw file_error(path, "truncated NIfTI header");
    NiftiHeader out;
    out.swapped = first_int(bytes) != static_cast<std::int32_t>(size);
    if (size == 348) {
        nifti_1_header h;
        std::memcpy(&h, bytes.data(), sizeof h);
        if (std::memcmp(h.magic, "ni1", 4) == 0)
            throw file_error(path, "is the header of a two-file NIfTI pair (.hdr/.img); only single-file .nii is supported");
        if (std::memcmp(h.magic, "n+1", 4) != 0)
            throw file_error(path, "not a NIfTI-1 file (bad magic; an ANALYZE 7.5 header?)");
        out.version = 1;
        copy_common(h, out);
    } else {
        nifti_2_header h;
        std::memcpy(&h, bytes.data(), sizeof h);
        if (std::memcmp(h.magic, "ni2", 4) == 0)
            throw file_error(path, "is the header of a two-file NIfTI pair (.hdr/.img); only single-file .nii is supported");
        if (std::memcmp(h.magic, kMagic2, 4) != 0) throw file_error(path, "not a NIfTI-2 file (bad magic)");
        if (std::memcmp(h.magic, kMagic2, 8) != 0)
            throw file_error(path, "damaged NIfTI-2 signature (was the file transferred in text mode?)");
        out.version = 2;
        copy_common(h, out);
    }
    return out;
}

std::vector<std::uint8_t> encode_nifti_header(const NiftiHeader& in) {
    // The header and the 4-byte extension flag (all zero: no extensions).
    if (in.version == 1) {
        nifti_1_header h{};
        h.sizeof_hdr = 348;
        fill_common<nifti_1_header, std::int16_t, float>(in, h);
        h.vox_offset = 352;
        std::memcpy(h.magic, "n+1", 4);
        std::vector<std::uint8_t> bytes(352, 0);
        std::memcpy(bytes.data(), &h, sizeof h);
        return bytes;
    }
    nifti_2_header h{};
    h.sizeof_hdr = 540;
    fill_common<nifti_2_header, std::int64_t, double>(in, h);
    h.vox_offset = 544;
    std::memcpy(h.magic, kMagic2, 8);
    std::vector<std::uint8_t> bytes(544, 0);
    std::memcpy(bytes.data(), &h, sizeof h);
    return bytes;
}

PixelType pixel_type_of(int datatype, const std::string& path) {
    switch (datatype) {
        case DT_UINT8: return PixelType::u8;
        case DT_INT8: return PixelType::i8;
        case DT_UINT16: return PixelType::u16;
        case DT_INT16: return PixelType::i16;
        case DT_UINT32: return PixelType::u32;
        case DT_INT32: return PixelType::i32;
        case DT_FLOAT32: return PixelType::f32;
        case DT_FLOAT64: return PixelType::f64;
        default: break;
    }
    std::string name;
    switch (datatype) {
        case DT_BINARY: name = "binary"; break;
        case DT_COMPLEX64: name = "complex64"; break;
        case DT_RGB24: name = "rgb24"; break;
        case DT_INT64: name = "int64"; break;
        case DT_UINT64: name = "uint64"; break;
        case DT_FLOAT128: name = "float128"; break;
        case DT_COMPLEX128: name = "complex128"; break;
        case DT_COMPLEX256: name = "complex256"; break;
        case DT_RGBA32: name = "rgba32"; break;
        default: name = "unknown"; break;
    }
    throw file_error(path, "unsupported NIfTI data type " + name + " (code " + std::to_string(datatype) +
                               "); supported: uint8, int8, uint16, int16, uint32, int32, float32, float64");
}

int nifti_datatype(PixelType type) {
    switch (type) {
        case PixelType::u8: return DT_UINT8;
        case PixelType::i8: return DT_INT8;
        case PixelType::u16: return DT_UINT16;
        case PixelType::i16: return DT_INT16;
        case PixelType::u32: return DT_UINT32;
        case PixelType::i32: return DT_INT32;
        case PixelType::f32: return DT_FLOAT32;
        case PixelType::f64: return DT_FLOAT64;
    }
    return DT_FLOAT32;
}

int bytes_per_voxel(PixelType type) {
    switch (type) {
        case PixelType::u8:
        case PixelType::i8: return 1;
        case PixelType::u16:
        case PixelType::i16: return 2;
        case PixelType::u32:
        case PixelType::i32:
        case PixelType::f32: return 4;
        case PixelType::f64: return 8;
    }
    return 4;
}

}  // namespace alinea::io
