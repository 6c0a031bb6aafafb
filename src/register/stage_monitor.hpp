#pragma once
// The one place where a stage's levels are timed, reported and recorded: every
// stage (linear, dense, B-spline) opens its levels here, passes its iterations
// through, and gets its StageReport back. It forwards to the observer (if any) and
// throws Cancelled when the observer asks to stop.
#include "alinea/registration_observer.hpp"

#include <chrono>

namespace alinea {

class StageMonitor {
public:
    StageMonitor(RegistrationObserver* observer, int stage, int stages, std::string description);

    // Starts a level; model, metric and optimiser name what runs there.
    void begin_level(int level, int levels, int shrink, Index samples, std::string model, std::string metric,
                     std::string optimizer);
    // After an iteration of the current level (iterations count from 1).
    void iteration(int iteration, int max_iterations, double value);
    // A callback for OptimizerOptions::on_iteration.
    std::function<void(int, double)> iteration_callback(int max_iterations);
    // Ends the current level with the optimiser's result.
    void end_level(OptimizerResult result, double initial_value);
    // The whole stage's report (call once, at the end).
    StageReport finish();

private:
    using Clock = std::chrono::steady_clock;
    RegistrationObserver* observer_;
    int stages_;
    StageReport report_;
    LevelReport level_;
    Clock::time_point stage_start_, level_start_;
};

}  // namespace alinea
