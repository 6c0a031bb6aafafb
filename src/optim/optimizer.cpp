#include "alinea/optimizer.hpp"

#include "alinea/error.hpp"

#include <algorithm>
#include <cmath>

namespace alinea {

OptimizerKind parse_optimizer(const std::string& name) {
    if (name == "gd" || name == "adaptive-gd") return OptimizerKind::adaptive_gradient_descent;
    if (name == "lbfgs") return OptimizerKind::lbfgs;
    throw Error("unknown optimizer '" + name + "' (expected gd or lbfgs)");
}

// Switches without a default: a new kind that misses a case is a compiler warning.
std::string to_string(OptimizerKind kind) {
    switch (kind) {
        case OptimizerKind::adaptive_gradient_descent: return "gd";
        case OptimizerKind::lbfgs: return "lbfgs";
    }
    throw Error("unknown optimizer kind");
}

bool converged(const std::vector<double>& trace, const Convergence& c) {
    if (c.window < 1 || static_cast<int>(trace.size()) <= c.window) return false;
    const double before = trace[trace.size() - 1 - c.window], now = trace.back();
    return before - now <= c.tolerance * std::max(std::abs(before), 1e-12);
}

OptimizerResult minimize(OptimizerKind kind, const Objective& f, const Eigen::VectorXd& u0,
                         const OptimizerOptions& options) {
    switch (kind) {
        case OptimizerKind::adaptive_gradient_descent: return adaptive_gradient_descent(f, u0, options);
        case OptimizerKind::lbfgs: return lbfgs(f, u0, options);
    }
    throw Error("unknown optimizer kind");
}

}  // namespace alinea
