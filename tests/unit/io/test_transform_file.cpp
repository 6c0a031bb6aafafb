// ITK text transforms of every supported type, checked on points against ITK's own
// formula y = M (x - c) + t + c; RAS matrices (greedy/c3d) and their errors.
#include "alinea/transform_file.hpp"
#include "io_test_util.hpp"

#include <cmath>
#include <fstream>

using namespace alinea;
using namespace alinea::test;

namespace {

class TransformFile : public TempDir {
protected:
    std::string itk(const std::string& name, const std::string& type, const std::string& parameters,
                    const std::string& fixed) {
        std::ofstream out(path(name));
        out << "#Insight Transform File V1.0\n#Transform 0\nTransform: " << type << "\nParameters: " << parameters
            << "\nFixedParameters: " << fixed << "\n";
        return path(name);
    }
    std::string text(const std::string& name, const std::string& content) {
        std::ofstream(path(name)) << content;
        return path(name);
    }
};

// Written out by hand, independently of the library's Eigen calls.
Eigen::Matrix3d rx(double a) { Eigen::Matrix3d m; m << 1, 0, 0, 0, std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a); return m; }
Eigen::Matrix3d ry(double a) { Eigen::Matrix3d m; m << std::cos(a), 0, std::sin(a), 0, 1, 0, -std::sin(a), 0, std::cos(a); return m; }
Eigen::Matrix3d rz(double a) { Eigen::Matrix3d m; m << std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0, 0, 0, 1; return m; }
Eigen::Matrix2d r2(double a) { Eigen::Matrix2d m; m << std::cos(a), -std::sin(a), std::sin(a), std::cos(a); return m; }

Eigen::Matrix3d versor(double x, double y, double z) {
    const double w = std::sqrt(1 - x * x - y * y - z * z);
    Eigen::Matrix3d m;
    m << 1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
         2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
         2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y);
    return m;
}

template <int D>
void expect_maps(const Affine<D>& a, const MatD<D>& m, const VecD<D>& t, const VecD<D>& c) {
    const VecD<D> points[3] = {VecD<D>::Zero(), VecD<D>::Constant(10), VecD<D>::LinSpaced(-7, 13)};
    for (const auto& x : points) {
        const VecD<D> expected = m * (x - c) + t + c;
        EXPECT_LT((a(x) - expected).norm(), 1e-9) << "at " << x.transpose() << ": " << a(x).transpose() << " vs "
                                                  << expected.transpose();
    }
}

const Eigen::Vector3d t3(4.5, -3, 2.25), c3(10, -20, 30);
const Eigen::Vector2d t2(4.5, -3), c2(10, -20);

TEST_F(TransformFile, Affine3D) {
    Eigen::Matrix3d m;
    m << 1.1, 0.2, 0.05, -0.1, 0.9, 0.3, 0.02, -0.2, 1.3;
    for (const std::string type : {"AffineTransform_double_3_3", "AffineTransform_float_3_3", "MatrixOffsetTransformBase_double_3_3"}) {
        const auto file = itk("a.tfm", type, "1.1 0.2 0.05 -0.1 0.9 0.3 0.02 -0.2 1.3 4.5 -3 2.25", "10 -20 30");
        expect_maps<3>(read_itk_transform<3>(file), m, t3, c3);
    }
}

TEST_F(TransformFile, Affine2D) {
    Eigen::Matrix2d m;
    m << 1.1, 0.2, -0.1, 0.9;
    expect_maps<2>(read_itk_transform<2>(itk("a.tfm", "AffineTransform_double_2_2", "1.1 0.2 -0.1 0.9 4.5 -3", "10 -20")), m, t2, c2);
}

