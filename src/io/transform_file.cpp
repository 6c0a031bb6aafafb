// Linear transform files: ITK text transforms (LPS) and greedy/c3d RAS matrices.
#include "alinea/transform_file.hpp"

#include "alinea/atomic_file.hpp"
#include "alinea/error.hpp"
#include "bytes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <vector>

namespace alinea {

namespace {

constexpr std::uint64_t kMaxTransformFileBytes = 1 << 24;
constexpr const char* kItkMagic = "#Insight Transform File";

std::string read_text(const std::string& path) {
    const io::ByteBuffer bytes = io::read_file(path, kMaxTransformFileBytes);
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// A token as a message may show it: control characters as '?', at most 40 characters.
std::string shown(const std::string& token) {
    std::string out;
    for (const char c : token.substr(0, 40)) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
    return token.size() > 40 ? out + "..." : out;
}

// A finite number, or an Error naming the token and the line. The whole token must be
// the number (a NUL byte inside it would otherwise end the number silently).
double parse_number(const std::string& token, const std::string& path, int line) {
    char* end = nullptr;
    const double v = std::strtod(token.c_str(), &end);
    if (end == token.c_str() || end != token.c_str() + token.size())
        throw file_error(path, "line " + std::to_string(line) + ": '" + shown(token) + "' is not a number");
    if (!std::isfinite(v))
        throw file_error(path, "line " + std::to_string(line) + ": non-finite value '" + shown(token) + "'");
    return v;
}

std::vector<double> parse_numbers(const std::string& text, const std::string& path, int line) {
    std::istringstream in(text);
    std::vector<double> values;
    for (std::string token; in >> token;) values.push_back(parse_number(token, path, line));
    return values;
}

template <int D>
void check_invertible(const MatD<D>& m, const std::string& path) {
    const Eigen::JacobiSVD<MatD<D>> svd(m);
    const auto s = svd.singularValues();
    if (!(s(D - 1) > 1e-12 * s(0))) throw file_error(path, "the transform's matrix is singular");
}

// ---- ITK text transforms ----

struct ItkEntry {
    std::string type;
    int line = 0;
    std::vector<double> parameters, fixed;
    bool has_fixed = false;
};

// "Euler3DTransform_double_3_3" -> {"Euler3DTransform", 3}. The whole name is checked:
// NAME_double_D_D or NAME_float_D_D with D 2 or 3; anything else has dimension 0.
struct ItkType {
    std::string name;
    int dimension = 0;
};

ItkType split_type(const std::string& type) {
    std::vector<std::string> parts;
    for (std::size_t begin = 0;;) {
        const std::size_t end = type.find('_', begin);
        parts.push_back(type.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
        if (end == std::string::npos) break;
        begin = end + 1;
    }
    const bool well_formed = parts.size() == 4 && !parts[0].empty() && (parts[1] == "double" || parts[1] == "float") &&
                             parts[2] == parts[3] && (parts[2] == "2" || parts[2] == "3");
    if (!well_formed) return {type, 0};
    return {parts[0], parts[2][0] - '0'};
}

std::string unknown_type(const std::string& type) {
    return "transform type " + type + " is not of the form Name_double_D_D (or Name_float_D_D, D = 2 or 3)";
}

std::vector<ItkEntry> parse_itk(const std::string& path) {
    std::istringstream in(read_text(path));
    std::vector<ItkEntry> entries;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (number == 1 && line.rfind(kItkMagic, 0) != 0)
            throw file_error(path, "not an ITK transform file (the first line is not '#Insight Transform File V1.0')");
        const auto colon = line.find(':');
        if (line.empty() || line[0] == '#' || line.find_first_not_of(" \t") == std::string::npos) continue;
        if (colon == std::string::npos) throw file_error(path, "line " + std::to_string(number) + ": expected 'Key: values'");
        const std::string key = line.substr(0, colon), value = line.substr(colon + 1);
        if (key == "Transform") {
            std::istringstream v(value);
            ItkEntry entry;
            v >> entry.type;
            entry.line = number;
            entries.push_back(entry);
        } else if (key == "Parameters" || key == "FixedParameters") {
            if (entries.empty()) throw file_error(path, "line " + std::to_string(number) + ": " + key + " before any Transform");
            auto& entry = entries.back();
            (key == "Parameters" ? entry.parameters : entry.fixed) = parse_numbers(value, path, number);
            if (key == "FixedParameters") entry.has_fixed = true;
        } else {
            throw file_error(path, "line " + std::to_string(number) + ": unknown key '" + key + "'");
        }
    }
    if (number == 0) throw file_error(path, "empty file; an ITK transform file was expected");
    if (entries.empty()) throw file_error(path, "contains no transform");
    return entries;
}

Eigen::Matrix3d versor_matrix(double x, double y, double z) {
    // ITK keeps the versor's vector part and derives w >= 0; a norm above 1 is scaled down.
    const double n2 = x * x + y * y + z * z;
    if (n2 > 1.0) {
        const double n = std::sqrt(n2);
        x /= n, y /= n, z /= n;
    }
    const Eigen::Quaterniond q(std::sqrt(std::max(0.0, 1.0 - (x * x + y * y + z * z))), x, y, z);
    return q.toRotationMatrix();
}

MatD<2> rotation2(double angle) {
    MatD<2> r;
    r << std::cos(angle), -std::sin(angle), std::sin(angle), std::cos(angle);
    return r;
}

// Euler angles as ITK composes them: Rz*Rx*Ry by default, Rz*Ry*Rx when ComputeZYX.
Eigen::Matrix3d euler3(double ax, double ay, double az, bool zyx) {
    const Eigen::Matrix3d rx = Eigen::AngleAxisd(ax, Eigen::Vector3d::UnitX()).toRotationMatrix();
    const Eigen::Matrix3d ry = Eigen::AngleAxisd(ay, Eigen::Vector3d::UnitY()).toRotationMatrix();
    const Eigen::Matrix3d rz = Eigen::AngleAxisd(az, Eigen::Vector3d::UnitZ()).toRotationMatrix();
    return zyx ? Eigen::Matrix3d(rz * ry * rx) : Eigen::Matrix3d(rz * rx * ry);
}

template <int D>
Affine<D> itk_linear(const ItkEntry& e, const std::string& path) {
    const ItkType type = split_type(e.type);
    const std::string where = "line " + std::to_string(e.line) + ": " + e.type;
    if (type.dimension == 0) throw file_error(path, "line " + std::to_string(e.line) + ": " + unknown_type(e.type));
    if (type.dimension != D)
        throw file_error(path, where + " is " + std::to_string(type.dimension) + "-D; a " + std::to_string(D) +
                                   "-D transform was expected");
    const auto& p = e.parameters;
    const auto expect = [&](std::size_t n) {
        if (p.size() != n)
            throw file_error(path, where + " needs " + std::to_string(n) + " parameters, the file has " + std::to_string(p.size()));
    };
    MatD<D> m = MatD<D>::Identity();
    VecD<D> t = VecD<D>::Zero();
    const auto take_translation = [&](std::size_t first) {
        for (int i = 0; i < D; ++i) t[i] = p[first + i];
    };
    const std::string& n = type.name;
    bool centred = true;
    if (n == "AffineTransform" || n == "MatrixOffsetTransformBase" || n == "ScalableAffineTransform" ||
        (D == 3 && n == "Rigid3DTransform")) {
        expect(D * D + D);
        for (int r = 0; r < D; ++r)
            for (int c = 0; c < D; ++c) m(r, c) = p[r * D + c];
        take_translation(D * D);
    } else if (n == "TranslationTransform") {
        expect(D);
        take_translation(0);
        centred = false;
    } else if (n == "ScaleTransform") {
        expect(D);
        for (int i = 0; i < D; ++i) m(i, i) = p[i];
    } else if constexpr (D == 2) {
        if (n == "Euler2DTransform" || n == "Rigid2DTransform") {
            expect(3);
            m = rotation2(p[0]);
            take_translation(1);
        } else if (n == "Similarity2DTransform") {
            expect(4);
            m = p[0] * rotation2(p[1]);
            take_translation(2);
        } else {
            throw file_error(path, where + " is not a supported linear transform type");
        }
    } else {
        if (n == "Euler3DTransform") {
            expect(6);
            const bool zyx = e.fixed.size() == 4 && e.fixed[3] != 0.0;
            m = euler3(p[0], p[1], p[2], zyx);
            take_translation(3);
        } else if (n == "VersorRigid3DTransform") {
            expect(6);
            m = versor_matrix(p[0], p[1], p[2]);
            take_translation(3);
        } else if (n == "VersorTransform") {
            expect(3);
            m = versor_matrix(p[0], p[1], p[2]);
        } else if (n == "Similarity3DTransform") {
            expect(7);
            m = p[6] * versor_matrix(p[0], p[1], p[2]);
            take_translation(3);
        } else if (n == "QuaternionRigidTransform") {
            expect(7);  // x, y, z, w (vnl_quaternion order), then translation
            m = Eigen::Quaterniond(p[3], p[0], p[1], p[2]).normalized().toRotationMatrix();
            take_translation(4);
        } else {
            throw file_error(path, where + " is not a supported linear transform type");
        }
    }
    // y = M (x - c) + t + c, with c the centre in FixedParameters.
    VecD<D> c = VecD<D>::Zero();
    if (centred && e.has_fixed) {
        const bool ok = e.fixed.size() == D || (D == 3 && n == "Euler3DTransform" && e.fixed.size() == 4);
        if (!ok)
            throw file_error(path, where + " needs " + std::to_string(D) + " fixed parameters (the centre), the file has " +
                                       std::to_string(e.fixed.size()));
        for (int i = 0; i < D; ++i) c[i] = e.fixed[i];
    }
    check_invertible<D>(m, path);
    return {m, t + c - m * c};
}

std::string format_numbers(const double* values, int count) {
    std::string s;
    char buffer[32];
    for (int i = 0; i < count; ++i) {
        std::snprintf(buffer, sizeof buffer, "%.17g", values[i]);
        s += (i ? " " : "") + std::string(buffer);
    }
    return s;
}

// ---- RAS matrices ----

// The rows of a plain-text matrix; every row must have the same number of values.
std::vector<std::vector<double>> parse_matrix(const std::string& path) {
    std::istringstream in(read_text(path));
    std::vector<std::vector<double>> rows;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos || line[line.find_first_not_of(" \t")] == '#') continue;
        std::replace(line.begin(), line.end(), ',', ' ');
        rows.push_back(parse_numbers(line, path, number));
        if (rows.back().size() != rows.front().size())
            throw file_error(path, "line " + std::to_string(number) + ": rows of the matrix differ in length");
    }
    if (rows.empty()) throw file_error(path, "empty file; a matrix was expected");
    if (rows.size() != rows.front().size() || (rows.size() != 3 && rows.size() != 4))
        throw file_error(path, "expected a 3x3 (2-D) or 4x4 (3-D) matrix, found " + std::to_string(rows.size()) + "x" +
                                   std::to_string(rows.front().size()));
    return rows;
}

// RAS <-> LPS for homogeneous matrices: F h F with F = diag(-1, -1, 1[, 1]).
template <int D>
Eigen::Matrix<double, D + 1, D + 1> flip(const Eigen::Matrix<double, D + 1, D + 1>& h) {
    Eigen::Matrix<double, D + 1, 1> f = Eigen::Matrix<double, D + 1, 1>::Ones();
    f[0] = f[1] = -1;
    return f.asDiagonal() * h * f.asDiagonal();
}

void write_text(const std::string& path, const std::string& text) {
    write_atomically(path, [&](const std::string& temp) {
        io::write_file(temp, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, path);
    });
}

}  // namespace

