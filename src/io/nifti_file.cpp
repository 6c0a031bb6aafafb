#include "nifti_file.hpp"

#include "alinea/error.hpp"
#include "gzip.hpp"

namespace alinea::io {

namespace {

std::string truncated(std::uint64_t want, std::uint64_t have) {
    return "file is truncated: the header needs " + std::to_string(want) + " bytes, the file holds " +
           std::to_string(have);
}

}  // namespace

NiftiFile::NiftiFile(std::string path) : path_(std::move(path)) {
    constexpr std::size_t kHeaderBytes = 540;
    // The header is in the first compressed bytes too: header-only users (info,
    // dimension checks) never read a whole .nii.gz.
    constexpr std::size_t kPrefixBytes = 1 << 16;
    const std::uint64_t size = file_size(path_);
    const ByteBuffer start = read_file_range(path_, 0, kPrefixBytes);
    std::vector<std::uint8_t> head;
    if (is_gzip(start.bytes())) {
        compressed_ = true;
        try {
            head = gunzip_head(start.bytes(), kHeaderBytes, path_);
        } catch (const Error&) {
            if (start.size() == size) throw;
            file_ = read_file(path_, kMaxDataBytes);  // a header beyond the prefix: odd but valid
            head = gunzip_head(file_.bytes(), kHeaderBytes, path_);
        }
    } else {
        head.assign(start.data(), start.data() + std::min<std::size_t>(start.size(), kHeaderBytes));
    }
    header_ = decode_nifti_header(head, path_);
    info_ = describe_nifti(header_, path_);

    const std::uint64_t end = nifti_data_offset(header_) + nifti_data_bytes(info_);
    if (!compressed_ && size < end) throw file_error(path_, truncated(end, size));
    // Deflate expands at most ~1032:1: a header promising more is a truncated file,
    // and refusing now avoids allocating what the header asks for.
    if (compressed_ && end > max_gunzip_size(size))
        throw file_error(path_, truncated(end, max_gunzip_size(size)) + " at most");
    compressed_size_ = size;
}

bool NiftiFile::likely_complete() const {
    if (!compressed_) return true;  // the constructor checked the size
    if (compressed_size_ < 18) return false;
    const ByteBuffer trailer = read_file_range(path_, compressed_size_ - 4, 4);
    if (trailer.size() != 4) return false;
    const std::uint8_t* t = trailer.data();
    const std::uint32_t isize = t[0] | t[1] << 8 | t[2] << 16 | static_cast<std::uint32_t>(t[3]) << 24;
    const std::uint64_t end = nifti_data_offset(header_) + nifti_data_bytes(info_);
    return isize == static_cast<std::uint32_t>(end);
}

std::span<const std::uint8_t> NiftiFile::data(std::uint64_t offset, std::uint64_t length) {
    const std::uint64_t begin = nifti_data_offset(header_) + offset;
    if (compressed_) {
        // Compressed files are read whole: one read, then one libdeflate pass.
        if (file_.size() == 0) file_ = read_file(path_, kMaxDataBytes);
        const std::uint64_t end = nifti_data_offset(header_) + nifti_data_bytes(info_);
        if (raw_.size() < begin + length) raw_ = gunzip(file_.bytes(), begin + length, path_, end);
        if (raw_.size() < begin + length) throw file_error(path_, truncated(begin + length, raw_.size()));
        return {raw_.data() + begin, length};
    }
    raw_ = read_file_range(path_, begin, length);
    if (raw_.size() < length) throw file_error(path_, truncated(begin + length, begin + raw_.size()));
    return {raw_.data(), length};
}

}  // namespace alinea::io
