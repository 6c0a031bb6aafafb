// The PNG reader (libpng underneath): grey, colour, 8 and 16 bits, broken chunks.
#include "fuzz_input.hpp"

#include "alinea/png.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace alinea;
    const std::string path = fuzz::as_file(data, size, ".png");
    fuzz::expect_read_or_error([&] { read_png_info(path); });
    fuzz::expect_read_or_error([&] { read_png(path); });
    return 0;
}
