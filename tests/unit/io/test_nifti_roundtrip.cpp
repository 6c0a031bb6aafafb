// NIfTI write -> read round trips: every data type, NIfTI-1 and -2, .nii and .nii.gz,
// 2-D and 3-D, oblique and sheared grids, vector fields, and the sform/qform codes.
#include "alinea/nifti.hpp"
#include "io_test_util.hpp"

#include <cmath>
#include <limits>
#include <tuple>

using namespace alinea;
using alinea::test::TempDir;

namespace {

MatD<3> rotation(double angle, const VecD<3>& axis) { return Eigen::AngleAxisd(angle, axis.normalized()).toRotationMatrix(); }

Grid<3> oblique3() {
    return Grid<3>::from_spacing({7, 5, 4}, VecD<3>(0.9, 1.3, 2.5), VecD<3>(-12.5, 30.25, 7), rotation(0.4, VecD<3>(1, 2, 3)));
}

Grid<2> oblique2() {
    MatD<2> r;
    r << std::cos(0.3), -std::sin(0.3), std::sin(0.3), std::cos(0.3);
    return Grid<2>::from_spacing({9, 6}, VecD<2>(0.7, 1.9), VecD<2>(4.5, -8), r);
}

// Values every type can hold exactly, including both ends of its range.
std::vector<float> values_for(PixelType type, Index n) {
    const double lo = std::max(pixel_type_min(type), -16777216.0), hi = std::min(pixel_type_max(type), 16777216.0);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) {
        const double t = static_cast<double>((i * 37) % 101) / 100.0;
        v[i] = static_cast<float>(std::round(lo + t * (hi - lo)));
    }
    v[0] = static_cast<float>(lo);
    v[1] = static_cast<float>(hi);
    if (!is_integer(type)) v[2] = 0.123456789f, v[3] = -1e-20f;
    return v;
}

template <int D>
ScalarImage<D> make_image(const Grid<D>& grid, PixelType type) {
    return ScalarImage<D>(grid, values_for(type, grid.voxel_count()));
}

template <int D>
void expect_same(const ScalarImage<D>& a, const ScalarImage<D>& b) {
    ASSERT_EQ(a.size(), b.size());
    EXPECT_TRUE(a.grid().same_as(b.grid(), 1e-6)) << "grids differ";
    Index differences = 0;
    for (Index i = 0; i < a.voxel_count(); ++i) differences += a[i] != b[i];
    EXPECT_EQ(differences, 0);
}

using Case = std::tuple<PixelType, std::string, int>;

class NiftiTypes : public TempDir, public ::testing::WithParamInterface<Case> {};

TEST_P(NiftiTypes, RoundTripIsExact) {
    const auto [type, ext, dimension] = GetParam();
    const std::string file = path("image" + ext);
    if (dimension == 3) {
        const ScalarImage<3> image = make_image(oblique3(), type);
        write_nifti(file, image, type);
        expect_same(image, read_nifti_scalar<3>(file));
    } else {
        const ScalarImage<2> image = make_image(oblique2(), type);
        write_nifti(file, image, type);
        expect_same(image, read_nifti_scalar<2>(file));
    }
    const NiftiInfo info = read_nifti_info(file);
    EXPECT_EQ(info.pixel_type, type);
    EXPECT_EQ(info.version, 1);
    EXPECT_EQ(info.spatial_dimension, dimension);
    EXPECT_EQ(info.compressed, ext == ".nii.gz");
    EXPECT_EQ(listing().size(), 1u) << "a temporary file was left behind";
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, NiftiTypes,
    ::testing::Combine(::testing::Values(PixelType::u8, PixelType::i8, PixelType::u16, PixelType::i16, PixelType::u32,
                                         PixelType::i32, PixelType::f32, PixelType::f64),
                       ::testing::Values(std::string(".nii"), std::string(".nii.gz")), ::testing::Values(2, 3)),
    [](const auto& info) {
        return to_string(std::get<0>(info.param)) + (std::get<1>(info.param) == ".nii" ? "_nii_" : "_niigz_") +
               std::to_string(std::get<2>(info.param)) + "d";
    });

class NiftiRoundTrip : public TempDir {};

TEST_F(NiftiRoundTrip, IntegerTypesRoundAndClamp) {
    ScalarImage<2> image(Grid<2>::from_spacing({6, 1}, VecD<2>::Ones()));
    const float in[6] = {-5.f, 3.6f, 2.4f, 300.f, std::numeric_limits<float>::quiet_NaN(), 254.5f};
    std::copy(in, in + 6, image.data());
    write_nifti(path("u8.nii"), image, PixelType::u8);
    const ScalarImage<2> back = read_nifti_scalar<2>(path("u8.nii"));
    const float expected[6] = {0, 4, 2, 255, 0, 254};  // nearest, ties to even
    for (int i = 0; i < 6; ++i) EXPECT_EQ(back[i], expected[i]) << i;
}

