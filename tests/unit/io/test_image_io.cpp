// Dispatch by file name, pixel type names, and atomic writes.
#include "alinea/atomic_file.hpp"
#include "alinea/image_io.hpp"
#include "alinea/pixel_type.hpp"
#include "io_test_util.hpp"

using namespace alinea;
using namespace alinea::test;

namespace {

class ImageIo : public TempDir {};

TEST_F(ImageIo, DispatchByExtension) {
    const ScalarImage<2> slice(Grid<2>::from_spacing({5, 4}, VecD<2>(2, 3)), 9.f);
    const ScalarImage<3> volume(Grid<3>::from_spacing({5, 4, 3}, VecD<3>(2, 3, 4)), 7.f);
    write_image(path("s.png"), slice);
    write_image(path("s.nii.gz"), slice);
    write_image(path("v.nii"), volume, PixelType::i16);
    EXPECT_EQ(image_dimension(path("s.png")), 2);
    EXPECT_EQ(image_dimension(path("s.nii.gz")), 2);
    EXPECT_EQ(image_dimension(path("v.nii")), 3);
    EXPECT_EQ(read_image<2>(path("s.png"))[3], 9.f);
    EXPECT_TRUE(read_image<2>(path("s.nii.gz")).grid().same_as(slice.grid()));
    EXPECT_EQ(read_image<3>(path("v.nii"))[3], 7.f);
    EXPECT_EQ(read_nifti_info(path("v.nii")).pixel_type, PixelType::i16);
}

TEST_F(ImageIo, UnknownFormatsAndWrongDimensions) {
    const ScalarImage<3> volume(Grid<3>::from_spacing({2, 2, 2}, VecD<3>::Ones()), 1.f);
    expect_file_error([&] { read_image<3>(path("a.mha")); }, path("a.mha"), "supported: .nii, .nii.gz, .png");
    expect_file_error([&] { image_dimension(path("a.nrrd")); }, path("a.nrrd"), "unknown image format");
    expect_file_error([&] { write_image(path("b.jpg"), volume); }, path("b.jpg"), "unknown image format");
    expect_file_error([&] { write_image(path("v.png"), volume); }, path("v.png"), "2-D");
    write_image(path("s.png"), ScalarImage<2>(Grid<2>::from_spacing({2, 2}, VecD<2>::Ones()), 1.f));
    expect_file_error([&] { read_image<3>(path("s.png")); }, path("s.png"), "2-D");
    EXPECT_EQ(listing().size(), 1u);
}

TEST(PixelTypes, NamesAndRanges) {
    for (PixelType t : {PixelType::u8, PixelType::i8, PixelType::u16, PixelType::i16, PixelType::u32, PixelType::i32,
                        PixelType::f32, PixelType::f64})
        EXPECT_EQ(parse_pixel_type(to_string(t)), t);
    EXPECT_EQ(parse_pixel_type("short"), PixelType::i16);
    EXPECT_EQ(parse_pixel_type("Float"), PixelType::f32);
    EXPECT_EQ(pixel_type_min(PixelType::i8), -128);
    EXPECT_EQ(pixel_type_max(PixelType::u16), 65535);
    EXPECT_TRUE(is_integer(PixelType::u32));
    EXPECT_FALSE(is_integer(PixelType::f64));
    EXPECT_THROW(parse_pixel_type("complex"), Error);
}

TEST_F(ImageIo, AtomicWriteReplacesOnlyWhenComplete) {
    write_bytes(path("out.txt"), {'o', 'l', 'd'});
    EXPECT_THROW(write_atomically(path("out.txt"),
                                  [](const std::string& temp) {
                                      write_bytes(temp, {'h', 'a', 'l', 'f'});
                                      throw Error("disk full");
                                  }),
                 Error);
    EXPECT_EQ(read_bytes(path("out.txt")), (std::vector<std::uint8_t>{'o', 'l', 'd'}));
    EXPECT_EQ(listing().size(), 1u) << "the temporary file was not removed";
    write_atomically(path("out.txt"), [](const std::string& temp) { write_bytes(temp, {'n', 'e', 'w'}); });
    EXPECT_EQ(read_bytes(path("out.txt")), (std::vector<std::uint8_t>{'n', 'e', 'w'}));
    EXPECT_EQ(listing().size(), 1u);
}

}  // namespace
