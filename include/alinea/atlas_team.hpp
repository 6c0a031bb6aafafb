#pragma once
// The processes that build one atlas (MPI ranks, or this process alone) and which
// subjects each registers. Each rank holds the images of its own subjects only; the
// steps that need the whole population (the shape update, the average, the
// probability and variability maps) combine the ranks' parts exactly
// (communicator.hpp, exact_sum.hpp), so that 1 or N ranks give the same bytes.
#include "alinea/communicator.hpp"

#include <span>
#include <vector>

namespace alinea {

struct AtlasTeam {
    const Communicator* communicator = &single_process();
    std::vector<int> owner;  // per subject, the rank that registers it (empty: this process, every subject)

    const Communicator& ranks() const { return *communicator; }
    bool owns(std::size_t subject) const { return owner.empty() || owner[subject] == communicator->rank(); }
};

// A static assignment of tasks to ranks that keeps the ranks equally busy: the most
// costly first, each to the rank with the least cost so far (ties: the lower rank,
// then the earlier task), Graham's LPT rule, within 4/3 of the best makespan. Every
// rank computes the same assignment from the same costs.
std::vector<int> balanced_assignment(std::span<const double> costs, int ranks);

// The largest of a non-negative number over the ranks (exact: the bit patterns of
// non-negative doubles are ordered as the numbers).
double max_over_ranks(const Communicator& team, double value);

// The union of the ranks' sets of labels (non-negative integers), sorted.
std::vector<int> label_union(std::span<const int> labels, const Communicator& team);

}  // namespace alinea
