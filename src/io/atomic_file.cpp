#include "alinea/atomic_file.hpp"

#include "alinea/error.hpp"
#include "temporaries.hpp"

#include <atomic>
#include <filesystem>
#include <unistd.h>

namespace alinea {

void write_atomically(const std::string& path, const std::function<void(const std::string&)>& write) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    if (!target.has_filename()) throw file_error(path, "not a file name");
    const fs::path folder = target.parent_path();
    std::error_code ec;
    if (!folder.empty() && !fs::is_directory(folder, ec))
        throw file_error(path, "cannot write: folder " + folder.string() + " does not exist");
    if (fs::is_directory(target, ec)) throw file_error(path, "cannot write: it is a folder");

    // Same folder, so the rename is atomic (one file system); pid + counter, so
    // concurrent writers (processes or threads) never share a temporary file.
    static std::atomic<unsigned> counter{0};
    const fs::path temp = folder / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                                    std::to_string(counter++));
    const int slot = io::register_temporary(temp.string());  // removed on SIGINT and SIGTERM
    try {
        write(temp.string());
    } catch (...) {
        fs::remove(temp, ec);
        io::unregister_temporary(slot);
        throw;
    }
    io::begin_renames();
    fs::rename(temp, target, ec);
    io::unregister_temporary(slot);
    io::end_renames();
    if (ec) {
        fs::remove(temp, ec);
        throw file_error(path, "cannot write: " + ec.message());
    }
}

}  // namespace alinea
