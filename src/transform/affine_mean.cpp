#include "alinea/affine_mean.hpp"

#include "alinea/error.hpp"

#include <Eigen/SVD>
#include <unsupported/Eigen/MatrixFunctions>

namespace alinea {

template <int D>
Affine<D> log_mean(std::span<const Affine<D>> maps) {
    if (maps.empty()) throw Error("mean of affine maps: no map");
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(D + 1, D + 1);
    for (const Affine<D>& a : maps) {
        if (!(a.matrix.determinant() > 0))
            throw Error("mean of affine maps: a map with determinant " + std::to_string(a.matrix.determinant()) +
                        " (a reflection or a collapse) has no logarithm");
        const Eigen::MatrixXd h = a.homogeneous();
        sum += h.log();
    }
    const Eigen::MatrixXd mean = (sum / static_cast<double>(maps.size())).exp();
    Affine<D> out;
    out.matrix = mean.topLeftCorner(D, D);
    out.offset = mean.topRightCorner(D, 1);
    return out;
}

template <int D>
Affine<D> without_rigid(const Affine<D>& map, const VecD<D>& centre) {
    const Eigen::JacobiSVD<MatD<D>> svd(map.matrix, Eigen::ComputeFullU | Eigen::ComputeFullV);
    const MatD<D> v = svd.matrixV();
    Affine<D> out;
    out.matrix = v * svd.singularValues().asDiagonal() * v.transpose();
    out.offset = centre - out.matrix * centre;
    return out;
}

template Affine<2> log_mean<2>(std::span<const Affine<2>>);
template Affine<3> log_mean<3>(std::span<const Affine<3>>);
template Affine<2> without_rigid<2>(const Affine<2>&, const VecD<2>&);
template Affine<3> without_rigid<3>(const Affine<3>&, const VecD<3>&);

}  // namespace alinea
