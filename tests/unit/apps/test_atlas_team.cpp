// An atlas shared among ranks gives the same bytes as one process: the exact sums, the
// assignment of subjects to ranks, and a whole 2-D atlas (two iterations, probability
// and variability maps) built by three ranks that are threads of this test, exchanging
// through an in-memory communicator, against the same atlas built by one process.
// (The MPI communicator itself is tested from the command line: tests/cli/atlas_mpi.sh.)
#include "alinea/atlas.hpp"
#include "alinea/atlas_team.hpp"
#include "alinea/exact_sum.hpp"
#include "alinea/png.hpp"
#include "alinea/probability_atlas.hpp"
#include "alinea/simulate.hpp"
#include "alinea/variability.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

using namespace alinea;

TEST(ExactSums, TheSameBytesInAnyOrderAndCloseToTheTrueSum) {
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(-50, 50);
    std::vector<double> terms(1000);
    for (double& t : terms) t = u(rng) * std::pow(10.0, static_cast<int>(rng() % 7) - 3);
    const double bound = *std::max_element(terms.begin(), terms.end(), [](double a, double b) { return std::abs(a) < std::abs(b); });
    ExactSums forward(1, std::abs(bound), terms.size()), shuffled(1, std::abs(bound), terms.size());
    for (double t : terms) forward.add(0, t);
    std::shuffle(terms.begin(), terms.end(), rng);
    for (double t : terms) shuffled.add(0, t);
    // Exactly, not nearly: a floating-point sum in two orders usually differs in its last bits.
    EXPECT_EQ(forward[0], shuffled[0]);
    long double truth = 0;
    for (double t : terms) truth += t;
    EXPECT_NEAR(forward[0], static_cast<double>(truth), 1e-9);
    ExactSums clamped(1, 1.0, 2);
    clamped.add(0, 5.0);
    EXPECT_EQ(clamped[0], 1.0);  // beyond the bound: clamped, never overflowing
}

TEST(BalancedAssignment, LargestFirstToTheLeastLoadedRank) {
    const std::vector<double> costs{5, 4, 3, 3, 3};
    EXPECT_EQ(balanced_assignment(costs, 2), (std::vector<int>{0, 1, 1, 0, 1}));  // loads 8 and 10
    const std::vector<double> equal(4, 1.0);
    EXPECT_EQ(balanced_assignment(equal, 3), (std::vector<int>{0, 1, 2, 0}));
    EXPECT_EQ(balanced_assignment(equal, 1), (std::vector<int>(4, 0)));
    EXPECT_THROW(balanced_assignment(equal, 0), Error);
}

namespace {

// Ranks that are threads of one process: each collective publishes every rank's
// buffer, lets every rank fold them in rank order, then writes the result back.
class ThreadRanks {
public:
    explicit ThreadRanks(int size) : size_(size), slots_(static_cast<std::size_t>(size)), sync_(size) {}

    class Rank final : public Communicator {
    public:
        Rank(ThreadRanks& all, int rank) : all_(all), rank_(rank) {}
        int rank() const override { return rank_; }
        int size() const override { return all_.size_; }
        std::string host() const override { return "thread"; }
        void sum(std::span<std::int64_t> v) const override { fold(v, [](auto a, auto b) { return a + b; }); }
        void sum(std::span<std::uint16_t> v) const override {
            fold(v, [](auto a, auto b) { return static_cast<std::uint16_t>(a + b); });
        }
        void max(std::span<std::int64_t> v) const override { fold(v, [](auto a, auto b) { return std::max(a, b); }); }
        void merge(std::span<std::byte> v) const override { fold(v, [](auto a, auto b) { return a | b; }); }
        void barrier() const override { all_.sync_.arrive_and_wait(); }

