#include "alinea/template_average.hpp"

#include "alinea/exact_sum.hpp"
#include "alinea/parallel.hpp"
#include "alinea/smooth.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace alinea {

TemplateAverage parse_template_average(const std::string& name) {
    if (name == "mean") return TemplateAverage::mean;
    if (name == "median") return TemplateAverage::median;
    if (name == "normalized-mean") return TemplateAverage::normalized_mean;
    throw Error("unknown template average '" + name + "' (expected mean, median or normalized-mean)");
}

std::string to_string(TemplateAverage average) {
    switch (average) {
        case TemplateAverage::mean: return "mean";
        case TemplateAverage::median: return "median";
        case TemplateAverage::normalized_mean: return "normalized-mean";
    }
    return "?";
}

TemplateSharpening parse_template_sharpening(const std::string& name) {
    if (name == "none") return TemplateSharpening::none;
    if (name == "laplacian") return TemplateSharpening::laplacian;
    if (name == "unsharp") return TemplateSharpening::unsharp;
    throw Error("unknown sharpening '" + name + "' (expected none, laplacian or unsharp)");
}

std::string to_string(TemplateSharpening sharpening) {
    switch (sharpening) {
        case TemplateSharpening::none: return "none";
        case TemplateSharpening::laplacian: return "laplacian";
        case TemplateSharpening::unsharp: return "unsharp";
    }
    return "?";
}

namespace {

// The mean intensity of the foreground (finite voxels above the image's mean): the
// scale that normalises a subject, robust to how much background its field of view has.
template <int D>
double foreground_mean(const ScalarImage<D>& image) {
    double sum = 0;
    Index n = 0;
    for (float v : image.voxels())
        if (std::isfinite(v)) sum += v, ++n;
    if (n == 0) return 0;
    const double mean = sum / static_cast<double>(n);
    double fg = 0;
    Index m = 0;
    for (float v : image.voxels())
        if (std::isfinite(v) && v > mean) fg += v, ++m;
    return m > 0 ? fg / static_cast<double>(m) : mean;
}

}  // namespace

template <int D>
TemplateAverageResult<D> average_subjects(std::span<const AtlasSubject<D>> subjects,
                                          std::span<const SubjectMapping<D>> mappings, const Grid<D>& grid,
                                          TemplateAverage average, const AtlasTeam& team) {
    if (subjects.size() != mappings.size() || subjects.empty())
        throw Error("atlas average: " + std::to_string(subjects.size()) + " subjects, " +
                    std::to_string(mappings.size()) + " maps");
    const Communicator& ranks = team.ranks();
    const Index n = grid.voxel_count();
    const std::size_t count = subjects.size();
    // Every rank needs every subject's scale (the mean of the scales sets the units)
    // and a bound on every term (for the exact sums): the owners find them.
    std::vector<double> scale(count, 0.0), largest(count, 0.0);
    for (std::size_t s = 0; s < count; ++s) {
        if (!team.owns(s)) continue;
        scale[s] = average == TemplateAverage::normalized_mean ? foreground_mean(subjects[s].image) : 1.0;
        if (!(scale[s] > 0))
            throw Error("atlas: subject " + subjects[s].name + " has no positive foreground to normalise");
        for (float v : subjects[s].image.voxels())
            if (std::isfinite(v)) largest[s] = std::max(largest[s], double(std::abs(v)));
    }
    merge_values(ranks, std::span(scale));
    merge_values(ranks, std::span(largest));
    double mean_scale = 0, bound = 0;
    for (std::size_t s = 0; s < count; ++s) mean_scale += scale[s] / static_cast<double>(count);
    for (std::size_t s = 0; s < count; ++s) bound = std::max(bound, largest[s] * mean_scale / scale[s]);

    // Exact sums, so that the average does not depend on who added what, or in which order.
    ExactSums sum(static_cast<std::size_t>(n), bound, count), squares(static_cast<std::size_t>(n), bound * bound, count);
    std::vector<std::int64_t> covered(static_cast<size_t>(n), 0);
    std::vector<ScalarImage<D>> all;  // the median only: every subject's warped image
    if (average == TemplateAverage::median) all.assign(count, ScalarImage<D>(grid, 0.0f));
    for (std::size_t s = 0; s < count; ++s) {
        if (!team.owns(s)) continue;
        ScalarImage<D> w = warp_subject(subjects[s].image, grid, mappings[s]);
        const double f = mean_scale / scale[s];
        parallel_for(n, [&](Index i) {
            if (!std::isfinite(w[i])) return;
            const double v = f * w[i];
            sum.add(i, v), squares.add(i, v * v), ++covered[i];
        });
        if (average == TemplateAverage::median) all[s] = std::move(w);
    }
    sum.combine(ranks);
    squares.combine(ranks);
    ranks.sum(covered);
    TemplateAverageResult<D> out{ScalarImage<D>(grid), ScalarImage<D>(grid)};
    parallel_for(n, [&](Index i) {
        if (covered[i] == 0) return;
        const double m = sum[i] / covered[i];
        out.average[i] = static_cast<float>(m);
        out.sd[i] = static_cast<float>(std::sqrt(std::max(0.0, squares[i] / covered[i] - m * m)));
    });
    if (average == TemplateAverage::median) {
        for (ScalarImage<D>& w : all) merge_values(ranks, std::span(w.voxels()));
        for_each_row(grid, [&](Index offset, const VecD<D>&) {
            std::vector<float> v;
            v.reserve(all.size());
            for (Index i = offset; i < offset + grid.size(0); ++i) {
                v.clear();
                for (const ScalarImage<D>& w : all)
                    if (std::isfinite(w[i])) v.push_back(w[i]);
                if (v.empty()) continue;
                std::sort(v.begin(), v.end());
                const std::size_t k = v.size();
                out.average[i] = k % 2 ? v[k / 2] : 0.5f * (v[k / 2 - 1] + v[k / 2]);
            }
        });
    }
    return out;
}

