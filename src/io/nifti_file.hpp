#pragma once
// An open NIfTI file: the validated header, and the voxel bytes on demand.
// .nii.gz (recognised by content, not by name) is read whole and decompressed in
// memory when data is asked for; a plain .nii is read only in the range asked for.
// The header alone costs one small read either way.
#include "bytes.hpp"
#include "nifti_header.hpp"

namespace alinea::io {

class NiftiFile {
public:
    // Reads and validates the header; allocates nothing in proportion to the image.
    explicit NiftiFile(std::string path);

    const std::string& path() const { return path_; }
    const NiftiHeader& header() const { return header_; }
    const NiftiInfo& info() const { return info_; }
    bool compressed() const { return compressed_; }

    // `length` bytes of voxel data starting `offset` bytes after vox_offset; throws if
    // the file holds fewer (a truncated file).
    std::span<const std::uint8_t> data(std::uint64_t offset, std::uint64_t length);

    // True when the file is very likely complete (plain file long enough, or a gzip
    // trailer matching the header's size): callers may then allocate the output while
    // the data is decompressed, without risking a big allocation for a truncated file.
    bool likely_complete() const;

private:
    std::string path_;
    bool compressed_ = false;
    std::uint64_t compressed_size_ = 0;
    ByteBuffer file_;  // the compressed file (gzip only), read when the data is needed
    ByteBuffer raw_;   // decompressed file or the requested range of a plain file
    NiftiHeader header_;
    NiftiInfo info_;
};

}  // namespace alinea::io
