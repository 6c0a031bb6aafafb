// Reading NIfTI files made by hand (not by our writer): scaling, 4-D frames, the
// pixdim fallback orientation, gzip variants, and every kind of bad header.
#include "alinea/nifti.hpp"
#include "io_test_util.hpp"

#include <cmath>
#include <limits>
#include <numeric>

using namespace alinea;
using namespace alinea::test;

namespace {

class NiftiRead : public TempDir {
protected:
    // A 4x3x2 int16 volume with values 0..23.
    std::vector<std::uint8_t> small_volume(nifti_1_header* edit_header = nullptr) {
        nifti_1_header h = basic_header({4, 3, 2}, DT_INT16, 16);
        if (edit_header) h = *edit_header;
        std::vector<std::int16_t> data(24);
        std::iota(data.begin(), data.end(), 0);
        return nifti_bytes(h, data.data(), data.size() * 2);
    }
};

TEST_F(NiftiRead, ScalingIsApplied) {
    nifti_1_header h = basic_header({4, 3, 2}, DT_INT16, 16);
    h.scl_slope = 2.5f;
    h.scl_inter = -1.f;
    write_bytes(path("s.nii"), small_volume(&h));
    const ScalarImage<3> image = read_nifti_scalar<3>(path("s.nii"));
    for (Index i = 0; i < 24; ++i) EXPECT_FLOAT_EQ(image[i], 2.5f * i - 1.f);
}

TEST_F(NiftiRead, ZeroOrNanSlopeMeansUnscaled) {
    for (float slope : {0.f, std::numeric_limits<float>::quiet_NaN()}) {
        nifti_1_header h = basic_header({4, 3, 2}, DT_INT16, 16);
        h.scl_slope = slope;
        h.scl_inter = 5.f;
        write_bytes(path("u.nii"), small_volume(&h));
        EXPECT_EQ(read_nifti_scalar<3>(path("u.nii"))[7], 7.f) << slope;
    }
}

TEST_F(NiftiRead, FramesOfATimeSeries) {
    nifti_1_header h = basic_header({3, 2, 2, 4}, DT_FLOAT32, 32);
    std::vector<float> data(48);
    std::iota(data.begin(), data.end(), 0.f);
    write_bytes(path("t.nii.gz"), zlib_gzip(nifti_bytes(h, data.data(), data.size() * 4)));
    EXPECT_EQ(read_nifti_info(path("t.nii.gz")).time_points, 4);
    const ScalarImage<3> frame2 = read_nifti_scalar<3>(path("t.nii.gz"), 2);
    ASSERT_EQ(frame2.voxel_count(), 12);
    for (Index i = 0; i < 12; ++i) EXPECT_EQ(frame2[i], 24.f + i);
    expect_file_error([&] { read_nifti_scalar<3>(path("t.nii.gz"), 4); }, path("t.nii.gz"), "has no frame 4");
}

TEST_F(NiftiRead, FallbackOrientationIsNibabels) {
    // No codes: nibabel's shape_zoom_affine, x flipped, origin at the centre.
    nifti_1_header h = basic_header({4, 3, 2}, DT_INT16, 16);
    h.pixdim[1] = 2, h.pixdim[2] = 3, h.pixdim[3] = 4;
    write_bytes(path("f.nii"), small_volume(&h));
    const NiftiInfo info = read_nifti_info(path("f.nii"));
    Eigen::Matrix4d expected = Eigen::Matrix4d::Identity();
    expected.diagonal().head<3>() = Eigen::Vector3d(-2, 3, 4);
    expected.topRightCorner<3, 1>() = Eigen::Vector3d(1.5 * 2, -1.0 * 3, -0.5 * 4);
    EXPECT_TRUE(info.ras_affine.isApprox(expected, 1e-12)) << info.ras_affine;
    // LPS: x and y negated.
    EXPECT_TRUE(info.grid.origin().isApprox(VecD<3>(-3, 3, -2), 1e-12)) << info.grid.origin();
    EXPECT_EQ(orientation_code(info.ras_affine), "LAS");
}

TEST_F(NiftiRead, QfacOtherThanMinusOneIsOneAsInNibabel) {
    // qform with the identity quaternion: pixdim[0] = -1 flips z; -0.5, -2, 0 and 2 do
    // not (checked against nibabel 5: it resets such a qfac to 1 on load).
    for (const float qfac : {-1.0f, -0.5f, -2.0f, 0.0f, 2.0f}) {
        nifti_1_header h = basic_header({4, 3, 2}, DT_INT16, 16);
        h.qform_code = 1, h.sform_code = 0, h.pixdim[0] = qfac;
        write_bytes(path("q.nii"), small_volume(&h));
        const NiftiInfo info = read_nifti_info(path("q.nii"));
        EXPECT_EQ(info.ras_affine(2, 2), qfac == -1.0f ? -1.0 : 1.0) << "qfac " << qfac;
    }
}

TEST_F(NiftiRead, ZeroVoxOffsetMeansRightAfterTheHeader) {
    nifti_1_header h = basic_header({4, 3, 2}, DT_INT16, 16);
    h.vox_offset = 0;
    write_bytes(path("z.nii"), small_volume(&h));
    EXPECT_EQ(read_nifti_scalar<3>(path("z.nii"))[23], 23.f);
}

TEST_F(NiftiRead, MultiMemberGzip) {
    const auto raw = small_volume();
    auto gz = zlib_gzip(raw.data(), 200);
    const auto second = zlib_gzip(raw.data() + 200, raw.size() - 200);
    gz.insert(gz.end(), second.begin(), second.end());
    write_bytes(path("m.nii.gz"), gz);
    const ScalarImage<3> image = read_nifti_scalar<3>(path("m.nii.gz"));
    for (Index i = 0; i < 24; ++i) EXPECT_EQ(image[i], static_cast<float>(i));
}

TEST_F(NiftiRead, GzipTrailerSmallerThanTheImage) {
    // Two members: the last one's ISIZE (its 4 bytes) says nothing of the first one.
    const auto raw = small_volume();
    auto gz = zlib_gzip(raw.data(), raw.size() - 4);
    const auto last = zlib_gzip(raw.data() + raw.size() - 4, 4);
    gz.insert(gz.end(), last.begin(), last.end());
    write_bytes(path("g.nii.gz"), gz);
    EXPECT_EQ(read_nifti_scalar<3>(path("g.nii.gz"))[23], 23.f);
}

TEST_F(NiftiRead, GzipDataBeyondTheDeclaredSizeIsAnError) {
    // Within the image's member, or in a member of its own: more than the header
    // declares is refused (a gzip bomb would otherwise cost what it inflates to).
    auto raw = small_volume();
    raw.resize(raw.size() + (1 << 20), 7);
    write_bytes(path("within.nii.gz"), zlib_gzip(raw));
    expect_file_error([&] { read_nifti_scalar<3>(path("within.nii.gz")); }, path("within.nii.gz"),
                      "more compressed data than the header declares");
    const auto image = small_volume();
    auto gz = zlib_gzip(image);
    const std::uint8_t tail[4] = {1, 2, 3, 4};
    const auto extra = zlib_gzip(tail, 4);
    gz.insert(gz.end(), extra.begin(), extra.end());
    write_bytes(path("member.nii.gz"), gz);
    expect_file_error([&] { read_nifti_scalar<3>(path("member.nii.gz")); }, path("member.nii.gz"),
                      "more compressed data than the header declares");
}

TEST_F(NiftiRead, ValueStatsCoverEveryVoxel) {
    write_bytes(path("v.nii"), small_volume());
    const ValueStats stats = read_nifti_value_stats(path("v.nii"));
    EXPECT_EQ(stats.min, 0);
    EXPECT_EQ(stats.max, 23);
    EXPECT_DOUBLE_EQ(stats.mean, 11.5);
    EXPECT_EQ(stats.count, 24);
}

TEST_F(NiftiRead, TruncatedFiles) {
    const auto raw = small_volume();
    write_bytes(path("short.nii"), {raw.begin(), raw.end() - 5});
    expect_file_error([&] { read_nifti_info(path("short.nii")); }, path("short.nii"), "truncated");
    // Complete gzip stream, too little data inside.
    write_bytes(path("short.nii.gz"), zlib_gzip(raw.data(), raw.size() - 5));
    expect_file_error([&] { read_nifti_scalar<3>(path("short.nii.gz")); }, path("short.nii.gz"), "truncated");
    // A cut gzip stream.
    const auto gz = zlib_gzip(raw);
    write_bytes(path("cut.nii.gz"), {gz.begin(), gz.begin() + static_cast<long>(gz.size() * 2 / 3)});
    expect_file_error([&] { read_nifti_scalar<3>(path("cut.nii.gz")); }, path("cut.nii.gz"), "gzip");
    // Only the header.
    write_bytes(path("head.nii"), {raw.begin(), raw.begin() + 100});
    expect_file_error([&] { read_nifti_info(path("head.nii")); }, path("head.nii"), "truncated NIfTI header");
}

TEST_F(NiftiRead, CorruptGzip) {
    auto gz = zlib_gzip(small_volume());
    for (std::size_t i = 20; i < gz.size() - 8; i += 3) gz[i] ^= 0x5a;
    write_bytes(path("bad.nii.gz"), gz);
    expect_file_error([&] { read_nifti_scalar<3>(path("bad.nii.gz")); }, path("bad.nii.gz"), "gzip");
}

TEST_F(NiftiRead, BadHeaders) {
    const auto check = [&](const std::string& name, const std::function<void(nifti_1_header&)>& edit, const std::string& words) {
        nifti_1_header h = basic_header({4, 3, 2}, DT_INT16, 16);
        edit(h);
        write_bytes(path(name), small_volume(&h));
        expect_file_error([&] { read_nifti_scalar<3>(path(name)); }, path(name), words);
    };
    check("magic.nii", [](auto& h) { std::memcpy(h.magic, "abc", 4); }, "magic");
    check("pair.nii", [](auto& h) { std::memcpy(h.magic, "ni1", 4); }, ".hdr/.img");
    check("size.nii", [](auto& h) { h.sizeof_hdr = 1234; }, "not a NIfTI file");
    check("type.nii", [](auto& h) { h.datatype = DT_COMPLEX64; }, "unsupported NIfTI data type complex64");
    check("rgb.nii", [](auto& h) { h.datatype = DT_RGB24; }, "rgb24");
    check("dim0.nii", [](auto& h) { h.dim[0] = 9; }, "dim[0]");
    check("negdim.nii", [](auto& h) { h.dim[2] = -3; }, "dim[2] = -3");
    check("sixd.nii", [](auto& h) { h.dim[0] = 6, h.dim[6] = 2; }, "more than 5 dimensions");
    check("huge.nii", [](auto& h) { h.dim[1] = h.dim[2] = h.dim[3] = 32767, h.datatype = DT_FLOAT64; }, "too large");
    check("nansform.nii", [](auto& h) { h.sform_code = 1, h.srow_x[0] = std::nanf(""); }, "sform");
    check("zerosform.nii", [](auto& h) { h.sform_code = 1; }, "singular");
    check("zeropix.nii", [](auto& h) { h.qform_code = 1, h.pixdim[2] = 0; }, "pixdim[2]");
    check("negpix.nii", [](auto& h) { h.pixdim[1] = -1; }, "pixdim[1]");
    check("nanpix.nii", [](auto& h) { h.qform_code = 1, h.pixdim[3] = std::nanf(""); }, "pixdim[3]");
    check("nanquat.nii", [](auto& h) { h.qform_code = 1, h.quatern_b = std::nanf(""); }, "qform");
    check("offset.nii", [](auto& h) { h.vox_offset = 100; }, "vox_offset");
    check("inter.nii", [](auto& h) { h.scl_slope = 2, h.scl_inter = INFINITY; }, "scl_inter");
}

TEST_F(NiftiRead, UnusedSpacingMayBeAnything) {
    // With an sform, pixdim is not used (nibabel ignores it too).
    nifti_1_header h = basic_header({4, 3, 2}, DT_INT16, 16);
    h.sform_code = 2;
    h.srow_x[0] = 1, h.srow_y[1] = 1, h.srow_z[2] = 1;
    h.pixdim[1] = std::nanf("");
    write_bytes(path("ok.nii"), small_volume(&h));
    EXPECT_NO_THROW(read_nifti_scalar<3>(path("ok.nii")));
}

TEST_F(NiftiRead, MissingEmptyAndNonNiftiFiles) {
    expect_file_error([&] { read_nifti_info(path("none.nii.gz")); }, path("none.nii.gz"), "cannot open");
    write_bytes(path("empty.nii"), {});
    expect_file_error([&] { read_nifti_info(path("empty.nii")); }, path("empty.nii"), "not a NIfTI file");
    write_bytes(path("text.nii"), {'h', 'e', 'l', 'l', 'o', '\n'});
    expect_file_error([&] { read_nifti_info(path("text.nii")); }, path("text.nii"), "not a NIfTI file");
    fs::create_directories(path("folder.nii"));
    expect_file_error([&] { read_nifti_info(path("folder.nii")); }, path("folder.nii"), "folder");
}

}  // namespace
