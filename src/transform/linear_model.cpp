#include "alinea/linear_model.hpp"

#include "alinea/error.hpp"

#include <cmath>

namespace alinea {

LinearModel parse_linear_model(const std::string& name) {
    if (name == "translation") return LinearModel::translation;
    if (name == "rigid") return LinearModel::rigid;
    if (name == "similarity") return LinearModel::similarity;
    if (name == "affine") return LinearModel::affine;
    throw Error("unknown transform '" + name + "' (expected translation, rigid, similarity or affine)");
}

std::string to_string(LinearModel model) {
    switch (model) {
        case LinearModel::translation: return "translation";
        case LinearModel::rigid: return "rigid";
        case LinearModel::similarity: return "similarity";
        case LinearModel::affine: return "affine";
    }
    return "?";
}

namespace {
constexpr int rotation_count(int d) { return d == 2 ? 1 : 3; }

// 3-D rotation R = Rz(g) Ry(b) Rx(a) and its partial derivatives.
void euler3(double a, double b, double g, MatD<3>& r, MatD<3>* d) {
    auto rx = [](double t, bool deriv) {
        MatD<3> m;
        const double c = std::cos(t), s = std::sin(t);
        if (deriv) m << 0, 0, 0, 0, -s, -c, 0, c, -s;
        else m << 1, 0, 0, 0, c, -s, 0, s, c;
        return m;
    };
    auto ry = [](double t, bool deriv) {
        MatD<3> m;
        const double c = std::cos(t), s = std::sin(t);
        if (deriv) m << -s, 0, c, 0, 0, 0, -c, 0, -s;
        else m << c, 0, s, 0, 1, 0, -s, 0, c;
        return m;
    };
    auto rz = [](double t, bool deriv) {
        MatD<3> m;
        const double c = std::cos(t), s = std::sin(t);
        if (deriv) m << -s, -c, 0, c, -s, 0, 0, 0, 0;
        else m << c, -s, 0, s, c, 0, 0, 0, 1;
        return m;
    };
    r = rz(g, false) * ry(b, false) * rx(a, false);
    if (d) {
        d[0] = rz(g, false) * ry(b, false) * rx(a, true);
        d[1] = rz(g, false) * ry(b, true) * rx(a, false);
        d[2] = rz(g, true) * ry(b, false) * rx(a, false);
    }
}
}  // namespace

template <int D>
LinearParameterization<D>::LinearParameterization(LinearModel model, const VecD<D>& center)
    : model_(model), center_(center) {}

template <int D>
int LinearParameterization<D>::linear_count() const {
    switch (model_) {
        case LinearModel::translation: return 0;
        case LinearModel::rigid: return rotation_count(D);
        case LinearModel::similarity: return rotation_count(D) + 1;
        case LinearModel::affine: return D * D;
    }
    return 0;
}

template <int D>
int LinearParameterization<D>::size() const { return linear_count() + D; }

template <int D>
Parameters LinearParameterization<D>::identity() const {
    Parameters p = Parameters::Zero(size());
    if (model_ == LinearModel::affine)
        for (int i = 0; i < D; ++i) p[i * D + i] = 1;
    return p;
}

template <int D>
void LinearParameterization<D>::matrix_and_derivatives(const Parameters& theta, MatD<D>& a,
                                                       std::vector<MatD<D>>* da) const {
    const int n = linear_count();
    if (da) da->assign(n, MatD<D>::Zero());
    a.setIdentity();
    if (model_ == LinearModel::translation) return;
    if (model_ == LinearModel::affine) {
        for (int k = 0; k < D * D; ++k) {
            a(k / D, k % D) = theta[k];
            if (da) (*da)[k](k / D, k % D) = 1;
        }
        return;
    }
    // Rotation, then (similarity) an isotropic scale exp(s).
    MatD<D> r;
    std::vector<MatD<D>> dr(rotation_count(D));
    if constexpr (D == 2) {
        const double c = std::cos(theta[0]), s = std::sin(theta[0]);
        r << c, -s, s, c;
        dr[0] << -s, -c, c, -s;
    } else {
        euler3(theta[0], theta[1], theta[2], r, dr.data());
    }
    const double scale = model_ == LinearModel::similarity ? std::exp(theta[rotation_count(D)]) : 1.0;
    a = scale * r;
    if (da) {
        for (int k = 0; k < rotation_count(D); ++k) (*da)[k] = scale * dr[k];
        if (model_ == LinearModel::similarity) (*da)[rotation_count(D)] = a;
    }
}

template <int D>
Affine<D> LinearParameterization<D>::affine(const Parameters& theta) const {
    MatD<D> a;
    matrix_and_derivatives(theta, a, nullptr);
    const VecD<D> t = theta.tail<D>();
    return {a, t + center_ - a * center_};
}

template <int D>
Parameters LinearParameterization<D>::chain(const Parameters& theta, const MatD<D>& d_matrix,
                                            const VecD<D>& d_offset) const {
    // b = t + c - A c, so dM/dA picks up -dM/db c^T through b.
    MatD<D> a;
    std::vector<MatD<D>> da;
    matrix_and_derivatives(theta, a, &da);
    const MatD<D> g = d_matrix - d_offset * center_.transpose();
    Parameters out(size());
    for (int k = 0; k < linear_count(); ++k) out[k] = (g.array() * da[k].array()).sum();
    out.tail<D>() = d_offset;
    return out;
}

template <int D>
Parameters LinearParameterization<D>::physical_scales(double radius) const {
    Parameters s = Parameters::Constant(size(), std::max(radius, 1.0));
    s.tail<D>().setOnes();
    return s;
}

template class LinearParameterization<2>;
template class LinearParameterization<3>;

}  // namespace alinea
