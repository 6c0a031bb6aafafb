#pragma once
// gzip in memory: libdeflate for whole-buffer speed, zlib only to peek at a header.
#include "bytes.hpp"

#include <vector>

namespace alinea::io {

bool is_gzip(std::span<const std::uint8_t> bytes);

// The first `count` decompressed bytes (fewer if the stream is shorter): lets a reader
// validate a header before it allocates room for the whole image.
std::vector<std::uint8_t> gunzip_head(std::span<const std::uint8_t> gz, std::size_t count, const std::string& path);

// Decompresses gzip members (several are allowed, as gzip(1) does) until at least
// `needed` bytes are out or the input ends; needed == 0 means everything. With
// `declared` > 0 (the size the file's header promises), never holds more than that
// and refuses data beyond it: a small file that inflates to gigabytes (a gzip bomb)
// costs no more memory than its header says. Errors name `path`.
ByteBuffer gunzip(std::span<const std::uint8_t> gz, std::size_t needed, const std::string& path,
                  std::size_t declared = 0);

// One gzip member. Level 1 by default: on float images and fields, higher levels cost
// several times the time for a few per cent smaller files.
ByteBuffer gzip(std::span<const std::uint8_t> raw, int level = 1);

// Deflate cannot expand data by more than ~1032:1, so a compressed size bounds the
// decompressed size: a header promising more than this is a truncated file.
std::uint64_t max_gunzip_size(std::uint64_t compressed_size);

}  // namespace alinea::io
