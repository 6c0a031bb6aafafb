#include "alinea/optimizer.hpp"

#include "alinea/error.hpp"

namespace alinea {

OptimizerKind parse_optimizer(const std::string& name) {
    if (name == "gd" || name == "adaptive-gd") return OptimizerKind::adaptive_gradient_descent;
    if (name == "lbfgs") return OptimizerKind::lbfgs;
    throw Error("unknown optimizer '" + name + "' (expected gd or lbfgs)");
}

std::string to_string(OptimizerKind kind) {
    return kind == OptimizerKind::lbfgs ? "lbfgs" : "gd";
}

OptimizerResult minimize(OptimizerKind kind, const Objective& f, const Eigen::VectorXd& u0,
                         const OptimizerOptions& options) {
    return kind == OptimizerKind::lbfgs ? lbfgs(f, u0, options) : adaptive_gradient_descent(f, u0, options);
}

}  // namespace alinea
