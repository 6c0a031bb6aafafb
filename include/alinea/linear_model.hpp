#pragma once
// Linear transform models and their parameters. Every model is written as
//   phi(x) = A(theta) (x - c) + c + t(theta)
// about a fixed centre c, and knows the analytic derivative of (A, b) in theta,
// which turns the metric's gradient in (A, b) into its gradient in theta.
#include "alinea/affine.hpp"

#include <string>

namespace alinea {

enum class LinearModel { translation, rigid, similarity, affine };
LinearModel parse_linear_model(const std::string& name);
std::string to_string(LinearModel model);

using Parameters = Eigen::VectorXd;

template <int D>
class LinearParameterization {
public:
    LinearParameterization(LinearModel model, const VecD<D>& center);

    LinearModel model() const { return model_; }
    int size() const;
    Parameters identity() const;
    Affine<D> affine(const Parameters& theta) const;
    // Gradient in theta from the gradient in the matrix A and the offset b of phi.
    Parameters chain(const Parameters& theta, const MatD<D>& d_matrix, const VecD<D>& d_offset) const;
    // How far (mm) a unit change of each parameter moves points at distance `radius`
    // from the centre: the optimiser works in these physical units.
    Parameters physical_scales(double radius) const;

private:
    // dA/dtheta_k for the rotation/scale/matrix parameters (before the translation).
    void matrix_and_derivatives(const Parameters& theta, MatD<D>& a, std::vector<MatD<D>>* da) const;
    int linear_count() const;

    LinearModel model_;
    VecD<D> center_;
};

extern template class LinearParameterization<2>;
extern template class LinearParameterization<3>;

}  // namespace alinea
