#include "alinea/atlas_team.hpp"

#include "alinea/error.hpp"

#include <algorithm>
#include <bit>
#include <numeric>

namespace alinea {

std::vector<int> balanced_assignment(std::span<const double> costs, int ranks) {
    if (ranks < 1) throw Error("balanced assignment: " + std::to_string(ranks) + " ranks");
    std::vector<std::size_t> order(costs.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
    std::vector<double> load(static_cast<std::size_t>(ranks), 0.0);
    std::vector<int> owner(costs.size(), 0);
    for (const std::size_t task : order) {
        const auto least = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
        owner[task] = static_cast<int>(least);
        load[least] += costs[task];
    }
    return owner;
}

double max_over_ranks(const Communicator& team, double value) {
    std::int64_t bits = std::bit_cast<std::int64_t>(std::max(0.0, value));
    team.max(std::span(&bits, 1));
    return std::bit_cast<double>(bits);
}

std::vector<int> label_union(std::span<const int> labels, const Communicator& team) {
    std::int64_t largest = -1;
    for (const int l : labels) {
        if (l < 0) throw Error("label union: a negative label (" + std::to_string(l) + ")");
        largest = std::max<std::int64_t>(largest, l);
    }
    team.max(std::span(&largest, 1));
    std::vector<std::uint8_t> present(static_cast<std::size_t>(largest + 1), 0);
    for (const int l : labels) present[static_cast<std::size_t>(l)] = 1;
    merge_values(team, std::span(present));  // several ranks may mark a label: 1 | 1 = 1
    std::vector<int> out;
    for (std::size_t l = 0; l < present.size(); ++l)
        if (present[l]) out.push_back(static_cast<int>(l));
    return out;
}

}  // namespace alinea
