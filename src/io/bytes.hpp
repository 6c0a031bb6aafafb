#pragma once
// Whole-file byte buffers: NIfTI and PNG files are read into memory in one go and
// written from memory in one go (the fast path for .nii.gz, and simple error handling).
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace alinea::io {

// An uninitialised byte buffer: decompressing 100 MB into a zero-filled vector would
// pay for the zero fill, which costs about as much as the copy itself.
// Asks the kernel to back [data, data + bytes) with transparent huge pages. A fresh
// 100 MB buffer otherwise costs ~25,000 page faults, which on a virtual machine take
// longer than decompressing the image. Harmless where huge pages are unavailable.
void advise_huge_pages(void* data, std::size_t bytes);

class ByteBuffer {
public:
    ByteBuffer() = default;
    explicit ByteBuffer(std::size_t size)
        : data_(std::make_unique_for_overwrite<std::uint8_t[]>(size)), size_(size), capacity_(size) {
        advise_huge_pages(data_.get(), size);
    }

    std::uint8_t* data() { return data_.get(); }
    const std::uint8_t* data() const { return data_.get(); }
    std::size_t size() const { return size_; }
    std::size_t capacity() const { return capacity_; }
    std::span<const std::uint8_t> bytes() const { return {data_.get(), size_}; }

    // Keeps the first `size` bytes (size <= capacity).
    void set_size(std::size_t size) { size_ = size; }
    // Reallocates to `capacity` bytes keeping the current contents.
    void reserve(std::size_t capacity);

private:
    std::unique_ptr<std::uint8_t[]> data_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

// Size of a regular file; throws a one-line Error if it cannot be opened.
std::uint64_t file_size(const std::string& path);
// The whole file, refusing files larger than max_bytes.
ByteBuffer read_file(const std::string& path, std::uint64_t max_bytes);
// Up to `length` bytes from `offset` (fewer only at the end of the file).
ByteBuffer read_file_range(const std::string& path, std::uint64_t offset, std::uint64_t length);
// Writes bytes to `path`; errors name `shown_as` (the user's file, not the temp file).
void write_file(const std::string& path, std::span<const std::uint8_t> bytes, const std::string& shown_as);

// The same in pieces, for outputs too large to hold at once (4-D series).
class FileWriter {
public:
    FileWriter(const std::string& path, const std::string& shown_as);
    ~FileWriter();
    FileWriter(const FileWriter&) = delete;
    FileWriter& operator=(const FileWriter&) = delete;
    void append(std::span<const std::uint8_t> bytes);
    void close();  // reports a deferred write error; the destructor only closes

private:
    int fd_ = -1;
    std::string shown_as_;
};

// "a.nii.gz" -> true: case-insensitive suffix test.
bool has_suffix(const std::string& path, const std::string& suffix);

}  // namespace alinea::io
