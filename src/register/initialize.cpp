#include "alinea/initialize.hpp"

#include "alinea/error.hpp"
#include "alinea/parallel.hpp"

#include <algorithm>

namespace alinea {

Initialization parse_initialization(const std::string& name) {
    if (name == "identity") return Initialization::identity;
    if (name == "centers" || name == "centres") return Initialization::centers;
    if (name == "mass") return Initialization::mass;
    if (name == "moments") return Initialization::moments;
    throw Error("unknown initialisation '" + name + "' (expected identity, centers, mass, moments or a transform file)");
}

std::string to_string(Initialization init) {
    switch (init) {
        case Initialization::identity: return "identity";
        case Initialization::centers: return "centers";
        case Initialization::mass: return "mass";
        case Initialization::moments: return "moments";
    }
    return "?";
}

namespace {

// Zeroth, first and second intensity moments (intensity above the minimum as mass).
template <int D>
struct Moments {
    VecD<D> centre;
    MatD<D> covariance;
};

template <int D>
Moments<D> moments(const ScalarImage<D>& image) {
    const float lo = *std::min_element(image.voxels().begin(), image.voxels().end());
    using Acc = Eigen::Matrix<double, 1 + D + D * D, 1>;
    const Grid<D>& g = image.grid();
    const Acc s = parallel_sum(image.voxel_count(), Index(1) << 14, Acc(Acc::Zero()), [&](Index b, Index e) {
        Acc a = Acc::Zero();
        for (Index i = b; i < e; ++i) {
            const double w = image[i] - lo;
            if (w <= 0) continue;
            const Size<D> idx = g.index_of(i);
            VecD<D> ci;
            for (int k = 0; k < D; ++k) ci[k] = static_cast<double>(idx[k]);
            const VecD<D> x = g.physical(ci);
            a[0] += w;
            a.template segment<D>(1) += w * x;
            const MatD<D> xx = w * x * x.transpose();
            a.template tail<D * D>() += Eigen::Map<const Eigen::Matrix<double, D * D, 1>>(xx.data());
        }
        return a;
    });
    if (!(s[0] > 0)) return {g.center(), MatD<D>::Identity()};
    Moments<D> m;
    m.centre = s.template segment<D>(1) / s[0];
    m.covariance = Eigen::Map<const MatD<D>>(s.template tail<D * D>().data()) / s[0] - m.centre * m.centre.transpose();
    return m;
}

}  // namespace

template <int D>
Affine<D> initial_transform(Initialization init, const ScalarImage<D>& fixed, const ScalarImage<D>& moving) {
    Affine<D> t;
    switch (init) {
        case Initialization::identity: return t;
        case Initialization::centers: t.offset = moving.grid().center() - fixed.grid().center(); return t;
        case Initialization::mass:
        case Initialization::moments: break;
    }
    const Moments<D> f = moments(fixed), m = moments(moving);
    if (init == Initialization::moments) {
        // Principal axes (sorted by variance); of the sign choices that keep a proper
        // rotation, take the one closest to the identity: inputs are roughly upright.
        Eigen::SelfAdjointEigenSolver<MatD<D>> ef(f.covariance), em(m.covariance);
        const MatD<D> af = ef.eigenvectors(), am = em.eigenvectors();
        double best = -1e300;
        for (int signs = 0; signs < (1 << D); ++signs) {
            VecD<D> s;
            for (int k = 0; k < D; ++k) s[k] = (signs >> k) & 1 ? -1 : 1;
            const MatD<D> r = am * s.asDiagonal() * af.transpose();
            if (r.determinant() < 0) continue;
            if (r.trace() > best) { best = r.trace(); t.matrix = r; }
        }
    }
    t.offset = m.centre - t.matrix * f.centre;
    return t;
}

template Affine<2> initial_transform<2>(Initialization, const ScalarImage<2>&, const ScalarImage<2>&);
template Affine<3> initial_transform<3>(Initialization, const ScalarImage<3>&, const ScalarImage<3>&);

}  // namespace alinea
