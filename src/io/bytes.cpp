#include "bytes.hpp"

#include "alinea/error.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace alinea::io {

namespace {

std::string system_error_text() { return std::strerror(errno); }

// A file descriptor closed on every path out of the scope.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& other) noexcept : fd_(other.release()) {}
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

Fd open_for_reading(const std::string& path, std::uint64_t& size) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) throw file_error(path, "cannot open: " + system_error_text());
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw file_error(path, "cannot read: " + system_error_text());
    if (S_ISDIR(st.st_mode)) throw file_error(path, "is a folder, not a file");
    if (!S_ISREG(st.st_mode)) throw file_error(path, "is not a regular file");
    size = static_cast<std::uint64_t>(st.st_size);
    return fd;
}

// pread until `length` bytes or end of file; returns the count read.
std::size_t read_at(int fd, std::uint8_t* out, std::size_t length, std::uint64_t offset, const std::string& path) {
    std::size_t done = 0;
    while (done < length) {
        const ssize_t n = ::pread(fd, out + done, std::min<std::size_t>(length - done, 1u << 30),
                                  static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw file_error(path, "read failed: " + system_error_text());
        }
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    return done;
}

}  // namespace

void advise_huge_pages(void* data, std::size_t bytes) {
    constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
    const auto begin = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHuge - 1);
    if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

void ByteBuffer::reserve(std::size_t capacity) {
    if (capacity <= capacity_) return;
    auto bigger = std::make_unique_for_overwrite<std::uint8_t[]>(capacity);
    advise_huge_pages(bigger.get(), capacity);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = capacity;
}

std::uint64_t file_size(const std::string& path) {
    std::uint64_t size = 0;
    open_for_reading(path, size);
    return size;
}

ByteBuffer read_file(const std::string& path, std::uint64_t max_bytes) {
    std::uint64_t size = 0;
    Fd fd = open_for_reading(path, size);
    if (size > max_bytes)
        throw file_error(path, "file too large (" + std::to_string(size) + " bytes; the limit is " +
                                   std::to_string(max_bytes) + ")");
    ByteBuffer buffer(static_cast<std::size_t>(size));
    buffer.set_size(read_at(fd.get(), buffer.data(), buffer.size(), 0, path));
    return buffer;
}

ByteBuffer read_file_range(const std::string& path, std::uint64_t offset, std::uint64_t length) {
    std::uint64_t size = 0;
    Fd fd = open_for_reading(path, size);
    const std::uint64_t available = offset < size ? std::min(length, size - offset) : 0;
    ByteBuffer buffer(static_cast<std::size_t>(available));
    buffer.set_size(read_at(fd.get(), buffer.data(), buffer.size(), offset, path));
    return buffer;
}

FileWriter::FileWriter(const std::string& path, const std::string& shown_as)
    : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)), shown_as_(shown_as) {
    if (fd_ < 0) throw file_error(shown_as, "cannot create: " + system_error_text());
}

FileWriter::~FileWriter() {
    if (fd_ >= 0) ::close(fd_);
}

void FileWriter::append(std::span<const std::uint8_t> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd_, bytes.data() + done, std::min<std::size_t>(bytes.size() - done, 1u << 30));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw file_error(shown_as_, "write failed: " + system_error_text());
        }
        done += static_cast<std::size_t>(n);
    }
}

void FileWriter::close() {
    // close() can report a deferred write error (e.g. a full disk on NFS).
    if (::close(std::exchange(fd_, -1)) != 0) throw file_error(shown_as_, "write failed: " + system_error_text());
}

void write_file(const std::string& path, std::span<const std::uint8_t> bytes, const std::string& shown_as) {
    FileWriter out(path, shown_as);
    out.append(bytes);
    out.close();
}

bool has_suffix(const std::string& path, const std::string& suffix) {
    if (path.size() < suffix.size()) return false;
    return std::equal(suffix.rbegin(), suffix.rend(), path.rbegin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
}

}  // namespace alinea::io
