// PNG through libpng's simplified API: it handles every bit depth, palette and colour
// type, and reports errors through png_image.message instead of longjmp.
#include "alinea/png.hpp"

#include "alinea/atomic_file.hpp"
#include "alinea/error.hpp"
#include "bytes.hpp"

#include <cmath>
#include <cstring>
#include <png.h>

namespace alinea {

namespace {

// The simplified API's image, freed on every path out.
struct PngImage {
    png_image image;
    PngImage() {
        std::memset(&image, 0, sizeof image);
        image.version = PNG_IMAGE_VERSION;
    }
    ~PngImage() { png_image_free(&image); }
};

void write_png_bytes(const std::string& path, png_image& image, const void* pixels, png_int_32 row_stride) {
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&image, nullptr, &size, 0, pixels, row_stride, nullptr))
        throw file_error(path, std::string("cannot encode PNG: ") + image.message);
    std::vector<std::uint8_t> bytes(size);
    if (!png_image_write_to_memory(&image, bytes.data(), &size, 0, pixels, row_stride, nullptr))
        throw file_error(path, std::string("cannot encode PNG: ") + image.message);
    bytes.resize(size);
    write_atomically(path, [&](const std::string& temp) { io::write_file(temp, bytes, path); });
}

void check_png_name(const std::string& path) {
    if (!io::has_suffix(path, ".png")) throw file_error(path, "a PNG file name must end in .png");
}

}  // namespace

ScalarImage<2> read_png(const std::string& path) {
    // PNG files are small: read whole (at most 1 GiB), decode from memory.
    const io::ByteBuffer file = io::read_file(path, std::uint64_t{1} << 30);
    PngImage png;
    if (!png_image_begin_read_from_memory(&png.image, file.data(), file.size()))
        throw file_error(path, std::string("not a valid PNG file: ") + png.image.message);
    const Index width = png.image.width, height = png.image.height;
    const std::string dims = std::to_string(width) + "x" + std::to_string(height);
    if (width <= 0 || height <= 0 || width * height > (Index{1} << 31)) throw file_error(path, "PNG too large (" + dims + ")");
    // zlib expands at most ~1032:1: a small file promising a huge image is corrupt, and
    // is refused before its pixels are allocated.
    if (static_cast<std::uint64_t>(width * height) > file.size() * 1032ull + 65536)
        throw file_error(path, "corrupt or truncated PNG (" + dims + " pixels in " + std::to_string(file.size()) + " bytes)");
    // Ask for the file's own depth: converting 16 to 8 bits (or back) would apply the
    // sRGB gamma curve and change the values.
    const bool sixteen = (png.image.format & PNG_FORMAT_FLAG_LINEAR) != 0;
    png.image.format = sixteen ? PNG_FORMAT_LINEAR_Y : PNG_FORMAT_GRAY;
    const std::size_t pixels = static_cast<std::size_t>(width * height);
    std::vector<float> values(pixels);
    if (sixteen) {
        std::vector<png_uint_16> buffer(pixels);
        if (!png_image_finish_read(&png.image, nullptr, buffer.data(), 0, nullptr))
            throw file_error(path, std::string("cannot decode PNG: ") + png.image.message);
        std::copy(buffer.begin(), buffer.end(), values.begin());
    } else {
        std::vector<png_byte> buffer(pixels);
        if (!png_image_finish_read(&png.image, nullptr, buffer.data(), 0, nullptr))
            throw file_error(path, std::string("cannot decode PNG: ") + png.image.message);
        std::copy(buffer.begin(), buffer.end(), values.begin());
    }
    // No geometry in PNG: unit spacing, zero origin, identity direction (as ITK).
    return ScalarImage<2>(Grid<2>::from_spacing({width, height}, VecD<2>::Ones()), std::move(values));
}

