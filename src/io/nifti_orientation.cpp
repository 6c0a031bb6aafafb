#include "nifti_orientation.hpp"

#include "alinea/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nifti1.h>
#include <sstream>
#include <stdexcept>

namespace alinea::io {

namespace {

// RAS <-> LPS: negate x and y (the same matrix both ways).
Eigen::Matrix4d flip_xy() { return Eigen::Vector4d(-1, -1, 1, 1).asDiagonal(); }

std::string number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

// A voxel size the qform or the fallback multiplies by. In a one-slice image the z size
// shapes no distance, so an unset one (0, as some 2-D writers leave it) counts as 1.
double voxel_size(const NiftiHeader& h, int axis, bool single_slice, const std::string& path) {
    const double v = h.pixdim[axis];
    if (std::isfinite(v) && v > 0) return v;
    if (axis == 3 && single_slice) return 1.0;
    throw file_error(path, "invalid voxel size pixdim[" + std::to_string(axis) + "] = " + number(v) +
                               " (must be positive and finite)");
}

Eigen::Matrix4d sform_affine(const NiftiHeader& h, const std::string& path) {
    Eigen::Matrix4d a = Eigen::Matrix4d::Identity();
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 4; ++c) a(r, c) = h.srow[r][c];
    if (!a.allFinite()) throw file_error(path, "the sform matrix contains NaN or infinite values");
    return a;
}

Eigen::Matrix4d qform_affine(const NiftiHeader& h, bool single_slice, const std::string& path) {
    const double q[6] = {h.quatern_b, h.quatern_c, h.quatern_d, h.qoffset_x, h.qoffset_y, h.qoffset_z};
    for (double v : q)
        if (!std::isfinite(v)) throw file_error(path, "the qform contains NaN or infinite values");
    // (b, c, d) are a unit quaternion's vector part: b^2 + c^2 + d^2 above 1 is no
    // rotation. nibabel refuses it beyond 3 float32 epsilons (and takes a = 0 below);
    // so does Alinea (NIfTI's C library would normalise it instead).
    const double w2 = 1.0 - (q[0] * q[0] + q[1] * q[1] + q[2] * q[2]);
    if (w2 < -3.0 * std::numeric_limits<float>::epsilon()) {
        char norm[48];
        std::snprintf(norm, sizeof norm, "%.7g", 1.0 - w2);
        throw file_error(path, std::string("the qform quaternion is not a rotation (b^2 + c^2 + d^2 = ") + norm + " > 1)");
    }
    // qfac is pixdim[0]: exactly -1 flips z; nibabel takes any other value (0, the
    // standard's "treat as 1", but also -0.5 or -2) as 1, and so does Alinea.
    const double qfac = h.pixdim[0] == -1.0f ? -1.0 : 1.0;
    // nibabel's arithmetic to the last bit (get_qform: fillpositive and quat2mat in
    // numpy's longdouble, x87 extended precision on x86-64, rounded to double at the end).
    using Real = long double;
    const Real b = q[0], c = q[1], d = q[2];
    const Real sum = ((Real(0) + b * b) + c * c) + d * d;
    const Real a = sum > 1 ? Real(0) : std::sqrt(Real(1) - sum);
    const Real norm = ((a * a + b * b) + c * c) + d * d;
    Real r[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    if (norm >= std::numeric_limits<double>::epsilon()) {
        const Real s = Real(2) / norm, X = b * s, Y = c * s, Z = d * s;
        const Real wX = a * X, wY = a * Y, wZ = a * Z, xX = b * X, xY = b * Y, xZ = b * Z;
        const Real yY = c * Y, yZ = c * Z, zZ = d * Z;
        const Real rows[3][3] = {{Real(1) - (yY + zZ), xY - wZ, xZ + wY},
                                 {xY + wZ, Real(1) - (xX + zZ), yZ - wX},
                                 {xZ - wY, yZ + wX, Real(1) - (xX + yY)}};
        std::copy(&rows[0][0], &rows[0][0] + 9, &r[0][0]);
    }
    const double voxel[3] = {voxel_size(h, 1, single_slice, path), voxel_size(h, 2, single_slice, path),
                             voxel_size(h, 3, single_slice, path) * qfac};
    Eigen::Matrix4d m = Eigen::Matrix4d::Identity();
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) m(i, j) = static_cast<double>(r[i][j] * Real(voxel[j]));
    m.topRightCorner<3, 1>() = Eigen::Vector3d(h.qoffset_x, h.qoffset_y, h.qoffset_z);
    return m;
}

// nibabel's shape_zoom_affine(shape, zooms, x_flip=True) on dims[1..ndim].
Eigen::Matrix4d fallback_affine(const NiftiHeader& h, bool single_slice, const std::string& path) {
    const int ndim = static_cast<int>(h.dim[0]);
    Eigen::Matrix4d a = Eigen::Matrix4d::Identity();
    for (int axis = 0; axis < 3; ++axis) {
        const bool present = axis < ndim;
        const double n = present ? static_cast<double>(h.dim[axis + 1]) : 1.0;
        double zoom = present ? voxel_size(h, axis + 1, single_slice, path) : 1.0;
        if (axis == 0) zoom = -zoom;
        a(axis, axis) = zoom;
        a(axis, 3) = -(n - 1) / 2.0 * zoom;
    }
    return a;
}

bool well_conditioned(const Eigen::Ref<const Eigen::MatrixXd>& m) {
    if (!m.allFinite()) return false;
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(m);
    const auto s = svd.singularValues();
    return s(s.size() - 1) > 1e-8 * s(0) && s(0) > 0;
}

}  // namespace

