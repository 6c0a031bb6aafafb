#include "gzip.hpp"

#include "alinea/error.hpp"
#include "alinea/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <libdeflate.h>
#include <zlib.h>

namespace alinea::io {

namespace {

struct Decompressor {
    libdeflate_decompressor* d = libdeflate_alloc_decompressor();
    ~Decompressor() { libdeflate_free_decompressor(d); }
};

struct Compressor {
    libdeflate_compressor* c;
    explicit Compressor(int level) : c(libdeflate_alloc_compressor(level)) {}
    ~Compressor() { libdeflate_free_compressor(c); }
};

}  // namespace

bool is_gzip(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

std::uint64_t max_gunzip_size(std::uint64_t compressed_size) {
    return compressed_size * 1032 + 65536;
}

std::vector<std::uint8_t> gunzip_head(std::span<const std::uint8_t> gz, std::size_t count, const std::string& path) {
    std::vector<std::uint8_t> out(count);
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw file_error(path, "cannot initialise zlib");
    z.next_in = const_cast<Bytef*>(gz.data());
    z.avail_in = static_cast<uInt>(std::min<std::size_t>(gz.size(), 1u << 30));
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(count);
    bool ended = false;  // the last member ended properly
    while (z.avail_out > 0) {
        const int status = inflate(&z, Z_NO_FLUSH);
        ended = status == Z_STREAM_END;
        if (ended) {
            // A header split across gzip members: continue with the next member.
            if (z.avail_in < 2 || z.next_in[0] != 0x1f || z.next_in[1] != 0x8b) break;
            inflateReset(&z);
            continue;
        }
        if (status == Z_BUF_ERROR) break;  // no more input
        if (status != Z_OK) {
            inflateEnd(&z);
            throw file_error(path, "corrupt gzip data");
        }
    }
    inflateEnd(&z);
    // Fewer bytes than asked for are fine if the stream ended; otherwise it was cut.
    if (z.avail_out > 0 && !ended) throw file_error(path, "truncated gzip data");
    out.resize(count - z.avail_out);
    return out;
}

ByteBuffer gunzip(std::span<const std::uint8_t> gz, std::size_t needed, const std::string& path,
                  std::size_t declared) {
    if (!is_gzip(gz)) throw file_error(path, "not a gzip file");
    const std::uint64_t limit = declared > 0 ? std::min<std::uint64_t>(declared, max_gunzip_size(gz.size()))
                                             : max_gunzip_size(gz.size());
    const auto beyond = [&] {
        return file_error(path, "more compressed data than the header declares (" + std::to_string(declared) +
                                    " bytes): a corrupt file or a gzip bomb");
    };
    // The trailer's ISIZE is the last member's size mod 2^32: a good first guess for
    // the usual single-member file, and wrong (hence the growth below) otherwise.
    std::uint64_t guess = needed;
    if (gz.size() >= 18) {
        const std::uint8_t* t = gz.data() + gz.size() - 4;
        const std::uint32_t isize = t[0] | t[1] << 8 | t[2] << 16 | static_cast<std::uint32_t>(t[3]) << 24;
        guess = std::max<std::uint64_t>(guess, isize);
    }
    ByteBuffer out(static_cast<std::size_t>(std::clamp<std::uint64_t>(guess, 1, limit)));
    out.set_size(0);

    Decompressor decompressor;
    if (!decompressor.d) throw file_error(path, "out of memory for the gzip decompressor");
    std::size_t in_pos = 0;
    while (in_pos < gz.size() && (needed == 0 || out.size() < needed)) {
        if (!is_gzip(gz.subspan(in_pos))) {
            if (in_pos == 0) throw file_error(path, "not a gzip file");
            break;  // trailing garbage after the last member, ignored as gzip(1) does
        }
        std::size_t in_used = 0, out_used = 0;
        const auto result = libdeflate_gzip_decompress_ex(
            decompressor.d, gz.data() + in_pos, gz.size() - in_pos, out.data() + out.size(),
            out.capacity() - out.size(), &in_used, &out_used);
        if (result == LIBDEFLATE_INSUFFICIENT_SPACE) {
            if (declared > 0 && out.capacity() >= limit) throw beyond();
            if (out.capacity() >= limit) throw file_error(path, "corrupt gzip data (implausible size)");
            const std::uint64_t grown = std::max<std::uint64_t>(out.capacity() * 2ull, out.capacity() + (1u << 20));
            out.reserve(static_cast<std::size_t>(std::min(grown, limit)));
            continue;  // this member again, with more room
        }
        if (result != LIBDEFLATE_SUCCESS) throw file_error(path, "corrupt or truncated gzip data");
        in_pos += in_used;
        out.set_size(out.size() + out_used);
    }
    // All that was declared is out: a further member with data is more than declared.
    if (declared > 0 && out.size() >= declared && in_pos < gz.size() && is_gzip(gz.subspan(in_pos))) {
        std::uint8_t probe = 0;
        std::size_t in_used = 0, out_used = 0;
        if (libdeflate_gzip_decompress_ex(decompressor.d, gz.data() + in_pos, gz.size() - in_pos, &probe, 1, &in_used,
                                          &out_used) != LIBDEFLATE_SUCCESS ||
            out_used > 0)
            throw beyond();
    }
    return out;
}

ByteBuffer gzip(std::span<const std::uint8_t> raw, int level) {
    // Large buffers are cut into fixed 8 MiB pieces compressed in parallel, each a
    // gzip member of its own (a multi-member file is plain gzip: gzip(1), zlib,
    // nibabel and ITK read it). The pieces do not depend on the thread count, so
    // neither do the bytes written.
    constexpr std::size_t piece = std::size_t(8) << 20;
    const std::size_t pieces = std::max<std::size_t>(1, (raw.size() + piece - 1) / piece);
    std::vector<ByteBuffer> parts(pieces);
    std::atomic<bool> failed = false;
    parallel_for(static_cast<Index>(pieces), [&](Index k) {
        const auto part = raw.subspan(k * piece, std::min(piece, raw.size() - k * piece));
        Compressor compressor(level);
        if (!compressor.c) { failed = true; return; }
        ByteBuffer out(libdeflate_gzip_compress_bound(compressor.c, part.size()));
        const std::size_t n =
            libdeflate_gzip_compress(compressor.c, part.data(), part.size(), out.data(), out.capacity());
        if (n == 0) { failed = true; return; }
        out.set_size(n);
        parts[k] = std::move(out);
    });
    if (failed) throw Error("gzip compression failed (out of memory?)");
    if (pieces == 1) return std::move(parts[0]);
    std::size_t total = 0;
    for (const ByteBuffer& p : parts) total += p.size();
    ByteBuffer out(total);
    std::size_t at = 0;
    for (const ByteBuffer& p : parts) {
        std::memcpy(out.data() + at, p.data(), p.size());
        at += p.size();
    }
    out.set_size(total);
    return out;
}

}  // namespace alinea::io
