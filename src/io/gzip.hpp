#pragma once
// gzip in memory: libdeflate for whole-buffer speed, zlib only to peek at a header.
#include "bytes.hpp"

#include <functional>
#include <span>
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

// The bytes [0, size) of a file that `fill(offset, piece)` writes piece by piece, and
// where the compressed bytes go, in order.
using FillBytes = std::function<void(std::size_t offset, std::span<std::uint8_t> piece)>;
using SinkBytes = std::function<void(std::span<const std::uint8_t> bytes)>;

// Compresses `size` bytes in fixed 8 MiB pieces, each a gzip member of its own (a
// multi-member file is plain gzip: gzip(1), zlib, nibabel and ITK read it). A few
// pieces are made and compressed in parallel at a time, in reused buffers: neither
// the raw bytes nor the compressed file is ever held whole, and the bytes do not
// depend on the thread count.
void gzip_stream(std::size_t size, const FillBytes& fill, int level, const SinkBytes& sink);

// gzip_stream of a buffer in memory, into one buffer.
ByteBuffer gzip(std::span<const std::uint8_t> raw, int level = 1);

// Piece boundaries of gzip_stream (and of the uncompressed writers that share it).
inline constexpr std::size_t gzip_piece = std::size_t(8) << 20;

// Deflate cannot expand data by more than ~1032:1, so a compressed size bounds the
// decompressed size: a header promising more than this is a truncated file.
std::uint64_t max_gunzip_size(std::uint64_t compressed_size);

}  // namespace alinea::io
