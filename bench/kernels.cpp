// Kernel benchmarks (Google Benchmark) on a 1 mm brain-sized volume (181 x 217 x 181):
// resampling, Gaussian smoothing, each metric's value + derivative, scaling and
// squaring. Each runs with 1 and 2 threads; items per second are voxels per second.
#include "alinea/displacement.hpp"
#include "alinea/metric.hpp"
#include "alinea/resample_chain.hpp"
#include "alinea/smooth.hpp"

#include <benchmark/benchmark.h>
#include <omp.h>

#include <cmath>

using namespace alinea;

namespace {

const Grid<3>& brain_grid() {
    static const Grid<3> g = Grid<3>::from_spacing({181, 217, 181}, VecD<3>::Ones());
    return g;
}

// A smooth image with brain-like extent and contrast.
const ScalarImage<3>& brain_like() {
    static const ScalarImage<3> image = [] {
        ScalarImage<3> im(brain_grid());
        for (Index i = 0; i < im.voxel_count(); ++i) {
            const Size<3> idx = brain_grid().index_of(i);
            const double x = idx[0] / 181.0 - 0.5, y = idx[1] / 217.0 - 0.5, z = idx[2] / 181.0 - 0.5;
            const double r = std::sqrt(x * x + y * y + z * z);
            im[i] = static_cast<float>(r < 0.4 ? 80 + 30 * std::sin(40 * x) * std::cos(30 * y) + 20 * z : 0);
        }
        return im;
    }();
    return image;
}

void set_threads(benchmark::State& state) { omp_set_num_threads(static_cast<int>(state.range(0))); }

void Resample(benchmark::State& state) {
    set_threads(state);
    Affine<3> a;
    a.matrix = Eigen::AngleAxisd(0.1, VecD<3>(1, 2, 3).normalized()).toRotationMatrix();
    a.offset = VecD<3>(2, -3, 1);
    for (auto _ : state) benchmark::DoNotOptimize(resample(brain_like(), brain_grid(), a, Interpolation::linear));
    state.SetItemsProcessed(state.iterations() * brain_grid().voxel_count());
}

void Smooth(benchmark::State& state) {
    set_threads(state);
    for (auto _ : state) {
        ScalarImage<3> im = brain_like();
        gaussian_smooth(im, VecD<3>(VecD<3>::Constant(2.0)));
        benchmark::DoNotOptimize(im.data());
    }
    state.SetItemsProcessed(state.iterations() * brain_grid().voxel_count());
}

void MetricValueAndDerivative(benchmark::State& state, const char* spec) {
    set_threads(state);
    FixedSamples fixed;
    fixed.values.assign(brain_like().voxels().begin(), brain_like().voxels().end());
    fixed.dense_shape = Size<3>{181, 217, 181};
    std::vector<float> moving(fixed.values.size());
    for (size_t i = 0; i < moving.size(); ++i) moving[i] = 0.9f * fixed.values[i] + 3.0f * std::sin(0.001f * i);
    const std::vector<std::uint8_t> valid(moving.size(), 1);
    std::vector<float> derivative(moving.size());
    const auto metric = make_metric(parse_metric(spec), fixed, {0.0f, 150.0f});
    for (auto _ : state) benchmark::DoNotOptimize(metric->evaluate(MovingSamples{moving, valid}, derivative));
    state.SetItemsProcessed(state.iterations() * static_cast<Index>(moving.size()));
}

void ScalingAndSquaring(benchmark::State& state) {
    set_threads(state);
    VectorField<3> v(brain_grid());
    for (Index i = 0; i < v.voxel_count(); ++i) {
        const Size<3> idx = brain_grid().index_of(i);
        v[i] = Vec<3>(3 * std::sin(idx[1] / 20.0f), 3 * std::cos(idx[2] / 25.0f), 2 * std::sin(idx[0] / 30.0f));
    }
    for (auto _ : state) benchmark::DoNotOptimize(exponential(v, 6));
    state.SetItemsProcessed(state.iterations() * brain_grid().voxel_count());
}

}  // namespace

BENCHMARK(Resample)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(Smooth)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(MetricValueAndDerivative, ssd, "ssd")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(MetricValueAndDerivative, ncc, "ncc")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(MetricValueAndDerivative, lncc_r2, "lncc:radius=2")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(MetricValueAndDerivative, mi_32, "mi:bins=32")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ScalingAndSquaring)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