Eigen::Matrix4d nifti_ras_affine(const NiftiHeader& h, const std::string& path) {
    const bool single_slice = h.dim[0] < 3 || h.dim[3] == 1;
    if (h.sform_code != 0) return sform_affine(h, path);
    if (h.qform_code != 0) return qform_affine(h, single_slice, path);
    return fallback_affine(h, single_slice, path);
}

Grid<3> lps_grid(const Eigen::Matrix4d& ras, const Size<3>& size, const std::string& path) {
    const Eigen::Matrix4d lps = flip_xy() * ras;
    MatD<3> linear = lps.topLeftCorner<3, 3>();
    if (!well_conditioned(linear)) {
        // A one-slice image only needs its in-plane axes; complete them with the normal.
        const VecD<3> normal = linear.col(0).cross(linear.col(1));
        if (size[2] != 1 || normal.norm() == 0 || !well_conditioned(linear.leftCols<2>()))
            throw file_error(path, "the orientation matrix is singular");
        linear.col(2) = normal.normalized();
    }
    return file_grid<3>(size, linear, lps.topRightCorner<3, 1>(), path);
}

template <int D>
Grid<D> file_grid(const Size<D>& size, const MatD<D>& linear, const VecD<D>& origin, const std::string& path) {
    try {
        return Grid<D>(size, linear, origin);
    } catch (const std::invalid_argument&) {
        std::ostringstream sizes;
        for (int a = 0; a < D; ++a) sizes << (a ? " x " : "") << linear.col(a).norm();
        throw file_error(path, "the voxel-to-world matrix cannot be inverted (voxel sizes " + sizes.str() + " mm)");
    }
}

template Grid<2> file_grid<2>(const Size<2>&, const MatD<2>&, const VecD<2>&, const std::string&);
template Grid<3> file_grid<3>(const Size<3>&, const MatD<3>&, const VecD<3>&, const std::string&);

void set_nifti_orientation(NiftiHeader& h, const Eigen::Matrix4d& ras) {
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 4; ++c) h.srow[r][c] = ras(r, c);
    // The qform: voxel sizes (column lengths), the sign of the determinant (qfac), and
    // the nearest rotation to the unit columns (polar decomposition, U V^T of the SVD),
    // as the NIfTI standard's reference code does for a sheared matrix.
    Eigen::Matrix3d m = ras.topLeftCorner<3, 3>();
    Eigen::Vector3d size = m.colwise().norm().transpose();
    for (int c = 0; c < 3; ++c) {
        if (size[c] == 0) {  // a degenerate axis: the reference code's choice, the unit axis
            m.col(c) = Eigen::Vector3d::Unit(c);
            size[c] = 1;
        } else {
            m.col(c) /= size[c];
        }
    }
    const Eigen::JacobiSVD<Eigen::Matrix3d> svd(m, Eigen::ComputeFullU | Eigen::ComputeFullV);
    Eigen::Matrix3d r = svd.matrixU() * svd.matrixV().transpose();
    double qfac = 1;
    if (r.determinant() < 0) {  // a left-handed grid: the third axis flips (pixdim[0] = -1)
        qfac = -1;
        r.col(2) = -r.col(2);
    }
    // Quaternion (a, b, c, d) of the rotation, a >= 0, by the largest-component branch.
    double a = r.trace() + 1, b, c, d;
    if (a > 0.5) {
        a = 0.5 * std::sqrt(a);
        b = 0.25 * (r(2, 1) - r(1, 2)) / a;
        c = 0.25 * (r(0, 2) - r(2, 0)) / a;
        d = 0.25 * (r(1, 0) - r(0, 1)) / a;
    } else {
        const double xd = 1 + r(0, 0) - (r(1, 1) + r(2, 2)), yd = 1 + r(1, 1) - (r(0, 0) + r(2, 2)),
                     zd = 1 + r(2, 2) - (r(0, 0) + r(1, 1));
        if (xd > 1) {
            b = 0.5 * std::sqrt(xd);
            c = 0.25 * (r(0, 1) + r(1, 0)) / b;
            d = 0.25 * (r(0, 2) + r(2, 0)) / b;
            a = 0.25 * (r(2, 1) - r(1, 2)) / b;
        } else if (yd > 1) {
            c = 0.5 * std::sqrt(yd);
            b = 0.25 * (r(0, 1) + r(1, 0)) / c;
            d = 0.25 * (r(1, 2) + r(2, 1)) / c;
            a = 0.25 * (r(0, 2) - r(2, 0)) / c;
        } else {
            d = 0.5 * std::sqrt(zd);
            b = 0.25 * (r(0, 2) + r(2, 0)) / d;
            c = 0.25 * (r(1, 2) + r(2, 1)) / d;
            a = 0.25 * (r(1, 0) - r(0, 1)) / d;
        }
        if (a < 0) {
            b = -b;
            c = -c;
            d = -d;
        }
    }
    h.quatern_b = b;
    h.quatern_c = c;
    h.quatern_d = d;
    h.qoffset_x = ras(0, 3);
    h.qoffset_y = ras(1, 3);
    h.qoffset_z = ras(2, 3);
    h.pixdim = {qfac, size[0], size[1], size[2], 1, 1, 1, 1};
}

}  // namespace alinea::io

