// Dispatch by file name, pixel type names, and atomic writes.
#include "alinea/atomic_file.hpp"
#include "alinea/image_io.hpp"
#include "alinea/itk_image_io.hpp"
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
    expect_file_error([&] { read_image<3>(path("a.xyz")); }, path("a.xyz"), "supported: .nii, .nii.gz, .png, .mha");
    expect_file_error([&] { image_dimension(path("a.jpeg")); }, path("a.jpeg"), "unknown image format");
    // The ITK formats: a missing file is named as such, or the missing component is.
    const std::string missing = itk_image_io_available() ? "cannot open: no such file" : "need Alinea built with ITK";
    expect_file_error([&] { read_image<3>(path("a.mha")); }, path("a.mha"), missing);
    expect_file_error([&] { image_dimension(path("a.nrrd")); }, path("a.nrrd"), missing);
    expect_file_error([&] { write_image(path("b.jpg"), volume); }, path("b.jpg"), "unknown image format");
    expect_file_error([&] { write_image(path("v.png"), volume); }, path("v.png"), "2-D");
    write_image(path("s.png"), ScalarImage<2>(Grid<2>::from_spacing({2, 2}, VecD<2>::Ones()), 1.f));
    expect_file_error([&] { read_image<3>(path("s.png")); }, path("s.png"), "2-D");
    EXPECT_EQ(listing().size(), 1u);
}

// Through ITK: every voxel type and both dimensions come back with the same grid (an
// oblique one) and the same values; reading says what the header holds.
TEST_F(ImageIo, ItkFormatsRoundTripExactly) {
    if (!itk_image_io_available()) GTEST_SKIP() << "built without ITK (tests/cli/formats.sh checks the message)";
    const Eigen::Matrix3d rotation = Eigen::AngleAxisd(0.4, Eigen::Vector3d(1, 2, 3).normalized()).toRotationMatrix();
    const Grid<3> grid3 = Grid<3>::from_spacing({5, 4, 3}, VecD<3>(0.7, 1.1, 2.5), VecD<3>(-12.5, 30.25, 7), rotation);
    const Grid<2> grid2 = Grid<2>::from_spacing({6, 5}, VecD<2>(0.5, 1.5), VecD<2>(3, -4),
                                                Eigen::Rotation2Dd(0.3).toRotationMatrix());
    for (const std::string ext : {".mha", ".mhd", ".nrrd", ".nhdr"}) {
        for (PixelType type : {PixelType::u8, PixelType::i8, PixelType::u16, PixelType::i16, PixelType::u32,
                               PixelType::i32, PixelType::f32, PixelType::f64}) {
            ScalarImage<3> volume(grid3);
            ScalarImage<2> slice(grid2);
            for (Index i = 0; i < volume.voxel_count(); ++i) volume[i] = static_cast<float>((i * 37) % 101);
            for (Index i = 0; i < slice.voxel_count(); ++i) slice[i] = static_cast<float>((i * 13) % 97);
            // out.mhd and out.nhdr would share out.raw: one name per format
            const std::string stem = to_string(type) + "_" + ext.substr(1);
            const std::string name = "v_" + stem + ext, name2 = "s_" + stem + ext;
            write_image(path(name), volume, type);
            write_image(path(name2), slice, type);
            const ImageFileInfo info = read_image_info(path(name));
            EXPECT_EQ(info.pixel_type, type) << name;
            EXPECT_EQ(info.dimension, 3) << name;
            EXPECT_EQ(image_dimension(path(name2)), 2) << name2;
            const ScalarImage<3> back = read_image<3>(path(name));
            const ScalarImage<2> back2 = read_image<2>(path(name2));
            EXPECT_TRUE(back.grid().same_as(grid3, 1e-12)) << name;
            EXPECT_TRUE(back2.grid().same_as(grid2, 1e-12)) << name2;
            EXPECT_TRUE(std::equal(back.voxels().begin(), back.voxels().end(), volume.voxels().begin())) << name;
            EXPECT_TRUE(std::equal(back2.voxels().begin(), back2.voxels().end(), slice.voxels().begin())) << name2;
            expect_file_error([&] { read_image<2>(path(name)); }, path(name), "is a 3-D image");
        }
    }
    // A VTK file holds no orientation: an oblique image is refused, an axis-aligned one kept.
    expect_file_error([&] { write_image(path("o.vtk"), ScalarImage<3>(grid3, 1.f)); }, path("o.vtk"), "orientation");
    const Grid<3> straight = Grid<3>::from_spacing({3, 3, 2}, VecD<3>(1, 2, 3), VecD<3>(4, 5, 6));
    write_image(path("a.vtk"), ScalarImage<3>(straight, 2.f));
    EXPECT_TRUE(read_image<3>(path("a.vtk")).grid().same_as(straight, 1e-12));
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
