#include "alinea/output_set.hpp"

#include "alinea/atomic_file.hpp"
#include "alinea/error.hpp"
#include "temporaries.hpp"

#include <array>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace alinea {

namespace io {

namespace {

constexpr int slots = 4096;
// Paths are never freed once registered: the handler may read one while another
// thread unregisters it. A run writes tens of files, so the leak is a few kilobytes.
std::array<std::atomic<const char*>, slots> table{};
std::atomic<int> renaming{0};
volatile std::sig_atomic_t pending_signal = 0;

void remove_all() {
    for (auto& entry : table)
        if (const char* path = entry.load()) ::unlink(path);
}

[[noreturn]] void leave(int signal) {
    remove_all();
    static const char message[] = "alinea: interrupted\n";
    [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, message, sizeof message - 1);
    ::_exit(128 + signal);
}

void on_signal(int signal) {
    if (renaming.load() > 0) {  // let the renames finish: the outputs are then complete
        pending_signal = signal;
        return;
    }
    leave(signal);
}

}  // namespace

int register_temporary(const std::string& path) {
    const char* copy = ::strdup(path.c_str());
    if (!copy) return -1;
    for (int s = 0; s < slots; ++s) {
        const char* empty = nullptr;
        if (table[s].compare_exchange_strong(empty, copy)) return s;
    }
    return -1;
}

void unregister_temporary(int slot) {
    if (slot >= 0 && slot < slots) table[slot].store(nullptr);
}

void begin_renames() { ++renaming; }

void end_renames() {
    if (--renaming == 0 && pending_signal != 0) leave(pending_signal);
}

}  // namespace io

void remove_temporaries_on_signals() {
    static const bool installed = [] {
        struct sigaction action {};
        action.sa_handler = io::on_signal;
        sigemptyset(&action.sa_mask);
        ::sigaction(SIGINT, &action, nullptr);
        ::sigaction(SIGTERM, &action, nullptr);
        return true;
    }();
    (void)installed;
}

OutputSet::~OutputSet() {
    for (const Staged& s : staged_) {
        std::error_code ec;
        std::filesystem::remove(s.temporary, ec);
        io::unregister_temporary(s.slot);
    }
}

std::string OutputSet::operator()(const std::string& path) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    if (!target.has_filename()) throw file_error(path, "not a file name");
    std::error_code ec;
    if (const fs::path folder = target.parent_path(); !folder.empty() && !fs::is_directory(folder, ec))
        throw file_error(path, "cannot write: folder " + folder.string() + " does not exist");
    if (fs::is_directory(target, ec)) throw file_error(path, "cannot write: it is a folder");
    for (const Staged& s : staged_)
        if (s.path == path) throw file_error(path, "written twice by one run");
    static std::atomic<unsigned> counter{0};
    std::string name = ".alinea-";
    name.append(std::to_string(::getpid())).append("-").append(std::to_string(counter++)).append("-");
    name.append(target.filename().string());
    const std::string temporary = (target.parent_path() / name).string();
    staged_.push_back({temporary, path, io::register_temporary(temporary)});
    return temporary;
}

void OutputSet::commit() {
    // What can make a rename fail in its own folder, checked before the first one.
    for (const Staged& s : staged_) {
        std::error_code ec;
        if (std::filesystem::is_directory(s.path, ec)) throw file_error(s.path, "cannot write: it is a folder");
    }
    io::begin_renames();
    std::string failure;
    for (Staged& s : staged_) {
        std::error_code ec;
        if (!std::filesystem::exists(s.temporary, ec)) continue;  // an optional output that was not written
        std::filesystem::rename(s.temporary, s.path, ec);
        if (ec && failure.empty()) failure = s.path + ": cannot write: " + ec.message();
        if (!ec) io::unregister_temporary(s.slot), s.slot = -1;
    }
    io::end_renames();
    if (!failure.empty()) throw Error(failure);
    staged_.clear();
}

void write_text_file(const std::string& path, const std::string& text) {
    write_atomically(path, [&](const std::string& temp) {
        std::ofstream out(temp, std::ios::binary);
        out << text;
        out.close();
        if (!out) throw file_error(path, "write failed");
    });
}

void check_outputs_spare_inputs(const std::vector<std::string>& inputs, const std::vector<std::string>& outputs) {
    for (const std::string& out : outputs)
        for (const std::string& in : inputs)
            if (!in.empty() && std::filesystem::weakly_canonical(out) == std::filesystem::weakly_canonical(in))
                throw Error(out + ": this output would overwrite an input; choose another prefix");
}

void check_output_prefix(const std::string& prefix) {
    const std::filesystem::path folder = std::filesystem::path(prefix + "x").parent_path();
    std::error_code ec;
    if (!folder.empty() && !std::filesystem::is_directory(folder, ec))
        throw Error(prefix + ": the output folder " + folder.string() + " does not exist (runs do not create folders)");
}

}  // namespace alinea