namespace alinea {

std::string orientation_code(const Eigen::Matrix4d& ras_affine) {
    // nibabel's io_orientation: the closest rotation to the normalised columns (polar
    // decomposition), then each voxel axis in turn takes the world axis it is most
    // parallel to, which is then no longer available to the others.
    Eigen::Matrix3d rs = ras_affine.topLeftCorner<3, 3>();
    for (int c = 0; c < 3; ++c) {
        const double n = rs.col(c).norm();
        if (n > 0) rs.col(c) /= n;
    }
    const Eigen::JacobiSVD<Eigen::Matrix3d> svd(rs, Eigen::ComputeFullU | Eigen::ComputeFullV);
    const auto s = svd.singularValues();
    const double tol = s.maxCoeff() * 3 * std::numeric_limits<double>::epsilon();
    Eigen::Matrix3d r = Eigen::Matrix3d::Zero();
    for (int k = 0; k < 3; ++k)
        if (s(k) > tol) r += svd.matrixU().col(k) * svd.matrixV().col(k).transpose();
    constexpr char kLetters[3][2] = {{'L', 'R'}, {'P', 'A'}, {'I', 'S'}};
    std::string code;
    for (int in = 0; in < 3; ++in) {
        Eigen::Index out = 0;
        if (r.col(in).cwiseAbs().maxCoeff(&out) <= 1e-8) {
            code += '?';
            continue;
        }
        code += kLetters[out][r(out, in) > 0 ? 1 : 0];
        r.row(out).setZero();
    }
    return code;
}

}  // namespace alinea

namespace alinea {

Eigen::Matrix4d ras_affine(const Grid<3>& grid) {
    Eigen::Matrix4d lps = Eigen::Matrix4d::Identity();
    lps.topLeftCorner<3, 3>() = grid.linear();
    lps.topRightCorner<3, 1>() = grid.origin();
    return io::flip_xy() * lps;
}

Eigen::Matrix4d ras_affine(const Grid<2>& grid) {
    Eigen::Matrix4d lps = Eigen::Matrix4d::Identity();
    lps.topLeftCorner<2, 2>() = grid.linear();
    lps.block<2, 1>(0, 3) = grid.origin();
    return io::flip_xy() * lps;
}

template <int D>
Grid<D> grid_from_ras_affine(const Size<D>& size, const Eigen::Matrix4d& ras) {
    if (!ras.allFinite()) throw Error("the affine has a value that is not finite");
    if (ras.row(3) != Eigen::RowVector4d(0, 0, 0, 1))
        throw Error("the affine's last row must be 0 0 0 1 (it is not an affine map)");
    if (D == 2 && (ras(0, 2) != 0 || ras(1, 2) != 0 || ras(2, 0) != 0 || ras(2, 1) != 0))
        throw Error("a 2-D image's affine must not mix z into the image plane (entries [0,2], [1,2], [2,0], [2,1] "
                    "must be 0)");
    const Eigen::Matrix4d lps = io::flip_xy() * ras;
    const MatD<D> linear = lps.topLeftCorner<D, D>();
    const VecD<D> origin = lps.block<D, 1>(0, 3);
    try {
        return Grid<D>(size, linear, origin);
    } catch (const std::invalid_argument&) {
        throw Error("the affine's voxel axes cannot be inverted (a zero or degenerate voxel size)");
    }
}

template Grid<2> grid_from_ras_affine<2>(const Size<2>&, const Eigen::Matrix4d&);
template Grid<3> grid_from_ras_affine<3>(const Size<3>&, const Eigen::Matrix4d&);

}  // namespace alinea
