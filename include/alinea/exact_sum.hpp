#pragma once
// Sums of real numbers that come out the same whatever the order of their terms (and
// so whatever the number of threads or ranks that add them): each term is rounded
// once to a multiple of 2^-exponent and the integers are added, which is exact and
// associative. The exponent is chosen from a bound on |term| and the number of terms
// so that no partial sum can overflow 62 bits; the rounding is then below 2^-61 of
// the largest possible sum, far finer than the float results built from it.
#include "alinea/communicator.hpp"

#include <cstdint>
#include <vector>

namespace alinea {

class ExactSums {
public:
    // `count` sums of up to `terms` terms each, every |term| <= bound.
    ExactSums(std::size_t count, double bound, std::size_t terms);
    void add(std::size_t i, double term) { sums_[i] += to_fixed(term); }  // |term| beyond the bound is clamped
    double operator[](std::size_t i) const;
    std::size_t size() const { return sums_.size(); }
    // Adds the other ranks' sums (which must have the same bound and terms).
    void combine(const Communicator& team) { team.sum(sums_); }

private:
    std::int64_t to_fixed(double term) const;
    int exponent_;
    double limit_;  // bound * 2^exponent
    std::vector<std::int64_t> sums_;
};

}  // namespace alinea
