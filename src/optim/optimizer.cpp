#include "alinea/optimizer.hpp"

#include "alinea/error.hpp"
#include "alinea/option_spec.hpp"

#include <algorithm>
#include <charconv>
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

Convergence Convergence::parse(const std::string& value, int default_window) {
    Convergence c{0, default_window};
    const size_t comma = value.find(',');
    const std::string tolerance = value.substr(0, comma);
    const auto [end, ec] = std::from_chars(tolerance.data(), tolerance.data() + tolerance.size(), c.tolerance);
    bool ok = ec == std::errc() && end == tolerance.data() + tolerance.size() && c.tolerance >= 0 && c.tolerance < 1;
    if (ok && comma != std::string::npos) {
        const std::string window = value.substr(comma + 1);
        const auto [wend, wec] = std::from_chars(window.data(), window.data() + window.size(), c.window);
        ok = wec == std::errc() && wend == window.data() + window.size() && c.window >= 1 && c.window <= 1000;
    }
    if (!ok)
        throw Error("--convergence: expected TOLERANCE[,WINDOW] (relative tolerance in [0, 1), window of "
                    "1-1000 iterations), got '" + value + "'");
    return c;
}

std::string Convergence::spec() const { return format_number(tolerance) + "," + std::to_string(window); }

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
