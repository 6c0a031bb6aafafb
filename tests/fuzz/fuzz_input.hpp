#pragma once
// libFuzzer targets read files the way users give them: by path. Each input is written
// to a file of this process (in TMPDIR, /dev/shm when it exists) and read back by the
// real readers. A reader may refuse an input only with alinea::Error (one clear
// message); any other exception, a crash, a sanitizer report, a leak, a hang or an
// allocation beyond libFuzzer's limits is a finding.
#include "alinea/error.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace alinea::fuzz {

inline std::string scratch_path(const std::string& extension) {
    static const std::string folder = [] {
        if (const char* t = std::getenv("TMPDIR"); t && *t) return std::string(t);
        return std::filesystem::is_directory("/dev/shm") ? std::string("/dev/shm") : std::string("/tmp");
    }();
    return folder + "/alinea-fuzz-" + std::to_string(::getpid()) + extension;
}

// Writes the input to the scratch file with this extension and returns its path.
inline std::string as_file(const std::uint8_t* data, std::size_t size, const std::string& extension) {
    const std::string path = scratch_path(extension);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort();
    if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
    return path;
}

// Runs a reader; alinea::Error is the expected way to refuse.
template <class Read>
void expect_read_or_error(Read&& read) {
    try {
        read();
    } catch (const alinea::Error&) {
    }
}

}  // namespace alinea::fuzz
