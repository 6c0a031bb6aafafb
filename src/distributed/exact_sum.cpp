#include "alinea/exact_sum.hpp"

#include <algorithm>
#include <cmath>

namespace alinea {

ExactSums::ExactSums(std::size_t count, double bound, std::size_t terms) : sums_(count, 0) {
    // The total stays below terms * bound * 2^exponent <= 2^62.
    const double total = std::max(1e-300, bound) * static_cast<double>(std::max<std::size_t>(1, terms));
    exponent_ = std::clamp(62 - static_cast<int>(std::ceil(std::log2(total))) - 1, -1000, 1000);
    limit_ = std::ldexp(std::max(0.0, bound), exponent_);
}

std::int64_t ExactSums::to_fixed(double term) const {
    if (!(std::abs(term) <= 1e308)) term = 0;  // NaN and inf are never summed (callers skip them)
    return std::llround(std::clamp(std::ldexp(term, exponent_), -limit_, limit_));
}

double ExactSums::operator[](std::size_t i) const { return std::ldexp(static_cast<double>(sums_[i]), -exponent_); }

}  // namespace alinea
