// Files written by Alinea, read by nibabel (the oracle): the affine nibabel sees must be
// our grid in RAS, the qform the grid's rotation, and the voxels the same. Needs
// /usr/bin/python3 with nibabel (Debian's python3-nibabel); skipped only if absent.
#include "alinea/nifti.hpp"
#include "io_test_util.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <memory>

using namespace alinea;
using namespace alinea::test;

namespace {

bool have_nibabel() {
    return std::system("/usr/bin/python3 -c 'import nibabel' > /dev/null 2>&1") == 0;
}

// nibabel's view of each file.
std::vector<nlohmann::json> nibabel_describe(const std::vector<std::string>& files) {
    std::string command = "/usr/bin/python3 " + std::string(ALINEA_SOURCE_DIR) + "/tests/python/nibabel_describe.py";
    for (const auto& f : files) command += " '" + f + "'";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    std::string output;
    std::array<char, 4096> buffer;
    while (pipe && std::fgets(buffer.data(), buffer.size(), pipe.get())) output += buffer.data();
    std::vector<nlohmann::json> out;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) out.push_back(nlohmann::json::parse(line));
    return out;
}

Eigen::Matrix4d matrix(const nlohmann::json& rows) {
    Eigen::Matrix4d m;
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) m(r, c) = rows[r][c].get<double>();
    return m;
}

// The RAS affine a grid should have on disk: LPS with x and y negated.
template <int D>
Eigen::Matrix4d expected_ras(const Grid<D>& grid) {
    Eigen::Matrix4d lps = Eigen::Matrix4d::Identity();
    lps.topLeftCorner<D, D>() = grid.linear();
    lps.block<D, 1>(0, 3) = grid.origin();
    return Eigen::Vector4d(-1, -1, 1, 1).asDiagonal() * lps;
}

class NiftiNibabel : public TempDir {};

TEST_F(NiftiNibabel, WrittenFilesReadTheSameInNibabel) {
    if (!have_nibabel()) GTEST_SKIP() << "/usr/bin/python3 with nibabel is not available";
    const MatD<3> rot = Eigen::AngleAxisd(0.5, VecD<3>(1, -2, 0.5).normalized()).toRotationMatrix();
    const Grid<3> oblique = Grid<3>::from_spacing({6, 5, 4}, VecD<3>(0.8, 1.1, 2.4), VecD<3>(-30, 12.5, 40), rot);
    const Grid<3> left = Grid<3>::from_spacing({4, 3, 5}, VecD<3>(1, 2, 3), VecD<3>(1, 2, 3),
                                               rot * VecD<3>(1, -1, 1).asDiagonal());
    MatD<2> r2;
    r2 << std::cos(0.3), -std::sin(0.3), std::sin(0.3), std::cos(0.3);
    const Grid<2> plane = Grid<2>::from_spacing({7, 3}, VecD<2>(0.5, 1.5), VecD<2>(4, -6), r2);
    const Grid<2> wide = Grid<2>::from_spacing({33000, 2}, VecD<2>(0.25, 1), VecD<2>(1, 1));

    ScalarImage<3> a(oblique), b(left);
    for (Index i = 0; i < a.voxel_count(); ++i) a[i] = 0.5f * i - 7;
    for (Index i = 0; i < b.voxel_count(); ++i) b[i] = static_cast<float>(i % 200);
    ScalarImage<2> c(plane, 3.f), d(wide, 1.f);
    c[0] = -2;
    VectorField<3> v(oblique);
    for (Index i = 0; i < v.voxel_count(); ++i) v[i] = Vec<3>(1.f * i, -2.f, 0.25f);

    write_nifti(path("a.nii.gz"), a);
    write_nifti(path("b.nii"), b, PixelType::u8, NiftiCodes{2, 1});
    write_nifti(path("c.nii.gz"), c, PixelType::i16);
    write_nifti(path("d.nii.gz"), d);
    write_nifti(path("v.nii.gz"), v);
    const auto seen = nibabel_describe({path("a.nii.gz"), path("b.nii"), path("c.nii.gz"), path("d.nii.gz"), path("v.nii.gz")});
    ASSERT_EQ(seen.size(), 5u) << "nibabel could not read the files";

    const auto check = [](const nlohmann::json& j, const Eigen::Matrix4d& ras, const std::vector<int>& shape,
                          const std::string& dtype) {
        SCOPED_TRACE(j["file"].get<std::string>());
        EXPECT_LT((matrix(j["affine"]) - ras).cwiseAbs().maxCoeff(), 1e-5) << matrix(j["affine"]);
        // The qform is the same rigid grid (none of these is sheared).
        EXPECT_LT((matrix(j["qform"]) - ras).cwiseAbs().maxCoeff(), 1e-5) << matrix(j["qform"]);
        EXPECT_EQ(j["shape"].get<std::vector<int>>(), shape);
        EXPECT_EQ(j["dtype"], dtype);
    };
    check(seen[0], expected_ras(oblique), {6, 5, 4}, "float32");
    EXPECT_DOUBLE_EQ(seen[0]["sum"].get<double>(), 0.5 * (119 * 120 / 2) - 7 * 120);
    check(seen[1], expected_ras(left), {4, 3, 5}, "uint8");
    EXPECT_EQ(seen[1]["sform_code"], 2);
    EXPECT_EQ(seen[1]["qform_code"], 1);
    check(seen[2], expected_ras(plane), {7, 3}, "int16");
    EXPECT_EQ(seen[2]["min"], -2);
    check(seen[3], expected_ras(wide), {33000, 2}, "float32");
    EXPECT_EQ(seen[3]["version"], 2);
    check(seen[4], expected_ras(oblique), {6, 5, 4, 1, 3}, "float32");
    EXPECT_EQ(seen[4]["intent"], "vector");
    // Components are stored one volume after another: x of voxels 0..3 first.
    EXPECT_EQ(seen[4]["first"].get<std::vector<double>>(), (std::vector<double>{0, 1, 2, 3}));
}

}  // namespace