TEST_F(NiftiRoundTrip, LargeDimensionWritesNifti2InEveryType) {
    // NIfTI-1 stores dims as int16; 40000 needs NIfTI-2.
    const Grid<2> grid = Grid<2>::from_spacing({40000, 2}, VecD<2>(0.5, 3), VecD<2>(1, 2));
    for (PixelType type : {PixelType::u8, PixelType::i8, PixelType::u16, PixelType::i16, PixelType::u32, PixelType::i32,
                           PixelType::f32, PixelType::f64}) {
        for (const std::string ext : {".nii", ".nii.gz"}) {
            SCOPED_TRACE(to_string(type) + ext);
            const ScalarImage<2> image = make_image(grid, type);
            write_nifti(path("wide" + ext), image, type);
            const NiftiInfo info = read_nifti_info(path("wide" + ext));
            EXPECT_EQ(info.version, 2);
            EXPECT_EQ(info.pixel_type, type);
            expect_same(image, read_nifti_scalar<2>(path("wide" + ext)));
        }
    }
}

TEST_F(NiftiRoundTrip, FilesLargerThanOnePieceCrossPiecesAnywhere) {
    // Writers make and compress 8 MiB pieces: 8-byte voxels after a NIfTI-2 header, and
    // a vector field whose components (stored one volume after another) end inside
    // pieces, in both the compressed and the plain writer.
    const Grid<2> wide = Grid<2>::from_spacing({40000, 30}, VecD<2>(0.5, 3), VecD<2>(1, 2));
    ScalarImage<2> image(wide);
    for (Index i = 0; i < image.voxel_count(); ++i) image[i] = static_cast<float>(i % 100003) * 0.25f - 7.f;
    VectorField<3> field(Grid<3>::from_spacing({150, 120, 80}, VecD<3>(1, 1, 1)));
    for (Index i = 0; i < field.voxel_count(); ++i) field[i] = Vec<3>(0.5f * (i % 997), -1.f * (i % 991), 0.125f * i);
    for (const std::string ext : {".nii", ".nii.gz"}) {
        SCOPED_TRACE(ext);
        write_nifti(path("big" + ext), image, PixelType::f64);
        EXPECT_EQ(read_nifti_info(path("big" + ext)).version, 2);
        expect_same(image, read_nifti_scalar<2>(path("big" + ext)));
        write_nifti(path("field" + ext), field);
        const VectorField<3> back = read_nifti_vector<3>(path("field" + ext));
        for (Index i = 0; i < field.voxel_count(); ++i) ASSERT_EQ(back[i], field[i]) << i;
    }
}

TEST_F(NiftiRoundTrip, ShearedGridKeepsTheExactSform) {
    MatD<3> sheared;
    sheared << 1.0, 0.3, 0.0, 0.0, 1.2, 0.1, 0.2, 0.0, 2.0;
    const Grid<3> grid(Size<3>{4, 5, 6}, sheared, VecD<3>(3, -4, 5));
    write_nifti(path("sheared.nii.gz"), ScalarImage<3>(grid, 1.f));
    const NiftiInfo info = read_nifti_info(path("sheared.nii.gz"));
    EXPECT_EQ(info.sform_code, 1);
    EXPECT_TRUE(info.grid.same_as(grid, 1e-6));
}

TEST_F(NiftiRoundTrip, QformOnlyFileKeepsARigidGrid) {
    const Grid<3> grid = oblique3();
    write_nifti(path("q.nii"), ScalarImage<3>(grid, 2.f), PixelType::f32, NiftiCodes{0, 2});
    const NiftiCodes codes = read_nifti_codes(path("q.nii"));
    EXPECT_EQ(codes.sform_code, 0);
    EXPECT_EQ(codes.qform_code, 2);
    // Read from the quaternion alone: float precision in the header.
    EXPECT_TRUE(read_nifti_scalar<3>(path("q.nii")).grid().same_as(grid, 1e-5));
}

