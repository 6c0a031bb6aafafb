// The transform-file parsers: ITK text transforms (.txt/.tfm) and RAS matrices (.mat),
// 2-D and 3-D.
#include "fuzz_input.hpp"

#include "alinea/transform_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace alinea;
    for (const char* extension : {".txt", ".mat"}) {
        const std::string path = fuzz::as_file(data, size, extension);
        fuzz::expect_read_or_error([&] { transform_file_dimension(path); });
        fuzz::expect_read_or_error([&] { read_linear_transform<3>(path); });
        fuzz::expect_read_or_error([&] { read_linear_transform<2>(path); });
    }
    return 0;
}
