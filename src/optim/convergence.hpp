#pragma once
// The stopping rule shared by the optimisers: the objective improved by less than a
// relative tolerance over the last `window` accepted iterations.
#include <cmath>
#include <vector>

namespace alinea {

inline bool stalled(const std::vector<double>& trace, int window, double relative_tolerance) {
    if (static_cast<int>(trace.size()) <= window) return false;
    const double before = trace[trace.size() - 1 - window], now = trace.back();
    return before - now <= relative_tolerance * std::max(std::abs(before), 1e-12);
}

}  // namespace alinea