PngInfo read_png_info(const std::string& path) {
    const io::ByteBuffer file = io::read_file(path, std::uint64_t{1} << 30);
    PngImage png;
    if (!png_image_begin_read_from_memory(&png.image, file.data(), file.size()))
        throw file_error(path, std::string("not a valid PNG file: ") + png.image.message);
    PngInfo info{static_cast<int>(png.image.width), static_cast<int>(png.image.height),
                 (png.image.format & PNG_FORMAT_FLAG_LINEAR) ? 16 : 8,
                 static_cast<int>(PNG_IMAGE_SAMPLE_CHANNELS(png.image.format))};
    const auto pixels = static_cast<std::uint64_t>(info.width) * static_cast<std::uint64_t>(info.height);
    if (info.channels >= 3 && pixels <= file.size() * 1032ull + 65536) {  // the decoding limit of read_png
        png.image.format = PNG_FORMAT_RGB;
        std::vector<png_byte> rgb(3 * pixels);
        if (png_image_finish_read(&png.image, nullptr, rgb.data(), 0, nullptr))
            for (std::size_t i = 0; i < rgb.size() && !info.colour; i += 3)
                info.colour = rgb[i] != rgb[i + 1] || rgb[i + 1] != rgb[i + 2];
    }
    return info;
}

void write_png(const std::string& path, const ScalarImage<2>& image, int bit_depth) {
    check_png_name(path);
    if (bit_depth != 8 && bit_depth != 16)
        throw file_error(path, "PNG bit depth must be 8 or 16, not " + std::to_string(bit_depth));
    if (image.empty()) throw file_error(path, "cannot write an empty image");
    PngImage png;
    png.image.width = static_cast<png_uint_32>(image.size()[0]);
    png.image.height = static_cast<png_uint_32>(image.size()[1]);
    const double top = bit_depth == 8 ? 255.0 : 65535.0;
    const auto clamp = [top](float v) { return std::isnan(v) ? 0.0 : std::clamp(std::nearbyint(double(v)), 0.0, top); };
    if (bit_depth == 8) {
        png.image.format = PNG_FORMAT_GRAY;
        std::vector<png_byte> buffer(image.voxels().size());
        std::transform(image.voxels().begin(), image.voxels().end(), buffer.begin(),
                       [&](float v) { return static_cast<png_byte>(clamp(v)); });
        write_png_bytes(path, png.image, buffer.data(), 0);
    } else {
        png.image.format = PNG_FORMAT_LINEAR_Y;
        std::vector<png_uint_16> buffer(image.voxels().size());
        std::transform(image.voxels().begin(), image.voxels().end(), buffer.begin(),
                       [&](float v) { return static_cast<png_uint_16>(clamp(v)); });
        write_png_bytes(path, png.image, buffer.data(), 0);
    }
}

void write_png_rgb(const std::string& path, int width, int height, const std::vector<unsigned char>& rgb) {
    check_png_name(path);
    if (width <= 0 || height <= 0 || rgb.size() != static_cast<std::size_t>(width) * height * 3)
        throw file_error(path, "RGB buffer does not match " + std::to_string(width) + "x" + std::to_string(height));
    PngImage png;
    png.image.width = static_cast<png_uint_32>(width);
    png.image.height = static_cast<png_uint_32>(height);
    png.image.format = PNG_FORMAT_RGB;
    write_png_bytes(path, png.image, rgb.data(), 0);
}

std::string encode_png_rgb(int width, int height, const std::vector<unsigned char>& rgb) {
    if (width <= 0 || height <= 0 || rgb.size() != static_cast<std::size_t>(width) * height * 3)
        throw Error("RGB buffer does not match " + std::to_string(width) + "x" + std::to_string(height));
    PngImage png;
    png.image.width = static_cast<png_uint_32>(width);
    png.image.height = static_cast<png_uint_32>(height);
    png.image.format = PNG_FORMAT_RGB;
    png.image.flags = PNG_IMAGE_FLAG_FAST;
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&png.image, nullptr, &size, 0, rgb.data(), 0, nullptr))
        throw Error(std::string("cannot encode PNG: ") + png.image.message);
    std::string bytes(size, '\0');
    if (!png_image_write_to_memory(&png.image, bytes.data(), &size, 0, rgb.data(), 0, nullptr))
        throw Error(std::string("cannot encode PNG: ") + png.image.message);
    bytes.resize(size);
    return bytes;
}

}  // namespace alinea