TEST_F(TransformFile, Euler3D) {
    const auto file = itk("e.tfm", "Euler3DTransform_double_3_3", "0.1 -0.2 0.3 4.5 -3 2.25", "10 -20 30 0");
    expect_maps<3>(read_itk_transform<3>(file), rz(0.3) * rx(0.1) * ry(-0.2), t3, c3);
    // Older files have no ComputeZYX flag; with it set the order is Z*Y*X.
    const auto old = itk("o.tfm", "Euler3DTransform_double_3_3", "0.1 -0.2 0.3 4.5 -3 2.25", "10 -20 30");
    expect_maps<3>(read_itk_transform<3>(old), rz(0.3) * rx(0.1) * ry(-0.2), t3, c3);
    const auto zyx = itk("z.tfm", "Euler3DTransform_double_3_3", "0.1 -0.2 0.3 4.5 -3 2.25", "10 -20 30 1");
    expect_maps<3>(read_itk_transform<3>(zyx), rz(0.3) * ry(-0.2) * rx(0.1), t3, c3);
}

TEST_F(TransformFile, Rigid2DFamilies) {
    for (const std::string type : {"Euler2DTransform_double_2_2", "Rigid2DTransform_double_2_2"})
        expect_maps<2>(read_itk_transform<2>(itk("r.tfm", type, "0.25 4.5 -3", "10 -20")), r2(0.25), t2, c2);
    expect_maps<2>(read_itk_transform<2>(itk("s.tfm", "Similarity2DTransform_double_2_2", "1.2 0.25 4.5 -3", "10 -20")),
                   1.2 * r2(0.25), t2, c2);
}

TEST_F(TransformFile, Versors) {
    const Eigen::Matrix3d r = versor(0.1, -0.05, 0.2);
    expect_maps<3>(read_itk_transform<3>(itk("v.tfm", "VersorRigid3DTransform_double_3_3", "0.1 -0.05 0.2 4.5 -3 2.25", "10 -20 30")),
                   r, t3, c3);
    expect_maps<3>(read_itk_transform<3>(itk("s.tfm", "Similarity3DTransform_double_3_3", "0.1 -0.05 0.2 4.5 -3 2.25 0.8", "10 -20 30")),
                   0.8 * r, t3, c3);
    char w[32];
    std::snprintf(w, sizeof w, "%.17g", std::sqrt(1 - 0.01 - 0.0025 - 0.04));
    expect_maps<3>(read_itk_transform<3>(itk("q.tfm", "QuaternionRigidTransform_double_3_3",
                                              "0.1 -0.05 0.2 " + std::string(w) + " 4.5 -3 2.25", "10 -20 30")),
                   r, t3, c3);
}

TEST_F(TransformFile, TranslationAndScale) {
    expect_maps<3>(read_itk_transform<3>(itk("t.tfm", "TranslationTransform_double_3_3", "4.5 -3 2.25", "")),
                   Eigen::Matrix3d::Identity(), t3, Eigen::Vector3d::Zero());
    expect_maps<2>(read_itk_transform<2>(itk("s.tfm", "ScaleTransform_double_2_2", "2 0.5", "10 -20")),
                   Eigen::Vector2d(2, 0.5).asDiagonal().toDenseMatrix(), Eigen::Vector2d::Zero(), c2);
}

TEST_F(TransformFile, CompositeAppliesTheLastFirst) {
    const auto file = text("c.tfm",
                           "#Insight Transform File V1.0\n#Transform 0\nTransform: CompositeTransform_double_2_2\n"
                           "#Transform 1\nTransform: TranslationTransform_double_2_2\nParameters: 1 2\nFixedParameters:\n"
                           "#Transform 2\nTransform: ScaleTransform_double_2_2\nParameters: 3 3\nFixedParameters: 0 0\n");
    // T0(T1(x)) = 3x + (1, 2)
    expect_maps<2>(read_itk_transform<2>(file), 3 * Eigen::Matrix2d::Identity(), Eigen::Vector2d(1, 2), Eigen::Vector2d::Zero());
}

