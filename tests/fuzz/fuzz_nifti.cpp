// The NIfTI reader (NIfTI-1 and -2, plain and gzip, scalar, 4-D and vector images):
// header checks, orientation, scaling, decompression bounded by the header's size.
#include "fuzz_input.hpp"

#include "alinea/image_io.hpp"
#include "alinea/nifti.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace alinea;
    // The reader recognises gzip by content; the name decides only how outputs are written.
    const std::string path = fuzz::as_file(data, size, ".nii");
    fuzz::expect_read_or_error([&] { read_nifti_info(path); });
    fuzz::expect_read_or_error([&] { read_image<3>(path); });
    fuzz::expect_read_or_error([&] { read_image<2>(path); });
    fuzz::expect_read_or_error([&] { read_nifti_vector<3>(path); });
    fuzz::expect_read_or_error([&] { read_nifti_value_stats(path); });
    return 0;
}
