#include "alinea/label_fusion.hpp"

#include "alinea/box_filter.hpp"
#include "alinea/error.hpp"
#include "alinea/parallel.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace alinea {

FusionMethod parse_fusion_method(const std::string& name) {
    if (name == "majority") return FusionMethod::majority;
    if (name == "weighted") return FusionMethod::weighted;
    if (name == "jlf" || name == "joint") return FusionMethod::joint;
    throw Error("unknown fusion method '" + name + "' (expected majority, weighted or jlf)");
}

std::string to_string(FusionMethod method) {
    switch (method) {
        case FusionMethod::majority: return "majority";
        case FusionMethod::weighted: return "weighted";
        case FusionMethod::joint: return "jlf";
    }
    return "?";
}

void LabelFusionOptions::validate() const {
    if (patch_radius < 0 || patch_radius > 10) throw Error("label fusion: the patch radius must be 0 to 10 voxels");
    if (search_radius < -1 || search_radius > 10)
        throw Error("label fusion: the search radius must be 0 to 10 voxels (or -1: about 3 mm)");
    if (!(alpha > 0) || !std::isfinite(alpha)) throw Error("label fusion: alpha must be > 0");
    if (!(beta > 0) || !std::isfinite(beta)) throw Error("label fusion: beta must be > 0");
    if (!(consensus > 0 && consensus <= 1)) throw Error("label fusion: the consensus fraction must be in (0, 1]");
}

int LabelFusionOptions::search_voxels(double finest_spacing_mm) const {
    if (search_radius >= 0) return search_radius;
    return std::max(1, static_cast<int>(std::lround(3.0 / finest_spacing_mm)));
}

template <int D>
ScalarImage<D> FusedLabels<D>::posterior(std::size_t index) const {
    ScalarImage<D> out(labels.grid());
    parallel_for(out.voxel_count(), [&](Index v) {
        for (int s = 0; s < slots; ++s)
            if (slot_label[v * slots + s] == index) out[v] += slot_probability[v * slots + s];
    });
    return out;
}