TEST_F(TransformFile, WriteReadIsExact) {
    Affine<3> a;
    a.matrix << 1.0 / 3, 0.2, 1e-17, -0.1, std::sqrt(2.0), 0.3, 0.02, -0.2, 1.3;
    a.offset << 1e10 / 7, -3, M_PI;
    write_itk_transform(path("a.txt"), a);
    EXPECT_TRUE(is_itk_transform_file(path("a.txt")));
    EXPECT_EQ(transform_file_dimension(path("a.txt")), 3);
    const Affine<3> b = read_itk_transform<3>(path("a.txt"));
    EXPECT_EQ(a.matrix, b.matrix);
    EXPECT_EQ(a.offset, b.offset);

    Affine<2> p;
    p.matrix << 0.5, -0.25, 0.125, 2;
    p.offset << -1.5, 7;
    write_itk_transform(path("p.txt"), p);
    EXPECT_EQ(transform_file_dimension(path("p.txt")), 2);
    EXPECT_EQ(read_linear_transform<2>(path("p.txt")).homogeneous(), p.homogeneous());
}

TEST_F(TransformFile, RasMatrixRoundTripAndConvention) {
    // A translation of +5 mm to the Right in RAS is -5 mm in LPS x.
    const auto file = text("shift.mat", "1 0 0 5\n0 1 0 0\n0 0 1 2\n0 0 0 1\n");
    const Affine<3> lps = read_ras_matrix<3>(file);
    EXPECT_TRUE(lps.offset.isApprox(Eigen::Vector3d(-5, 0, 2)));
    EXPECT_EQ(transform_file_dimension(file), 3);

    Affine<3> a;
    a.matrix = rz(0.2) * rx(-0.1);
    a.offset << 3, -4, 5;
    write_ras_matrix(path("a.mat"), a);
    EXPECT_FALSE(is_itk_transform_file(path("a.mat")));
    const Affine<3> b = read_linear_transform<3>(path("a.mat"));
    EXPECT_LT((a.homogeneous() - b.homogeneous()).norm(), 1e-15);
    // The file holds F * LPS * F with F = diag(-1, -1, 1, 1).
    std::ifstream in(path("a.mat"));
    Eigen::Matrix4d ras;
    for (int i = 0; i < 16; ++i) in >> ras(i / 4, i % 4);
    const Eigen::Matrix4d f = Eigen::Vector4d(-1, -1, 1, 1).asDiagonal();
    EXPECT_LT((ras - f * a.homogeneous() * f).norm(), 1e-15);

    Affine<2> p;
    p.matrix = r2(0.4);
    p.offset << 1, -2;
    write_ras_matrix(path("p.mat"), p);
    EXPECT_EQ(transform_file_dimension(path("p.mat")), 2);
    EXPECT_LT((read_ras_matrix<2>(path("p.mat")).homogeneous() - p.homogeneous()).norm(), 1e-15);
}

TEST_F(TransformFile, GreedyPeerFiles) {
    const fs::path folder = fs::path(ALINEA_SOURCE_DIR) / "../shared/peer-data/greedy";
    if (!fs::exists(folder)) GTEST_SKIP() << folder << " is absent";
    const std::string file = (folder / "phantom01_rigid.mat").string();
    EXPECT_EQ(transform_file_dimension(file), 3);
    const Affine<3> a = read_linear_transform<3>(file);
    // First row of the file: 0.96836 -0.202649 0.145646 -21.4932 (RAS); LPS flips signs
    // of the entries that mix one of x, y with z.
    EXPECT_NEAR(a.matrix(0, 0), 0.96836, 1e-12);
    EXPECT_NEAR(a.matrix(0, 1), -0.202649, 1e-12);
    EXPECT_NEAR(a.matrix(0, 2), -0.145646, 1e-12);
    EXPECT_NEAR(a.offset[0], 21.4932, 1e-12);
    EXPECT_NEAR(a.offset[2], 2.63485, 1e-12);
    EXPECT_NEAR(a.matrix.determinant(), 1.0, 1e-4);  // a rotation
    const std::string file2 = (folder / "t1longi_2d_rigid.mat").string();
    if (fs::exists(file2)) {
        EXPECT_EQ(transform_file_dimension(file2), 2);
        EXPECT_NEAR(read_ras_matrix<2>(file2).matrix.determinant(), 1.0, 1e-4);
    }
}

