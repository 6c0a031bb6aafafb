#include "stage_monitor.hpp"

namespace alinea {

namespace {
double since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

StageMonitor::StageMonitor(RegistrationObserver* observer, int stage, int stages, std::string description)
    : observer_(observer), stages_(stages), stage_start_(Clock::now()) {
    report_.stage = stage;
    report_.description = std::move(description);
    if (observer_) observer_->stage_started(stage, stages, report_.description);
}

void StageMonitor::begin_level(int level, int levels, int shrink, Index samples, std::string model,
                               std::string metric, std::string optimizer) {
    level_ = LevelReport{};
    level_.stage = report_.stage;
    level_.level = level;
    level_.levels = levels;
    level_.shrink = shrink;
    level_.samples = samples;
    level_.model = std::move(model);
    level_.metric = std::move(metric);
    level_.optimizer = std::move(optimizer);
    level_start_ = Clock::now();
}

void StageMonitor::iteration(int iteration, int max_iterations, double value) {
    if (!observer_) return;
    observer_->iteration_done(IterationEvent{report_.stage, stages_, level_.level, level_.levels, iteration,
                                             max_iterations, value, since(level_start_)});
    if (observer_->stop_requested()) throw Cancelled();
}

std::function<void(int, double)> StageMonitor::iteration_callback(int max_iterations) {
    return [this, max_iterations](int it, double value) { iteration(it, max_iterations, value); };
}

void StageMonitor::end_level(OptimizerResult result, double initial_value) {
    level_.result = std::move(result);
    level_.result.u = {};  // the parameters are the stage's result, not the report's
    level_.initial_value = initial_value;
    level_.seconds = since(level_start_);
    if (observer_) observer_->level_done(level_);
    report_.levels.push_back(std::move(level_));
}

StageReport StageMonitor::finish() {
    report_.seconds = since(stage_start_);
    return std::move(report_);
}

}  // namespace alinea
