#pragma once
// What a registration reports while it runs (the library never prints: the CLI's
// progress line and Python's callback are observers), the reports it returns, and
// the images it works on.
#include "alinea/error.hpp"
#include "alinea/image.hpp"
#include "alinea/optimizer.hpp"

#include <string>
#include <vector>

namespace alinea {

template <int D>
struct RegistrationImages {
    const ScalarImage<D>& fixed;
    const ScalarImage<D>& moving;
    const ScalarImage<D>* fixed_mask = nullptr;   // samples only where > 0.5
    const ScalarImage<D>* moving_mask = nullptr;  // samples only mapping where > 0.5
};

// One pyramid level of one stage, when it has finished.
struct LevelReport {
    int stage = 0;                 // index in the plan (linear stages first)
    int level = 0, levels = 0, shrink = 1;
    std::string model, metric, optimizer;
    Index samples = 0;
    OptimizerResult result;        // iterations, evaluations, final value, trace, stop reason
    double initial_value = 0;
    double seconds = 0;
};

struct StageReport {
    int stage = 0;
    std::string description;       // the options that reproduce the stage
    std::vector<LevelReport> levels;
    double seconds = 0;
};

// After every iteration of every level.
struct IterationEvent {
    int stage = 0, stages = 1;
    int level = 0, levels = 1;
    int iteration = 0, max_iterations = 0;  // iteration counts from 1
    double value = 0;
    double level_seconds = 0;               // since the level started
};

class RegistrationObserver {
public:
    virtual ~RegistrationObserver() = default;
    // Stages run in the plan's order: the linear ones, then the deformable one.
    virtual void stage_started(int stage, int stages, const std::string& description) {}
    virtual void iteration_done(const IterationEvent&) {}
    virtual void level_done(const LevelReport&) {}
    // Polled after every iteration: true cancels the registration, which then throws
    // Cancelled (nothing is returned, nothing half-done is kept).
    virtual bool stop_requested() { return false; }
};

class Cancelled : public Error {
public:
    Cancelled() : Error("registration cancelled") {}
};

}  // namespace alinea
