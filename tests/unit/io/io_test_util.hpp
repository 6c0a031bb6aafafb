#pragma once
// Helpers for the I/O tests: a private temporary folder per test, raw file bytes, and
// hand-built NIfTI-1 headers for the cases no writer produces (byte-swapped, 4-D,
// scaled, odd codes).
#include "alinea/error.hpp"

#include <gtest/gtest.h>
#include <nifti/nifti1.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>
#include <zlib.h>

namespace alinea::test {

namespace fs = std::filesystem;

class TempDir : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("alinea_io_" + std::to_string(::getpid()) + "_" + info->test_suite_name() + "_" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    // Names in the folder (to check that no temporary file was left behind).
    std::vector<std::string> listing() const {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
        return names;
    }
    fs::path dir_;
};

inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// One gzip member made by zlib (an independent encoder from the library's libdeflate).
inline std::vector<std::uint8_t> zlib_gzip(const std::uint8_t* data, std::size_t size) {
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::vector<std::uint8_t> out(deflateBound(&z, size) + 64);
    z.next_in = const_cast<Bytef*>(data);
    z.avail_in = static_cast<uInt>(size);
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

inline std::vector<std::uint8_t> zlib_gzip(const std::vector<std::uint8_t>& data) {
    return zlib_gzip(data.data(), data.size());
}

// A NIfTI-1 header with identity-ish defaults; tests edit the fields they need.
inline nifti_1_header basic_header(std::vector<short> dims, short datatype, short bitpix) {
    nifti_1_header h{};
    h.sizeof_hdr = 348;
    h.dim[0] = static_cast<short>(dims.size());
    for (std::size_t i = 0; i < dims.size(); ++i) h.dim[i + 1] = dims[i];
    for (int i = static_cast<int>(dims.size()) + 1; i < 8; ++i) h.dim[i] = 1;
    h.datatype = datatype;
    h.bitpix = bitpix;
    for (float& p : h.pixdim) p = 1;
    h.vox_offset = 352;
    h.scl_slope = 1;
    std::memcpy(h.magic, "n+1", 4);
    return h;
}

// Header + 4 extension bytes + data.
inline std::vector<std::uint8_t> nifti_bytes(const nifti_1_header& h, const void* data, std::size_t size) {
    std::vector<std::uint8_t> bytes(352 + size, 0);
    std::memcpy(bytes.data(), &h, sizeof h);
    std::memcpy(bytes.data() + 352, data, size);
    return bytes;
}

// Expects an alinea::Error whose one-line message names `file` and contains `words`.
template <class F>
void expect_file_error(F&& f, const std::string& file, const std::string& words) {
    try {
        f();
        ADD_FAILURE() << "no error for " << file << " (expected: " << words << ")";
    } catch (const alinea::Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(file), std::string::npos) << what;
        EXPECT_NE(what.find(words), std::string::npos) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
}

}  // namespace alinea::test