namespace {

using LabelIndex = std::uint16_t;

// Sorted label values of all atlases, with 0 (the background outside the mask).
template <int D>
std::vector<int> collect_labels(std::span<const ScalarImage<D>> atlas_labels) {
    std::vector<char> seen;
    for (std::size_t a = 0; a < atlas_labels.size(); ++a)
        for (const float v : atlas_labels[a].voxels()) {
            if (!std::isfinite(v) || v < 0 || v > 1e7)
                throw Error("label fusion: atlas " + std::to_string(a + 1) + "'s labels are not integers >= 0");
            const auto label = static_cast<std::size_t>(std::lround(v));
            if (label >= seen.size()) seen.resize(label + 1, 0);
            seen[label] = 1;
        }
    std::vector<int> labels{0};
    for (std::size_t l = 1; l < seen.size(); ++l)
        if (seen[l]) labels.push_back(static_cast<int>(l));
    if (labels.size() > std::numeric_limits<LabelIndex>::max())
        throw Error("label fusion: more than 65535 distinct labels");
    return labels;
}

// Votes at one voxel: total weight per label; the winner has the largest total, ties
// going to the smaller label (indices are in label order). Negative weights (joint
// fusion may give them) count in the totals; probabilities are the totals clipped at
// 0 and renormalised, which keeps the winner.
class Ballot {
public:
    explicit Ballot(int capacity) { votes_.reserve(static_cast<std::size_t>(capacity)); }
    void clear() { votes_.clear(); }
    void add(LabelIndex label, double weight) {
        for (auto& [l, w] : votes_)
            if (l == label) { w += weight; return; }
        votes_.emplace_back(label, weight);
    }
    // Writes the slots of one voxel; returns the winner.
    LabelIndex finish(LabelIndex* slot_label, float* slot_probability, int slots) const {
        LabelIndex winner = votes_.front().first;
        double best = -std::numeric_limits<double>::infinity(), positive = 0;
        for (const auto& [l, w] : votes_) {
            if (w > best || (w == best && l < winner)) { best = w; winner = l; }
            positive += std::max(w, 0.0);
        }
        for (int s = 0; s < slots; ++s) {
            const bool used = s < static_cast<int>(votes_.size());
            slot_label[s] = used ? votes_[s].first : LabelIndex{0};
            slot_probability[s] = used && positive > 0 ? static_cast<float>(std::max(votes_[s].second, 0.0) / positive) : 0.0f;
        }
        if (positive <= 0) slot_probability[0] = 1.0f, slot_label[0] = winner;
        return winner;
    }

private:
    std::vector<std::pair<LabelIndex, double>> votes_;
};

// A box of the target's voxels: where the fusion works (the voxels to fuse, grown by
// the reach of patches and searches), so that the box filters skip the rest.
template <int D>
struct Crop {
    Size<D> lo{}, size{};
    Grid<D> grid() const { return Grid<D>(size, MatD<D>::Identity(), VecD<D>::Zero()); }
    // Offset in the full image of the crop voxel at idx.
    Index full_offset(const Grid<D>& full, Size<D> idx) const {
        for (int a = 0; a < D; ++a) idx[a] += lo[a];
        return full.offset(idx);
    }
};

template <class T, int D>
std::vector<T> crop_values(const T* full, const Grid<D>& grid, const Crop<D>& crop) {
    const Grid<D> g = crop.grid();
    std::vector<T> out(static_cast<std::size_t>(g.voxel_count()));
    parallel_for(g.voxel_count(), [&](Index v) { out[v] = full[crop.full_offset(grid, g.index_of(v))]; });
    return out;
}

// Each voxel minus the mean over its patch, over the patch's standard deviation
// (floored, so that flat background does not turn noise into contrast).
template <int D>
ScalarImage<D> local_zscore(const ScalarImage<D>& image, int radius) {
    ScalarImage<D> square = image;
    double sum = 0, sum2 = 0;
    for (float& v : square.voxels()) sum += v, sum2 += double(v) * v, v = v * v;
    const double n = static_cast<double>(image.voxel_count());
    const float floor = static_cast<float>(0.05 * std::sqrt(std::max(sum2 / n - (sum / n) * (sum / n), 0.0))) + 1e-12f;
    const ScalarImage<D> mean = box_mean(image, radius), mean2 = box_mean(square, radius);
    ScalarImage<D> z(image.grid());
    parallel_for(z.voxel_count(), [&](Index v) {
        const float sd = std::sqrt(std::max(mean2[v] - mean[v] * mean[v], 0.0f));
        z[v] = (image[v] - mean[v]) / std::max(sd, floor);
    });
    return z;
}

// Search offsets, nearest first (ties in a fixed order), so that among equally good
// matches the nearest wins.
template <int D>
std::vector<Size<D>> search_offsets(int radius) {
    std::vector<Size<D>> offsets;
    Size<D> s;
    s.fill(-radius);
    while (true) {
        offsets.push_back(s);
        int a = 0;
        while (a < D && ++s[a] > radius) s[a++] = -radius;
        if (a == D) break;
    }
    auto norm = [](const Size<D>& o) { Index n = 0; for (Index c : o) n += c * c; return n; };
    std::stable_sort(offsets.begin(), offsets.end(), [&](const auto& a, const auto& b) { return norm(a) < norm(b); });
    return offsets;
}

// Calls f(v, w) for every voxel v of g, w the voxel at v + shift clamped to the grid;
// rows in parallel.
template <int D, class F>
void for_each_shifted(const Grid<D>& g, const std::type_identity_t<Size<D>>& shift, F&& f) {
    const Index nx = g.size(0), ny = g.size(1), rows = g.voxel_count() / nx;
    const auto clamp = [](Index i, Index n) { return i < 0 ? Index{0} : i >= n ? n - 1 : i; };
    parallel_for(rows, [&](Index row) {
        Index from = clamp(row % ny + shift[1], ny);
        if constexpr (D == 3) from += clamp(row / ny + shift[2], g.size(2)) * ny;
        for (Index x = 0; x < nx; ++x) f(row * nx + x, from * nx + clamp(x + shift[0], nx));
    });
}

template <int D>
struct FusionInputs {
    const ScalarImage<D>& target;
    std::span<const ScalarImage<D>> images;
    std::vector<std::vector<LabelIndex>> labels;  // per atlas, on the full grid
    const LabelFusionOptions& options;
};

// Per voxel to fuse (given by its crop offset), the weight of every atlas and the
// label it votes, written through vote(k, atlas, label, weight).
template <int D, class Vote>
void weighted_votes(const FusionInputs<D>& in, const Crop<D>& crop, const std::vector<Index>& region, Vote&& vote) {
    const int r = in.options.patch_radius;
    const Grid<D> g = crop.grid();
    const ScalarImage<D> zt = local_zscore(ScalarImage<D>(g, crop_values(in.target.data(), in.target.grid(), crop)), r);
    const std::size_t n = in.images.size();
    std::vector<float> distance(region.size() * n);
    for (std::size_t a = 0; a < n; ++a) {
        const ScalarImage<D> za = local_zscore(ScalarImage<D>(g, crop_values(in.images[a].data(), in.target.grid(), crop)), r);
        ScalarImage<D> d(g);
        parallel_for(d.voxel_count(), [&](Index v) { d[v] = (zt[v] - za[v]) * (zt[v] - za[v]); });
        d = box_mean(std::move(d), r);
        parallel_for(static_cast<Index>(region.size()), [&](Index k) { distance[k * n + a] = d[region[k]]; });
    }
    parallel_for(static_cast<Index>(region.size()), [&](Index k) {
        const float* d = &distance[k * n];
        const double h = *std::min_element(d, d + n) + 1e-3;
        const Index full = crop.full_offset(in.target.grid(), g.index_of(region[k]));
        for (std::size_t a = 0; a < n; ++a) vote(k, a, in.labels[a][full], std::exp(-d[a] / h));
    });
}

template <int D, class Vote>
void joint_votes(const FusionInputs<D>& in, const Crop<D>& crop, const std::vector<Index>& region, Vote&& vote) {
    const LabelFusionOptions& o = in.options;
    const Grid<D> g = crop.grid();
    const Index voxels = g.voxel_count();
    const ScalarImage<D> zt = local_zscore(ScalarImage<D>(g, crop_values(in.target.data(), in.target.grid(), crop)), o.patch_radius);
    const std::vector<Size<D>> offsets = search_offsets<D>(o.search_radius);
    const std::size_t n = in.images.size();
    // Per atlas: its normalised intensities and labels at each voxel's best match, and
    // the absolute difference from the target there.
    std::vector<ScalarImage<D>> error(n, ScalarImage<D>(g));
    std::vector<std::vector<LabelIndex>> matched(n, std::vector<LabelIndex>(static_cast<std::size_t>(voxels)));
    for (std::size_t a = 0; a < n; ++a) {
        const ScalarImage<D> za =
            local_zscore(ScalarImage<D>(g, crop_values(in.images[a].data(), in.target.grid(), crop)), o.patch_radius);
        const std::vector<LabelIndex> labels = crop_values(in.labels[a].data(), in.target.grid(), crop);
        ScalarImage<D> best(g, std::numeric_limits<float>::infinity());
        std::vector<std::uint16_t> best_offset(static_cast<std::size_t>(voxels), 0);
        for (std::size_t s = 0; s < offsets.size(); ++s) {
            ScalarImage<D> d(g);
            for_each_shifted(g, offsets[s], [&](Index v, Index w) { d[v] = (zt[v] - za[w]) * (zt[v] - za[w]); });
            const ScalarImage<D> patch = box_sum(std::move(d), o.patch_radius);
            parallel_for(voxels, [&](Index v) {
                if (patch[v] < best[v]) best[v] = patch[v], best_offset[v] = static_cast<std::uint16_t>(s);
            });
        }
        // Each voxel's best offset: visit every offset's voxels again (cheap next to the search).
        for (std::size_t s = 0; s < offsets.size(); ++s)
            for_each_shifted(g, offsets[s], [&](Index v, Index w) {
                if (best_offset[v] != s) return;
                error[a][v] = std::abs(zt[v] - za[w]);
                matched[a][v] = labels[w];
            });
    }
    // The joint errors: the patch mean of |d_i| |d_j| for every pair, at the voxels to fuse.
    const std::size_t pairs = n * (n + 1) / 2;
    std::vector<float> joint(region.size() * pairs);
    std::size_t p = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i; j < n; ++j, ++p) {
            ScalarImage<D> product(g);
            parallel_for(voxels, [&](Index v) { product[v] = error[i][v] * error[j][v]; });
            product = box_mean(std::move(product), o.patch_radius);
            parallel_for(static_cast<Index>(region.size()), [&](Index k) { joint[k * pairs + p] = product[region[k]]; });
        }
    parallel_for(static_cast<Index>(region.size()), [&](Index k) {
        Eigen::MatrixXd m(n, n);
        std::size_t q = 0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = i; j < n; ++j, ++q) m(i, j) = m(j, i) = std::pow(double(joint[k * pairs + q]), o.beta);
        m.diagonal().array() += o.alpha;
        Eigen::VectorXd w = m.ldlt().solve(Eigen::VectorXd::Ones(static_cast<Index>(n)));
        w /= w.sum();
        for (std::size_t a = 0; a < n; ++a) vote(k, a, matched[a][region[k]], w[static_cast<Index>(a)]);
    });
}

}  // namespace