template <int D>
ScalarImage<D> sharpen(const ScalarImage<D>& image, TemplateSharpening sharpening) {
    if (sharpening == TemplateSharpening::none) return image;
    float lo = std::numeric_limits<float>::max(), hi = std::numeric_limits<float>::lowest();
    for (float v : image.voxels()) lo = std::min(lo, v), hi = std::max(hi, v);
    ScalarImage<D> out(image.grid());
    const Grid<D>& g = image.grid();
    if (sharpening == TemplateSharpening::unsharp) {
        ScalarImage<D> blurred = image;
        gaussian_smooth(blurred, VecD<D>(VecD<D>::Ones()));
        parallel_for(image.voxel_count(), [&](Index i) {
            out[i] = std::clamp(image[i] + 0.5f * (image[i] - blurred[i]), lo, hi);
        });
        return out;
    }
    // Laplacian in voxel units, the border mirrored (a constant image stays constant).
    for_each_row(g, [&](Index offset, VecD<D> index) {
        Size<D> at;
        for (int a = 0; a < D; ++a) at[a] = static_cast<Index>(index[a]);
        for (Index x = 0; x < g.size(0); ++x) {
            at[0] = x;
            const float c = image[offset + x];
            float laplacian = 0;
            for (int a = 0; a < D; ++a) {
                Size<D> lo_at = at, hi_at = at;
                lo_at[a] = std::max<Index>(0, at[a] - 1);
                hi_at[a] = std::min<Index>(g.size(a) - 1, at[a] + 1);
                laplacian += image.at(lo_at) + image.at(hi_at) - 2 * c;
            }
            out[offset + x] = std::clamp(c - 0.25f * laplacian, lo, hi);
        }
    });
    return out;
}

template TemplateAverageResult<2> average_subjects<2>(std::span<const AtlasSubject<2>>, std::span<const SubjectMapping<2>>,
                                                   const Grid<2>&, TemplateAverage, const AtlasTeam&);
template TemplateAverageResult<3> average_subjects<3>(std::span<const AtlasSubject<3>>, std::span<const SubjectMapping<3>>,
                                                   const Grid<3>&, TemplateAverage, const AtlasTeam&);
template ScalarImage<2> sharpen<2>(const ScalarImage<2>&, TemplateSharpening);
template ScalarImage<3> sharpen<3>(const ScalarImage<3>&, TemplateSharpening);

}  // namespace alinea