    private:
        template <class T, class Op>
        void fold(std::span<T> values, Op op) const {
            all_.slots_[static_cast<std::size_t>(rank_)] = {values.data(), values.size() * sizeof(T)};
            all_.sync_.arrive_and_wait();
            std::vector<T> result(values.begin(), values.end());
            for (int r = 0; r < all_.size_; ++r) {
                if (r == rank_) continue;
                const auto [data, bytes] = all_.slots_[static_cast<std::size_t>(r)];
                EXPECT_EQ(bytes, values.size() * sizeof(T)) << "ranks exchanged arrays of different sizes";
                const T* other = static_cast<const T*>(data);
                for (std::size_t i = 0; i < result.size(); ++i) result[i] = op(result[i], other[i]);
            }
            all_.sync_.arrive_and_wait();  // everyone has read every buffer
            std::copy(result.begin(), result.end(), values.begin());
        }
        ThreadRanks& all_;
        int rank_;
    };

private:
    int size_;
    std::vector<std::pair<const void*, std::size_t>> slots_;
    std::barrier<> sync_;
};

struct Population {
    std::vector<ScalarImage<2>> images, labels;
    std::vector<std::string> names;
};

// Four subjects made from one real 2-D brain slice by smooth random deformations.
Population make_population() {
    const std::string slice = std::string(ALINEA_SOURCE_DIR) + "/../shared/data/ants-slices/r16slice.png";
    Population p;
    if (!std::filesystem::exists(slice)) return p;
    const ScalarImage<2> source = read_png(slice);
    for (int s = 0; s < 4; ++s) {
        SimulationOptions sim;
        sim.seed = 7 + s;
        sim.rotation = 3, sim.translation = 3, sim.deformation = 4, sim.smoothness = 15, sim.noise = 0.02;
        const ScalarImage<2> image = simulate(source, sim).moving;
        ScalarImage<2> labels(image.grid());
        for (Index i = 0; i < image.voxel_count(); ++i) labels[i] = image[i] > 120 ? 2.0f : image[i] > 40 ? 1.0f : 0.0f;
        p.images.push_back(image);
        p.labels.push_back(std::move(labels));
        p.names.push_back("subject" + std::to_string(s + 1));
    }
    return p;
}

// What one rank ends with: the atlas, and its subjects' probability and variability maps.
struct RankResult {
    AtlasConstruction<2> atlas;
    ProbabilityAtlas<2> probabilities;
    Variability<2> variability;
};

RankResult build(const Population& p, const AtlasTeam& team) {
    std::vector<ScalarImage<2>> images(p.images.size()), labels(p.images.size());
    for (std::size_t s = 0; s < p.images.size(); ++s)
        if (team.owns(s) || s == 0) images[s] = p.images[s], labels[s] = team.owns(s) ? p.labels[s] : ScalarImage<2>();
    std::vector<AtlasSubject<2>> subjects;
    for (std::size_t s = 0; s < images.size(); ++s) subjects.push_back({p.names[s], images[s]});
    AtlasOptions options;
    options.plan = parse_registration_plan("--transform affine --iterations 30x20x10 --transform diffeo --iterations 20x20x10");
    options.iterations = 2;
    options.subjects_in_parallel = false;
    AtlasObserver quiet;
    RankResult r;
    r.atlas = build_atlas<2>(subjects, options, quiet, nullptr, team);
    const Grid<2>& grid = r.atlas.last.template_image.grid();
    r.probabilities = probability_atlas<2>(labels, r.atlas.last.mappings, p.names, grid, team);
    r.variability = population_variability<2>(r.atlas.last.mappings, grid, labels, &r.probabilities.labels, team);
    return r;
}

template <class T>
bool same_bytes(std::span<const T> a, std::span<const T> b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

}  // namespace

TEST(AtlasTeam, ThreeRanksGiveTheBytesOfOneProcess) {
    const Population p = make_population();
    ASSERT_FALSE(p.images.empty()) << "../shared/data/ants-slices is missing";
    const RankResult alone = build(p, AtlasTeam{});

    constexpr int size = 3;
    ThreadRanks all(size);
    std::vector<ThreadRanks::Rank> ranks;
    for (int r = 0; r < size; ++r) ranks.emplace_back(all, r);
    const std::vector<int> owner = balanced_assignment(std::vector<double>(p.images.size(), 1.0), size);
    std::vector<RankResult> results(size);
    std::vector<std::thread> threads;
    for (int r = 0; r < size; ++r)
        threads.emplace_back([&, r] { results[r] = build(p, AtlasTeam{&ranks[r], owner}); });
    for (std::thread& t : threads) t.join();

    for (int r = 0; r < size; ++r) {
        SCOPED_TRACE("rank " + std::to_string(r));
        const RankResult& got = results[r];
        EXPECT_TRUE(same_bytes(got.atlas.last.template_image.voxels(), alone.atlas.last.template_image.voxels()));
        EXPECT_TRUE(same_bytes(got.atlas.last.intensity_sd.voxels(), alone.atlas.last.intensity_sd.voxels()));
        EXPECT_TRUE(same_bytes(got.atlas.initial.voxels(), alone.atlas.initial.voxels()));
        EXPECT_EQ(got.atlas.last.metric, alone.atlas.last.metric);
        for (std::size_t k = 0; k < alone.atlas.figures.size(); ++k)
            EXPECT_EQ(got.atlas.figures[k].shape_update_mm, alone.atlas.figures[k].shape_update_mm);
        for (std::size_t s = 0; s < p.images.size(); ++s) {
            const SubjectMapping<2>& m = got.atlas.last.mappings[s];
            if (owner[s] != r) {
                EXPECT_TRUE(m.warp.empty()) << "rank " << r << " holds subject " << s << "'s map";
                continue;
            }
            EXPECT_EQ(m.affine.matrix, alone.atlas.last.mappings[s].affine.matrix);
            EXPECT_EQ(m.affine.offset, alone.atlas.last.mappings[s].affine.offset);
            EXPECT_TRUE(same_bytes(m.warp.voxels(), alone.atlas.last.mappings[s].warp.voxels()));
        }
        EXPECT_EQ(got.probabilities.label_values, alone.probabilities.label_values);
        EXPECT_EQ(got.probabilities.counts, alone.probabilities.counts);
        EXPECT_TRUE(same_bytes(got.variability.log_jacobian_mean.voxels(), alone.variability.log_jacobian_mean.voxels()));
        EXPECT_TRUE(same_bytes(got.variability.log_jacobian_sd.voxels(), alone.variability.log_jacobian_sd.voxels()));
        ASSERT_EQ(got.variability.volumes.size(), alone.variability.volumes.size());
        for (std::size_t i = 0; i < alone.variability.volumes.size(); ++i) {
            EXPECT_EQ(got.variability.volumes[i].volume, alone.variability.volumes[i].volume);
            EXPECT_EQ(std::isnan(got.variability.volumes[i].mean_log_jacobian),
                      std::isnan(alone.variability.volumes[i].mean_log_jacobian));
            if (!std::isnan(alone.variability.volumes[i].mean_log_jacobian))
                EXPECT_EQ(got.variability.volumes[i].mean_log_jacobian, alone.variability.volumes[i].mean_log_jacobian);
        }
    }
    // The atlas did register: the shape update shrinks from the first iteration to the second.
    EXPECT_LT(alone.atlas.figures[1].shape_update_mm, alone.atlas.figures[0].shape_update_mm);
}