TEST_F(TransformFile, Errors) {
    const std::string a = "1 0 0 0 1 0 0 0 1 0 0 0";
    expect_file_error([&] { read_itk_transform<3>(itk("u.tfm", "BSplineTransform_double_3_3", "1 2 3", "")); }, path("u.tfm"),
                      "not a supported linear transform");
    expect_file_error([&] { read_itk_transform<3>(itk("n.tfm", "AffineTransform_double_3_3", "1 0 0", "0 0 0")); }, path("n.tfm"),
                      "needs 12 parameters, the file has 3");
    expect_file_error([&] { read_itk_transform<3>(itk("x.tfm", "AffineTransform_double_3_3", "1 0 zero 0 1 0 0 0 1 0 0 0", "0 0 0")); },
                      path("x.tfm"), "'zero' is not a number");
    // A NUL byte inside a number does not end it silently; control characters are not echoed.
    expect_file_error([&] {
        read_itk_transform<3>(itk("z.tfm", "AffineTransform_double_3_3", std::string("1 0 0 0 1 0 0 0 1 2") + '\0' + "9 0 0", "0 0 0"));
    }, path("z.tfm"), "'2?9' is not a number");
    expect_file_error([&] { read_itk_transform<3>(itk("s.tfm", "AffineTransform_double_3_3", "1 0 0 0 1 0 0 0 0 0 0 0", "0 0 0")); },
                      path("s.tfm"), "singular");
    expect_file_error([&] { read_itk_transform<2>(itk("d.tfm", "AffineTransform_double_3_3", a, "0 0 0")); }, path("d.tfm"),
                      "a 2-D transform was expected");
    expect_file_error([&] { read_itk_transform<3>(itk("f.tfm", "AffineTransform_double_3_3", a, "0 0")); }, path("f.tfm"),
                      "fixed parameters");
    expect_file_error([&] { read_itk_transform<3>(itk("i.tfm", "AffineTransform_double_3_3", "1 0 0 0 1 0 0 0 1 nan 0 0", "0 0 0")); },
                      path("i.tfm"), "non-finite");
    expect_file_error([&] { read_itk_transform<3>(text("h.tfm", "Transform: AffineTransform_double_3_3\n")); }, path("h.tfm"),
                      "not an ITK transform file");
    expect_file_error([&] { read_ras_matrix<3>(text("r.mat", "1 0 0\n0 1 0\n0 0 1\n")); }, path("r.mat"),
                      "a 3-D transform was expected");
    expect_file_error([&] { read_ras_matrix<3>(text("l.mat", "1 0 0 0\n0 1 0 0\n0 0 1 0\n0 0 1 1\n")); }, path("l.mat"), "last row");
    expect_file_error([&] { read_ras_matrix<3>(text("z.mat", "1 0 0 0\n0 1 0 0\n0 0 0 0\n0 0 0 1\n")); }, path("z.mat"), "singular");
    expect_file_error([&] { read_ras_matrix<3>(text("j.mat", "1 0 0 0\n0 1 0\n")); }, path("j.mat"), "differ in length");
    expect_file_error([&] { read_ras_matrix<3>(text("w.mat", "hello world\n")); }, path("w.mat"), "not a number");
    expect_file_error([&] { read_linear_transform<3>(text("e.mat", "")); }, path("e.mat"), "empty");
    expect_file_error([&] { read_linear_transform<3>(path("missing.mat")); }, path("missing.mat"), "cannot open");
}

}  // namespace
