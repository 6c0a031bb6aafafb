#include "alinea/jacobian_summary.hpp"

#include "alinea/interpolate.hpp"
#include "alinea/parallel.hpp"

#include <algorithm>
#include <vector>

namespace alinea {

JacobianSummary& JacobianSummary::operator+=(const JacobianSummary& other) {
    if (other.points == 0) return *this;
    min = points ? std::min(min, other.min) : other.min;
    max = points ? std::max(max, other.max) : other.max;
    points += other.points;
    folded += other.folded;
    folded_fraction = static_cast<double>(folded) / static_cast<double>(points);
    return *this;
}

template <int D>
JacobianSummary jacobian_summary(const ScalarImage<D>& det, const ScalarImage<D>* mask) {
    const Grid<D>& g = det.grid();
    const bool same_grid = mask && mask->grid().same_as(g);
    // Per-row partial results, pooled in row order: the same answer for any thread count.
    std::vector<JacobianSummary> rows(static_cast<size_t>(g.voxel_count() / std::max<Index>(g.size(0), 1)));
    for_each_row(g, [&](Index offset, VecD<D> index) {
        JacobianSummary& r = rows[static_cast<size_t>(offset / g.size(0))];
        for (Index x = 0; x < g.size(0); ++x) {
            if (mask) {
                float m = 0;
                if (same_grid) {
                    m = (*mask)[offset + x];
                } else {
                    index[0] = static_cast<double>(x);
                    sample_nearest(*mask, mask->grid().continuous_index(g.physical(index)), m);
                }
                if (!(m > 0.5f)) continue;
            }
            const double d = det[offset + x];
            r.min = r.points ? std::min(r.min, d) : d;
            r.max = r.points ? std::max(r.max, d) : d;
            ++r.points;
            r.folded += !(d > 0);
        }
    });
    JacobianSummary total;
    for (const JacobianSummary& r : rows) total += r;
    return total;
}

template JacobianSummary jacobian_summary<2>(const ScalarImage<2>&, const ScalarImage<2>*);
template JacobianSummary jacobian_summary<3>(const ScalarImage<3>&, const ScalarImage<3>*);

}  // namespace alinea