bool is_itk_transform_file(const std::string& path) {
    const io::ByteBuffer start = io::read_file_range(path, 0, 23);
    return std::string(reinterpret_cast<const char*>(start.data()), start.size()) == kItkMagic;
}

int transform_file_dimension(const std::string& path) {
    if (!is_itk_transform_file(path)) return static_cast<int>(parse_matrix(path).size()) - 1;
    const auto entries = parse_itk(path);
    const int d = split_type(entries.front().type).dimension;
    if (d == 0) throw file_error(path, unknown_type(entries.front().type));
    return d;
}

template <int D>
Affine<D> read_itk_transform(const std::string& path) {
    const auto entries = parse_itk(path);
    // A CompositeTransform lists T0, T1, ...; it maps x to T0(T1(...(x))).
    const bool composite = split_type(entries.front().type).name == "CompositeTransform";
    if (composite) {
        const ItkType type = split_type(entries.front().type);
        if (type.dimension != D)
            throw file_error(path, entries.front().type + " is not a " + std::to_string(D) + "-D transform");
        if (entries.size() == 1) throw file_error(path, "the CompositeTransform contains no transform");
    } else if (entries.size() != 1) {
        throw file_error(path, "contains " + std::to_string(entries.size()) +
                                   " transforms without a CompositeTransform; one was expected");
    }
    Affine<D> result;
    for (std::size_t i = composite ? 1 : 0; i < entries.size(); ++i) result = result.after(itk_linear<D>(entries[i], path));
    return result;
}