TEST_F(NiftiRoundTrip, LeftHandedGridUsesQfac) {
    const MatD<3> flip = VecD<3>(1, 1, -1).asDiagonal();
    const Grid<3> grid = Grid<3>::from_spacing({3, 4, 5}, VecD<3>(1, 2, 3), VecD<3>(1, 2, 3), rotation(0.2, VecD<3>(0, 1, 1)) * flip);
    write_nifti(path("left.nii"), ScalarImage<3>(grid, 2.f), PixelType::f32, NiftiCodes{0, 1});
    EXPECT_TRUE(read_nifti_scalar<3>(path("left.nii")).grid().same_as(grid, 1e-5));
}

TEST_F(NiftiRoundTrip, NoCodesAreWrittenAsScannerQform) {
    write_nifti(path("c.nii"), ScalarImage<3>(oblique3(), 1.f), PixelType::u8, NiftiCodes{0, 0});
    EXPECT_EQ(read_nifti_codes(path("c.nii")).qform_code, 1);
    EXPECT_TRUE(read_nifti_info(path("c.nii")).grid.same_as(oblique3(), 1e-5));
}

TEST_F(NiftiRoundTrip, VectorFields) {
    VectorField<3> field3(oblique3());
    for (Index i = 0; i < field3.voxel_count(); ++i) field3[i] = Vec<3>(0.5f * i, -1.f * i, 3.25f);
    write_nifti(path("warp3.nii.gz"), field3);
    const VectorField<3> back3 = read_nifti_vector<3>(path("warp3.nii.gz"));
    EXPECT_TRUE(back3.grid().same_as(field3.grid(), 1e-6));
    for (Index i = 0; i < field3.voxel_count(); ++i) ASSERT_EQ(back3[i], field3[i]) << i;
    const NiftiInfo info = read_nifti_info(path("warp3.nii.gz"));
    EXPECT_EQ(info.components, 3);
    EXPECT_EQ(info.intent_code, 1007);

    VectorField<2> field2(oblique2());
    for (Index i = 0; i < field2.voxel_count(); ++i) field2[i] = Vec<2>(0.25f * i, 7.f - i);
    write_nifti(path("warp2.nii"), field2);
    const VectorField<2> back2 = read_nifti_vector<2>(path("warp2.nii"));
    EXPECT_TRUE(back2.grid().same_as(field2.grid(), 1e-6));
    for (Index i = 0; i < field2.voxel_count(); ++i) ASSERT_EQ(back2[i], field2[i]) << i;
    EXPECT_EQ(read_nifti_info(path("warp2.nii")).spatial_dimension, 2);
}

TEST_F(NiftiRoundTrip, VectorAndScalarMismatchesAreClearErrors) {
    write_nifti(path("warp.nii.gz"), VectorField<3>(oblique3(), Vec<3>::Ones()));
    write_nifti(path("scalar.nii.gz"), ScalarImage<3>(oblique3(), 1.f));
    test::expect_file_error([&] { read_nifti_scalar<3>(path("warp.nii.gz")); }, path("warp.nii.gz"), "is a vector image");
    test::expect_file_error([&] { read_nifti_vector<3>(path("scalar.nii.gz")); }, path("scalar.nii.gz"), "is a scalar image");
    test::expect_file_error([&] { read_nifti_vector<2>(path("warp.nii.gz")); }, path("warp.nii.gz"), "3 components");
}

TEST_F(NiftiRoundTrip, TwoDimensionalRequestForThreeDimensionalFile) {
    write_nifti(path("vol.nii"), ScalarImage<3>(oblique3(), 1.f));
    test::expect_file_error([&] { read_nifti_scalar<2>(path("vol.nii")); }, path("vol.nii"), "is a 3-D image");
    // The other way round is allowed: a 2-D image is a one-slice volume.
    write_nifti(path("slice.nii"), ScalarImage<2>(oblique2(), 3.f));
    const ScalarImage<3> volume = read_nifti_scalar<3>(path("slice.nii"));
    EXPECT_EQ(volume.size()[2], 1);
    const MatD<2> in_plane = volume.grid().linear().topLeftCorner<2, 2>();
    EXPECT_TRUE(in_plane.isApprox(oblique2().linear(), 1e-6));  // float32 sform
}

TEST_F(NiftiRoundTrip, WritingRefusesOtherExtensionsAndLeavesNothing) {
    test::expect_file_error([&] { write_nifti(path("x.img"), ScalarImage<3>(oblique3(), 1.f)); }, path("x.img"), ".nii");
    test::expect_file_error([&] { write_nifti(path("nofolder/x.nii"), ScalarImage<3>(oblique3(), 1.f)); },
                            path("nofolder/x.nii"), "does not exist");
    EXPECT_TRUE(listing().empty());
}

}  // namespace
