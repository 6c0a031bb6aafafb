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

void gzip_stream(std::size_t size, const FillBytes& fill, int level, const SinkBytes& sink) {
    const std::size_t pieces = std::max<std::size_t>(1, (size + gzip_piece - 1) / gzip_piece);
    struct Slot {
        ByteBuffer raw, packed;
    };
    const std::size_t in_flight = std::min<std::size_t>(pieces, std::max(2, omp_get_max_threads()));
    std::vector<Slot> slots(in_flight);
    std::atomic<bool> failed = false;
    for (std::size_t first = 0; first < pieces; first += in_flight) {
        const std::size_t count = std::min(in_flight, pieces - first);
        parallel_for(static_cast<Index>(count), [&](Index s) {
            Slot& slot = slots[static_cast<std::size_t>(s)];
            const std::size_t offset = (first + static_cast<std::size_t>(s)) * gzip_piece;
            const std::size_t n = std::min(gzip_piece, size - offset);
            Compressor compressor(level);
            if (!compressor.c) { failed = true; return; }
            if (slot.raw.capacity() < n) slot.raw = ByteBuffer(n);
            fill(offset, std::span<std::uint8_t>(slot.raw.data(), n));
            const std::size_t bound = libdeflate_gzip_compress_bound(compressor.c, n);
            if (slot.packed.capacity() < bound) slot.packed = ByteBuffer(bound);
            const std::size_t m =
                libdeflate_gzip_compress(compressor.c, slot.raw.data(), n, slot.packed.data(), slot.packed.capacity());
            if (m == 0) { failed = true; return; }
            slot.packed.set_size(m);
        });
        if (failed) throw Error("gzip compression failed (out of memory?)");
        for (std::size_t s = 0; s < count; ++s) sink(slots[s].packed.bytes());
    }
}

ByteBuffer gzip(std::span<const std::uint8_t> raw, int level) {
    ByteBuffer out;
    gzip_stream(
        raw.size(), [&](std::size_t offset, std::span<std::uint8_t> piece) {
            std::memcpy(piece.data(), raw.data() + offset, piece.size());
        },
        level,
        [&](std::span<const std::uint8_t> bytes) {
            if (out.capacity() < out.size() + bytes.size()) out.reserve(std::max(2 * out.capacity(), out.size() + bytes.size()));
            std::memcpy(out.data() + out.size(), bytes.data(), bytes.size());
            out.set_size(out.size() + bytes.size());
        });
    return out;
}

}  // namespace alinea::io
