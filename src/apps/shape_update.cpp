#include "alinea/shape_update.hpp"

#include "alinea/affine_mean.hpp"
#include "alinea/displacement.hpp"
#include "alinea/exact_sum.hpp"
#include "alinea/atlas_team.hpp"
#include "alinea/parallel.hpp"

#include <algorithm>
#include <cmath>

namespace alinea {

namespace {

// y + u(y), u extended beyond its grid by its border values (as displacement.hpp's
// compositions do: a field that is not zero at the border would otherwise make the
// composed maps jump there). Samples without copying the field.
template <int D>
VecD<D> displaced(const VectorField<D>& u, const VecD<D>& y) {
    VecD<D> ci = u.grid().continuous_index(y);
    for (int a = 0; a < D; ++a) ci[a] = std::clamp(ci[a], 0.0, static_cast<double>(u.grid().size(a) - 1));
    Vec<D> d = Vec<D>::Zero();
    sample_linear(u, ci, d);
    return y + d.template cast<double>();
}

}  // namespace

template <int D>
VecD<D> ShapeUpdate<D>::operator()(const VecD<D>& x) const {
    const VecD<D> y = mean_affine.inverse()(x);
    return inverse_warp.empty() ? y : displaced(inverse_warp, y);
}

template <int D>
ShapeUpdate<D> shape_update(std::span<const Affine<D>> affines, std::span<const VectorField<D>> velocities,
                            const Grid<D>& template_grid, bool rigid_update, const Communicator& team) {
    ShapeUpdate<D> out;
    out.mean_affine = log_mean(affines);
    if (!rigid_update) out.mean_affine = without_rigid(out.mean_affine, template_grid.center());
    std::int64_t fields = static_cast<std::int64_t>(velocities.size());
    team.sum(std::span(&fields, 1));
    if (fields == 0) return out;
    // The mean velocity, summed exactly (exact_sum.hpp) so that it does not depend on
    // which rank holds which field.
    double largest = 0;
    for (const VectorField<D>& v : velocities) {
        if (!v.grid().same_as(template_grid)) throw Error("shape update: a velocity field is not on the template grid");
        for (Index i = 0; i < v.voxel_count(); ++i)
            for (int a = 0; a < D; ++a)
                if (std::isfinite(v[i][a])) largest = std::max(largest, double(std::abs(v[i][a])));
    }
    const Index n = template_grid.voxel_count();
    ExactSums sums(static_cast<std::size_t>(n) * D, max_over_ranks(team, largest), static_cast<std::size_t>(fields));
    for (const VectorField<D>& v : velocities)
        parallel_for(n, [&](Index i) {
            for (int a = 0; a < D; ++a) sums.add(static_cast<std::size_t>(i) * D + a, v[i][a]);
        });
    sums.combine(team);
    VectorField<D> mean(template_grid);
    const double scale = -1.0 / static_cast<double>(fields);
    parallel_for(n, [&](Index i) {
        for (int a = 0; a < D; ++a) mean[i][a] = static_cast<float>(scale * sums[static_cast<std::size_t>(i) * D + a]);
    });
    out.inverse_warp = exponential(mean);
    return out;
}

template <int D>
SubjectMapping<D> updated_mapping(const SubjectMapping<D>& mapping, const ShapeUpdate<D>& update) {
    SubjectMapping<D> out;
    const Affine<D>& mean = update.mean_affine;
    out.affine = mapping.affine.after(mean.inverse());
    if (mapping.warp.empty() && update.inverse_warp.empty()) return out;
    const Grid<D>& grid = mapping.warp.empty() ? update.inverse_warp.grid() : mapping.warp.grid();
    out.warp = VectorField<D>(grid);
    for_each_row(grid, [&](Index offset, VecD<D> index) {
        for (Index x = 0; x < grid.size(0); ++x) {
            index[0] = static_cast<double>(x);
            const VecD<D> p = grid.physical(index);
            const VecD<D> w = update(p);
            const VecD<D> q = mapping.warp.empty() ? w : displaced(mapping.warp, w);
            out.warp[offset + x] = (mean(q) - p).template cast<float>();
        }
    });
    return out;
}

template struct ShapeUpdate<2>;
template struct ShapeUpdate<3>;
template ShapeUpdate<2> shape_update<2>(std::span<const Affine<2>>, std::span<const VectorField<2>>, const Grid<2>&, bool,
                                        const Communicator&);
template ShapeUpdate<3> shape_update<3>(std::span<const Affine<3>>, std::span<const VectorField<3>>, const Grid<3>&, bool,
                                        const Communicator&);
template SubjectMapping<2> updated_mapping<2>(const SubjectMapping<2>&, const ShapeUpdate<2>&);
template SubjectMapping<3> updated_mapping<3>(const SubjectMapping<3>&, const ShapeUpdate<3>&);

}  // namespace alinea
