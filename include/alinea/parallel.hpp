#pragma once
// Multithreading with OpenMP, deterministic by construction: work is split into
// chunks whose boundaries do not depend on the thread count, and reductions add the
// per-chunk partial results in chunk order. Results are therefore identical for 1 and
// N threads.
#include "alinea/error.hpp"
#include "alinea/grid.hpp"

#include <algorithm>
#include <omp.h>
#include <string>
#include <vector>

namespace alinea {

// Calls fn(i) for i in [0, n). Chunks of about a 32nd of each thread's share are
// handed out as threads free up: rows differ in cost (a brain's rows against the
// background's), and one thread left with the dearer half would idle the other. Each
// i is computed alone, so the results do not depend on which thread takes it.
template <class F>
void parallel_for(Index n, F&& fn) {
    const Index grain = std::max<Index>(1, n / (32 * static_cast<Index>(omp_get_max_threads())));
#pragma omp parallel for schedule(dynamic, grain)
    for (Index i = 0; i < n; ++i) fn(i);
}

// Sum of fn(begin, end) over fixed chunks of [0, n); `zero` is the additive identity.
template <class T, class F>
T parallel_sum(Index n, Index chunk, const T& zero, F&& fn) {
    const Index chunks = (n + chunk - 1) / chunk;
    std::vector<T> partial(static_cast<size_t>(chunks), zero);
#pragma omp parallel for schedule(static)
    for (Index c = 0; c < chunks; ++c) partial[c] = fn(c * chunk, std::min(n, (c + 1) * chunk));
    T total = zero;
    for (const T& p : partial) total += p;
    return total;
}

// Calls fn(offset, row_index) for each row (x line) of a grid, rows in parallel:
// offset is the buffer offset of the row's first voxel and row_index its voxel index
// (with x = 0).
template <int D, class F>
void for_each_row(const Grid<D>& grid, F&& fn) {
    const Index rows = grid.voxel_count() / std::max<Index>(grid.size(0), 1);
    parallel_for(rows, [&](Index row) {
        VecD<D> start = VecD<D>::Zero();
        start[1] = static_cast<double>(row % grid.size(1));
        if constexpr (D == 3) start[2] = static_cast<double>(row / grid.size(1));
        fn(row * grid.size(0), start);
    });
}

// Sets the number of threads used from now on (0: OpenMP's default).
// 0: all cores; else 1 .. 4 x the cores (more only adds overhead, and a huge count
// makes the OpenMP runtime fail). Throws alinea::Error outside that range.
inline void set_thread_count(int threads) {
    const int most = 4 * std::max(1, omp_get_num_procs());
    if (threads < 0 || threads > most)
        throw Error("--threads: expected 0 (all cores) or 1 to " + std::to_string(most) + ", got " +
                    std::to_string(threads));
    if (threads > 0) omp_set_num_threads(threads);
}

}  // namespace alinea
