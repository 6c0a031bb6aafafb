#pragma once
// The processes that compute one result together (MPI ranks, or this process alone),
// seen through the few exchanges the applications need. Every operation is exact and
// independent of the order in which ranks contribute, so that a result is the same
// bytes on 1 or N ranks: integer sums (no rounding, associative), maxima, and
// `merge`, a gather in which each byte has one owner and the others give zeros
// (combined by bitwise OR, which leaves the owner's bits untouched, -0.0 and NaN
// included). Every rank must make the same calls in the same order (collectives).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace alinea {

class Communicator {
public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;  // from 0
    virtual int size() const = 0;
    virtual std::string host() const = 0;
    // In place, on every rank: the element-wise sum (or maximum) over the ranks.
    virtual void sum(std::span<std::int64_t> values) const = 0;
    virtual void sum(std::span<std::uint16_t> values) const = 0;  // the caller rules out overflow
    virtual void max(std::span<std::int64_t> values) const = 0;
    // In place, on every rank: the bitwise OR over the ranks.
    virtual void merge(std::span<std::byte> bytes) const = 0;
    // Returns once every rank has called it (e.g. when one rank's files must be
    // complete before another reads them).
    virtual void barrier() const = 0;
};

// This process alone: every exchange is the identity.
const Communicator& single_process();

// Each element of `values` set by the rank that owns it, zero-filled elsewhere.
template <class T>
void merge_values(const Communicator& team, std::span<T> values) {
    team.merge(std::as_writable_bytes(values));
}

}  // namespace alinea
