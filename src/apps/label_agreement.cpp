#include "alinea/label_agreement.hpp"

#include "alinea/distance_transform.hpp"
#include "alinea/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <type_traits>

namespace alinea {

namespace {

template <int D>
int label_of(const ScalarImage<D>& image, Index v) {
    return static_cast<int>(std::lround(image[v]));
}

// The voxels of `label` with a face neighbour of another label (or on the image's edge).
template <int D>
bool on_boundary(const ScalarImage<D>& image, const std::type_identity_t<Size<D>>& idx, int label) {
    const Grid<D>& g = image.grid();
    for (int a = 0; a < D; ++a)
        for (const int step : {-1, 1}) {
            Size<D> n = idx;
            n[a] += step;
            if (n[a] < 0 || n[a] >= g.size(a) || label_of(image, g.offset(n)) != label) return true;
        }
    return false;
}

double percentile95(std::vector<float>& values) {
    if (values.empty()) return 0;
    auto it = values.begin() + static_cast<Index>(std::ceil(0.95 * static_cast<double>(values.size())) - 1);
    std::nth_element(values.begin(), it, values.end());
    return *it;
}

// Boundary voxels of one label in both maps, within the box around both, and the
// directed distances from each set to the other.
template <int D>
double hausdorff95(const ScalarImage<D>& a, const ScalarImage<D>& b, int label, std::type_identity_t<Size<D>> lo,
                   std::type_identity_t<Size<D>> hi) {
    const Grid<D>& g = a.grid();
    Size<D> size;
    for (int k = 0; k < D; ++k) size[k] = hi[k] - lo[k] + 1;
    // The box keeps the grid's spacing (distances in mm); its position does not matter.
    const Grid<D> box = Grid<D>::from_spacing(size, g.spacing());
    ScalarImage<D> edge_a(box), edge_b(box);
    for (Index v = 0; v < box.voxel_count(); ++v) {
        Size<D> idx = box.index_of(v);
        for (int k = 0; k < D; ++k) idx[k] += lo[k];
        const Index full = g.offset(idx);
        if (label_of(a, full) == label && on_boundary(a, idx, label)) edge_a[v] = 1;
        if (label_of(b, full) == label && on_boundary(b, idx, label)) edge_b[v] = 1;
    }
    const ScalarImage<D> to_a = distance_transform(edge_a), to_b = distance_transform(edge_b);
    std::vector<float> from_a, from_b;
    for (Index v = 0; v < box.voxel_count(); ++v) {
        if (edge_a[v] > 0) from_a.push_back(to_b[v]);
        if (edge_b[v] > 0) from_b.push_back(to_a[v]);
    }
    return std::max(percentile95(from_a), percentile95(from_b));
}

}  // namespace

template <int D>
LabelComparison compare_labels(const ScalarImage<D>& a, const ScalarImage<D>& b, bool distances) {
    if (a.size() != b.size()) throw Error("label comparison: the label maps differ in size");
    struct Tally {
        Index a = 0, b = 0, both = 0;
        Size<D> lo, hi;
    };
    std::map<int, Tally> tallies;
    const Grid<D>& g = a.grid();
    for (Index v = 0; v < a.voxel_count(); ++v) {
        const int la = label_of(a, v), lb = label_of(b, v);
        for (const int label : {la, lb}) {
            if (label == 0) continue;
            auto [it, fresh] = tallies.try_emplace(label);
            const Size<D> idx = g.index_of(v);
            if (fresh) it->second.lo = it->second.hi = idx;
            for (int k = 0; k < D; ++k)
                it->second.lo[k] = std::min(it->second.lo[k], idx[k]), it->second.hi[k] = std::max(it->second.hi[k], idx[k]);
            if (la == lb) break;
        }
        if (la != 0) ++tallies[la].a;
        if (lb != 0) ++tallies[lb].b;
        if (la != 0 && la == lb) ++tallies[la].both;
    }
    LabelComparison out;
    Index with_distance = 0;
    for (const auto& [label, t] : tallies) {
        LabelAgreement s{label, t.a, t.b, t.both};
        s.dice = 2.0 * static_cast<double>(t.both) / static_cast<double>(t.a + t.b);
        s.jaccard = static_cast<double>(t.both) / static_cast<double>(t.a + t.b - t.both);
        if (distances) {
            if (t.a == 0 || t.b == 0) {
                s.hausdorff95 = std::numeric_limits<double>::quiet_NaN();
            } else {
                s.hausdorff95 = hausdorff95(a, b, label, t.lo, t.hi);
                out.mean_hausdorff95 += s.hausdorff95;
                ++with_distance;
            }
        }
        out.mean_dice += s.dice;
        out.mean_jaccard += s.jaccard;
        out.labels.push_back(s);
    }
    if (!out.labels.empty()) {
        out.mean_dice /= static_cast<double>(out.labels.size());
        out.mean_jaccard /= static_cast<double>(out.labels.size());
    }
    if (with_distance > 0) out.mean_hausdorff95 /= static_cast<double>(with_distance);
    return out;
}

template LabelComparison compare_labels<2>(const ScalarImage<2>&, const ScalarImage<2>&, bool);
template LabelComparison compare_labels<3>(const ScalarImage<3>&, const ScalarImage<3>&, bool);

}  // namespace alinea