template <int D>
void write_itk_transform(const std::string& path, const Affine<D>& transform) {
    if (!transform.matrix.allFinite() || !transform.offset.allFinite())
        throw file_error(path, "cannot write a transform with non-finite values");
    double parameters[D * D + D];
    for (int r = 0; r < D; ++r)
        for (int c = 0; c < D; ++c) parameters[r * D + c] = transform.matrix(r, c);
    for (int i = 0; i < D; ++i) parameters[D * D + i] = transform.offset[i];
    const double centre[D] = {};
    const std::string d = std::to_string(D);
    // With the centre at 0, ITK's translation parameters are the offset itself.
    const std::string text = std::string(kItkMagic) + " V1.0\n#Transform 0\nTransform: AffineTransform_double_" + d + "_" +
                             d + "\nParameters: " + format_numbers(parameters, D * D + D) +
                             "\nFixedParameters: " + format_numbers(centre, D) + "\n";
    write_text(path, text);
}

template <int D>
Affine<D> read_ras_matrix(const std::string& path) {
    if (is_itk_transform_file(path)) throw file_error(path, "is an ITK transform file, not a RAS matrix");
    const auto rows = parse_matrix(path);
    if (static_cast<int>(rows.size()) != D + 1)
        throw file_error(path, "is a " + std::to_string(rows.size() - 1) + "-D matrix (" + std::to_string(rows.size()) + "x" +
                                   std::to_string(rows.size()) + "); a " + std::to_string(D) + "-D transform was expected");
    Eigen::Matrix<double, D + 1, D + 1> ras;
    for (int r = 0; r <= D; ++r)
        for (int c = 0; c <= D; ++c) ras(r, c) = rows[r][c];
    for (int c = 0; c <= D; ++c)
        if (std::abs(ras(D, c) - (c == D ? 1.0 : 0.0)) > 1e-6)
            throw file_error(path, "the last row of the matrix must be 0 ... 0 1");
    const auto lps = flip<D>(ras);
    Affine<D> a{lps.template topLeftCorner<D, D>(), lps.template topRightCorner<D, 1>()};
    check_invertible<D>(a.matrix, path);
    return a;
}

