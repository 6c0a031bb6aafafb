#pragma once
// One linear stage of a registration: a transform model, a metric, a pyramid
// schedule and an optimiser. The stage refines phi = initial ∘ phi_theta from the
// coarsest to the finest level and returns the whole fixed -> moving affine.
#include "alinea/image.hpp"
#include "alinea/linear_model.hpp"
#include "alinea/metric.hpp"
#include "alinea/optimizer.hpp"
#include "alinea/pyramid_schedule.hpp"

namespace alinea {

struct LinearStage {
    LinearModel model = LinearModel::rigid;
    MetricOptions metric = MiOptions{};
    PyramidSchedule pyramid;
    OptimizerKind optimizer = OptimizerKind::adaptive_gradient_descent;
    // At most this many fixed samples per level (a fixed pseudo-random subset);
    // 0: all voxels. Dense metrics (local NCC) always use all voxels.
    Index max_samples = 100000;
};

template <int D>
struct RegistrationImages {
    const ScalarImage<D>& fixed;
    const ScalarImage<D>& moving;
    const ScalarImage<D>* fixed_mask = nullptr;   // samples only where > 0.5
    const ScalarImage<D>* moving_mask = nullptr;  // samples only mapping where > 0.5
};

// What a level reports when it finishes (the library never prints).
struct LevelReport {
    int stage = 0, level = 0, levels = 0, shrink = 1;
    std::string model, metric, optimizer;
    Index samples = 0;
    OptimizerResult result;
    double initial_value = 0;
    double seconds = 0;
};

class RegistrationObserver {
public:
    virtual ~RegistrationObserver() = default;
    virtual void stage_started(int stage, int stages, const LinearStage& options) {}
    virtual void level_done(const LevelReport&) {}
};

// Runs the stages in order, each starting from the previous one's result. Pyramid
// levels are computed once and shared by the stages that use the same ones.
template <int D>
Affine<D> register_linear(const RegistrationImages<D>& images, const std::vector<LinearStage>& stages,
                          const Affine<D>& initial, RegistrationObserver* observer = nullptr);

}  // namespace alinea