template <int D>
FusedLabels<D> fuse_labels(const ScalarImage<D>& target, std::span<const ScalarImage<D>> atlas_images,
                           std::span<const ScalarImage<D>> atlas_labels, const LabelFusionOptions& options,
                           const ScalarImage<D>* target_mask) {
    options.validate();
    const std::size_t n = atlas_labels.size();
    if (n == 0) throw Error("label fusion: no atlas");
    const Grid<D>& grid = target.grid();
    for (std::size_t a = 0; a < n; ++a)
        if (!atlas_labels[a].grid().same_as(grid))
            throw Error("label fusion: atlas " + std::to_string(a + 1) + "'s labels are not on the target's grid");
    if (target_mask && !target_mask->grid().same_as(grid)) throw Error("label fusion: the mask is not on the target's grid");
    const bool intensities = options.method != FusionMethod::majority;
    if (intensities) {
        if (atlas_images.size() != n) throw Error("label fusion: weighted and joint fusion need every atlas's image");
        for (std::size_t a = 0; a < n; ++a)
            if (!atlas_images[a].grid().same_as(grid))
                throw Error("label fusion: atlas " + std::to_string(a + 1) + "'s image is not on the target's grid");
    }

    FusedLabels<D> out;
    LabelFusionOptions resolved = options;
    resolved.search_radius = options.method == FusionMethod::joint ? options.search_voxels(grid.spacing().minCoeff()) : 0;
    out.search_radius = resolved.search_radius;
    out.label_values = collect_labels(atlas_labels);
    std::vector<int> index_of(static_cast<std::size_t>(out.label_values.back()) + 1, 0);
    for (std::size_t i = 0; i < out.label_values.size(); ++i) index_of[out.label_values[i]] = static_cast<int>(i);
    FusionInputs<D> in{target, atlas_images, {}, resolved};
    for (const ScalarImage<D>& labels : atlas_labels) {
        std::vector<LabelIndex>& l = in.labels.emplace_back(static_cast<std::size_t>(labels.voxel_count()));
        parallel_for(labels.voxel_count(), [&](Index v) { l[v] = static_cast<LabelIndex>(index_of[std::lround(labels[v])]); });
    }

    const Index voxels = grid.voxel_count();
    out.slots = static_cast<int>(n);
    out.slot_label.assign(static_cast<std::size_t>(voxels * n), 0);
    out.slot_probability.assign(static_cast<std::size_t>(voxels * n), 0.0f);
    std::vector<LabelIndex> winner(static_cast<std::size_t>(voxels), 0);
    std::vector<char> to_fuse(static_cast<std::size_t>(voxels), 0);
    // Majority votes everywhere; where they are not unanimous enough, mark for fusion.
    const auto needed = static_cast<std::size_t>(std::ceil(options.consensus * static_cast<double>(n) - 1e-9));
    const int slots = out.slots;
    parallel_for(voxels, [&](Index v) {
        Ballot ballot(slots);
        if (target_mask && !((*target_mask)[v] > 0.5f)) {
            out.slot_probability[v * slots] = 1.0f;  // background, label index 0
            return;
        }
        for (std::size_t a = 0; a < n; ++a) ballot.add(in.labels[a][v], 1.0 / static_cast<double>(n));
        winner[v] = ballot.finish(&out.slot_label[v * slots], &out.slot_probability[v * slots], slots);
        std::size_t agree = 0;
        for (std::size_t a = 0; a < n; ++a) agree += in.labels[a][v] == winner[v];
        to_fuse[v] = intensities && agree < needed;
    });

    if (intensities) {
        // The voxels to fuse, and the box around them grown by the patch and search reach.
        Size<D> lo, hi;
        lo.fill(std::numeric_limits<Index>::max());
        hi.fill(-1);
        for (Index v = 0; v < voxels; ++v)
            if (to_fuse[v]) {
                const Size<D> idx = grid.index_of(v);
                for (int a = 0; a < D; ++a) lo[a] = std::min(lo[a], idx[a]), hi[a] = std::max(hi[a], idx[a]);
            }
        if (hi[0] >= 0) {
            const int reach = options.patch_radius + resolved.search_radius;
            Crop<D> crop;
            for (int a = 0; a < D; ++a) {
                crop.lo[a] = std::max<Index>(0, lo[a] - reach);
                crop.size[a] = std::min(grid.size(a) - 1, hi[a] + reach) - crop.lo[a] + 1;
            }
            const Grid<D> g = crop.grid();
            std::vector<Index> region;  // crop offsets of the voxels to fuse, in order
            for (Index c = 0; c < g.voxel_count(); ++c)
                if (to_fuse[crop.full_offset(grid, g.index_of(c))]) region.push_back(c);
            out.fused_voxels = static_cast<Index>(region.size());
            // Votes are gathered per voxel to fuse, then counted in atlas order.
            std::vector<std::pair<LabelIndex, float>> votes(region.size() * n);
            auto vote = [&](Index k, std::size_t atlas, LabelIndex label, double weight) {
                votes[k * n + atlas] = {label, static_cast<float>(weight)};
            };
            if (options.method == FusionMethod::weighted) weighted_votes(in, crop, region, vote);
            else joint_votes(in, crop, region, vote);
            parallel_for(static_cast<Index>(region.size()), [&](Index k) {
                Ballot ballot(slots);
                for (std::size_t a = 0; a < n; ++a) ballot.add(votes[k * n + a].first, votes[k * n + a].second);
                const Index v = crop.full_offset(grid, g.index_of(region[k]));
                winner[v] = ballot.finish(&out.slot_label[v * slots], &out.slot_probability[v * slots], slots);
            });
        }
    }
    out.labels = ScalarImage<D>(grid);
    parallel_for(voxels, [&](Index v) { out.labels[v] = static_cast<float>(out.label_values[winner[v]]); });
    return out;
}

template struct FusedLabels<2>;
template struct FusedLabels<3>;
template FusedLabels<2> fuse_labels<2>(const ScalarImage<2>&, std::span<const ScalarImage<2>>,
                                       std::span<const ScalarImage<2>>, const LabelFusionOptions&, const ScalarImage<2>*);
template FusedLabels<3> fuse_labels<3>(const ScalarImage<3>&, std::span<const ScalarImage<3>>,
                                       std::span<const ScalarImage<3>>, const LabelFusionOptions&, const ScalarImage<3>*);

}  // namespace alinea