template <int D>
void write_ras_matrix(const std::string& path, const Affine<D>& transform) {
    if (!transform.matrix.allFinite() || !transform.offset.allFinite())
        throw file_error(path, "cannot write a transform with non-finite values");
    const auto ras = flip<D>(transform.homogeneous());
    std::string text;
    for (int r = 0; r <= D; ++r) {
        double row[D + 1];
        for (int c = 0; c <= D; ++c) row[c] = ras(r, c) == 0.0 ? 0.0 : ras(r, c);  // no "-0"
        text += format_numbers(row, D + 1) + "\n";
    }
    write_text(path, text);
}

template <int D>
Affine<D> read_linear_transform(const std::string& path) {
    return is_itk_transform_file(path) ? read_itk_transform<D>(path) : read_ras_matrix<D>(path);
}

#define ALINEA_INSTANTIATE(D)                                                      \
    template Affine<D> read_itk_transform<D>(const std::string&);                  \
    template void write_itk_transform<D>(const std::string&, const Affine<D>&);    \
    template Affine<D> read_ras_matrix<D>(const std::string&);                     \
    template void write_ras_matrix<D>(const std::string&, const Affine<D>&);       \
    template Affine<D> read_linear_transform<D>(const std::string&);
ALINEA_INSTANTIATE(2)
ALINEA_INSTANTIATE(3)
#undef ALINEA_INSTANTIATE

}  // namespace alinea
